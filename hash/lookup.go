package hash

//go:generate go run gen_lookup.go

// searchBucket returns the key index of key in b, 0 if it is not there
// (search_one_bucket_lf): signatures first, then the key-store index with
// acquire order, then the key. A stale signature that matches while the
// index belongs to another key only costs a key comparison that fails.
// The lookups have their own copies, written out for each key length
// (lookup_gen_unsafe.go); this one serves the extendable buckets of bulk
// lookups.
func (h *Hash) searchBucket(b *bucket, key []byte, short uint16) uint32 {
	for m := b.match(short); m != 0; {
		var i int
		i, m = matchEntry(m)
		if idx := b.keyAt(i); idx != emptySlot && h.keyEq(idx, key) {
			return idx
		}
	}
	return 0
}

// findLocked is lookupIdx under the read lock of FlagRWConcurrency.
func (h *Hash) findLocked(key []byte, sig uint32) uint32 {
	h.rw.RLock()
	idx := h.lookupIdx(key, sig)
	h.rw.RUnlock()
	return idx
}

// find returns the key-store index of key, 0 when it is absent or has the
// wrong length.
func (h *Hash) find(key []byte, sig uint32) uint32 {
	if uintptr(len(key)) != h.keyLen {
		return 0
	}
	if h.rwLock {
		return h.findLocked(key, sig)
	}
	return h.lookupIdx(key, sig)
}

// Lookup returns the position of key (rte_hash_lookup): a number from 0
// to MaxKeyID()-1, unique among the keys in the table, that an
// application may use to index its own array of data. It returns -1 and
// ErrNotFound for a key not in the table, ErrInvalid for a key whose
// length is not the table's. It does not allocate.
func (h *Hash) Lookup(key []byte) (int32, error) { return h.findPos(key, 0, true) }

// LookupWithHash is Lookup with the key's hash computed beforehand by
// Hash (rte_hash_lookup_with_hash).
func (h *Hash) LookupWithHash(key []byte, sig uint32) (int32, error) {
	return h.findPos(key, sig, false)
}

// LookupData returns the data stored with key and true, or 0 and false if
// key is not in the table or has the wrong length (rte_hash_lookup_data).
func (h *Hash) LookupData(key []byte) (uint64, bool) { return h.findData(key, 0, true) }

// LookupWithHashData is LookupData with a precomputed hash
// (rte_hash_lookup_with_hash_data).
func (h *Hash) LookupWithHashData(key []byte, sig uint32) (uint64, bool) {
	return h.findData(key, sig, false)
}

// LookupPosData returns the position and the data of key (DPDK's
// rte_hash_lookup_data, which returns both): -1 and ErrNotFound or
// ErrInvalid as Lookup.
func (h *Hash) LookupPosData(key []byte) (int32, uint64, error) {
	if uintptr(len(key)) != h.keyLen {
		return -1, 0, ErrInvalid
	}
	if idx := h.find(key, h.Hash(key)); idx != 0 {
		return int32(idx - 1), h.keys.data(idx), nil
	}
	return -1, 0, ErrNotFound
}
