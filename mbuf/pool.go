package mbuf

import (
	"fmt"
	"unsafe"

	"dpk/mempool"
)

// poolPriv is the private area of an mbuf pool (rte_pktmbuf_pool_private).
type poolPriv struct {
	dataRoomSize uint16
	privSize     uint16
	flags        uint32
}

// PoolFlagZeroOnFree clears a buffer when its mbuf returns to the pool, so
// that no previous packet's bytes can leak to the next user of the buffer.
const PoolFlagZeroOnFree = 1 << 0

// PoolConfig describes an mbuf pool.
type PoolConfig struct {
	Name         string
	N            uint32 // number of mbufs
	CacheSize    uint32 // per-lcore cache
	PrivSize     uint16 // application private area per mbuf (multiple of 8)
	DataRoomSize uint16 // headroom + data room (DefaultBufSize); 0 for a pool of indirect mbufs only
	Socket       int
	// ZeroOnFree clears each buffer when its mbuf is freed.
	ZeroOnFree bool
	// Flags are extra mempool flags (e.g. mempool.FlagDebug).
	Flags mempool.Flags
}

// PoolCreate creates a pool of packet mbufs (rte_pktmbuf_pool_create).
func PoolCreate(name string, n, cacheSize uint32, privSize, dataRoomSize uint16, socket int) (*mempool.Mempool, error) {
	return PoolCreateConfig(PoolConfig{Name: name, N: n, CacheSize: cacheSize, PrivSize: privSize, DataRoomSize: dataRoomSize, Socket: socket})
}

// PoolCreateConfig creates an mbuf pool from a PoolConfig.
func PoolCreateConfig(c PoolConfig) (*mempool.Mempool, error) {
	if c.PrivSize%8 != 0 {
		return nil, fmt.Errorf("mbuf pool %s: private size %d is not a multiple of 8", c.Name, c.PrivSize)
	}
	elt := uint32(HeaderSize) + uint32(c.PrivSize) + uint32(c.DataRoomSize)
	var flags uint32
	if c.ZeroOnFree {
		flags |= PoolFlagZeroOnFree
	}
	return mempool.CreateConfig(mempool.Config{
		Name: c.Name, N: c.N, EltSize: elt, CacheSize: c.CacheSize,
		PrivSize: uint32(unsafe.Sizeof(poolPriv{})), Socket: c.Socket, Flags: c.Flags,
		PrivInit: func(mp *mempool.Mempool) {
			*(*poolPriv)(mp.Priv()) = poolPriv{dataRoomSize: c.DataRoomSize, privSize: c.PrivSize, flags: flags}
		},
		ObjInit: initMbuf,
	})
}

func priv(mp *mempool.Mempool) *poolPriv { return (*poolPriv)(mp.Priv()) }

// DataRoomSize returns the pool's buffer size (rte_pktmbuf_data_room_size).
func DataRoomSize(mp *mempool.Mempool) uint16 { return priv(mp).dataRoomSize }

// PrivSizeOf returns the pool's per-mbuf private size (rte_pktmbuf_priv_size).
func PrivSizeOf(mp *mempool.Mempool) uint16 { return priv(mp).privSize }

// initMbuf sets up the constant parts of an mbuf (rte_pktmbuf_init).
func initMbuf(mp *mempool.Mempool, obj unsafe.Pointer, _ uint32) {
	p := priv(mp)
	m := (*Mbuf)(obj)
	*m = Mbuf{}
	m.privSize = p.privSize
	m.bufOff = int64(HeaderSize) + int64(p.privSize)
	m.bufLen = p.dataRoomSize
	m.poolID = mp.Index()
	m.refcnt = 1
	m.nbSegs = 1
	m.Port = PortInvalid
	m.dataOff = min(DefaultHeadroom, m.bufLen)
}

// Reset puts a fresh mbuf's fields back to their defaults (rte_pktmbuf_reset).
func (m *Mbuf) Reset() {
	m.nextOff = 0
	m.pktLen = 0
	m.TxOffload = 0
	m.VlanTCI = 0
	m.VlanTCIOuter = 0
	m.nbSegs = 1
	m.Port = PortInvalid
	m.OlFlags &= FlagExtBuf
	m.PacketType = 0
	m.dataLen = 0
	m.dataOff = min(DefaultHeadroom, m.bufLen)
}

// Alloc takes one mbuf from mp (rte_pktmbuf_alloc) through lcore's cache
// (eal.LcoreIDAny: none).
func Alloc(mp *mempool.Mempool, lcore uint32) (*Mbuf, error) {
	p, err := mp.Get(lcore)
	if err != nil {
		return nil, err
	}
	m := (*Mbuf)(p)
	m.Reset()
	return m, nil
}

// AllocBulk fills ms with fresh mbufs, all or none (rte_pktmbuf_alloc_bulk).
func AllocBulk(mp *mempool.Mempool, ms []*Mbuf, lcore uint32) error {
	return AllocBulkCache(mp, ms, mp.DefaultCache(lcore))
}

// AllocBulkCache is AllocBulk with an explicit cache (nil: none), for the
// fastest path of a worker that looked its cache up once.
func AllocBulkCache(mp *mempool.Mempool, ms []*Mbuf, c *mempool.Cache) error {
	objs := unsafe.Slice((*unsafe.Pointer)(unsafe.Pointer(unsafe.SliceData(ms))), len(ms))
	if err := mp.GenericGet(objs, c); err != nil {
		return err
	}
	for _, m := range ms {
		m.Reset()
	}
	return nil
}

// prefreeSeg prepares a segment for return to its pool
// (rte_pktmbuf_prefree_seg): it drops one reference and, if that was the
// last, detaches an indirect mbuf and returns the segment to free; else nil.
func (m *Mbuf) prefreeSeg(lcore uint32) *Mbuf {
	if m.Refcnt() != 1 {
		if m.RefcntUpdate(-1) != 0 {
			return nil
		}
		m.SetRefcnt(1)
	}
	if !m.IsDirect() {
		m.detach(lcore)
	}
	if m.nextOff != 0 {
		m.nextOff = 0
		m.nbSegs = 1
	}
	return m
}

// Free frees a whole chain (rte_pktmbuf_free) to lcore's caches
// (eal.LcoreIDAny: straight to the pools). A nil m is a no-op.
func (m *Mbuf) Free(lcore uint32) {
	for m != nil {
		next := m.Next()
		if s := m.prefreeSeg(lcore); s != nil {
			s.putRaw(lcore)
		}
		m = next
	}
}

// FreeSeg frees one segment, ignoring its next link (rte_pktmbuf_free_seg).
func (m *Mbuf) FreeSeg(lcore uint32) {
	if s := m.prefreeSeg(lcore); s != nil {
		s.putRaw(lcore)
	}
}

func (m *Mbuf) putRaw(lcore uint32) {
	mp := mempool.ByIndex(m.poolID)
	if priv(mp).flags&PoolFlagZeroOnFree != 0 {
		clear(m.Buf())
	}
	mp.Put(unsafe.Pointer(m), lcore)
}

// FreeBulk frees every chain in ms (rte_pktmbuf_free_bulk), batching
// segments of the same pool into one put. nil entries are skipped.
func FreeBulk(ms []*Mbuf, lcore uint32) {
	var batch [64]unsafe.Pointer
	n := 0
	var cur uint16
	flush := func() {
		if n > 0 {
			mp := mempool.ByIndex(cur)
			if priv(mp).flags&PoolFlagZeroOnFree != 0 {
				for _, p := range batch[:n] {
					clear((*Mbuf)(p).Buf())
				}
			}
			mp.PutBulk(batch[:n], lcore)
			n = 0
		}
	}
	for _, m := range ms {
		for m != nil {
			next := m.Next()
			if s := m.prefreeSeg(lcore); s != nil {
				if n == len(batch) || (n > 0 && s.poolID != cur) {
					flush()
				}
				cur = s.poolID
				batch[n] = unsafe.Pointer(s)
				n++
			}
			m = next
		}
	}
	flush()
}

// Attach makes mi an indirect mbuf sharing m's buffer (rte_pktmbuf_attach):
// mi's data fields become m's, and the direct mbuf holding the buffer gains
// a reference. mi must be direct, alone and unshared.
func Attach(mi, m *Mbuf) error {
	if !mi.IsDirect() || mi.Refcnt() != 1 || mi.nextOff != 0 {
		return ErrNotDirect
	}
	direct := m
	if m.IsIndirect() {
		direct = m.direct()
	}
	direct.RefcntUpdate(1)
	mi.bufOff = int64(uintptr(direct.BufAddr()) - uintptr(unsafe.Pointer(mi)))
	mi.bufLen = m.bufLen
	mi.privSize = direct.privSize
	mi.dataOff = m.dataOff
	mi.dataLen = m.dataLen
	mi.Port = m.Port
	mi.VlanTCI = m.VlanTCI
	mi.VlanTCIOuter = m.VlanTCIOuter
	mi.TxOffload = m.TxOffload
	mi.RSSHash, mi.HashHi = m.RSSHash, m.HashHi
	mi.nextOff = 0
	mi.pktLen = uint32(mi.dataLen)
	mi.nbSegs = 1
	mi.OlFlags = m.OlFlags | FlagIndirect
	mi.PacketType = m.PacketType
	return nil
}

// direct returns the direct mbuf whose buffer an indirect mbuf uses
// (rte_mbuf_from_indirect): the buffer sits right after that mbuf's header
// and private area, whose size Attach copied into the indirect mbuf.
func (m *Mbuf) direct() *Mbuf {
	return (*Mbuf)(unsafe.Add(m.BufAddr(), -(HeaderSize + int(m.privSize))))
}

// detach restores an indirect mbuf's own buffer and drops its reference on
// the direct mbuf, freeing that when it was the last (rte_pktmbuf_detach).
func (m *Mbuf) detach(lcore uint32) {
	if !m.IsIndirect() {
		return
	}
	d := m.direct()
	mp := mempool.ByIndex(m.poolID)
	m.privSize = priv(mp).privSize
	m.bufOff = int64(HeaderSize) + int64(m.privSize)
	m.bufLen = priv(mp).dataRoomSize
	m.dataOff = min(DefaultHeadroom, m.bufLen)
	m.dataLen = 0
	m.OlFlags = 0
	if d.RefcntUpdate(-1) == 0 {
		d.SetRefcnt(1)
		d.nextOff = 0
		d.nbSegs = 1
		d.putRaw(lcore)
	}
}

// Detach is rte_pktmbuf_detach for an indirect mbuf still in use.
func (m *Mbuf) Detach(lcore uint32) { m.detach(lcore) }

// Clone makes a copy of the packet m whose segments are indirect mbufs from
// mp attached to m's buffers (rte_pktmbuf_clone): no data is copied.
func Clone(m *Mbuf, mp *mempool.Mempool, lcore uint32) (*Mbuf, error) {
	head, err := Alloc(mp, lcore)
	if err != nil {
		return nil, err
	}
	if err := Attach(head, m); err != nil {
		head.Free(lcore)
		return nil, err
	}
	prev := head
	for seg := m.Next(); seg != nil; seg = seg.Next() {
		mi, err := Alloc(mp, lcore)
		if err != nil {
			head.Free(lcore)
			return nil, err
		}
		if err := Attach(mi, seg); err != nil {
			mi.Free(lcore)
			head.Free(lcore)
			return nil, err
		}
		prev.SetNext(mi)
		prev = mi
	}
	head.nbSegs = m.nbSegs
	head.pktLen = m.pktLen
	return head, nil
}
