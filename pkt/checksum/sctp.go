package checksum

import (
	"encoding/binary"
	"hash/crc32"
)

// castagnoli is the CRC32C table; hash/crc32 recognises it and uses the
// SSE4.2 CRC32 instruction (or the arm64 one) when the CPU has it.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

var zero4 [4]byte

// SCTP returns the checksum of the SCTP packet b (common header and chunks),
// which is not the Internet checksum but CRC32C (RFC 4960 section 6.8 and
// appendix B, RFC 9260): the CRC of b with its checksum field, bytes 8-11,
// taken as zero. There is no pseudo-header.
//
// The value is the CRC as a number, as hash/crc32 gives it. RFC 4960
// appendix B sends its least significant byte first, so store it with
//
//	binary.LittleEndian.PutUint32(b[8:12], checksum.SCTP(b))
//
// (DPDK's rte_sctp_hdr.cksum, an rte_be32_t, holds the same bytes because
// DPDK's CRC comes out byte-swapped on little-endian machines.) If b is
// shorter than 12 bytes, the bytes it has are summed in the same way.
func SCTP(b []byte) uint32 {
	if len(b) <= 8 {
		return crc32.Checksum(b, castagnoli)
	}
	crc := crc32.Update(0, castagnoli, b[:8])
	if len(b) < 12 {
		return crc32.Update(crc, castagnoli, zero4[:len(b)-8])
	}
	crc = crc32.Update(crc, castagnoli, zero4[:])
	return crc32.Update(crc, castagnoli, b[12:])
}

// VerifySCTP reports whether b is at least an SCTP common header (12 bytes)
// whose checksum field, read least significant byte first, equals SCTP(b).
func VerifySCTP(b []byte) bool {
	return len(b) >= 12 && binary.LittleEndian.Uint32(b[8:12]) == SCTP(b)
}
