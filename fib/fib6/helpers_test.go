package fib6

import (
	"fmt"
	"sync/atomic"
	"testing"

	"dpk/internal/route6test"
)

type route struct {
	ip      [AddrSize]byte
	depth   uint8
	nextHop uint64
}

type ruleKey struct {
	ip    [AddrSize]byte
	depth uint8
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
		rs = append(rs, oracleRule{k.ip, route6test.MaskAddr(m, k.depth), int(k.depth), nh})
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

// loadRoutes reads DPDK's lpm6 route table (1000 routes) from the shared data.
func loadRoutes(t testing.TB) []route {
	t.Helper()
	var rs []route
	for _, r := range route6test.LoadDPDKRoutes(t) {
		rs = append(rs, route{r.IP, r.Depth, uint64(r.NextHop)})
	}
	return rs
}
