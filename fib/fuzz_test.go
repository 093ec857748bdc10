package fib

import (
	"sync"
	"testing"
)

var (
	fuzzOnce sync.Once
	fuzzFIB  *FIB
)

// FuzzOps runs a sequence of adds and deletes taken from the input on a
// DIR24_8 FIB, checks the lookups that matter against the brute-force
// oracle, then deletes every route and checks that the FIB is back to
// the default everywhere with no tbl8 group left. Each op is 3 bytes:
// kind and depth (0 to 32), then the first and the last byte of the
// address (the bytes between are 0, so that prefixes nest and overlap).
func FuzzOps(f *testing.F) {
	f.Add([]byte{0x30, 0x80, 0x01, 0x40, 0x80, 0x01, 0x31, 0x80, 0x01})
	f.Add([]byte{0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x2e, 0x00, 0x00, 0x01, 0x00, 0x00})
	f.Add([]byte{0x10, 0x0a, 0x10, 0x32, 0x0a, 0x10, 0x3e, 0x0a, 0x00, 0x3f, 0x0a, 0x10})
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzOnce.Do(func() {
			var err error
			fuzzFIB, err = Create("fuzz", -1, Config{Type: DIR24_8, DefaultNH: 7, MaxRoutes: 1 << 16, NHSize: NH2B, NumTbl8: 1 << 10})
			if err != nil {
				panic(err)
			}
		})
		fb := fuzzFIB
		o := oracle4{}
		for len(data) >= 3 {
			op, first, last := data[0], data[1], data[2]
			data = data[3:]
			depth := op >> 1 % (MaxDepth + 1)
			ip := uint32(first)<<24 | uint32(last)
			rt := route4{ip & mask4(depth), depth}
			if op&1 == 0 {
				nh := uint64(first)<<7 | uint64(last)&0x7f
				if err := fb.Add(ip, depth, nh); err != nil {
					t.Fatalf("Add(%#08x/%d): %v", ip, depth, err)
				}
				o[rt] = nh
			} else {
				_, present := o[rt]
				err := fb.Delete(ip, depth)
				if present != (err == nil) {
					t.Fatalf("Delete(%#08x/%d) = %v; route present: %v", ip, depth, err, present)
				}
				delete(o, rt)
			}
		}
		rs := o.snapshot()
		check := func(ip uint32) {
			if got, want := fb.Lookup(ip), bruteLookup(rs, ip, 7); got != want {
				t.Fatalf("Lookup(%#08x) = %d, oracle says %d", ip, got, want)
			}
		}
		for _, r := range rs {
			check(r.ip)
			check(r.ip | ^r.mask)
			check((r.ip | ^r.mask) + 1)
			check(r.ip - 1)
		}
		for rt := range o {
			if err := fb.Delete(rt.ip, rt.depth); err != nil {
				t.Fatalf("cleanup Delete(%#08x/%d): %v", rt.ip, rt.depth, err)
			}
		}
		if fb.Tbl8sInUse() != 0 || fb.Routes() != 0 {
			t.Fatalf("emptied FIB keeps %d tbl8 groups, %d routes", fb.Tbl8sInUse(), fb.Routes())
		}
		for _, r := range rs {
			if nh := fb.Lookup(r.ip | ^r.mask); nh != 7 {
				t.Fatalf("emptied FIB: Lookup(%#08x) = %d, want the default", r.ip, nh)
			}
		}
	})
}
