package ring

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"unsafe"

	"dpk/internal/sys"
)

// BenchmarkTwoCores runs a producer pinned to CPU 0 and a consumer pinned to
// CPU 1 moving bulks of n pointers (ring_perf_autotest's two-core lines);
// the metric is the sum of both sides' cycles per element.
func BenchmarkTwoCores(b *testing.B) {
	if runtime.NumCPU() < 2 {
		b.Skip("needs two CPUs")
	}
	for _, m := range benchModes[:2] {
		for _, n := range []int{8, 32} {
			b.Run(fmt.Sprintf("%s/%d", m.name, n), func(b *testing.B) {
				r := newHeapRing(b, "bench", 4096, 8, m.flags)
				var ready atomic.Int32
				var wg sync.WaitGroup
				cycles := make([]uint64, 2*8)
				fails := make([]uint64, 2*8)
				side := func(cpu int, enq bool) {
					defer wg.Done()
					prev, _ := sys.ThreadAffinity()
					sys.PinThread([]int{cpu})
					defer runtime.UnlockOSThread()
					defer sys.SetThreadAffinity(prev)
					objs := make([]unsafe.Pointer, n)
					ready.Add(1)
					for ready.Load() != 2 {
					}
					c0 := sys.Rdtsc()
					for i := 0; i < b.N; i++ {
						if enq {
							for k, _ := r.EnqueueBulk(objs); k == 0; k, _ = r.EnqueueBulk(objs) {
								sys.Pause()
								fails[cpu*8]++
							}
						} else {
							for k, _ := r.DequeueBulk(objs); k == 0; k, _ = r.DequeueBulk(objs) {
								sys.Pause()
								fails[cpu*8]++
							}
						}
					}
					cycles[cpu*8] = sys.Rdtsc() - c0
				}
				wg.Add(2)
				b.ResetTimer()
				go side(0, true)
				go side(1, false)
				wg.Wait()
				b.ReportMetric(float64(cycles[0]+cycles[8])/float64(b.N*n), "cycles/elem")
				b.ReportMetric(float64(fails[0])/float64(b.N), "enqfail/op")
				b.ReportMetric(float64(fails[8])/float64(b.N), "deqfail/op")
			})
		}
	}
}
