package pkt

import "dpk/mbuf"

// Limits of the extended parser.
const (
	ptMaxVLANTags  = 8 // VLAN tags skipped in one Ethernet header
	ptMaxMPLS      = 8 // MPLS labels skipped in one stack
	ptMaxIPv6Ext   = 8 // IPv6 extension headers skipped
	ptMaxGTPExt    = 8 // GTP-U extension headers skipped
	ptPPPoEHdrLen  = 8 // PPPoE session header and PPP protocol
	ptVXLANHdrLen  = 8
	ptGeneveHdrLen = 8
	ptGTPHdrLen    = 8
	ptGTPOptLen    = 4 // sequence number, N-PDU number, next extension type
	ptNSHBaseLen   = 8 // base and service path headers
)

// PtypeOptions tunes ParsePtype. The zero value (or a nil pointer) parses
// every layer and recognises the UDP tunnels on their IANA ports.
type PtypeOptions struct {
	// Layers selects the layers to parse, as GetPtype's argument; 0 means
	// PtypeAllMask.
	Layers uint32
	// VXLANPort is the UDP destination port of VXLAN; 0 means PortVXLAN (4789).
	VXLANPort uint16
	// VXLANGPEPort is the port of VXLAN-GPE; 0 means PortVXLANGPE (4790).
	VXLANGPEPort uint16
	// GenevePort is the port of Geneve; 0 means PortGeneve (6081).
	GenevePort uint16
	// GTPUPort is the port of GTP-U; 0 means PortGTPU (2152).
	GTPUPort uint16
	// MPLSUDPPort is the port of MPLS in UDP; 0 means PortMPLSUDP (6635).
	MPLSUDPPort uint16
	// NoUDPTunnels turns off the UDP tunnels: UDP is then always the last
	// layer, as in GetPtype.
	NoUDPTunnels bool
}

var ptDefaultOptions PtypeOptions

// ptIP describes an IP header found by parseIP.
type ptIP struct {
	kind  uint8 // ptIPNone, ptIPv4, ...
	frag  bool  // a fragment: IPv4 MF or offset, IPv6 fragment header with M or offset
	stop  bool  // what follows cannot be parsed (header cut or bogus length)
	proto uint8 // the L4 protocol (after IPv6 extension headers)
	len   int   // header length with options and extension headers
}

const (
	ptIPNone = iota
	ptIPv4
	ptIPv4Ext
	ptIPv6
	ptIPv6Ext
)

var (
	ptOuterL3 = [5]uint32{0, PtypeL3IPv4, PtypeL3IPv4Ext, PtypeL3IPv6, PtypeL3IPv6Ext}
	ptInnerL3 = [5]uint32{0, PtypeInnerL3IPv4, PtypeInnerL3IPv4Ext, PtypeInnerL3IPv6, PtypeInnerL3IPv6Ext}
)

func ptIsVLANTPID(et uint16) bool {
	switch et {
	case EtherTypeVLAN, EtherTypeQinQ, EtherTypeQinQ9100, EtherTypeQinQ9200, EtherTypeQinQ9300:
		return true
	}
	return false
}

// parseIP parses the IPv4 or IPv6 header (as et says) at off, with IPv6
// extension headers, and lowers the reader's limit to the end of the
// datagram that the header's length field gives.
func (r *ptReader) parseIP(et uint16, off int) (ip ptIP) {
	switch et {
	case EtherTypeIPv4:
		b := r.read(off, ptIPv4HdrLen)
		if b == nil || b[0]>>4 != 4 || b[0]&0xf < 5 {
			return ip
		}
		ip.len = int(b[0]&0xf) * 4
		ip.kind = ptIPv4
		if ip.len > ptIPv4HdrLen {
			ip.kind = ptIPv4Ext
		}
		ip.proto = b[9]
		ip.frag = ptBE16(b[6:])&0x3fff != 0
		switch tl := int(ptBE16(b[2:])); {
		case tl == 0:
			// TSO or LRO: the length is left to the link, as tshark and
			// Linux's capture of offloaded packets assume
		case tl < ip.len:
			ip.stop = true
		default:
			r.setLimit(off + tl)
		}
		if !r.has(off, ip.len) {
			ip.stop = true
		}
		return ip
	case EtherTypeIPv6:
		b := r.read(off, ptIPv6HdrLen)
		if b == nil || b[0]>>4 != 6 {
			return ip
		}
		if pl := int(ptBE16(b[4:])); pl != 0 { // 0: jumbogram or none
			r.setLimit(off + ptIPv6HdrLen + pl)
		}
		ip.kind = ptIPv6
		ip.len = ptIPv6HdrLen
		nh := b[6]
		for i := 0; ; i++ {
			var n int
			switch nh {
			case IPProtoHopOpts, IPProtoRouting, IPProtoDstOpts, IPProtoAH, IPProtoFragment:
			default:
				ip.proto = nh
				return ip
			}
			ip.kind = ptIPv6Ext
			x := r.read(off+ip.len, 2)
			if i == ptMaxIPv6Ext || x == nil {
				ip.stop = true
				return ip
			}
			next := x[0] // x is gone after the next read
			switch nh {
			case IPProtoAH:
				n = (int(x[1]) + 2) * 4
			case IPProtoFragment:
				n = 8
			default:
				n = (int(x[1]) + 1) * 8
			}
			if !r.has(off+ip.len, n) {
				ip.stop = true
				return ip
			}
			if nh == IPProtoFragment {
				f := r.read(off+ip.len+2, 2)
				// offset or M; an atomic fragment (RFC 6946) is whole
				ip.frag = ptBE16(f)&0xfff9 != 0
			}
			ip.len += n
			nh = next
			if ip.frag {
				ip.proto = nh
				return ip
			}
		}
	}
	return ip
}

// mplsStack returns the length of the MPLS label stack at off, up to and
// including the label with the bottom-of-stack bit; 0 when it is cut or
// deeper than ptMaxMPLS.
func (r *ptReader) mplsStack(off int) int {
	for i := 1; i <= ptMaxMPLS; i++ {
		b := r.read(off+(i-1)*ptMPLSHdrLen, ptMPLSHdrLen)
		if b == nil {
			return 0
		}
		if b[2]&1 != 0 {
			return i * ptMPLSHdrLen
		}
	}
	return 0
}

// ipVersion returns EtherTypeIPv4 or EtherTypeIPv6 by the version nibble
// of the byte at off, 0 for anything else.
func (r *ptReader) ipVersion(off int) uint16 {
	b := r.read(off, 1)
	if b == nil {
		return 0
	}
	switch b[0] >> 4 {
	case 4:
		return EtherTypeIPv4
	case 6:
		return EtherTypeIPv6
	}
	return 0
}

// gre parses a GRE header at off and returns the tunnel type (0 if it is
// not a GRE header parseIP understands or is cut), what it carries
// (EtherTypeTEB for Ethernet, EtherTypeIPv4/IPv6, or 0 if unknown) and
// the header length, including ERSPAN headers and MPLS labels.
func (r *ptReader) gre(off int) (t uint32, et uint16, n int) {
	b := r.read(off, ptGREHdrLen)
	if b == nil {
		return 0, 0, 0
	}
	flags, proto := ptBE16(b), ptBE16(b[2:])
	n = ptGREHdrLen
	for _, bit := range [...]uint16{0x8000, 0x2000, 0x1000} { // checksum, key, sequence
		if flags&bit != 0 {
			n += 4
		}
	}
	switch flags & 7 {
	case 0:
		if flags&0x4000 != 0 { // RFC 1701 routing
			return 0, 0, 0
		}
	case 1: // enhanced GRE (PPTP): key always, acknowledgment optional
		if flags&0x2000 == 0 || flags&0x8000 != 0 {
			return 0, 0, 0
		}
		if flags&0x0080 != 0 {
			n += 4
		}
		if !r.has(off, n) {
			return 0, 0, 0
		}
		return PtypeTunnelGRE, 0, n
	default:
		return 0, 0, 0
	}
	if !r.has(off, n) {
		return 0, 0, 0
	}
	switch proto {
	case EtherTypeTEB:
		return PtypeTunnelNVGRE, EtherTypeTEB, n
	case EtherTypeIPv4, EtherTypeIPv6:
		return PtypeTunnelGRE, proto, n
	case EtherTypeMPLS, EtherTypeMPLSMC:
		l := r.mplsStack(off + n)
		if l == 0 {
			return 0, 0, 0
		}
		return PtypeTunnelMPLSInGRE, r.ipVersion(off + n + l), n + l
	case EtherTypeERSPAN2:
		if flags&0x1000 != 0 { // type II; type I has no sequence and no header
			n += 8
		}
		if !r.has(off, n) {
			return 0, 0, 0
		}
		return PtypeTunnelGRE, EtherTypeTEB, n
	case EtherTypeERSPAN3:
		h := r.read(off+n, 12)
		if h == nil {
			return 0, 0, 0
		}
		n += 12
		if h[11]&1 != 0 { // platform-specific subheader
			n += 8
		}
		if !r.has(off, n) {
			return 0, 0, 0
		}
		return PtypeTunnelGRE, EtherTypeTEB, n
	}
	return PtypeTunnelGRE, 0, n
}

// udpTunnel recognises a UDP tunnel header at off by the UDP destination
// port and returns what gre returns.
func (r *ptReader) udpTunnel(dport uint16, off int, o *PtypeOptions) (t uint32, et uint16, n int) {
	port := func(p, def uint16) uint16 {
		if p == 0 {
			return def
		}
		return p
	}
	switch dport {
	case port(o.VXLANPort, PortVXLAN):
		if !r.has(off, ptVXLANHdrLen) {
			return 0, 0, 0
		}
		return PtypeTunnelVXLAN, EtherTypeTEB, ptVXLANHdrLen
	case port(o.VXLANGPEPort, PortVXLANGPE):
		b := r.read(off, ptVXLANHdrLen)
		if b == nil {
			return 0, 0, 0
		}
		n = ptVXLANHdrLen
		np := GPEProtoEthernet
		if b[0]&0x04 != 0 { // P: next protocol present
			np = b[3]
		}
		if np == GPEProtoNSH {
			h := r.read(off+n, 4)
			if h == nil || h[0]>>6 != 0 {
				return 0, 0, 0
			}
			l := int(ptBE16(h)&0x3f) * 4
			if l < ptNSHBaseLen || !r.has(off+n, l) {
				return 0, 0, 0
			}
			n += l
			np = h[3] // NSH next protocols share GPE's values
		}
		switch np {
		case GPEProtoIPv4:
			return PtypeTunnelVXLANGPE, EtherTypeIPv4, n
		case GPEProtoIPv6:
			return PtypeTunnelVXLANGPE, EtherTypeIPv6, n
		case GPEProtoEthernet:
			return PtypeTunnelVXLANGPE, EtherTypeTEB, n
		}
		return PtypeTunnelVXLANGPE, 0, n
	case port(o.GenevePort, PortGeneve):
		b := r.read(off, ptGeneveHdrLen)
		if b == nil || b[0]>>6 != 0 {
			return 0, 0, 0
		}
		n = ptGeneveHdrLen + int(b[0]&0x3f)*4
		if !r.has(off, n) {
			return 0, 0, 0
		}
		switch et = ptBE16(b[2:]); et {
		case EtherTypeTEB, EtherTypeIPv4, EtherTypeIPv6:
		default:
			et = 0
		}
		return PtypeTunnelGeneve, et, n
	case port(o.GTPUPort, PortGTPU):
		return r.gtpu(off)
	case port(o.MPLSUDPPort, PortMPLSUDP):
		l := r.mplsStack(off)
		if l == 0 {
			return 0, 0, 0
		}
		return PtypeTunnelMPLSInUDP, r.ipVersion(off + l), l
	}
	return 0, 0, 0
}

// gtpu parses a GTPv1-U header and its extension headers at off.
func (r *ptReader) gtpu(off int) (t uint32, et uint16, n int) {
	b := r.read(off, ptGTPHdrLen)
	if b == nil || b[0]>>5 != 1 || b[0]&0x10 == 0 { // version 1, protocol type GTP
		return 0, 0, 0
	}
	flags, msg := b[0], b[1]
	r.setLimit(off + ptGTPHdrLen + int(ptBE16(b[2:])))
	n = ptGTPHdrLen
	if flags&0x07 != 0 { // E, S or PN: the optional fields are there
		o := r.read(off+n, ptGTPOptLen)
		if o == nil {
			return 0, 0, 0
		}
		n += ptGTPOptLen
		next := o[3]
		if flags&0x04 == 0 {
			next = 0
		}
		for i := 0; next != 0; i++ {
			x := r.read(off+n, 1)
			if i == ptMaxGTPExt || x == nil || x[0] == 0 {
				return 0, 0, 0
			}
			l := int(x[0]) * 4
			x = r.read(off+n+l-1, 1)
			if x == nil {
				return 0, 0, 0
			}
			next = x[0]
			n += l
		}
	}
	if msg != 0xff { // not a G-PDU: echo, error indication, end marker ...
		return PtypeTunnelGTPU, 0, n
	}
	return PtypeTunnelGTPU, r.ipVersion(off + n), n
}

// ParsePtype is dpk's extended packet-type parser. It returns the packet
// type of m and fills hl (if not nil) like GetPtype, with the same layer
// values, but it recognises more and follows the headers' own lengths:
//
//   - L2: any number of VLAN tags up to 8 with TPID 0x8100, 0x88A8, 0x9100,
//     0x9200 or 0x9300 (one tag: L2_ETHER_VLAN, more: L2_ETHER_QINQ); MPLS
//     label stacks up to 8 deep, followed by IPv4 or IPv6 judged by the
//     version nibble (L2_ETHER_MPLS); PPPoE sessions carrying IPv4 or IPv6
//     and PPPoE discovery (L2_ETHER_PPPOE); ARP, LLDP, IEEE 1588, NSH and
//     FCoE by their EtherType. These types win over the VLAN ones, and
//     L2Len covers tags, labels and the PPPoE and PPP headers.
//   - L3: IPv4 only with version 4 and IHL >= 5, IPv6 only with version 6;
//     up to 8 IPv6 extension headers including AH; an IPv6 atomic fragment
//     (offset 0, M clear) is parsed as a whole packet.
//   - L4: ICMP and ICMPv6 (L4_ICMP), IGMP (L4_IGMP), other protocols of a
//     non-fragmented packet (L4_NONFRAG); "no next header" gives no L4.
//   - Tunnels: IP in IP, GRE version 0 and 1 (PPTP), NVGRE, ERSPAN type I,
//     II and III (TUNNEL_GRE, inner Ethernet) and MPLS in GRE; and, on the
//     UDP destination ports of opts, VXLAN, VXLAN-GPE (with NSH), Geneve,
//     GTP-U (inner IPv4 or IPv6 after the extension headers; other message
//     types give TUNNEL_GTPU alone) and MPLS in UDP. TunnelLen covers the
//     tunnel header with its options, ERSPAN, NSH and GTP extension
//     headers and MPLS labels.
//   - Inner layers: Ethernet with up to 8 VLAN tags, IPv4, IPv6, TCP, UDP,
//     SCTP, ICMP and fragments as above; other inner protocols give
//     INNER_L4_NONFRAG, and nested tunnels are not followed.
//
// It reports a layer only when its fixed header is in the packet and sane
// (IPv4 version 4 and IHL >= 5, IPv6 version 6, TCP data offset >= 5, a
// tunnel header with all its options): where GetPtype, like DPDK, reports
// UDP, SCTP or a tunnel without reading their headers, or drops the outer
// layers when an inner TCP header is cut, this reports the layers before
// the cut one. As in DPDK, IPv4 options or IPv6 extension headers that run
// past the end still give the L3 type (L3Len is then the IHL, or covers the
// extension headers that are whole), and nothing after them is parsed.
//
// Headers are read only within the lengths that the IPv4 total length,
// IPv6 payload length, UDP length, PPPoE and GTP-U length fields give, so
// Ethernet padding is never parsed as a header, and a packet whose IPv4
// total length is shorter than its header is not parsed past L3; a total
// length of 0 is taken, as tshark does, for a TSO or LRO packet whose
// length is the link's. It does not reproduce DPDK's byte-swapped protocol
// matches (see GetPtype). Like GetPtype it works on chains, never reads
// past pkt_len and does not allocate.
func ParsePtype(m *mbuf.Mbuf, hl *HdrLens, opts *PtypeOptions) uint32 {
	var local HdrLens
	if hl == nil {
		hl = &local
	}
	*hl = HdrLens{}
	if opts == nil {
		opts = &ptDefaultOptions
	}
	layers := opts.Layers
	if layers == 0 {
		layers = PtypeAllMask
	}
	var r ptReader
	r.init(m)

	b := r.read(0, ptEtherHdrLen)
	if b == nil {
		return 0
	}
	hl.L2Len = ptEtherHdrLen
	if layers&PtypeL2Mask == 0 {
		return 0
	}
	ptype := PtypeL2Ether
	et := ptBE16(b[12:])
	off := ptEtherHdrLen
	for tags := 1; ptIsVLANTPID(et); tags++ {
		if tags > ptMaxVLANTags {
			return ptype
		}
		if b = r.read(off, ptVLANHdrLen); b == nil {
			return ptype
		}
		off += ptVLANHdrLen
		hl.L2Len = uint8(off)
		et = ptBE16(b[2:])
		ptype = PtypeL2EtherVLAN
		if tags > 1 {
			ptype = PtypeL2EtherQinQ
		}
	}
	switch et {
	case EtherTypeIPv4, EtherTypeIPv6:
	case EtherTypeMPLS, EtherTypeMPLSMC:
		l := r.mplsStack(off)
		if l == 0 {
			return ptype
		}
		ptype = PtypeL2EtherMPLS
		off += l
		hl.L2Len = uint8(off)
		if et = r.ipVersion(off); et == 0 {
			return ptype
		}
	case EtherTypePPPoE:
		if b = r.read(off, ptPPPoEHdrLen); b == nil {
			return ptype
		}
		ptype = PtypeL2EtherPPPoE
		if pl := int(ptBE16(b[4:])); pl >= 2 {
			r.setLimit(off + 6 + pl)
		}
		off += ptPPPoEHdrLen
		hl.L2Len = uint8(off)
		switch ptBE16(b[6:]) {
		case PPPProtoIPv4:
			et = EtherTypeIPv4
		case PPPProtoIPv6:
			et = EtherTypeIPv6
		default:
			return ptype
		}
	case EtherTypePPPoED:
		return PtypeL2EtherPPPoE
	case EtherTypeARP:
		return PtypeL2EtherARP
	case EtherTypeLLDP:
		return PtypeL2EtherLLDP
	case EtherType1588:
		return PtypeL2EtherTimesync
	case EtherTypeNSH:
		return PtypeL2EtherNSH
	case EtherTypeFCoE:
		return PtypeL2EtherFCoE
	default:
		return ptype
	}

	if layers&PtypeL3Mask == 0 {
		return ptype
	}
	ip := r.parseIP(et, off)
	if ip.kind == ptIPNone {
		return ptype
	}
	ptype |= ptOuterL3[ip.kind]
	hl.L3Len = uint16(ip.len)
	off += ip.len
	if layers&PtypeL4Mask == 0 {
		return ptype
	}
	if ip.frag {
		return ptype | PtypeL4Frag
	}
	if ip.stop {
		return ptype
	}

	var t uint32
	var n int
	switch ip.proto {
	case IPProtoTCP:
		if b = r.read(off, ptTCPHdrLen); b == nil || b[12]>>4 < 5 {
			return ptype
		}
		hl.L4Len = (b[12] >> 4) * 4
		return ptype | PtypeL4TCP
	case IPProtoUDP:
		if b = r.read(off, ptUDPHdrLen); b == nil {
			return ptype
		}
		hl.L4Len = ptUDPHdrLen
		ptype |= PtypeL4UDP
		if layers&PtypeTunnelMask == 0 || opts.NoUDPTunnels {
			return ptype
		}
		if ul := int(ptBE16(b[4:])); ul >= ptUDPHdrLen {
			r.setLimit(off + ul)
		}
		off += ptUDPHdrLen
		t, et, n = r.udpTunnel(ptBE16(b[2:]), off, opts)
	case IPProtoSCTP:
		if !r.has(off, ptSCTPHdrLen) {
			return ptype
		}
		hl.L4Len = ptSCTPHdrLen
		return ptype | PtypeL4SCTP
	case IPProtoICMP, IPProtoICMPv6:
		return ptype | PtypeL4ICMP
	case IPProtoIGMP:
		return ptype | PtypeL4IGMP
	case IPProtoNoNext:
		return ptype
	case IPProtoIPIP:
		t, et = PtypeTunnelIP, EtherTypeIPv4
	case IPProtoIPv6:
		t, et = PtypeTunnelIP, EtherTypeIPv6
	case IPProtoGRE:
		if layers&PtypeTunnelMask == 0 {
			return ptype
		}
		t, et, n = r.gre(off)
	default:
		return ptype | PtypeL4NonFrag
	}
	if t == 0 || layers&PtypeTunnelMask == 0 {
		return ptype
	}
	ptype |= t
	hl.TunnelLen = uint16(n)
	off += n

	if layers&PtypeInnerL2Mask == 0 {
		return ptype
	}
	if et == EtherTypeTEB {
		if b = r.read(off, ptEtherHdrLen); b == nil {
			return ptype
		}
		ptype |= PtypeInnerL2Ether
		et = ptBE16(b[12:])
		off += ptEtherHdrLen
		hl.InnerL2Len = ptEtherHdrLen
		for tags := 1; ptIsVLANTPID(et); tags++ {
			if tags > ptMaxVLANTags {
				return ptype
			}
			if b = r.read(off, ptVLANHdrLen); b == nil {
				return ptype
			}
			off += ptVLANHdrLen
			hl.InnerL2Len += ptVLANHdrLen
			et = ptBE16(b[2:])
			ptype &^= PtypeInnerL2Mask
			if tags == 1 {
				ptype |= PtypeInnerL2EtherVLAN
			} else {
				ptype |= PtypeInnerL2EtherQinQ
			}
		}
	}

	if layers&PtypeInnerL3Mask == 0 {
		return ptype
	}
	ip = r.parseIP(et, off)
	if ip.kind == ptIPNone {
		return ptype
	}
	ptype |= ptInnerL3[ip.kind]
	hl.InnerL3Len = uint16(ip.len)
	off += ip.len
	if layers&PtypeInnerL4Mask == 0 {
		return ptype
	}
	if ip.frag {
		return ptype | PtypeInnerL4Frag
	}
	if ip.stop {
		return ptype
	}
	switch ip.proto {
	case IPProtoTCP:
		if b = r.read(off, ptTCPHdrLen); b == nil || b[12]>>4 < 5 {
			return ptype
		}
		hl.InnerL4Len = (b[12] >> 4) * 4
		return ptype | PtypeInnerL4TCP
	case IPProtoUDP:
		if !r.has(off, ptUDPHdrLen) {
			return ptype
		}
		hl.InnerL4Len = ptUDPHdrLen
		return ptype | PtypeInnerL4UDP
	case IPProtoSCTP:
		if !r.has(off, ptSCTPHdrLen) {
			return ptype
		}
		hl.InnerL4Len = ptSCTPHdrLen
		return ptype | PtypeInnerL4SCTP
	case IPProtoICMP, IPProtoICMPv6:
		return ptype | PtypeInnerL4ICMP
	case IPProtoNoNext:
		return ptype
	}
	return ptype | PtypeInnerL4NonFrag
}
