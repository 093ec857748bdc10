//go:build !amd64 || race

package lpm

import "sync/atomic"

// store32 stores a table entry atomically with release ordering (see
// store_amd64.go).
func store32(p *uint32, v uint32) { atomic.StoreUint32(p, v) }

// load32 loads a table entry atomically (see store_amd64.go).
func load32(p *uint32) uint32 { return atomic.LoadUint32(p) }
