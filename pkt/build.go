package pkt

import (
	"dpk/pkt/checksum"
	"net/netip"

	"dpk/mbuf"
)

// PacketSpec describes an Ethernet / IPv4 or IPv6 / UDP or TCP packet for
// the builders (EncodeUDP, EncodeTCP, BuildUDP, BuildTCP), as txonly and
// flowgen make them. The IP version follows from Src and Dst, which must
// both be IPv4 or both IPv6.
type PacketSpec struct {
	SrcMAC, DstMAC MAC
	// HasVLAN inserts an 802.1Q tag with VLANTCI after the addresses.
	HasVLAN bool
	VLANTCI uint16

	Src, Dst netip.Addr
	// TOS is the IPv4 type of service or the IPv6 traffic class.
	TOS uint8
	// TTL is the IPv4 time to live or IPv6 hop limit; 0 means 64.
	TTL uint8
	// ID is the IPv4 identification; DF sets the don't-fragment flag.
	ID uint16
	DF bool
	// FlowLabel is the IPv6 flow label.
	FlowLabel uint32

	SrcPort, DstPort uint16

	// TCP only. Window 0 means 65535.
	TCPFlags TCPFlags
	Seq, Ack uint32
	Window   uint16

	// Payload is copied after the L4 header. PayloadLen, if larger than
	// len(Payload), pads it with zeros to that length.
	Payload    []byte
	PayloadLen int

	// ChecksumOffload leaves the checksums to the NIC as DPDK expects: the
	// IPv4 header checksum is 0 and the L4 checksum holds the
	// pseudo-header sum (rte_ipv4_phdr_cksum). BuildUDP and BuildTCP then
	// also set the mbuf's TX offload flags.
	ChecksumOffload bool
}

var (
	errBuildFamily = hdrErrf("build", "Src and Dst not both IPv4 or both IPv6", ErrMalformed)
	errBuildRoom   = hdrErr("build", ErrNoRoom)
	errBuildTooBig = hdrErrf("build", "packet longer than 65535 bytes", ErrNoRoom)
	errBuildMbuf   = hdrErrf("build", "mbuf not empty", ErrNoRoom)
)

// lens returns the L2, L3, L4 header lengths and the payload length.
func (s *PacketSpec) lens(proto uint8) (l2, l3, l4, pl int, err error) {
	l2 = EthernetLen
	if s.HasVLAN {
		l2 += VLANLen
	}
	switch {
	case s.Src.Is4() && s.Dst.Is4():
		l3 = IPv4MinLen
	case s.Src.Is6() && s.Dst.Is6() && !s.Src.Is4In6() && !s.Dst.Is4In6():
		l3 = IPv6Len
	default:
		return 0, 0, 0, 0, errBuildFamily
	}
	l4 = UDPLen
	if proto == IPProtoTCP {
		l4 = TCPMinLen
	}
	pl = max(len(s.Payload), s.PayloadLen)
	if l3+l4+pl > 0xffff {
		return 0, 0, 0, 0, errBuildTooBig
	}
	return l2, l3, l4, pl, nil
}

// FrameLen returns the length of the frame the builders make from s for
// proto (IPProtoUDP or IPProtoTCP), or an error if s is not valid.
func (s *PacketSpec) FrameLen(proto uint8) (int, error) {
	l2, l3, l4, pl, err := s.lens(proto)
	return l2 + l3 + l4 + pl, err
}

// EncodeUDP writes the frame described by s into b and returns its length,
// with correct lengths and checksums (or, with ChecksumOffload, the
// offload form). It fails with ErrNoRoom if b is too short and
// ErrMalformed if the addresses are of mixed families. It does not
// allocate.
func EncodeUDP(b []byte, s *PacketSpec) (int, error) { return encode(b, s, IPProtoUDP) }

// EncodeTCP is EncodeUDP for a TCP segment with s's TCP fields and no
// options.
func EncodeTCP(b []byte, s *PacketSpec) (int, error) { return encode(b, s, IPProtoTCP) }

func encode(b []byte, s *PacketSpec, proto uint8) (int, error) {
	l2, l3, l4, pl, err := s.lens(proto)
	if err != nil {
		return 0, err
	}
	n := l2 + l3 + l4 + pl
	if len(b) < n {
		return 0, errBuildRoom
	}
	b = b[:n]
	eth := Ethernet(b)
	eth.SetDst(s.DstMAC)
	eth.SetSrc(s.SrcMAC)
	etype := EtherTypeIPv4
	if l3 == IPv6Len {
		etype = EtherTypeIPv6
	}
	if s.HasVLAN {
		eth.SetEtherType(EtherTypeVLAN)
		v := VLAN(b[EthernetLen:])
		v.SetTCI(s.VLANTCI)
		v.SetEtherType(etype)
	} else {
		eth.SetEtherType(etype)
	}

	ttl := s.TTL
	if ttl == 0 {
		ttl = 64
	}
	l4b := b[l2+l3:]
	copy(l4b[l4:], s.Payload)
	clear(l4b[l4+len(s.Payload):])
	l4Len := l4 + pl
	var pseudo uint32
	if l3 == IPv4MinLen {
		ip := IPv4(b[l2:])
		f := IPv4Fields{TOS: s.TOS, TotalLength: uint16(l3 + l4Len), ID: s.ID, TTL: ttl, Protocol: proto, Src: s.Src, Dst: s.Dst}
		if s.DF {
			f.Flags = IPv4FlagDF
		}
		ip.Encode(&f)
		if s.ChecksumOffload {
			ip.SetChecksum(0)
		}
		pseudo = ip.PseudoHeaderSum(uint16(l4Len))
	} else {
		ip := IPv6(b[l2:])
		ip.Encode(&IPv6Fields{TrafficClass: s.TOS, FlowLabel: s.FlowLabel, PayloadLength: uint16(l4Len), NextHeader: proto, HopLimit: ttl, Src: s.Src, Dst: s.Dst})
		pseudo = ip.PseudoHeaderSum(proto, uint32(l4Len))
	}

	if proto == IPProtoUDP {
		u := UDP(l4b)
		u.Encode(&UDPFields{SrcPort: s.SrcPort, DstPort: s.DstPort, Length: uint16(l4Len)})
		if s.ChecksumOffload {
			u.SetChecksum(checksum.Fold(pseudo))
		} else {
			u.SetChecksum(u.CalculateChecksum(pseudo))
		}
	} else {
		t := TCP(l4b)
		win := s.Window
		if win == 0 {
			win = 0xffff
		}
		t.Encode(&TCPFields{SrcPort: s.SrcPort, DstPort: s.DstPort, Seq: s.Seq, Ack: s.Ack, Flags: s.TCPFlags, Window: win})
		if s.ChecksumOffload {
			t.SetChecksum(checksum.Fold(pseudo))
		} else {
			t.SetChecksum(t.CalculateChecksum(pseudo))
		}
	}
	return n, nil
}

// BuildUDP appends the frame described by s to m, which must be empty
// (ErrNoRoom otherwise, or if the tailroom is too small), and sets m's TX
// offload lengths (l2, l3, l4); with ChecksumOffload it also sets the
// RTE_MBUF_F_TX_IPV4/IPV6, IP_CKSUM and UDP_CKSUM flags. It does not
// allocate.
func BuildUDP(m *mbuf.Mbuf, s *PacketSpec) error { return build(m, s, IPProtoUDP) }

// BuildTCP is BuildUDP for a TCP segment (see EncodeTCP).
func BuildTCP(m *mbuf.Mbuf, s *PacketSpec) error { return build(m, s, IPProtoTCP) }

func build(m *mbuf.Mbuf, s *PacketSpec, proto uint8) error {
	if m.PktLen() != 0 {
		return errBuildMbuf
	}
	l2, l3, l4, pl, err := s.lens(proto)
	if err != nil {
		return err
	}
	n := l2 + l3 + l4 + pl
	if n > int(m.Tailroom()) {
		return errBuildRoom
	}
	b, err := m.Append(uint16(n))
	if err != nil {
		return errBuildRoom
	}
	if _, err := encode(b, s, proto); err != nil {
		m.Trim(uint16(n))
		return err
	}
	m.SetTxOffload(uint32(l2), uint32(l3), uint32(l4), 0, 0, 0)
	if s.ChecksumOffload {
		fl := mbuf.FlagTxUDPCksum
		if proto == IPProtoTCP {
			fl = mbuf.FlagTxTCPCksum
		}
		if l3 == IPv4MinLen {
			fl |= mbuf.FlagTxIPv4 | mbuf.FlagTxIPCksum
		} else {
			fl |= mbuf.FlagTxIPv6
		}
		m.OlFlags |= fl
	}
	return nil
}
