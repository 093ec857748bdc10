package lpm

import (
	"errors"
	"math/rand/v2"
	"testing"

	"dpk/lpm/lpmtest"
)

// churn drives a table and the oracle with the same random adds and
// deletes. Prefixes come from a few hot regions so that they overlap at
// every depth, and a small tbl8 pool runs out now and then.
type churn struct {
	t      *testing.T
	l      *LPM
	o      *lpmtest.Oracle
	rnd    *rand.Rand
	hot    []uint32
	noSpc  int // adds that failed with ErrNoSpace
	adds   int
	dels   int
	misses int // deletes of absent rules
}

func (c *churn) addr() uint32 {
	base := c.hot[c.rnd.IntN(len(c.hot))]
	// Mostly near the base, sometimes anywhere in its /8 or anywhere.
	switch c.rnd.IntN(8) {
	case 0:
		return c.rnd.Uint32()
	case 1, 2:
		return base&0xff000000 | c.rnd.Uint32()&0x00ffffff
	default:
		return base | c.rnd.Uint32()&0x3ff
	}
}

// depth favours long prefixes (which need tbl8 groups); short ones, which
// rewrite up to 2^23 tbl24 entries, are rarer, as in real tables.
func (c *churn) depth() uint8 {
	switch n := c.rnd.IntN(40); {
	case n < 18:
		return uint8(25 + c.rnd.IntN(8))
	case n < 36:
		return uint8(16 + c.rnd.IntN(9))
	case n < 39:
		return uint8(8 + c.rnd.IntN(8))
	}
	return uint8(1 + c.rnd.IntN(7))
}

func (c *churn) step() {
	if c.rnd.IntN(5) < 3 || c.o.Len() == 0 {
		ip, d := c.addr(), c.depth()
		hop := c.rnd.Uint32() & MaxNextHop
		err := c.l.Add(ip, d, hop)
		switch {
		case err == nil:
			c.o.Add(ip, d, hop)
			c.adds++
		case errors.Is(err, ErrNoSpace):
			c.noSpc++
			if old, ok := c.o.Has(ip, d); ok {
				c.t.Fatalf("Add(%s/%d) of an existing rule (hop %d): %v", ipString(ip), d, old, err)
			}
		default:
			c.t.Fatalf("Add(%s/%d, %d): %v", ipString(ip), d, hop, err)
		}
		return
	}
	var ip uint32
	var d uint8
	if c.rnd.IntN(4) == 0 {
		ip, d = c.addr(), c.depth() // probably absent
	} else {
		rs := c.o.Rules()
		r := rs[c.rnd.IntN(len(rs))]
		ip, d = r.IP, r.Depth
	}
	err := c.l.Delete(ip, d)
	if had := c.o.Delete(ip, d); had {
		if err != nil {
			c.t.Fatalf("Delete(%s/%d): %v", ipString(ip), d, err)
		}
		c.dels++
	} else {
		if !errors.Is(err, ErrNotFound) {
			c.t.Fatalf("Delete(%s/%d) of an absent rule: %v", ipString(ip), d, err)
		}
		c.misses++
	}
}

// probes returns addresses to check: random ones, and the first, last and
// neighbours of every rule.
func (c *churn) probes() []uint32 {
	var ips []uint32
	for range 2000 {
		ips = append(ips, c.addr())
	}
	for _, r := range c.o.Rules() {
		last := r.IP | ^lpmtest.Mask(r.Depth)
		ips = append(ips, r.IP, last, r.IP-1, last+1, r.IP|c.rnd.Uint32()&^lpmtest.Mask(r.Depth))
	}
	return append(ips, 0, 0xffffffff, 0x7fffffff, 0x80000000)
}

// check compares every lookup function with the oracle, and the table's
// bookkeeping with the rules.
func (c *churn) check() {
	t := c.t
	ips := c.probes()
	for len(ips)%4 != 0 {
		ips = append(ips, c.rnd.Uint32())
	}
	bulk := make([]uint32, len(ips))
	c.l.LookupBulk(ips, bulk)
	for i := 0; i < len(ips); i += 4 {
		var x4 [4]uint32
		c.l.LookupX4([4]uint32(ips[i:i+4]), &x4, noHop)
		for k := range 4 {
			ip := ips[i+k]
			want, wok := c.o.Lookup(ip)
			got, ok := c.l.Lookup(ip)
			if ok != wok || got != want {
				t.Fatalf("Lookup(%s) = %d, %v; oracle %d, %v", ipString(ip), got, ok, want, wok)
			}
			wb, w4 := uint32(0), noHop
			if wok {
				wb, w4 = want|LookupSuccess, want
			}
			if bulk[i+k]&(LookupSuccess|MaxNextHop) != wb {
				t.Fatalf("LookupBulk(%s) = %#x, want %#x", ipString(ip), bulk[i+k], wb)
			}
			if x4[k] != w4 {
				t.Fatalf("LookupX4(%s) = %#x, want %#x", ipString(ip), x4[k], w4)
			}
		}
	}
	for _, r := range c.o.Rules() {
		if h, ok := c.l.IsRulePresent(r.IP|c.rnd.Uint32()&^lpmtest.Mask(r.Depth), r.Depth); !ok || h != r.Hop {
			t.Fatalf("IsRulePresent(%s/%d) = %d, %v; want %d", ipString(r.IP), r.Depth, h, ok, r.Hop)
		}
	}
	inf := c.l.Info()
	if int(inf.Rules) != c.o.Len() {
		t.Fatalf("table has %d rules, oracle %d", inf.Rules, c.o.Len())
	}
	// A /24 holds a tbl8 group exactly while it has a rule longer than 24.
	if int(inf.Tbl8InUse) != c.o.DeepBlocks() {
		t.Fatalf("%d tbl8 groups in use for %d /24s with long prefixes", inf.Tbl8InUse, c.o.DeepBlocks())
	}
	if inf.Tbl8InUse+inf.Tbl8Free+inf.Tbl8Defer != c.l.hdr.numberTbl8s {
		t.Fatalf("groups: %+v of %d", inf, c.l.hdr.numberTbl8s)
	}
}

func TestOracleChurn(t *testing.T) {
	ops := 8000
	if testing.Short() || raceEnabled {
		ops = 2000
	}
	for _, tc := range []struct {
		name          string
		rules, groups uint32
		seed          uint64
	}{
		{"roomy", 8192, 4096, 1},
		{"few groups", 8192, 48, 2},
		{"few rules", 300, 256, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rnd := rand.New(rand.NewPCG(tc.seed, 42))
			c := &churn{t: t, l: newTable(t, tc.rules, tc.groups), o: lpmtest.NewOracle(), rnd: rnd}
			for range 12 {
				c.hot = append(c.hot, rnd.Uint32()&0xfffffc00)
			}
			c.hot = append(c.hot, 0, 0xfffffc00)
			for i := 1; i <= ops; i++ {
				c.step()
				if i%(ops/10) == 0 {
					c.check()
				}
			}
			c.check()
			t.Logf("%d adds, %d deletes, %d absent deletes, %d ErrNoSpace, %d rules left",
				c.adds, c.dels, c.misses, c.noSpc, c.o.Len())
			if tc.name != "roomy" && c.noSpc == 0 {
				t.Errorf("no ErrNoSpace seen")
			}
			// Delete everything one by one: the table must end empty.
			for _, r := range c.o.Rules() {
				if err := c.l.Delete(r.IP, r.Depth); err != nil {
					t.Fatal(err)
				}
				c.o.Delete(r.IP, r.Depth)
			}
			c.check()
			for i := uint32(0); i < Tbl24Entries; i++ {
				if e := c.l.Tbl24Entry(i); e != 0 {
					t.Fatalf("tbl24[%#x] = %v after deleting every rule", i, e)
				}
			}
			if inf := c.l.Info(); inf.Tbl8Free != tc.groups {
				t.Fatalf("after deleting every rule: %+v", inf)
			}
			// And DeleteAll after refilling.
			for range 2000 {
				c.step()
			}
			c.l.DeleteAll()
			c.o = lpmtest.NewOracle()
			c.check()
			for i := uint32(0); i < Tbl24Entries; i++ {
				if e := c.l.Tbl24Entry(i); e != 0 {
					t.Fatalf("tbl24[%#x] = %v after DeleteAll", i, e)
				}
			}
		})
	}
}
