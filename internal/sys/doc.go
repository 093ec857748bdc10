// Package sys gathers the operating-system and CPU facilities that dpk's
// environment layer is built on: the time-stamp counter, raw memory mappings
// (anonymous, memfd and hugetlbfs), CPU affinity and topology read from sysfs.
//
// It is the only package besides *_unsafe.go files that speaks to the kernel
// directly; everything above it (eal, ring, mempool, ...) goes through it.
// Functions here are control-path code unless their doc says otherwise:
// Rdtsc and Pause are the two meant for hot loops.
package sys
