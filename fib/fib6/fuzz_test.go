package fib6

import (
	"sync"
	"testing"

	"dpk/internal/route6test"
)

var (
	fuzzOnce sync.Once
	fuzzFIB  *FIB
)

// FuzzOps runs a sequence of adds and deletes taken from the input on a
// trie FIB, checks the lookups that matter against the brute-force
// oracle, then deletes every route and checks that the FIB is back to
// the default everywhere with no tbl8 group left. Each op is 3 bytes:
// kind and depth (0 to 128), then the first and the last byte of the
// address (the bytes between are 0, so that prefixes nest and overlap).
func FuzzOps(f *testing.F) {
	f.Add([]byte{0x30, 0x80, 0x01, 0xfe, 0x80, 0x01, 0x31, 0x80, 0x01})
	f.Add([]byte{0x00, 0x00, 0x00, 0xfe, 0x00, 0x00, 0x2e, 0x00, 0x00, 0x01, 0x00, 0x00})
	f.Add([]byte{0xfe, 0x20, 0x10, 0x7e, 0x20, 0x10, 0x3e, 0x20, 0x00, 0xff, 0x20, 0x10})
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzOnce.Do(func() {
			var err error
			fuzzFIB, err = Create("fuzz", -1, Config{Type: Trie, DefaultNH: 7, MaxRoutes: 1 << 16, NHSize: NH2B, NumTbl8: 1 << 12})
			if err != nil {
				panic(err)
			}
		})
		fb := fuzzFIB
		o := oracle{}
		for len(data) >= 3 {
			op, first, last := data[0], data[1], data[2]
			data = data[3:]
			depth := op >> 1 % (MaxDepth + 1)
			var ip [AddrSize]byte
			ip[0], ip[15] = first, last
			k := ruleKey{route6test.MaskAddr(ip, depth), depth}
			if op&1 == 0 {
				nh := uint64(first)<<7 | uint64(last)&0x7f
				if err := fb.Add(ip, depth, nh); err != nil {
					t.Fatalf("Add(%x/%d): %v", ip, depth, err)
				}
				o[k] = nh
			} else {
				_, present := o[k]
				err := fb.Delete(ip, depth)
				if present != (err == nil) {
					t.Fatalf("Delete(%x/%d) = %v; route present: %v", ip, depth, err, present)
				}
				delete(o, k)
			}
		}
		rs := o.snapshot()
		check := func(ip [AddrSize]byte) {
			if got, want := fb.Lookup(&ip), bruteLookup(rs, ip, 7); got != want {
				t.Fatalf("Lookup(%x) = %d, oracle says %d", ip, got, want)
			}
		}
		for _, r := range rs {
			check(r.ip)
			last := r.ip
			for i := range last {
				last[i] |= ^r.mask[i]
			}
			check(last)
			for i := AddrSize - 1; i >= 0; i-- {
				if last[i]++; last[i] != 0 {
					break
				}
			}
			check(last)
		}
		for k := range o {
			if err := fb.Delete(k.ip, k.depth); err != nil {
				t.Fatalf("cleanup Delete(%x/%d): %v", k.ip, k.depth, err)
			}
		}
		if fb.Tbl8sInUse() != 0 || fb.Routes() != 0 {
			t.Fatalf("emptied FIB keeps %d tbl8 groups, %d routes", fb.Tbl8sInUse(), fb.Routes())
		}
		for _, r := range rs {
			if nh := fb.Lookup(&r.ip); nh != 7 {
				t.Fatalf("emptied FIB: Lookup(%x) = %d, want the default", r.ip, nh)
			}
		}
	})
}
