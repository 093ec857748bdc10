//go:build !amd64

package sys

import "time"

var start = time.Now()

// Rdtsc returns a monotonic cycle count. On architectures without an
// assembly kernel it counts nanoseconds since process start, so TimerHz is
// 1e9.
func Rdtsc() uint64 { return uint64(time.Since(start)) }

// Pause hints the CPU that the caller is spinning. Without an assembly kernel
// it does nothing.
func Pause() {}

const hasTSC = false
