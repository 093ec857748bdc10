package afxdp

import "sync/atomic"

// xskRing is one of an AF_XDP socket's four single-producer,
// single-consumer rings (fill, completion, RX, TX), mapped from the kernel:
// a producer index, a consumer index and a flags word, then size entries.
// The indices run freely over all of uint32 and are reduced with mask when
// an entry is addressed; the kernel and dpk each write one of them.
//
// dpk is the producer of the fill and TX rings and the consumer of the RX
// and completion rings. Each side keeps a cached copy of the other side's
// index and reads the shared one only when the cache says the ring is
// full (producer) or empty (consumer), as libbpf's xsk.h does. Loads of the
// other side's index are atomic (acquire) and stores of our index are
// atomic (release), so that entries are written before they are published
// and read after they are seen.
type xskRing struct {
	prod, cons *uint32 // the shared indices
	flags      *uint32 // XDP_RING_NEED_WAKEUP
	mask       uint32
	size       uint32
	// For a producer ring: cachedProd is our next index, cachedCons the
	// consumer's index plus size (the first index we may not write).
	// For a consumer ring: cachedCons is our next index, cachedProd the
	// producer's index as last seen.
	cachedProd, cachedCons uint32
	entries                []byte // size entries of 8 (fill, completion) or 16 bytes (RX, TX)
}

// initProducer sets up the cached indices of a ring dpk produces into.
func (r *xskRing) initProducer() {
	r.cachedProd = atomic.LoadUint32(r.prod)
	r.cachedCons = atomic.LoadUint32(r.cons) + r.size
}

// initConsumer sets up the cached indices of a ring dpk consumes from.
func (r *xskRing) initConsumer() {
	r.cachedProd = atomic.LoadUint32(r.prod)
	r.cachedCons = atomic.LoadUint32(r.cons)
}

// free returns how many entries the producer may write now. It reads the
// consumer's index only when the cache shows fewer than want free.
func (r *xskRing) free(want uint32) uint32 {
	n := r.cachedCons - r.cachedProd
	if n >= want {
		return n
	}
	r.cachedCons = atomic.LoadUint32(r.cons) + r.size
	return r.cachedCons - r.cachedProd
}

// submit publishes n entries written from index cachedProd on.
func (r *xskRing) submit(n uint32) {
	r.cachedProd += n
	atomic.StoreUint32(r.prod, r.cachedProd)
}

// avail returns how many entries, at most want, the consumer may read from
// index cachedCons on. It reads the producer's index only when the cache
// shows none.
func (r *xskRing) avail(want uint32) uint32 {
	n := r.cachedProd - r.cachedCons
	if n == 0 {
		r.cachedProd = atomic.LoadUint32(r.prod)
		n = r.cachedProd - r.cachedCons
	}
	return min(n, want)
}

// release gives n read entries back to the producer.
func (r *xskRing) release(n uint32) {
	r.cachedCons += n
	atomic.StoreUint32(r.cons, r.cachedCons)
}

// needWakeup reports whether the kernel asks for a system call to make
// progress on this ring (XDP_RING_NEED_WAKEUP, with XDP_USE_NEED_WAKEUP).
func (r *xskRing) needWakeup() bool {
	return atomic.LoadUint32(r.flags)&xdpRingNeedWakeup != 0
}

// pending returns how many entries the producer published that the
// consumer has not taken (as last seen from the shared index).
func (r *xskRing) pending() uint32 {
	return atomic.LoadUint32(r.prod) - atomic.LoadUint32(r.cons)
}

// Addresses in the rings. In unaligned-chunk mode the kernel hands a frame
// back as its chunk's address in the low 48 bits and the offset of the
// packet data from the chunk in the high 16 (XSK_UNALIGNED_BUF_OFFSET_SHIFT);
// a TX descriptor may use the same form.
const (
	addrOffsetShift = 48
	addrMask        = 1<<addrOffsetShift - 1
)

// splitAddr splits a ring address into its chunk address and data offset.
func splitAddr(a uint64) (chunk uint64, off uint32) {
	return a & addrMask, uint32(a >> addrOffsetShift)
}

// joinAddr makes a ring address of a chunk address and a data offset.
func joinAddr(chunk uint64, off uint32) uint64 {
	return chunk | uint64(off)<<addrOffsetShift
}
