package ring

import "sync/atomic"

// Single-producer and single-consumer (ST) head moves, as DPDK's
// __rte_ring_move_prod_head/__rte_ring_move_cons_head with is_sp set: the
// side's head is owned by one thread, so it is read and written without
// atomic read-modify-write.

// clamp returns how many of n fit in avail: n if it fits, else avail for a
// burst and 0 for a bulk operation.
func clamp(n, avail uint32, burst bool) uint32 {
	if n > avail {
		n = 0
		if burst {
			n = avail
		}
	}
	return n
}

// moveProdHeadST reserves up to n slots for a single producer. It returns
// the old head, the number reserved and the free count before reserving.
func (r *Ring) moveProdHeadST(n uint32, burst bool) (head, m, free uint32) {
	head = atomic.LoadUint32(&r.prod.head)
	// The subtraction is modulo 2^32, so free is in [0, capacity] even
	// after the positions wrap.
	free = r.capacity + tailLoad(r.cons) - head
	m = clamp(n, free, burst)
	if m != 0 {
		store32(&r.prod.head, head+m)
	}
	return head, m, free
}

// moveConsHeadST claims up to n filled slots for a single consumer. It
// returns the old head, the number claimed and the count before claiming.
func (r *Ring) moveConsHeadST(n uint32, burst bool) (head, m, entries uint32) {
	head = atomic.LoadUint32(&r.cons.head)
	entries = tailLoad(r.prod) - head
	m = clamp(n, entries, burst)
	if m != 0 {
		store32(&r.cons.head, head+m)
	}
	return head, m, entries
}
