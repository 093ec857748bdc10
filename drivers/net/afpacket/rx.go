package afpacket

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
	// stashSize is how many fresh mbufs an RX queue takes from its cache at once.
	stashSize = 64
	// rxCacheSize is the size of an RX queue's private mempool cache.
	rxCacheSize = 512
	// maxGSOSegs bounds the packets software segmentation makes of one
	// frame (64 KiB at the smallest MSS Linux allows, 88 bytes, is 745).
	maxGSOSegs = 1024
	// maxHdrLen bounds the headers of a GSO frame segmented in software.
	maxHdrLen = 512
	// tpacket3HdrLen is sizeof(struct tpacket3_hdr).
	tpacket3HdrLen = unix.SizeofTpacket3Hdr
)

// rxQueue is one RX queue: it walks the blocks of its socket's TPACKET_V3
// ring and copies each frame into an mbuf or chain of its pool.
type rxQueue struct {
	ring    *rxRing // the socket's: the read position outlives the queue
	port    uint16
	queue   uint16
	strip   bool // RxOffloadVLANStrip: leave the tag in VlanTCI
	lro     bool // RxOffloadTCPLRO: deliver TCP GSO frames whole
	pool    *mempool.Mempool
	cache   *mempool.Cache // in use: own, or the bound lcore's
	own     *mempool.Cache // the queue's private cache
	stash   [stashSize]*mbuf.Mbuf
	nstash  int
	first   uint32 // data room of a packet's first segment (after the headroom)
	segRoom uint32 // data room of later segments, which have no headroom

	// Packets made by software segmentation, waiting for room in a burst.
	pend          []*mbuf.Mbuf
	pendHead, npd int
	pendBytes     []uint32
	hdr           [maxHdrLen]byte // a segment's headers
	tmpl          [maxHdrLen]byte // the frame's headers, VLAN tag reinserted
	tagged        [16]byte        // a frame's first 12 bytes and its VLAN tag

	stats     ethdev.QueueStats
	gsoFrames atomic.Uint64
	gsoSegs   atomic.Uint64
	csumDone  atomic.Uint64
	truncated atomic.Uint64
	badLogged bool
}

func newRxQueue(qi ethdev.RxQueueInfo, offloads uint64) (*rxQueue, error) {
	room := uint32(mbuf.DataRoomSize(qi.Pool))
	if room <= mbuf.DefaultHeadroom {
		return nil, fmt.Errorf("pool %s: data room %d leaves no room after the %d-byte headroom", qi.Pool.Name(), room, mbuf.DefaultHeadroom)
	}
	c, err := mempool.NewCache(rxCacheSize)
	if err != nil {
		return nil, err
	}
	return &rxQueue{
		port: qi.Port, queue: qi.Queue, pool: qi.Pool, cache: c, own: c,
		strip: offloads&ethdev.RxOffloadVLANStrip != 0,
		lro:   offloads&ethdev.RxOffloadTCPLRO != 0,
		first: room - mbuf.DefaultHeadroom, segRoom: room,
		pend: make([]*mbuf.Mbuf, maxGSOSegs), pendBytes: make([]uint32, maxGSOSegs),
	}, nil
}

// attach gives the queue its socket's ring (at start, on a stopped port).
func (q *rxQueue) attach(s *packetSocket) { q.ring = &s.ring }

// flushRing drops the frames waiting in the ring: those that arrived
// before the port stopped.
func (q *rxQueue) flushRing() {
	r := q.ring
	if r.left != 0 {
		r.nextBlock()
	}
	for i := uint32(0); i < r.nblocks && r.blockReady(r.blk); i++ {
		r.nextBlock()
	}
}

// flushMbufs returns the mbufs the queue holds to the pool.
func (q *rxQueue) flushMbufs() {
	for q.pendHead < q.npd {
		q.pend[q.pendHead].Free(eal.LcoreIDAny)
		q.pend[q.pendHead] = nil
		q.pendHead++
	}
	q.pendHead, q.npd = 0, 0
	mbuf.FreeBulk(q.stash[:q.nstash], eal.LcoreIDAny)
	clear(q.stash[:q.nstash])
	q.nstash = 0
	q.pool.CacheFlush(q.own) // a bound lcore's cache is the lcore's to flush
}

// release drops the queue's hold on the ring (at close).
func (q *rxQueue) release() {
	q.flushMbufs()
	q.ring = nil
}

// RxBurst receives up to len(pkts) packets. It never blocks: it looks at
// the status of the next block of the ring only.
func (q *rxQueue) RxBurst(pkts []*mbuf.Mbuf) int {
	if q.ring == nil {
		return 0
	}
	n := 0
	var bytes uint64
	for n < len(pkts) {
		if q.pendHead < q.npd {
			for q.pendHead < q.npd && n < len(pkts) {
				pkts[n] = q.pend[q.pendHead]
				bytes += uint64(q.pendBytes[q.pendHead])
				q.pend[q.pendHead] = nil
				q.pendHead++
				n++
			}
			if q.pendHead == q.npd {
				q.pendHead, q.npd = 0, 0
			}
			continue
		}
		h := q.nextFrame()
		if h == nil {
			break
		}
		m, l, st := q.receive(h)
		if st == frameRetry {
			q.stats.AddNoMbuf(1) // the frame waits for the next burst
			break
		}
		q.advance(h)
		if m != nil {
			pkts[n] = m
			n++
			bytes += uint64(l)
		}
	}
	if n > 0 {
		q.stats.Add(uint64(n), bytes)
	}
	return n
}

// nextFrame returns the next frame's header, opening the next block when
// the kernel has handed it over, or nil when there is nothing to read.
func (q *rxQueue) nextFrame() *unix.Tpacket3Hdr {
	r := q.ring
	for r.left == 0 {
		if !r.blockReady(r.blk) {
			return nil
		}
		bh := r.blockHdr(r.blk)
		if bh.Num_pkts == 0 || bh.Offset_to_first_pkt+tpacket3HdrLen > r.blockSize {
			r.nextBlock()
			continue
		}
		r.left, r.off = bh.Num_pkts, bh.Offset_to_first_pkt
	}
	return r.frame(r.blk, r.off)
}

// advance moves past the frame h: to the next one of the block, or, after
// the last, gives the block back to the kernel.
func (q *rxQueue) advance(h *unix.Tpacket3Hdr) {
	r := q.ring
	r.left--
	if r.left == 0 {
		r.nextBlock()
		return
	}
	next := r.off + h.Next_offset
	if h.Next_offset == 0 || next+tpacket3HdrLen > r.blockSize {
		q.bad("block %d: frame at %d has a bad next offset %d", r.blk, r.off, h.Next_offset)
		r.nextBlock()
		return
	}
	r.off = next
}

// bad counts a malformed frame and logs the first.
func (q *rxQueue) bad(format string, args ...any) {
	q.stats.AddErrors(1)
	if !q.badLogged {
		q.badLogged = true
		eal.Logf(eal.LogErr, logType, "port %d rx queue %d: "+format, append([]any{q.port, q.queue}, args...)...)
	}
}

type frameStatus int

const (
	frameDone  frameStatus = iota // delivered, dropped or segmented into pend
	frameRetry                    // no mbufs: try again later
)

// receive turns the frame h into an mbuf (returned with its length), or
// into segments left in pend, or drops it.
func (q *rxQueue) receive(h *unix.Tpacket3Hdr) (*mbuf.Mbuf, uint32, frameStatus) {
	if h.Snaplen < h.Len {
		// Longer than a block: the kernel cut it.
		count(&q.truncated, 1)
		q.stats.AddErrors(1)
		return nil, 0, frameDone
	}
	if uint32(h.Mac) < vnetHdrLen {
		q.bad("frame without room for its virtio_net_hdr (tp_mac %d)", h.Mac)
		return nil, 0, frameDone
	}
	r := q.ring
	d := r.frameBytes(r.blk, r.off+uint32(h.Mac), h.Snaplen)
	vb := r.frameBytes(r.blk, r.off+uint32(h.Mac)-vnetHdrLen, vnetHdrLen)
	if d == nil || vb == nil || len(d) < 14 {
		q.bad("frame at %d of block %d does not fit the block (tp_mac %d, tp_snaplen %d)", r.off, r.blk, h.Mac, h.Snaplen)
		return nil, 0, frameDone
	}
	vh := vnet.Decode((*[vnet.Size]byte)(vb))

	// A VLAN tag the kernel took out of the frame goes back in, unless the
	// application asked for it stripped.
	var tag []byte
	shift := 0
	vlan := h.Status&unix.TP_STATUS_VLAN_VALID != 0
	if vlan && !q.strip {
		tpid := uint16(0x8100)
		if h.Status&unix.TP_STATUS_VLAN_TPID_VALID != 0 {
			tpid = h.Hv1.Vlan_tpid
		}
		copy(q.tagged[:12], d[:12])
		binary.BigEndian.PutUint16(q.tagged[12:], tpid)
		binary.BigEndian.PutUint16(q.tagged[14:], uint16(h.Hv1.Vlan_tci))
		tag, shift = q.tagged[:], 4
	}

	var ol uint64
	var g vnet.GSO
	fix, fixVal := -1, uint16(0) // a checksum field to write in the mbuf
	lro := false
	switch {
	case vh.IsGSO():
		var ok bool
		if g, ok = vnet.ParseGSO(d, vh); !ok {
			q.bad("GSO frame the driver cannot handle (gso_type %d, csum_start %d, csum_offset %d)", vh.GSOType, vh.CsumStart, vh.CsumOffset)
			return nil, 0, frameDone
		}
		if !q.lro || g.Proto != vnet.ProtoTCP {
			if !q.segment(d, &g, tag, h) {
				return nil, 0, frameRetry
			}
			count(&q.gsoFrames, 1)
			return nil, 0, frameDone
		}
		count(&q.gsoFrames, 1)
		lro = true
		fix, fixVal = g.L2+g.L3+16, g.LROChecksum(d)
	case vh.Flags&vnet.FlagNeedsCsum != 0:
		// A partial checksum (the sender offloaded it): completed here, so
		// that the packet is right wherever it goes. The ring is left as it
		// is, so that a retry computes the same.
		var ok bool
		if fixVal, ok = vnet.PartialCsum(d, vh.CsumStart, vh.CsumOffset); !ok {
			q.bad("partial checksum outside the frame (csum_start %d, csum_offset %d, length %d)", vh.CsumStart, vh.CsumOffset, len(d))
			return nil, 0, frameDone
		}
		fix = int(vh.CsumStart) + int(vh.CsumOffset)
		ol = mbuf.FlagRxL4CksumGood
	case vh.Flags&vnet.FlagDataValid != 0:
		ol = mbuf.FlagRxL4CksumGood
	}

	var m *mbuf.Mbuf
	l := uint32(len(d)) + uint32(shift)
	if tag != nil {
		m = q.build(tag, d[12:], l)
	} else {
		m = q.build(d, nil, l)
	}
	if m == nil {
		return nil, 0, frameRetry
	}
	if fix >= 0 {
		writeAt(m, uint32(fix+shift), byte(fixVal>>8), byte(fixVal))
		if !lro {
			count(&q.csumDone, 1)
		}
	}
	q.setRxFields(m, h, vlan)
	m.OlFlags |= ol
	if lro {
		g.LROFlags(m, shift)
	}
	return m, l, frameDone
}

// setRxFields sets what every packet of frame h carries: port, flow hash
// and, when stripped, the VLAN tag.
func (q *rxQueue) setRxFields(m *mbuf.Mbuf, h *unix.Tpacket3Hdr, vlan bool) {
	m.Port = q.port
	m.RSSHash = h.Hv1.Rxhash
	m.OlFlags |= mbuf.FlagRxRSSHash
	if vlan && q.strip {
		m.VlanTCI = uint16(h.Hv1.Vlan_tci)
		m.OlFlags |= mbuf.FlagRxVLAN | mbuf.FlagRxVLANStripped
	}
}

// writeAt writes two bytes at offset off of the chain m.
func writeAt(m *mbuf.Mbuf, off uint32, b0, b1 byte) {
	for s := m; s != nil; s = s.Next() {
		dl := uint32(s.DataLen())
		if off < dl {
			data := s.Data()
			data[off] = b0
			if off+1 < dl {
				data[off+1] = b1
			} else if n := s.Next(); n != nil {
				n.Data()[0] = b1
			}
			return
		}
		off -= dl
	}
}

// segment cuts the GSO frame d into packets of at most g.MSS payload bytes
// each, with their headers and checksums complete, and leaves them in
// pend. With tag, the VLAN tag is reinserted in every packet. It returns
// false, having taken nothing, when the pool runs out.
func (q *rxQueue) segment(d []byte, g *vnet.GSO, tag []byte, h *unix.Tpacket3Hdr) bool {
	hl := g.HdrLen()
	payload := d[hl:]
	nseg := (len(payload) + g.MSS - 1) / g.MSS
	shift := 0
	if tag != nil {
		shift = 4
	}
	if nseg == 0 || nseg > len(q.pend) || hl+shift > maxHdrLen {
		q.bad("GSO frame of %d bytes with MSS %d and %d bytes of headers: too many segments or headers too long", len(d), g.MSS, hl)
		return true
	}
	tmpl := q.tmpl[:hl+shift]
	if tag != nil {
		copy(tmpl, tag)
		copy(tmpl[16:], d[12:hl])
	} else {
		copy(tmpl, d[:hl])
	}
	sg := *g
	sg.L2 += shift
	for i := 0; i < nseg; i++ {
		chunk := payload[i*g.MSS : min((i+1)*g.MSS, len(payload))]
		hdr := q.hdr[:len(tmpl)]
		copy(hdr, tmpl)
		sg.PatchSegment(hdr, i, chunk, i == nseg-1)
		l := uint32(len(hdr) + len(chunk))
		m := q.build(hdr, chunk, l)
		if m == nil {
			for j := 0; j < i; j++ {
				q.unwind(q.pend[j])
				q.pend[j] = nil
			}
			return false
		}
		q.setRxFields(m, h, h.Status&unix.TP_STATUS_VLAN_VALID != 0)
		m.OlFlags |= mbuf.FlagRxL4CksumGood
		q.pend[i], q.pendBytes[i] = m, l
	}
	q.pendHead, q.npd = 0, nseg
	count(&q.gsoSegs, uint64(nseg))
	return true
}

// count adds n to a counter of the queue's lcore (one writer: a load and a
// store, no locked instruction, as ethdev.QueueStats does).
func count(c *atomic.Uint64, n uint64) { c.Store(c.Load() + n) }

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

// unwind gives back the segments of a chain that is not delivered.
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

// segs returns how many mbufs a packet of l bytes takes.
func (q *rxQueue) segs(l uint32) int {
	if l <= q.first {
		return 1
	}
	return 1 + int((l-q.first+q.segRoom-1)/q.segRoom)
}

// build copies a then b (l bytes in all) into a new mbuf, or a chain when
// they do not fit one mbuf's data room; it returns nil, having taken
// nothing, when the pool runs out. A chain is built from its last segment
// back, so that linking each segment costs O(1); later segments have no
// headroom.
func (q *rxQueue) build(a, b []byte, l uint32) *mbuf.Mbuf {
	if l <= q.first {
		m := q.get()
		if m == nil {
			return nil
		}
		m.SetLen(uint16(l))
		dst := m.Data()
		copy(dst[copy(dst, a):], b)
		return m
	}
	var tail *mbuf.Mbuf
	for k := q.segs(l) - 1; k >= 0; k-- {
		m := q.get()
		if m == nil {
			q.unwind(tail)
			return nil
		}
		lo, hi := uint32(0), q.first
		if k > 0 {
			m.SetDataOff(0)
			lo = q.first + uint32(k-1)*q.segRoom
			hi = min(lo+q.segRoom, l)
		}
		m.SetLen(uint16(hi - lo))
		copyRange(m.Data(), a, b, lo)
		if tail != nil {
			mbuf.Chain(m, tail) // cannot fail: a frame is far below MaxSegs segments
		}
		tail = m
	}
	return tail
}

// copyRange fills dst with the bytes of a then b from offset lo on.
func copyRange(dst, a, b []byte, lo uint32) {
	if lo < uint32(len(a)) {
		n := copy(dst, a[lo:])
		copy(dst[n:], b)
		return
	}
	copy(dst, b[lo-uint32(len(a)):])
}
