package hash

import (
	"errors"
	"testing"
)

// FuzzOps runs a program of table operations decoded from the input on a
// small table and checks every answer against a Go map. The first byte
// picks the key length (1 to 64) and the flags; each following group of
// bytes is an operation code and a key, whose bytes come from the input.
// A weak hash function makes collisions, cuckoo moves and chains common.
func FuzzOps(f *testing.F) {
	f.Add([]byte{0x05, 0, 1, 2, 3, 4, 5, 1, 1, 2, 3, 4, 5, 2, 1, 2, 3, 4, 5})
	f.Add([]byte{0x8f, 0, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 3, 0, 0, 0, 0})
	f.Add([]byte{0x40, 0, 0xff, 0xff, 0xff, 0xff, 3, 0xff, 0xff, 0xff, 0xff, 1})
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) < 2 {
			return
		}
		keyLen := uint32(in[0]&63) + 1
		var flags Flags
		if in[0]&0x40 != 0 {
			flags |= FlagExtTable
		}
		if in[0]&0x80 != 0 {
			flags |= FlagRWConcurrencyLF
		}
		h := newTable(t, Params{Entries: 16, KeyLen: keyLen, HashFunc: weakHash, ExtraFlags: flags})
		m := map[string]uint64{}
		pos := map[string]int32{}
		in = in[1:]
		for step := uint64(1); len(in) > 0; step++ {
			op := in[0] % 4
			in = in[1:]
			// The key: up to 4 bytes from the input, the rest zeros, so
			// that keys repeat.
			key := make([]byte, keyLen)
			n := copy(key[:min(4, len(key))], in)
			in = in[n:]
			switch op {
			case 0, 1:
				err := h.AddKeyData(key, step)
				if errors.Is(err, ErrNoSpace) {
					if _, in := m[string(key)]; in {
						t.Fatal("ErrNoSpace for a present key")
					}
					if flags&FlagExtTable != 0 && h.Count() != 16 {
						t.Fatalf("ErrNoSpace with extendable buckets at %d keys", h.Count())
					}
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				p, err := h.Lookup(key)
				if err != nil {
					t.Fatalf("lookup after add: %v", err)
				}
				if old, in := pos[string(key)]; in && old != p {
					t.Fatalf("update moved the key from %d to %d", old, p)
				}
				m[string(key)], pos[string(key)] = step, p
			case 2:
				p, err := h.Delete(key)
				want, in := pos[string(key)]
				if in != (err == nil) || (in && p != want) {
					t.Fatalf("Delete: %d, %v; want %d, present %v", p, err, want, in)
				}
				if in && flags&FlagRWConcurrencyLF != 0 {
					if err := h.FreeKeyWithPosition(p); err != nil {
						t.Fatal(err)
					}
				}
				delete(m, string(key))
				delete(pos, string(key))
			case 3:
				d, ok := h.LookupData(key)
				want, in := m[string(key)]
				if ok != in || d != want {
					t.Fatalf("LookupData: %d %v; want %d %v", d, ok, want, in)
				}
				var mask uint64
				out := make([]uint64, 2)
				h.LookupBulkData([][]byte{key, key}, &mask, out)
				if (mask == 3) != in || (in && (out[0] != want || out[1] != want)) {
					t.Fatalf("LookupBulkData: mask %b data %v; want %d %v", mask, out, want, in)
				}
			}
		}
		if h.Count() != len(m) {
			t.Fatalf("Count %d, want %d", h.Count(), len(m))
		}
		var next uint32
		seen := 0
		for {
			k, d, ok := h.Iterate(&next)
			if !ok {
				break
			}
			if m[string(k)] != d {
				t.Fatalf("Iterate: %x has %d, want %d", k, d, m[string(k)])
			}
			seen++
		}
		if seen != len(m) {
			t.Fatalf("Iterate saw %d keys, want %d", seen, len(m))
		}
	})
}
