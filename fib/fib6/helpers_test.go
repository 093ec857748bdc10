package fib6

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"dpk/internal/testutil"
)

type route struct {
	ip      [AddrSize]byte
	depth   uint8
	nextHop uint64
}

// sharedFile returns rel under the shared data directory.
func sharedFile(t testing.TB, rel string) string { return testutil.SharedData(t, rel) }

// loadRoutes reads DPDK's lpm6 large_route_table ("prefix/depth next_hop").
func loadRoutes(t testing.TB) []route {
	t.Helper()
	f, err := os.Open(sharedFile(t, "lpm6/dpdk_lpm6_routes.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rs []route
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
		rs = append(rs, route{p.Addr().As16(), uint8(p.Bits()), nh})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1000 {
		t.Fatalf("%d routes in the route file, want 1000", len(rs))
	}
	return rs
}

type ruleKey struct {
	ip    [AddrSize]byte
	depth uint8
}

func maskAddr(ip [AddrSize]byte, depth uint8) [AddrSize]byte {
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

// oracle is a brute-force longest-prefix match: it compares an address
// with every route.
type oracle map[ruleKey]uint64

type oracleRule struct {
	ip, mask [AddrSize]byte
	depth    int
	nextHop  uint64
}

func (o oracle) snapshot() []oracleRule {
	rs := make([]oracleRule, 0, len(o))
	for k, nh := range o {
		var m [AddrSize]byte
		for i := range m {
			m[i] = 0xff
		}
		rs = append(rs, oracleRule{k.ip, maskAddr(m, k.depth), int(k.depth), nh})
	}
	return rs
}

func bruteLookup(rs []oracleRule, ip [AddrSize]byte, def uint64) uint64 {
	best, bestDepth := def, -1
	for i := range rs {
		r := &rs[i]
		if r.depth <= bestDepth {
			continue
		}
		match := true
		for j := range ip {
			if ip[j]&r.mask[j] != r.ip[j] {
				match = false
				break
			}
		}
		if match {
			best, bestDepth = r.nextHop, r.depth
		}
	}
	return best
}

// inside returns a random address inside ip/depth.
func inside(r *rand.Rand, ip [AddrSize]byte, depth uint8) [AddrSize]byte {
	var a [AddrSize]byte
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

var fibSeq atomic.Uint32

func newFIB(t testing.TB, cfg Config) *FIB {
	t.Helper()
	f, err := Create(fmt.Sprintf("t%d", fibSeq.Add(1)), -1, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Free)
	return f
}
