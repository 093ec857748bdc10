package acl_test

import (
	"math"
	"math/bits"
	"sort"

	"dpk/acl"
)

// oracle is the naive reference: every rule checked against every input.
type oracle struct {
	defs  []acl.FieldDef
	rules []acl.Rule
	ncat  int
	// pos is each rule's place in the order DPDK's builder merges rules
	// into a trie; on equal priority the earlier one wins.
	pos []int
}

func newOracle(defs []acl.FieldDef, rules []acl.Rule, ncat int) *oracle {
	o := &oracle{defs: defs, rules: rules, ncat: ncat, pos: make([]int, len(rules))}
	wild := make([][]uint32, len(rules))
	for i, r := range rules {
		for _, d := range defs {
			wild[i] = append(wild[i], refWildness(d, r.Fields[d.FieldIndex]))
		}
	}
	// Reverse order of addition, then a stable sort, wildest first, on the
	// fields of definitions 1.. (acl_build_rules, sort_rules).
	ord := make([]int, len(rules))
	for i := range ord {
		ord[i] = len(rules) - 1 - i
	}
	sort.SliceStable(ord, func(a, b int) bool {
		wa, wb := wild[ord[a]], wild[ord[b]]
		for n := 1; n < len(defs); n++ {
			if wa[n] != wb[n] {
				return wa[n] > wb[n]
			}
		}
		return false
	})
	for p, i := range ord {
		o.pos[i] = p
	}
	return o
}

// refWildness is DPDK's acl_calc_wildness for one field.
func refWildness(d acl.FieldDef, f acl.Field) uint32 {
	bitLen := 8 * int(d.Size)
	msk := uint64(math.MaxUint64)
	if bitLen < 64 {
		msk = 1<<bitLen - 1
	}
	size := float64(bitLen)
	var w float64
	switch d.Type {
	case acl.Bitmask:
		w = (size - float64(bits.OnesCount64(f.MaskRange&msk))) / size
	case acl.Mask:
		w = (size - float64(uint32(f.MaskRange))) / size
	case acl.Range:
		w = float64(f.MaskRange&msk-f.Value&msk) / float64(msk)
	}
	return uint32(w * 100)
}

// read returns the size-byte big-endian number at b.
func read(b []byte, size int) uint64 {
	var v uint64
	for _, x := range b[:size] {
		v = v<<8 | uint64(x)
	}
	return v
}

func (o *oracle) matches(r *acl.Rule, in []byte) bool {
	for _, d := range o.defs {
		f := r.Fields[d.FieldIndex]
		x := read(in[d.Offset:], int(d.Size))
		msk := uint64(math.MaxUint64)
		if d.Size < 8 {
			msk = 1<<(8*uint(d.Size)) - 1
		}
		switch d.Type {
		case acl.Range:
			if x < f.Value&msk || x > f.MaskRange&msk {
				return false
			}
		case acl.Bitmask:
			if x&f.MaskRange&msk != f.Value&f.MaskRange&msk {
				return false
			}
		case acl.Mask:
			var m uint64
			if f.MaskRange > 0 {
				m = msk << (8*uint64(d.Size) - f.MaskRange) & msk
			}
			if x&m != f.Value&m {
				return false
			}
		}
	}
	return true
}

// classify writes the results of one input for categories categories.
func (o *oracle) classify(in []byte, res []uint32) {
	best := make([]int, len(res))
	for c := range best {
		best[c] = -1
	}
	for i := range o.rules {
		r := &o.rules[i]
		if !o.matches(r, in) {
			continue
		}
		for c := range res {
			if c >= o.ncat || r.CategoryMask&(1<<c) == 0 {
				continue
			}
			b := best[c]
			if b < 0 || r.Priority > o.rules[b].Priority ||
				r.Priority == o.rules[b].Priority && o.pos[i] < o.pos[b] {
				best[c] = i
			}
		}
	}
	for c := range res {
		res[c] = 0
		if best[c] >= 0 {
			res[c] = o.rules[best[c]].Userdata
		}
	}
}
