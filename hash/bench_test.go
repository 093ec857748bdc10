package hash

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchTable fills a table of 1<<16 entries to 75% with random keys of n
// bytes, as hash_perf_autotest does at a smaller size.
func benchTable(b *testing.B, n uint32, hf HashFunc, flags Flags) (*Hash, [][]byte) {
	b.Helper()
	const entries = 1 << 16
	h := newTable(b, Params{Entries: entries, KeyLen: n, HashFunc: hf, ExtraFlags: flags})
	r := rand.New(rand.NewPCG(1, 2))
	keys := make([][]byte, 0, entries*3/4)
	for len(keys) < cap(keys) {
		k := make([]byte, n)
		for i := range k {
			k[i] = byte(r.Uint32())
		}
		if err := h.AddKeyData(k, uint64(len(keys))); err != nil {
			b.Fatal(err)
		}
		keys = append(keys, k)
	}
	r.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	return h, keys
}

var benchSink int32

// BenchmarkLookup is one Lookup of a present key, jhash as in
// hash_perf_autotest; ns/op.
func BenchmarkLookup(b *testing.B) {
	for _, n := range []uint32{4, 13, 16, 32, 48, 64} {
		b.Run(fmt.Sprintf("%dB", n), func(b *testing.B) {
			h, keys := benchTable(b, n, JHash, 0)
			b.ReportAllocs()
			b.ResetTimer()
			var s int32
			for i := 0; i < b.N; i++ {
				p, _ := h.Lookup(keys[i%len(keys)])
				s += p
			}
			benchSink = s
		})
	}
}

// BenchmarkLookupCRC is BenchmarkLookup with the default hash, CRC32C.
func BenchmarkLookupCRC(b *testing.B) {
	for _, n := range []uint32{4, 16, 64} {
		b.Run(fmt.Sprintf("%dB", n), func(b *testing.B) {
			h, keys := benchTable(b, n, nil, 0)
			b.ReportAllocs()
			b.ResetTimer()
			var s int32
			for i := 0; i < b.N; i++ {
				p, _ := h.Lookup(keys[i%len(keys)])
				s += p
			}
			benchSink = s
		})
	}
}

// BenchmarkLookupWithHash is Lookup with precomputed hashes: the table
// alone; ns/op.
func BenchmarkLookupWithHash(b *testing.B) {
	for _, n := range []uint32{16, 64} {
		b.Run(fmt.Sprintf("%dB", n), func(b *testing.B) {
			h, keys := benchTable(b, n, JHash, 0)
			sigs := make([]uint32, len(keys))
			for i, k := range keys {
				sigs[i] = h.Hash(k)
			}
			b.ReportAllocs()
			b.ResetTimer()
			var s int32
			for i := 0; i < b.N; i++ {
				j := i % len(keys)
				p, _ := h.LookupWithHash(keys[j], sigs[j])
				s += p
			}
			benchSink = s
		})
	}
}

// BenchmarkLookupLF is Lookup in lock-free mode.
func BenchmarkLookupLF(b *testing.B) {
	h, keys := benchTable(b, 16, JHash, FlagRWConcurrencyLF)
	b.ReportAllocs()
	b.ResetTimer()
	var s int32
	for i := 0; i < b.N; i++ {
		p, _ := h.Lookup(keys[i%len(keys)])
		s += p
	}
	benchSink = s
}

// BenchmarkLookupMiss is a Lookup of an absent key.
func BenchmarkLookupMiss(b *testing.B) {
	h, _ := benchTable(b, 16, JHash, 0)
	k := make([]byte, 16)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		k[0] = byte(i)
		k[1] = byte(i >> 8)
		h.Lookup(k)
	}
}

// BenchmarkLookupBulk looks up bursts of 16 (hash_perf_autotest's
// BURST_SIZE) and 64 keys; ns/op is per key.
func BenchmarkLookupBulk(b *testing.B) {
	for _, burst := range []int{16, 64} {
		for _, n := range []uint32{16, 64} {
			b.Run(fmt.Sprintf("burst%d/%dB", burst, n), func(b *testing.B) {
				h, keys := benchTable(b, n, JHash, 0)
				pos := make([]int32, burst)
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i += burst {
					j := i % (len(keys) - burst)
					h.LookupBulk(keys[j:j+burst], pos)
				}
			})
		}
	}
}

// BenchmarkLookupBulkData is LookupBulkData on bursts of 16; ns/op per key.
func BenchmarkLookupBulkData(b *testing.B) {
	const burst = 16
	h, keys := benchTable(b, 16, JHash, 0)
	data := make([]uint64, burst)
	var mask uint64
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += burst {
		j := i % (len(keys) - burst)
		h.LookupBulkData(keys[j:j+burst], &mask, data)
	}
}

// BenchmarkAdd adds keys to an empty table up to 75% and deletes them;
// ns/op is per add (with its delete amortised out by the timer).
func BenchmarkAdd(b *testing.B) {
	for _, n := range []uint32{16, 64} {
		b.Run(fmt.Sprintf("%dB", n), func(b *testing.B) {
			h, keys := benchTable(b, n, JHash, 0)
			h.Reset()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				j := i % len(keys)
				if j == 0 && i > 0 {
					b.StopTimer()
					h.Reset()
					b.StartTimer()
				}
				if err := h.AddKeyData(keys[j], uint64(j)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDelete deletes and re-adds a key of a full table; ns/op is per
// pair.
func BenchmarkAddDelete(b *testing.B) {
	h, keys := benchTable(b, 16, JHash, 0)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := keys[i%len(keys)]
		h.Delete(k)
		h.AddKeyData(k, 1)
	}
}

func BenchmarkJHash(b *testing.B) {
	for _, n := range []int{4, 16, 64} {
		b.Run(fmt.Sprintf("%dB", n), func(b *testing.B) {
			k := make([]byte, n)
			var s uint32
			for i := 0; i < b.N; i++ {
				s += JHash(k, uint32(i))
			}
			benchSink = int32(s)
		})
	}
}

func BenchmarkCRC32C(b *testing.B) {
	for _, n := range []int{4, 16, 64} {
		b.Run(fmt.Sprintf("%dB", n), func(b *testing.B) {
			k := make([]byte, n)
			var s uint32
			for i := 0; i < b.N; i++ {
				s += CRC32C(k, uint32(i))
			}
			benchSink = int32(s)
		})
	}
}

// BenchmarkLookupHot looks up 256 keys of a small table over and over: the
// code's cost with buckets and keys in cache.
func BenchmarkLookupHot(b *testing.B) {
	for _, n := range []uint32{4, 16, 64} {
		b.Run(fmt.Sprintf("%dB", n), func(b *testing.B) {
			h := newTable(b, Params{Entries: 1024, KeyLen: n, HashFunc: JHash})
			flat := make([]byte, 256*64)
			sigs := make([]uint32, 256)
			r := rand.New(rand.NewPCG(3, 3))
			for i := range flat {
				flat[i] = byte(r.Uint32())
			}
			key := func(i int) []byte { return flat[i*64 : i*64+int(n)] }
			for i := range sigs {
				sigs[i] = h.Hash(key(i))
				h.AddWithHash(key(i), sigs[i])
			}
			b.Run("WithHash", func(b *testing.B) {
				var s int32
				for i := 0; i < b.N; i++ {
					j := i & 255
					p, _ := h.LookupWithHash(key(j), sigs[j])
					s += p
				}
				benchSink = s
			})
			b.Run("Hash", func(b *testing.B) {
				var s int32
				for i := 0; i < b.N; i++ {
					p, _ := h.Lookup(key(i & 255))
					s += p
				}
				benchSink = s
			})
			b.Run("Bulk16", func(b *testing.B) {
				var kb [16][]byte
				var pos [16]int32
				for i := 0; i < b.N; i += 16 {
					j := i & 255
					for k := range kb {
						kb[k] = key(j + k)
					}
					h.LookupBulk(kb[:], pos[:])
				}
			})
		})
	}
}

// BenchmarkFBKLookup is hash_perf_autotest's four-byte-key test: random
// lookups in a table of 1<<15 entries two thirds full.
func BenchmarkFBKLookup(b *testing.B) {
	f, err := CreateFBK(FBKParams{Name: "bench_fbk", Entries: 1 << 15, EntriesPerBucket: 4})
	if err != nil {
		b.Fatal(err)
	}
	defer f.Free()
	r := rand.New(rand.NewPCG(5, 5))
	var keys []uint32
	for len(keys) < (1<<15)*2/3 {
		k := r.Uint32()
		if f.Add(k, uint16(k)) == nil {
			keys = append(keys, k)
		}
	}
	idx := make([]uint32, 1<<16)
	for i := range idx {
		idx[i] = uint32(r.IntN(len(keys)))
	}
	b.ResetTimer()
	var s uint32
	for i := 0; i < b.N; i++ {
		v, _ := f.Lookup(keys[idx[i&(1<<16-1)]])
		s += uint32(v)
	}
	benchSink = int32(s)
}
