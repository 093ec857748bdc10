package lpm

import (
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"dpk/lpm/lpmtest"
	"dpk/rcu"
)

// The concurrent test's routes all lie in 10.0.0.0/19: a permanent
// 10.0.0.0/8, and prefixes of 16 to 32 bits in the 32 /24 blocks
// 10.0.0.0 to 10.0.31.0. A route's next hop is derived from its prefix
// and depth (hopFor), so a reader can tell whether a next hop it got is
// that of some route covering the address it looked up: ANY route that
// has ever covered it is a correct answer at some point of the churn, and
// anything else (a hop from another block, read from a tbl8 group that was
// reused while the reader still used it) is not.

const (
	stressBase   = 0x0a000000 // 10.0.0.0
	stressBlocks = 32
	stressSpan   = stressBlocks * 256
)

// hopFor returns the next hop of route prefix/depth: the depth in bits 18
// to 23, a hash of the prefix below.
func hopFor(prefix uint32, depth uint8) uint32 {
	h := uint64(prefix)*0x9e3779b97f4a7c15 ^ uint64(depth)*0xc2b2ae3d27d4eb4f
	h ^= h >> 29
	h *= 0xbf58476d1ce4e5b9
	return uint32(depth)<<18 | uint32(h>>40)&0x3ffff
}

// validHop reports whether hop is the next hop of a route that covers ip.
func validHop(ip, hop uint32) bool {
	d := uint8(hop >> 18)
	return d >= 1 && d <= 32 && hop == hopFor(ip&depthMask(d), d)
}

type stressReader struct {
	id      uint32
	lookups uint64
	bad     uint64
	first   [3]uint32 // ip, hop, ok of the first bad lookup
}

// run looks up random addresses of the stress range in bursts, with the
// three lookup functions in turn, reporting a quiescent state after each
// burst, until stop.
func (r *stressReader) run(l *LPM, v *rcu.QSBR, stop *atomic.Bool) {
	if v != nil {
		v.ThreadRegister(r.id)
		v.ThreadOnline(r.id)
		defer v.ThreadUnregister(r.id)
		defer v.ThreadOffline(r.id)
	}
	rnd := rand.New(rand.NewPCG(uint64(r.id), 7))
	var ips, hops [64]uint32
	check := func(ip, hop uint32, ok bool) {
		r.lookups++
		if !ok || !validHop(ip, hop) {
			if r.bad == 0 {
				r.first = [3]uint32{ip, hop, map[bool]uint32{true: 1}[ok]}
			}
			r.bad++
		}
	}
	for round := 0; !stop.Load(); round++ {
		for i := range ips {
			ips[i] = stressBase + rnd.Uint32N(stressSpan)
		}
		switch round % 3 {
		case 0:
			for _, ip := range ips {
				hop, ok := l.Lookup(ip)
				check(ip, hop, ok)
			}
		case 1:
			l.LookupBulk(ips[:], hops[:])
			for i, ip := range ips {
				check(ip, hops[i]&MaxNextHop, hops[i]&LookupSuccess != 0)
			}
		case 2:
			for i := 0; i < len(ips); i += 4 {
				var x4 [4]uint32
				l.LookupX4([4]uint32(ips[i:i+4]), &x4, noHop)
				for k, h := range x4 {
					check(ips[i+k], h, h != noHop)
				}
			}
		}
		if v != nil {
			v.Quiescent(r.id)
		}
	}
}

// churnWriter adds and deletes routes of the stress range for at least
// dur and at least minOps changes (or 20*dur at most, on a busy machine),
// and keeps an oracle of what the table holds. It fills blocks
// with a few long prefixes and later empties them again, so that tbl8
// groups are freed and reused for other blocks all the time; in between it
// changes shorter prefixes, which rewrite the groups' entries.
func churnWriter(t *testing.T, l *LPM, o *lpmtest.Oracle, seed uint64, dur time.Duration) (ops, noSpace int) {
	const minOps = 300
	start := time.Now()
	more := func() bool {
		el := time.Since(start)
		return el < dur || (ops < minOps && el < 20*dur)
	}
	rnd := rand.New(rand.NewPCG(seed, 1))
	var active []uint32 // blocks with long prefixes, oldest first
	toggle := func(ip uint32, d uint8) bool {
		ip &= depthMask(d)
		ops++
		if _, ok := o.Has(ip, d); ok {
			if err := l.Delete(ip, d); err != nil {
				t.Errorf("Delete(%s/%d): %v", ipString(ip), d, err)
				return false
			}
			o.Delete(ip, d)
			return true
		}
		err := l.Add(ip, d, hopFor(ip, d))
		switch {
		case err == nil:
			o.Add(ip, d, hopFor(ip, d))
		case errors.Is(err, ErrNoSpace):
			noSpace++
		default:
			t.Errorf("Add(%s/%d): %v", ipString(ip), d, err)
			return false
		}
		return true
	}
	for more() {
		for range 16 {
			block := stressBase + rnd.Uint32N(stressBlocks)<<8
			switch n := rnd.IntN(8); {
			case n < 3 && len(active) < 6:
				// Fill a block with one to three long prefixes.
				for range 1 + rnd.IntN(3) {
					if !toggle(block|rnd.Uint32N(256), uint8(25+rnd.IntN(8))) {
						return
					}
				}
				active = append(active, block)
			case n < 5 && len(active) > 0:
				// Empty the oldest block: its group goes back.
				b := active[0]
				active = active[1:]
				for d := uint8(25); d <= 32; d++ {
					for _, r := range o.Rules() {
						if r.Depth == d && r.IP>>8 == b>>8 {
							if !toggle(r.IP, d) {
								return
							}
						}
					}
				}
			default:
				d := uint8(16 + rnd.IntN(9))
				if !toggle(block|rnd.Uint32N(256), d) {
					return
				}
			}
		}
	}
	return ops, noSpace
}

// TestConcurrentRCU runs readers against a writer that churns routes
// needing tbl8 groups, with few groups so that they are reused all the
// time, reclaimed only through RCU. No reader may see a next hop that is
// not that of a route covering its address.
func TestConcurrentRCU(t *testing.T) {
	dur := time.Second
	if testing.Short() {
		dur = 200 * time.Millisecond
	}
	for _, mode := range []struct {
		name string
		rcu  bool
		mode RCUMode
	}{
		{"defer queue", true, RCUModeDQ},
		{"sync", true, RCUModeSync},
		{"no RCU (control)", false, 0},
	} {
		t.Run(mode.name, func(t *testing.T) {
			if !mode.rcu && testing.Short() {
				t.Skip("control run skipped in -short")
			}
			const readers = 2
			l := newTable(t, 4096, 8)
			var v *rcu.QSBR
			if mode.rcu {
				v, _ = rcu.NewQSBR(readers)
				if err := l.RCUQsbrAdd(RCUConfig{V: v, Mode: mode.mode}); err != nil {
					t.Fatal(err)
				}
			}
			o := lpmtest.NewOracle()
			if err := l.Add(stressBase, 8, hopFor(stressBase, 8)); err != nil {
				t.Fatal(err)
			}
			o.Add(stressBase, 8, hopFor(stressBase, 8))
			var stop atomic.Bool
			var wg sync.WaitGroup
			rs := make([]*stressReader, readers)
			for i := range rs {
				rs[i] = &stressReader{id: uint32(i)}
				wg.Add(1)
				go func() {
					defer wg.Done()
					rs[i].run(l, v, &stop)
				}()
			}
			ops, noSpace := churnWriter(t, l, o, 99, dur)
			stop.Store(true)
			wg.Wait()
			var lookups, bad uint64
			for _, r := range rs {
				lookups += r.lookups
				bad += r.bad
				if r.bad != 0 {
					t.Logf("reader %d: first bad lookup %s -> hop %#x ok %d", r.id, ipString(r.first[0]), r.first[1], r.first[2])
				}
			}
			inf := l.Info()
			t.Logf("%d writer ops (%d ErrNoSpace), %d lookups, %d bad; %d rules, groups %d in use %d deferred %d free",
				ops, noSpace, lookups, bad, inf.Rules, inf.Tbl8InUse, inf.Tbl8Defer, inf.Tbl8Free)
			if mode.rcu && bad != 0 {
				t.Fatalf("%d of %d lookups returned a next hop of no covering route", bad, lookups)
			}
			if ops < 100 || lookups < 1000 {
				t.Fatalf("too little work: %d ops, %d lookups", ops, lookups)
			}
			// The table must agree with the writer's oracle.
			for a := uint32(stressBase); a < stressBase+stressSpan; a++ {
				want, _ := o.Lookup(a)
				if got, ok := l.Lookup(a); !ok || got != want {
					t.Fatalf("after churn: Lookup(%s) = %d, %v, want %d", ipString(a), got, ok, want)
				}
			}
			if int(inf.Tbl8InUse) != o.DeepBlocks() {
				t.Fatalf("%d groups in use for %d deep blocks", inf.Tbl8InUse, o.DeepBlocks())
			}
		})
	}
}
