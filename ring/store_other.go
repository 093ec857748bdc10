//go:build !amd64 || race

package ring

import "sync/atomic"

// store32 stores v to *p with release ordering (see store_amd64.go).
func store32(p *uint32, v uint32) { atomic.StoreUint32(p, v) }
