package acl

import (
	"fmt"
	"math"
	"math/bits"
	"sort"
)

// This file turns the context's rules into the builder's form: each field
// of each rule becomes one or more pieces, a piece being one set of allowed
// byte values per byte of the field, and the rules get the total order
// (rank) that decides between equal priorities.

// byteSet is a set of byte values, a 256-bit bitmap.
type byteSet [4]uint64

func (s *byteSet) has(b int) bool { return s[b>>6]>>(uint(b)&63)&1 != 0 }

func (s *byteSet) add(b int) { s[b>>6] |= 1 << (uint(b) & 63) }

// next returns the smallest member >= from, or 256.
func (s *byteSet) next(from int) int {
	for w := from >> 6; w < 4; w++ {
		x := s[w]
		if w == from>>6 {
			x &= ^uint64(0) << (uint(from) & 63)
		}
		if x != 0 {
			return w<<6 | bits.TrailingZeros64(x)
		}
	}
	return 256
}

var fullSet = byteSet{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}

// setInfo describes an interned byte set for the partition step.
type setInfo struct {
	bits     byteSet
	interval bool // the set is lo..hi
	lo, hi   uint8
}

// bField is one rule's field in builder form: pieces of size bytes each.
// The field matches an input when one of its pieces does; the pieces of a
// field are disjoint.
type bField struct {
	sets     []uint32 // pieces*size set ids, piece-major
	wildFrom []uint8  // per piece: the first byte from which every set is full
}

func (f *bField) pieces() int { return len(f.wildFrom) }

// bRule is one rule in builder form.
type bRule struct {
	index    int    // position among the context's rules
	catMask  uint32 // categories, limited to those built
	prio     int32
	rank     uint32 // 0 is the best
	userdata uint32
	wildDef  int // fields wildDef.. are all wildcards
	fields   []bField
	wildness []uint32 // DPDK's wildness per definition, for the rank
}

// sets interns byte sets; id 0 is the full set.
type sets struct {
	info  []setInfo
	index map[byteSet]uint32
	ivl   map[[2]uint8]uint32 // interval lo,hi -> id
	msk   map[[2]uint8]uint32 // value,mask -> id
}

func newSets() *sets {
	s := &sets{index: map[byteSet]uint32{}, ivl: map[[2]uint8]uint32{}, msk: map[[2]uint8]uint32{}}
	s.intern(fullSet)
	return s
}

func (s *sets) intern(b byteSet) uint32 {
	if id, ok := s.index[b]; ok {
		return id
	}
	id := uint32(len(s.info))
	inf := setInfo{bits: b}
	lo, hi := -1, -1
	contiguous := true
	for v := 0; v < 256; v++ {
		if b.has(v) {
			if lo < 0 {
				lo = v
			} else if hi != v-1 {
				contiguous = false
			}
			hi = v
		}
	}
	if lo >= 0 && contiguous {
		inf.interval, inf.lo, inf.hi = true, uint8(lo), uint8(hi)
	}
	s.info = append(s.info, inf)
	s.index[b] = id
	return id
}

func (s *sets) interval(lo, hi uint8) uint32 {
	k := [2]uint8{lo, hi}
	if id, ok := s.ivl[k]; ok {
		return id
	}
	var b byteSet
	for v := int(lo); v <= int(hi); v++ {
		b.add(v)
	}
	id := s.intern(b)
	s.ivl[k] = id
	return id
}

func (s *sets) masked(v, m uint8) uint32 {
	v &= m
	k := [2]uint8{v, m}
	if id, ok := s.msk[k]; ok {
		return id
	}
	var b byteSet
	for x := 0; x < 256; x++ {
		if uint8(x)&m == v {
			b.add(x)
		}
	}
	id := s.intern(b)
	s.msk[k] = id
	return id
}

// sizeMask returns the mask of a field of size bytes.
func sizeMask(size uint8) uint64 {
	if size >= 8 {
		return math.MaxUint64
	}
	return 1<<(8*uint(size)) - 1
}

// byteOf returns byte j (0 = most significant) of a size-byte value.
func byteOf(v uint64, size, j int) uint8 { return uint8(v >> (8 * uint(size-1-j))) }

// fieldBitmask returns the bitmask a Mask or Bitmask field compares under.
func fieldBitmask(d *FieldDef, f Field) uint64 {
	m := sizeMask(d.Size)
	if d.Type == Bitmask {
		return f.MaskRange & m
	}
	p := f.MaskRange // a prefix length, checked by checkRule
	if p == 0 {
		return 0
	}
	return m &^ (m >> p)
}

// checkRule validates a rule's fields against the definitions.
func checkRule(i int, defs []FieldDef, fs []Field) error {
	for n := range defs {
		d := &defs[n]
		f := fs[d.FieldIndex]
		switch d.Type {
		case Mask:
			if f.MaskRange > 8*uint64(d.Size) {
				return fmt.Errorf("%w: rule %d field %d: prefix length %d > %d bits",
					ErrInvalid, i, d.FieldIndex, f.MaskRange, 8*int(d.Size))
			}
		case Range:
			m := sizeMask(d.Size)
			if f.Value&m > f.MaskRange&m {
				return fmt.Errorf("%w: rule %d field %d: range %d : %d is empty",
					ErrInvalid, i, d.FieldIndex, f.Value&m, f.MaskRange&m)
			}
		}
	}
	return nil
}

// compileField turns one field of a rule into pieces.
func (s *sets) compileField(d *FieldDef, f Field) bField {
	size := int(d.Size)
	var out bField
	if d.Type == Range {
		m := sizeMask(d.Size)
		rangePieces(f.Value&m, f.MaskRange&m, size, func(lo, hi []uint8) {
			for j := 0; j < size; j++ {
				out.sets = append(out.sets, s.interval(lo[j], hi[j]))
			}
		})
	} else {
		bm := fieldBitmask(d, f)
		for j := 0; j < size; j++ {
			out.sets = append(out.sets, s.masked(byteOf(f.Value, size, j), byteOf(bm, size, j)))
		}
	}
	for p := 0; p < len(out.sets)/size; p++ {
		w := size
		for w > 0 && out.sets[p*size+w-1] == 0 {
			w--
		}
		out.wildFrom = append(out.wildFrom, uint8(w))
	}
	return out
}

// rangePieces splits lo..hi of a size-byte big-endian number into at most
// 2*size-1 disjoint products of per-byte intervals, as DPDK's
// acl_gen_range_trie does, and calls emit with each product's per-byte
// bounds.
func rangePieces(lo, hi uint64, size int, emit func(lo, hi []uint8)) {
	var plo, phi [8]uint8
	var rec func(lo, hi uint64, j int)
	rec = func(lo, hi uint64, j int) {
		if j == size {
			emit(plo[:size], phi[:size])
			return
		}
		restBits := 8 * uint(size-1-j)
		rest := uint64(0)
		if restBits > 0 {
			rest = 1<<restBits - 1
		}
		l, h := uint8(lo>>restBits), uint8(hi>>restBits)
		llo, hhi := lo&rest, hi&rest
		if l == h {
			plo[j], phi[j] = l, h
			rec(llo, hhi, j+1)
			return
		}
		midLo, midHi := int(l)+1, int(h)-1
		if llo == 0 {
			midLo = int(l)
		} else {
			plo[j], phi[j] = l, l
			rec(llo, rest, j+1)
		}
		if hhi == rest {
			midHi = int(h)
		}
		if midLo <= midHi {
			plo[j], phi[j] = uint8(midLo), uint8(midHi)
			for k := j + 1; k < size; k++ {
				plo[k], phi[k] = 0, 255
			}
			emit(plo[:size], phi[:size])
		}
		if hhi != rest {
			plo[j], phi[j] = h, h
			rec(0, hhi, j+1)
		}
	}
	rec(lo, hi, 0)
}

// dpdkWildness is acl_calc_wildness for one field: how much of the field's
// space the rule covers, in percent, rounded down.
func dpdkWildness(d *FieldDef, f Field) uint32 {
	bitLen := 8 * uint(d.Size)
	msk := sizeMask(d.Size)
	size := float64(bitLen)
	var wild float64
	switch d.Type {
	case Bitmask:
		wild = (size - float64(bits.OnesCount64(f.MaskRange&msk))) / size
	case Mask:
		wild = (size - float64(uint32(f.MaskRange))) / size
	case Range:
		wild = float64(f.MaskRange&msk - f.Value&msk)
		wild = wild / float64(msk)
	}
	return uint32(wild * 100)
}

// rankRules orders the rules: higher priority first; on equal priority,
// the order DPDK's builder merges rules into a trie, in which the rule
// merged first wins (acl_resolve_leaf keeps the existing leaf): rules in
// reverse order of addition, stable-sorted by wildness, the wildest first,
// comparing the fields of definitions 1.. in order (sort_rules,
// rule_cmp_wildness). rank[i] is the place of rules[i].
func rankRules(rules []bRule, ndefs int) {
	ord := make([]int, len(rules))
	for i := range ord {
		ord[i] = i
	}
	sort.Slice(ord, func(a, b int) bool {
		ra, rb := &rules[ord[a]], &rules[ord[b]]
		if ra.prio != rb.prio {
			return ra.prio > rb.prio
		}
		for n := 1; n < ndefs; n++ {
			if ra.wildness[n] != rb.wildness[n] {
				return ra.wildness[n] > rb.wildness[n]
			}
		}
		return ra.index > rb.index
	})
	for pos, i := range ord {
		rules[i].rank = uint32(pos)
	}
}
