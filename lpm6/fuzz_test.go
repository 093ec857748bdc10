package lpm6

import (
	"sync"
	"testing"

	"dpk/internal/route6test"
)

var (
	fuzzOnce  sync.Once
	fuzzTable *LPM
)

// FuzzOps runs a sequence of adds and deletes taken from the input on a
// table, checks every lookup that matters against the brute-force
// oracle, then deletes every rule and checks that the table is empty
// again (no tbl8 group left behind). Each op is 3 bytes: kind and depth,
// then the first and the last byte of the address (the bytes between are
// 0, so that prefixes nest and overlap).
func FuzzOps(f *testing.F) {
	f.Add([]byte{0x30, 0x80, 0x01, 0xfe, 0x80, 0x01, 0x31, 0x80, 0x01})
	f.Add([]byte{0x00, 0x00, 0x00, 0xfe, 0x00, 0x00, 0x2e, 0x00, 0x00, 0x01, 0x00, 0x00})
	f.Add([]byte{0xfe, 0x20, 0x10, 0x7e, 0x20, 0x10, 0x3e, 0x20, 0x00, 0xff, 0x20, 0x10})
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzOnce.Do(func() {
			var err error
			fuzzTable, err = Create("fuzz", -1, Config{MaxRules: 1 << 16, NumberTbl8s: 1 << 12})
			if err != nil {
				panic(err)
			}
		})
		l := fuzzTable
		o := oracle{}
		for len(data) >= 3 {
			op, first, last := data[0], data[1], data[2]
			data = data[3:]
			depth := op>>1&0x7f + 1
			var ip [AddrSize]byte
			ip[0], ip[15] = first, last
			k := ruleKey{route6test.MaskAddr(ip, depth), depth}
			if op&1 == 0 {
				nh := uint32(first)<<8 | uint32(last)
				if err := l.Add(ip, depth, nh); err != nil {
					t.Fatalf("Add(%x/%d): %v", ip, depth, err)
				}
				o[k] = nh
			} else {
				_, present := o[k]
				err := l.Delete(ip, depth)
				if present != (err == nil) {
					t.Fatalf("Delete(%x/%d) = %v; rule present: %v", ip, depth, err, present)
				}
				delete(o, k)
			}
		}
		rs := o.snapshot()
		check := func(ip [AddrSize]byte) {
			want, wantOK := bruteLookup(rs, ip)
			if nh, ok := l.Lookup(&ip); ok != wantOK || nh != want && ok {
				t.Fatalf("Lookup(%x) = %d, %v; oracle says %d, %v", ip, nh, ok, want, wantOK)
			}
		}
		for _, r := range rs {
			check(r.ip)
			last := r.ip
			for i := range last {
				last[i] |= ^r.mask[i]
			}
			check(last)
			next := last
			for i := AddrSize - 1; i >= 0; i-- {
				if next[i]++; next[i] != 0 {
					break
				}
			}
			check(next)
		}
		for k := range o {
			if err := l.Delete(k.ip, k.depth); err != nil {
				t.Fatalf("cleanup Delete(%x/%d): %v", k.ip, k.depth, err)
			}
		}
		if l.Tbl8sInUse() != 0 || l.Rules() != 0 {
			t.Fatalf("emptied table keeps %d tbl8 groups, %d rules", l.Tbl8sInUse(), l.Rules())
		}
		for _, r := range rs {
			if _, ok := l.Lookup(&r.ip); ok {
				t.Fatalf("emptied table: Lookup(%x) hits", r.ip)
			}
		}
	})
}
