package afxdp

import (
	"fmt"

	"dpk/eal"
	"dpk/ethdev"
	"dpk/mbuf"
	"dpk/mempool"
)

const (
	// fillBatch is the most mbufs one refill posts to the fill ring.
	fillBatch = 64
	// fillMin is the least: the fill ring is topped up once this many
	// of the queue's descriptors are back in the application's hands.
	fillMin = 32
	// rxCacheSize is the size of an RX queue's private mempool cache.
	rxCacheSize = 512
)

// rxQueue is one RX queue: it reads its socket's RX ring, whose entries are
// mbufs of its pool the kernel wrote packets into, and keeps the fill ring
// stocked with fresh mbufs.
type rxQueue struct {
	port, queue uint16
	pool        *mempool.Mempool
	cache       *mempool.Cache // in use: own, or the bound lcore's
	own         *mempool.Cache // the queue's private cache
	geo         umemGeometry
	nbDesc      uint32 // mbufs the queue keeps in the kernel's hands

	s        *xsk // nil while stopped
	posted   bitmap
	inKernel uint32
	stash    [fillBatch]*mbuf.Mbuf

	stats   ethdev.QueueStats
	bad     counter // descriptors that named no mbuf the queue gave
	wakeups counter
}

func newRxQueue(qi ethdev.RxQueueInfo) (*rxQueue, error) {
	geo, err := poolGeometry(qi.Pool)
	if err != nil {
		return nil, err
	}
	c, err := mempool.NewCache(rxCacheSize)
	if err != nil {
		return nil, err
	}
	n := ringSize(qi.NbDesc)
	if n > qi.Pool.Size() {
		return nil, fmt.Errorf("rx queue %d: %d descriptors, but pool %s has only %d mbufs", qi.Queue, n, qi.Pool.Name(), qi.Pool.Size())
	}
	return &rxQueue{
		port: qi.Port, queue: qi.Queue, pool: qi.Pool, cache: c, own: c, geo: geo,
		nbDesc: n, posted: newBitmap(geo.n),
	}, nil
}

// ringSize turns a descriptor count into a ring size: a power of two,
// defaultDescs for 0.
func ringSize(nb uint16) uint32 {
	if nb == 0 {
		return defaultDescs
	}
	n := uint32(minDescs)
	for n < uint32(nb) {
		n <<= 1
	}
	return n
}

// RxBurst receives up to len(pkts) packets. Each is the mbuf whose frame
// the kernel wrote it into: no copy. It never blocks; when the RX ring is
// empty and the kernel asks for it (need_wakeup on the fill ring), or with
// busy polling, it makes a non-blocking recvfrom to drive the kernel.
func (q *rxQueue) RxBurst(pkts []*mbuf.Mbuf) int {
	s := q.s
	if s == nil || len(pkts) == 0 {
		return 0
	}
	n := s.rx.avail(uint32(min(len(pkts), 1<<16)))
	if n == 0 {
		q.refill()
		if s.busy || s.fill.needWakeup() {
			kickRx(s.fd)
			q.wakeups.add(1)
		}
		return 0
	}
	idx := s.rx.cachedCons
	got := 0
	var bytes uint64
	g := &q.geo
	for i := uint32(0); i < n; i++ {
		d := s.rx.desc(idx + i)
		chunk, off := splitAddr(d.Addr)
		k, ok := g.index(chunk)
		if !ok || off < g.bufOff || off+d.Len > g.chunkSize || !q.posted.take(k) {
			q.bad.add(1)
			continue
		}
		q.inKernel--
		m := g.mbufAt(chunk)
		m.SetDataOff(uint16(off - g.bufOff))
		m.SetLen(uint16(d.Len))
		m.Port = q.port
		pkts[got] = m
		got++
		bytes += uint64(d.Len)
	}
	s.rx.release(n)
	q.refill()
	if got > 0 {
		q.stats.Add(uint64(got), bytes)
	}
	return got
}

// refill posts fresh mbufs to the fill ring, in batches of at least
// fillMin, up to nbDesc in the kernel's hands. It returns how many it
// posted.
func (q *rxQueue) refill() uint32 {
	want := q.nbDesc - q.inKernel
	if want == 0 || want < fillMin && q.inKernel > 0 {
		return 0
	}
	s := q.s
	want = min(want, fillBatch, s.fill.free(min(want, fillBatch)))
	if want == 0 {
		return 0
	}
	ms := q.stash[:want]
	if mbuf.AllocBulkCache(q.pool, ms, q.cache) != nil {
		q.stats.AddNoMbuf(uint64(want))
		return 0
	}
	idx := s.fill.cachedProd
	g := &q.geo
	for i, m := range ms {
		chunk := g.chunkOf(m)
		k, _ := g.index(chunk)
		q.posted.set(k)
		*s.fill.addr(idx + uint32(i)) = chunk
		ms[i] = nil
	}
	s.fill.submit(want)
	q.inKernel += want
	return want
}

// start gives the queue its socket and stocks the fill ring.
func (q *rxQueue) start(s *xsk) {
	q.s = s
	for q.inKernel < q.nbDesc && q.refill() > 0 {
	}
	if q.inKernel < q.nbDesc {
		eal.Logf(eal.LogWarning, logType, "port %d rx queue %d: only %d of %d mbufs for the fill ring: pool %s is short", q.port, q.queue, q.inKernel, q.nbDesc, q.pool.Name())
	}
}

// detach forgets the socket, before it is closed.
func (q *rxQueue) detach() { q.s = nil }

// reclaim returns to the pool every mbuf the kernel had, once the socket is
// closed, and empties the queue's cache.
func (q *rxQueue) reclaim() {
	n := 0
	q.posted.drain(func(i uint32) {
		q.stash[n] = q.geo.mbufAt(q.geo.first + uint64(i)*q.geo.stride)
		n++
		if n == len(q.stash) {
			mbuf.FreeBulk(q.stash[:n], eal.LcoreIDAny)
			n = 0
		}
	})
	mbuf.FreeBulk(q.stash[:n], eal.LcoreIDAny)
	clear(q.stash[:])
	q.inKernel = 0
	q.pool.CacheFlush(q.own) // a bound lcore's cache is the lcore's to flush
}
