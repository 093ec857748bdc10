package afpacket

import (
	"encoding/binary"

	"dpk/mbuf"
	"dpk/pkt/checksum"

	"golang.org/x/sys/unix"
)

// vnetHdr is a struct virtio_net_hdr, which PACKET_VNET_HDR puts before
// every frame: the kernel's checksum and segmentation state of the packet
// (the skb's CHECKSUM_PARTIAL and gso fields). Its 16-bit fields are in the
// host's byte order (the kernel's vio_le() for a packet socket).
type vnetHdr struct {
	flags      uint8
	gsoType    uint8
	hdrLen     uint16
	gsoSize    uint16
	csumStart  uint16
	csumOffset uint16
}

func decodeVnet(b []byte) vnetHdr {
	_ = b[vnetHdrLen-1]
	return vnetHdr{
		flags: b[0], gsoType: b[1],
		hdrLen:     binary.NativeEndian.Uint16(b[2:]),
		gsoSize:    binary.NativeEndian.Uint16(b[4:]),
		csumStart:  binary.NativeEndian.Uint16(b[6:]),
		csumOffset: binary.NativeEndian.Uint16(b[8:]),
	}
}

func (h *vnetHdr) encode(b []byte) {
	_ = b[vnetHdrLen-1]
	b[0], b[1] = h.flags, h.gsoType
	binary.NativeEndian.PutUint16(b[2:], h.hdrLen)
	binary.NativeEndian.PutUint16(b[4:], h.gsoSize)
	binary.NativeEndian.PutUint16(b[6:], h.csumStart)
	binary.NativeEndian.PutUint16(b[8:], h.csumOffset)
}

const (
	etherTypeIPv4 = 0x0800
	etherTypeIPv6 = 0x86dd
	protoTCP      = 6
	protoUDP      = 17
	tcpFIN        = 0x01
	tcpPSH        = 0x08
	tcpCWR        = 0x80
)

// l2Len returns the length of the Ethernet header of d with its VLAN tags,
// and the ethertype after them (0, 0 if d is too short).
func l2Len(d []byte) (int, uint16) {
	off := 12
	for off+2 <= len(d) {
		switch et := binary.BigEndian.Uint16(d[off:]); et {
		case 0x8100, 0x88a8, 0x9100:
			off += 4
		default:
			return off + 2, et
		}
	}
	return 0, 0
}

// partialCsum finishes a partial checksum of d as the kernel's
// skb_checksum_help does: the checksum field at start+offset holds the
// pseudo-header sum; the checksum is the complemented sum of everything
// from start to the end of the packet (0 is sent as 0xffff, as UDP needs).
// It returns the value for the field.
func partialCsum(d []byte, start, offset uint16) (uint16, bool) {
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

// gsoFrame locates the headers of a GSO frame d from its virtio_net_hdr.
type gsoFrame struct {
	l2, l3, l4 int // header lengths: Ethernet (with tags), IP (with options or extension headers), TCP or UDP
	ipv6       bool
	proto      uint8
	mss        int
}

// parseGSO checks that d is a TCP or UDP GSO frame the driver can handle
// and returns where its headers are.
func parseGSO(d []byte, h vnetHdr) (g gsoFrame, ok bool) {
	if h.flags&unix.VIRTIO_NET_HDR_F_NEEDS_CSUM == 0 || h.gsoSize == 0 {
		return g, false
	}
	l2, et := l2Len(d)
	start := int(h.csumStart)
	if l2 == 0 || start <= l2 || start >= len(d) {
		return g, false
	}
	g.l2, g.l3, g.mss = l2, start-l2, int(h.gsoSize)
	switch h.gsoType &^ unix.VIRTIO_NET_HDR_GSO_ECN {
	case unix.VIRTIO_NET_HDR_GSO_TCPV4:
		g.proto = protoTCP
	case unix.VIRTIO_NET_HDR_GSO_TCPV6:
		g.proto, g.ipv6 = protoTCP, true
	case unix.VIRTIO_NET_HDR_GSO_UDP_L4:
		g.proto = protoUDP
		g.ipv6 = et == etherTypeIPv6
	default:
		return g, false
	}
	switch {
	case !g.ipv6 && (et != etherTypeIPv4 || d[l2]>>4 != 4 || int(d[l2]&0x0f)*4 != g.l3):
		return g, false
	case g.ipv6 && (et != etherTypeIPv6 || d[l2]>>4 != 6 || g.l3 < 40):
		return g, false
	}
	if g.proto == protoTCP {
		if h.csumOffset != 16 || start+20 > len(d) {
			return g, false
		}
		g.l4 = int(d[start+12]>>4) * 4
		if g.l4 < 20 {
			return g, false
		}
	} else {
		if h.csumOffset != 6 {
			return g, false
		}
		g.l4 = 8
	}
	if start+g.l4 > len(d) {
		return g, false
	}
	return g, true
}

// hdrLen is the length of all the headers.
func (g *gsoFrame) hdrLen() int { return g.l2 + g.l3 + g.l4 }

// pseudo returns the pseudo-header sum of the packet whose IP header is at
// ip in b, for an L4 length of l4len.
func pseudo(b []byte, ip int, ipv6 bool, proto uint8, l4len int) uint32 {
	if ipv6 {
		return checksum.PseudoHeaderIPv6([16]byte(b[ip+8:ip+24]), [16]byte(b[ip+24:ip+40]), proto, uint32(l4len))
	}
	return checksum.PseudoHeaderIPv4([4]byte(b[ip+12:ip+16]), [4]byte(b[ip+16:ip+20]), proto, uint16(l4len))
}

// patchSegment rewrites the headers hdr (l2, l3, l4 as in g) of segment i
// of a GSO frame, which carries payload: IP lengths and id, TCP sequence
// number and flags or UDP length, and the L4 checksum, computed over hdr
// and payload. last says whether it is the last segment.
func patchSegment(hdr []byte, g *gsoFrame, i int, payload []byte, last bool) {
	ip, l4 := g.l2, g.l2+g.l3
	l4len := g.l4 + len(payload)
	if g.ipv6 {
		binary.BigEndian.PutUint16(hdr[ip+4:], uint16(g.l3-40+l4len))
	} else {
		binary.BigEndian.PutUint16(hdr[ip+2:], uint16(g.l3+l4len))
		binary.BigEndian.PutUint16(hdr[ip+4:], binary.BigEndian.Uint16(hdr[ip+4:])+uint16(i))
		binary.BigEndian.PutUint16(hdr[ip+10:], 0)
		binary.BigEndian.PutUint16(hdr[ip+10:], checksum.IPv4Header(hdr[ip:l4]))
	}
	var field int
	if g.proto == protoTCP {
		seq := binary.BigEndian.Uint32(hdr[l4+4:])
		binary.BigEndian.PutUint32(hdr[l4+4:], seq+uint32(i*g.mss))
		if !last {
			hdr[l4+13] &^= tcpFIN | tcpPSH
		}
		if i > 0 {
			hdr[l4+13] &^= tcpCWR
		}
		field = l4 + 16
	} else {
		binary.BigEndian.PutUint16(hdr[l4+4:], uint16(l4len))
		field = l4 + 6
	}
	binary.BigEndian.PutUint16(hdr[field:], 0)
	s := checksum.Partial(hdr[l4:], pseudo(hdr, ip, g.ipv6, g.proto, l4len))
	s = checksum.Partial(payload, s) // the L4 header has an even length
	c := ^checksum.Fold(s)
	if c == 0 && g.proto == protoUDP {
		c = 0xffff
	}
	binary.BigEndian.PutUint16(hdr[field:], c)
}

// lroChecksum returns the TCP checksum field of a GSO frame d delivered
// whole: DPDK's TSO pseudo-header sum, without the L4 length (the kernel's
// has the length of the whole frame).
func lroChecksum(d []byte, g *gsoFrame) uint16 {
	return checksum.Fold(pseudo(d, g.l2, g.ipv6, protoTCP, 0))
}

// lroFlags marks a TCP GSO frame delivered whole in DPDK's way for a
// coalesced packet, as virtio's and vhost's (legacy mode) receive paths do:
// RX_LRO with tso_segsz, the L4 checksum "not computed but the data is
// intact" (RX_L4_CKSUM_NONE), and the TX offload requests that make a
// TSO-capable port send it as the original segments: TCP_SEG, the IP
// version and IPv4 header checksum, with the l2/l3/l4 lengths. shift is the
// length of a VLAN tag put back in front of the frame's headers.
func lroFlags(m *mbuf.Mbuf, g *gsoFrame, shift int) {
	fl := mbuf.FlagRxLRO | mbuf.FlagRxL4CksumGood | mbuf.FlagRxL4CksumBad | mbuf.FlagTxTCPSeg | mbuf.FlagTxTCPCksum
	if g.ipv6 {
		fl |= mbuf.FlagTxIPv6
	} else {
		fl |= mbuf.FlagTxIPv4 | mbuf.FlagTxIPCksum
	}
	m.OlFlags |= fl
	m.SetTxOffload(uint32(g.l2+shift), uint32(g.l3), uint32(g.l4), uint32(g.mss), 0, 0)
}
