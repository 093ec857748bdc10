package fib_test

import (
	"encoding/binary"
	"fmt"
	"net/netip"

	"dpk/eal"
	"dpk/fib"
)

func ipv4(s string) uint32 {
	a := netip.MustParseAddr(s).As4()
	return binary.BigEndian.Uint32(a[:])
}

// A DIR24_8 FIB with a default route, a /8, a /24 and a /32: each address
// takes the next hop of the longest route that covers it, and deleting a
// route uncovers the one below it.
func Example() {
	f, err := fib.Create("example", eal.SocketIDAny, fib.Config{
		Type: fib.DIR24_8, DefaultNH: 0, MaxRoutes: 1024, NHSize: fib.NH2B, NumTbl8: 64,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Free()

	for _, r := range []struct {
		prefix  string
		nextHop uint64
	}{
		{"0.0.0.0/0", 1},
		{"10.0.0.0/8", 2},
		{"10.1.2.0/24", 3},
		{"10.1.2.3/32", 4},
	} {
		p := netip.MustParsePrefix(r.prefix)
		if err := f.Add(ipv4(p.Addr().String()), uint8(p.Bits()), r.nextHop); err != nil {
			fmt.Println(err)
			return
		}
	}
	ips := []uint32{ipv4("192.0.2.1"), ipv4("10.9.9.9"), ipv4("10.1.2.200"), ipv4("10.1.2.3")}
	nhs := make([]uint64, len(ips))
	f.LookupBulk(ips, nhs)
	fmt.Println(nhs)

	f.Delete(ipv4("10.1.2.0"), 24)
	f.LookupBulk(ips, nhs)
	fmt.Println("after deleting the /24:", nhs)
	// Output:
	// [1 2 3 4]
	// after deleting the /24: [1 2 2 4]
}
