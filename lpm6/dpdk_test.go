package lpm6

import (
	"errors"
	"fmt"
	"testing"
)

// The cases of DPDK 22.11's app/test/test_lpm6.c, as scripts of steps.

type step struct {
	kind  string // add, del, hit, miss, all (DeleteAll)
	ip    string
	depth uint8
	nh    uint32
	err   error
}

func add(ip string, d uint8, nh uint32) step { return step{kind: "add", ip: ip, depth: d, nh: nh} }
func addErr(ip string, d uint8, err error) step {
	return step{kind: "add", ip: ip, depth: d, nh: 100, err: err}
}
func del(ip string, d uint8) step               { return step{kind: "del", ip: ip, depth: d} }
func delErr(ip string, d uint8, err error) step { return step{kind: "del", ip: ip, depth: d, err: err} }
func hit(ip string, nh uint32) step             { return step{kind: "hit", ip: ip, nh: nh} }
func miss(ip string) step                       { return step{kind: "miss", ip: ip} }
func delAll() step                              { return step{kind: "all"} }
func steps(parts ...[]step) (out []step) {
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func runSteps(t *testing.T, l *LPM, ss []step) {
	t.Helper()
	for i, s := range ss {
		var ip [AddrSize]byte
		if s.ip != "" {
			ip = addr(s.ip)
		}
		switch s.kind {
		case "add":
			if err := l.Add(ip, s.depth, s.nh); !errors.Is(err, s.err) {
				t.Fatalf("step %d: Add(%s/%d, %d) = %v, want %v", i, s.ip, s.depth, s.nh, err, s.err)
			}
		case "del":
			if err := l.Delete(ip, s.depth); !errors.Is(err, s.err) {
				t.Fatalf("step %d: Delete(%s/%d) = %v, want %v", i, s.ip, s.depth, err, s.err)
			}
		case "hit":
			if nh, ok := l.Lookup(&ip); !ok || nh != s.nh {
				t.Fatalf("step %d: Lookup(%s) = %d, %v; want %d, true", i, s.ip, nh, ok, s.nh)
			}
		case "miss":
			if nh, ok := l.Lookup(&ip); ok {
				t.Fatalf("step %d: Lookup(%s) = %d, true; want a miss", i, s.ip, nh)
			}
		case "all":
			l.DeleteAll()
		default:
			t.Fatalf("step %d: unknown kind %q", i, s.kind)
		}
	}
}

func TestDPDKCreateInvalid(t *testing.T) { // test0
	ok := Config{MaxRules: 1000000, NumberTbl8s: 1 << 12}
	for _, c := range []struct {
		name   string
		socket int
		cfg    Config
	}{
		{"", -1, ok},
		{"test0", -1, Config{MaxRules: 0, NumberTbl8s: 1 << 12}},
		{"test0", -2, ok},
		{"test0", -1, Config{MaxRules: 1000000, NumberTbl8s: MaxTbl8s + 1}},
		{"test0_a_name_that_is_far_too_long_for_lpm6", -1, ok},
	} {
		if l, err := Create(c.name, c.socket, c.cfg); err == nil {
			l.Free()
			t.Errorf("Create(%q, %d, %+v) succeeded", c.name, c.socket, c.cfg)
		}
	}
}

func TestDPDKCreateSameName(t *testing.T) { // test1, test2, test3, test24
	cfg := Config{MaxRules: 256 * 32, NumberTbl8s: 1 << 12}
	l1, err := Create("LPM1", -1, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer l1.Free()
	l2, err := Create("LPM2", -1, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Free()
	if _, err := Create("LPM1", -1, cfg); !errors.Is(err, ErrExist) {
		t.Fatalf("second Create(LPM1) = %v, want ErrExist", err)
	}
	if f, err := FindExisting("LPM1"); err != nil || f != l1 {
		t.Fatalf("FindExisting(LPM1) = %p, %v; want %p", f, err, l1)
	}
	if _, err := FindExisting("lpm_find_non_existing"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("FindExisting of an unknown name = %v, want ErrNotFound", err)
	}
	for i := range 20 {
		cfg.MaxRules = 1000000 - uint32(i)
		l, err := Create("test2", -1, cfg)
		if err != nil {
			t.Fatal(err)
		}
		l.Free()
	}
	var nilLPM *LPM
	nilLPM.Free()
}

func TestDPDKInvalidArgs(t *testing.T) { // test4 to test8
	l := newTable(t, Config{MaxRules: 1000, NumberTbl8s: 256})
	var ip [AddrSize]byte
	for _, d := range []uint8{0, MaxDepth + 1} {
		if err := l.Add(ip, d, 100); !errors.Is(err, ErrInvalid) {
			t.Errorf("Add depth %d = %v, want ErrInvalid", d, err)
		}
		if err := l.Delete(ip, d); !errors.Is(err, ErrInvalid) {
			t.Errorf("Delete depth %d = %v, want ErrInvalid", d, err)
		}
	}
	if err := l.Add(ip, 16, MaxNextHop+1); !errors.Is(err, ErrInvalid) {
		t.Errorf("Add with a 22-bit next hop = %v, want ErrInvalid", err)
	}
	if err := l.DeleteBulk(make([][AddrSize]byte, 2), make([]uint8, 1)); !errors.Is(err, ErrInvalid) {
		t.Errorf("DeleteBulk with short depths = %v, want ErrInvalid", err)
	}
}

func TestDPDKAllDepthsTbl24(t *testing.T) { // test9
	l := newTable(t, Config{MaxRules: 1000000, NumberTbl8s: 1 << 12})
	var ip [AddrSize]byte
	if err := l.Add(ip, 16, 100); err != nil {
		t.Fatal(err)
	}
	for i := range 255 {
		ip[2] = byte(i)
		if nh, ok := l.Lookup(&ip); !ok || nh != 100 {
			t.Fatalf("Lookup(%x) = %d, %v", ip, nh, ok)
		}
	}
	if err := l.Delete(ip, 16); err != nil {
		t.Fatal(err)
	}
	for i := range 255 {
		ip[2] = byte(i)
		if _, ok := l.Lookup(&ip); ok {
			t.Fatalf("Lookup(%x) hit after delete", ip)
		}
	}
}

func TestDPDKScripts(t *testing.T) {
	var maxRules []step // test10
	for d := uint8(1); d < 128; d++ {
		maxRules = append(maxRules, add("::", d, 100))
	}
	var test17 []step
	for d := uint8(1); d <= 16; d++ {
		test17 = append(test17, add("8000::", d, uint32(d)), miss("7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), hit("8000::", uint32(d)))
	}
	for d := uint8(16); d >= 1; d-- {
		test17 = append(test17, del("8000::", d))
		if d != 1 {
			test17 = append(test17, hit("8000::", uint32(d-1)))
		} else {
			test17 = append(test17, miss("8000::"))
		}
		test17 = append(test17, miss("7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))
	}
	var tbl8Exhaust []step // test14
	for i := range 256 {
		tbl8Exhaust = append(tbl8Exhaust, add(fmt.Sprintf("%x::", i<<8), 25, 100))
	}
	var extendContract []step // test23
	for range 30 {
		extendContract = append(extendContract, add("8000::", 128, 100), hit("8000::", 100), del("8000::", 128), miss("8000::"))
	}

	cases := []struct {
		name  string
		cfg   Config
		steps []step
	}{
		{"test10 max rules", Config{MaxRules: 127, NumberTbl8s: 1 << 12}, steps(maxRules, []step{
			addErr("::", 128, ErrNoSpace), del("::", 127), add("::", 128, 100),
		})},
		{"test11 tbl8s run out mid-rule", Config{MaxRules: 1000000, NumberTbl8s: 16}, []step{
			add("::", 128, 100),
			add("100::", 25, 100), del("100::", 25),
			add("100::", 33, 100), del("100::", 33),
			add("100::", 41, 100), del("100::", 41),
			addErr("100::", 49, ErrNoSpace),
			add("100::", 41, 100),
		}},
		{"test12 tbl8s run out extending", Config{MaxRules: 1000000, NumberTbl8s: 16}, []step{
			add("::", 128, 100), add("100::", 41, 100), addErr("100::", 49, ErrNoSpace),
		}},
		{"test13 two rules", Config{MaxRules: 2, NumberTbl8s: 1 << 12}, []step{
			add("::", 1, 100), add("::", 2, 100), addErr("::", 3, ErrNoSpace),
			del("::", 2), add("::", 3, 100),
		}},
		{"test14 tbl8 exhaustion", Config{MaxRules: 1000000, NumberTbl8s: 256}, steps(tbl8Exhaust, []step{
			addErr("ff01::", 25, ErrNoSpace), del("ff00::", 25), add("ff01::", 25, 100),
		})},
		{"test15 depth 24", Config{MaxRules: 1000000, NumberTbl8s: 1 << 12}, []step{
			add("::", 24, 100), hit("::", 100), del("::", 24), miss("::"),
		}},
		{"test16 depth 128", Config{MaxRules: 1000000, NumberTbl8s: 1 << 12}, []step{
			add("c0c:100::", 128, 100), hit("c0c:100::", 100), del("c0c:100::", 128), miss("c0c:100::"),
		}},
		{"test17 depths 1 to 16", Config{MaxRules: 1000000, NumberTbl8s: 1 << 12}, test17},
		{"test18 tbl24 and tbl8 hits", Config{MaxRules: 1000000, NumberTbl8s: 1 << 12}, []step{
			add("8000::", 24, 100), hit("8000::", 100), del("8000::", 24), miss("8000::"), delAll(),
			add("8000::", 23, 100), hit("8000::", 100), add("8000::", 24, 101), hit("8000::", 101),
			del("8000::", 24), del("8000::", 23), miss("8000::"), delAll(),
			add("8000::", 32, 100), hit("8000::", 100), add("8000:5::", 32, 101), hit("8000:5::", 101),
			hit("8000::", 100), del("8000::", 32), miss("8000::"), delAll(),
			add("8000::", 25, 101), hit("8000::", 101), add("8000:5::", 32, 102), hit("8000:5::", 102),
			del("8000:5::", 32), hit("8000:5::", 101), del("8000::", 25), miss("8000::"),
		}},
		{"test19 cover, extend, update", Config{MaxRules: 1000000, NumberTbl8s: 1 << 12}, []step{
			add("8000::", 16, 100), hit("8000::", 100), del("8000::", 16), miss("8000::"), delAll(),
			add("8000::", 25, 100), hit("8000::", 100), del("8000::", 25), delAll(),
			add("8000::", 24, 100), add("8000:a::", 32, 101), hit("8000:a::", 101), hit("8000::", 100),
			del("8000::", 24), miss("8000::"), del("8000:a::", 32), miss("8000:a::"), delAll(),
			add("8000::", 24, 100), hit("8000::", 100), add("8000::", 24, 101), hit("8000::", 101),
			del("8000::", 24), miss("8000::"), delAll(),
			add("8000::", 32, 100), hit("8000::", 100), add("8000::", 32, 101), hit("8000::", 101),
			del("8000::", 32), miss("8000::"), delAll(),
			delErr("8000::", 24, ErrNotFound), miss("8000::"), delAll(),
			delErr("8000::", 32, ErrNotFound), miss("8000::"),
		}},
		{"test20 more and less specific", Config{MaxRules: 1000000, NumberTbl8s: 1 << 12}, []step{
			add("8000::", 24, 100), add("8000::a", 128, 101), hit("8000::a", 101), hit("8000::", 100),
			del("8000::", 24), miss("8000::"), del("8000::a", 128), miss("8000::a"),
		}},
		{"test23 extend and contract", Config{MaxRules: 1000000, NumberTbl8s: 1 << 12}, extendContract},
		{"test26 tbl8 not overwritten", Config{MaxRules: 1000000, NumberTbl8s: 1 << 12}, []step{
			add("a0a:a02::", 32, 100), hit("a0a:a02::", 100),
			add("a0a:a00::", 24, 105), hit("a0a:a00::", 105),
			add("a0a:1402::", 25, 111), hit("a0a:1402::", 111),
			hit("a0a:a02::", 100), hit("a0a:a00::", 105),
		}},
		{"test28 21-bit next hop", Config{MaxRules: 1000000, NumberTbl8s: 1 << 12}, []step{
			add("::", 16, 0x1FFFFF), hit("::", 0x1FFFFF), del("::", 16),
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			runSteps(t, newTable(t, c.cfg), c.steps)
		})
	}
}

func TestDPDKBulk(t *testing.T) { // test21, test22
	l := newTable(t, Config{MaxRules: 1000000, NumberTbl8s: 1 << 12})
	ips := [][AddrSize]byte{addr("8000:0:1::"), addr("8000:0:2::"), addr("8000:0:3::"), addr("8000:0:4::"), addr("8000:0:5::")}
	depths := []uint8{48, 48, 48, 48, 48}
	for i, ip := range ips {
		if err := l.Add(ip, 48, 101+uint32(i)); err != nil {
			t.Fatal(err)
		}
	}
	nhs := make([]int32, 5)
	check := func(want ...int32) {
		t.Helper()
		l.LookupBulk(ips, nhs)
		for i := range want {
			if nhs[i] != want[i] {
				t.Fatalf("LookupBulk = %v, want %v", nhs, want)
			}
		}
	}
	check(101, 102, 103, 104, 105)
	if err := l.DeleteBulk(ips[0:2], depths[:2]); err != nil {
		t.Fatal(err)
	}
	check(-1, -1, 103, 104, 105)
	if err := l.DeleteBulk(ips[2:3], depths[:1]); err != nil {
		t.Fatal(err)
	}
	check(-1, -1, -1, 104, 105)
	// Two, one not in the table.
	if err := l.DeleteBulk([][AddrSize]byte{ips[3], addr("8000:0:6::")}, depths[:2]); err != nil {
		t.Fatal(err)
	}
	check(-1, -1, -1, -1, 105)
	if err := l.DeleteBulk(ips[4:], depths[:1]); err != nil {
		t.Fatal(err)
	}
	check(-1, -1, -1, -1, -1)
}

func TestDPDKGeneratedIPs(t *testing.T) { // test25
	routes := loadRoutes(t)
	l := newTable(t, Config{MaxRules: 1000000, NumberTbl8s: 1 << 16})
	o := oracle{}
	for _, rt := range routes {
		if err := l.Add(rt.ip, rt.depth, rt.nextHop); err != nil {
			t.Fatal(err)
		}
		o[ruleKey{rt.ip, rt.depth}] = rt.nextHop
	}
	// large_ips_table: 100 addresses per route, built as DPDK's
	// generate_large_ips_table does, each expected to hit.
	var rnd uint64
	n := 100
	if testing.Short() || raceEnabled {
		n = 10
	}
	rs := o.snapshot()
	for _, rt := range routes {
		for range n {
			var ip [AddrSize]byte
			for j := range ip {
				rnd = (rnd*0x5deece66d + 0xb) & (1<<48 - 1)
				ip[j] = byte(rnd >> 17)
			}
			ip = dpdkMaskPrefix(ip, rt.ip, rt.depth)
			want, wantOK := bruteLookup(rs, ip)
			nh, ok := l.Lookup(&ip)
			if !ok || !wantOK || nh != want {
				t.Fatalf("Lookup(%x) = %d, %v; want %d, %v", ip, nh, ok, want, wantOK)
			}
		}
	}
}

// dpdkMaskPrefix is test_lpm6_data.h's mask_ip6_prefix, with its uint8
// depth that wraps: after a partial byte the rest of the route's address
// is copied too.
func dpdkMaskPrefix(out, in [AddrSize]byte, depth uint8) [AddrSize]byte {
	for k := range out {
		switch {
		case depth >= 8:
			out[k] = in[k]
		case depth > 0:
			m := byte(0xff << (8 - depth))
			out[k] = in[k]&m | out[k]&^m
		default:
			return out
		}
		depth -= 8
	}
	return out
}

func TestDPDKExpansion(t *testing.T) { // test27
	l := newTable(t, Config{MaxRules: 1000000, NumberTbl8s: 1 << 12})
	ip := [AddrSize]byte{128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 0, 0}
	if err := l.Add(ip, 128, 128); err != nil {
		t.Fatal(err)
	}
	if err := l.Add(ip, 112, 112); err != nil {
		t.Fatal(err)
	}
	for i := range 256 {
		for j := range 256 {
			ip[14], ip[15] = byte(i), byte(j)
			want := uint32(112)
			if i == 0 && j == 0 {
				want = 128
			}
			if nh, ok := l.Lookup(&ip); !ok || nh != want {
				t.Fatalf("Lookup(%x) = %d, %v; want %d", ip, nh, ok, want)
			}
		}
	}
}
