package lpm6_test

import (
	"fmt"
	"net/netip"

	"dpk/eal"
	"dpk/lpm6"
)

// Routes of several lengths, looked up one at a time and in bulk; the
// longest matching prefix wins, and deleting it uncovers the shorter one.
func Example() {
	l, err := lpm6.Create("example", eal.SocketIDAny, lpm6.Config{MaxRules: 1024, NumberTbl8s: 256})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer l.Free()

	for _, r := range []struct {
		prefix  string
		nextHop uint32
	}{
		{"2001:db8::/32", 1},
		{"2001:db8:1::/48", 2},
		{"2001:db8:1::1/128", 3},
	} {
		p := netip.MustParsePrefix(r.prefix)
		if err := l.Add(p.Addr().As16(), uint8(p.Bits()), r.nextHop); err != nil {
			fmt.Println(err)
			return
		}
	}
	for _, a := range []string{"2001:db8::7", "2001:db8:1::7", "2001:db8:1::1", "2001:db9::1"} {
		ip := netip.MustParseAddr(a).As16()
		nh, ok := l.Lookup(&ip)
		fmt.Println(a, nh, ok)
	}

	l.Delete(netip.MustParseAddr("2001:db8:1::").As16(), 48)
	ips := [][16]byte{
		netip.MustParseAddr("2001:db8:1::7").As16(),
		netip.MustParseAddr("2001:db8:1::1").As16(),
		netip.MustParseAddr("fe80::1").As16(),
	}
	nhs := make([]int32, len(ips))
	l.LookupBulk(ips, nhs)
	fmt.Println("after deleting the /48:", nhs)
	// Output:
	// 2001:db8::7 1 true
	// 2001:db8:1::7 2 true
	// 2001:db8:1::1 3 true
	// 2001:db9::1 0 false
	// after deleting the /48: [1 3 -1]
}
