//go:build amd64 && !race

package lpm

import "unsafe"

// Hits returns how many results of LookupBulk in hops have LookupSuccess
// set: len(hops) when every address matched a rule. It has no branch per
// result and is small enough to be inlined, so that counting costs little
// beside the lookups (lpm_perf_autotest counts the misses of every bulk).
//
// On amd64 it reads two results per 64-bit load (unaligned loads are
// allowed) and adds their flags in the two halves of one accumulator
// (each half counts up to 2^32); hits_other.go has the portable version.
func Hits(hops []uint32) int {
	p := unsafe.Pointer(unsafe.SliceData(hops))
	var a uint64
	for i := 16; i <= len(hops)*4; i += 16 {
		a += *(*uint64)(unsafe.Add(p, i-16))>>24&pair + *(*uint64)(unsafe.Add(p, i-8))>>24&pair
	}
	for _, h := range hops[len(hops)&^3:] {
		a += uint64(h >> 24 & 1)
	}
	return int(uint32(a)) + int(a>>32)
}

// pair selects LookupSuccess of two results read as one uint64 and
// shifted down by 24.
const pair = 1 | 1<<32
