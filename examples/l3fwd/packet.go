package main

import (
	"encoding/binary"

	"dpk/mbuf"
	"dpk/pkt"
	"dpk/pkt/checksum"
)

// Header offsets l3fwd reads. Frames are untagged Ethernet: the IP header
// starts at ethLen, as in DPDK's l3fwd.
const (
	ethLen     = pkt.EthernetLen
	ipv4MinLen = pkt.IPv4MinLen
	ipv6Len    = pkt.IPv6Len

	ipv4TTL    = 8
	ipv4Proto  = 9
	ipv4Cksum  = 10
	ipv4Src    = 12 // source then destination: 8 bytes
	ipv6NextHd = 6
	ipv6HopLim = 7
	ipv6Src    = 8 // source then destination: 32 bytes

	// rxIPCksumMask selects the mbuf's IP checksum flags: BAD, GOOD, or
	// both (NONE: the checksum field is not set but the header is sound).
	rxIPCksumMask = mbuf.FlagRxIPCksumBad | mbuf.FlagRxIPCksumGood
)

// l3Kind is the network layer of a received frame.
type l3Kind uint8

const (
	kindOther l3Kind = iota
	kindIPv4
	kindIPv6
)

// frameKind tells an untagged IPv4 or IPv6 frame from anything else. A
// packet type set by the driver or by --parse-ptype decides; without one
// the EtherType does.
func frameKind(pt uint32, d []byte) l3Kind {
	if pt != 0 {
		if l2 := pt & pkt.PtypeL2Mask; l2 != 0 && l2 != pkt.PtypeL2Ether {
			return kindOther
		}
		switch {
		case pkt.PtypeIsIPv4(pt):
			return kindIPv4
		case pkt.PtypeIsIPv6(pt):
			return kindIPv6
		}
		return kindOther
	}
	if len(d) < ethLen {
		return kindOther
	}
	switch binary.BigEndian.Uint16(d[12:]) {
	case pkt.EtherTypeIPv4:
		return kindIPv4
	case pkt.EtherTypeIPv6:
		return kindIPv6
	}
	return kindOther
}

// checkIPv4 returns -1 for an IPv4 header that may be forwarded, or the
// reason to drop it: the checks of RFC 1812 section 5.2.2 that DPDK's
// is_valid_ipv4_pkt makes (link length, version, header length, total
// length; the checksum, which DPDK leaves to the NIC, from the mbuf's
// flags or computed), then a time to live that would reach 0. ip is the
// header's part of the first segment, linkLen the packet's length after the
// Ethernet header.
func checkIPv4(ip []byte, linkLen uint32, olFlags uint64) int {
	if linkLen < ipv4MinLen || len(ip) < ipv4MinLen {
		return dropBadIPv4
	}
	vihl := ip[0]
	hl := int(vihl&0xf) * 4
	if vihl>>4 != 4 || hl < ipv4MinLen || hl > len(ip) ||
		int(binary.BigEndian.Uint16(ip[2:])) < hl {
		return dropBadIPv4
	}
	switch olFlags & rxIPCksumMask {
	case mbuf.FlagRxIPCksumBad:
		return dropBadIPv4
	case 0:
		if !checksum.VerifyIPv4Header(ip[:hl]) {
			return dropBadIPv4
		}
	}
	if ip[ipv4TTL] <= 1 {
		return dropTTL
	}
	return -1
}

// checkIPv6 is checkIPv4 for IPv6: version 6, a whole header, and a hop
// limit above 1.
func checkIPv6(ip []byte) int {
	if len(ip) < ipv6Len || ip[0]>>4 != 6 {
		return dropBadIPv6
	}
	if ip[ipv6HopLim] <= 1 {
		return dropTTL
	}
	return -1
}

// decTTL decrements the time to live of a checked IPv4 header and updates
// its checksum incrementally (RFC 1624, eqn. 3): TTL and protocol form one
// 16-bit word of the header.
func decTTL(ip []byte) {
	ttl, proto := ip[ipv4TTL], ip[ipv4Proto]
	ip[ipv4TTL] = ttl - 1
	old := binary.BigEndian.Uint16(ip[ipv4Cksum:])
	binary.BigEndian.PutUint16(ip[ipv4Cksum:],
		checksum.Update16(old, uint16(ttl)<<8|uint16(proto), uint16(ttl-1)<<8|uint16(proto)))
}

// hasPorts reports whether an IP protocol starts with 16-bit source and
// destination ports.
func hasPorts(proto uint8) bool {
	return proto == pkt.IPProtoTCP || proto == pkt.IPProtoUDP || proto == pkt.IPProtoSCTP
}

// ports4 returns the source and destination ports (as the 4 bytes on the
// wire, big-endian) of a checked IPv4 header, or 0 when the packet has none:
// another protocol, a fragment after the first, or too short a packet.
func ports4(ip []byte) uint32 {
	hl := int(ip[0]&0xf) * 4
	if !hasPorts(ip[ipv4Proto]) || binary.BigEndian.Uint16(ip[6:])&0x1fff != 0 || len(ip) < hl+4 {
		return 0
	}
	return binary.BigEndian.Uint32(ip[hl:])
}

// ports6 is ports4 for IPv6, whose ports follow the fixed header only when
// no extension header comes first.
func ports6(ip []byte) uint32 {
	if !hasPorts(ip[ipv6NextHd]) || len(ip) < ipv6Len+4 {
		return 0
	}
	return binary.BigEndian.Uint32(ip[ipv6Len:])
}
