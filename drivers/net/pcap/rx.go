package pcap

import (
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"

	"dpk/eal"
	"dpk/ethdev"
	"dpk/mbuf"
	"dpk/mempool"
	"dpk/pcapng"
)

const (
	// stashSize is how many fresh mbufs an RX queue takes from its cache at once.
	stashSize = 32
	// rxCacheSize is the size of an RX queue's private mempool cache.
	rxCacheSize = 256
)

// rxQueue is one RX queue: a capture file read packet by packet, or, with
// infinite_rx, the file's packets loaded once and replayed in a loop. It is
// made at probe and kept for the port's life; setup gives it its pool.
type rxQueue struct {
	id       int
	name     string // device name, for messages
	path     string // the rx_pcap file; "" for a queue that receives nothing
	infinite bool

	// The file stream (not infinite_rx). pend is a packet read but not
	// yet delivered for want of mbufs: it points into the reader's buffer,
	// valid until the next read.
	f       *os.File
	r       pcapng.Reader
	done    bool // end of file or error: nothing more until a restart
	pend    []byte
	pendTS  time.Time
	hasPend bool

	// infinite_rx: the file's packets, loaded at queue setup, and the next
	// one to deliver.
	stored []*mbuf.Mbuf
	next   int

	// Set by setup.
	pool     *mempool.Mempool
	cache    *mempool.Cache
	port     uint16
	stamp    bool   // write the RX timestamp field
	firstCap uint32 // data room of a packet's first segment, after the headroom
	segCap   uint32 // data room of later segments, which have no headroom
	stash    [stashSize]*mbuf.Mbuf
	nstash   int

	stats     ethdev.QueueStats
	readErrs  atomic.Uint64
	eof       atomic.Bool
	errLogged bool
}

// open opens the queue's file and reads its header: errors name the file.
func (q *rxQueue) open() error {
	f, r, err := openCapture(q.path)
	if err != nil {
		return err
	}
	q.f, q.r = f, r
	q.done, q.hasPend, q.pend, q.errLogged = false, false, nil, false
	q.eof.Store(false)
	return nil
}

func openCapture(path string) (*os.File, pcapng.Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("rx_pcap=%s: %w", path, err)
	}
	r, err := pcapng.NewReader(f)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("rx_pcap=%s: not a readable capture file: %w", path, err)
	}
	return f, r, nil
}

// reopen opens the file again after a stop, so it is read from its start.
func (q *rxQueue) reopen() error {
	if q.path == "" || q.infinite || q.f != nil {
		return nil
	}
	return q.open()
}

// close closes the file.
func (q *rxQueue) close() {
	if q.f != nil {
		q.f.Close()
	}
	q.f, q.r = nil, nil
	q.hasPend, q.pend = false, nil
}

// stop returns the mbufs the queue holds to its pool and closes the file,
// which the next start reopens.
func (q *rxQueue) stop() {
	q.flushMbufs()
	if !q.infinite {
		q.close()
	}
}

// flushMbufs returns the stash and the private cache to the pool.
func (q *rxQueue) flushMbufs() {
	if q.pool == nil {
		return
	}
	mbuf.FreeBulk(q.stash[:q.nstash], eal.LcoreIDAny)
	clear(q.stash[:q.nstash])
	q.nstash = 0
	q.pool.CacheFlush(q.cache)
}

// freeStored frees the packets an infinite_rx queue keeps.
func (q *rxQueue) freeStored() {
	mbuf.FreeBulk(q.stored, eal.LcoreIDAny)
	q.stored, q.next = nil, 0
}

// setup binds the queue to a pool (on a stopped port) and, with
// infinite_rx, loads the file's packets into mbufs of that pool.
func (q *rxQueue) setup(qi ethdev.RxQueueInfo, stamp bool) error {
	bufLen := uint32(mbuf.DataRoomSize(qi.Pool))
	if bufLen <= mbuf.DefaultHeadroom {
		return fmt.Errorf("pool %s: data room %d leaves no room after the %d-byte headroom", qi.Pool.Name(), bufLen, mbuf.DefaultHeadroom)
	}
	q.flushMbufs()
	if q.cache == nil {
		c, err := mempool.NewCache(rxCacheSize)
		if err != nil {
			return err
		}
		q.cache = c
	}
	q.pool, q.port, q.stamp = qi.Pool, qi.Port, stamp
	q.firstCap, q.segCap = bufLen-mbuf.DefaultHeadroom, bufLen
	if !q.infinite {
		return nil
	}
	q.freeStored()
	if err := q.load(); err != nil {
		q.freeStored()
		q.flushMbufs()
		return err
	}
	return nil
}

// load reads the whole file into mbufs for infinite_rx (DPDK does it at
// queue setup too, from the queue's pool).
func (q *rxQueue) load() error {
	f, r, err := openCapture(q.path)
	if err != nil {
		return err
	}
	defer f.Close()
	for {
		data, ci, err := r.ReadPacket()
		if err != nil {
			if err != io.EOF {
				q.readError(err)
			}
			break
		}
		l := uint32(len(data))
		if q.segs(l) > mbuf.MaxSegs {
			q.stats.AddErrors(1)
			continue
		}
		m := q.build(data, nil, l)
		if m == nil {
			// Count what the whole file needs, for the message.
			npkt, nseg := len(q.stored)+1, q.countSegs()+q.segs(l)
			for {
				data, _, err := r.ReadPacket()
				if err != nil {
					break
				}
				npkt++
				nseg += q.segs(uint32(len(data)))
			}
			return fmt.Errorf("rx_pcap=%s: infinite_rx keeps the file's %d packets in mbufs of the queue's pool: they need %d mbufs, more than pool %s (%d mbufs) could give",
				q.path, npkt, nseg, q.pool.Name(), q.pool.Size())
		}
		m.Port = q.port
		setRxTimestamp(m, unixNano(ci.Timestamp))
		q.stored = append(q.stored, m)
	}
	if len(q.stored) == 0 {
		eal.Logf(eal.LogWarning, logType, "%s rx queue %d: %s has no packets: infinite_rx receives nothing", q.name, q.id, q.path)
	}
	q.next = 0
	return nil
}

func (q *rxQueue) countSegs() int {
	n := 0
	for _, m := range q.stored {
		n += int(m.NbSegs())
	}
	return n
}

// segs returns how many mbufs a packet of l bytes takes.
func (q *rxQueue) segs(l uint32) int {
	if l <= q.firstCap {
		return 1
	}
	return 1 + int((l-q.firstCap+q.segCap-1)/q.segCap)
}

// get returns a fresh mbuf, or nil when the pool has none. It refills the
// stash in bulk from the private cache, or takes a single mbuf when the
// pool is too low for a bulk.
func (q *rxQueue) get() *mbuf.Mbuf {
	if q.nstash == 0 {
		if mbuf.AllocBulkCache(q.pool, q.stash[:], q.cache) == nil {
			q.nstash = len(q.stash)
		} else if mbuf.AllocBulkCache(q.pool, q.stash[:1], q.cache) == nil {
			q.nstash = 1
		} else {
			return nil
		}
	}
	q.nstash--
	m := q.stash[q.nstash]
	q.stash[q.nstash] = nil
	return m
}

// unwind gives back the segments of a chain that could not be completed.
func (q *rxQueue) unwind(m *mbuf.Mbuf) {
	for m != nil {
		next := m.Next()
		m.Reset()
		if q.nstash < len(q.stash) {
			q.stash[q.nstash] = m
			q.nstash++
		} else {
			m.FreeSeg(eal.LcoreIDAny)
		}
		m = next
	}
}

// build copies a packet of l bytes into a new mbuf or chain: from data,
// or, when src is not nil, from a stored chain of the same pool (so with
// the same segment boundaries). It returns nil, having taken nothing, when
// the pool runs out. The chain is built from its last segment back, so
// that linking each segment costs O(1).
func (q *rxQueue) build(data []byte, src *mbuf.Mbuf, l uint32) *mbuf.Mbuf {
	var tail *mbuf.Mbuf
	for k := q.segs(l) - 1; k >= 0; k-- {
		m := q.get()
		if m == nil {
			q.unwind(tail)
			return nil
		}
		lo, hi := uint32(0), min(l, q.firstCap)
		if k > 0 {
			m.SetDataOff(0) // headroom is not needed in chained mbufs
			lo = q.firstCap + uint32(k-1)*q.segCap
			hi = min(lo+q.segCap, l)
		}
		m.SetLen(uint16(hi - lo))
		if src == nil {
			copy(m.Data(), data[lo:hi])
		} else if hi > lo {
			copy(m.Data(), src.Read(lo, hi-lo, nil))
		}
		if tail != nil {
			mbuf.Chain(m, tail) // cannot fail: callers check segs against MaxSegs
		}
		tail = m
	}
	return tail
}

// RxBurst delivers the next packets of the file.
func (q *rxQueue) RxBurst(pkts []*mbuf.Mbuf) int {
	if q.infinite {
		return q.rxInfinite(pkts)
	}
	if q.done || q.r == nil {
		return 0
	}
	n := 0
	var bytes uint64
	for n < len(pkts) {
		if !q.hasPend {
			data, ci, err := q.r.ReadPacket()
			if err != nil {
				q.end(err)
				break
			}
			q.pend, q.pendTS, q.hasPend = data, ci.Timestamp, true
		}
		l := uint32(len(q.pend))
		if q.segs(l) > mbuf.MaxSegs {
			q.stats.AddErrors(1)
			q.hasPend = false
			continue
		}
		m := q.build(q.pend, nil, l)
		if m == nil {
			q.stats.AddNoMbuf(1) // the packet waits for the next burst
			break
		}
		q.hasPend, q.pend = false, nil
		m.Port = q.port
		if q.stamp {
			setRxTimestamp(m, unixNano(q.pendTS))
		}
		pkts[n] = m
		n++
		bytes += uint64(l)
	}
	if n > 0 {
		q.stats.Add(uint64(n), bytes)
	}
	return n
}

// rxInfinite copies the stored packets, in a loop, into fresh mbufs.
func (q *rxQueue) rxInfinite(pkts []*mbuf.Mbuf) int {
	if len(q.stored) == 0 {
		return 0
	}
	n := 0
	var bytes uint64
	for n < len(pkts) {
		src := q.stored[q.next]
		l := src.PktLen()
		var m *mbuf.Mbuf
		if src.NbSegs() == 1 {
			if m = q.get(); m != nil {
				m.SetLen(uint16(l))
				copy(m.Data(), src.Data())
			}
		} else {
			m = q.build(nil, src, l)
		}
		if m == nil {
			q.stats.AddNoMbuf(1)
			break
		}
		m.Port = q.port
		if q.stamp {
			m.Dynfield[0], m.Dynfield[1] = src.Dynfield[0], src.Dynfield[1]
		}
		pkts[n] = m
		n++
		bytes += uint64(l)
		if q.next++; q.next == len(q.stored) {
			q.next = 0
		}
	}
	if n > 0 {
		q.stats.Add(uint64(n), bytes)
	}
	return n
}

// end records why the file stopped giving packets: its end, or an error,
// which is logged once with the file's name and the reader's description
// (format, offset, what is wrong) and counted in ierrors.
func (q *rxQueue) end(err error) {
	q.done = true
	q.hasPend, q.pend = false, nil
	if err == io.EOF {
		q.eof.Store(true)
		eal.Logf(eal.LogInfo, logType, "%s rx queue %d: end of %s", q.name, q.id, q.path)
		return
	}
	q.readError(err)
}

func (q *rxQueue) readError(err error) {
	q.readErrs.Add(1)
	q.stats.AddErrors(1)
	if !q.errLogged {
		q.errLogged = true
		eal.Logf(eal.LogErr, logType, "%s rx queue %d: %s: %v; the queue receives nothing more from it", q.name, q.id, q.path, err)
	}
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}
