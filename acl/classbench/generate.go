package classbench

import (
	"math/rand/v2"

	"dpk/acl"
)

// Generate returns n tuples of size bytes for rules laid out by defs, in the
// spirit of ClassBench's trace generator: most tuples are made inside a
// random rule, many of those on its edges (the ends of its ranges and
// prefixes) or just outside one field of it, and the rest are random. The
// same seed gives the same tuples.
func Generate(defs []acl.FieldDef, rules []acl.Rule, size, n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := make([]byte, n*size)
	for i := 0; i < n; i++ {
		t := out[i*size : (i+1)*size]
		for j := range t {
			t[j] = byte(rng.Uint32())
		}
		if len(rules) == 0 || rng.IntN(8) == 0 {
			continue // random
		}
		r := &rules[rng.IntN(len(rules))]
		mode := rng.IntN(4) // 0, 1: inside; 2: edges; 3: one field just outside
		miss := -1
		if mode == 3 {
			miss = rng.IntN(len(defs))
		}
		for k, d := range defs {
			f := r.Fields[d.FieldIndex]
			var v uint64
			switch {
			case k == miss:
				v = outside(rng, d, f)
			case mode == 2:
				v = edge(rng, d, f)
			default:
				v = inside(rng, d, f)
			}
			put(t[d.Offset:], d.Size, v)
		}
	}
	return out
}

func sizeMask(size uint8) uint64 {
	if size >= 8 {
		return ^uint64(0)
	}
	return 1<<(8*uint(size)) - 1
}

// bitmask returns a Mask or Bitmask field's mask.
func bitmask(d acl.FieldDef, f acl.Field) uint64 {
	m := sizeMask(d.Size)
	if d.Type == acl.Bitmask {
		return f.MaskRange & m
	}
	if f.MaskRange == 0 || f.MaskRange > 8*uint64(d.Size) {
		return 0
	}
	return m &^ (m >> f.MaskRange)
}

// inside returns a random value the field matches.
func inside(rng *rand.Rand, d acl.FieldDef, f acl.Field) uint64 {
	m := sizeMask(d.Size)
	if d.Type == acl.Range {
		lo, hi := f.Value&m, f.MaskRange&m
		if hi < lo {
			return rng.Uint64() & m
		}
		if hi-lo == m {
			return rng.Uint64() & m
		}
		return lo + rng.Uint64N(hi-lo+1)
	}
	bm := bitmask(d, f)
	return f.Value&bm | rng.Uint64()&m&^bm
}

// edge returns a value on the edge of what the field matches, inside it.
func edge(rng *rand.Rand, d acl.FieldDef, f acl.Field) uint64 {
	m := sizeMask(d.Size)
	if d.Type == acl.Range {
		if rng.IntN(2) == 0 {
			return f.Value & m
		}
		return f.MaskRange & m
	}
	bm := bitmask(d, f)
	if rng.IntN(2) == 0 {
		return f.Value & bm
	}
	return f.Value&bm | m&^bm
}

// outside returns a value next to what the field matches, often outside it.
func outside(rng *rand.Rand, d acl.FieldDef, f acl.Field) uint64 {
	m := sizeMask(d.Size)
	if d.Type == acl.Range {
		if rng.IntN(2) == 0 {
			return (f.Value - 1) & m
		}
		return (f.MaskRange + 1) & m
	}
	bm := bitmask(d, f)
	if bm == 0 {
		return rng.Uint64() & m
	}
	if rng.IntN(2) == 0 {
		return (f.Value&bm - 1) & m
	}
	return ((f.Value&bm | m&^bm) + 1) & m
}

// put writes v as a size-byte big-endian number.
func put(b []byte, size uint8, v uint64) {
	for j := int(size) - 1; j >= 0; j-- {
		b[j] = byte(v)
		v >>= 8
	}
}
