package lpm6

import (
	"fmt"
	"net/netip"
	"sync/atomic"
	"testing"

	"dpk/internal/route6test"
)

// route is one line of the shared route file.
type route struct {
	ip      [AddrSize]byte
	depth   uint8
	nextHop uint32
}

// oracle is a brute-force longest-prefix match: it holds the rules and
// compares an address with every one of them.
type oracle map[ruleKey]uint32

type oracleRule struct {
	ip, mask [AddrSize]byte
	depth    int
	nextHop  uint32
}

// snapshot lists the rules for lookups.
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

func bruteLookup(rs []oracleRule, ip [AddrSize]byte) (uint32, bool) {
	best, bestDepth := uint32(0), -1
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
	return best, bestDepth >= 0
}

var tableSeq atomic.Uint32

func newTable(t testing.TB, cfg Config) *LPM {
	t.Helper()
	l, err := Create(fmt.Sprintf("t%d", tableSeq.Add(1)), -1, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Free)
	return l
}

func addr(s string) [AddrSize]byte { return netip.MustParseAddr(s).As16() }

// loadRoutes reads DPDK's lpm6 route table (1000 routes) from the shared data.
func loadRoutes(t testing.TB) []route {
	t.Helper()
	var rs []route
	for _, r := range route6test.LoadDPDKRoutes(t) {
		rs = append(rs, route{r.IP, r.Depth, r.NextHop})
	}
	return rs
}
