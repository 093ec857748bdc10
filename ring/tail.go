//go:build !race

package ring

import "sync/atomic"

// tailLoad reads a side's tail position (offset 4 of its head/tail block in
// every mode) with acquire ordering.
func tailLoad(ht *headtail) uint32 { return atomic.LoadUint32(&ht.tail) }

// tailStore publishes a side's new tail position with release ordering.
func tailStore(ht *headtail, v uint32) { store32(&ht.tail, v) }
