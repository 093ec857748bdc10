package main

// lpm6_autotest: DPDK 22.11's app/test/test_lpm6.c in Go. It runs tests
// 0 to 28 in order, printing "# test NN" before each and, after a failing
// one, the error and "ERROR: LPM Test tests6[i]: FAIL" (DPDK prints the
// stringified expression, not the test's name). Tests 4 to 8 check the
// NULL-argument cases of the C API; here they check what Go can get wrong
// instead (bad depths, a next hop over 21 bits, DeleteBulk with slices
// of different lengths).

import (
	"errors"
	"fmt"

	"dpk/eal"
	"dpk/lpm6"
)

func init() {
	register("lpm6_autotest", lpm6Autotest)
}

const (
	lpm6MaxRules    = 1000000
	lpm6NumberTbl8s = 1 << 16
)

var lpm6DefaultConfig = lpm6.Config{MaxRules: lpm6MaxRules, NumberTbl8s: lpm6NumberTbl8s}

// lpm6Check is TEST_LPM_ASSERT: an error naming the failed condition.
func lpm6Check(ok bool, what string, args ...any) error {
	if ok {
		return nil
	}
	return fmt.Errorf("error at "+what, args...)
}

// lpm6IPv6 is test_lpm6.c's IPv6(): the 16 bytes of an address.
func lpm6IPv6(b ...byte) [16]byte {
	var ip [16]byte
	copy(ip[:], b)
	return ip
}

// lpm6Op is one step of a test: add, del, hit (lookup that must return
// nh), miss (lookup that must fail) or all (DeleteAll).
type lpm6Op struct {
	kind  string
	ip    [16]byte
	depth uint8
	nh    uint32
	err   error // what add or del must return
}

func lpm6Run(l *lpm6.LPM, ops ...lpm6Op) error {
	for i, op := range ops {
		switch op.kind {
		case "add":
			if err := l.Add(op.ip, op.depth, op.nh); !errors.Is(err, op.err) {
				return fmt.Errorf("error at step %d: add %x/%d: %v, want %v", i, op.ip, op.depth, err, op.err)
			}
		case "del":
			if err := l.Delete(op.ip, op.depth); !errors.Is(err, op.err) {
				return fmt.Errorf("error at step %d: delete %x/%d: %v, want %v", i, op.ip, op.depth, err, op.err)
			}
		case "hit":
			if nh, ok := l.Lookup(&op.ip); !ok || nh != op.nh {
				return fmt.Errorf("error at step %d: lookup %x: %d, %v; want %d", i, op.ip, nh, ok, op.nh)
			}
		case "miss":
			if nh, ok := l.Lookup(&op.ip); ok {
				return fmt.Errorf("error at step %d: lookup %x: %d, want a miss", i, op.ip, nh)
			}
		case "all":
			l.DeleteAll()
		}
	}
	return nil
}

func l6add(ip [16]byte, d uint8, nh uint32) lpm6Op {
	return lpm6Op{kind: "add", ip: ip, depth: d, nh: nh}
}
func l6addErr(ip [16]byte, d uint8, err error) lpm6Op {
	return lpm6Op{kind: "add", ip: ip, depth: d, nh: 100, err: err}
}
func l6del(ip [16]byte, d uint8) lpm6Op { return lpm6Op{kind: "del", ip: ip, depth: d} }
func l6delErr(ip [16]byte, d uint8, err error) lpm6Op {
	return lpm6Op{kind: "del", ip: ip, depth: d, err: err}
}
func l6hit(ip [16]byte, nh uint32) lpm6Op { return lpm6Op{kind: "hit", ip: ip, nh: nh} }
func l6miss(ip [16]byte) lpm6Op           { return lpm6Op{kind: "miss", ip: ip} }
func l6all() lpm6Op                       { return lpm6Op{kind: "all"} }

// lpm6With creates a table, runs fn on it and frees it.
func lpm6With(name string, cfg lpm6.Config, fn func(*lpm6.LPM) error) error {
	l, err := lpm6.Create(name, eal.SocketIDAny, cfg)
	if err != nil {
		return fmt.Errorf("error at create %q: %v", name, err)
	}
	defer l.Free()
	return fn(l)
}

// lpm6Script creates a table and runs ops on it.
func lpm6Script(name string, cfg lpm6.Config, ops ...lpm6Op) error {
	return lpm6With(name, cfg, func(l *lpm6.LPM) error { return lpm6Run(l, ops...) })
}

var lpm6Tests = []func() error{
	// test0: create fails on bad arguments.
	func() error {
		for _, c := range []struct {
			name   string
			socket int
			cfg    lpm6.Config
		}{
			{"", eal.SocketIDAny, lpm6DefaultConfig},
			{"test0", eal.SocketIDAny, lpm6.Config{MaxRules: 0, NumberTbl8s: lpm6NumberTbl8s}},
			{"test0", -2, lpm6DefaultConfig},
			{"test0", eal.SocketIDAny, lpm6.Config{MaxRules: lpm6MaxRules, NumberTbl8s: lpm6.MaxTbl8s + 1}},
		} {
			l, err := lpm6.Create(c.name, c.socket, c.cfg)
			if err := lpm6Check(err != nil, "create(%q, %d, %+v) succeeded", c.name, c.socket, c.cfg); err != nil {
				l.Free()
				return err
			}
		}
		return nil
	},
	// test1: two tables, a third with the first one's name fails.
	func() error {
		l1, err := lpm6.Create("LPM1", eal.SocketIDAny, lpm6DefaultConfig)
		if err != nil {
			return lpm6Check(false, "create LPM1: %v", err)
		}
		defer l1.Free()
		l2, err := lpm6.Create("LPM2", eal.SocketIDAny, lpm6DefaultConfig)
		if err != nil {
			return lpm6Check(false, "create LPM2: %v", err)
		}
		defer l2.Free()
		l3, err := lpm6.Create("LPM1", eal.SocketIDAny, lpm6DefaultConfig)
		if err == nil {
			l3.Free()
		}
		return lpm6Check(errors.Is(err, lpm6.ErrExist), "second create LPM1: %v", err)
	},
	// test2: create and free 20 times.
	func() error {
		for i := range 20 {
			cfg := lpm6DefaultConfig
			cfg.MaxRules -= uint32(i)
			l, err := lpm6.Create("test2", eal.SocketIDAny, cfg)
			if err != nil {
				return lpm6Check(false, "create %d: %v", i, err)
			}
			l.Free()
		}
		return nil
	},
	// test3: free of nil.
	func() error {
		l, err := lpm6.Create("test3", eal.SocketIDAny, lpm6DefaultConfig)
		if err != nil {
			return lpm6Check(false, "create: %v", err)
		}
		l.Free()
		(*lpm6.LPM)(nil).Free()
		return nil
	},
	// test4: add fails on bad depths (and, in Go, a next hop over 21 bits).
	func() error {
		return lpm6Script("test4", lpm6DefaultConfig,
			l6addErr([16]byte{}, 0, lpm6.ErrInvalid), l6addErr([16]byte{}, 129, lpm6.ErrInvalid),
			lpm6Op{kind: "add", depth: 24, nh: lpm6.MaxNextHop + 1, err: lpm6.ErrInvalid})
	},
	// test5: delete fails on bad depths.
	func() error {
		return lpm6Script("test5", lpm6DefaultConfig,
			l6delErr([16]byte{}, 0, lpm6.ErrInvalid), l6delErr([16]byte{}, 129, lpm6.ErrInvalid))
	},
	// test6: lookup with NULL arguments: nothing to check in Go.
	func() error { return nil },
	// test7: lookup_bulk with NULL arguments: a short next-hop slice
	// panics, as indexing does.
	func() error { return nil },
	// test8: delete_bulk with bad arguments.
	func() error {
		return lpm6With("test8", lpm6DefaultConfig, func(l *lpm6.LPM) error {
			err := l.DeleteBulk(make([][16]byte, 10), make([]uint8, 9))
			return lpm6Check(errors.Is(err, lpm6.ErrInvalid), "delete_bulk with 9 depths for 10 addresses: %v", err)
		})
	},
	// test9: a /16, every third byte hits; deleted, every one misses.
	func() error {
		return lpm6With("test9", lpm6DefaultConfig, func(l *lpm6.LPM) error {
			var ip [16]byte
			if err := l.Add(ip, 16, 100); err != nil {
				return lpm6Check(false, "add: %v", err)
			}
			for i := range 255 {
				ip[2] = byte(i)
				if nh, ok := l.Lookup(&ip); !ok || nh != 100 {
					return lpm6Check(false, "lookup %x", ip)
				}
			}
			if err := l.Delete(ip, 16); err != nil {
				return lpm6Check(false, "delete: %v", err)
			}
			for i := range 255 {
				ip[2] = byte(i)
				if _, ok := l.Lookup(&ip); ok {
					return lpm6Check(false, "lookup %x after delete", ip)
				}
			}
			return nil
		})
	},
	// test10: max_rules + 1 rules.
	func() error {
		var ops []lpm6Op
		for d := uint8(1); d < 128; d++ {
			ops = append(ops, l6add([16]byte{}, d, 100))
		}
		ops = append(ops, l6addErr([16]byte{}, 128, lpm6.ErrNoSpace), l6del([16]byte{}, 127), l6add([16]byte{}, 128, 100))
		return lpm6Script("test10", lpm6.Config{MaxRules: 127, NumberTbl8s: lpm6NumberTbl8s}, ops...)
	},
	// test11: tbl8s run out in the middle of a rule.
	func() error {
		ip := lpm6IPv6(1)
		return lpm6Script("test11", lpm6.Config{MaxRules: lpm6MaxRules, NumberTbl8s: 16},
			l6add([16]byte{}, 128, 100),
			l6add(ip, 25, 100), l6del(ip, 25), l6add(ip, 33, 100), l6del(ip, 33),
			l6add(ip, 41, 100), l6del(ip, 41), l6addErr(ip, 49, lpm6.ErrNoSpace), l6add(ip, 41, 100))
	},
	// test12: tbl8s run out extending an existing rule.
	func() error {
		ip := lpm6IPv6(1)
		return lpm6Script("test12", lpm6.Config{MaxRules: lpm6MaxRules, NumberTbl8s: 16},
			l6add([16]byte{}, 128, 100), l6add(ip, 41, 100), l6addErr(ip, 49, lpm6.ErrNoSpace))
	},
	// test13: max_rules = 2.
	func() error {
		var z [16]byte
		return lpm6Script("test13", lpm6.Config{MaxRules: 2, NumberTbl8s: lpm6NumberTbl8s},
			l6add(z, 1, 100), l6add(z, 2, 100), l6addErr(z, 3, lpm6.ErrNoSpace), l6del(z, 2), l6add(z, 3, 100))
	},
	// test14: 256 /25s use the 256 tbl8s.
	func() error {
		var ops []lpm6Op
		for i := range 256 {
			ops = append(ops, l6add(lpm6IPv6(byte(i)), 25, 100))
		}
		ops = append(ops, l6addErr(lpm6IPv6(255, 1), 25, lpm6.ErrNoSpace), l6del(lpm6IPv6(255, 0), 25), l6add(lpm6IPv6(255, 1), 25, 100))
		return lpm6Script("test14", lpm6.Config{MaxRules: lpm6MaxRules, NumberTbl8s: 256}, ops...)
	},
	// test15: a /24.
	func() error {
		var z [16]byte
		return lpm6Script("test15", lpm6DefaultConfig, l6add(z, 24, 100), l6hit(z, 100), l6del(z, 24), l6miss(z))
	},
	// test16: a /128.
	func() error {
		ip := lpm6IPv6(12, 12, 1)
		return lpm6Script("test16", lpm6DefaultConfig, l6add(ip, 128, 100), l6hit(ip, 100), l6del(ip, 128), l6miss(ip))
	},
	// test17: depths 1 to 16 in the second half of tbl24.
	func() error {
		ip1 := [16]byte{127, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255}
		ip2 := lpm6IPv6(128)
		var ops []lpm6Op
		for d := uint8(1); d <= 16; d++ {
			ops = append(ops, l6add(ip2, d, uint32(d)), l6miss(ip1), l6hit(ip2, uint32(d)))
		}
		for d := uint8(16); d >= 1; d-- {
			ops = append(ops, l6del(ip2, d))
			if d != 1 {
				ops = append(ops, l6hit(ip2, uint32(d-1)))
			} else {
				ops = append(ops, l6miss(ip2))
			}
			ops = append(ops, l6miss(ip1))
		}
		return lpm6Script("test17", lpm6DefaultConfig, ops...)
	},
	// test18: invalid tbl24 entry, valid not extended, extended with an
	// invalid tbl8 entry, extended with a valid one.
	func() error {
		ip, ip5 := lpm6IPv6(128), lpm6IPv6(128, 0, 0, 5)
		return lpm6Script("test18", lpm6DefaultConfig,
			l6add(ip, 24, 100), l6hit(ip, 100), l6del(ip, 24), l6miss(ip), l6all(),
			l6add(ip, 23, 100), l6hit(ip, 100), l6add(ip, 24, 101), l6hit(ip, 101),
			l6del(ip, 24), l6del(ip, 23), l6miss(ip), l6all(),
			l6add(ip, 32, 100), l6hit(ip, 100), l6add(ip5, 32, 101), l6hit(ip5, 101),
			l6hit(ip, 100), l6del(ip, 32), l6miss(ip), l6all(),
			l6add(ip, 25, 101), l6hit(ip, 101), l6add(ip5, 32, 102), l6hit(ip5, 102),
			l6del(ip5, 32), l6hit(ip5, 101), l6del(ip, 25), l6miss(ip))
	},
	// test19: cover an invalid tbl24 range, extend invalid and valid
	// entries, update next hops in tbl24 and tbl8, delete missing rules.
	func() error {
		ip, ip10 := lpm6IPv6(128), lpm6IPv6(128, 0, 0, 10)
		return lpm6Script("test19", lpm6DefaultConfig,
			l6add(ip, 16, 100), l6hit(ip, 100), l6del(ip, 16), l6miss(ip), l6all(),
			l6add(ip, 25, 100), l6hit(ip, 100), l6del(ip, 25), l6all(),
			l6add(ip, 24, 100), l6add(ip10, 32, 101), l6hit(ip10, 101), l6hit(ip, 100),
			l6del(ip, 24), l6miss(ip), l6del(ip10, 32), l6miss(ip10), l6all(),
			l6add(ip, 24, 100), l6hit(ip, 100), l6add(ip, 24, 101), l6hit(ip, 101), l6del(ip, 24), l6miss(ip), l6all(),
			l6add(ip, 32, 100), l6hit(ip, 100), l6add(ip, 32, 101), l6hit(ip, 101), l6del(ip, 32), l6miss(ip), l6all(),
			l6delErr(ip, 24, lpm6.ErrNotFound), l6miss(ip), l6all(),
			l6delErr(ip, 32, lpm6.ErrNotFound), l6miss(ip))
	},
	// test20: a more and a less specific rule.
	func() error {
		ip, ip10 := lpm6IPv6(128), lpm6IPv6(128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10)
		return lpm6Script("test20", lpm6DefaultConfig,
			l6add(ip, 24, 100), l6add(ip10, 128, 101), l6hit(ip10, 101), l6hit(ip, 100),
			l6del(ip, 24), l6miss(ip), l6del(ip10, 128), l6miss(ip10))
	},
	// test21: lookup_bulk of three rules and a miss.
	func() error {
		return lpm6With("test21", lpm6DefaultConfig, func(l *lpm6.LPM) error {
			batch := [][16]byte{lpm6IPv6(128, 0, 0, 0, 0, 1), lpm6IPv6(128, 0, 0, 0, 0, 2), lpm6IPv6(128, 0, 0, 0, 0, 3), lpm6IPv6(128, 0, 0, 0, 0, 4)}
			for i := range 3 {
				if err := l.Add(batch[i], 48, 100+uint32(i)); err != nil {
					return lpm6Check(false, "add: %v", err)
				}
			}
			nhs := make([]int32, 4)
			l.LookupBulk(batch, nhs)
			return lpm6Check(nhs[0] == 100 && nhs[1] == 101 && nhs[2] == 102 && nhs[3] == -1, "lookup_bulk: %v", nhs)
		})
	},
	// test22: delete_bulk.
	func() error {
		return lpm6With("test22", lpm6DefaultConfig, func(l *lpm6.LPM) error {
			var batch [][16]byte
			depths := []uint8{48, 48, 48, 48, 48}
			for i := range 5 {
				batch = append(batch, lpm6IPv6(128, 0, 0, 0, 0, byte(i+1)))
				if err := l.Add(batch[i], 48, 101+uint32(i)); err != nil {
					return lpm6Check(false, "add: %v", err)
				}
			}
			nhs := make([]int32, 5)
			check := func(want ...int32) error {
				l.LookupBulk(batch, nhs)
				for i := range want {
					if nhs[i] != want[i] {
						return lpm6Check(false, "lookup_bulk: %v, want %v", nhs, want)
					}
				}
				return nil
			}
			steps := []struct {
				del  [][16]byte
				want []int32
			}{
				{nil, []int32{101, 102, 103, 104, 105}},
				{batch[0:2], []int32{-1, -1, 103, 104, 105}},
				{batch[2:3], []int32{-1, -1, -1, 104, 105}},
				{[][16]byte{batch[3], lpm6IPv6(128, 0, 0, 0, 0, 6)}, []int32{-1, -1, -1, -1, 105}},
				{batch[4:5], []int32{-1, -1, -1, -1, -1}},
			}
			for _, s := range steps {
				if s.del != nil {
					if err := l.DeleteBulk(s.del, depths[:len(s.del)]); err != nil {
						return lpm6Check(false, "delete_bulk: %v", err)
					}
				}
				if err := check(s.want...); err != nil {
					return err
				}
			}
			return nil
		})
	},
	// test23: a /128 added and deleted 30 times.
	func() error {
		ip := lpm6IPv6(128)
		var ops []lpm6Op
		for range 30 {
			ops = append(ops, l6add(ip, 128, 100), l6hit(ip, 100), l6del(ip, 128), l6miss(ip))
		}
		return lpm6Script("test23", lpm6DefaultConfig, ops...)
	},
	// test24: find_existing.
	func() error {
		l, err := lpm6.Create("lpm_find_existing", eal.SocketIDAny, lpm6.Config{MaxRules: 256 * 32, NumberTbl8s: lpm6NumberTbl8s})
		if err != nil {
			return lpm6Check(false, "create: %v", err)
		}
		defer l.Free()
		if r, err := lpm6.FindExisting("lpm_find_existing"); r != l || err != nil {
			return lpm6Check(false, "find_existing: %v", err)
		}
		if _, err := lpm6.FindExisting("lpm_find_non_existing"); !errors.Is(err, lpm6.ErrNotFound) {
			return lpm6Check(false, "find_existing of a missing table: %v", err)
		}
		l.DeleteAll()
		return nil
	},
	// test25: the 1000 routes, and the 100,000 generated addresses hit
	// the next hop the brute-force get_next_hop expects.
	func() error {
		return lpm6With("test25", lpm6DefaultConfig, func(l *lpm6.LPM) error {
			for i := range lpm6LargeRouteTable {
				rt := &lpm6LargeRouteTable[i]
				if err := l.Add(rt.ip, rt.depth, uint32(rt.nextHop)); err != nil {
					return lpm6Check(false, "add route %d: %v", i, err)
				}
			}
			ips := lpm6GenerateIPs(true)
			for i := range ips {
				nh, ok := l.Lookup(&ips[i].ip)
				if !ok || nh != uint32(ips[i].nextHop) {
					return lpm6Check(false, "lookup %x: %d, %v; want %d", ips[i].ip, nh, ok, ips[i].nextHop)
				}
			}
			return nil
		})
	},
	// test26: a /32, a /24 and a /25 do not overwrite each other.
	func() error {
		ip1032, ip1024, ip2025 := lpm6IPv6(10, 10, 10, 2), lpm6IPv6(10, 10, 10), lpm6IPv6(10, 10, 20, 2)
		return lpm6Script("test26", lpm6DefaultConfig,
			l6add(ip1032, 32, 100), l6hit(ip1032, 100), l6add(ip1024, 24, 105), l6hit(ip1024, 105),
			l6add(ip2025, 25, 111), l6hit(ip2025, 111), l6hit(ip1032, 100), l6hit(ip1024, 105))
	},
	// test27: a /128 then a /112 over it: every address of the /112.
	func() error {
		return lpm6With("test27", lpm6DefaultConfig, func(l *lpm6.LPM) error {
			ip := [16]byte{128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 0, 0}
			if err := l.Add(ip, 128, 128); err != nil {
				return lpm6Check(false, "add /128: %v", err)
			}
			if err := l.Add(ip, 112, 112); err != nil {
				return lpm6Check(false, "add /112: %v", err)
			}
			for i := range 256 {
				for j := range 256 {
					ip[14], ip[15] = byte(i), byte(j)
					want := uint32(112)
					if i == 0 && j == 0 {
						want = 128
					}
					if nh, ok := l.Lookup(&ip); !ok || nh != want {
						return lpm6Check(false, "lookup %x: %d, %v; want %d", ip, nh, ok, want)
					}
				}
			}
			return nil
		})
	},
	// test28: the largest, 21-bit, next hop.
	func() error {
		var z [16]byte
		return lpm6Script("test28", lpm6DefaultConfig, l6add(z, 16, 0x1FFFFF), l6hit(z, 0x1FFFFF), l6del(z, 16))
	},
}

func lpm6Autotest() error {
	var failed error
	for i, test := range lpm6Tests {
		fmt.Printf("# test %02d\n", i)
		if err := test(); err != nil {
			fmt.Println(err)
			fmt.Println("ERROR: LPM Test tests6[i]: FAIL") // RTE_STR(tests6[i]), as DPDK prints it
			failed = fmt.Errorf("lpm6 test%d failed", i)
		}
	}
	return failed
}
