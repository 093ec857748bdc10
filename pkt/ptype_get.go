package pkt

import (
	"encoding/binary"

	"dpk/mbuf"
)

// Header lengths the packet-type parsers use.
const (
	ptEtherHdrLen = 14
	ptVLANHdrLen  = 4
	ptIPv4HdrLen  = 20
	ptIPv6HdrLen  = 40
	ptTCPHdrLen   = 20
	ptUDPHdrLen   = 8
	ptSCTPHdrLen  = 12
	ptGREHdrLen   = 4
	ptMPLSHdrLen  = 4
)

// HdrLens holds the header lengths found by GetPtype and ParsePtype
// (rte_net_hdr_lens), with DPDK's field widths. A length is meaningful only
// when the matching field of the returned packet type is set: L2Len with
// the L2 field, L3Len with L3, L4Len with L4, TunnelLen with the tunnel
// field and so on. The parsers clear the whole struct first, so the others
// are 0.
//
// The headers follow one another: the L3 header starts at L2Len, L4 at
// L2Len+L3Len, the tunnel header at L2Len+L3Len+L4Len, the inner L2 header
// after the tunnel header, and so on.
type HdrLens struct {
	// L2Len is the length of the Ethernet header, its VLAN tags and, in
	// ParsePtype, MPLS labels and PPPoE/PPP headers.
	L2Len uint8
	// InnerL2Len is the length of the inner Ethernet header and its VLAN
	// tags (0 for tunnels carrying IP directly).
	InnerL2Len uint8
	// L3Len is the length of the IP header including IPv4 options or IPv6
	// extension headers.
	L3Len uint16
	// InnerL3Len is L3Len of the inner packet.
	InnerL3Len uint16
	// TunnelLen is the length of the tunnel header (GRE, VXLAN, Geneve,
	// GTP-U ... with their options); 0 for IP in IP.
	TunnelLen uint16
	// L4Len is the TCP header length (with options), 8 for UDP, 12 for SCTP.
	L4Len uint8
	// InnerL4Len is L4Len of the inner packet.
	InnerL4Len uint8
}

// ptReader reads header bytes at packet offsets: straight from the first
// segment when they lie in it (the common case), else through Mbuf.Read,
// which copies across segments into buf. It never reads at or past limit,
// which starts as pkt_len.
type ptReader struct {
	d     []byte // first segment's data, cut to limit
	m     *mbuf.Mbuf
	limit int
	buf   [ptIPv6HdrLen]byte
}

func (r *ptReader) init(m *mbuf.Mbuf) {
	r.m = m
	r.limit = int(m.PktLen())
	r.d = m.Data()
	if len(r.d) > r.limit {
		r.d = r.d[:r.limit]
	}
}

// read returns the n bytes at off, or nil when they are not all before the
// limit. n must not exceed len(r.buf). The bytes may be in r.buf, so the
// result is valid only until the next read.
func (r *ptReader) read(off, n int) []byte {
	if off+n <= len(r.d) {
		return r.d[off : off+n]
	}
	return r.readSlow(off, n)
}

// readSlow is kept out of line so that read inlines.
//
//go:noinline
func (r *ptReader) readSlow(off, n int) []byte {
	if off+n > r.limit {
		return nil
	}
	return r.m.Read(uint32(off), uint32(n), r.buf[:])
}

// has reports whether the n bytes at off are before the limit.
func (r *ptReader) has(off, n int) bool { return off+n <= r.limit }

// setLimit lowers the limit to end (never raises it).
func (r *ptReader) setLimit(end int) {
	if end < r.limit {
		r.limit = end
		if len(r.d) > end {
			r.d = r.d[:end]
		}
	}
}

func ptBE16(b []byte) uint16 { return binary.BigEndian.Uint16(b) }

// ptIPProto returns the value GetPtype's proto variable takes for IP
// protocol p. DPDK keeps EtherTypes and IP protocols in one uint16 holding
// the EtherType in network byte order, and compares it with host-order
// IPPROTO_* values; on a little-endian CPU (x86, arm64, where DPDK 22.11
// runs) IP protocol p therefore matches EtherType p<<8 and vice versa. We
// hold EtherTypes as numbers and protocols as p<<8 to give the same results.
func ptIPProto(p uint8) uint16 { return uint16(p) << 8 }

// ptL3IPv4 is ptype_l3_ip: the L3 type for an IPv4 version/IHL byte.
func ptL3IPv4(vihl uint8) uint32 {
	switch {
	case vihl == 0x45:
		return PtypeL3IPv4
	case vihl > 0x45 && vihl <= 0x4f:
		return PtypeL3IPv4Ext
	}
	return 0
}

func ptInnerL3IPv4(vihl uint8) uint32 {
	switch {
	case vihl == 0x45:
		return PtypeInnerL3IPv4
	case vihl > 0x45 && vihl <= 0x4f:
		return PtypeInnerL3IPv4Ext
	}
	return 0
}

// ptIPv6ExtFirst reports whether IPv6 next header p makes DPDK call the L3
// type IPV6_EXT (ptype_l3_ip6).
func ptIPv6ExtFirst(p uint8) bool {
	switch p {
	case 0, 43, 44, 50, 51, 60: // hop-by-hop, routing, fragment, ESP, AH, destination options
		return true
	}
	return false
}

// ptL4 is ptype_l4; the inner values are these shifted left by 16.
func ptL4(p uint8) uint32 {
	switch p {
	case 6:
		return PtypeL4TCP
	case 17:
		return PtypeL4UDP
	case 132:
		return PtypeL4SCTP
	}
	return 0
}

// skipIPv6ExtDPDK is rte_net_skip_ip6_ext: it skips at most five
// hop-by-hop, routing and destination options headers and one fragment
// header (always taken as the last), and returns the next protocol, 0 for
// "no next header" (59), and -1 when a header is cut or there are more
// than five.
func (r *ptReader) skipIPv6ExtDPDK(proto uint8, off *int) (next int, frag bool) {
	for range 5 {
		switch proto {
		case 0, 43, 60:
			b := r.read(*off, 2)
			if b == nil {
				return -1, false
			}
			*off += (int(b[1]) + 1) * 8
			proto = b[0]
		case 44:
			b := r.read(*off, 2)
			if b == nil {
				return -1, false
			}
			*off += 8
			return int(b[0]), true
		case 59:
			return 0, false
		default:
			return int(proto), false
		}
	}
	return -1, false
}

// GetPtype parses the packet's headers and returns its packet type, giving
// the same type and header lengths as DPDK 22.11's rte_net_get_ptype for
// the same bytes and layers on x86. layers selects the layers to parse
// (PtypeAllMask for all); parsing stops at the first layer whose mask
// field in layers is zero. hl, if not nil, receives the header lengths.
//
// It recognises what rte_net_get_ptype does: Ethernet with one 802.1Q tag
// or an 802.1ad (0x88A8) tag pair, IPv4 (with options: L3_IPV4_EXT), IPv6
// with up to five extension headers, TCP, UDP, SCTP, fragments (L4_FRAG,
// first or not), and the tunnels IP in IP, GRE and NVGRE with their inner
// Ethernet, VLAN, IP and L4 headers. Like DPDK it
//   - returns plain L2_ETHER for MPLS frames (DPDK's label loop never
//     finds the bottom of the stack);
//   - reads no UDP or SCTP header, and drops the L4 type (and, for inner
//     TCP, every outer layer too) when a TCP header is cut short;
//   - takes any GRE version and rejects GRE with the routing bit;
//   - keeps going after an IPv4 header whose version/IHL byte is not
//     0x45..0x4F (the L3 type is then unknown);
//   - after an unrecognised L3 or L4, matches EtherType and IP protocol
//     values byte-swapped, as DPDK does on little-endian CPUs: IP protocol
//     8 is taken as inner IPv4 and 129 as an inner VLAN tag, and EtherTypes
//     0x0400, 0x2900 and 0x2F00 as IP in IP, IPv6 in IP and GRE.
//
// It reads the first segment directly and other segments through
// Mbuf.Read, never past pkt_len, and does not allocate. ParsePtype is the
// extended parser for dpk's own use.
func GetPtype(m *mbuf.Mbuf, hl *HdrLens, layers uint32) uint32 {
	var local HdrLens
	if hl == nil {
		hl = &local
	}
	*hl = HdrLens{}
	var r ptReader
	r.init(m)

	b := r.read(0, ptEtherHdrLen)
	if b == nil {
		return 0
	}
	proto := ptBE16(b[12:])
	off := ptEtherHdrLen
	hl.L2Len = ptEtherHdrLen
	if layers&PtypeL2Mask == 0 {
		return 0
	}
	ptype := PtypeL2Ether

	switch proto {
	case EtherTypeIPv4:
		// fast path
	case EtherTypeVLAN:
		ptype = PtypeL2EtherVLAN
		b = r.read(off, ptVLANHdrLen)
		if b == nil {
			return ptype
		}
		off += ptVLANHdrLen
		hl.L2Len += ptVLANHdrLen
		proto = ptBE16(b[2:])
	case EtherTypeQinQ:
		ptype = PtypeL2EtherQinQ
		b = r.read(off+ptVLANHdrLen, ptVLANHdrLen)
		if b == nil {
			return ptype
		}
		off += 2 * ptVLANHdrLen
		hl.L2Len += 2 * ptVLANHdrLen
		proto = ptBE16(b[2:])
	case EtherTypeMPLS, EtherTypeMPLSMC:
		// DPDK 22.11 reads five labels without looking at the
		// bottom-of-stack bit and gives up whether or not they are there.
		return ptype
	}

	if layers&PtypeL3Mask == 0 {
		return ptype
	}

	switch proto {
	case EtherTypeIPv4:
		b = r.read(off, ptIPv4HdrLen)
		if b == nil {
			return ptype
		}
		ptype |= ptL3IPv4(b[0])
		l3 := int(b[0]&0xf) * 4
		hl.L3Len = uint16(l3)
		off += l3
		if layers&PtypeL4Mask == 0 {
			return ptype
		}
		if ptBE16(b[6:])&0x3fff != 0 { // MF or fragment offset
			return ptype | PtypeL4Frag
		}
		ptype |= ptL4(b[9])
		proto = ptIPProto(b[9])
	case EtherTypeIPv6:
		b = r.read(off, ptIPv6HdrLen)
		if b == nil {
			return ptype
		}
		nh := b[6]
		hl.L3Len = ptIPv6HdrLen
		off += ptIPv6HdrLen
		frag := false
		if ptIPv6ExtFirst(nh) {
			ptype |= PtypeL3IPv6Ext
			next, f := r.skipIPv6ExtDPDK(nh, &off)
			if next < 0 {
				return ptype
			}
			nh, frag = uint8(next), f
			hl.L3Len = uint16(off - int(hl.L2Len))
		} else {
			ptype |= PtypeL3IPv6
		}
		if nh == 0 {
			return ptype
		}
		if layers&PtypeL4Mask == 0 {
			return ptype
		}
		if frag {
			return ptype | PtypeL4Frag
		}
		ptype |= ptL4(nh)
		proto = ptIPProto(nh)
	}

	switch ptype & PtypeL4Mask {
	case PtypeL4UDP:
		hl.L4Len = ptUDPHdrLen
		return ptype
	case PtypeL4TCP:
		b = r.read(off, ptTCPHdrLen)
		if b == nil {
			return ptype & (PtypeL2Mask | PtypeL3Mask)
		}
		hl.L4Len = (b[12] & 0xf0) >> 2
		return ptype
	case PtypeL4SCTP:
		hl.L4Len = ptSCTPHdrLen
		return ptype
	}

	if layers&PtypeTunnelMask == 0 {
		return ptype
	}
	prev := off
	switch proto {
	case uint16(IPProtoGRE) << 8:
		if b = r.read(off, ptGREHdrLen); b != nil {
			if n := ptGREOptLen[b[0]>>4]; n != 0 {
				off += int(n)
				proto = ptBE16(b[2:])
				if proto == EtherTypeTEB {
					ptype |= PtypeTunnelNVGRE
				} else {
					ptype |= PtypeTunnelGRE
				}
			}
		}
	case uint16(IPProtoIPIP) << 8:
		proto = EtherTypeIPv4
		ptype |= PtypeTunnelIP
	case uint16(IPProtoIPv6) << 8:
		proto = EtherTypeIPv6
		ptype |= PtypeTunnelIP
	}
	hl.TunnelLen = uint16(off - prev)

	if layers&PtypeInnerL2Mask == 0 {
		return ptype
	}
	if proto == EtherTypeTEB {
		b = r.read(off, ptEtherHdrLen)
		if b == nil {
			return ptype
		}
		ptype |= PtypeInnerL2Ether
		proto = ptBE16(b[12:])
		off += ptEtherHdrLen
		hl.InnerL2Len = ptEtherHdrLen
	}
	switch proto {
	case EtherTypeVLAN:
		ptype = ptype&^PtypeInnerL2Mask | PtypeInnerL2EtherVLAN
		b = r.read(off, ptVLANHdrLen)
		if b == nil {
			return ptype
		}
		off += ptVLANHdrLen
		hl.InnerL2Len += ptVLANHdrLen
		proto = ptBE16(b[2:])
	case EtherTypeQinQ:
		ptype = ptype&^PtypeInnerL2Mask | PtypeInnerL2EtherQinQ
		b = r.read(off+ptVLANHdrLen, ptVLANHdrLen)
		if b == nil {
			return ptype
		}
		off += 2 * ptVLANHdrLen
		hl.InnerL2Len += 2 * ptVLANHdrLen
		proto = ptBE16(b[2:])
	}

	if layers&PtypeInnerL3Mask == 0 {
		return ptype
	}
	var nh uint8
	switch proto {
	case EtherTypeIPv4:
		b = r.read(off, ptIPv4HdrLen)
		if b == nil {
			return ptype
		}
		ptype |= ptInnerL3IPv4(b[0])
		l3 := int(b[0]&0xf) * 4
		hl.InnerL3Len = uint16(l3)
		off += l3
		if layers&PtypeInnerL4Mask == 0 {
			return ptype
		}
		if ptBE16(b[6:])&0x3fff != 0 {
			return ptype | PtypeInnerL4Frag
		}
		nh = b[9]
	case EtherTypeIPv6:
		b = r.read(off, ptIPv6HdrLen)
		if b == nil {
			return ptype
		}
		nh = b[6]
		hl.InnerL3Len = ptIPv6HdrLen
		off += ptIPv6HdrLen
		frag := false
		if ptIPv6ExtFirst(nh) {
			ptype |= PtypeInnerL3IPv6Ext
			prev := off
			next, f := r.skipIPv6ExtDPDK(nh, &off)
			if next < 0 {
				return ptype
			}
			nh, frag = uint8(next), f
			hl.InnerL3Len += uint16(off - prev)
		} else {
			ptype |= PtypeInnerL3IPv6
		}
		if nh == 0 {
			return ptype
		}
		if layers&PtypeInnerL4Mask == 0 {
			return ptype
		}
		if frag {
			return ptype | PtypeInnerL4Frag
		}
	default:
		return ptype
	}

	switch nh {
	case 17:
		hl.InnerL4Len = ptUDPHdrLen
		return ptype | PtypeInnerL4UDP
	case 6:
		b = r.read(off, ptTCPHdrLen)
		if b == nil {
			// sic: DPDK drops the outer layers here too.
			return ptype & (PtypeInnerL2Mask | PtypeInnerL3Mask)
		}
		hl.InnerL4Len = (b[12] & 0xf0) >> 2
		return ptype | PtypeInnerL4TCP
	case 132:
		hl.InnerL4Len = ptSCTPHdrLen
		return ptype | PtypeInnerL4SCTP
	}
	return ptype
}

// ptGREOptLen is the GRE header length by the C, R, K and S flag bits as
// rte_net.c has it: 0 for combinations it rejects (any with R).
var ptGREOptLen = [16]uint8{
	0x0: 4, 0x1: 8, 0x2: 8, 0x8: 8, 0x3: 12, 0x9: 12, 0xa: 12, 0xb: 16,
}
