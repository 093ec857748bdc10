package ring

import (
	"sync/atomic"

	"dpk/internal/sys"
)

// Multi-producer and multi-consumer (MT) mode, as DPDK's default: a thread
// reserves slots by moving the head with compare-and-swap, copies, then
// waits until the threads that reserved before it have published and moves
// the tail past its own slots. Tails therefore advance in reservation
// order, and a thread preempted between the two steps stalls the others of
// its side (use RTS or HTS when that matters).

// moveProdHeadMT reserves up to n slots among several producers.
func (r *Ring) moveProdHeadMT(n uint32, burst bool) (head, m, free uint32) {
	for {
		head = atomic.LoadUint32(&r.prod.head)
		free = r.capacity + tailLoad(r.cons) - head
		m = clamp(n, free, burst)
		if m == 0 || atomic.CompareAndSwapUint32(&r.prod.head, head, head+m) {
			return head, m, free
		}
	}
}

// moveConsHeadMT claims up to n filled slots among several consumers.
func (r *Ring) moveConsHeadMT(n uint32, burst bool) (head, m, entries uint32) {
	for {
		head = atomic.LoadUint32(&r.cons.head)
		entries = tailLoad(r.prod) - head
		m = clamp(n, entries, burst)
		if m == 0 || atomic.CompareAndSwapUint32(&r.cons.head, head, head+m) {
			return head, m, entries
		}
	}
}

// updateTailMT waits for the tail to reach old (the earlier reservations
// are published) and then moves it to next (__rte_ring_update_tail).
func updateTailMT(ht *headtail, old, next uint32) {
	for tailLoad(ht) != old {
		sys.Pause()
	}
	tailStore(ht, next)
}
