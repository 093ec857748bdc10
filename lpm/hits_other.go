//go:build !amd64 || race

package lpm

// Hits returns how many results of LookupBulk in hops have LookupSuccess
// set: len(hops) when every address matched a rule.
func Hits(hops []uint32) int {
	n := uint32(0)
	for _, h := range hops {
		n += h >> 24 & 1
	}
	return int(n)
}
