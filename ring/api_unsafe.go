package ring

import "unsafe"

// Pointer API (DPDK's legacy void * functions). The ring must have 8-byte
// elements (Create makes such rings); on other rings these return 0.
// Pointers are copied as raw words: they mean something only in the process
// that enqueued them, and the garbage collector does not see them while they
// are in the ring (see doc.go).

// EnqueueBulk enqueues all of objs or nothing (rte_ring_enqueue_bulk). It
// returns the number enqueued, len(objs) or 0, and the free space left.
func (r *Ring) EnqueueBulk(objs []unsafe.Pointer) (n, free uint32) {
	return r.enqueue(unsafe.Pointer(unsafe.SliceData(objs)), len(objs), 8, false)
}

// EnqueueBurst enqueues as many of objs as fit, from the first on
// (rte_ring_enqueue_burst). It returns the number enqueued and the free
// space left.
func (r *Ring) EnqueueBurst(objs []unsafe.Pointer) (n, free uint32) {
	return r.enqueue(unsafe.Pointer(unsafe.SliceData(objs)), len(objs), 8, true)
}

// DequeueBulk fills all of objs or dequeues nothing (rte_ring_dequeue_bulk).
// It returns the number dequeued, len(objs) or 0, and the entries left.
func (r *Ring) DequeueBulk(objs []unsafe.Pointer) (n, avail uint32) {
	return r.dequeue(unsafe.Pointer(unsafe.SliceData(objs)), len(objs), 8, false)
}

// DequeueBurst dequeues up to len(objs) pointers into objs[:n]
// (rte_ring_dequeue_burst). It returns n and the entries left.
func (r *Ring) DequeueBurst(objs []unsafe.Pointer) (n, avail uint32) {
	return r.dequeue(unsafe.Pointer(unsafe.SliceData(objs)), len(objs), 8, true)
}

// Enqueue enqueues one pointer (rte_ring_enqueue). It returns ErrNoBufs if
// the ring is full, ErrInvalid if its elements are not 8 bytes.
func (r *Ring) Enqueue(obj unsafe.Pointer) error {
	if n, _ := r.enqueue(unsafe.Pointer(&obj), 1, 8, false); n != 0 {
		return nil
	}
	return r.enqueueErr()
}

// Dequeue dequeues one pointer (rte_ring_dequeue). It returns ErrNoEnt if
// the ring is empty, ErrInvalid if its elements are not 8 bytes.
func (r *Ring) Dequeue() (unsafe.Pointer, error) {
	var obj unsafe.Pointer
	if n, _ := r.dequeue(unsafe.Pointer(&obj), 1, 8, false); n != 0 {
		return obj, nil
	}
	return nil, r.dequeueErr()
}

// enqueueErr is the error of a failed Enqueue: ErrInvalid on a ring whose
// elements are not 8 bytes, else ErrNoBufs.
func (r *Ring) enqueueErr() error {
	if r.esize != 8 {
		return ErrInvalid
	}
	return ErrNoBufs
}

// dequeueErr is the error of a failed Dequeue: ErrInvalid on a ring whose
// elements are not 8 bytes, else ErrNoEnt.
func (r *Ring) dequeueErr() error {
	if r.esize != 8 {
		return ErrInvalid
	}
	return ErrNoEnt
}

// Element API (DPDK's _elem functions): n elements of ElemSize bytes each,
// packed at src or dst. The bytes are copied as they are, so rings of
// elements that hold no pointers (indices, offsets, descriptors) work
// between processes. A nil src or dst moves nothing.

// EnqueueBulkElem enqueues all n elements at src or none
// (rte_ring_enqueue_bulk_elem). It returns n or 0 and the free space left.
func (r *Ring) EnqueueBulkElem(src unsafe.Pointer, n uint32) (uint32, uint32) {
	return r.enqueue(src, int(n), 0, false)
}

// EnqueueBurstElem enqueues as many of the n elements at src as fit
// (rte_ring_enqueue_burst_elem). It returns the number enqueued and the free
// space left.
func (r *Ring) EnqueueBurstElem(src unsafe.Pointer, n uint32) (uint32, uint32) {
	return r.enqueue(src, int(n), 0, true)
}

// DequeueBulkElem dequeues exactly n elements to dst or none
// (rte_ring_dequeue_bulk_elem). It returns n or 0 and the entries left.
func (r *Ring) DequeueBulkElem(dst unsafe.Pointer, n uint32) (uint32, uint32) {
	return r.dequeue(dst, int(n), 0, false)
}

// DequeueBurstElem dequeues up to n elements to dst
// (rte_ring_dequeue_burst_elem). It returns the number dequeued and the
// entries left.
func (r *Ring) DequeueBurstElem(dst unsafe.Pointer, n uint32) (uint32, uint32) {
	return r.dequeue(dst, int(n), 0, true)
}

// EnqueueElem enqueues the one element at obj (rte_ring_enqueue_elem). It
// returns ErrNoBufs if the ring is full.
func (r *Ring) EnqueueElem(obj unsafe.Pointer) error {
	if obj == nil {
		return ErrInvalid
	}
	if n, _ := r.enqueue(obj, 1, 0, false); n == 0 {
		return ErrNoBufs
	}
	return nil
}

// DequeueElem dequeues one element to obj (rte_ring_dequeue_elem). It
// returns ErrNoEnt if the ring is empty.
func (r *Ring) DequeueElem(obj unsafe.Pointer) error {
	if obj == nil {
		return ErrInvalid
	}
	if n, _ := r.dequeue(obj, 1, 0, false); n == 0 {
		return ErrNoEnt
	}
	return nil
}

// Typed 8-byte API: the element API for rings of 8-byte values with Go
// slices, for data that must mean the same in every process (a mempool
// keeps object offsets this way). On rings whose elements are not 8 bytes
// these return 0.

// EnqueueBulkU64 enqueues all of vals or nothing. It returns len(vals) or 0
// and the free space left.
func (r *Ring) EnqueueBulkU64(vals []uint64) (n, free uint32) {
	return r.enqueue(unsafe.Pointer(unsafe.SliceData(vals)), len(vals), 8, false)
}

// EnqueueBurstU64 enqueues as many of vals as fit. It returns the number
// enqueued and the free space left.
func (r *Ring) EnqueueBurstU64(vals []uint64) (n, free uint32) {
	return r.enqueue(unsafe.Pointer(unsafe.SliceData(vals)), len(vals), 8, true)
}

// DequeueBulkU64 fills all of vals or dequeues nothing. It returns len(vals)
// or 0 and the entries left.
func (r *Ring) DequeueBulkU64(vals []uint64) (n, avail uint32) {
	return r.dequeue(unsafe.Pointer(unsafe.SliceData(vals)), len(vals), 8, false)
}

// DequeueBurstU64 dequeues up to len(vals) values into vals[:n]. It returns
// n and the entries left.
func (r *Ring) DequeueBurstU64(vals []uint64) (n, avail uint32) {
	return r.dequeue(unsafe.Pointer(unsafe.SliceData(vals)), len(vals), 8, true)
}
