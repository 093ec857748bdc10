package fib6

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"dpk/internal/route6test"
)

func checkOracle(t *testing.T, f *FIB, o oracle, r *rand.Rand, perRule, random int) int {
	t.Helper()
	rs := o.snapshot()
	var ips [][AddrSize]byte
	for _, ru := range rs {
		for range perRule {
			ips = append(ips, route6test.Inside(r, ru.ip, uint8(ru.depth)))
		}
	}
	for range random {
		ips = append(ips, route6test.Inside(r, [AddrSize]byte{}, 0))
	}
	nhs := make([]uint64, len(ips))
	f.LookupBulk(ips, nhs)
	for i, ip := range ips {
		want := bruteLookup(rs, ip, f.DefaultNH())
		if got := f.Lookup(&ip); got != want {
			t.Fatalf("%v: Lookup(%x) = %d, oracle says %d", f.Type(), ip, got, want)
		}
		if nhs[i] != want {
			t.Fatalf("%v: LookupBulk[%d] (%x) = %d, oracle says %d", f.Type(), i, ip, nhs[i], want)
		}
	}
	if f.Routes() != len(o) {
		t.Fatalf("%d routes, oracle has %d", f.Routes(), len(o))
	}
	for k, nh := range o {
		if got, ok := f.IsRulePresent(k.ip, k.depth); !ok || got != nh {
			t.Fatalf("IsRulePresent(%x/%d) = %d, %v; want %d", k.ip, k.depth, got, ok, nh)
		}
	}
	return len(ips)
}

var oracleConfigs = []Config{
	{Type: Dummy, DefaultNH: 7, MaxRoutes: 1 << 16},
	{Type: Trie, DefaultNH: 0, MaxRoutes: 1 << 16, NHSize: NH2B, NumTbl8: 1<<15 - 1},
	{Type: Trie, DefaultNH: 12345, MaxRoutes: 1 << 16, NHSize: NH4B, NumTbl8: 1 << 15},
	{Type: Trie, DefaultNH: 1 << 40, MaxRoutes: 1 << 16, NHSize: NH8B, NumTbl8: 1 << 15},
}

// TestOracleRouteFile loads DPDK's 1000 IPv6 routes, checks lookups
// against the brute-force oracle, churns (deletes, re-adds with other
// next hops, new prefixes nested in others, a default route), checking
// after each step, and deletes everything. A trie FIB must then use as
// many tbl8 groups as one built afresh from the same routes, and none when
// empty.
func TestOracleRouteFile(t *testing.T) {
	routes := loadRoutes(t)
	perRule, random, rounds := 2, 2000, 8
	if testing.Short() || raceEnabled {
		perRule, random, rounds = 1, 300, 2
	}
	for _, cfg := range oracleConfigs {
		name := cfg.Type.String()
		if cfg.Type == Trie {
			name += fmt.Sprintf("/%dB", 1<<cfg.NHSize)
		}
		t.Run(name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(cfg.NHSize), 5))
			maxNH := cfg.NHSize.MaxNextHop()
			if cfg.Type == Dummy {
				maxNH = 1<<64 - 1
			}
			f := newFIB(t, cfg)
			o := oracle{}
			add := func(ip [AddrSize]byte, d uint8, nh uint64) {
				if err := f.Add(ip, d, nh); err != nil {
					t.Fatalf("Add(%x/%d, %d): %v", ip, d, nh, err)
				}
				o[ruleKey{route6test.MaskAddr(ip, d), d}] = nh
			}
			for _, rt := range routes {
				add(rt.ip, rt.depth, rt.nextHop)
			}
			checked := checkOracle(t, f, o, r, perRule, random)
			for round := range rounds {
				var dels []ruleKey
				for k := range o {
					if r.IntN(8) == 0 {
						dels = append(dels, k)
					}
				}
				for _, k := range dels {
					if err := f.Delete(route6test.Inside(r, k.ip, k.depth), k.depth); err != nil {
						t.Fatalf("Delete(%x/%d): %v", k.ip, k.depth, err)
					}
					delete(o, k)
				}
				checked += checkOracle(t, f, o, r, perRule, random/4)
				for i, k := range dels {
					if i%2 == 0 {
						add(k.ip, k.depth, r.Uint64N(maxNH)+1)
					}
				}
				rs := o.snapshot()
				for range 50 {
					base := rs[r.IntN(len(rs))]
					d := uint8(min(base.depth+1+r.IntN(MaxDepth-base.depth+1), MaxDepth))
					add(route6test.Inside(r, base.ip, uint8(base.depth)), d, r.Uint64N(maxNH)+1)
				}
				if round == 1 {
					add([AddrSize]byte{}, 0, r.Uint64N(maxNH)+1) // a default route
				}
				checked += checkOracle(t, f, o, r, perRule, random/4)
			}
			if cfg.Type == Trie {
				fresh := newFIB(t, cfg)
				for k, nh := range o {
					if err := fresh.Add(k.ip, k.depth, nh); err != nil {
						t.Fatal(err)
					}
				}
				if f.Tbl8sInUse() != fresh.Tbl8sInUse() {
					t.Errorf("after churn %d tbl8 groups in use; afresh, %d", f.Tbl8sInUse(), fresh.Tbl8sInUse())
				}
				checked += checkOracle(t, fresh, o, r, 1, random/4)
			}
			i := 0
			for k := range o {
				if err := f.Delete(k.ip, k.depth); err != nil {
					t.Fatal(err)
				}
				delete(o, k)
				if i++; i%250 == 0 {
					checked += checkOracle(t, f, o, r, 1, random/8)
				}
			}
			checked += checkOracle(t, f, o, r, 1, random/4)
			if f.Tbl8sInUse() != 0 {
				t.Errorf("empty FIB keeps %d tbl8 groups", f.Tbl8sInUse())
			}
			t.Logf("%d addresses checked against the brute-force oracle", checked)
		})
	}
}
