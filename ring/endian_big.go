//go:build ppc64 || s390x || mips || mips64

package ring

// See endian_little.go; on big-endian machines offset 0 is the high half.

func at0(v uint64) uint32         { return uint32(v >> 32) }
func at4(v uint64) uint32         { return uint32(v) }
func pack(at0, at4 uint32) uint64 { return uint64(at0)<<32 | uint64(at4) }
