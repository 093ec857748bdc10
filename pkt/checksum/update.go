package checksum

import (
	"encoding/binary"
	"math/bits"
)

// Update16 returns the checksum field that replaces old after a 16-bit word
// of the data it covers changes from oldVal to newVal, by RFC 1624 equation 3:
// HC' = ~(~HC + ~m + m'). Unlike equation 2 of RFC 1141 it never turns a
// correct 0x0000 into 0xffff, so it gives what a recomputation gives whenever
// the data covered is not all zeros.
//
// The word must sit at an even offset of the data (as every IPv4, IPv6, TCP
// and UDP field does). To update for a byte, pass the word that holds it: a
// TTL decrement is
//
//	Update16(c, uint16(ttl)<<8|uint16(proto), uint16(ttl-1)<<8|uint16(proto))
//
// Over UDP two rules come on top: leave a 0 field alone over IPv4 (no
// checksum), and store 0xffff when the result is 0.
func Update16(old uint16, oldVal, newVal uint16) uint16 {
	return ^fold32(uint32(^old) + uint32(^oldVal) + uint32(newVal))
}

// Update32 is [Update16] for a 32-bit value at an even offset, such as an
// IPv4 address (binary.BigEndian.Uint32 of its bytes) rewritten by NAT. The
// IPv4 header checksum and, through the pseudo-header, the TCP or UDP
// checksum both cover the addresses: update both.
func Update32(old uint16, oldVal, newVal uint32) uint16 {
	s := uint64(^old) + uint64(^oldVal>>16) + uint64(^oldVal&0xffff) +
		uint64(newVal>>16) + uint64(newVal&0xffff)
	return ^fold64(s)
}

// Update128 is [Update16] for a 16-byte value such as an IPv6 address, which
// the TCP, UDP and ICMPv6 checksums cover through the pseudo-header (IPv6
// itself has no header checksum).
func Update128(old uint16, oldVal, newVal [16]byte) uint16 {
	// 64-bit words, complemented for the old value, in an end-around sum:
	// each stands for the sum of its four 16-bit words.
	var s, c uint64
	s, c = bits.Add64(uint64(^old), ^binary.BigEndian.Uint64(oldVal[0:8]), c)
	s, c = bits.Add64(s, ^binary.BigEndian.Uint64(oldVal[8:16]), c)
	s, c = bits.Add64(s, binary.BigEndian.Uint64(newVal[0:8]), c)
	s, c = bits.Add64(s, binary.BigEndian.Uint64(newVal[8:16]), c)
	s, c = bits.Add64(s, c, 0)
	return ^fold64(s + c)
}
