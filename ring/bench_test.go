package ring

import (
	"fmt"
	"testing"
	"unsafe"

	"dpk/internal/sys"
)

// reportCycles adds a TSC-cycles-per-op metric, the unit of DPDK's
// ring_perf_autotest.
func reportCycles(b *testing.B, c0 uint64) {
	b.ReportMetric(float64(sys.Rdtsc()-c0)/float64(b.N), "cycles/op")
}

var benchModes = []struct {
	name  string
	flags Flags
}{
	{"SPSC", FlagSPEnq | FlagSCDeq},
	{"MPMC", 0},
	{"HTS", FlagMPHTSEnq | FlagMCHTSDeq},
	{"RTS", FlagMPRTSEnq | FlagMCRTSDeq},
}

// BenchmarkBurst measures one EnqueueBurst and one DequeueBurst of n
// pointers on one goroutine (ring_perf_autotest's burst lines).
func BenchmarkBurst(b *testing.B) {
	for _, m := range benchModes {
		for _, n := range []int{8, 32} {
			b.Run(fmt.Sprintf("%s/%d", m.name, n), func(b *testing.B) {
				r := newHeapRing(b, "bench", 4096, 8, m.flags)
				objs := make([]unsafe.Pointer, n)
				b.ReportAllocs()
				b.ResetTimer()
				c0 := sys.Rdtsc()
				for i := 0; i < b.N; i++ {
					r.EnqueueBurst(objs)
					r.DequeueBurst(objs)
				}
				reportCycles(b, c0)
			})
		}
	}
}

// BenchmarkBulk measures one EnqueueBulk and one DequeueBulk of n pointers.
func BenchmarkBulk(b *testing.B) {
	for _, m := range benchModes {
		for _, n := range []int{8, 32} {
			b.Run(fmt.Sprintf("%s/%d", m.name, n), func(b *testing.B) {
				r := newHeapRing(b, "bench", 4096, 8, m.flags)
				objs := make([]unsafe.Pointer, n)
				b.ReportAllocs()
				b.ResetTimer()
				c0 := sys.Rdtsc()
				for i := 0; i < b.N; i++ {
					r.EnqueueBulk(objs)
					r.DequeueBulk(objs)
				}
				reportCycles(b, c0)
			})
		}
	}
}

// BenchmarkElem16 measures enqueue and dequeue of n 16-byte elements in
// bulk or burst (the elem API lines).
func BenchmarkElem16(b *testing.B) {
	for _, m := range benchModes[:2] {
		for _, op := range []string{"bulk", "burst"} {
			for _, n := range []uint32{8, 32} {
				b.Run(fmt.Sprintf("%s/%s/%d", m.name, op, n), func(b *testing.B) {
					r := newHeapRing(b, "bench", 4096, 16, m.flags)
					buf := make([]byte, 16*n)
					p := unsafe.Pointer(&buf[0])
					b.ReportAllocs()
					b.ResetTimer()
					c0 := sys.Rdtsc()
					if op == "bulk" {
						for i := 0; i < b.N; i++ {
							r.EnqueueBulkElem(p, n)
							r.DequeueBulkElem(p, n)
						}
					} else {
						for i := 0; i < b.N; i++ {
							r.EnqueueBurstElem(p, n)
							r.DequeueBurstElem(p, n)
						}
					}
					reportCycles(b, c0)
				})
			}
		}
	}
}

// BenchmarkSingle measures Enqueue and Dequeue of one pointer.
func BenchmarkSingle(b *testing.B) {
	for _, m := range benchModes[:2] {
		b.Run(m.name, func(b *testing.B) {
			r := newHeapRing(b, "bench", 4096, 8, m.flags)
			var obj unsafe.Pointer
			b.ReportAllocs()
			b.ResetTimer()
			c0 := sys.Rdtsc()
			for i := 0; i < b.N; i++ {
				r.Enqueue(obj)
				obj, _ = r.Dequeue()
			}
			reportCycles(b, c0)
		})
	}
}

// BenchmarkEmptyDequeue measures a failing DequeueBulk of 8.
func BenchmarkEmptyDequeue(b *testing.B) {
	for _, m := range benchModes[:2] {
		b.Run(m.name, func(b *testing.B) {
			r := newHeapRing(b, "bench", 4096, 8, m.flags)
			objs := make([]unsafe.Pointer, 8)
			b.ReportAllocs()
			b.ResetTimer()
			c0 := sys.Rdtsc()
			for i := 0; i < b.N; i++ {
				r.DequeueBulk(objs)
			}
			reportCycles(b, c0)
		})
	}
}
