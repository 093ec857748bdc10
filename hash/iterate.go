package hash

// Iterate returns the next key of the table and its data
// (rte_hash_iterate). Start with *next = 0 and call it until ok is false;
// it walks the buckets, then the extendable buckets, in order. The key
// aliases the table's key store; keys added or deleted during the walk may
// or may not be seen.
func (h *Hash) Iterate(next *uint32) (key []byte, data uint64, ok bool) {
	_, key, data, ok = h.IteratePos(next)
	return
}

// IteratePos is Iterate that also returns the key's position, as
// rte_hash_iterate does.
func (h *Hash) IteratePos(next *uint32) (pos int32, key []byte, data uint64, ok bool) {
	mainEntries := h.numBuckets * BucketEntries
	total := mainEntries
	if h.extTable {
		total *= 2
	}
	if h.rwLock {
		h.rw.RLock()
		defer h.rw.RUnlock()
	}
	for ; *next < total; *next++ {
		n := *next
		var b *bucket
		if n < mainEntries {
			b = &h.buckets[n/BucketEntries]
		} else {
			b = &h.ext[(n-mainEntries)/BucketEntries]
		}
		idx := b.keyAt(int(n % BucketEntries))
		if idx == emptySlot {
			continue
		}
		*next++
		return int32(idx - 1), h.keys.key(idx, uint32(h.keyLen)), h.keys.data(idx), true
	}
	return -1, nil, 0, false
}
