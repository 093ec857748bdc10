package acl

import (
	"fmt"
	"io"
)

// This file is the generate phase (acl_gen.c): the built tries become one
// flat array of 64-bit transitions, the form Classify walks.
//
// A transition is | node specific : 32 | dfa : 1 | match : 1 | addr : 30 |.
// addr is where the target node's transitions start in the array. The node
// specific half says how an input byte picks one of them:
//
//   - range node (dfa 0): up to five intervals of byte values. The half holds
//     four bytes c0..c3, c_k = 255 - hi_k, where hi_k is the last byte value
//     of interval k (255 pads); the byte b takes transition #{k: b+c_k > 255}.
//     A node with one interval (all zero bytes) always takes its first and
//     only transition.
//   - DFA node (dfa 1): 256 transitions in four groups of 64, identical
//     groups stored once. Byte g of the half is how far group g was moved
//     back, so byte b takes transition b - byte[b/64].
//   - match (match 1): a result. Its transition is a one-interval node whose
//     only transition is itself, at addr = the match's number, so a walk that
//     reaches it early stays there.

const (
	addrMask  = 1<<30 - 1
	matchFlag = 1 << 30
	dfaFlag   = 1 << 31
)

// maxRangeNode is the most intervals a range node holds.
const maxRangeNode = 5

// classifier is a built classifier: the runtime structures of DPDK.
type classifier struct {
	ncat  int
	trans []uint64
	tries []rtTrie
	// Per match, per category: the winning rule's userdata and rank.
	ud   []uint32
	rank []uint32
	// byRank is the userdata of the rule of each rank.
	byRank []uint32
	// inputLen is the shortest input Classify accepts.
	inputLen int

	nmatch, nrange, nsingle, ndfa, ndfaGroups int
}

// rtTrie is one trie of the classifier.
type rtTrie struct {
	root   uint64   // transition to the root node
	offs   []uint32 // the input byte each step reads
	rules  int
	states int
}

func (rt *classifier) size() int {
	n := 8 * len(rt.trans)
	n += 4 * (len(rt.ud) + len(rt.rank) + len(rt.byRank))
	for _, t := range rt.tries {
		n += 4*len(t.offs) + 32
	}
	return n
}

func (rt *classifier) dump(w io.Writer) {
	fmt.Fprintf(w, "  memory=%d bytes (%d transitions)\n", rt.size(), len(rt.trans))
	fmt.Fprintf(w, "  nodes: %d single, %d range, %d dfa (%d groups of 64), %d matches\n",
		rt.nsingle, rt.nrange, rt.ndfa, rt.ndfaGroups, rt.nmatch)
	for i, t := range rt.tries {
		fmt.Fprintf(w, "  trie %d: %d rules, %d input bytes, %d states\n", i, t.rules, len(t.offs), t.states)
	}
}

// gen lays the tries out in one transition array.
func (b *builder) gen(tries []*trieOut) (*classifier, error) {
	// Number the matches the tries use (tries given up on left others).
	renum := make([]int32, len(b.matches))
	for i := range renum {
		renum[i] = -1
	}
	var used []int // new number -> match
	use := func(ref uint32) {
		if ref&matchBit != 0 && renum[ref&^matchBit] < 0 {
			renum[ref&^matchBit] = int32(len(used))
			used = append(used, int(ref&^matchBit))
		}
	}
	for _, t := range tries {
		use(t.root)
		for _, s := range t.ivals {
			use(s.child)
		}
	}
	rt := &classifier{ncat: b.ncat, nmatch: len(used)}
	// Matches first: transition m is the match m, looping on itself.
	total := len(used)
	type place struct {
		addr int
		word uint64 // transition to the node, without addr
	}
	places := make([][]place, len(tries))
	var groups [][4]int // scratch: per DFA node, where each group goes
	for ti, t := range tries {
		ps := make([]place, len(t.nodes))
		for ni, nd := range t.nodes {
			iv := t.ivals[nd.start : nd.start+nd.n]
			ps[ni].addr = total
			if len(iv) <= maxRangeNode {
				var hi uint64
				for k := 0; k < len(iv)-1; k++ {
					hi |= uint64(255-iv[k].hi) << (8 * k)
				}
				ps[ni].word = hi << 32
				total += len(iv)
				if len(iv) == 1 {
					rt.nsingle++
				} else {
					rt.nrange++
				}
				continue
			}
			tab := expand(iv)
			pos, n := dfaLayout(&tab)
			var hi uint64
			for g := 0; g < 4; g++ {
				hi |= uint64((g-pos[g])*64) << (8 * g)
			}
			ps[ni].word = hi<<32 | dfaFlag
			total += 64 * n
			rt.ndfa++
			rt.ndfaGroups += n
			groups = append(groups, pos)
		}
		places[ti] = ps
	}
	if total > addrMask {
		return nil, fmt.Errorf("%w: %d transitions", ErrNoMem, total)
	}
	rt.trans = make([]uint64, total)
	for m := range used {
		rt.trans[m] = uint64(m) | matchFlag
	}
	word := func(ps []place, ref uint32) uint64 {
		if ref&matchBit != 0 {
			return uint64(renum[ref&^matchBit]) | matchFlag
		}
		p := ps[ref]
		return p.word | uint64(p.addr)
	}
	gi := 0
	for ti, t := range tries {
		ps := places[ti]
		for ni, nd := range t.nodes {
			iv := t.ivals[nd.start : nd.start+nd.n]
			at := ps[ni].addr
			if len(iv) <= maxRangeNode {
				for k, s := range iv {
					rt.trans[at+k] = word(ps, s.child)
				}
				continue
			}
			tab := expand(iv)
			pos := groups[gi]
			gi++
			var written [4]bool
			for g := 0; g < 4; g++ {
				if written[pos[g]] {
					continue // a repeat, stored already
				}
				written[pos[g]] = true
				for x := 0; x < 64; x++ {
					rt.trans[at+pos[g]*64+x] = word(ps, tab[g*64+x])
				}
			}
		}
		rt.tries = append(rt.tries, rtTrie{root: word(ps, t.root), rules: t.rules, states: t.states})
		tr := &rt.tries[len(rt.tries)-1]
		for _, lv := range t.levels {
			tr.offs = append(tr.offs, lv.off)
		}
	}
	// Results per match and category.
	ud := make([]uint32, len(b.rules))
	for i := range b.rules {
		ud[b.rules[i].rank] = b.rules[i].userdata
	}
	rt.byRank = ud
	rt.ud = make([]uint32, len(used)*b.ncat)
	rt.rank = make([]uint32, len(used)*b.ncat)
	for m, old := range used {
		v := &b.matches[old]
		for c := 0; c < b.ncat; c++ {
			rt.rank[m*b.ncat+c] = v[c]
			if v[c] != noRank {
				rt.ud[m*b.ncat+c] = ud[v[c]]
			}
		}
	}
	for _, d := range b.defs {
		rt.inputLen = max(rt.inputLen, int(d.Offset)+int(d.Size))
	}
	return rt, nil
}

// dfaLayout returns where each group of 64 transitions of a DFA node is
// stored, identical groups once, and how many groups are stored.
func dfaLayout(tab *[256]uint32) (pos [4]int, n int) {
	for g := 0; g < 4; g++ {
		pos[g] = -1
		for h := 0; h < g; h++ {
			if [64]uint32(tab[g*64:g*64+64]) == [64]uint32(tab[h*64:h*64+64]) {
				pos[g] = pos[h]
				break
			}
		}
		if pos[g] < 0 {
			pos[g] = n
			n++
		}
	}
	return pos, n
}

// nodeEntries returns the number of transitions a node takes.
func nodeEntries(iv []ival) int {
	if len(iv) <= maxRangeNode {
		return len(iv)
	}
	tab := expand(iv)
	_, n := dfaLayout(&tab)
	return 64 * n
}

// expand returns the child of every byte value of a node.
func expand(iv []ival) (tab [256]uint32) {
	v := 0
	for _, s := range iv {
		for ; v <= int(s.hi); v++ {
			tab[v] = s.child
		}
	}
	return tab
}
