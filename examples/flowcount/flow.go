package main

import (
	"encoding/binary"
	"fmt"
	"net/netip"

	"dpk/pkt"
)

// Key lengths of the two flow tables.
const (
	keyLen4 = 13 // IPv4: src 4, dst 4, sport 2, dport 2, proto 1
	keyLen6 = 37 // IPv6: src 16, dst 16, sport 2, dport 2, proto 1
)

// key4 is an IPv4 5-tuple laid out as a hash key: source address,
// destination address, source port, destination port (all in network
// byte order, as on the wire) and the protocol number.
type key4 [keyLen4]byte

// key6 is key4 for IPv6: 16-byte addresses, then ports and protocol.
type key6 [keyLen6]byte

// class says what extract found in a frame.
type class uint8

const (
	// classOther: not IPv4 or IPv6 (ARP, LLDP, a runt shorter than an
	// Ethernet header, a frame whose VLAN tags are cut short). Counted
	// under "other" and forwarded.
	classOther class = iota
	// classIPv4: the IPv4 key was written.
	classIPv4
	// classIPv6: the IPv6 key was written.
	classIPv6
	// classMalformed: an IP EtherType whose header is broken (see
	// extract). Counted under "malformed" and forwarded all the same.
	classMalformed
)

func (c class) String() string {
	switch c {
	case classOther:
		return "other"
	case classIPv4:
		return "ipv4"
	case classIPv6:
		return "ipv6"
	case classMalformed:
		return "malformed"
	}
	return fmt.Sprintf("class(%d)", uint8(c))
}

// extract reads the 5-tuple of an Ethernet frame into k4 or k6 and says
// which. b holds the frame's first bytes (an mbuf's first segment) and
// frameLen is the whole frame's length, which may be larger when the mbuf
// is chained: length fields are checked against frameLen, headers must
// sit in b. It never allocates and never reads outside b.
//
// Up to pkt.MaxVLANTags VLAN tags are skipped; the VLAN id is not part
// of the key. TCP, UDP and SCTP give their ports; other protocols
// (ICMP, ICMPv6, GRE, ESP, ...) count with ports 0. A fragment other than
// the first carries no L4 header: it counts with ports 0 under its
// protocol, so the fragments of one datagram split into two flows, the
// first fragment's (with ports) and the rest's (without). The key of an
// IPv6 packet holds the upper-layer protocol found after the extension
// headers (for a non-first fragment, the fragment header's next header).
//
// A frame is malformed when its EtherType says IPv4 or IPv6 and the
// header cannot be read: wrong version, IHL below 5, header or total
// length beyond the frame, total length below the header length, a
// broken IPv6 extension header chain, or a TCP, UDP or SCTP header cut
// short in a packet that should carry it. The IPv4 header checksum is
// not checked (a NIC does that in hardware).
func extract(b []byte, frameLen int, k4 *key4, k6 *key6) class {
	if len(b) < pkt.EthernetLen {
		return classOther
	}
	et, l2, ok := pkt.Ethernet(b).InnerType()
	if !ok {
		return classOther
	}
	switch et {
	case pkt.EtherTypeIPv4:
		return extract4(b[l2:], frameLen-l2, k4)
	case pkt.EtherTypeIPv6:
		return extract6(b[l2:], frameLen-l2, k6)
	}
	return classOther
}

func extract4(b []byte, avail int, k *key4) class {
	ip, err := pkt.ParseIPv4(b)
	if err != nil {
		return classMalformed
	}
	hl, tl := ip.HeaderLen(), int(ip.TotalLength())
	if tl < hl || tl > avail {
		return classMalformed
	}
	copy(k[0:8], b[12:20])
	proto := ip.Protocol()
	k[12] = proto
	if ip.FragmentOffset() != 0 {
		clear(k[8:12])
		return classIPv4
	}
	end := min(tl, len(b))
	if !ports(b[hl:end], proto, k[8:12]) {
		return classMalformed
	}
	return classIPv4
}

func extract6(b []byte, avail int, k *key6) class {
	ip, err := pkt.ParseIPv6(b)
	if err != nil {
		return classMalformed
	}
	if pkt.IPv6Len+int(ip.PayloadLength()) > avail {
		return classMalformed
	}
	proto, off, frag, err := pkt.SkipIPv6Ext(ip.NextHeader(), ip.Payload())
	if err != nil {
		return classMalformed
	}
	copy(k[0:32], b[8:40])
	k[36] = proto
	if frag != nil && frag.FragmentOffset() != 0 {
		clear(k[32:36])
		return classIPv6
	}
	if !ports(ip.Payload()[off:], proto, k[32:36]) {
		return classMalformed
	}
	return classIPv6
}

// ports copies the source and destination ports of an L4 header into
// dst (4 bytes), or zeros for a protocol without ports. It reports false
// when a TCP, UDP or SCTP header is shorter than its fixed part.
func ports(l4 []byte, proto uint8, dst []byte) bool {
	var need int
	switch proto {
	case pkt.IPProtoTCP:
		need = pkt.TCPMinLen
	case pkt.IPProtoUDP:
		need = pkt.UDPLen
	case pkt.IPProtoSCTP:
		need = pkt.SCTPLen
	default:
		clear(dst[:4])
		return true
	}
	if len(l4) < need {
		return false
	}
	copy(dst[:4], l4[:4])
	return true
}

// flowKey is a decoded key, for reports and tests.
type flowKey struct {
	Src, Dst         netip.Addr
	SrcPort, DstPort uint16
	Proto            uint8
}

func (k4 *key4) decode() flowKey {
	return flowKey{
		Src:     netip.AddrFrom4([4]byte(k4[0:4])),
		Dst:     netip.AddrFrom4([4]byte(k4[4:8])),
		SrcPort: binary.BigEndian.Uint16(k4[8:]),
		DstPort: binary.BigEndian.Uint16(k4[10:]),
		Proto:   k4[12],
	}
}

func (k6 *key6) decode() flowKey {
	return flowKey{
		Src:     netip.AddrFrom16([16]byte(k6[0:16])),
		Dst:     netip.AddrFrom16([16]byte(k6[16:32])),
		SrcPort: binary.BigEndian.Uint16(k6[32:]),
		DstPort: binary.BigEndian.Uint16(k6[34:]),
		Proto:   k6[36],
	}
}

// decodeKey decodes a key of either length.
func decodeKey(b []byte) flowKey {
	switch len(b) {
	case keyLen4:
		return (*key4)(b).decode()
	case keyLen6:
		return (*key6)(b).decode()
	}
	return flowKey{}
}

// protoName returns the usual name of an IP protocol number.
func protoName(p uint8) string {
	switch p {
	case pkt.IPProtoTCP:
		return "TCP"
	case pkt.IPProtoUDP:
		return "UDP"
	case pkt.IPProtoSCTP:
		return "SCTP"
	case pkt.IPProtoICMP:
		return "ICMP"
	case pkt.IPProtoICMPv6:
		return "ICMPv6"
	}
	return fmt.Sprintf("proto %d", p)
}

func (k flowKey) String() string {
	return fmt.Sprintf("%s %s -> %s", protoName(k.Proto),
		netip.AddrPortFrom(k.Src, k.SrcPort), netip.AddrPortFrom(k.Dst, k.DstPort))
}
