//go:build !amd64

package hash

// prefetchIdx does nothing where dpk has no prefetch instruction.
func prefetchIdx(base, stride uintptr, idx []uint32) {}

func prefetch2(a, b uintptr) {}
