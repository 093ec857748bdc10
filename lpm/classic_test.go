package lpm

// Cases ported from DPDK 22.11's app/test/test_lpm.c (test0 to test21),
// as scripts of steps run against a fresh table.

import (
	"errors"
	"fmt"
	"testing"

	"dpk/eal"
	"dpk/rcu"
)

const (
	classicRules = 256 // MAX_RULES
	classicTbl8s = 256 // NUMBER_TBL8S
	noHop        = ^uint32(0)
)

// step is one operation of a script and what it must give.
type step struct {
	op    byte // 'a' add, 'd' delete, 'l' lookup, 'x' LookupX4, 'D' DeleteAll
	ip    uint32
	depth uint8
	hop   uint32 // add: next hop; lookup: wanted hop, or noHop for a miss
	err   error  // add, delete: wanted error
	x4    [4]uint32
	want4 [4]uint32 // LookupX4 with noHop as default
}

func add(ip uint32, depth uint8, hop uint32) step {
	return step{op: 'a', ip: ip, depth: depth, hop: hop}
}
func addErr(ip uint32, depth uint8, hop uint32, err error) step {
	return step{op: 'a', ip: ip, depth: depth, hop: hop, err: err}
}
func del(ip uint32, depth uint8) step { return step{op: 'd', ip: ip, depth: depth} }
func delErr(ip uint32, depth uint8, err error) step {
	return step{op: 'd', ip: ip, depth: depth, err: err}
}
func hit(ip, hop uint32) step { return step{op: 'l', ip: ip, hop: hop} }
func miss(ip uint32) step     { return step{op: 'l', ip: ip, hop: noHop} }
func x4(ips, want [4]uint32) step {
	return step{op: 'x', x4: ips, want4: want}
}
func deleteAll() step { return step{op: 'D'} }

func runSteps(t *testing.T, l *LPM, steps []step) {
	t.Helper()
	for i, s := range steps {
		switch s.op {
		case 'a':
			err := l.Add(s.ip, s.depth, s.hop)
			if !errors.Is(err, s.err) || (err != nil) != (s.err != nil) {
				t.Fatalf("step %d: Add(%s/%d, %d) = %v, want %v", i, ipString(s.ip), s.depth, s.hop, err, s.err)
			}
		case 'd':
			err := l.Delete(s.ip, s.depth)
			if !errors.Is(err, s.err) || (err != nil) != (s.err != nil) {
				t.Fatalf("step %d: Delete(%s/%d) = %v, want %v", i, ipString(s.ip), s.depth, err, s.err)
			}
		case 'l':
			hop, ok := l.Lookup(s.ip)
			if s.hop == noHop {
				if ok {
					t.Fatalf("step %d: Lookup(%s) = %d, want a miss", i, ipString(s.ip), hop)
				}
			} else if !ok || hop != s.hop {
				t.Fatalf("step %d: Lookup(%s) = %d, %v, want %d", i, ipString(s.ip), hop, ok, s.hop)
			}
			// LookupBulk must agree.
			var hops [1]uint32
			l.LookupBulk([]uint32{s.ip}, hops[:])
			want := uint32(0)
			if s.hop != noHop {
				want = s.hop | LookupSuccess
			}
			if got := hops[0] & (LookupSuccess | MaxNextHop); got != want || (s.hop == noHop && Hits(hops[:]) != 0) {
				t.Fatalf("step %d: LookupBulk(%s) = %#x, want %#x (next hop and LookupSuccess)", i, ipString(s.ip), hops[0], want)
			}
		case 'x':
			var hops [4]uint32
			l.LookupX4(s.x4, &hops, noHop)
			if hops != s.want4 {
				t.Fatalf("step %d: LookupX4(%v) = %v, want %v", i, s.x4, hops, s.want4)
			}
		case 'D':
			l.DeleteAll()
		}
	}
}

// TestCreateInvalid is test0 and more: bad names, sockets, configurations.
func TestCreateInvalid(t *testing.T) {
	good := Config{MaxRules: classicRules, NumberTbl8s: classicTbl8s}
	for _, c := range []struct {
		name   string
		socket int
		cfg    Config
	}{
		{"", eal.SocketIDAny, good},
		{"a_name_that_is_far_too_long_x", eal.SocketIDAny, good},
		{"test0", eal.SocketIDAny, Config{MaxRules: 0, NumberTbl8s: classicTbl8s}},
		{"test0", -2, good},
		{"test0", eal.SocketIDAny, Config{MaxRules: MaxRules + 1, NumberTbl8s: 1}},
		{"test0", eal.SocketIDAny, Config{MaxRules: 1, NumberTbl8s: MaxTbl8Groups + 1}},
		{"test0", eal.SocketIDAny, Config{MaxRules: 1, NumberTbl8s: 1, Flags: 1}},
	} {
		if l, err := Create(c.name, c.socket, c.cfg); !errors.Is(err, ErrInvalid) {
			t.Errorf("Create(%q, %d, %+v) = %v, want ErrInvalid", c.name, c.socket, c.cfg, err)
			l.Free()
		}
	}
}

// TestCreateFree is test1 and test2: create and free tables of various
// sizes; freeing nil is harmless, freeing twice is an error.
func TestCreateFree(t *testing.T) {
	for i := uint32(0); i < 10; i++ {
		l, err := Create("test1", eal.SocketIDAny, Config{MaxRules: classicRules - i, NumberTbl8s: classicTbl8s})
		if err != nil {
			t.Fatalf("create %d: %v", i, err)
		}
		if c := l.Config(); c.MaxRules != classicRules-i || c.NumberTbl8s != classicTbl8s {
			t.Fatalf("Config() = %+v", c)
		}
		if err := l.Free(); err != nil {
			t.Fatal(err)
		}
		if err := l.Free(); !errors.Is(err, ErrInvalid) {
			t.Fatalf("second Free: %v", err)
		}
	}
	var l *LPM
	if err := l.Free(); err != nil {
		t.Fatalf("Free(nil) = %v", err)
	}
	// A table of no tbl8 groups holds only short prefixes.
	l0 := newTable(t, 8, 0)
	runSteps(t, l0, []step{add(ip4(10, 0, 0, 0), 8, 1), addErr(ip4(10, 0, 0, 1), 32, 2, ErrNoSpace), hit(ip4(10, 0, 0, 1), 1)})
}

// TestFind is test15: Find returns Create's handle; a missing name fails;
// a duplicate name cannot be created.
func TestFind(t *testing.T) {
	l, err := Create("lpm_find_existing", eal.SocketIDAny, Config{MaxRules: 256 * 32, NumberTbl8s: classicTbl8s})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Free()
	if got, err := Find("lpm_find_existing"); err != nil || got != l {
		t.Fatalf("Find = %p, %v, want %p", got, err, l)
	}
	if _, err := Find("lpm_find_non_existing"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Find(missing) = %v, want ErrNotFound", err)
	}
	if _, err := Create("lpm_find_existing", eal.SocketIDAny, Config{MaxRules: 1}); !errors.Is(err, ErrExist) {
		t.Fatalf("Create(duplicate) = %v, want ErrExist", err)
	}
	// Another process would attach to the memzone: do that by hand.
	l.Add(ip4(1, 2, 3, 0), 24, 7)
	l.Add(ip4(1, 2, 3, 4), 30, 8)
	mz, err := eal.MemzoneLookup(MemzonePrefix + "lpm_find_existing")
	if err != nil {
		t.Fatal(err)
	}
	other, err := attach(mz)
	if err != nil {
		t.Fatal(err)
	}
	if other.Name() != "lpm_find_existing" || other.Config() != l.Config() {
		t.Fatalf("attached %q %+v", other.Name(), other.Config())
	}
	if h, ok := other.Lookup(ip4(1, 2, 3, 5)); !ok || h != 8 {
		t.Fatalf("attached lookup = %d, %v", h, ok)
	}
	if h, ok := other.IsRulePresent(ip4(1, 2, 3, 0), 24); !ok || h != 7 {
		t.Fatalf("attached IsRulePresent = %d, %v", h, ok)
	}
}

// TestBadArgs is test3 and test4, plus next hops too large.
func TestBadArgs(t *testing.T) {
	l := newTable(t, classicRules, classicTbl8s)
	runSteps(t, l, []step{
		addErr(0, 0, 100, ErrInvalid),
		addErr(0, 33, 100, ErrInvalid),
		addErr(0, 24, MaxNextHop+1, ErrInvalid),
		addErr(0, 32, 1<<31, ErrInvalid),
		add(0, 24, MaxNextHop),
		hit(0, MaxNextHop),
		delErr(0, 0, ErrInvalid),
		delErr(0, 33, ErrInvalid),
	})
	if _, ok := l.IsRulePresent(0, 0); ok {
		t.Fatal("IsRulePresent depth 0")
	}
	if _, ok := l.IsRulePresent(0, 33); ok {
		t.Fatal("IsRulePresent depth 33")
	}
}

func TestClassic(t *testing.T) {
	const nh = 100
	test8 := func() []step {
		ip1, ip2 := ip4(127, 255, 255, 255), ip4(128, 0, 0, 0)
		var s []step
		for d := uint8(1); d <= 32; d++ {
			s = append(s, add(ip2, d, uint32(d)), miss(ip1), hit(ip2, uint32(d)),
				x4([4]uint32{ip1, ip2, ip1, ip2}, [4]uint32{noHop, uint32(d), noHop, uint32(d)}))
		}
		for d := uint8(32); d >= 1; d-- {
			s = append(s, del(ip2, d), miss(ip1))
			if d != 1 {
				s = append(s, hit(ip2, uint32(d-1)),
					x4([4]uint32{ip2, ip2, ip1, ip1}, [4]uint32{uint32(d - 1), uint32(d - 1), noHop, noHop}))
			} else {
				s = append(s, miss(ip2), x4([4]uint32{ip2, ip2, ip1, ip1}, [4]uint32{noHop, noHop, noHop, noHop}))
			}
		}
		return s
	}
	test12 := func() []step {
		ip := ip4(128, 0, 0, 0)
		var s []step
		for i := 0; i < 1000; i++ {
			s = append(s, add(ip, 32, nh), hit(ip, nh),
				x4([4]uint32{ip - 1, ip, ip + 1, ip}, [4]uint32{noHop, nh, noHop, nh}),
				del(ip, 32), miss(ip))
		}
		return s
	}
	test13 := func() []step {
		ip := ip4(128, 0, 0, 0)
		s := []step{add(ip, 24, 100), hit(ip, 100)}
		for i := 0; i < 1000; i++ {
			s = append(s, add(ip, 32, 101), hit(ip, 101), del(ip, 32), hit(ip, 100))
		}
		return append(s, del(ip, 24), miss(ip))
	}
	ip := ip4(128, 0, 0, 0)
	cases := []struct {
		name  string
		steps []step
	}{
		{"test6 depth 24", []step{add(0, 24, nh), hit(0, nh), del(0, 24), miss(0)}},
		{"test7 depth 32", []step{add(0, 32, nh), hit(0, nh),
			x4([4]uint32{0, 0xffffff00, 0x100, 0}, [4]uint32{nh, noHop, noHop, nh}),
			del(0, 32), miss(0)}},
		{"test8 all depths", test8()},
		{"test9 invalid tbl24", []step{add(ip, 24, 100), hit(ip, 100), del(ip, 24), miss(ip)}},
		{"test9 valid tbl24", []step{add(ip, 23, 100), hit(ip, 100), add(ip, 24, 101), hit(ip, 101),
			del(ip, 24), del(ip, 23), miss(ip)}},
		{"test9 extended, invalid tbl8", []step{add(ip, 32, 100), hit(ip, 100), add(ip+5, 32, 101), hit(ip+5, 101),
			del(ip+5, 32), miss(ip + 5), hit(ip, 100), del(ip, 32), miss(ip)}},
		{"test9 extended, valid tbl8", []step{add(ip, 25, 101), hit(ip, 101), add(ip+5, 32, 102), hit(ip+5, 102),
			del(ip+5, 32), hit(ip+5, 101), del(ip, 25), miss(ip)}},
		{"test10 cover invalid range", []step{add(ip, 16, 100), hit(ip, 100), del(ip, 16), miss(ip),
			deleteAll(), add(ip, 25, 100), hit(ip, 100), del(ip, 25), miss(ip)}},
		{"test10 extend valid entry", []step{add(ip, 24, 100), add(ip+10, 32, 101), hit(ip+10, 101), hit(ip, 100),
			del(ip, 24), miss(ip), del(ip+10, 32), miss(ip + 10)}},
		{"test10 update tbl24 hop", []step{add(ip, 24, 100), hit(ip, 100), add(ip, 24, 101), hit(ip, 101),
			del(ip, 24), miss(ip)}},
		{"test10 update tbl8 hop", []step{add(ip, 32, 100), hit(ip, 100), add(ip, 32, 101), hit(ip, 101),
			del(ip, 32), miss(ip)}},
		{"test10 delete missing", []step{delErr(ip, 24, ErrNotFound), miss(ip), delErr(ip, 32, ErrNotFound), miss(ip)}},
		{"test11 less specific deleted first", []step{add(ip, 24, 100), add(ip+10, 32, 101), hit(ip+10, 101),
			hit(ip, 100), del(ip, 24), miss(ip), hit(ip+10, 101), del(ip+10, 32), miss(ip + 10)}},
		{"test12 tbl8 extension and contraction", test12()},
		{"test13 tbl24 extension and contraction", test13()},
		{"test17 no tbl8 overwrite", []step{
			add(ip4(10, 10, 10, 2), 32, 100), hit(ip4(10, 10, 10, 2), 100),
			add(ip4(10, 10, 10, 0), 24, 105), hit(ip4(10, 10, 10, 0), 105),
			add(ip4(10, 10, 20, 2), 25, 111), hit(ip4(10, 10, 20, 2), 111),
			hit(ip4(10, 10, 10, 2), 100), hit(ip4(10, 10, 10, 0), 105)}},
		{"deleted /25 restores covering /24", []step{add(ip, 24, 1), add(ip, 25, 2), hit(ip+1, 2), hit(ip+200, 1),
			del(ip, 25), hit(ip+1, 1), hit(ip+200, 1)}},
		{"deleting covering /24 leaves /25", []step{add(ip, 24, 1), add(ip+128, 25, 2), del(ip, 24),
			miss(ip + 1), hit(ip+200, 2), del(ip+128, 25), miss(ip + 200)}},
		{"covering /16 under a /24 and a /30", []step{add(ip, 16, 1), add(ip+0x100, 24, 2), add(ip+0x104, 30, 3),
			hit(ip+0x104, 3), hit(ip+0x108, 2), hit(ip+0x208, 1),
			del(ip+0x100, 24), hit(ip+0x104, 3), hit(ip+0x108, 1),
			add(ip, 16, 4), hit(ip+0x108, 4), hit(ip+0x104, 3),
			del(ip, 16), miss(ip + 0x108), hit(ip+0x104, 3)}},
		{"host routes at both ends", []step{add(0, 32, 1), add(0xffffffff, 32, 2), add(0, 1, 3), add(0x80000000, 1, 4),
			hit(0, 1), hit(1, 3), hit(0xffffffff, 2), hit(0xfffffffe, 4), hit(0x7fffffff, 3),
			del(0, 1), miss(1), hit(0, 1), del(0x80000000, 1), miss(0xfffffffe), hit(0xffffffff, 2)}},
		{"unmasked prefix", []step{add(ip4(10, 1, 2, 3), 8, 9), hit(ip4(10, 200, 0, 0), 9), del(ip4(10, 9, 9, 9), 8), miss(ip4(10, 1, 2, 3))}},
		{"same rule twice", []step{add(ip, 28, 5), add(ip, 28, 5), hit(ip, 5), del(ip, 28), delErr(ip, 28, ErrNotFound), miss(ip)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := newTable(t, classicRules, classicTbl8s)
			runSteps(t, l, c.steps)
			if inf := l.Info(); inf.Rules == 0 && inf.Tbl8InUse != 0 {
				t.Fatalf("no rules but %d tbl8 groups in use", inf.Tbl8InUse)
			}
		})
	}
}

// TestTbl8Exhaustion is test14 and test16: once every tbl8 group is used,
// a rule that needs one more fails with ErrNoSpace and changes nothing.
func TestTbl8Exhaustion(t *testing.T) {
	l := newTable(t, 256*32, 512)
	for ip := uint32(0); ip <= ip4(0, 1, 255, 0); ip += 256 {
		runSteps(t, l, []step{add(ip, 32, 100+ip), hit(ip, 100+ip),
			x4([4]uint32{ip, ip + 1, ip + 2, ip + 3}, [4]uint32{100 + ip, noHop, noHop, noHop})})
	}
	err := l.Add(ip4(1, 0, 0, 0), 32, 7)
	if !errors.Is(err, ErrNoSpace) {
		t.Fatalf("add past the last group: %v, want ErrNoSpace", err)
	}
	if _, ok := l.IsRulePresent(ip4(1, 0, 0, 0), 32); ok {
		t.Fatal("failed rule left in the rule table")
	}
	if _, ok := l.Lookup(ip4(1, 0, 0, 0)); ok {
		t.Fatal("failed rule found")
	}
	// Short prefixes still go in; deleting one deep rule frees a group.
	runSteps(t, l, []step{add(ip4(1, 0, 0, 0), 24, 5), hit(ip4(1, 0, 0, 0), 5),
		del(0, 32), add(ip4(1, 0, 0, 0), 32, 7), hit(ip4(1, 0, 0, 0), 7), hit(ip4(1, 0, 0, 1), 5)})

	// test16: count the adds that fit.
	l2 := newTable(t, 256*32, classicTbl8s)
	n := uint32(0)
	for ; n < 0xffffff; n++ {
		if err := l2.Add(n<<8+0xf0, 30, 0); err != nil {
			if !errors.Is(err, ErrNoSpace) {
				t.Fatalf("add %d: %v", n, err)
			}
			break
		}
	}
	if n != classicTbl8s {
		t.Fatalf("filled %d groups, want %d", n, classicTbl8s)
	}
}

// TestRuleExhaustion: the rule table holds MaxRules rules; updating an
// existing rule still works when it is full.
func TestRuleExhaustion(t *testing.T) {
	l := newTable(t, 10, 4)
	for i := uint32(0); i < 10; i++ {
		if err := l.Add(i<<24, 8, i); err != nil {
			t.Fatal(err)
		}
	}
	runSteps(t, l, []step{
		addErr(ip4(11, 0, 0, 0), 8, 1, ErrNoSpace),
		addErr(ip4(1, 0, 0, 0), 16, 1, ErrNoSpace),
		add(ip4(1, 0, 0, 0), 8, 42), hit(ip4(1, 2, 3, 4), 42),
		del(ip4(1, 0, 0, 0), 8), add(ip4(11, 0, 0, 0), 8, 1), hit(ip4(11, 1, 1, 1), 1),
	})
	if inf := l.Info(); inf.Rules != 10 {
		t.Fatalf("Info().Rules = %d", inf.Rules)
	}
}

// TestRecycle is test18: a group whose entries become uniform is freed,
// and the next group taken is the same one.
func TestRecycle(t *testing.T) {
	l := newTable(t, classicRules, classicTbl8s)
	ip := ip4(192, 168, 100, 100)
	i24 := ip >> 8
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(l.Add(ip, 28, 1))
	e := l.Tbl24Entry(i24)
	if !e.Extended() {
		t.Fatalf("tbl24 entry %v after /28", e)
	}
	g := e.Group()
	must(l.Add(ip, 23, 2))
	if !l.Tbl24Entry(i24).Extended() {
		t.Fatal("not extended after /23")
	}
	must(l.Delete(ip, 28))
	if e := l.Tbl24Entry(i24); e.Extended() || !e.Valid() || e.NextHop() != 2 || e.Depth() != 23 {
		t.Fatalf("tbl24 entry %v after deleting /28, want hop 2 /23", e)
	}
	if inf := l.Info(); inf.Tbl8InUse != 0 || inf.Tbl8Free != classicTbl8s {
		t.Fatalf("after recycle: %+v", inf)
	}
	must(l.Add(ip, 28, 3))
	if e := l.Tbl24Entry(i24); !e.Extended() || e.Group() != g {
		t.Fatalf("tbl24 entry %v, want group %d", e, g)
	}
	must(l.Add(ip, 24, 4))
	must(l.Delete(ip, 28))
	if e := l.Tbl24Entry(i24); e.Extended() || e.NextHop() != 4 || e.Depth() != 24 {
		t.Fatalf("tbl24 entry %v, want hop 4 /24", e)
	}
	must(l.Add(ip, 28, 5))
	if e := l.Tbl24Entry(i24); !e.Extended() || e.Group() != g {
		t.Fatalf("tbl24 entry %v, want group %d", e, g)
	}
	// Emptying the group entirely invalidates the tbl24 entry.
	must(l.Delete(ip, 24))
	must(l.Delete(ip, 23))
	must(l.Delete(ip, 28))
	if e := l.Tbl24Entry(i24); e != 0 {
		t.Fatalf("tbl24 entry %v after deleting everything", e)
	}
	// Two /25s with the same hop fill a group but keep it: their depth
	// is above 24.
	must(l.Add(ip4(10, 0, 0, 0), 25, 9))
	must(l.Add(ip4(10, 0, 0, 128), 25, 9))
	must(l.Add(ip4(10, 0, 0, 1), 32, 8))
	must(l.Delete(ip4(10, 0, 0, 1), 32))
	if e := l.Tbl24Entry(ip4(10, 0, 0, 0) >> 8); !e.Extended() {
		t.Fatalf("tbl24 entry %v, want extended", e)
	}
	if h, ok := l.Lookup(ip4(10, 0, 0, 1)); !ok || h != 9 {
		t.Fatalf("lookup = %d, %v", h, ok)
	}
}

// TestEntryFormat checks the entry bits against DPDK's layout.
func TestEntryFormat(t *testing.T) {
	l := newTable(t, classicRules, classicTbl8s)
	l.Add(ip4(1, 2, 3, 0), 24, 0xabcdef)
	if e := l.Tbl24Entry(ip4(1, 2, 3, 0) >> 8); uint32(e) != 24<<26|1<<24|0xabcdef {
		t.Fatalf("tbl24 entry %#x", uint32(e))
	}
	l.Add(ip4(1, 2, 3, 4), 30, 0x123)
	e := l.Tbl24Entry(ip4(1, 2, 3, 0) >> 8)
	if uint32(e) != 3<<24|e.Group() {
		t.Fatalf("extended tbl24 entry %#x", uint32(e))
	}
	if t8 := l.Tbl8Entry(e.Group()*GroupEntries + 5); uint32(t8) != 30<<26|3<<24|0x123 {
		t.Fatalf("tbl8 entry %#x", uint32(t8))
	}
	if t8 := l.Tbl8Entry(e.Group()*GroupEntries + 8); uint32(t8) != 24<<26|3<<24|0xabcdef {
		t.Fatalf("tbl8 entry %#x", uint32(t8))
	}
	if s := fmt.Sprint(e, l.Tbl8Entry(e.Group()*GroupEntries+5), Entry(0)); s != fmt.Sprintf("group %d hop 291 /30 invalid", e.Group()) {
		t.Fatalf("String: %q", s)
	}
}

// TestRCUAdd is test19: attach once; a bad mode or a second variable fails.
func TestRCUAdd(t *testing.T) {
	l := newTable(t, classicRules, classicTbl8s)
	v, _ := rcu.NewQSBR(eal.MaxLcore)
	if err := l.RCUQsbrAdd(RCUConfig{V: v, Mode: 2}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("mode 2: %v", err)
	}
	if err := l.RCUQsbrAdd(RCUConfig{}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("nil variable: %v", err)
	}
	if err := l.RCUQsbrAdd(RCUConfig{V: v, Mode: RCUModeDQ}); err != nil {
		t.Fatal(err)
	}
	v2, _ := rcu.NewQSBR(eal.MaxLcore)
	if err := l.RCUQsbrAdd(RCUConfig{V: v2, Mode: RCUModeSync}); !errors.Is(err, ErrExist) {
		t.Fatalf("second variable: %v", err)
	}
}

// TestRCUDeferQueue is test20: with one tbl8 group, a deleted group is
// reused only after the (pseudo) reader reports a quiescent state.
func TestRCUDeferQueue(t *testing.T) {
	l := newTable(t, classicRules, 1)
	v, _ := rcu.NewQSBR(1)
	if err := l.RCUQsbrAdd(RCUConfig{V: v, Mode: RCUModeDQ}); err != nil {
		t.Fatal(err)
	}
	ip := ip4(192, 0, 2, 100)
	if err := l.Add(ip, 28, 1); err != nil {
		t.Fatal(err)
	}
	v.ThreadRegister(0)
	v.ThreadOnline(0)
	if h, ok := l.Lookup(ip); !ok || h != 1 {
		t.Fatalf("lookup = %d, %v", h, ok)
	}
	if err := l.Delete(ip, 28); err != nil {
		t.Fatal(err)
	}
	if l.Tbl24Entry(ip >> 8).Valid() {
		t.Fatal("tbl24 entry still valid")
	}
	if inf := l.Info(); inf.Tbl8Defer != 1 || inf.Tbl8Free != 0 {
		t.Fatalf("after delete: %+v", inf)
	}
	if _, ok := l.Lookup(ip); ok {
		t.Fatal("deleted rule found")
	}
	if err := l.Add(ip, 28, 1); !errors.Is(err, ErrNoSpace) {
		t.Fatalf("add before quiescent: %v, want ErrNoSpace", err)
	}
	v.Quiescent(0)
	if err := l.Add(ip, 28, 1); err != nil {
		t.Fatalf("add after quiescent: %v", err)
	}
	v.ThreadOffline(0)
	v.ThreadUnregister(0)
	if h, ok := l.Lookup(ip); !ok || h != 1 {
		t.Fatalf("lookup = %d, %v", h, ok)
	}
	// DeleteAll sends the group through the queue too.
	v.ThreadRegister(0)
	v.ThreadOnline(0)
	l.DeleteAll()
	if inf := l.Info(); inf.Tbl8Defer != 1 || inf.Rules != 0 {
		t.Fatalf("after DeleteAll: %+v", inf)
	}
	v.Quiescent(0)
	if err := l.Add(ip, 28, 2); err != nil {
		t.Fatalf("add after DeleteAll: %v", err)
	}
}

// TestRCUSync is test21: a reader on another goroutine looks up while the
// writer adds and deletes a rule that needs the only tbl8 group, waiting
// for the reader each time in Synchronize.
func TestRCUSync(t *testing.T) {
	l := newTable(t, classicRules, 1)
	v, _ := rcu.NewQSBR(1)
	if err := l.RCUQsbrAdd(RCUConfig{V: v, Mode: RCUModeSync}); err != nil {
		t.Fatal(err)
	}
	ip := ip4(192, 0, 2, 100)
	done := make(chan struct{})
	stopped := make(chan struct{})
	v.ThreadRegister(0)
	v.ThreadOnline(0)
	go func() {
		defer close(stopped)
		for {
			select {
			case <-done:
				v.ThreadOffline(0)
				v.ThreadUnregister(0)
				return
			default:
			}
			for i := 0; i < 1024; i++ {
				if h, ok := l.Lookup(ip); ok && h != 1 {
					t.Errorf("lookup = %d", h)
				}
			}
			v.Quiescent(0)
		}
	}()
	if err := l.Add(ip, 28, 1); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 512; i++ {
		if err := l.Delete(ip, 28); err != nil {
			t.Fatalf("iteration %d: %v", i, err)
		}
		if err := l.Add(ip, 28, 1); err != nil {
			t.Fatalf("iteration %d: %v", i, err)
		}
	}
	close(done)
	<-stopped
}
