package ring

import (
	"sync/atomic"

	"dpk/internal/sys"
)

// Relaxed tail sync (RTS) mode, as DPDK's rte_ring_rts: head and tail each
// carry a position and a count of operations. A thread that finishes bumps
// the tail count, and whichever finishes last (tail count catches up with
// head count) moves the tail position to the head's, so no thread waits
// for a particular other one. The head may run at most htdMax ahead of the
// tail.

// htdMaxDiv sets the default head/tail distance to capacity/8 (HTD_MAX_DEF).
const htdMaxDiv = 8

// rtsHeadWait spins while the head in h is more than htdMax ahead of the tail.
func rtsHeadWait(ht *rtsHeadtail, tail *headtail, h uint64) uint64 {
	max := atomic.LoadUint32(&ht.htdMax)
	for at4(h)-tailLoad(tail) > max {
		sys.Pause()
		h = atomic.LoadUint64(&ht.head)
	}
	return h
}

// moveProdHeadRTS reserves up to n slots in RTS mode.
func (r *Ring) moveProdHeadRTS(n uint32, burst bool) (head, m, free uint32) {
	p := r.prodRTS
	oh := atomic.LoadUint64(&p.head)
	for {
		oh = rtsHeadWait(p, r.prod, oh)
		head = at4(oh)
		free = r.capacity + tailLoad(r.cons) - head
		m = clamp(n, free, burst)
		if m == 0 || atomic.CompareAndSwapUint64(&p.head, oh, pack(at0(oh)+1, head+m)) {
			return head, m, free
		}
		oh = atomic.LoadUint64(&p.head)
	}
}

// moveConsHeadRTS claims up to n filled slots in RTS mode.
func (r *Ring) moveConsHeadRTS(n uint32, burst bool) (head, m, entries uint32) {
	c := r.consRTS
	oh := atomic.LoadUint64(&c.head)
	for {
		oh = rtsHeadWait(c, r.cons, oh)
		head = at4(oh)
		entries = tailLoad(r.prod) - head
		m = clamp(n, entries, burst)
		if m == 0 || atomic.CompareAndSwapUint64(&c.head, oh, pack(at0(oh)+1, head+m)) {
			return head, m, entries
		}
		oh = atomic.LoadUint64(&c.head)
	}
}

// updateTailRTS counts one finished operation on the tail and, if it was
// the last one in flight, moves the tail position to the head's.
func updateTailRTS(ht *rtsHeadtail) {
	ot := atomic.LoadUint64(&ht.tail)
	for {
		h := atomic.LoadUint64(&ht.head)
		cnt, pos := at0(ot)+1, at4(ot)
		if cnt == at0(h) {
			pos = at4(h)
		}
		if atomic.CompareAndSwapUint64(&ht.tail, ot, pack(cnt, pos)) {
			return
		}
		ot = atomic.LoadUint64(&ht.tail)
	}
}
