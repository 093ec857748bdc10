package tap

import (
	"encoding/binary"
	"fmt"
	"sync/atomic"

	"dpk/drivers/net/internal/vnet"
	"dpk/eal"
	"dpk/ethdev"
	"dpk/mbuf"
	"dpk/mempool"

	"golang.org/x/sys/unix"
)

const (
	// minStash is the least number of fresh mbufs an RX queue keeps ready.
	minStash = 64
	// rxCacheSize is the size of an RX queue's private mempool cache.
	rxCacheSize = 512
	// maxGSOFrame is the longest frame the kernel hands a reader that took
	// TSO: a 64 KiB GSO packet behind an Ethernet header and VLAN tags.
	maxGSOFrame = 65536 + 14 + 8
)

// rxQueue is one RX queue: it reads the frames the kernel sends on the
// interface from its tun fd, each with one readv straight into an mbuf or
// a chain of mbufs of its pool (no copy in user space).
type rxQueue struct {
	fd      int
	port    uint16
	queue   uint16
	lro     bool // TSO is on: TCP GSO frames arrive whole
	pool    *mempool.Mempool
	cache   *mempool.Cache
	first   uint32 // data room of a packet's first segment (after the headroom)
	segRoom uint32 // data room of later segments, which have no headroom
	maxLen  uint32 // the longest frame the queue takes
	maxSegs int    // segments of a frame of maxLen bytes

	stash   []*mbuf.Mbuf // fresh mbufs; the top ones are the next frame's buffers
	nstash  int
	iovs    []unix.Iovec // the virtio_net_hdr, then maxSegs buffers
	hdr     [vnet.Size]byte
	removed *atomic.Bool // the port's: set when the interface is gone

	stats     ethdev.QueueStats
	lroFrames atomic.Uint64
	csumDone  atomic.Uint64
	truncated atomic.Uint64
	badLogged bool
}

func newRxQueue(qi ethdev.RxQueueInfo, removed *atomic.Bool) (*rxQueue, error) {
	room := uint32(mbuf.DataRoomSize(qi.Pool))
	if room <= mbuf.DefaultHeadroom {
		return nil, fmt.Errorf("pool %s: data room %d leaves no room after the %d-byte headroom", qi.Pool.Name(), room, mbuf.DefaultHeadroom)
	}
	c, err := mempool.NewCache(rxCacheSize)
	if err != nil {
		return nil, err
	}
	return &rxQueue{
		fd: -1, port: qi.Port, queue: qi.Queue, pool: qi.Pool, cache: c,
		first: room - mbuf.DefaultHeadroom, segRoom: room, removed: removed,
	}, nil
}

// attach gives the queue its fd and the longest frame it must take (at
// start, on a stopped port), and drops what the kernel queued before.
func (q *rxQueue) attach(fd int, maxLen uint32, lro bool) {
	q.flushMbufs()
	q.fd, q.maxLen, q.lro = fd, maxLen, lro
	q.maxSegs = q.segs(maxLen)
	if n := max(minStash, 2*q.maxSegs); len(q.stash) != n {
		q.stash = make([]*mbuf.Mbuf, n)
	}
	q.iovs = make([]unix.Iovec, 1+q.maxSegs)
	drain(fd)
}

// drain reads and drops every frame waiting on fd.
func drain(fd int) {
	buf := make([]byte, maxGSOFrame+vnet.Size)
	for i := 0; i < 1<<16; i++ {
		if _, err := unix.Read(fd, buf); err != nil && err != unix.EINTR {
			return
		}
	}
}

// flushMbufs returns the mbufs the queue holds to the pool.
func (q *rxQueue) flushMbufs() {
	mbuf.FreeBulk(q.stash[:q.nstash], eal.LcoreIDAny)
	clear(q.stash[:q.nstash])
	q.nstash = 0
	q.pool.CacheFlush(q.cache)
}

// segs returns how many mbufs a frame of l bytes takes.
func (q *rxQueue) segs(l uint32) int {
	if l <= q.first {
		return 1
	}
	return 1 + int((l-q.first+q.segRoom-1)/q.segRoom)
}

// refill tops the stash up from the private cache; it reports whether the
// stash holds the buffers of a frame of maxLen bytes.
func (q *rxQueue) refill() bool {
	if q.nstash >= q.maxSegs {
		return true
	}
	if mbuf.AllocBulkCache(q.pool, q.stash[q.nstash:], q.cache) == nil {
		q.nstash = len(q.stash)
		return true
	}
	if mbuf.AllocBulkCache(q.pool, q.stash[q.nstash:q.maxSegs], q.cache) == nil {
		q.nstash = q.maxSegs
		return true
	}
	return false
}

// RxBurst receives up to len(pkts) frames, one readv each, until the
// kernel has no more (EAGAIN). It never blocks.
func (q *rxQueue) RxBurst(pkts []*mbuf.Mbuf) int {
	if q.fd < 0 {
		return 0
	}
	n := 0
	var bytes, errs uint64
	for tries := 0; n < len(pkts) && tries < 2*len(pkts); tries++ {
		if !q.refill() {
			q.stats.AddNoMbuf(1)
			break
		}
		// The header, then the top of the stash: the first buffer after its
		// headroom, the others whole.
		vnet.SetIov(&q.iovs[0], q.hdr[:])
		top := q.nstash - 1
		m := q.stash[top]
		vnet.SetIov(&q.iovs[1], m.Buf()[mbuf.DefaultHeadroom:mbuf.DefaultHeadroom+q.first])
		for k := 1; k < q.maxSegs; k++ {
			vnet.SetIov(&q.iovs[k+1], q.stash[top-k].Buf()[:q.segRoom])
		}
		r, e := readv(q.fd, q.iovs)
		if e != 0 {
			if e == unix.EBADFD {
				q.removed.Store(true)
			} else if e != unix.EAGAIN && e != unix.EINTR {
				errs++
				continue
			}
			break
		}
		l := r - vnet.Size
		if l < 14 {
			q.bad("runt frame of %d bytes", l)
			errs++
			continue
		}
		if uint32(l) > q.maxLen {
			// Longer than the buffers: the kernel copied what fit.
			count(&q.truncated, 1)
			errs++
			continue
		}
		m = q.take(uint32(l))
		if !q.offload(m) {
			m.Free(eal.LcoreIDAny)
			errs++
			continue
		}
		pkts[n] = m
		n++
		bytes += uint64(l)
	}
	if n > 0 {
		q.stats.Add(uint64(n), bytes)
	}
	if errs > 0 {
		q.stats.AddErrors(errs)
	}
	return n
}

// take pops the buffers a frame of l bytes filled off the stash and
// returns them as one packet, chained from the last segment back.
func (q *rxQueue) take(l uint32) *mbuf.Mbuf {
	nseg := q.segs(l)
	top := q.nstash - 1
	var tail *mbuf.Mbuf
	for k := nseg - 1; k >= 1; k-- {
		m := q.stash[top-k]
		m.SetDataOff(0)
		m.SetLen(uint16(min(l-q.first-uint32(k-1)*q.segRoom, q.segRoom)))
		if tail != nil {
			mbuf.Chain(m, tail) // cannot fail: far below MaxSegs segments
		}
		tail = m
	}
	m := q.stash[top]
	m.SetLen(uint16(min(l, q.first)))
	if tail != nil {
		mbuf.Chain(m, tail)
	}
	clear(q.stash[q.nstash-nseg : q.nstash])
	q.nstash -= nseg
	m.Port = q.port
	return m
}

// offload applies the frame's virtio_net_hdr to m; false: drop it.
func (q *rxQueue) offload(m *mbuf.Mbuf) bool {
	h := vnet.Decode(&q.hdr)
	act, g := classifyRx(h, m.Data(), int(m.PktLen()), q.lro)
	switch act {
	case rxBad:
		q.bad("frame the driver cannot take (flags %#x, gso_type %d, csum_start %d, csum_offset %d, length %d)",
			h.Flags, h.GSOType, h.CsumStart, h.CsumOffset, m.PktLen())
		return false
	case rxCsum:
		vnet.CompleteCsum(m, h.CsumStart, h.CsumOffset)
		m.OlFlags |= mbuf.FlagRxL4CksumGood
		count(&q.csumDone, 1)
	case rxValid:
		m.OlFlags |= mbuf.FlagRxL4CksumGood
	case rxLRO:
		d := m.Data()
		binary.BigEndian.PutUint16(d[g.L2+g.L3+16:], g.LROChecksum(d))
		g.LROFlags(m, 0)
		count(&q.lroFrames, 1)
	}
	return true
}

// bad logs the first frame the queue could not take.
func (q *rxQueue) bad(format string, args ...any) {
	if !q.badLogged {
		q.badLogged = true
		eal.Logf(eal.LogErr, logType, "port %d rx queue %d: "+format+" (further ones are counted in ierrors only)", append([]any{q.port, q.queue}, args...)...)
	}
}

// count adds n to a counter of the queue's lcore (one writer: a load and a
// store, no locked instruction, as ethdev.QueueStats does).
func count(c *atomic.Uint64, n uint64) { c.Store(c.Load() + n) }
