package ring

import (
	"sync/atomic"

	"dpk/internal/sys"
)

// Head/tail sync (HTS) mode, as DPDK's rte_ring_hts: head and tail are one
// 64-bit word, and a thread may move the head only when it equals the tail,
// so one operation per side is in flight at a time and the tail update is a
// plain store that never waits.

// htsHeadWait spins until the head and tail in op are equal, reloading op.
func htsHeadWait(ht *htsHeadtail, op uint64) uint64 {
	for at0(op) != at4(op) {
		sys.Pause()
		op = atomic.LoadUint64(&ht.ht)
	}
	return op
}

// moveProdHeadHTS reserves up to n slots in HTS mode.
func (r *Ring) moveProdHeadHTS(n uint32, burst bool) (head, m, free uint32) {
	p := r.prodHTS
	op := atomic.LoadUint64(&p.ht)
	for {
		op = htsHeadWait(p, op)
		head = at0(op)
		free = r.capacity + tailLoad(r.cons) - head
		m = clamp(n, free, burst)
		if m == 0 || atomic.CompareAndSwapUint64(&p.ht, op, pack(head+m, at4(op))) {
			return head, m, free
		}
		op = atomic.LoadUint64(&p.ht)
	}
}

// moveConsHeadHTS claims up to n filled slots in HTS mode.
func (r *Ring) moveConsHeadHTS(n uint32, burst bool) (head, m, entries uint32) {
	c := r.consHTS
	op := atomic.LoadUint64(&c.ht)
	for {
		op = htsHeadWait(c, op)
		head = at0(op)
		entries = tailLoad(r.prod) - head
		m = clamp(n, entries, burst)
		if m == 0 || atomic.CompareAndSwapUint64(&c.ht, op, pack(head+m, at4(op))) {
			return head, m, entries
		}
		op = atomic.LoadUint64(&c.ht)
	}
}
