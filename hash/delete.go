package hash

// Delete removes key from the table and returns the position it had
// (rte_hash_del_key). With FlagNoFreeOnDel or FlagRWConcurrencyLF the
// position stays taken, with its key and data unchanged, until
// FreeKeyWithPosition is called for it: a lock-free reader that found the
// key just before it was deleted may still read them. It returns -1 and
// ErrNotFound if key is not in the table, ErrInvalid if its length is not
// the table's.
func (h *Hash) Delete(key []byte) (int32, error) {
	if uintptr(len(key)) != h.keyLen {
		return -1, ErrInvalid
	}
	return h.del(key, h.Hash(key))
}

// DeleteWithHash is Delete with a precomputed hash (rte_hash_del_key_with_hash).
func (h *Hash) DeleteWithHash(key []byte, sig uint32) (int32, error) {
	if uintptr(len(key)) != h.keyLen {
		return -1, ErrInvalid
	}
	return h.del(key, sig)
}

func (h *Hash) del(key []byte, sig uint32) (int32, error) {
	h.lockW()
	defer h.unlockW()
	short, prim, sec := h.bucketsOf(sig)
	head := &h.buckets[prim]
	e, idx := h.searchAndRemove(head, key, short)
	if idx != 0 {
		h.compact(head, e)
	} else {
		head = &h.buckets[sec]
		for b := head; b != nil; b = h.nextBucket(b) {
			if e, idx = h.searchAndRemove(b, key, short); idx != 0 {
				h.compact(b, e)
				break
			}
		}
		if idx == 0 {
			return -1, ErrNotFound
		}
	}
	pos := int32(idx - 1)
	h.recycleLast(head, pos)
	return pos, nil
}

// searchAndRemove clears the entry of key in b and returns it and the key
// index, or 0 for the index (search_and_remove).
func (h *Hash) searchAndRemove(b *bucket, key []byte, short uint16) (int, uint32) {
	for m := b.match(short); m != 0; {
		var i int
		i, m = matchEntry(m)
		if idx := b.key[i]; idx != emptySlot && h.keyEq(idx, key) {
			b.setSig(i, nullSignature, h.lf)
			b.setKey(i, emptySlot, h.lf)
			if h.noFreeOnDel {
				h.slotState[idx] = slotDeleted
			} else {
				h.freeSlot(idx)
			}
			return i, idx
		}
	}
	return 0, 0
}

func (h *Hash) freeSlot(idx uint32) {
	h.slotState[idx] = slotFree
	h.free.put(idx)
	h.addUsed(-1)
}

// compact fills the entry e of b, just emptied, with the last key of b's
// chain of extendable buckets, if it has one (__rte_hash_compact_ll), so
// that chains stay short and their last bucket can be recycled.
func (h *Hash) compact(b *bucket, e int) {
	if b.next == 0 {
		return
	}
	last := b
	for n := h.nextBucket(last); n != nil; n = h.nextBucket(last) {
		last = n
	}
	for i := BucketEntries - 1; i >= 0; i-- {
		if last.key[i] == emptySlot {
			continue
		}
		b.setSig(e, last.sigAt(i), h.lf)
		b.setKey(e, last.key[i], h.lf)
		if h.lf {
			// The key is in both entries now; a reader that missed it
			// in b and then finds its old entry empty must search again.
			h.tblChngCnt.Add(1)
		}
		last.setSig(i, nullSignature, h.lf)
		last.setKey(i, emptySlot, h.lf)
		return
	}
}

// recycleLast unlinks the last extendable bucket of head's chain if it is
// empty and returns it to the free list, or, when deleted slots wait for
// FreeKeyWithPosition, records it to be returned then with the slot at
// position pos: a lock-free reader may still be reading it.
func (h *Hash) recycleLast(head *bucket, pos int32) {
	if head.next == 0 {
		return
	}
	prev, last := head, h.nextBucket(head)
	for n := h.nextBucket(last); n != nil; n = h.nextBucket(last) {
		prev, last = last, n
	}
	for i := 0; i < BucketEntries; i++ {
		if last.key[i] != emptySlot {
			return
		}
	}
	e := prev.next
	prev.setNext(0, h.lf)
	if h.noFreeOnDel {
		h.extToFree[pos] = e
	} else {
		h.freeExt.put(e)
	}
}

// FreeKeyWithPosition returns the key-store slot at position pos to the
// free list (rte_hash_free_key_with_position), after Delete in a table
// with FlagNoFreeOnDel or FlagRWConcurrencyLF. Call it once no reader can
// still be using what it found at pos (after an RCU grace period, say). It
// returns ErrInvalid for a position out of range or not deleted.
func (h *Hash) FreeKeyWithPosition(pos int32) error {
	h.lockW()
	defer h.unlockW()
	idx := uint32(pos) + 1
	if pos < 0 || idx >= uint32(len(h.slotState)) || h.slotState[idx] != slotDeleted {
		return ErrInvalid
	}
	if h.extToFree != nil {
		if e := h.extToFree[pos]; e != 0 {
			h.freeExt.put(e)
			h.extToFree[pos] = 0
		}
	}
	h.freeSlot(idx)
	return nil
}

// GetKeyWithPosition returns the key at position pos
// (rte_hash_get_key_with_position), or ErrNotFound if there is no key in
// the table at pos. The slice aliases the table's key store: it is valid
// until the key is deleted, and the caller must not change it.
func (h *Hash) GetKeyWithPosition(pos int32) ([]byte, error) {
	idx := uint32(pos) + 1
	if pos < 0 || idx >= uint32(len(h.slotState)) {
		return nil, ErrInvalid
	}
	key := h.keys.key(idx, uint32(h.keyLen))
	if h.find(key, h.Hash(key)) != idx {
		return nil, ErrNotFound
	}
	return key, nil
}
