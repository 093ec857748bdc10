package sys

import (
	"sync"
	"time"
)

var (
	hzOnce sync.Once
	hz     uint64
)

// TimerHz returns the rate of Rdtsc in cycles per second, as DPDK's
// rte_get_tsc_hz. The first call calibrates the counter against the
// monotonic clock over about 100 ms (as DPDK does when the CPU does not say
// its TSC frequency) and rounds the result to 1 MHz; later calls are free.
func TimerHz() uint64 {
	hzOnce.Do(func() {
		if !hasTSC {
			hz = 1e9
			return
		}
		hz = calibrate(100 * time.Millisecond)
	})
	return hz
}

func calibrate(d time.Duration) uint64 {
	t0 := time.Now()
	c0 := Rdtsc()
	time.Sleep(d)
	c1 := Rdtsc()
	el := time.Since(t0)
	f := float64(c1-c0) / el.Seconds()
	const mhz = 1e6
	return uint64(f/mhz+0.5) * mhz
}
