package acl

import (
	"fmt"
	"math/bits"
)

// This file is the run phase (acl_run_scalar.c).

// chunk is how many inputs Classify resolves at a time.
const chunk = 64

// Classify finds, for each input buffer of data and each category below
// categories, the userdata of the highest-priority matching rule, 0 when no
// rule matches (rte_acl_classify): results[i*categories+c] is input i's
// result for category c. categories is 1 or a multiple of ResultsMultiplier
// up to MaxCategories; results holds at least len(data)*categories values.
// Categories beyond those built get 0. Each input holds the fields at the
// offsets of the build's definitions, in network byte order; a shorter
// input is an error. A context never built (or Reset) matches nothing.
//
// Classify neither allocates nor takes a lock, and may run on any number of
// goroutines at once.
func (c *Context) Classify(data [][]byte, results []uint32, categories int) error {
	if categories < 1 || categories > MaxCategories || categories != 1 && categories%ResultsMultiplier != 0 {
		return fmt.Errorf("%w: %d categories: want 1 or a multiple of %d up to %d",
			ErrInvalid, categories, ResultsMultiplier, MaxCategories)
	}
	if len(results) < len(data)*categories {
		return fmt.Errorf("%w: %d results for %d inputs of %d categories",
			ErrInvalid, len(results), len(data), categories)
	}
	rt := c.rt
	if rt == nil {
		clear(results[:len(data)*categories])
		return nil
	}
	for i, d := range data {
		if len(d) < rt.inputLen {
			return fmt.Errorf("%w: input %d is %d bytes, the fields need %d",
				ErrInvalid, i, len(d), rt.inputLen)
		}
	}
	for i := 0; i < len(data); i += chunk {
		n := min(chunk, len(data)-i)
		rt.classify(data[i:i+n], results[i*categories:(i+n)*categories], categories)
	}
	return nil
}

// ClassifyAlg is Classify with a given algorithm (rte_acl_classify_alg);
// algorithms other than AlgDefault and AlgScalar return ErrNotSupported.
func (c *Context) ClassifyAlg(data [][]byte, results []uint32, categories int, a Alg) error {
	if a != AlgDefault && a != AlgScalar {
		return fmt.Errorf("acl: classify method %v: %w", a, ErrNotSupported)
	}
	return c.Classify(data, results, categories)
}

// ClassifyFlat is Classify over inputs laid out one after the other, stride
// bytes apart, in buf: input i is buf[i*stride:(i+1)*stride].
func (c *Context) ClassifyFlat(buf []byte, stride int, results []uint32, categories int) error {
	if stride <= 0 {
		return fmt.Errorf("%w: stride %d", ErrInvalid, stride)
	}
	var ps [chunk][]byte
	n := len(buf) / stride
	for i := 0; i < n; i += chunk {
		k := min(chunk, n-i)
		for j := 0; j < k; j++ {
			o := (i + j) * stride
			ps[j] = buf[o : o+stride : o+stride]
		}
		if err := c.Classify(ps[:k], results[i*categories:], categories); err != nil {
			return err
		}
	}
	return nil
}

// classify resolves up to chunk inputs.
func (rt *classifier) classify(data [][]byte, results []uint32, categories int) {
	var m [chunk]uint32
	ncat := rt.ncat
	t0 := &rt.tries[0]
	walk(rt.trans, t0.root, t0.offs, data, m[:len(data)])
	if len(rt.tries) == 1 {
		if categories == 1 {
			for i := range data {
				results[i] = rt.ud[int(m[i])*ncat]
			}
			return
		}
		for i := range data {
			r := results[i*categories : (i+1)*categories]
			nc := min(ncat, categories)
			copy(r[:nc], rt.ud[int(m[i])*ncat:int(m[i])*ncat+nc])
			clear(r[nc:])
		}
		return
	}
	// Several tries: keep the best rank of each category.
	var rank [chunk * MaxCategories]uint32
	nc := min(ncat, categories)
	for i := range data {
		mi := int(m[i]) * ncat
		copy(rank[i*MaxCategories:i*MaxCategories+nc], rt.rank[mi:mi+nc])
	}
	for _, t := range rt.tries[1:] {
		walk(rt.trans, t.root, t.offs, data, m[:len(data)])
		for i := range data {
			mi := int(m[i]) * ncat
			for c := 0; c < nc; c++ {
				rank[i*MaxCategories+c] = min(rank[i*MaxCategories+c], rt.rank[mi+c])
			}
		}
	}
	// Ranks back to userdata: a rank is a rule.
	for i := range data {
		r := results[i*categories : (i+1)*categories]
		for c := 0; c < nc; c++ {
			r[c] = rt.rankUD(rank[i*MaxCategories+c])
		}
		clear(r[nc:])
	}
}

// rankUD returns the userdata of the rule of a rank, 0 for noRank.
func (rt *classifier) rankUD(r uint32) uint32 {
	if r == noRank {
		return 0
	}
	return rt.byRank[r]
}

// walk runs the inputs through one trie and stores the match each ends on.
// Four walks are interleaved, as DPDK's scalar code runs two, so that the
// loads of one hide the latency of the others.
func walk(trans []uint64, root uint64, offs []uint32, data [][]byte, out []uint32) {
	i := 0
	for ; i+4 <= len(data); i += 4 {
		p0, p1, p2, p3 := data[i], data[i+1], data[i+2], data[i+3]
		s0, s1, s2, s3 := root, root, root, root
		for _, o := range offs {
			s0 = next(trans, s0, p0[o])
			s1 = next(trans, s1, p1[o])
			s2 = next(trans, s2, p2[o])
			s3 = next(trans, s3, p3[o])
		}
		out[i] = uint32(s0) & addrMask
		out[i+1] = uint32(s1) & addrMask
		out[i+2] = uint32(s2) & addrMask
		out[i+3] = uint32(s3) & addrMask
	}
	switch n := len(data) - i; n {
	case 1:
		p := data[i]
		s := root
		for _, o := range offs {
			s = next(trans, s, p[o])
		}
		out[i] = uint32(s) & addrMask
	case 2, 3:
		// Two or three left: walk them side by side all the same, the
		// last one twice.
		p0, p1, p2 := data[i], data[i+1], data[i+n-1]
		s0, s1, s2 := root, root, root
		for _, o := range offs {
			s0 = next(trans, s0, p0[o])
			s1 = next(trans, s1, p1[o])
			s2 = next(trans, s2, p2[o])
		}
		out[i] = uint32(s0) & addrMask
		out[i+1] = uint32(s1) & addrMask
		out[i+n-1] = uint32(s2) & addrMask
	}
}

// next returns the transition taken from transition t on input byte b.
// It computes the index for both kinds of node and picks one without a
// branch: the kinds mix along a walk as the input bytes decide, which a
// branch predictor cannot guess.
func next(trans []uint64, t uint64, b byte) uint64 {
	hi := uint32(t >> 32)
	v := uint32(b)
	// DFA node: the group's offset.
	x := v - hi>>(v>>6<<3)&0xff
	// Range node: lanes where b > hi_k are a prefix; count them by finding
	// the first lane that is not.
	s := uint64(hi)
	s = (s | s<<16) & 0x0000ffff0000ffff
	s = (s | s<<8) & 0x00ff00ff00ff00ff
	s += uint64(b) * 0x0001000100010001
	q := uint32(bits.TrailingZeros64(^s>>8&0x0001000100010001)) >> 4
	dfa := uint32(int32(uint32(t)) >> 31) // all ones for a DFA node
	x = q ^ (q^x)&dfa
	return trans[uint32(t)&addrMask+x]
}
