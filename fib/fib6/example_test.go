package fib6_test

import (
	"fmt"
	"net/netip"

	"dpk/eal"
	"dpk/fib/fib6"
)

// A trie FIB with routes of several lengths: each address takes the next
// hop of the longest route that covers it, or the default.
func Example() {
	f, err := fib6.Create("example6", eal.SocketIDAny, fib6.Config{
		Type: fib6.Trie, DefaultNH: 0, MaxRoutes: 1024, NHSize: fib6.NH4B, NumTbl8: 256,
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
		{"2000::/3", 1},
		{"2001:db8::/32", 2},
		{"2001:db8:0:1::/64", 3},
		{"2001:db8:0:1::1/128", 4},
	} {
		p := netip.MustParsePrefix(r.prefix)
		if err := f.Add(p.Addr().As16(), uint8(p.Bits()), r.nextHop); err != nil {
			fmt.Println(err)
			return
		}
	}
	var ips [][16]byte
	for _, a := range []string{"fe80::1", "2a00::1", "2001:db8:5::1", "2001:db8:0:1::7", "2001:db8:0:1::1"} {
		ips = append(ips, netip.MustParseAddr(a).As16())
	}
	nhs := make([]uint64, len(ips))
	f.LookupBulk(ips, nhs)
	fmt.Println(nhs)

	f.Delete(netip.MustParseAddr("2001:db8::").As16(), 32)
	f.LookupBulk(ips, nhs)
	fmt.Println("after deleting the /32:", nhs)
	// Output:
	// [0 1 2 3 4]
	// after deleting the /32: [0 1 1 3 4]
}
