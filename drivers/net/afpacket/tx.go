package afpacket

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
	// txBatch is how many packets one sendmmsg call carries at most.
	txBatch = 64
	// txIovs is the number of iovecs a batch may use.
	txIovs = 1024
	// txMaxIovs is the most iovecs one packet gets: a chain with more
	// segments is gathered into a buffer first.
	txMaxIovs = 128
	// txScratch is the gather buffer's size: the longest packet sent.
	txScratch = 1 << 18
)

// txQueue is one TX queue: it sends a burst with sendmmsg on its socket,
// one message per packet: a virtio_net_hdr built from the mbuf's offload
// requests, then the packet's segments, which the kernel copies (no copy
// here). Packets are freed once the call returns.
type txQueue struct {
	fd    int
	name  string
	queue int

	msgs    [txBatch]unix.Mmsghdr
	iovs    [txIovs]unix.Iovec
	vnet    [txBatch][vnet.Size]byte
	tags    [txBatch][16]byte // destination and source MAC, VLAN tag
	idx     [txBatch]int      // the burst index of each message
	lens    [txBatch]uint32   // the length of each message's packet on the wire
	tso     [txBatch]bool     // whether each message asks for TSO
	scratch []byte
	free    mbuf.Freer
	lcore   uint32 // the lcore bound to the queue, or LcoreIDAny

	stats     ethdev.QueueStats
	tsoFrames atomic.Uint64
	errLogged bool
}

func newTxQueue(name string, queue int) *txQueue {
	return &txQueue{fd: -1, name: name, queue: queue, lcore: eal.LcoreIDAny, scratch: make([]byte, txScratch)}
}

type encResult int

const (
	encOK   encResult = iota
	encFull           // the batch has no room left: send it first
	encBad            // the packet cannot be sent: drop it
)

// TxBurst sends pkts and returns how many it took: those sent, and those it
// dropped because the kernel refused them for good (interface down or gone,
// packet too long, bad offload request; counted in oerrors and the xstat
// tx_dropped). It stops, leaving the rest with the caller, when the
// kernel has no room (EAGAIN, ENOBUFS): it never blocks.
func (q *txQueue) TxBurst(pkts []*mbuf.Mbuf) int {
	taken := 0
	var sent, bytes, errs, tso uint64
	for taken < len(pkts) {
		// Build a batch of messages from pkts[taken:end].
		nmsg, niov, end := 0, 0, taken
		scratchUsed := false
		for end < len(pkts) && nmsg < txBatch {
			r := q.encode(pkts[end], nmsg, &niov, &scratchUsed)
			if r == encFull {
				break
			}
			if r == encBad {
				if nmsg > 0 {
					break // dropped once what is before it is taken
				}
				errs++
				q.freeBulk(pkts[end : end+1])
				end++
				taken = end
				continue
			}
			q.idx[nmsg] = end
			nmsg++
			end++
		}
		// Send it; a message the kernel refuses for good is dropped.
		off, blocked := 0, false
		for off < nmsg {
			n, e := sendmmsg(q.fd, q.msgs[off:nmsg])
			if e == 0 {
				for k := off; k < off+n; k++ {
					bytes += uint64(q.lens[k])
					if q.tso[k] {
						tso++
					}
				}
				sent += uint64(n)
				off += n
				continue
			}
			if e == unix.EAGAIN || e == unix.ENOBUFS || e == unix.EINTR {
				blocked = true
				break
			}
			q.sendError(e)
			errs++
			off++
		}
		limit := end
		if blocked {
			limit = q.idx[off]
		}
		q.freeBulk(pkts[taken:limit])
		taken = limit
		if blocked {
			break
		}
	}
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

// sendError logs the first error the kernel gave for a dropped packet.
func (q *txQueue) sendError(e unix.Errno) {
	if !q.errLogged {
		q.errLogged = true
		eal.Logf(eal.LogWarning, logType, "%s tx queue %d: packet dropped: %v (further drops are counted in oerrors only)", q.name, q.queue, e)
	}
}

// encode makes message k for m: its virtio_net_hdr and iovecs, from *niov
// on.
func (q *txQueue) encode(m *mbuf.Mbuf, k int, niov *int, scratchUsed *bool) encResult {
	vlan := m.OlFlags&mbuf.FlagTxVLAN != 0
	shift := 0
	if vlan {
		if m.DataLen() < 12 {
			return encBad
		}
		shift = 4
	}
	var vh vnet.Hdr
	if !vnet.TxOffload(m, &vh, shift) {
		return encBad
	}
	need := 1 + int(m.NbSegs())
	if vlan {
		need++
	}
	gather := need > txMaxIovs
	if gather {
		if *scratchUsed {
			return encFull
		}
		if m.PktLen() > uint32(len(q.scratch)) {
			return encBad
		}
		need = 2
		if vlan {
			need = 3
		}
	}
	if *niov+need > txIovs {
		return encFull
	}
	vh.Encode(&q.vnet[k])
	iovs := q.iovs[*niov : *niov+need]
	vnet.SetIov(&iovs[0], q.vnet[k][:])
	i := 1
	seg := m
	data := seg.Data()
	if gather {
		data = m.Read(0, m.PktLen(), q.scratch)
		if data == nil {
			return encBad
		}
		*scratchUsed = true
	}
	if vlan {
		t := &q.tags[k]
		copy(t[:12], data[:12])
		binary.BigEndian.PutUint16(t[12:], 0x8100)
		binary.BigEndian.PutUint16(t[14:], m.VlanTCI)
		vnet.SetIov(&iovs[i], t[:])
		data = data[12:]
		i++
	}
	vnet.SetIov(&iovs[i], data)
	i++
	if !gather {
		for seg = seg.Next(); seg != nil; seg = seg.Next() {
			vnet.SetIov(&iovs[i], seg.Data())
			i++
		}
	}
	h := &q.msgs[k].Hdr
	*h = unix.Msghdr{}
	setMsgIov(h, iovs[:i])
	q.lens[k] = m.PktLen() + uint32(shift)
	q.tso[k] = vh.IsGSO()
	*niov += i
	return encOK
}

// freeBulk frees sent or dropped mbufs: through the caches of the lcore
// bound to the queue, or through the queue's private caches.
func (q *txQueue) freeBulk(ms []*mbuf.Mbuf) {
	if q.lcore != eal.LcoreIDAny {
		mbuf.FreeBulk(ms, q.lcore)
		return
	}
	q.free.FreeBulk(ms)
}
