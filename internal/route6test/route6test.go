// Package route6test holds what the tests of dpk's IPv6 route tables
// (lpm6, fib6) share: DPDK's 1000-route table from the shared data, and
// address helpers for prefixes.
package route6test

import (
	"bufio"
	"math/rand/v2"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"testing"

	"dpk/internal/testutil"
)

// Route is one line of DPDK's lpm6 route table: a prefix and its next hop.
type Route struct {
	IP      [16]byte
	Depth   uint8
	NextHop uint32
}

// LoadDPDKRoutes reads shared/data/lpm6/dpdk_lpm6_routes.txt (DPDK's
// large_route_table, "prefix/depth next_hop" per line) and fails the test
// unless it holds 1000 routes.
func LoadDPDKRoutes(t testing.TB) []Route {
	t.Helper()
	f, err := os.Open(testutil.SharedData(t, "lpm6/dpdk_lpm6_routes.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rs []Route
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 2 {
			t.Fatalf("bad route line %q", line)
		}
		p, err := netip.ParsePrefix(fields[0])
		if err != nil {
			t.Fatalf("bad route line %q: %v", line, err)
		}
		nh, err := strconv.ParseUint(fields[1], 10, 32)
		if err != nil {
			t.Fatalf("bad route line %q: %v", line, err)
		}
		rs = append(rs, Route{p.Addr().As16(), uint8(p.Bits()), uint32(nh)})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1000 {
		t.Fatalf("%d routes in the route file, want 1000", len(rs))
	}
	return rs
}

// MaskAddr clears the bits of ip after the first depth.
func MaskAddr(ip [16]byte, depth uint8) [16]byte {
	d := int(depth)
	for i := range ip {
		switch {
		case d <= 0:
			ip[i] = 0
		case d < 8:
			ip[i] &= ^byte(0xff >> d)
		}
		d -= 8
	}
	return ip
}

// Inside returns a random address inside ip/depth.
func Inside(r *rand.Rand, ip [16]byte, depth uint8) [16]byte {
	var a [16]byte
	for i := range a {
		a[i] = byte(r.Uint32())
	}
	d := int(depth)
	for i := range a {
		switch {
		case d >= 8:
			a[i] = ip[i]
		case d > 0:
			m := byte(0xff << (8 - d))
			a[i] = ip[i]&m | a[i]&^m
		}
		d -= 8
	}
	return a
}
