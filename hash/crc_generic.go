//go:build !amd64

package hash

// haveCRC32Insn is false: the table code of hash/crc32 does the work.
const haveCRC32Insn = false

func crc32cInsn(crc uint32, p []byte) uint32       { return crc32cGeneric(crc, p) }
func crc32cUint32Insn(v uint32, crc uint32) uint32 { panic("unreachable") }
func crc32cUint64Insn(v uint64, crc uint32) uint32 { panic("unreachable") }
