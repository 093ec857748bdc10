package vnet

import (
	"encoding/binary"

	"dpk/mbuf"
	"dpk/pkt/checksum"
)

// Pseudo returns the pseudo-header sum, for protocol proto and an L4
// length of l4len, of the packet whose IP header (IPv6 or IPv4) is at ip
// in b. b must hold the addresses: 40 bytes from ip for IPv6, 20 for IPv4.
func Pseudo(b []byte, ip int, ipv6 bool, proto uint8, l4len int) uint32 {
	if ipv6 {
		return checksum.PseudoHeaderIPv6([16]byte(b[ip+8:ip+24]), [16]byte(b[ip+24:ip+40]), proto, uint32(l4len))
	}
	return checksum.PseudoHeaderIPv4([4]byte(b[ip+12:ip+16]), [4]byte(b[ip+16:ip+20]), proto, uint16(l4len))
}

// PartialCsum finishes a partial checksum of the flat frame d as the
// kernel's skb_checksum_help does: the checksum field at start+offset
// holds the pseudo-header sum; the checksum is the complemented sum of
// everything from start to the end of the packet (0 is sent as 0xffff, as
// UDP needs). It returns the value for the field, and false, with nothing
// computed, if the field does not lie in d. d is not changed.
func PartialCsum(d []byte, start, offset uint16) (uint16, bool) {
	s, f := int(start), int(start)+int(offset)
	if f+2 > len(d) {
		return 0, false
	}
	c := ^checksum.Fold(checksum.Partial(d[s:], 0))
	if c == 0 {
		c = 0xffff
	}
	return c, true
}

// sumFrom returns the one's-complement sum of the chain m from byte start
// to its end (0 if start is past the end).
func sumFrom(m *mbuf.Mbuf, start int) uint32 {
	var s uint32
	pos, off := 0, start
	for seg := m; seg != nil; seg = seg.Next() {
		d := seg.Data()
		if off >= len(d) {
			off -= len(d)
			continue
		}
		d = d[off:]
		off = 0
		s = checksum.Combine(s, checksum.Partial(d, 0), pos%2 == 1)
		pos += len(d)
	}
	return s
}

// CompleteCsum is PartialCsum over the chain m, in place: it writes the
// checksum into the field at start+offset. The caller checked that the
// field's two bytes lie in m's first segment.
func CompleteCsum(m *mbuf.Mbuf, start, offset uint16) {
	c := ^checksum.Fold(sumFrom(m, int(start)))
	if c == 0 {
		c = 0xffff
	}
	binary.BigEndian.PutUint16(m.Data()[int(start)+int(offset):], c)
}
