//go:build race

package ring

import (
	"sync/atomic"
	"unsafe"
)

// Under the race detector every access to a tail goes through the 64-bit
// word at the start of its head/tail block. The detector links a release
// to an acquire only when both use the same address, and the HTS and RTS
// modes update the tail with 64-bit operations at offset 0 while the other
// side reads the 32-bit position at offset 4: without this the detector
// would miss the synchronisation and report the slot copies as races.

// tailLoad reads a side's tail position with acquire ordering.
func tailLoad(ht *headtail) uint32 {
	return at4(atomic.LoadUint64((*uint64)(unsafe.Pointer(ht))))
}

// tailStore publishes a side's new tail position with release ordering.
func tailStore(ht *headtail, v uint32) {
	p := (*uint64)(unsafe.Pointer(ht))
	for {
		old := atomic.LoadUint64(p)
		if atomic.CompareAndSwapUint64(p, old, pack(at0(old), v)) {
			return
		}
	}
}
