package acl

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"sort"
)

// This file is the build phase (acl_bld.c): the rules become one or more
// layered DFAs over input bytes, built by subset construction with
// memoisation, pruned of rules that can no longer win, and minimised by
// hash-consing equal nodes.

// level is one input byte the DFA reads: byte j (0 = most significant) of
// definition def, at offset off of the input.
type level struct {
	off  uint32
	def  int
	byte int
}

// noRank marks a category without a match.
const noRank = ^uint32(0)

// matchBit marks a reference to a match (a result vector) rather than a node.
const matchBit = 1 << 31

// maxStates and maxEntries bound the DFA states and the transitions of one
// trie; a trie that grows beyond has its rules split over two tries, as
// DPDK's node_max does. Tests lower them.
var (
	maxStates  = 1 << 19
	maxEntries = 1 << 23
)

var errTooBig = errors.New("trie too big")

type builder struct {
	ncat   int
	defs   []FieldDef
	rules  []bRule
	sets   *sets
	levels []level

	matchIdx map[[MaxCategories]uint32]uint32
	matches  [][MaxCategories]uint32 // ranks per category
}

func checkConfig(c *Context, cfg *Config) error {
	if cfg.NumCategories < 1 || cfg.NumCategories > MaxCategories {
		return fmt.Errorf("%w: NumCategories %d: want 1..%d", ErrInvalid, cfg.NumCategories, MaxCategories)
	}
	if len(cfg.Defs) < 1 || len(cfg.Defs) > MaxFields {
		return fmt.Errorf("%w: %d field definitions: want 1..%d", ErrInvalid, len(cfg.Defs), MaxFields)
	}
	if cfg.MaxSize < 0 {
		return fmt.Errorf("%w: MaxSize %d", ErrInvalid, cfg.MaxSize)
	}
	for i, d := range cfg.Defs {
		if d.Type > Bitmask {
			return fmt.Errorf("%w: definition %d: type %d", ErrInvalid, i, d.Type)
		}
		switch d.Size {
		case 1, 2, 4, 8:
		default:
			return fmt.Errorf("%w: definition %d: size %d: want 1, 2, 4 or 8", ErrInvalid, i, d.Size)
		}
		if int(d.FieldIndex) >= c.numFields {
			return fmt.Errorf("%w: definition %d: field index %d, rules have %d fields",
				ErrInvalid, i, d.FieldIndex, c.numFields)
		}
		if uint64(d.Offset)+uint64(d.Size) > 1<<31 {
			return fmt.Errorf("%w: definition %d: offset %d", ErrInvalid, i, d.Offset)
		}
	}
	return nil
}

// build compiles the context's rules (rte_acl_build).
func build(c *Context, cfg *Config) (*classifier, error) {
	if err := checkConfig(c, cfg); err != nil {
		return nil, err
	}
	b := &builder{
		ncat:     cfg.NumCategories,
		defs:     append([]FieldDef(nil), cfg.Defs...),
		sets:     newSets(),
		matchIdx: map[[MaxCategories]uint32]uint32{},
	}
	catMask := uint32(1)<<cfg.NumCategories - 1
	for i, rd := range c.rules {
		if rd.catMask&catMask == 0 {
			continue
		}
		fs := c.fields[i*c.numFields : (i+1)*c.numFields]
		if err := checkRule(i, b.defs, fs); err != nil {
			return nil, err
		}
		r := bRule{index: i, catMask: rd.catMask & catMask, prio: rd.priority, userdata: rd.userdata}
		r.fields = make([]bField, len(b.defs))
		r.wildness = make([]uint32, len(b.defs))
		r.wildDef = len(b.defs)
		for n := range b.defs {
			d := &b.defs[n]
			r.fields[n] = b.sets.compileField(d, fs[d.FieldIndex])
			r.wildness[n] = dpdkWildness(d, fs[d.FieldIndex])
		}
		for r.wildDef > 0 {
			f := &r.fields[r.wildDef-1]
			if f.pieces() != 1 || f.wildFrom[0] != 0 {
				break
			}
			r.wildDef--
		}
		b.rules = append(b.rules, r)
	}
	if len(b.rules) == 0 {
		return nil, fmt.Errorf("%w: no rules for %d categories", ErrInvalid, cfg.NumCategories)
	}
	if len(b.rules) >= 1<<27 { // states name rules in 28 bits
		return nil, fmt.Errorf("%w: %d rules", ErrNoMem, len(b.rules))
	}
	rankRules(b.rules, len(b.defs))
	for n, d := range b.defs {
		for j := 0; j < int(d.Size); j++ {
			b.levels = append(b.levels, level{off: d.Offset + uint32(j), def: n, byte: j})
		}
	}

	// One group of rules per trie; a group whose DFA grows too big is
	// split in two, in DPDK's wildness order, so that the wildest rules,
	// which multiply the states of the others, go to a trie of their own.
	all := make([]uint32, len(b.rules))
	for i := range all {
		all[i] = uint32(i)
	}
	sortWildest(b.rules, all)
	type group struct {
		rules []uint32
		trie  *trieOut
	}
	todo := [][]uint32{all}
	var done []group
	for len(todo) > 0 {
		g := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		t, err := b.buildTrie(g, maxStates)
		if errors.Is(err, errTooBig) && len(g) > 1 {
			if len(done)+len(todo)+2 > MaxTries {
				return nil, fmt.Errorf("%w: more than %d tries needed", ErrNoMem, MaxTries)
			}
			h := len(g) / 2
			todo = append(todo, g[h:], g[:h])
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrNoMem, err)
		}
		done = append(done, group{g, t})
	}
	for {
		tries := make([]*trieOut, len(done))
		for i := range done {
			tries[i] = done[i].trie
		}
		rt, err := b.gen(tries)
		if err != nil {
			return nil, err
		}
		if cfg.MaxSize == 0 || rt.size() <= cfg.MaxSize {
			return rt, nil
		}
		// Too big: split the biggest trie's rules, as DPDK rebuilds with
		// a smaller node limit.
		big := -1
		for i := range done {
			if len(done[i].rules) > 1 && (big < 0 || done[i].trie.entries > done[big].trie.entries) {
				big = i
			}
		}
		if big < 0 || len(done) == MaxTries {
			return nil, fmt.Errorf("%w: %d bytes > max size %d", ErrNoMem, rt.size(), cfg.MaxSize)
		}
		g := done[big].rules
		h := len(g) / 2
		done = append(done[:big], done[big+1:]...)
		for _, part := range [][]uint32{g[:h], g[h:]} {
			t, err := b.buildTrie(part, maxStates)
			if err != nil {
				return nil, fmt.Errorf("%w: %v", ErrNoMem, err)
			}
			done = append(done, group{part, t})
		}
	}
}

// sortWildest orders rule indices as DPDK's sort_rules: wildest first.
func sortWildest(rules []bRule, idx []uint32) {
	sort.SliceStable(idx, func(a, b int) bool {
		ra, rb := &rules[idx[a]], &rules[idx[b]]
		for n := 1; n < len(ra.wildness); n++ {
			if ra.wildness[n] != rb.wildness[n] {
				return ra.wildness[n] > rb.wildness[n]
			}
		}
		return ra.index > rb.index
	})
}

// match interns a result vector and returns its reference.
func (b *builder) match(ranks *[MaxCategories]uint32) uint32 {
	var k [MaxCategories]uint32
	copy(k[:b.ncat], ranks[:b.ncat])
	if id, ok := b.matchIdx[k]; ok {
		return id | matchBit
	}
	id := uint32(len(b.matches))
	b.matches = append(b.matches, k)
	b.matchIdx[k] = id
	return id | matchBit
}

// ival is one interval of a node: input bytes up to hi (from the previous
// interval's hi+1) go to child.
type ival struct {
	hi    uint8
	child uint32
}

// tnode is a built node: ivals[start:start+n] of its trie.
type tnode struct {
	start, n int32
}

// trieOut is one built trie.
type trieOut struct {
	root    uint32 // node index, or matchBit|match
	levels  []level
	nodes   []tnode
	ivals   []ival
	rules   int
	states  int
	entries int // transitions the trie needs
}

// trieBuilder builds one trie.
type trieBuilder struct {
	b       *builder
	levels  []level
	first   []bool // level starts a new definition
	size    []int  // size of each level's definition
	memo    map[string]uint32
	nodeIdx map[string]uint32
	out     *trieOut
	max     int

	scratch [][]uint32 // per level: the state's items
	child   [][]uint32 // per level: a child's items
	segs    [][]ival   // per level: the node's intervals
	stamp   []uint32   // per set: last gen seen
	gen     uint32
	keybuf  []byte
}

// buildTrie builds the DFA of a group of rules.
func (b *builder) buildTrie(group []uint32, maxStates int) (*trieOut, error) {
	rs := append([]uint32(nil), group...)
	sort.Slice(rs, func(i, j int) bool { return rs[i] < rs[j] })
	t := &trieBuilder{
		b:       b,
		memo:    map[string]uint32{},
		nodeIdx: map[string]uint32{},
		out:     &trieOut{rules: len(rs)},
		max:     maxStates,
		stamp:   make([]uint32, len(b.sets.info)),
	}
	// Keep the levels where some rule of the group is not a wildcard.
	for _, lv := range b.levels {
		size := int(b.defs[lv.def].Size)
		used := false
		for _, r := range rs {
			f := &b.rules[r].fields[lv.def]
			for p := 0; p < f.pieces() && !used; p++ {
				used = f.sets[p*size+lv.byte] != 0
			}
			if used {
				break
			}
		}
		if used {
			t.levels = append(t.levels, lv)
		}
	}
	n := len(t.levels)
	t.first = make([]bool, n)
	t.size = make([]int, n)
	for i, lv := range t.levels {
		t.first[i] = i == 0 || t.levels[i-1].def != lv.def
		t.size[i] = int(b.defs[lv.def].Size)
	}
	t.scratch = make([][]uint32, n+1)
	t.child = make([][]uint32, n+1)
	t.segs = make([][]ival, n+1)
	in := make([]uint32, len(rs))
	for i, r := range rs {
		in[i] = r << 4
	}
	root, err := t.walk(0, in)
	if err != nil {
		return nil, err
	}
	t.out.root = root
	t.out.levels = t.levels
	t.out.states = len(t.memo)
	return t.out, nil
}

// wild reports whether item it (rule<<4 | piece) matches whatever the
// input bytes from level li on are.
func (t *trieBuilder) wild(it uint32, li int) bool {
	if li >= len(t.levels) {
		return true
	}
	lv := &t.levels[li]
	r := &t.b.rules[it>>4]
	if r.wildDef <= lv.def {
		return true
	}
	if r.wildDef > lv.def+1 {
		return false
	}
	return int(r.fields[lv.def].wildFrom[it&15]) <= lv.byte
}

// setOf returns the set of bytes item it allows at level li.
func (t *trieBuilder) setOf(it uint32, li int) uint32 {
	lv := &t.levels[li]
	f := &t.b.rules[it>>4].fields[lv.def]
	return f.sets[int(it&15)*t.size[li]+lv.byte]
}

// walk returns the node for the state "items in are the candidates, input
// bytes from level li on still to read".
func (t *trieBuilder) walk(li int, in []uint32) (uint32, error) {
	b := t.b
	n := len(t.levels)
	cur := t.scratch[li][:0]
	if li < n && t.first[li] {
		// A new definition: back from pieces to rules, then to the
		// pieces of this definition.
		d := t.levels[li].def
		last := ^uint32(0)
		for _, it := range in {
			r := it >> 4
			if r == last {
				continue
			}
			last = r
			np := b.rules[r].fields[d].pieces()
			for p := 0; p < np; p++ {
				cur = append(cur, r<<4|uint32(p))
			}
		}
	} else {
		cur = append(cur, in...)
	}

	// Drop the candidates that cannot win any of their categories: a
	// candidate that matches whatever follows (wild) beats every worse one.
	var best [MaxCategories]uint32
	for c := 0; c < b.ncat; c++ {
		best[c] = noRank
	}
	for _, it := range cur {
		if t.wild(it, li) {
			r := &b.rules[it>>4]
			for m := r.catMask; m != 0; m &= m - 1 {
				c := bits.TrailingZeros32(m)
				best[c] = min(best[c], r.rank)
			}
		}
	}
	k := 0
	allWild := true
	for _, it := range cur {
		r := &b.rules[it>>4]
		w := t.wild(it, li)
		for m := r.catMask; m != 0; m &= m - 1 {
			c := bits.TrailingZeros32(m)
			if r.rank < best[c] || w && r.rank == best[c] {
				cur[k] = it
				k++
				allWild = allWild && w
				break
			}
		}
	}
	cur = cur[:k]
	t.scratch[li] = cur
	if allWild {
		return b.match(&best), nil
	}

	kb := t.keybuf[:0]
	kb = binary.LittleEndian.AppendUint16(kb, uint16(li))
	for _, it := range cur {
		kb = binary.LittleEndian.AppendUint32(kb, it)
	}
	t.keybuf = kb
	if ref, ok := t.memo[string(kb)]; ok {
		return ref, nil
	}
	if len(t.memo) >= t.max {
		return 0, errTooBig
	}
	key := string(kb)

	// Partition the byte values by the sets of the candidates.
	if len(t.stamp) < len(b.sets.info) {
		t.stamp = make([]uint32, len(b.sets.info))
	}
	t.gen++
	var bounds byteSet
	for _, it := range cur {
		sid := t.setOf(it, li)
		if t.stamp[sid] == t.gen {
			continue
		}
		t.stamp[sid] = t.gen
		inf := &b.sets.info[sid]
		if inf.interval {
			if inf.lo > 0 {
				bounds.add(int(inf.lo))
			}
			if inf.hi < 255 {
				bounds.add(int(inf.hi) + 1)
			}
			continue
		}
		var carry uint64
		for w := 0; w < 4; w++ {
			x := inf.bits[w]
			bounds[w] |= x ^ (x<<1 | carry)
			carry = x >> 63
		}
	}
	bounds[0] &^= 1

	segs := t.segs[li][:0]
	for start := 0; start < 256; {
		end := bounds.next(start+1) - 1
		child := t.child[li][:0]
		for _, it := range cur {
			if b.sets.info[t.setOf(it, li)].bits.has(start) {
				child = append(child, it)
			}
		}
		t.child[li] = child
		ref, err := t.walk(li+1, child)
		if err != nil {
			return 0, err
		}
		if len(segs) > 0 && segs[len(segs)-1].child == ref {
			segs[len(segs)-1].hi = uint8(end)
		} else {
			segs = append(segs, ival{hi: uint8(end), child: ref})
		}
		start = end + 1
	}
	t.segs[li] = segs

	// Hash-cons the node.
	kb = t.keybuf[:0]
	for _, s := range segs {
		kb = append(kb, s.hi)
		kb = binary.LittleEndian.AppendUint32(kb, s.child)
	}
	t.keybuf = kb
	id, ok := t.nodeIdx[string(kb)]
	if !ok {
		t.out.entries += nodeEntries(segs)
		if t.out.entries > maxEntries {
			return 0, errTooBig
		}
		id = uint32(len(t.out.nodes))
		t.out.nodes = append(t.out.nodes, tnode{start: int32(len(t.out.ivals)), n: int32(len(segs))})
		t.out.ivals = append(t.out.ivals, segs...)
		t.nodeIdx[string(kb)] = id
	}
	t.memo[key] = id
	return id, nil
}
