package lpm6

import (
	"math/rand/v2"
	"testing"

	"dpk/internal/route6test"
)

// checkAgainst compares Lookup and LookupBulk with the brute-force oracle
// on addresses inside every rule and on random ones, and returns how many
// addresses it checked.
func checkAgainst(t *testing.T, l *LPM, o oracle, r *rand.Rand, perRule, random int) int {
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
	bulk := make([]int32, len(ips))
	l.LookupBulk(ips, bulk)
	for i, ip := range ips {
		wantNH, wantOK := bruteLookup(rs, ip)
		nh, ok := l.Lookup(&ip)
		if ok != wantOK || (ok && nh != wantNH) {
			t.Fatalf("Lookup(%x) = %d, %v; oracle says %d, %v", ip, nh, ok, wantNH, wantOK)
		}
		wantBulk := int32(-1)
		if wantOK {
			wantBulk = int32(wantNH)
		}
		if bulk[i] != wantBulk {
			t.Fatalf("LookupBulk[%d] (%x) = %d, oracle says %d", i, ip, bulk[i], wantBulk)
		}
	}
	return len(ips)
}

// checkRules compares IsRulePresent with the oracle's rules.
func checkRules(t *testing.T, l *LPM, o oracle) {
	t.Helper()
	if l.Rules() != len(o) {
		t.Fatalf("table has %d rules, oracle %d", l.Rules(), len(o))
	}
	for k, want := range o {
		nh, ok := l.IsRulePresent(k.ip, k.depth)
		if !ok || nh != want {
			t.Fatalf("IsRulePresent(%x/%d) = %d, %v; want %d, true", k.ip, k.depth, nh, ok, want)
		}
	}
}

// TestOracleRouteFile loads DPDK's 1000-route table, checks lookups
// against the brute-force oracle, then churns: deletes and re-adds rules
// (some with new next hops, some new random prefixes) and checks again
// after each step. At the end the table must use as many tbl8 groups as
// one built afresh from the surviving rules, and none once every rule is
// deleted.
func TestOracleRouteFile(t *testing.T) {
	routes := loadRoutes(t)
	r := rand.New(rand.NewPCG(1, 2))
	perRule, random, rounds := 3, 3000, 12
	if testing.Short() || raceEnabled {
		perRule, random, rounds = 1, 500, 4
	}
	l := newTable(t, Config{MaxRules: 4096, NumberTbl8s: 1 << 16})
	o := oracle{}
	for _, rt := range routes {
		if err := l.Add(rt.ip, rt.depth, rt.nextHop); err != nil {
			t.Fatalf("Add(%x/%d): %v", rt.ip, rt.depth, err)
		}
		o[ruleKey{route6test.MaskAddr(rt.ip, rt.depth), rt.depth}] = rt.nextHop
	}
	checkRules(t, l, o)
	checked := checkAgainst(t, l, o, r, perRule, random)

	for round := range rounds {
		// Delete about a tenth of the rules.
		var dels []ruleKey
		for k := range o {
			if r.IntN(10) == 0 {
				dels = append(dels, k)
			}
		}
		for _, k := range dels {
			if err := l.Delete(k.ip, k.depth); err != nil {
				t.Fatalf("round %d: Delete(%x/%d): %v", round, k.ip, k.depth, err)
			}
			delete(o, k)
		}
		checkRules(t, l, o)
		checked += checkAgainst(t, l, o, r, perRule, random/4)

		// Put half of them back with new next hops, change the next hop
		// of some present rules, and add new prefixes: inside existing
		// ones (to stack depths) and random ones.
		for i, k := range dels {
			if i%2 == 0 {
				nh := r.Uint32N(MaxNextHop + 1)
				if err := l.Add(k.ip, k.depth, nh); err != nil {
					t.Fatalf("round %d: re-Add: %v", round, err)
				}
				o[k] = nh
			}
		}
		rs := o.snapshot()
		for range 60 {
			base := rs[r.IntN(len(rs))]
			var ip [AddrSize]byte
			var d uint8
			switch r.IntN(3) {
			case 0: // the same prefix, a new next hop
				ip, d = base.ip, uint8(base.depth)
			case 1: // a longer prefix inside a rule
				d = uint8(base.depth + 1 + r.IntN(MaxDepth-base.depth+1))
				if d > MaxDepth {
					d = MaxDepth
				}
				ip = route6test.Inside(r, base.ip, uint8(base.depth))
			default: // anywhere
				d = uint8(1 + r.IntN(MaxDepth))
				ip = route6test.Inside(r, [AddrSize]byte{}, 0)
			}
			nh := r.Uint32N(MaxNextHop + 1)
			if err := l.Add(ip, d, nh); err != nil {
				t.Fatalf("round %d: Add(%x/%d): %v", round, ip, d, err)
			}
			o[ruleKey{route6test.MaskAddr(ip, d), d}] = nh
		}
		checkRules(t, l, o)
		checked += checkAgainst(t, l, o, r, perRule, random/4)
	}

	// The groups in use depend on the rules only, not on their history.
	fresh := newTable(t, Config{MaxRules: 4096, NumberTbl8s: 1 << 16})
	for k, nh := range o {
		if err := fresh.Add(k.ip, k.depth, nh); err != nil {
			t.Fatal(err)
		}
	}
	if l.Tbl8sInUse() != fresh.Tbl8sInUse() {
		t.Errorf("after churn %d tbl8 groups in use, a fresh table of the same rules uses %d", l.Tbl8sInUse(), fresh.Tbl8sInUse())
	}
	checked += checkAgainst(t, fresh, o, r, perRule, random/4)

	// Delete everything in random order, checking as the table empties.
	keys := make([]ruleKey, 0, len(o))
	for k := range o {
		keys = append(keys, k)
	}
	r.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	for i, k := range keys {
		if err := l.Delete(k.ip, k.depth); err != nil {
			t.Fatalf("Delete(%x/%d): %v", k.ip, k.depth, err)
		}
		delete(o, k)
		if i%(len(keys)/4) == 0 {
			checked += checkAgainst(t, l, o, r, 1, random/8)
		}
	}
	if l.Tbl8sInUse() != 0 || l.Rules() != 0 {
		t.Errorf("empty table keeps %d tbl8 groups, %d rules", l.Tbl8sInUse(), l.Rules())
	}
	for i, e := range l.tbl24 {
		if e != 0 {
			t.Fatalf("empty table: tbl24[%#x] = %#x", i, e)
		}
	}
	t.Logf("%d routes, %d rounds of churn, %d addresses checked against the brute-force oracle", len(routes), rounds, checked)
}

// TestOracleDeleteBulk checks DeleteBulk's rebuild against the oracle.
func TestOracleDeleteBulk(t *testing.T) {
	routes := loadRoutes(t)
	r := rand.New(rand.NewPCG(3, 4))
	l := newTable(t, Config{MaxRules: 2000, NumberTbl8s: 1 << 16})
	o := oracle{}
	for _, rt := range routes {
		if err := l.Add(rt.ip, rt.depth, rt.nextHop); err != nil {
			t.Fatal(err)
		}
		o[ruleKey{route6test.MaskAddr(rt.ip, rt.depth), rt.depth}] = rt.nextHop
	}
	var ips [][AddrSize]byte
	var depths []uint8
	for _, rt := range routes[:300] {
		ips = append(ips, rt.ip)
		depths = append(depths, rt.depth)
		delete(o, ruleKey{route6test.MaskAddr(rt.ip, rt.depth), rt.depth})
	}
	if err := l.DeleteBulk(ips, depths); err != nil {
		t.Fatal(err)
	}
	checkRules(t, l, o)
	checkAgainst(t, l, o, r, 1, 1000)
}
