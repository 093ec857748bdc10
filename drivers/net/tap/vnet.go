package tap

import (
	"encoding/binary"

	"dpk/mbuf"
	"dpk/pkt/checksum"

	"golang.org/x/sys/unix"
)

// The virtio_net_hdr handling follows drivers/net/afpacket/vnet.go (a
// packet socket with PACKET_VNET_HDR carries the same header); the little
// of it the tap driver needs is repeated here rather than shared, as a
// driver imports no other driver.

// vnetHdr is a struct virtio_net_hdr: the kernel's checksum and
// segmentation state of a frame (the skb's CHECKSUM_PARTIAL and gso
// fields). Its 16-bit fields are in the host's byte order (a tun device is
// a legacy virtio device: native endian unless TUNSETVNETLE/BE is used).
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

// gsoFrame locates the headers of a TCP GSO frame.
type gsoFrame struct {
	l2, l3, l4 int // header lengths: Ethernet (with tags), IP, TCP
	ipv6       bool
	mss        int
}

// parseGSO checks that d (the frame's first segment) starts a TCP GSO
// frame whose headers all lie in d, and returns where they are.
func parseGSO(d []byte, h vnetHdr) (g gsoFrame, ok bool) {
	if h.flags&unix.VIRTIO_NET_HDR_F_NEEDS_CSUM == 0 || h.gsoSize == 0 || h.csumOffset != 16 {
		return g, false
	}
	l2, et := l2Len(d)
	start := int(h.csumStart)
	if l2 == 0 || start <= l2 || start+20 > len(d) {
		return g, false
	}
	g.l2, g.l3, g.mss = l2, start-l2, int(h.gsoSize)
	switch h.gsoType &^ unix.VIRTIO_NET_HDR_GSO_ECN {
	case unix.VIRTIO_NET_HDR_GSO_TCPV4:
		if et != etherTypeIPv4 || d[l2]>>4 != 4 || int(d[l2]&0x0f)*4 != g.l3 {
			return g, false
		}
	case unix.VIRTIO_NET_HDR_GSO_TCPV6:
		if et != etherTypeIPv6 || d[l2]>>4 != 6 || g.l3 < 40 {
			return g, false
		}
		g.ipv6 = true
	default:
		return g, false
	}
	g.l4 = int(d[start+12]>>4) * 4
	if g.l4 < 20 || start+g.l4 > len(d) {
		return g, false
	}
	return g, true
}

// pseudo returns the pseudo-header sum of the packet whose IP header is at
// ip in b, for an L4 length of l4len.
func pseudo(b []byte, ip int, ipv6 bool, l4len int) uint32 {
	if ipv6 {
		return checksum.PseudoHeaderIPv6([16]byte(b[ip+8:ip+24]), [16]byte(b[ip+24:ip+40]), protoTCP, uint32(l4len))
	}
	return checksum.PseudoHeaderIPv4([4]byte(b[ip+12:ip+16]), [4]byte(b[ip+16:ip+20]), protoTCP, uint16(l4len))
}

// rxAction is what RX does with a frame, from its virtio_net_hdr.
type rxAction int

const (
	rxPlain rxAction = iota // nothing to do
	rxValid                 // the kernel checked the checksum (DATA_VALID)
	rxCsum                  // a partial checksum to complete
	rxLRO                   // a TCP GSO frame, delivered whole
	rxBad                   // a frame the driver cannot deliver
)

// classifyRx decides what to do with a frame of pktLen bytes whose first
// segment is first, given its virtio_net_hdr h. lro says whether the port
// takes GSO frames whole (only then does the kernel send them).
func classifyRx(h vnetHdr, first []byte, pktLen int, lro bool) (rxAction, gsoFrame) {
	switch {
	case h.gsoType != unix.VIRTIO_NET_HDR_GSO_NONE:
		if !lro {
			return rxBad, gsoFrame{}
		}
		g, ok := parseGSO(first, h)
		if !ok {
			return rxBad, g
		}
		return rxLRO, g
	case h.flags&unix.VIRTIO_NET_HDR_F_NEEDS_CSUM != 0:
		f := int(h.csumStart) + int(h.csumOffset)
		if f+2 > len(first) || f+2 > pktLen {
			return rxBad, gsoFrame{}
		}
		return rxCsum, gsoFrame{}
	case h.flags&unix.VIRTIO_NET_HDR_F_DATA_VALID != 0:
		return rxValid, gsoFrame{}
	}
	return rxPlain, gsoFrame{}
}

// sumFrom returns the one's-complement sum of the chain m from byte start
// to its end.
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

// completeCsum finishes the partial checksum of m as the kernel's
// skb_checksum_help does: the field at start+offset (in the first
// segment) holds the pseudo-header sum; the checksum is the complemented
// sum of everything from start to the end of the packet (0 is sent as
// 0xffff, as UDP needs).
func completeCsum(m *mbuf.Mbuf, start, offset uint16) {
	c := ^checksum.Fold(sumFrom(m, int(start)))
	if c == 0 {
		c = 0xffff
	}
	binary.BigEndian.PutUint16(m.Data()[int(start)+int(offset):], c)
}

// lroFlags marks a TCP GSO frame delivered whole in DPDK's way for a
// coalesced packet, as virtio's and vhost's receive paths do: RX_LRO with
// tso_segsz, the L4 checksum "not computed but the data is intact"
// (RX_L4_CKSUM_NONE), and the TX offload requests that make a TSO-capable
// port send it as the original segments. The TCP checksum field gets
// DPDK's TSO pseudo-header sum (no L4 length).
func lroFlags(m *mbuf.Mbuf, g *gsoFrame) {
	d := m.Data()
	binary.BigEndian.PutUint16(d[g.l2+g.l3+16:], checksum.Fold(pseudo(d, g.l2, g.ipv6, 0)))
	fl := mbuf.FlagRxLRO | mbuf.FlagRxL4CksumGood | mbuf.FlagRxL4CksumBad | mbuf.FlagTxTCPSeg | mbuf.FlagTxTCPCksum
	if g.ipv6 {
		fl |= mbuf.FlagTxIPv6
	} else {
		fl |= mbuf.FlagTxIPv4 | mbuf.FlagTxIPCksum
	}
	m.OlFlags |= fl
	m.SetTxOffload(uint32(g.l2), uint32(g.l3), uint32(g.l4), uint32(g.mss), 0, 0)
}

// txOffload turns m's TX offload requests into a virtio_net_hdr, fixing
// the headers as the kernel wants them; shift is the length of a VLAN tag
// the driver inserts before the headers. It reports false for a request
// it cannot carry out (headers outside the first segment, lengths missing,
// SCTP checksum).
func txOffload(m *mbuf.Mbuf, vh *vnetHdr, shift int) bool {
	ol := m.OlFlags
	l4req := ol & mbuf.FlagTxUDPCksum // the two-bit L4 checksum field
	tso := ol&mbuf.FlagTxTCPSeg != 0
	if !tso && l4req == 0 && ol&mbuf.FlagTxIPCksum == 0 {
		return true
	}
	l2, l3, l4 := int(m.L2Len()), int(m.L3Len()), int(m.L4Len())
	d := m.Data()
	if l2 == 0 || l3 < 20 || l2+l3 > len(d) {
		return false
	}
	ip := d[l2 : l2+l3]
	ipv6 := ol&mbuf.FlagTxIPv6 != 0 || ol&mbuf.FlagTxIPv4 == 0 && ip[0]>>4 == 6
	if ipv6 && l3 < 40 {
		return false
	}
	start := uint16(l2 + l3 + shift)
	switch {
	case tso:
		if l4 < 20 || l2+l3+l4 > len(d) || m.TSOSegsz() == 0 {
			return false
		}
		// The kernel's GSO wants the IP length of the whole packet and the
		// pseudo-header sum with the L4 length in the TCP checksum field
		// (DPDK's has none).
		l4len := int(m.PktLen()) - l2 - l3
		if ipv6 {
			binary.BigEndian.PutUint16(ip[4:], uint16(l3-40+l4len))
		} else {
			binary.BigEndian.PutUint16(ip[2:], uint16(l3+l4len))
			ol |= mbuf.FlagTxIPCksum
		}
		tcp := d[l2+l3:]
		binary.BigEndian.PutUint16(tcp[16:], checksum.Fold(pseudo(d, l2, ipv6, l4len)))
		vh.flags = unix.VIRTIO_NET_HDR_F_NEEDS_CSUM
		vh.gsoType = unix.VIRTIO_NET_HDR_GSO_TCPV4
		if ipv6 {
			vh.gsoType = unix.VIRTIO_NET_HDR_GSO_TCPV6
		}
		if tcp[13]&tcpCWR != 0 {
			vh.gsoType |= unix.VIRTIO_NET_HDR_GSO_ECN
		}
		vh.gsoSize = uint16(m.TSOSegsz())
		vh.csumStart, vh.csumOffset = start, 16
		vh.hdrLen = start + uint16(l4)
	case l4req == mbuf.FlagTxTCPCksum:
		vh.flags = unix.VIRTIO_NET_HDR_F_NEEDS_CSUM
		vh.csumStart, vh.csumOffset = start, 16
		vh.hdrLen = start + 18
	case l4req == mbuf.FlagTxUDPCksum:
		vh.flags = unix.VIRTIO_NET_HDR_F_NEEDS_CSUM
		vh.csumStart, vh.csumOffset = start, 6
		vh.hdrLen = start + 8
	case l4req != 0:
		return false // SCTP: not offered
	}
	if ol&mbuf.FlagTxIPCksum != 0 && !ipv6 {
		binary.BigEndian.PutUint16(ip[10:], 0)
		binary.BigEndian.PutUint16(ip[10:], checksum.IPv4Header(ip))
	}
	return true
}
