package hash

import (
	"testing"
)

// TestNoAllocs checks that lookups, and updates of present keys, do not
// allocate.
func TestNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	// A hash function and a comparison of the application's.
	custom := func(k []byte, iv uint32) uint32 { return JHash(k, iv) ^ 1 }
	for _, c := range []struct {
		flags  Flags
		hf     HashFunc
		custom bool
	}{{0, JHash, false}, {FlagRWConcurrencyLF | FlagExtTable, nil, false}, {FlagRWConcurrency, custom, true}} {
		flags := c.flags
		h := newTable(t, Params{Entries: 1024, KeyLen: 13, HashFunc: c.hf, ExtraFlags: flags})
		if c.custom {
			h.SetCmpFunc(func(a, b []byte) bool { return string(a) == string(b) })
		}
		keys := make([][]byte, 64)
		for i := range keys {
			keys[i] = make([]byte, 13)
			keys[i][0], keys[i][7] = byte(i), byte(i*7)
			if err := h.AddKeyData(keys[i], uint64(i)); err != nil {
				t.Fatal(err)
			}
		}
		absent := make([]byte, 13)
		absent[3] = 0xff
		pos := make([]int32, 64)
		data := make([]uint64, 64)
		sigs := make([]uint32, 64)
		for i, k := range keys {
			sigs[i] = h.Hash(k)
		}
		var mask uint64
		var next uint32
		ops := map[string]func(){
			"Lookup":             func() { h.Lookup(keys[5]) },
			"Lookup miss":        func() { h.Lookup(absent) },
			"LookupWithHash":     func() { h.LookupWithHash(keys[5], sigs[5]) },
			"LookupData":         func() { h.LookupData(keys[6]) },
			"LookupWithHashData": func() { h.LookupWithHashData(keys[6], sigs[6]) },
			"LookupBulk":         func() { h.LookupBulk(keys, pos) },
			"LookupBulkWithHash": func() { h.LookupBulkWithHash(keys, sigs, pos) },
			"LookupBulkData":     func() { h.LookupBulkData(keys[:16], &mask, data) },
			"AddKeyData update":  func() { h.AddKeyData(keys[9], 9) },
			"Iterate":            func() { h.Iterate(&next) },
		}
		// Keys on the caller's stack stay there.
		ops["Lookup stack key"] = func() {
			var k [13]byte
			copy(k[:], keys[7])
			h.Lookup(k[:])
		}
		ops["LookupBulk stack keys"] = func() {
			var k [2][13]byte
			copy(k[0][:], keys[7])
			copy(k[1][:], keys[8])
			kb := [2][]byte{k[0][:], k[1][:]}
			var p [2]int32
			h.LookupBulk(kb[:], p[:])
		}
		for name, f := range ops {
			if n := testing.AllocsPerRun(100, f); n != 0 {
				t.Errorf("flags %#x: %s: %.1f allocations", flags, name, n)
			}
		}
		// Delete and add back: no allocation either.
		if n := testing.AllocsPerRun(100, func() {
			p, _ := h.Delete(keys[3])
			if flags&FlagRWConcurrencyLF != 0 {
				h.FreeKeyWithPosition(p)
			}
			h.AddKeyData(keys[3], 3)
		}); n != 0 {
			t.Errorf("flags %#x: Delete+Add: %.1f allocations", flags, n)
		}
	}
}
