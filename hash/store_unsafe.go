package hash

import (
	"sync/atomic"
	"unsafe"
)

// This file holds the package's unsafe code: cache-aligned allocation of
// the bucket arrays and the key store, and access to key-store entries.
// The memory is allocated by Go as pointer-free byte slices, so the
// garbage collector never scans it; the typed views below point inside
// those slices and keep them alive.

// alignedBytes returns n zeroed bytes starting on a cacheLine boundary.
// It writes every page, so that the operating system maps them now, at
// creation, rather than one page fault at a time on the packet path (as
// rte_zmalloc does by zeroing).
func alignedBytes(n uintptr) []byte {
	b := make([]byte, n+cacheLine)
	for i := 0; i < len(b); i += pageSize {
		b[i] = 0
	}
	off := (cacheLine - uintptr(unsafe.Pointer(unsafe.SliceData(b)))%cacheLine) % cacheLine
	return b[off : off+n : off+n]
}

// pageSize is the smallest page size of the CPUs Go runs on.
const pageSize = 4096

// allocBuckets returns n zeroed buckets, the first on a cache line.
func allocBuckets(n uint32) []bucket {
	if n == 0 {
		return nil
	}
	b := alignedBytes(uintptr(n) * unsafe.Sizeof(bucket{}))
	return unsafe.Slice((*bucket)(unsafe.Pointer(unsafe.SliceData(b))), n)
}

// keyStore is the table of key-data pairs (DPDK's key_store of struct
// rte_hash_key): entry i (from 0, entry 0 a dummy that is never used) is
// an 8-byte data word then the key, padded to a multiple of 16 bytes.
type keyStore struct {
	base      unsafe.Pointer // entry 0, cache-aligned
	entrySize uintptr
	mem       []byte // keeps base alive
}

func newKeyStore(slots uint32, keyLen uint32) keyStore {
	es := (8 + uintptr(keyLen) + keyAlign - 1) &^ (keyAlign - 1)
	mem := alignedBytes(es * uintptr(slots))
	return keyStore{base: unsafe.Pointer(unsafe.SliceData(mem)), entrySize: es, mem: mem}
}

// entry returns entry idx; idx must be below the number of slots, as every
// index stored in a bucket is.
func (s *keyStore) entry(idx uint32) unsafe.Pointer {
	return unsafe.Add(s.base, uintptr(idx)*s.entrySize)
}

// key returns the stored key of entry idx as a slice of n bytes aliasing
// the store.
func (s *keyStore) key(idx uint32, n uint32) []byte {
	return unsafe.Slice((*byte)(unsafe.Add(s.entry(idx), 8)), n)
}

// setKey copies key into entry idx.
func (s *keyStore) setKey(idx uint32, key []byte) {
	copy(s.key(idx, uint32(len(key))), key)
}

// data reads entry idx's data word with acquire order.
func (s *keyStore) data(idx uint32) uint64 {
	return atomic.LoadUint64((*uint64)(s.entry(idx)))
}

// setData writes entry idx's data word, with release order when lf: that
// publishes the application data to lock-free readers (DPDK's pdata store).
func (s *keyStore) setData(idx uint32, v uint64, lf bool) {
	p := (*uint64)(s.entry(idx))
	if lf {
		atomic.StoreUint64(p, v)
	} else {
		*p = v
	}
}

// clear zeroes the store.
func (s *keyStore) clear() { clear(s.mem) }

// keyPtr returns the address of a key's first byte; len(key) > 0.
func keyPtr(key []byte) unsafe.Pointer { return unsafe.Pointer(unsafe.SliceData(key)) }

func load64(p unsafe.Pointer, off uintptr) uint64 { return *(*uint64)(unsafe.Add(p, off)) }
func load32(p unsafe.Pointer, off uintptr) uint32 { return *(*uint32)(unsafe.Add(p, off)) }
func load16(p unsafe.Pointer, off uintptr) uint16 { return *(*uint16)(unsafe.Add(p, off)) }

// keyEq reports whether the stored key of entry idx equals key, whose
// length is the table's key length. The stored key starts 8 bytes into a
// 16-byte aligned entry; key may be anywhere. Word loads of both are fine
// on the CPUs Go runs on with unaligned access (keycmp_*.go).
func (h *Hash) keyEq(idx uint32, key []byte) bool {
	a := unsafe.Add(h.keys.entry(idx), 8)
	b := keyPtr(key)
	switch h.cmp {
	case cmp16:
		return (load64(a, 0)^load64(b, 0))|(load64(a, 8)^load64(b, 8)) == 0
	case cmp4:
		return load32(a, 0) == load32(b, 0)
	case cmp8:
		return load64(a, 0) == load64(b, 0)
	case cmp9to15: // two overlapping words: 13 (IPv4 5-tuple), 9, 12, ...
		t := h.keyLen - 8
		return (load64(a, 0)^load64(b, 0))|(load64(a, t)^load64(b, t)) == 0
	case cmp32:
		return (load64(a, 0)^load64(b, 0))|(load64(a, 8)^load64(b, 8))|
			(load64(a, 16)^load64(b, 16))|(load64(a, 24)^load64(b, 24)) == 0
	case cmp48:
		return (load64(a, 0)^load64(b, 0))|(load64(a, 8)^load64(b, 8))|
			(load64(a, 16)^load64(b, 16))|(load64(a, 24)^load64(b, 24))|
			(load64(a, 32)^load64(b, 32))|(load64(a, 40)^load64(b, 40)) == 0
	case cmp64:
		return (load64(a, 0)^load64(b, 0))|(load64(a, 8)^load64(b, 8))|
			(load64(a, 16)^load64(b, 16))|(load64(a, 24)^load64(b, 24))|
			(load64(a, 32)^load64(b, 32))|(load64(a, 40)^load64(b, 40))|
			(load64(a, 48)^load64(b, 48))|(load64(a, 56)^load64(b, 56)) == 0
	case cmpWords: // 17 to 128 bytes: words, then an overlapping last word
		n := h.keyLen
		var d uint64
		for o := uintptr(0); o+8 < n; o += 8 {
			d |= load64(a, o) ^ load64(b, o)
		}
		return d|(load64(a, n-8)^load64(b, n-8)) == 0
	case cmp5to7:
		t := h.keyLen - 4
		return (load32(a, 0)^load32(b, 0))|(load32(a, t)^load32(b, t)) == 0
	case cmp2to3:
		t := h.keyLen - 2
		return (load16(a, 0)^load16(b, 0))|(load16(a, t)^load16(b, t)) == 0
	case cmp1:
		return *(*byte)(a) == *(*byte)(b)
	case cmpCustom:
		return h.customCmp(h.keys.key(idx, uint32(h.keyLen)), noescapeBytes(key))
	default: // cmpBytes
		return string(h.keys.key(idx, uint32(h.keyLen))) == string(key)
	}
}

// prefetchKeys prefetches the key-store entries of the given indices.
func (h *Hash) prefetchKeys(idx []uint32) {
	prefetchIdx(uintptr(h.keys.base), h.keys.entrySize, idx)
}

// prefetchBucketPair prefetches buckets a and b.
func (h *Hash) prefetchBucketPair(a, b uint32) {
	base := uintptr(unsafe.Pointer(unsafe.SliceData(h.buckets)))
	const sz = unsafe.Sizeof(bucket{})
	prefetch2(base+uintptr(a)*sz, base+uintptr(b)*sz)
}

// noescapeBytes is b, hidden from escape analysis (see noescape).
func noescapeBytes(b []byte) []byte {
	return unsafe.Slice((*byte)(noescape(unsafe.Pointer(unsafe.SliceData(b)))), len(b))
}
