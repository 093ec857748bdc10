package afxdp

import (
	"time"

	"dpk/eal"
	"dpk/ethdev"
	"dpk/mbuf"
	"dpk/mempool"

	"golang.org/x/sys/unix"
)

const (
	// compBatch is the most completions reaped at once.
	compBatch = 64
	// txCacheSize is the size of a TX queue's private cache for copies.
	txCacheSize = 256
	// maxKicks bounds the sendto calls of one TxBurst: in copy mode the
	// kernel sends at most 32 frames per call and says EAGAIN when more
	// wait.
	maxKicks = 8
	// drainTimeout bounds how long Stop waits for the kernel to complete
	// what was sent.
	drainTimeout = 200 * time.Millisecond
)

// txQueue is one TX queue: it puts mbufs on its socket's TX ring and frees
// them when the kernel hands their frames back on the completion ring. An
// mbuf of the UMEM's pool that the queue may own alone (direct, one
// segment, one reference) is sent from where it lies; any other is copied
// into a fresh mbuf of the UMEM's pool first, as DPDK does.
type txQueue struct {
	port, queue uint16
	pool        *mempool.Mempool // the UMEM's: RX queue queue's pool (at start)
	geo         umemGeometry
	cache       *mempool.Cache // for copies

	s        *xsk // nil while stopped
	sent     bitmap
	inKernel uint32
	done     [compBatch]*mbuf.Mbuf
	orig     [compBatch]*mbuf.Mbuf // mbufs copied, to free
	free     mbuf.Freer
	lcore    uint32 // the lcore bound to the queue, or LcoreIDAny

	stats   ethdev.QueueStats
	copied  counter
	bad     counter
	wakeups counter
}

func newTxQueue(qi ethdev.TxQueueInfo) (*txQueue, error) {
	c, err := mempool.NewCache(txCacheSize)
	if err != nil {
		return nil, err
	}
	return &txQueue{port: qi.Port, queue: qi.Queue, cache: c, lcore: eal.LcoreIDAny}, nil
}

// start gives the queue its socket and the UMEM it sends from.
func (q *txQueue) start(s *xsk, pool *mempool.Mempool, geo umemGeometry) {
	if q.pool != pool || q.sent == nil {
		q.sent = newBitmap(geo.n)
	}
	q.pool, q.geo, q.s = pool, geo, s
}

// TxBurst puts up to len(pkts) packets on the TX ring and returns how many
// it took. It reaps completions first, and kicks the kernel with a
// non-blocking sendto when it asks for it (need_wakeup; always in copy
// mode) or with busy polling. When the ring is full, or no mbuf is left
// for a copy, the rest stay with the caller. A packet longer than a frame
// is dropped and counted in oerrors.
func (q *txQueue) TxBurst(pkts []*mbuf.Mbuf) int {
	s := q.s
	if s == nil {
		return 0
	}
	q.complete()
	n := s.tx.free(uint32(min(len(pkts), compBatch)))
	n = min(n, uint32(len(pkts)), compBatch)
	if n == 0 {
		q.kick()
		return 0
	}
	idx := s.tx.cachedProd
	g := &q.geo
	used, taken, norig := uint32(0), 0, 0
	var bytes, errs uint64
	for taken < len(pkts) && used < n {
		m := pkts[taken]
		l := m.PktLen()
		if m.Pool() != q.pool || !m.IsDirect() || m.Next() != nil || m.Refcnt() != 1 {
			if l > g.bufLen-mbuf.DefaultHeadroom {
				errs++
				q.orig[norig] = m
				norig++
				taken++
				continue
			}
			c := q.copy(m)
			if c == nil {
				break
			}
			q.orig[norig] = m
			norig++
			m = c
		}
		chunk := g.chunkOf(m)
		k, _ := g.index(chunk)
		q.sent.set(k)
		d := s.tx.desc(idx + used)
		d.Addr = joinAddr(chunk, g.bufOff+uint32(m.DataOff()))
		d.Len = l
		d.Options = 0
		used++
		taken++
		bytes += uint64(l)
	}
	if used > 0 {
		s.tx.submit(used)
		q.inKernel += used
		q.stats.Add(uint64(used), bytes)
	}
	if norig > 0 {
		q.freeBulk(q.orig[:norig])
		clear(q.orig[:norig])
	}
	if errs > 0 {
		q.stats.AddErrors(errs)
	}
	q.kick()
	return taken
}

// copy returns a fresh mbuf of the UMEM's pool holding m's packet, or nil
// when the pool has none.
func (q *txQueue) copy(m *mbuf.Mbuf) *mbuf.Mbuf {
	var one [1]*mbuf.Mbuf
	if mbuf.AllocBulkCache(q.pool, one[:], q.cache) != nil {
		return nil
	}
	c := one[0]
	c.SetLen(uint16(m.PktLen()))
	dst := c.Data()
	for s := m; s != nil; s = s.Next() {
		dst = dst[copy(dst, s.Data()):]
	}
	c.OlFlags = 0
	q.copied.add(1)
	return c
}

// complete frees the mbufs whose frames the kernel is done with.
func (q *txQueue) complete() {
	s := q.s
	n := s.comp.avail(compBatch)
	if n == 0 {
		return
	}
	idx := s.comp.cachedCons
	j := 0
	for i := uint32(0); i < n; i++ {
		chunk, _ := splitAddr(*s.comp.addr(idx + i))
		k, ok := q.geo.index(chunk)
		if !ok || !q.sent.take(k) {
			q.bad.add(1)
			continue
		}
		q.done[j] = q.geo.mbufAt(chunk)
		j++
	}
	s.comp.release(n)
	q.inKernel -= uint32(j)
	q.freeBulk(q.done[:j])
	clear(q.done[:j])
}

// kick makes the kernel send what the TX ring holds when it needs a
// system call for that. EAGAIN means the kernel sent a batch and more
// wait: kick again, reaping completions so that the kernel has room for
// its own.
func (q *txQueue) kick() {
	s := q.s
	if !s.busy && !s.tx.needWakeup() {
		return
	}
	for range maxKicks {
		q.wakeups.add(1)
		e := kickTx(s.fd)
		if e != unix.EAGAIN && e != unix.EBUSY && e != unix.EINTR {
			return
		}
		q.complete()
		if s.tx.pending() == 0 {
			return
		}
	}
}

// drain waits (at most drainTimeout) until the kernel completed what the
// queue sent, kicking it meanwhile.
func (q *txQueue) drain() {
	if q.s == nil {
		return
	}
	for end := time.Now().Add(drainTimeout); q.inKernel > 0 && time.Now().Before(end); {
		q.complete()
		q.kick()
		if q.inKernel > 0 {
			time.Sleep(time.Millisecond)
		}
	}
}

// detach forgets the socket, before it is closed.
func (q *txQueue) detach() { q.s = nil }

// reclaim frees the mbufs the kernel still had, once the socket is closed,
// and empties the queue's caches.
func (q *txQueue) reclaim() {
	n := 0
	q.sent.drain(func(i uint32) {
		q.done[n] = q.geo.mbufAt(q.geo.first + uint64(i)*q.geo.stride)
		n++
		if n == len(q.done) {
			mbuf.FreeBulk(q.done[:n], eal.LcoreIDAny)
			n = 0
		}
	})
	mbuf.FreeBulk(q.done[:n], eal.LcoreIDAny)
	clear(q.done[:])
	q.inKernel = 0
	q.free.Flush()
	if q.pool != nil {
		q.pool.CacheFlush(q.cache)
	}
}

// freeBulk frees mbufs the queue is done with: through the caches of the
// lcore bound to the queue, or through the queue's private caches.
func (q *txQueue) freeBulk(ms []*mbuf.Mbuf) {
	if q.lcore != eal.LcoreIDAny {
		mbuf.FreeBulk(ms, q.lcore)
		return
	}
	q.free.FreeBulk(ms)
}
