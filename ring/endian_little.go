//go:build !(ppc64 || s390x || mips || mips64)

package ring

// A 64-bit head/tail word holds two 32-bit fields: the one at offset 0 (HTS
// head, RTS count) and the one at offset 4 (HTS tail, RTS position). On
// little-endian machines offset 0 is the low half.

func at0(v uint64) uint32         { return uint32(v) }
func at4(v uint64) uint32         { return uint32(v >> 32) }
func pack(at0, at4 uint32) uint64 { return uint64(at0) | uint64(at4)<<32 }
