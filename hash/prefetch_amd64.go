package hash

// prefetchIdx prefetches into every cache level the lines at
// base + idx[i]*stride for each i: one call for a whole burst of buckets
// or key-store entries, as the rte_prefetch0 calls of DPDK's bulk lookup
// (prefetch_amd64.s). base is the address of a table's buckets or key
// store, which the garbage collector neither moves nor frees meanwhile.
//
//go:noescape
func prefetchIdx(base, stride uintptr, idx []uint32)

// prefetch2 prefetches the lines at a and b, addresses as for prefetchIdx.
func prefetch2(a, b uintptr)
