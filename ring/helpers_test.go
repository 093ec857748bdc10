package ring

import (
	"testing"
	"unsafe"
)

// newHeapRing makes a ring over Go memory, 64-byte aligned. The race
// detector sees every access to such a ring, so tests over it check the
// ring's synchronisation too.
func newHeapRing(tb testing.TB, name string, count, esize uint32, flags Flags) *Ring {
	tb.Helper()
	size, _, err := slotCount(count, flags)
	if err != nil {
		tb.Fatal(err)
	}
	sz, err := MemSize(size, esize)
	if err != nil {
		tb.Fatal(err)
	}
	buf := make([]uint64, sz/8+8)
	p := unsafe.Pointer(&buf[0])
	p = unsafe.Add(p, (64-uintptr(p)%64)%64)
	r, err := Init(p, name, count, esize, flags)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}
