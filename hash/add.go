package hash

// queueNode is one bucket of the breadth-first search for a cuckoo path
// (struct queue_node), with indices instead of pointers.
type queueNode struct {
	bkt      uint32 // bucket index
	prev     int32  // parent node in the queue, -1 for the root
	prevSlot int32  // entry of the parent whose key would move here
}

// Add adds key and returns its position (rte_hash_add_key); if key is in
// the table already it returns its position and, as DPDK, sets its data
// to 0. It
// returns ErrNoSpace when the table has no room for the key and
// ErrInvalid when the key's length is not the table's.
func (h *Hash) Add(key []byte) (int32, error) {
	if uintptr(len(key)) != h.keyLen {
		return -1, ErrInvalid
	}
	return h.add(key, h.Hash(key), 0)
}

// AddWithHash is Add with the key's hash computed beforehand by Hash
// (rte_hash_add_key_with_hash).
func (h *Hash) AddWithHash(key []byte, sig uint32) (int32, error) {
	if uintptr(len(key)) != h.keyLen {
		return -1, ErrInvalid
	}
	return h.add(key, sig, 0)
}

// AddKeyData adds key with data, or replaces the data of key if it is in
// the table already (rte_hash_add_key_data). Errors as Add.
func (h *Hash) AddKeyData(key []byte, data uint64) error {
	if uintptr(len(key)) != h.keyLen {
		return ErrInvalid
	}
	_, err := h.add(key, h.Hash(key), data)
	return err
}

// AddKeyWithHashData is AddKeyData with a precomputed hash
// (rte_hash_add_key_with_hash_data).
func (h *Hash) AddKeyWithHashData(key []byte, sig uint32, data uint64) error {
	if uintptr(len(key)) != h.keyLen {
		return ErrInvalid
	}
	_, err := h.add(key, sig, data)
	return err
}

// searchAndUpdate returns the key index of key in b after storing data
// in it, or 0 (search_and_update). Add stores data 0, as rte_hash_add_key.
func (h *Hash) searchAndUpdate(b *bucket, key []byte, short uint16, data uint64) uint32 {
	for m := b.match(short); m != 0; {
		var i int
		i, m = matchEntry(m)
		if idx := b.key[i]; idx != emptySlot && h.keyEq(idx, key) {
			h.keys.setData(idx, data, h.lf)
			return idx
		}
	}
	return 0
}

// add is __rte_hash_add_key_with_hash. The whole insertion runs under the
// writer lock when there is one (DPDK takes it around each step and
// searches for a cuckoo path without it); readers never wait for it except
// with FlagRWConcurrency.
func (h *Hash) add(key []byte, sig uint32, data uint64) (int32, error) {
	h.lockW()
	defer h.unlockW()
	short, prim, sec := h.bucketsOf(sig)
	pb, sb := &h.buckets[prim], &h.buckets[sec]

	// Is the key there already? Then update its data.
	if idx := h.searchAndUpdate(pb, key, short, data); idx != 0 {
		return int32(idx - 1), nil
	}
	for b := sb; b != nil; b = h.nextBucket(b) {
		if idx := h.searchAndUpdate(b, key, short, data); idx != 0 {
			return int32(idx - 1), nil
		}
	}

	// A new key: take a key-store slot and fill it before publishing it.
	slot, ok := h.free.get()
	if !ok {
		return -1, ErrNoSpace
	}
	h.keys.setData(slot, data, h.lf)
	h.keys.setKey(slot, key)

	if h.insertFree(pb, short, slot) ||
		h.makeSpace(prim, short, slot) ||
		h.makeSpace(sec, short, slot) ||
		h.insertExt(sb, short, slot) {
		h.slotState[slot] = slotUsed
		h.addUsed(1)
		return int32(slot - 1), nil
	}
	h.free.put(slot)
	return -1, ErrNoSpace
}

// insertFree puts the key in an empty entry of b, if it has one
// (rte_hash_cuckoo_insert_mw): the signature first, then the key index
// with release order, which publishes both.
func (h *Hash) insertFree(b *bucket, short uint16, slot uint32) bool {
	for i := 0; i < BucketEntries; i++ {
		if b.key[i] == emptySlot {
			b.setSig(i, short, h.lf)
			b.setKey(i, slot, h.lf)
			return true
		}
	}
	return false
}

// makeSpace searches, breadth first from bucket root, for a path of
// entries each of which can move to its alternative bucket, ending in a
// bucket with an empty entry, and moves the keys along it to free an
// entry of root for the new key (rte_hash_cuckoo_make_space_mw).
func (h *Hash) makeSpace(root uint32, short uint16, slot uint32) bool {
	q := h.queue
	q[0] = queueNode{bkt: root, prev: -1, prevSlot: -1}
	tail, head := 0, 1
	for tail != head && head < bfsQueueMax-BucketEntries {
		cur := q[tail].bkt
		b := &h.buckets[cur]
		for i := 0; i < BucketEntries; i++ {
			if b.key[i] == emptySlot {
				h.moveInsert(tail, i, short, slot)
				return true
			}
			alt := (cur ^ uint32(b.sigAt(i))) & h.bucketMask
			q[head] = queueNode{bkt: alt, prev: int32(tail), prevSlot: int32(i)}
			head++
		}
		tail++
	}
	return false
}

// moveInsert shifts the keys along the path from the root of the search
// to node leaf, whose entry slot is empty, and puts the new key in the
// root's freed entry (rte_hash_cuckoo_move_insert_mw). Each key is copied
// to its alternative bucket before its old entry is overwritten, so it is
// always in one of its buckets; in lock-free mode the table change counter
// moves before each overwrite so that a reader that searched the two
// buckets on either side of the move searches again.
func (h *Hash) moveInsert(leaf, leafSlot int, short uint16, slot uint32) {
	q := h.queue
	cur, curSlot := leaf, leafSlot
	cb := &h.buckets[q[cur].bkt]
	for q[cur].prev >= 0 {
		p := int(q[cur].prev)
		ps := int(q[cur].prevSlot)
		pb := &h.buckets[q[p].bkt]
		if h.lf {
			h.tblChngCnt.Add(1)
		}
		// Keep the moved key's signature: its alternative bucket is
		// found from either bucket and the signature.
		cb.setSig(curSlot, pb.sigAt(ps), h.lf)
		cb.setKey(curSlot, pb.key[ps], h.lf)
		cur, curSlot, cb = p, ps, pb
	}
	if h.lf {
		h.tblChngCnt.Add(1)
	}
	cb.setSig(curSlot, short, h.lf)
	cb.setKey(curSlot, slot, h.lf)
}

// insertExt puts the key in an empty entry of the chain of extendable
// buckets of sb, linking a new extendable bucket to the chain if there is
// none; it fails when there are no extendable buckets or no free one.
func (h *Hash) insertExt(sb *bucket, short uint16, slot uint32) bool {
	if !h.extTable {
		return false
	}
	last := sb
	for b := sb; b != nil; b = h.nextBucket(b) {
		if h.insertFree(b, short, slot) {
			return true
		}
		last = b
	}
	e, ok := h.freeExt.get()
	if !ok {
		return false
	}
	eb := &h.ext[e-1]
	eb.setSig(0, short, h.lf)
	eb.setKey(0, slot, h.lf)
	last.setNext(e, h.lf) // publishes the new bucket
	return true
}
