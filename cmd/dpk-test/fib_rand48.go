package main

// libcRand48 is glibc's lrand48(): a 48-bit linear congruential generator
// whose state, never seeded by dpdk-test (no srand48 call), starts at 0.
// DPDK's lpm_perf, fib_perf, lpm6_perf and fib6_perf autotests draw their
// route and address tables from it, so with the same generator dpk-test
// builds the very tables DPDK's run builds. Like libc's, the state is
// process-wide: tests run one after another in one invocation continue
// the same sequence, as they do in dpdk-test.
var libcRand48 rand48

type rand48 struct{ x uint64 }

// lrand48 returns the next value, 0 to 2^31-1.
func (r *rand48) lrand48() uint32 {
	r.x = (r.x*0x5deece66d + 0xb) & (1<<48 - 1)
	return uint32(r.x >> 17)
}
