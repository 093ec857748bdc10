package hash

import (
	"encoding/binary"
	"hash/crc32"
)

// castagnoli is the CRC32C table of the standard library, used where the
// CPU has no CRC32 instruction.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// CRC32C returns the CRC32C (Castagnoli) of data continued from init, as
// DPDK's rte_hash_crc: the raw chain of the CPU's CRC32 instruction, with
// no inversion before or after. It is not the checksum of RFC 3720 and
// crc32.Checksum(data, crc32.MakeTable(crc32.Castagnoli)), which inverts
// the register on entry and on exit:
//
//	CRC32C(data, init) == ^crc32.Update(^init, castagnoliTable, data)
//
// The data is consumed 8 bytes at a time, then 4, 2 and 1, as rte_hash_crc
// does; the result does not depend on how it is split. On amd64 with
// SSE4.2 it runs the CRC32 instruction, elsewhere the standard library's
// table code. It is the default hash function of a table (as DPDK's on
// x86).
func CRC32C(data []byte, init uint32) uint32 {
	if haveCRC32Insn {
		return crc32cInsn(init, data)
	}
	return crc32cGeneric(init, data)
}

func crc32cGeneric(init uint32, data []byte) uint32 {
	// hash/crc32 calls through a function variable, which would make
	// every key passed to CRC32C escape to the heap.
	return ^crc32.Update(^init, castagnoli, noescapeBytes(data))
}

// CRC32CUint8 returns the CRC32C of one byte continued from init
// (rte_hash_crc_1byte).
func CRC32CUint8(v uint8, init uint32) uint32 {
	return crc32cGeneric(init, []byte{v})
}

// CRC32CUint16 returns the CRC32C of v's two bytes in little-endian order
// continued from init (rte_hash_crc_2byte).
func CRC32CUint16(v uint16, init uint32) uint32 {
	var b [2]byte
	binary.LittleEndian.PutUint16(b[:], v)
	return CRC32C(b[:], init)
}

// CRC32CUint32 returns the CRC32C of v's four bytes in little-endian order
// continued from init (rte_hash_crc_4byte); the usual hash of an IPv4
// address or of a 32-bit key.
func CRC32CUint32(v uint32, init uint32) uint32 {
	if haveCRC32Insn {
		return crc32cUint32Insn(v, init)
	}
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], v)
	return crc32cGeneric(init, b[:])
}

// CRC32CUint64 returns the CRC32C of v's eight bytes in little-endian order
// continued from init (rte_hash_crc_8byte).
func CRC32CUint64(v uint64, init uint32) uint32 {
	if haveCRC32Insn {
		return crc32cUint64Insn(v, init)
	}
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	return crc32cGeneric(init, b[:])
}

// CRC32CSoftware is CRC32C computed without the CPU's CRC32 instruction,
// by the table code of hash/crc32 (DPDK's CRC32_SW algorithm); for tests
// and comparisons.
func CRC32CSoftware(data []byte, init uint32) uint32 { return crc32cGeneric(init, data) }

// crcSlice4 are the slicing-by-4 tables of CRC32C (reflected polynomial
// 0x82F63B78): crcSlice4[k][b] is the CRC of byte b followed by k zero
// bytes.
var crcSlice4 = func() (t [4][256]uint32) {
	for b := 0; b < 256; b++ {
		c := uint32(b)
		for i := 0; i < 8; i++ {
			c = c>>1 ^ 0x82f63b78&-(c&1)
		}
		t[0][b] = c
	}
	for b := 0; b < 256; b++ {
		for k := 1; k < 4; k++ {
			t[k][b] = t[k-1][b]>>8 ^ t[0][t[k-1][b]&0xff]
		}
	}
	return t
}()

// crc32cUint32Table is CRC32CUint32 with four table lookups and no call:
// small enough to be inlined, so a lookup in a four-byte-key table calls
// nothing.
func crc32cUint32Table(v, crc uint32) uint32 {
	c := crc ^ v
	return crcSlice4[3][c&0xff] ^ crcSlice4[2][c>>8&0xff] ^ crcSlice4[1][c>>16&0xff] ^ crcSlice4[0][c>>24]
}
