package hash

import (
	"math/bits"
	"sync/atomic"
)

const (
	// BucketEntries is the number of entries of a bucket
	// (RTE_HASH_BUCKET_ENTRIES).
	BucketEntries = 8

	cacheLine = 64
	keyAlign  = 16 // KEY_ALIGNMENT: key-store entries are a multiple of it

	// bfsQueueMax bounds the breadth-first search for a cuckoo path
	// (RTE_HASH_BFS_QUEUE_MAX_LEN).
	bfsQueueMax = 1000

	emptySlot     = 0 // key index of an empty entry (slot 0 is a dummy)
	nullSignature = 0
)

// bucket is struct rte_hash_bucket in one cache line: eight 16-bit short
// signatures, eight key-store indices (0 for an empty entry) and, with
// extendable buckets, the 1-based index of the next bucket of the chain in
// the extendable-bucket array (0: none) instead of a pointer.
//
// The signatures are two 64-bit words of four lanes each (entry i in word
// i%2, bits 16*(i/2)) so that a reader compares all eight with two loads
// and a few arithmetic operations, as DPDK does with one SSE compare, and
// so that every field is read and written with sync/atomic: readers run
// beside a writer in lock-free mode, and Go's memory model (and its race
// detector) wants atomics there.
type bucket struct {
	sig  [2]uint64
	key  [BucketEntries]uint32
	next uint32
	_    [3]uint32
}

const (
	lanes16 = 0x0001000100010001
	low15   = 0x7fff7fff7fff7fff
)

// zeroLanes returns the top bit of each 16-bit lane of x that is zero.
func zeroLanes(x uint64) uint64 {
	return ^(((x & low15) + low15) | x | low15)
}

// match returns a bit mask of the entries whose signature is sig, with
// entry i at bit 8*i (see matchEntry). It reads the signature words
// atomically.
func (b *bucket) match(sig uint16) uint64 {
	s := uint64(sig) * lanes16
	m0 := zeroLanes(atomic.LoadUint64(&b.sig[0]) ^ s) // entries 0, 2, 4, 6 at bits 15, 31, 47, 63
	m1 := zeroLanes(atomic.LoadUint64(&b.sig[1]) ^ s) // entries 1, 3, 5, 7
	return m0>>15 | m1>>7
}

// matchEntry returns the entry of the lowest bit of a match mask, 0 to 7,
// and the mask without that bit.
func matchEntry(m uint64) (int, uint64) {
	return bits.TrailingZeros64(m) >> 3 & (BucketEntries - 1), m & (m - 1)
}

// matchByte is match packed into one byte, entry i at bit i, for the bulk
// lookup's per-key state.
func (b *bucket) matchByte(sig uint16) uint8 {
	return uint8(b.match(sig) * 0x0102040810204080 >> 56)
}

// matchEntry8 is matchEntry for a mask from matchByte.
func matchEntry8(m uint8) (int, uint8) {
	return bits.TrailingZeros8(m) & (BucketEntries - 1), m & (m - 1)
}

// sigAt returns entry i's signature.
func (b *bucket) sigAt(i int) uint16 {
	return uint16(atomic.LoadUint64(&b.sig[i&1]) >> (16 * (i >> 1 & 3)))
}

// setSig writes entry i's signature. Only a writer calls it, holding the
// writer lock when there may be several, so the read-modify-write of the
// word loses nothing. With lf (lock-free readers may be running) the store
// is atomic; otherwise no reader runs meanwhile and a plain store does.
func (b *bucket) setSig(i int, s uint16, lf bool) {
	w := &b.sig[i&1]
	sh := 16 * (i >> 1 & 3)
	v := *w&^(0xffff<<sh) | uint64(s)<<sh
	if lf {
		atomic.StoreUint64(w, v)
	} else {
		*w = v
	}
}

// keyAt loads entry i's key index with acquire order.
func (b *bucket) keyAt(i int) uint32 { return atomic.LoadUint32(&b.key[i&(BucketEntries-1)]) }

// setKey stores entry i's key index, with release order when lf: that
// publishes the signature and the key-store entry written before it.
func (b *bucket) setKey(i int, idx uint32, lf bool) {
	if lf {
		atomic.StoreUint32(&b.key[i], idx)
	} else {
		b.key[i] = idx
	}
}

// nextIdx returns the 1-based index of the next extendable bucket, 0 for none.
func (b *bucket) nextIdx() uint32 { return atomic.LoadUint32(&b.next) }

// setNext links the next extendable bucket (0 for none), atomically when lf.
func (b *bucket) setNext(n uint32, lf bool) {
	if lf {
		atomic.StoreUint32(&b.next, n)
	} else {
		b.next = n
	}
}
