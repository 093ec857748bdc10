package mbuf

import (
	"errors"
	"fmt"
	"sync/atomic"
	"unsafe"

	"dpk/eal"
	"dpk/mempool"
)

// Sizes and limits, as DPDK's.
const (
	// HeaderSize is the size of the mbuf header (two cache lines).
	HeaderSize = 128
	// DefaultHeadroom is RTE_PKTMBUF_HEADROOM.
	DefaultHeadroom = 128
	// DefaultDataroom is RTE_MBUF_DEFAULT_DATAROOM.
	DefaultDataroom = 2048
	// DefaultBufSize is RTE_MBUF_DEFAULT_BUF_SIZE: data room plus headroom.
	DefaultBufSize = DefaultDataroom + DefaultHeadroom
	// MaxSegs is the most segments a chain may have (RTE_MBUF_MAX_NB_SEGS).
	MaxSegs = 0xffff
	// PortInvalid marks an mbuf not received on any port (RTE_MBUF_PORT_INVALID).
	PortInvalid = 0xffff
)

// Errors of mbuf operations.
var (
	ErrNoHeadroom  = errors.New("mbuf: not enough headroom")
	ErrNoTailroom  = errors.New("mbuf: not enough tailroom")
	ErrTooShort    = errors.New("mbuf: data shorter than requested")
	ErrTooManySegs = errors.New("mbuf: too many segments")
	ErrNotDirect   = errors.New("mbuf: operation needs a direct mbuf")
)

// Mbuf is the packet buffer header (rte_mbuf). Exported fields are plain
// data that drivers and applications read and write directly, as in DPDK;
// the structural fields are reached through methods that keep them
// consistent.
type Mbuf struct {
	// First cache line: RX and forwarding.
	bufOff  int64  // buffer start, relative to the mbuf
	nextOff int64  // next segment, relative to the mbuf (0: none)
	refcnt  uint32 // reference count (atomic when shared)
	dataOff uint16 // start of data in the buffer
	nbSegs  uint16 // segments in the chain (valid in the first segment)
	// OlFlags holds the offload flags (RTE_MBUF_F_*).
	OlFlags uint64
	// PacketType is the RTE_PTYPE_* classification.
	PacketType uint32
	pktLen     uint32 // total length of the chain (first segment)
	dataLen    uint16 // data in this segment
	// VlanTCI is the VLAN tag control information (with RTE_MBUF_F_RX_VLAN).
	VlanTCI uint16
	// RSSHash is the RSS hash (hash.rss); also the flow director id.
	RSSHash uint32
	// HashHi is the second word of DPDK's hash union (fdir.hi, sched).
	HashHi uint32
	// VlanTCIOuter is the outer VLAN TCI of a QinQ frame.
	VlanTCIOuter uint16
	bufLen       uint16
	// Port is the input port id (PortInvalid if none).
	Port   uint16
	poolID uint16
	_      uint32

	// Second cache line: TX offloads and the rest.
	// TxOffload packs l2_len:7 l3_len:9 l4_len:8 tso_segsz:16
	// outer_l3_len:9 outer_l2_len:7, as DPDK's tx_offload.
	TxOffload uint64
	shinfoOff int64
	privSize  uint16
	// Timesync is the timesync flags index.
	Timesync uint16
	// Dynfield is space for dynamic fields (rte_mbuf_dynfield).
	Dynfield [11]uint32
}

var _ [HeaderSize - unsafe.Sizeof(Mbuf{})]byte
var _ [unsafe.Sizeof(Mbuf{}) - HeaderSize]byte

// Offload flags used by this package (RTE_MBUF_F_*, same bit positions as DPDK).
const (
	FlagRxVLAN            uint64 = 1 << 0
	FlagRxRSSHash         uint64 = 1 << 1
	FlagRxFdir            uint64 = 1 << 2
	FlagRxL4CksumBad      uint64 = 1 << 3
	FlagRxIPCksumBad      uint64 = 1 << 4
	FlagRxOuterIPCksumBad uint64 = 1 << 5
	FlagRxVLANStripped    uint64 = 1 << 6
	FlagRxIEEE1588PTP     uint64 = 1 << 9
	FlagRxIEEE1588TMST    uint64 = 1 << 10
	FlagRxFdirID          uint64 = 1 << 13
	FlagRxFdirFlx         uint64 = 1 << 14
	FlagRxQinQStripped    uint64 = 1 << 15
	FlagRxLRO             uint64 = 1 << 16
	FlagRxSecOffload      uint64 = 1 << 18
	FlagRxQinQ            uint64 = 1 << 20
	FlagRxIPCksumGood     uint64 = 1 << 7
	FlagRxL4CksumGood     uint64 = 1 << 8

	FlagTxTCPSeg       uint64 = 1 << 50
	FlagTxIEEE1588TMST uint64 = 1 << 51
	FlagTxTCPCksum     uint64 = 1 << 52
	FlagTxSCTPCksum    uint64 = 2 << 52
	FlagTxUDPCksum     uint64 = 3 << 52
	FlagTxIPCksum      uint64 = 1 << 54
	FlagTxIPv4         uint64 = 1 << 55
	FlagTxIPv6         uint64 = 1 << 56
	FlagTxVLAN         uint64 = 1 << 57
	FlagTxOuterIPCksum uint64 = 1 << 58
	FlagTxOuterIPv4    uint64 = 1 << 59
	FlagTxOuterIPv6    uint64 = 1 << 60
	// FlagExtBuf marks an mbuf attached to an external buffer.
	FlagExtBuf uint64 = 1 << 61
	// FlagIndirect marks an mbuf attached to another mbuf's buffer.
	FlagIndirect uint64 = 1 << 62
)

// FromPointer views a mempool object of an mbuf pool as an Mbuf.
func FromPointer(p unsafe.Pointer) *Mbuf { return (*Mbuf)(p) }

// Pointer returns the mbuf's address.
func (m *Mbuf) Pointer() unsafe.Pointer { return unsafe.Pointer(m) }

// BufAddr returns the start of the mbuf's buffer (buf_addr).
func (m *Mbuf) BufAddr() unsafe.Pointer { return unsafe.Add(unsafe.Pointer(m), m.bufOff) }

// BufIOVA returns the buffer's IO address: its virtual address.
func (m *Mbuf) BufIOVA() uint64 { return uint64(uintptr(m.BufAddr())) }

// BufLen returns the buffer length (buf_len).
func (m *Mbuf) BufLen() uint16 { return m.bufLen }

// DataOff returns the offset of the data in the buffer (data_off).
func (m *Mbuf) DataOff() uint16 { return m.dataOff }

// SetDataOff sets data_off, for drivers; it must leave data_off+data_len within the buffer.
func (m *Mbuf) SetDataOff(off uint16) { m.dataOff = off }

// PktLen returns the packet length: the sum of data_len over the chain.
func (m *Mbuf) PktLen() uint32 { return m.pktLen }

// SetPktLen sets pkt_len (drivers building a chain).
func (m *Mbuf) SetPktLen(l uint32) { m.pktLen = l }

// DataLen returns the data length of this segment.
func (m *Mbuf) DataLen() uint16 { return m.dataLen }

// SetDataLen sets data_len (drivers).
func (m *Mbuf) SetDataLen(l uint16) { m.dataLen = l }

// SetLen sets data_len and pkt_len of a single-segment packet, as an RX
// driver does after filling the buffer.
func (m *Mbuf) SetLen(l uint16) { m.dataLen = l; m.pktLen = uint32(l) }

// NbSegs returns the number of segments (valid in the first segment).
func (m *Mbuf) NbSegs() uint16 { return m.nbSegs }

// Next returns the next segment, or nil.
func (m *Mbuf) Next() *Mbuf {
	if m.nextOff == 0 {
		return nil
	}
	return (*Mbuf)(unsafe.Add(unsafe.Pointer(m), m.nextOff))
}

// SetNext links n after m (nil unlinks). It does not update nb_segs or pkt_len.
func (m *Mbuf) SetNext(n *Mbuf) {
	if n == nil {
		m.nextOff = 0
		return
	}
	m.nextOff = int64(uintptr(unsafe.Pointer(n)) - uintptr(unsafe.Pointer(m)))
}

// LastSeg returns the last segment of the chain.
func (m *Mbuf) LastSeg() *Mbuf {
	for m.nextOff != 0 {
		m = m.Next()
	}
	return m
}

// Pool returns the mempool the mbuf came from.
func (m *Mbuf) Pool() *mempool.Mempool { return mempool.ByIndex(m.poolID) }

// PrivSize returns the size of the private area after the header.
func (m *Mbuf) PrivSize() uint16 { return m.privSize }

// Priv returns the application private area (rte_mbuf_to_priv).
func (m *Mbuf) Priv() unsafe.Pointer { return unsafe.Add(unsafe.Pointer(m), HeaderSize) }

// Refcnt returns the reference count (rte_mbuf_refcnt_read).
func (m *Mbuf) Refcnt() uint16 { return uint16(atomic.LoadUint32(&m.refcnt)) }

// SetRefcnt sets the reference count (rte_mbuf_refcnt_set).
func (m *Mbuf) SetRefcnt(v uint16) { atomic.StoreUint32(&m.refcnt, uint32(v)) }

// RefcntUpdate adds v to the reference count and returns the new value
// (rte_mbuf_refcnt_update). Like DPDK it skips the atomic when the caller is
// the only owner.
func (m *Mbuf) RefcntUpdate(v int16) uint16 {
	if atomic.LoadUint32(&m.refcnt) == 1 {
		n := uint16(1 + int32(v))
		atomic.StoreUint32(&m.refcnt, uint32(n))
		return n
	}
	return uint16(atomic.AddUint32(&m.refcnt, uint32(int32(v))))
}

// IsDirect reports whether the mbuf owns its buffer.
func (m *Mbuf) IsDirect() bool { return m.OlFlags&(FlagIndirect|FlagExtBuf) == 0 }

// IsIndirect reports whether the mbuf is attached to another mbuf's buffer.
func (m *Mbuf) IsIndirect() bool { return m.OlFlags&FlagIndirect != 0 }

// IsContiguous reports whether the packet is in one segment.
func (m *Mbuf) IsContiguous() bool { return m.nbSegs == 1 }

// Mtod returns the start of the data (rte_pktmbuf_mtod).
func (m *Mbuf) Mtod() unsafe.Pointer {
	return unsafe.Add(unsafe.Pointer(m), m.bufOff+int64(m.dataOff))
}

// MtodOffset returns the data address plus off (rte_pktmbuf_mtod_offset).
func (m *Mbuf) MtodOffset(off int) unsafe.Pointer {
	return unsafe.Add(unsafe.Pointer(m), m.bufOff+int64(m.dataOff)+int64(off))
}

// Data returns this segment's data as a byte slice over the buffer.
func (m *Mbuf) Data() []byte {
	return unsafe.Slice((*byte)(m.Mtod()), m.dataLen)
}

// Buf returns the whole buffer (headroom, data and tailroom).
func (m *Mbuf) Buf() []byte {
	return unsafe.Slice((*byte)(m.BufAddr()), m.bufLen)
}

// Headroom returns the space before the data (rte_pktmbuf_headroom).
func (m *Mbuf) Headroom() uint16 { return m.dataOff }

// Tailroom returns the space after this segment's data (rte_pktmbuf_tailroom).
func (m *Mbuf) Tailroom() uint16 { return m.bufLen - m.dataOff - m.dataLen }

// Prepend grows the data of the first segment by n bytes at the front and
// returns the new bytes (rte_pktmbuf_prepend); ErrNoHeadroom if it cannot.
func (m *Mbuf) Prepend(n uint16) ([]byte, error) {
	if n > m.dataOff {
		return nil, ErrNoHeadroom
	}
	m.dataOff -= n
	m.dataLen += n
	m.pktLen += uint32(n)
	return unsafe.Slice((*byte)(m.Mtod()), n), nil
}

// Append grows the data of the last segment by n bytes and returns them
// (rte_pktmbuf_append); ErrNoTailroom if the last segment has no room.
func (m *Mbuf) Append(n uint16) ([]byte, error) {
	last := m.LastSeg()
	if n > last.Tailroom() {
		return nil, ErrNoTailroom
	}
	p := last.MtodOffset(int(last.dataLen))
	last.dataLen += n
	m.pktLen += uint32(n)
	return unsafe.Slice((*byte)(p), n), nil
}

// Adj removes n bytes from the front of the first segment (rte_pktmbuf_adj).
func (m *Mbuf) Adj(n uint16) error {
	if n > m.dataLen {
		return ErrTooShort
	}
	m.dataOff += n
	m.dataLen -= n
	m.pktLen -= uint32(n)
	return nil
}

// Trim removes n bytes from the end of the last segment (rte_pktmbuf_trim).
func (m *Mbuf) Trim(n uint16) error {
	last := m.LastSeg()
	if n > last.dataLen {
		return ErrTooShort
	}
	last.dataLen -= n
	m.pktLen -= uint32(n)
	return nil
}

// Chain appends the chain tail to the chain head (rte_pktmbuf_chain):
// nb_segs and pkt_len of head grow. It fails with ErrTooManySegs if the
// result would have more than MaxSegs segments.
func Chain(head, tail *Mbuf) error {
	if uint32(head.nbSegs)+uint32(tail.nbSegs) > MaxSegs {
		return ErrTooManySegs
	}
	head.LastSeg().SetNext(tail)
	head.nbSegs += tail.nbSegs
	head.pktLen += tail.pktLen
	tail.pktLen = uint32(tail.dataLen)
	tail.nbSegs = 1
	return nil
}

// Read returns len bytes of the packet from offset off (rte_pktmbuf_read):
// a view of the buffer when they lie in one segment, else a copy into buf,
// which must be at least len bytes. It returns nil when the packet is too
// short or buf too small.
func (m *Mbuf) Read(off, length uint32, buf []byte) []byte {
	if uint64(off)+uint64(length) > uint64(m.pktLen) {
		return nil
	}
	seg := m
	for off >= uint32(seg.dataLen) {
		off -= uint32(seg.dataLen)
		seg = seg.Next()
		if seg == nil {
			return nil
		}
	}
	if off+length <= uint32(seg.dataLen) {
		return unsafe.Slice((*byte)(seg.MtodOffset(int(off))), length)
	}
	if uint32(len(buf)) < length {
		return nil
	}
	out := buf[:length]
	n := 0
	for seg != nil && n < int(length) {
		d := seg.Data()[off:]
		n += copy(out[n:], d)
		off = 0
		seg = seg.Next()
	}
	if n < int(length) {
		return nil
	}
	return out
}

// Linearize gathers a multi-segment packet into its first segment and
// frees the other segments (rte_pktmbuf_linearize). It fails with
// ErrNoTailroom, changing nothing, if the first segment's buffer is too
// small, and with ErrNotDirect if the first segment shares its buffer.
func (m *Mbuf) Linearize(lcore uint32) error {
	if m.nbSegs == 1 {
		return nil
	}
	if !m.IsDirect() || m.Refcnt() != 1 {
		return ErrNotDirect
	}
	if m.pktLen-uint32(m.dataLen) > uint32(m.Tailroom()) {
		return ErrNoTailroom
	}
	dst := m.MtodOffset(int(m.dataLen))
	n := 0
	for seg := m.Next(); seg != nil; seg = seg.Next() {
		n += copy(unsafe.Slice((*byte)(unsafe.Add(dst, n)), seg.dataLen), seg.Data())
	}
	rest := m.Next()
	m.dataLen += uint16(n)
	m.nextOff = 0
	m.nbSegs = 1
	rest.Free(lcore)
	return nil
}

// L2Len returns the L2 header length of the TX offload fields.
func (m *Mbuf) L2Len() uint32 { return uint32(m.TxOffload & 0x7f) }

// L3Len returns the L3 header length.
func (m *Mbuf) L3Len() uint32 { return uint32(m.TxOffload>>7) & 0x1ff }

// L4Len returns the L4 header length.
func (m *Mbuf) L4Len() uint32 { return uint32(m.TxOffload>>16) & 0xff }

// TSOSegsz returns the TCP segment size for TSO.
func (m *Mbuf) TSOSegsz() uint32 { return uint32(m.TxOffload>>24) & 0xffff }

// OuterL3Len returns the outer L3 header length of a tunnel packet.
func (m *Mbuf) OuterL3Len() uint32 { return uint32(m.TxOffload>>40) & 0x1ff }

// OuterL2Len returns the outer L2 header length of a tunnel packet.
func (m *Mbuf) OuterL2Len() uint32 { return uint32(m.TxOffload>>49) & 0x7f }

// SetTxOffload sets every TX offload length at once (rte_mbuf_tx_offload).
// Values wider than their field are truncated, as in DPDK.
func (m *Mbuf) SetTxOffload(l2, l3, l4, tsoSegsz, outerL3, outerL2 uint32) {
	m.TxOffload = uint64(l2&0x7f) | uint64(l3&0x1ff)<<7 | uint64(l4&0xff)<<16 |
		uint64(tsoSegsz&0xffff)<<24 | uint64(outerL3&0x1ff)<<40 | uint64(outerL2&0x7f)<<49
}

// Check verifies the mbuf's consistency (rte_mbuf_check); isHeader means m
// is the first segment of a packet, so its chain is checked too.
func (m *Mbuf) Check(isHeader bool) error {
	if m.poolID == 0 && m.bufOff == 0 {
		return errors.New("mbuf: bad mbuf pool or buffer")
	}
	if m.bufLen == 0 {
		return errors.New("mbuf: bad buf_len")
	}
	if m.Refcnt() == 0 {
		return errors.New("mbuf: bad ref cnt")
	}
	if uint32(m.dataOff)+uint32(m.dataLen) > uint32(m.bufLen) {
		return fmt.Errorf("mbuf: data offset %d + data length %d exceed buffer length %d", m.dataOff, m.dataLen, m.bufLen)
	}
	if !isHeader {
		return nil
	}
	if m.nbSegs == 0 {
		return errors.New("mbuf: bad nb_segs")
	}
	var segs uint32
	var plen uint64
	for s := m; s != nil; s = s.Next() {
		segs++
		plen += uint64(s.dataLen)
		if segs > uint32(m.nbSegs) {
			return fmt.Errorf("mbuf: chain longer than nb_segs %d", m.nbSegs)
		}
		if uint32(s.dataOff)+uint32(s.dataLen) > uint32(s.bufLen) {
			return fmt.Errorf("mbuf: segment %d: data beyond buffer", segs-1)
		}
	}
	if segs != uint32(m.nbSegs) {
		return fmt.Errorf("mbuf: nb_segs %d but %d segments", m.nbSegs, segs)
	}
	if plen != uint64(m.pktLen) {
		return fmt.Errorf("mbuf: pkt_len %d but segments hold %d bytes", m.pktLen, plen)
	}
	return nil
}

func (m *Mbuf) String() string {
	return fmt.Sprintf("mbuf at %p, buf_len=%d, pkt_len=%d, nb_segs=%d, data_off=%d, data_len=%d, refcnt=%d, port=%d, ol_flags=%#x, ptype=%#x",
		m, m.bufLen, m.pktLen, m.nbSegs, m.dataOff, m.dataLen, m.Refcnt(), m.Port, m.OlFlags, m.PacketType)
}

// Offset returns the mbuf's offset in the EAL memory window: the form in
// which an mbuf crosses to another process (through a ring of 8-byte
// elements), where FromOffset turns it back into that process's *Mbuf.
func (m *Mbuf) Offset() uint64 { return eal.VirtToOffset(unsafe.Pointer(m)) }

// FromOffset returns the mbuf at a window offset that Offset gave, in this
// or another process.
func FromOffset(off uint64) *Mbuf { return (*Mbuf)(eal.OffsetToVirt(off)) }
