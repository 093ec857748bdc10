package checksum

import (
	"encoding/binary"
	"math/bits"
)

// IP protocol numbers whose checksum field this package knows.
const (
	protoICMP   = 1
	protoTCP    = 6
	protoUDP    = 17
	protoICMPv6 = 58
)

// fieldOffset returns the offset of the checksum field in a proto header, or
// -1 for a protocol whose field this package does not know.
func fieldOffset(proto uint8) int {
	switch proto {
	case protoTCP:
		return 16
	case protoUDP:
		return 6
	case protoICMP, protoICMPv6:
		return 2
	}
	return -1
}

// IPv4Header returns the checksum of the IPv4 header hdr, DPDK's
// rte_ipv4_cksum: the complemented sum of its IHL*4 bytes with the checksum
// field (bytes 10-11) taken as zero, ready to store there with
// binary.BigEndian.PutUint16(hdr[10:], c).
//
// The common 20-byte header (IHL 5) is summed inline without a loop. If hdr
// is shorter than IHL*4 bytes only len(hdr) bytes are summed; the result then
// means nothing, but IPv4Header never reads outside hdr. Use
// [VerifyIPv4Header] on received headers.
func IPv4Header(hdr []byte) uint16 {
	// IHL read from a 32-bit load that sum20 shares (a byte load of its
	// own would keep Go from merging the loads of the first word).
	if len(hdr) >= 20 && binary.LittleEndian.Uint32(hdr)&0x0f == 5 {
		return ^bits.ReverseBytes16(fold64(sum20(hdr, 0)))
	}
	return ipv4HeaderSlow(hdr)
}

// sum20 adds the 20 bytes of a header without options as five little-endian
// words in a 64-bit sum, which cannot carry out; the checksum field counts
// only when withField is 0xffff. The caller folds and swaps once.
func sum20(hdr []byte, withField uint32) uint64 {
	hdr = hdr[:20]
	return uint64(binary.LittleEndian.Uint32(hdr[0:4])) +
		uint64(binary.LittleEndian.Uint32(hdr[4:8])) +
		uint64(binary.LittleEndian.Uint32(hdr[8:12])&(0xffff|withField<<16)) +
		uint64(binary.LittleEndian.Uint32(hdr[12:16])) +
		uint64(binary.LittleEndian.Uint32(hdr[16:20]))
}

// ipv4HeaderSlow is IPv4Header for options and malformed headers.
func ipv4HeaderSlow(hdr []byte) uint16 {
	if len(hdr) == 0 {
		return 0xffff // the complement of an empty sum
	}
	n := min(int(hdr[0]&0x0f)*4, len(hdr))
	if n <= 12 {
		return Checksum(hdr[:min(n, 10)], 0)
	}
	return Checksum(hdr[12:n], Partial(hdr[:10], 0))
}

// VerifyIPv4Header reports whether hdr holds a well-formed IPv4 header length
// (IHL at least 5 and no more than len(hdr) bytes) whose checksum is right:
// the sum of the header with its checksum field folds to 0xffff.
func VerifyIPv4Header(hdr []byte) bool {
	if len(hdr) < 20 {
		return false
	}
	n := int(binary.LittleEndian.Uint32(hdr)&0x0f) * 4
	if n == 20 {
		return fold64(sum20(hdr, 0xffff)) == 0xffff // 0xffff swapped is 0xffff
	}
	if n < 20 || n > len(hdr) {
		return false
	}
	return Fold(Partial(hdr[:n], 0)) == 0xffff
}

// PseudoHeaderIPv4 returns the partial sum of the IPv4 pseudo-header that TCP
// and UDP checksums cover (RFC 793, RFC 768): source and destination address,
// a zero byte, the protocol and the L4 length (header and payload). It is
// DPDK's rte_ipv4_phdr_cksum without TSO; a NIC that offloads the L4 checksum
// wants this value, not complemented, in the checksum field. Pass it as the
// initial sum of [Partial], [Checksum] or [Transport].
//
// The result is folded to at most 0xffff and is never 0 when proto is not 0.
func PseudoHeaderIPv4(src, dst [4]byte, proto uint8, l4len uint16) uint32 {
	s := uint64(binary.BigEndian.Uint32(src[:])) +
		uint64(binary.BigEndian.Uint32(dst[:])) +
		uint64(proto) + uint64(l4len)
	return uint32(fold64(s))
}

// PseudoHeaderIPv6 returns the partial sum of the IPv6 pseudo-header (RFC 8200
// section 8.1): source and destination address, the 32-bit upper-layer
// packet length and the next header value of the upper-layer protocol (the
// L4 protocol, not the first extension header). It is DPDK's
// rte_ipv6_phdr_cksum. The result follows the rules of [PseudoHeaderIPv4].
func PseudoHeaderIPv6(src, dst [16]byte, proto uint8, l4len uint32) uint32 {
	var s, c uint64
	s, c = bits.Add64(s, binary.BigEndian.Uint64(src[0:8]), c)
	s, c = bits.Add64(s, binary.BigEndian.Uint64(src[8:16]), c)
	s, c = bits.Add64(s, binary.BigEndian.Uint64(dst[0:8]), c)
	s, c = bits.Add64(s, binary.BigEndian.Uint64(dst[8:16]), c)
	s, c = bits.Add64(s, uint64(l4len)+uint64(proto), c)
	s, c = bits.Add64(s, c, 0)
	return uint32(fold64(s + c))
}

// Transport returns the checksum of the L4 message l4 (header and payload)
// continuing from pseudo, the partial sum of its pseudo-header ([PseudoHeaderIPv4]
// or [PseudoHeaderIPv6]; 0 for ICMPv4, which has none).
//
// For TCP (6), UDP (17), ICMP (1) and ICMPv6 (58) the checksum field in l4 is
// taken as zero whatever it holds, and for UDP a result of 0 is sent as 0xffff
// (RFC 768: 0 means "no checksum"). For any other protocol l4 is summed as it
// is: zero its checksum field first. Every byte of l4 is summed, so pass
// l4 cut to the L4 length, without link-layer padding.
func Transport(pseudo uint32, proto uint8, l4 []byte) uint16 {
	s := Partial(l4, pseudo)
	if off := fieldOffset(proto); off >= 0 && off+2 <= len(l4) {
		field := uint32(binary.BigEndian.Uint16(l4[off:]))
		if pseudo != 0 {
			// Take the field back out by adding its complement. The
			// true total is not 0 (pseudo is not), s is in [1, 0xffff]
			// and adding keeps it there, so the result is the same
			// representative a sum with the field zeroed would give.
			s = uint32(fold32(s + ^field&0xffff))
		} else {
			// Nothing guarantees a non-zero total here (an all-zero
			// ICMP echo reply): sum around the field instead.
			s = Partial(l4[off+2:], Partial(l4[:off], 0))
		}
	}
	c := ^fold32(s)
	if c == 0 && proto == protoUDP {
		c = 0xffff
	}
	return c
}

// VerifyTransport reports whether the checksum stored in l4 is right: the sum
// of pseudo and l4, checksum field included, folds to 0xffff. A UDP message
// whose checksum field is 0 (no checksum) is reported invalid; over IPv4,
// where that is allowed, [VerifyUDPTCPIPv4] accepts it.
func VerifyTransport(pseudo uint32, proto uint8, l4 []byte) bool {
	if proto == protoUDP && (len(l4) < 8 || l4[6]|l4[7] == 0) {
		return false
	}
	return Fold(Partial(l4, pseudo)) == 0xffff
}

// ipv4L4 returns the pseudo-header sum, the protocol and the L4 length of the
// IPv4 datagram whose header is ipHdr, and whether they agree with len(l4).
// The L4 length is the total length less the header length, as DPDK takes
// it, so Ethernet padding after the datagram is left out.
func ipv4L4(ipHdr []byte, l4len int) (pseudo uint32, proto uint8, n int, ok bool) {
	if len(ipHdr) < 20 {
		return 0, 0, 0, false
	}
	n = int(binary.BigEndian.Uint16(ipHdr[2:4])) - int(ipHdr[0]&0x0f)*4
	ok = n >= 0 && n <= l4len
	if !ok {
		n = l4len
	}
	proto = ipHdr[9]
	pseudo = PseudoHeaderIPv4([4]byte(ipHdr[12:16]), [4]byte(ipHdr[16:20]), proto, uint16(n))
	return pseudo, proto, n, ok
}

// UDPTCPIPv4 returns the TCP or UDP checksum of the datagram whose IPv4
// header is ipHdr and whose L4 header and payload start l4, as DPDK's
// rte_ipv4_udptcp_cksum does, with the checksum field taken as zero and a UDP
// result of 0 sent as 0xffff (see [Transport], which it calls with the IPv4
// pseudo-header).
//
// The protocol is ipHdr's protocol field; TCP and UDP are what it is for,
// ICMP works too, other protocols are summed as in [Transport]. The L4 length
// is the IPv4 total length less IHL*4; when that does not fit in l4, len(l4)
// is used. It returns 0 if ipHdr is shorter than 20 bytes.
func UDPTCPIPv4(ipHdr, l4 []byte) uint16 {
	if len(ipHdr) < 20 {
		return 0
	}
	pseudo, proto, n, _ := ipv4L4(ipHdr, len(l4))
	if proto == protoICMP {
		pseudo = 0 // ICMP has no pseudo-header
	}
	return Transport(pseudo, proto, l4[:n])
}

// VerifyUDPTCPIPv4 reports whether the TCP or UDP checksum of the datagram is
// right, as DPDK's rte_ipv4_udptcp_cksum_verify does. It is false when ipHdr
// is shorter than 20 bytes or l4 is shorter than the L4 length the IPv4
// header gives. A UDP checksum field of 0 means the sender computed no
// checksum (RFC 768): VerifyUDPTCPIPv4 reports it valid, where DPDK leaves
// that case to the caller.
func VerifyUDPTCPIPv4(ipHdr, l4 []byte) bool {
	pseudo, proto, n, ok := ipv4L4(ipHdr, len(l4))
	if !ok {
		return false
	}
	if proto == protoUDP && n >= 8 && l4[6]|l4[7] == 0 {
		return true
	}
	if proto == protoICMP {
		pseudo = 0
	}
	return VerifyTransport(pseudo, proto, l4[:n])
}

// ipv6L4 is ipv4L4 for the 40-byte IPv6 header: the L4 length is the payload
// length, the protocol the next header field.
func ipv6L4(ipHdr []byte, l4len int) (pseudo uint32, proto uint8, n int, ok bool) {
	if len(ipHdr) < 40 {
		return 0, 0, 0, false
	}
	n = int(binary.BigEndian.Uint16(ipHdr[4:6]))
	ok = n <= l4len
	if !ok {
		n = l4len
	}
	proto = ipHdr[6]
	pseudo = PseudoHeaderIPv6([16]byte(ipHdr[8:24]), [16]byte(ipHdr[24:40]), proto, uint32(n))
	return pseudo, proto, n, ok
}

// UDPTCPIPv6 returns the TCP, UDP or ICMPv6 checksum of the packet whose
// IPv6 header is ipHdr and whose L4 header and payload start l4, as DPDK's
// rte_ipv6_udptcp_cksum does (see [Transport] for the field and UDP rules).
//
// Like DPDK it assumes no extension headers: the protocol is the next header
// field and the L4 length is the payload length (len(l4) when that does not
// fit). With extension headers or a jumbogram (payload length 0, RFC 2675),
// compute [PseudoHeaderIPv6] with the L4 protocol and length and call
// [Transport]. It returns 0 if ipHdr is shorter than 40 bytes.
func UDPTCPIPv6(ipHdr, l4 []byte) uint16 {
	if len(ipHdr) < 40 {
		return 0
	}
	pseudo, proto, n, _ := ipv6L4(ipHdr, len(l4))
	return Transport(pseudo, proto, l4[:n])
}

// VerifyUDPTCPIPv6 reports whether the TCP, UDP or ICMPv6 checksum of the
// packet is right, as DPDK's rte_ipv6_udptcp_cksum_verify does, with the
// assumptions of [UDPTCPIPv6]. A UDP checksum of 0 is invalid over IPv6 (RFC
// 8200 section 8.1); the tunnel exceptions of RFC 6935 are the caller's.
func VerifyUDPTCPIPv6(ipHdr, l4 []byte) bool {
	pseudo, proto, n, ok := ipv6L4(ipHdr, len(l4))
	return ok && VerifyTransport(pseudo, proto, l4[:n])
}

// ICMPv4 returns the checksum of the ICMP message msg (RFC 792), which has no
// pseudo-header; the checksum field (bytes 2-3) is taken as zero. A received
// message is intact when Checksum(msg, 0) == 0.
func ICMPv4(msg []byte) uint16 {
	return Transport(0, protoICMP, msg)
}

// ICMPv6 returns the checksum of the ICMPv6 message msg (RFC 4443 section
// 2.3) sent from src to dst: it covers the IPv6 pseudo-header with next
// header 58 and len(msg) as the length; the checksum field (bytes 2-3) is
// taken as zero. Verify with VerifyTransport(PseudoHeaderIPv6(src, dst, 58,
// uint32(len(msg))), 58, msg).
func ICMPv6(src, dst [16]byte, msg []byte) uint16 {
	return Transport(PseudoHeaderIPv6(src, dst, protoICMPv6, uint32(len(msg))), protoICMPv6, msg)
}
