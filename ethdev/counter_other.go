//go:build !amd64 || race

package ethdev

import "sync/atomic"

// storeRelaxed stores v to *p atomically (elsewhere than amd64, and under
// the race detector, which must see the synchronisation).
func storeRelaxed(p *uint64, v uint64) { atomic.StoreUint64(p, v) }

// loadRelaxed reads *p atomically.
func loadRelaxed(p *uint64) uint64 { return atomic.LoadUint64(p) }
