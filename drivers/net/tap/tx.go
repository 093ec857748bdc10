package tap

import (
	"encoding/binary"
	"sync/atomic"

	"dpk/drivers/net/internal/vnet"
	"dpk/eal"
	"dpk/ethdev"
	"dpk/mbuf"

	"golang.org/x/sys/unix"
)

const (
	// txMaxIovs is the most buffers one writev gets for a packet: a chain
	// with more segments is gathered into the queue's scratch buffer.
	txMaxIovs = 64
	// txScratch is the gather buffer's size: the longest packet sent.
	txScratch = 1 << 18
)

// txQueue is one TX queue: it writes each packet to its tun fd with one
// writev: a virtio_net_hdr built from the mbuf's offload requests, then
// the packet's segments, which the kernel copies. Packets are freed once
// written.
type txQueue struct {
	fd      int
	name    string
	queue   int
	iovs    [txMaxIovs + 3]unix.Iovec
	vnet    [vnet.Size]byte
	tag     [16]byte // destination and source MAC, VLAN tag
	scratch []byte
	free    mbuf.Freer
	removed *atomic.Bool

	stats     ethdev.QueueStats
	tsoFrames atomic.Uint64
	errLogged bool
}

func newTxQueue(name string, queue int, removed *atomic.Bool) *txQueue {
	return &txQueue{fd: -1, name: name, queue: queue, removed: removed}
}

type sendResult int

const (
	sendOK      sendResult = iota
	sendBlocked            // no room in the kernel: keep the packet, stop the burst
	sendDropped            // refused for good: drop it
)

// TxBurst writes pkts and returns how many it took: those sent, and those
// it dropped because the kernel refused them for good (interface gone, bad
// offload request: counted in oerrors). It stops, leaving the rest with the
// caller, when the kernel has no room (EAGAIN, ENOBUFS): it never blocks.
func (q *txQueue) TxBurst(pkts []*mbuf.Mbuf) int {
	if q.fd < 0 {
		return 0
	}
	taken := 0
	var sent, bytes, errs, tso uint64
	for _, m := range pkts {
		l, isTSO, r := q.send(m)
		if r == sendBlocked {
			break
		}
		taken++
		if r == sendDropped {
			errs++
			continue
		}
		sent++
		bytes += uint64(l)
		if isTSO {
			tso++
		}
	}
	q.free.FreeBulk(pkts[:taken])
	if sent > 0 {
		q.stats.Add(sent, bytes)
	}
	if errs > 0 {
		q.stats.AddErrors(errs)
	}
	if tso > 0 {
		count(&q.tsoFrames, tso)
	}
	return taken
}

// send writes m; it returns its length on the wire and whether it asked for
// TSO.
func (q *txQueue) send(m *mbuf.Mbuf) (int, bool, sendResult) {
	vlan := m.OlFlags&mbuf.FlagTxVLAN != 0
	shift := 0
	if vlan {
		if m.DataLen() < 12 {
			return 0, false, sendDropped
		}
		shift = 4
	}
	var vh vnet.Hdr
	if !vnet.TxOffload(m, &vh, shift) {
		return 0, false, sendDropped
	}
	vh.Encode(&q.vnet)
	vnet.SetIov(&q.iovs[0], q.vnet[:])
	i := 1
	data := m.Data()
	gather := m.NbSegs() > txMaxIovs
	if gather {
		if q.scratch == nil {
			q.scratch = make([]byte, txScratch) // once, for the first long chain
		}
		if m.PktLen() > uint32(len(q.scratch)) {
			return 0, false, sendDropped
		}
		if data = m.Read(0, m.PktLen(), q.scratch); data == nil {
			return 0, false, sendDropped
		}
	}
	if vlan {
		copy(q.tag[:12], data[:12])
		binary.BigEndian.PutUint16(q.tag[12:], 0x8100)
		binary.BigEndian.PutUint16(q.tag[14:], m.VlanTCI)
		vnet.SetIov(&q.iovs[i], q.tag[:])
		data = data[12:]
		i++
	}
	vnet.SetIov(&q.iovs[i], data)
	i++
	if !gather {
		for seg := m.Next(); seg != nil; seg = seg.Next() {
			vnet.SetIov(&q.iovs[i], seg.Data())
			i++
		}
	}
	_, e := writev(q.fd, q.iovs[:i])
	switch e {
	case 0:
		return int(m.PktLen()) + shift, vh.IsGSO(), sendOK
	case unix.EAGAIN, unix.ENOBUFS, unix.EINTR:
		return 0, false, sendBlocked
	case unix.EBADFD:
		q.removed.Store(true)
	}
	q.sendError(e)
	return 0, false, sendDropped
}

// sendError logs the first error the kernel gave for a dropped packet.
func (q *txQueue) sendError(e unix.Errno) {
	if !q.errLogged {
		q.errLogged = true
		eal.Logf(eal.LogWarning, logType, "%s tx queue %d: packet dropped: %v (further drops are counted in oerrors only)", q.name, q.queue, e)
	}
}
