package fib

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"
)

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

type route4 struct {
	ip    uint32
	depth uint8
}

func mask4(depth uint8) uint32 {
	if depth == 0 {
		return 0
	}
	return ^uint32(0) << (32 - depth)
}

// oracle4 is a brute-force longest-prefix match: it compares an address
// with every route.
type oracle4 map[route4]uint64

type oracleRoute struct {
	ip, mask uint32
	depth    int
	nh       uint64
}

func (o oracle4) snapshot() []oracleRoute {
	rs := make([]oracleRoute, 0, len(o))
	for r, nh := range o {
		rs = append(rs, oracleRoute{r.ip, mask4(r.depth), int(r.depth), nh})
	}
	return rs
}

func bruteLookup(rs []oracleRoute, ip uint32, def uint64) uint64 {
	best, bestDepth := def, -1
	for i := range rs {
		if rs[i].depth > bestDepth && ip&rs[i].mask == rs[i].ip {
			best, bestDepth = rs[i].nh, rs[i].depth
		}
	}
	return best
}

// randomRoute returns a route of any depth (seldom under 8 bits: those
// rewrite much of tbl24), half the time inside one of the routes of o so
// that prefixes nest.
func randomRoute(r *rand.Rand, o oracle4) route4 {
	ip, d := r.Uint32(), uint8(8+r.IntN(MaxDepth-8+1))
	if r.IntN(20) == 0 {
		d = uint8(r.IntN(8))
	}
	if len(o) > 0 && r.IntN(2) == 0 {
		for base := range o {
			ip = base.ip | ip&^mask4(base.depth)
			d = base.depth + uint8(r.IntN(MaxDepth-int(base.depth)+1))
			break
		}
	}
	return route4{ip & mask4(d), d}
}

func checkOracle(t *testing.T, f *FIB, o oracle4, r *rand.Rand, n int) int {
	t.Helper()
	ips := make([]uint32, 0, n+2*len(o))
	for range n {
		ips = append(ips, r.Uint32())
	}
	for rt := range o {
		ips = append(ips, rt.ip|r.Uint32()&^mask4(rt.depth), rt.ip|^mask4(rt.depth))
	}
	nhs := make([]uint64, len(ips))
	f.LookupBulk(ips, nhs)
	rs := o.snapshot()
	for i, ip := range ips {
		want := bruteLookup(rs, ip, f.DefaultNH())
		if got := f.Lookup(ip); got != want {
			t.Fatalf("%v: Lookup(%#08x) = %d, oracle says %d", f.Type(), ip, got, want)
		}
		if nhs[i] != want {
			t.Fatalf("%v: LookupBulk[%d] (%#08x) = %d, oracle says %d", f.Type(), i, ip, nhs[i], want)
		}
	}
	if f.Routes() != len(o) {
		t.Fatalf("%d routes, oracle has %d", f.Routes(), len(o))
	}
	return len(ips)
}

var oracleConfigs = []Config{
	{Type: Dummy, DefaultNH: 7, MaxRoutes: 1 << 16},
	{Type: DIR24_8, DefaultNH: 100, MaxRoutes: 1 << 16, NHSize: NH1B, NumTbl8: 127},
	{Type: DIR24_8, DefaultNH: 0, MaxRoutes: 1 << 16, NHSize: NH2B, NumTbl8: 1 << 12},
	{Type: DIR24_8, DefaultNH: 12345, MaxRoutes: 1 << 16, NHSize: NH4B, NumTbl8: 1 << 12},
	{Type: DIR24_8, DefaultNH: 1 << 40, MaxRoutes: 1 << 16, NHSize: NH8B, NumTbl8: 1 << 12},
}

// TestOracle adds random routes of every depth, nested in each other,
// checks every lookup against the brute-force oracle, then churns:
// deletes, re-adds with other next hops, adds new routes, checking after
// each step, and at the end deletes everything. A DIR24_8 FIB must then
// use as many tbl8 groups as one built afresh from the same routes, and
// none when empty.
func TestOracle(t *testing.T) {
	routes, rounds, lookups := 600, 10, 2000
	if testing.Short() || raceEnabled {
		routes, rounds, lookups = 150, 3, 300
	}
	for _, cfg := range oracleConfigs {
		name := cfg.Type.String()
		if cfg.Type == DIR24_8 {
			name += fmt.Sprintf("/%dB", 1<<cfg.NHSize)
		}
		t.Run(name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(cfg.NHSize), 9))
			maxNH := cfg.NHSize.MaxNextHop()
			if cfg.Type == Dummy {
				maxNH = 1<<64 - 1
			}
			f := newFIB(t, cfg)
			o := oracle4{}
			add := func(rt route4) {
				nh := r.Uint64N(maxNH) + 1
				err := f.Add(rt.ip, rt.depth, nh)
				if errors.Is(err, ErrNoSpace) && cfg.NHSize == NH1B {
					return // 1-byte cells have only 128 groups
				}
				if err != nil {
					t.Fatalf("Add(%#08x/%d, %d): %v", rt.ip, rt.depth, nh, err)
				}
				o[rt] = nh
			}
			for range routes {
				add(randomRoute(r, o))
			}
			checked := checkOracle(t, f, o, r, lookups)
			for range rounds {
				var dels []route4
				for rt := range o {
					if r.IntN(8) == 0 {
						dels = append(dels, rt)
					}
				}
				for _, rt := range dels {
					if err := f.Delete(rt.ip|r.Uint32()&^mask4(rt.depth), rt.depth); err != nil {
						t.Fatalf("Delete(%#08x/%d): %v", rt.ip, rt.depth, err)
					}
					delete(o, rt)
				}
				checked += checkOracle(t, f, o, r, lookups/4)
				for i, rt := range dels {
					if i%2 == 0 {
						add(rt)
					}
				}
				for rt := range o { // a new next hop for a few
					if r.IntN(10) == 0 {
						add(rt)
					}
				}
				for range routes / 10 {
					add(randomRoute(r, o))
				}
				checked += checkOracle(t, f, o, r, lookups/4)
			}
			if cfg.Type == DIR24_8 {
				fresh := newFIB(t, cfg)
				for rt, nh := range o {
					if err := fresh.Add(rt.ip, rt.depth, nh); err != nil {
						t.Fatal(err)
					}
				}
				if f.Tbl8sInUse() != fresh.Tbl8sInUse() {
					t.Errorf("after churn %d tbl8 groups in use; afresh, %d", f.Tbl8sInUse(), fresh.Tbl8sInUse())
				}
				checked += checkOracle(t, fresh, o, r, lookups/4)
			}
			i := 0
			for rt := range o {
				if err := f.Delete(rt.ip, rt.depth); err != nil {
					t.Fatal(err)
				}
				delete(o, rt)
				if i++; i%100 == 0 {
					checked += checkOracle(t, f, o, r, lookups/10)
				}
			}
			checked += checkOracle(t, f, o, r, lookups/4)
			if f.Tbl8sInUse() != 0 {
				t.Errorf("empty FIB keeps %d tbl8 groups", f.Tbl8sInUse())
			}
			t.Logf("%d addresses checked against the brute-force oracle", checked)
		})
	}
}

// TestTbl8Exhaustion: every /24 with routes longer than 24 bits takes a
// tbl8 group; Add fails with ErrNoSpace, changing nothing, when none is
// left, and succeeds again once a /24 gives its group back.
func TestTbl8Exhaustion(t *testing.T) {
	f := newFIB(t, Config{Type: DIR24_8, MaxRoutes: 1000, NHSize: NH2B, NumTbl8: 10}) // rounded up to 64
	for i := range uint32(64) {
		if err := f.Add(i<<8, 25, 1); err != nil {
			t.Fatalf("route %d: %v", i, err)
		}
	}
	if err := f.Add(64<<8, 25, 1); !errors.Is(err, ErrNoSpace) {
		t.Fatalf("65th /24 with a /25: %v, want ErrNoSpace", err)
	}
	if f.Lookup(64<<8) != 0 || f.Routes() != 64 {
		t.Fatal("a failed Add changed the FIB")
	}
	if err := f.Add(5<<8|0x80, 25, 2); err != nil {
		t.Fatalf("a /25 in a /24 that has a group: %v", err)
	}
	if err := f.Add(1<<8, 24, 3); err != nil {
		t.Fatalf("a /24: %v", err)
	}
	if err := f.Delete(7<<8, 25); err != nil {
		t.Fatal(err)
	}
	if err := f.Add(64<<8, 25, 1); err != nil {
		t.Fatalf("after a /24 gave its group back: %v", err)
	}
	if f.Tbl8sInUse() != 64 {
		t.Errorf("%d groups in use, want 64", f.Tbl8sInUse())
	}
}
