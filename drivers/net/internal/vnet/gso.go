package vnet

import (
	"encoding/binary"

	"dpk/mbuf"
	"dpk/pkt/checksum"
)

// GSO locates the headers of a GSO frame (a TCP or UDP packet longer than
// the MTU, which the kernel hands over whole with the size to cut it into).
type GSO struct {
	L2    int   // Ethernet header length, VLAN tags included
	L3    int   // IP header length, options or extension headers included
	L4    int   // TCP header length (options included) or 8 for UDP
	IPv6  bool  // the IP header is IPv6
	Proto uint8 // ProtoTCP or ProtoUDP
	MSS   int   // payload bytes per segment
}

// ParseGSO checks that d starts a TCP or UDP GSO frame, described by h,
// whose headers all lie in d and are consistent with h, and returns where
// they are. A caller that handles only TCP checks Proto.
func ParseGSO(d []byte, h Hdr) (g GSO, ok bool) {
	if h.Flags&FlagNeedsCsum == 0 || h.GSOSize == 0 {
		return g, false
	}
	l2, et := L2Len(d)
	start := int(h.CsumStart)
	if l2 == 0 || start <= l2 || start >= len(d) {
		return g, false
	}
	g.L2, g.L3, g.MSS = l2, start-l2, int(h.GSOSize)
	switch h.GSOType &^ GSOECN {
	case GSOTCPv4:
		g.Proto = ProtoTCP
	case GSOTCPv6:
		g.Proto, g.IPv6 = ProtoTCP, true
	case GSOUDPL4:
		g.Proto = ProtoUDP
		g.IPv6 = et == EtherTypeIPv6
	default:
		return g, false
	}
	switch {
	case !g.IPv6 && (et != EtherTypeIPv4 || d[l2]>>4 != 4 || int(d[l2]&0x0f)*4 != g.L3):
		return g, false
	case g.IPv6 && (et != EtherTypeIPv6 || d[l2]>>4 != 6 || g.L3 < 40):
		return g, false
	}
	if g.Proto == ProtoTCP {
		if h.CsumOffset != 16 || start+20 > len(d) {
			return g, false
		}
		g.L4 = int(d[start+12]>>4) * 4
		if g.L4 < 20 {
			return g, false
		}
	} else {
		if h.CsumOffset != 6 {
			return g, false
		}
		g.L4 = 8
	}
	if start+g.L4 > len(d) {
		return g, false
	}
	return g, true
}

// HdrLen is the length of all the headers.
func (g *GSO) HdrLen() int { return g.L2 + g.L3 + g.L4 }

// PatchSegment rewrites the headers hdr (L2, L3, L4 long, as in g) of
// segment i of the GSO frame g, which carries payload: IP lengths and id,
// TCP sequence number and flags or UDP length, and the L4 checksum,
// computed over hdr and payload. last says whether it is the last segment.
func (g *GSO) PatchSegment(hdr []byte, i int, payload []byte, last bool) {
	ip, l4 := g.L2, g.L2+g.L3
	l4len := g.L4 + len(payload)
	if g.IPv6 {
		binary.BigEndian.PutUint16(hdr[ip+4:], uint16(g.L3-40+l4len))
	} else {
		binary.BigEndian.PutUint16(hdr[ip+2:], uint16(g.L3+l4len))
		binary.BigEndian.PutUint16(hdr[ip+4:], binary.BigEndian.Uint16(hdr[ip+4:])+uint16(i))
		binary.BigEndian.PutUint16(hdr[ip+10:], 0)
		binary.BigEndian.PutUint16(hdr[ip+10:], checksum.IPv4Header(hdr[ip:l4]))
	}
	var field int
	if g.Proto == ProtoTCP {
		seq := binary.BigEndian.Uint32(hdr[l4+4:])
		binary.BigEndian.PutUint32(hdr[l4+4:], seq+uint32(i*g.MSS))
		if !last {
			hdr[l4+13] &^= TCPFIN | TCPPSH
		}
		if i > 0 {
			hdr[l4+13] &^= TCPCWR
		}
		field = l4 + 16
	} else {
		binary.BigEndian.PutUint16(hdr[l4+4:], uint16(l4len))
		field = l4 + 6
	}
	binary.BigEndian.PutUint16(hdr[field:], 0)
	s := checksum.Partial(hdr[l4:], Pseudo(hdr, ip, g.IPv6, g.Proto, l4len))
	s = checksum.Partial(payload, s) // the L4 header has an even length
	c := ^checksum.Fold(s)
	if c == 0 && g.Proto == ProtoUDP {
		c = 0xffff
	}
	binary.BigEndian.PutUint16(hdr[field:], c)
}

// LROChecksum returns the TCP checksum field of the TCP GSO frame g, d,
// delivered whole: DPDK's TSO pseudo-header sum, without the L4 length
// (the kernel's has the length of the whole frame). The field is at
// g.L2+g.L3+16.
func (g *GSO) LROChecksum(d []byte) uint16 {
	return checksum.Fold(Pseudo(d, g.L2, g.IPv6, ProtoTCP, 0))
}

// LROFlags marks m, the TCP GSO frame g delivered whole, in DPDK's way for
// a coalesced packet, as virtio's and vhost's (legacy mode) receive paths
// do: RX_LRO with tso_segsz, the L4 checksum "not computed but the data is
// intact" (RX_L4_CKSUM_NONE), and the TX offload requests that make a
// TSO-capable port send it as the original segments: TCP_SEG, the IP
// version and IPv4 header checksum, with the l2/l3/l4 lengths. shift is
// the length of a VLAN tag put back in front of the frame's headers. The
// TCP checksum field is the caller's to set (LROChecksum).
func (g *GSO) LROFlags(m *mbuf.Mbuf, shift int) {
	fl := mbuf.FlagRxLRO | mbuf.FlagRxL4CksumGood | mbuf.FlagRxL4CksumBad | mbuf.FlagTxTCPSeg | mbuf.FlagTxTCPCksum
	if g.IPv6 {
		fl |= mbuf.FlagTxIPv6
	} else {
		fl |= mbuf.FlagTxIPv4 | mbuf.FlagTxIPCksum
	}
	m.OlFlags |= fl
	m.SetTxOffload(uint32(g.L2+shift), uint32(g.L3), uint32(g.L4), uint32(g.MSS), 0, 0)
}
