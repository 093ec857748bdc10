package ring

import (
	"errors"
	"fmt"
	"io"
	"sync/atomic"

	"dpk/eal"
)

// Flags select a ring's synchronisation modes and sizing at creation, as
// DPDK's RING_F_* flags (same values).
type Flags uint32

const (
	// FlagSPEnq makes enqueue single-producer (RING_F_SP_ENQ): only one
	// goroutine at a time may enqueue, and it needs no atomic
	// read-modify-write.
	FlagSPEnq Flags = 0x0001
	// FlagSCDeq makes dequeue single-consumer (RING_F_SC_DEQ).
	FlagSCDeq Flags = 0x0002
	// FlagExactSize makes the ring hold exactly the requested count
	// (RING_F_EXACT_SZ); the slot array is rounded up to the next power of
	// two above count. Without it count must be a power of two and the
	// ring holds count-1 elements.
	FlagExactSize Flags = 0x0004
	// FlagMPRTSEnq makes enqueue multi-producer with relaxed tail sync
	// (RING_F_MP_RTS_ENQ): producers do not wait for each other to update
	// the tail, which behaves better when threads can be preempted.
	FlagMPRTSEnq Flags = 0x0008
	// FlagMCRTSDeq makes dequeue multi-consumer with relaxed tail sync
	// (RING_F_MC_RTS_DEQ).
	FlagMCRTSDeq Flags = 0x0010
	// FlagMPHTSEnq makes enqueue multi-producer with head/tail sync
	// (RING_F_MP_HTS_ENQ): one producer at a time moves the head, so the
	// tail never waits; also good under preemption.
	FlagMPHTSEnq Flags = 0x0020
	// FlagMCHTSDeq makes dequeue multi-consumer with head/tail sync
	// (RING_F_MC_HTS_DEQ).
	FlagMCHTSDeq Flags = 0x0040

	flagsMask = FlagSPEnq | FlagSCDeq | FlagExactSize | FlagMPRTSEnq | FlagMCRTSDeq | FlagMPHTSEnq | FlagMCHTSDeq
)

// String returns the flags as DPDK's names joined by '|'.
func (f Flags) String() string {
	if f == 0 {
		return "MP/MC"
	}
	names := [...]string{"SP_ENQ", "SC_DEQ", "EXACT_SZ", "MP_RTS_ENQ", "MC_RTS_DEQ", "MP_HTS_ENQ", "MC_HTS_DEQ"}
	s := ""
	for i, n := range names {
		if f&(1<<i) != 0 {
			if s != "" {
				s += "|"
			}
			s += n
		}
	}
	if rest := f &^ flagsMask; rest != 0 {
		if s != "" {
			s += "|"
		}
		s += fmt.Sprintf("%#x", uint32(rest))
	}
	return s
}

const (
	// NameSize is the size of the name field in the ring header
	// (RTE_RING_NAMESIZE): names are at most NameSize-1 bytes, and names
	// of rings made by Create at most 28 bytes, so that the memzone
	// name MemzonePrefix+name fits.
	NameSize = 30
	// MemzonePrefix begins the name of the memzone that Create reserves
	// for a ring (RTE_RING_MZ_PREFIX).
	MemzonePrefix = "RG_"
	// MaxSize is the largest slot count (RTE_RING_SZ_MASK).
	MaxSize = 0x7fffffff
	// memzoneNameSize is RTE_MEMZONE_NAMESIZE.
	memzoneNameSize = 32
)

var (
	// ErrNoBufs is returned by the single-element enqueue functions when
	// the ring is full (DPDK's -ENOBUFS).
	ErrNoBufs = errors.New("ring: not enough room (ENOBUFS)")
	// ErrNoEnt is returned by the single-element dequeue functions when
	// the ring is empty (DPDK's -ENOENT).
	ErrNoEnt = errors.New("ring: not enough entries (ENOENT)")
	// ErrInvalid reports a bad argument: a count that is not a power of
	// two, an element size that is not a multiple of 4, unknown or
	// conflicting flags, a memory region that holds no ring, or an
	// operation the ring's element size or mode does not support.
	ErrInvalid = errors.New("ring: invalid argument")
	// ErrNameTooLong reports a ring name longer than the header holds.
	ErrNameTooLong = errors.New("ring: name too long")
	// ErrExist is returned by Create when the name is taken (eal.ErrExist).
	ErrExist = eal.ErrExist
	// ErrNotFound is returned by Lookup when no ring has the name (eal.ErrNotFound).
	ErrNotFound = eal.ErrNotFound
	// ErrNoMem is returned by Create when no memory is left (eal.ErrNoMem).
	ErrNoMem = eal.ErrNoMem
)

// syncType is how one side (producer or consumer) synchronises
// (enum rte_ring_sync_type; same values).
type syncType uint32

const (
	syncMT    syncType = 0 // multi-thread, CAS on the head, tail in order
	syncST    syncType = 1 // single thread
	syncMTRTS syncType = 2 // multi-thread, relaxed tail sync
	syncMTHTS syncType = 3 // multi-thread, head/tail sync
)

func (s syncType) String() string {
	switch s {
	case syncMT:
		return "MT"
	case syncST:
		return "ST"
	case syncMTRTS:
		return "MT_RTS"
	case syncMTHTS:
		return "MT_HTS"
	}
	return fmt.Sprintf("sync(%d)", uint32(s))
}

// syncTypes maps creation flags to the producer and consumer modes, as
// DPDK's get_sync_type.
func syncTypes(f Flags) (prod, cons syncType, err error) {
	switch f & (FlagSPEnq | FlagMPRTSEnq | FlagMPHTSEnq) {
	case 0:
		prod = syncMT
	case FlagSPEnq:
		prod = syncST
	case FlagMPRTSEnq:
		prod = syncMTRTS
	case FlagMPHTSEnq:
		prod = syncMTHTS
	default:
		return 0, 0, fmt.Errorf("%w: conflicting producer flags %v", ErrInvalid, f)
	}
	switch f & (FlagSCDeq | FlagMCRTSDeq | FlagMCHTSDeq) {
	case 0:
		cons = syncMT
	case FlagSCDeq:
		cons = syncST
	case FlagMCRTSDeq:
		cons = syncMTRTS
	case FlagMCHTSDeq:
		cons = syncMTHTS
	default:
		return 0, 0, fmt.Errorf("%w: conflicting consumer flags %v", ErrInvalid, f)
	}
	return prod, cons, nil
}

// The shared layout, in the ring's memory (offsets from its start):
//
//	0    header: name, flags, size, mask, capacity, esize, magic
//	128  producer head/tail (headtail, htsHeadtail or rtsHeadtail)
//	256  consumer head/tail
//	384  slots: size elements of esize bytes
//
// as struct rte_ring: each head/tail pair is on its own cache line with an
// empty line on either side (so that adjacent-line prefetch does not make
// the producer and the consumer share). Nothing in it is a pointer or an
// address, so any process that maps it can use it.
const (
	prodOff    = 128
	consOff    = 256
	headerSize = 384 // sizeof(struct rte_ring)
	magic      = 0x474e4952
)

// header is the first cache line of a ring's memory.
type header struct {
	name     [32]byte
	flags    uint32
	size     uint32
	mask     uint32
	capacity uint32
	esize    uint32
	magic    uint32
}

// headtail is one side's positions for the MT and ST modes
// (struct rte_ring_headtail). In every mode the side's tail position sits
// at offset 4, where the other side reads it.
type headtail struct {
	head uint32
	tail uint32
	sync syncType
}

// htsHeadtail is the HTS view of a side (struct rte_ring_hts_headtail):
// head (offset 0) and tail (offset 4) read and written as one 64-bit word.
type htsHeadtail struct {
	ht   uint64
	sync syncType
}

// rtsHeadtail is the RTS view of a side (struct rte_ring_rts_headtail):
// tail and head are each a 64-bit {count (offset 0), position (offset 4)}.
type rtsHeadtail struct {
	tail   uint64
	sync   syncType
	htdMax uint32
	head   uint64
}

// Ring is a process-local handle on a fixed-size lock-free FIFO that lives
// in shared memory (struct rte_ring). Its methods may be called from any
// goroutine, within the limits of the ring's producer and consumer modes.
// A Ring is created by Create, CreateElem or Init, or attached by Lookup.
type Ring struct {
	// hot: read on every enqueue and dequeue.
	prod     *headtail
	cons     *headtail
	slots    *byte
	mask     uint32
	size     uint32
	capacity uint32
	esize    uint32
	prodSync syncType
	consSync syncType

	prodHTS, consHTS *htsHeadtail
	prodRTS, consRTS *rtsHeadtail
	hdr              *header
	mz               *eal.Memzone
	name             string
	flags            Flags
}

// Name returns the ring's name.
func (r *Ring) Name() string { return r.name }

// Flags returns the flags the ring was created with.
func (r *Ring) Flags() Flags { return r.flags }

// Size returns the number of slots, a power of two (rte_ring_get_size).
func (r *Ring) Size() uint32 { return r.size }

// Capacity returns how many elements the ring can hold
// (rte_ring_get_capacity): Size()-1, or the requested count with
// FlagExactSize.
func (r *Ring) Capacity() uint32 { return r.capacity }

// ElemSize returns the element size in bytes (8 for pointer rings).
func (r *Ring) ElemSize() uint32 { return r.esize }

// Memzone returns the memzone holding the ring, or nil for a ring made by
// Init over caller memory.
func (r *Ring) Memzone() *eal.Memzone { return r.mz }

// Count returns the number of elements in the ring (rte_ring_count). With
// concurrent producers or consumers it is a snapshot.
func (r *Ring) Count() uint32 {
	n := (tailLoad(r.prod) - tailLoad(r.cons)) & r.mask
	if n > r.capacity {
		return r.capacity
	}
	return n
}

// FreeCount returns the number of free slots (rte_ring_free_count).
func (r *Ring) FreeCount() uint32 { return r.capacity - r.Count() }

// Full reports whether the ring is full (rte_ring_full).
func (r *Ring) Full() bool { return r.FreeCount() == 0 }

// Empty reports whether the ring is empty (rte_ring_empty).
func (r *Ring) Empty() bool { return tailLoad(r.prod) == tailLoad(r.cons) }

// Reset empties the ring (rte_ring_reset). It is not safe to call while
// other goroutines or processes use the ring.
func (r *Ring) Reset() {
	resetSide(r.prod, r.prodSync, r.prodHTS, r.prodRTS)
	resetSide(r.cons, r.consSync, r.consHTS, r.consRTS)
}

func resetSide(ht *headtail, st syncType, hts *htsHeadtail, rts *rtsHeadtail) {
	switch st {
	case syncMTRTS:
		atomic.StoreUint64(&rts.head, 0)
		atomic.StoreUint64(&rts.tail, 0)
	case syncMTHTS:
		atomic.StoreUint64(&hts.ht, 0)
	default:
		atomic.StoreUint32(&ht.head, 0)
		atomic.StoreUint32(&ht.tail, 0)
	}
}

// ProdHTDMax returns the largest distance the producer head may run ahead
// of its tail in RTS mode (rte_ring_get_prod_htd_max); 0 in other modes.
func (r *Ring) ProdHTDMax() uint32 {
	if r.prodSync != syncMTRTS {
		return 0
	}
	return atomic.LoadUint32(&r.prodRTS.htdMax)
}

// ConsHTDMax is ProdHTDMax for the consumer side.
func (r *Ring) ConsHTDMax() uint32 {
	if r.consSync != syncMTRTS {
		return 0
	}
	return atomic.LoadUint32(&r.consRTS.htdMax)
}

// SetProdHTDMax sets the producer head/tail distance limit of an RTS ring
// (rte_ring_set_prod_htd_max; the default is Capacity()/8). It returns
// ErrInvalid if the producer is not in RTS mode. Call it before the ring
// is in use.
func (r *Ring) SetProdHTDMax(v uint32) error {
	if r.prodSync != syncMTRTS {
		return fmt.Errorf("%w: producer is not RTS", ErrInvalid)
	}
	atomic.StoreUint32(&r.prodRTS.htdMax, v)
	return nil
}

// SetConsHTDMax is SetProdHTDMax for the consumer side.
func (r *Ring) SetConsHTDMax(v uint32) error {
	if r.consSync != syncMTRTS {
		return fmt.Errorf("%w: consumer is not RTS", ErrInvalid)
	}
	atomic.StoreUint32(&r.consRTS.htdMax, v)
	return nil
}

// Dump writes the ring's state to w in the format of rte_ring_dump.
func (r *Ring) Dump(w io.Writer) {
	fmt.Fprintf(w, "ring <%s>@%p\n", r.name, r.hdr)
	fmt.Fprintf(w, "  flags=%x\n", uint32(r.flags))
	fmt.Fprintf(w, "  size=%d\n", r.size)
	fmt.Fprintf(w, "  capacity=%d\n", r.capacity)
	fmt.Fprintf(w, "  ct=%d\n", tailLoad(r.cons))
	fmt.Fprintf(w, "  ch=%d\n", r.headPos(r.cons, r.consSync, r.consHTS, r.consRTS))
	fmt.Fprintf(w, "  pt=%d\n", tailLoad(r.prod))
	fmt.Fprintf(w, "  ph=%d\n", r.headPos(r.prod, r.prodSync, r.prodHTS, r.prodRTS))
	fmt.Fprintf(w, "  used=%d\n", r.Count())
	fmt.Fprintf(w, "  avail=%d\n", r.FreeCount())
}

func (r *Ring) headPos(ht *headtail, st syncType, hts *htsHeadtail, rts *rtsHeadtail) uint32 {
	switch st {
	case syncMTRTS:
		return at4(atomic.LoadUint64(&rts.head))
	case syncMTHTS:
		return at0(atomic.LoadUint64(&hts.ht))
	}
	return atomic.LoadUint32(&ht.head)
}

// String returns a one-line description of the ring.
func (r *Ring) String() string {
	return fmt.Sprintf("ring %q: size %d capacity %d esize %d prod %v cons %v count %d",
		r.name, r.size, r.capacity, r.esize, r.prodSync, r.consSync, r.Count())
}
