package ring

import (
	"testing"
	"unsafe"
)

// TestZeroAllocs checks that no enqueue or dequeue path allocates.
func TestZeroAllocs(t *testing.T) {
	for _, m := range modes {
		r := newHeapRing(t, "allocs", 1024, 8, m.flags)
		r16 := newHeapRing(t, "allocs16", 1024, 16, m.flags)
		objs := make([]unsafe.Pointer, 32)
		vals := make([]uint64, 32)
		elems := make([]byte, 32*16)
		ep := unsafe.Pointer(&elems[0])
		var obj unsafe.Pointer
		ops := []struct {
			name string
			f    func()
		}{
			{"bulk", func() { r.EnqueueBulk(objs); r.DequeueBulk(objs) }},
			{"burst", func() { r.EnqueueBurst(objs); r.DequeueBurst(objs) }},
			{"single", func() { r.Enqueue(obj); obj, _ = r.Dequeue() }},
			{"u64", func() { r.EnqueueBulkU64(vals); r.DequeueBurstU64(vals) }},
			{"elem", func() { r16.EnqueueBulkElem(ep, 32); r16.DequeueBurstElem(ep, 32) }},
			{"elem single", func() { r16.EnqueueElem(ep); r16.DequeueElem(ep) }},
			{"empty", func() { r.DequeueBulk(objs) }},
			{"full", func() {
				for r.FreeCount() != 0 {
					r.EnqueueBurst(objs)
				}
				r.EnqueueBulk(objs)
				r.Enqueue(obj)
				r.Reset()
			}},
			{"counts", func() { _ = r.Count() + r.FreeCount(); _ = r.Full() || r.Empty() }},
		}
		for _, op := range ops {
			if a := testing.AllocsPerRun(100, op.f); a != 0 {
				t.Errorf("%s %s: %v allocations per run", m.name, op.name, a)
			}
		}
	}
}
