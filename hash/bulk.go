package hash

import "math/bits"

// bulkState is the per-key state of a bulk lookup, on the caller's stack.
type bulkState struct {
	short     [LookupBulkMax]uint16
	prim, sec [LookupBulkMax]uint32
	pmask     [LookupBulkMax]uint8 // matchByte of the primary bucket
	smask     [LookupBulkMax]uint8
	idx       [LookupBulkMax]uint32
	valid     uint64 // keys of the right length
	n         int
}

// bulk looks up keys and fills st.idx with their key-store indices (0 for
// a miss); it returns the mask of hits (__bulk_lookup_l/_lf). It works in
// two passes, as DPDK: first the signatures of every key's two buckets,
// then the keys of the entries whose signature matched, primary bucket
// first (bulkKeys); then the chains of extendable buckets for the keys
// still missing. In lock-free mode it starts again, keeping its hits,
// when a cuckoo move may have hidden a key.
func (h *Hash) bulk(st *bulkState, keys [][]byte) uint64 {
	n := st.n
	if h.rwLock {
		h.rw.RLock()
		defer h.rw.RUnlock()
	}
	var hits uint64
	for {
		cnt := h.tblChngCnt.Load()
		// Compare signatures and prefetch the key of the first hit (its
		// index goes in st.idx for the prefetch, then st.idx is cleared
		// for the results).
		for i := 0; i < n; i++ {
			pb, sb := &h.buckets[st.prim[i]], &h.buckets[st.sec[i]]
			pm, sm := pb.matchByte(st.short[i]), sb.matchByte(st.short[i])
			st.pmask[i], st.smask[i] = pm, sm
			var f uint32
			if pm != 0 {
				e, _ := matchEntry8(pm)
				f = pb.keyAt(e)
			} else if sm != 0 {
				e, _ := matchEntry8(sm)
				f = sb.keyAt(e)
			}
			if hits&(1<<i) == 0 {
				st.idx[i] = f
			}
		}
		h.prefetchKeys(st.idx[:n])
		for i := 0; i < n; i++ {
			if hits&(1<<i) == 0 {
				st.idx[i] = 0
			}
		}
		hits = h.bulkKeys(st, keys, hits)
		if hits != st.valid && h.extTable {
			for i := 0; i < n; i++ {
				if st.valid&(1<<i) == 0 || hits&(1<<i) != 0 {
					continue
				}
				for b := h.nextBucket(&h.buckets[st.sec[i]]); b != nil; b = h.nextBucket(b) {
					if idx := h.searchBucket(b, keys[i], st.short[i]); idx != 0 {
						st.idx[i] = idx
						hits |= 1 << i
						break
					}
				}
			}
		}
		if hits == st.valid || h.tblChngCnt.Load() == cnt {
			return hits
		}
	}
}

// prepBulk checks a bulk's arguments and fills st with each key's
// buckets, from sigs or, when sigs is nil, from the keys' hashes
// (__bulk_lookup_prefetching_loop without the prefetches). It returns
// false for a bad count.
func (h *Hash) prepBulk(st *bulkState, keys [][]byte, sigs []uint32, nOut int) bool {
	n := len(keys)
	if n == 0 || n > LookupBulkMax || nOut < n || (sigs != nil && len(sigs) < n) {
		return false
	}
	st.n = n
	for i, k := range keys {
		if uintptr(len(k)) != h.keyLen {
			continue
		}
		st.valid |= 1 << i
		var s uint32
		switch {
		case sigs != nil:
			s = sigs[i]
		case h.hashKind == hashJHash:
			s = JHash(k, h.initVal)
		default:
			s = h.Hash(k)
		}
		st.short[i], st.prim[i], st.sec[i] = h.bucketsOf(s)
		h.prefetchBucketPair(st.prim[i], st.sec[i])
	}
	return true
}

// LookupBulk looks up 1 to LookupBulkMax keys at once (rte_hash_lookup_bulk)
// and sets positions[i] to key i's position, or -1 for a key that is not
// in the table or has the wrong length. It returns ErrInvalid, and does
// nothing, when len(keys) is 0 or above LookupBulkMax or positions is
// shorter than keys. It does not allocate.
func (h *Hash) LookupBulk(keys [][]byte, positions []int32) error {
	var st bulkState
	if !h.prepBulk(&st, keys, nil, len(positions)) {
		return ErrInvalid
	}
	h.bulk(&st, keys)
	st.positions(positions)
	return nil
}

// LookupBulkWithHash is LookupBulk with the keys' hashes computed
// beforehand (rte_hash_lookup_with_hash_bulk); sigs must be as long as keys.
func (h *Hash) LookupBulkWithHash(keys [][]byte, sigs []uint32, positions []int32) error {
	var st bulkState
	if sigs == nil || !h.prepBulk(&st, keys, sigs, len(positions)) {
		return ErrInvalid
	}
	h.bulk(&st, keys)
	st.positions(positions)
	return nil
}

// LookupBulkData looks up 1 to LookupBulkMax keys at once
// (rte_hash_lookup_bulk_data): bit i of *hitMask tells whether key i was
// found, and then data[i] holds its data; the other elements of data are
// left alone. It returns the number of hits, or ErrInvalid as LookupBulk
// when data is shorter than keys. It does not allocate.
func (h *Hash) LookupBulkData(keys [][]byte, hitMask *uint64, data []uint64) (int, error) {
	var st bulkState
	if !h.prepBulk(&st, keys, nil, len(data)) {
		return 0, ErrInvalid
	}
	hits := h.bulk(&st, keys)
	return h.bulkData(&st, hits, hitMask, data), nil
}

// LookupBulkWithHashData is LookupBulkData with precomputed hashes
// (rte_hash_lookup_with_hash_bulk_data).
func (h *Hash) LookupBulkWithHashData(keys [][]byte, sigs []uint32, hitMask *uint64, data []uint64) (int, error) {
	var st bulkState
	if sigs == nil || !h.prepBulk(&st, keys, sigs, len(data)) {
		return 0, ErrInvalid
	}
	hits := h.bulk(&st, keys)
	return h.bulkData(&st, hits, hitMask, data), nil
}

func (st *bulkState) positions(pos []int32) {
	for i := 0; i < st.n; i++ {
		pos[i] = int32(st.idx[i]) - 1
	}
}

func (h *Hash) bulkData(st *bulkState, hits uint64, hitMask *uint64, data []uint64) int {
	c := 0
	for m := hits; m != 0; m &= m - 1 {
		i := bits.TrailingZeros64(m)
		data[i] = h.keys.data(st.idx[i])
		c++
	}
	if hitMask != nil {
		*hitMask = hits
	}
	return c
}
