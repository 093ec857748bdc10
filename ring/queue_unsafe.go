package ring

import "unsafe"

// The enqueue and dequeue engines shared by every API: reserve with the
// side's mode, copy, publish. They are DPDK's __rte_ring_do_enqueue_elem
// and __rte_ring_do_dequeue_elem: l is the requested count, burst selects
// RTE_RING_QUEUE_VARIABLE (move what fits) over RTE_RING_QUEUE_FIXED (all
// or nothing); the results are the count moved and the free space (for
// enqueue) or entries (for dequeue) left after the operation. want, if not
// 0, is the element size the caller's API needs (8 for the pointer API):
// on a ring of another size the engines move nothing.
//
// Each engine is one call: the ST and MT modes and the common no-wrap copy
// are inline, the wrapped copy and the HTS and RTS modes are calls.

// enqueue copies up to l elements from src into the ring.
func (r *Ring) enqueue(src unsafe.Pointer, l int, want uint32, burst bool) (uint32, uint32) {
	if want != 0 && want != r.esize {
		return 0, 0
	}
	n := uint32(l)
	if uint(l) > MaxSize {
		n = MaxSize
	}
	if src == nil {
		n = 0
	}
	var head, free uint32
	switch r.prodSync {
	case syncST:
		head, n, free = r.moveProdHeadST(n, burst)
	case syncMT:
		head, n, free = r.moveProdHeadMT(n, burst)
	default:
		return r.enqueueSync(src, n, burst)
	}
	if n != 0 {
		es := uintptr(r.esize)
		idx := head & r.mask
		if idx+n <= r.size {
			dst := unsafe.Add(unsafe.Pointer(r.slots), uintptr(idx)*es)
			if nb := uintptr(n) * es; nb <= 64 {
				copySmall(dst, src, nb)
			} else if nb <= 128 {
				copyMedium(dst, src, nb)
			} else {
				memmove(dst, src, nb)
			}
		} else {
			r.copyInWrap(idx, src, n)
		}
		if r.prodSync == syncST {
			tailStore(r.prod, head+n)
		} else {
			updateTailMT(r.prod, head, head+n)
		}
	}
	return n, free - n
}

// dequeue copies up to l elements from the ring to dst.
func (r *Ring) dequeue(dst unsafe.Pointer, l int, want uint32, burst bool) (uint32, uint32) {
	if want != 0 && want != r.esize {
		return 0, 0
	}
	n := uint32(l)
	if uint(l) > MaxSize {
		n = MaxSize
	}
	if dst == nil {
		n = 0
	}
	var head, entries uint32
	switch r.consSync {
	case syncST:
		head, n, entries = r.moveConsHeadST(n, burst)
	case syncMT:
		head, n, entries = r.moveConsHeadMT(n, burst)
	default:
		return r.dequeueSync(dst, n, burst)
	}
	if n != 0 {
		es := uintptr(r.esize)
		idx := head & r.mask
		if idx+n <= r.size {
			src := unsafe.Add(unsafe.Pointer(r.slots), uintptr(idx)*es)
			if nb := uintptr(n) * es; nb <= 64 {
				copySmall(dst, src, nb)
			} else if nb <= 128 {
				copyMedium(dst, src, nb)
			} else {
				memmove(dst, src, nb)
			}
		} else {
			r.copyOutWrap(idx, dst, n)
		}
		if r.consSync == syncST {
			tailStore(r.cons, head+n)
		} else {
			updateTailMT(r.cons, head, head+n)
		}
	}
	return n, entries - n
}

// enqueueSync is enqueue for the HTS and RTS producer modes.
func (r *Ring) enqueueSync(src unsafe.Pointer, n uint32, burst bool) (uint32, uint32) {
	var head, free uint32
	if r.prodSync == syncMTHTS {
		head, n, free = r.moveProdHeadHTS(n, burst)
		if n != 0 {
			r.copyIn(head, src, n)
			tailStore(r.prod, head+n)
		}
	} else {
		head, n, free = r.moveProdHeadRTS(n, burst)
		if n != 0 {
			r.copyIn(head, src, n)
			updateTailRTS(r.prodRTS)
		}
	}
	return n, free - n
}

// dequeueSync is dequeue for the HTS and RTS consumer modes.
func (r *Ring) dequeueSync(dst unsafe.Pointer, n uint32, burst bool) (uint32, uint32) {
	var head, entries uint32
	if r.consSync == syncMTHTS {
		head, n, entries = r.moveConsHeadHTS(n, burst)
		if n != 0 {
			r.copyOut(head, dst, n)
			tailStore(r.cons, head+n)
		}
	} else {
		head, n, entries = r.moveConsHeadRTS(n, burst)
		if n != 0 {
			r.copyOut(head, dst, n)
			updateTailRTS(r.consRTS)
		}
	}
	return n, entries - n
}

// copyIn copies n elements from src to the slots from position head on.
func (r *Ring) copyIn(head uint32, src unsafe.Pointer, n uint32) {
	idx := head & r.mask
	if idx+n <= r.size {
		es := uintptr(r.esize)
		memmove(unsafe.Add(unsafe.Pointer(r.slots), uintptr(idx)*es), src, uintptr(n)*es)
		return
	}
	r.copyInWrap(idx, src, n)
}

// copyInWrap copies n elements from src to the slots from index idx on, in
// two pieces: up to the end of the slot array, then from its start.
func (r *Ring) copyInWrap(idx uint32, src unsafe.Pointer, n uint32) {
	es := uintptr(r.esize)
	slots := unsafe.Pointer(r.slots)
	first := r.size - idx
	memmove(unsafe.Add(slots, uintptr(idx)*es), src, uintptr(first)*es)
	memmove(slots, unsafe.Add(src, uintptr(first)*es), uintptr(n-first)*es)
}

// copyOut copies n elements from the slots at position head on to dst.
func (r *Ring) copyOut(head uint32, dst unsafe.Pointer, n uint32) {
	idx := head & r.mask
	if idx+n <= r.size {
		es := uintptr(r.esize)
		memmove(dst, unsafe.Add(unsafe.Pointer(r.slots), uintptr(idx)*es), uintptr(n)*es)
		return
	}
	r.copyOutWrap(idx, dst, n)
}

// copyOutWrap copies n elements from the slots at index idx on to dst, in
// two pieces when they wrap.
func (r *Ring) copyOutWrap(idx uint32, dst unsafe.Pointer, n uint32) {
	es := uintptr(r.esize)
	slots := unsafe.Pointer(r.slots)
	first := r.size - idx
	memmove(dst, unsafe.Add(slots, uintptr(idx)*es), uintptr(first)*es)
	memmove(unsafe.Add(dst, uintptr(first)*es), slots, uintptr(n-first)*es)
}

// memmove copies n bytes as raw memory: Go's copy on byte slices, which is
// the runtime's vectorised memmove with no write barriers (the bytes may
// hold pointers, see the pointer API's rules in doc.go).
func memmove(dst, src unsafe.Pointer, n uintptr) {
	copy(unsafe.Slice((*byte)(dst), n), unsafe.Slice((*byte)(src), n))
}

// copySmall copies nb bytes, a multiple of 4 no larger than 64, from src
// to dst, which do not overlap, with at most four 16-byte or two 8-byte
// moves inline: a call to memmove costs more than the copy for the small
// bursts that are common (DPDK's copy loops are inlined for the same
// reason). As memmove does, it covers the range with moves that may overlap
// each other.
func copySmall(dst, src unsafe.Pointer, nb uintptr) {
	switch {
	case nb >= 16:
		*(*[16]byte)(dst) = *(*[16]byte)(src)
		*(*[16]byte)(unsafe.Add(dst, nb-16)) = *(*[16]byte)(unsafe.Add(src, nb-16))
		if nb > 32 {
			*(*[16]byte)(unsafe.Add(dst, 16)) = *(*[16]byte)(unsafe.Add(src, 16))
			*(*[16]byte)(unsafe.Add(dst, nb-32)) = *(*[16]byte)(unsafe.Add(src, nb-32))
		}
	case nb >= 8:
		*(*uint64)(dst) = *(*uint64)(src)
		*(*uint64)(unsafe.Add(dst, nb-8)) = *(*uint64)(unsafe.Add(src, nb-8))
	case nb != 0:
		*(*uint32)(dst) = *(*uint32)(src)
	}
}

// copyMedium copies nb bytes, 65 to 128, from src to dst, which do not
// overlap: the first 64 and the last 64 with 16-byte moves.
func copyMedium(dst, src unsafe.Pointer, nb uintptr) {
	*(*[16]byte)(dst) = *(*[16]byte)(src)
	*(*[16]byte)(unsafe.Add(dst, 16)) = *(*[16]byte)(unsafe.Add(src, 16))
	*(*[16]byte)(unsafe.Add(dst, 32)) = *(*[16]byte)(unsafe.Add(src, 32))
	*(*[16]byte)(unsafe.Add(dst, 48)) = *(*[16]byte)(unsafe.Add(src, 48))
	dst, src = unsafe.Add(dst, nb-64), unsafe.Add(src, nb-64)
	*(*[16]byte)(dst) = *(*[16]byte)(src)
	*(*[16]byte)(unsafe.Add(dst, 16)) = *(*[16]byte)(unsafe.Add(src, 16))
	*(*[16]byte)(unsafe.Add(dst, 32)) = *(*[16]byte)(unsafe.Add(src, 32))
	*(*[16]byte)(unsafe.Add(dst, 48)) = *(*[16]byte)(unsafe.Add(src, 48))
}
