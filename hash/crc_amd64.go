package hash

import "golang.org/x/sys/cpu"

// haveCRC32Insn is true when the CPU has SSE4.2's CRC32 instruction.
var haveCRC32Insn = cpu.X86.HasSSE42

// crc32cInsn chains the CRC32 instruction over p from crc, 8 bytes at a
// time then 4, 2 and 1 (crc_amd64.s).
//
//go:noescape
func crc32cInsn(crc uint32, p []byte) uint32

// crc32cUint32Insn is one CRC32L of v from crc.
func crc32cUint32Insn(v uint32, crc uint32) uint32

// crc32cUint64Insn is one CRC32Q of v from crc.
func crc32cUint64Insn(v uint64, crc uint32) uint32
