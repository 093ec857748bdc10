package sys

// Rdtsc returns the CPU's time-stamp counter (RDTSC), as DPDK's rte_rdtsc.
// It does not serialise the instruction stream. On machines whose TSC is
// invariant (constant_tsc, nonstop_tsc) its rate is TimerHz.
//
//go:noescape
func Rdtsc() uint64

// Pause hints the CPU that the caller is in a spin-wait loop (x86 PAUSE),
// as DPDK's rte_pause.
func Pause()

// hasTSC reports whether Rdtsc reads a hardware counter.
const hasTSC = true
