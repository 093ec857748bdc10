package pkt

import (
	"dpk/pkt/checksum"
	"encoding/binary"
	"net/netip"
)

// IPv6 fixed header (RFC 8200, rte_ipv6_hdr):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|Version| Traffic Class |           Flow Label                  |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|         Payload Length        |  Next Header  |   Hop Limit   |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                                                               |
//	+                         Source Address                        +
//	|                          (16 bytes)                           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                                                               |
//	+                      Destination Address                      +
//	|                          (16 bytes)                           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
const (
	ipv6VTCFlow    = 0
	ipv6PayloadLen = 4
	ipv6NextHdr    = 6
	ipv6HopLimit   = 7
	ipv6Src        = 8
	ipv6Dst        = 24

	// IPv6Len is the length of the fixed IPv6 header.
	IPv6Len = 40
	// IPv6Version is the version field of an IPv6 header.
	IPv6Version = 6
	// IPv6FlowLabelMask masks the flow label out of the first word.
	IPv6FlowLabelMask = 0x000fffff
)

// IPv6 is a view of an IPv6 packet: the fixed header, then extension
// headers and the upper-layer payload.
type IPv6 []byte

var (
	errIPv6Trunc    = hdrErr("IPv6", ErrTruncated)
	errIPv6Version  = hdrErrf("IPv6", "version not 6", ErrMalformed)
	errIPv6PayTrunc = hdrErrf("IPv6", "payload length beyond buffer", ErrTruncated)
	errIPv6NoRoom   = hdrErr("IPv6", ErrNoRoom)
)

// ParseIPv6 returns b as an IPv6 view: ErrTruncated if b is shorter than
// 40 bytes, ErrMalformed if the version is not 6. It does not look at the
// payload length; CheckLength does.
func ParseIPv6(b []byte) (IPv6, error) {
	if len(b) < IPv6Len {
		return nil, errIPv6Trunc
	}
	if b[ipv6VTCFlow]>>4 != IPv6Version {
		return nil, errIPv6Version
	}
	return IPv6(b), nil
}

// CheckLength reports ErrTruncated if the view is shorter than the header
// plus the payload length. A zero payload length (a jumbogram's) passes.
func (ip IPv6) CheckLength() error {
	if IPv6Len+int(ip.PayloadLength()) > len(ip) {
		return errIPv6PayTrunc
	}
	return nil
}

// Version returns the version field (6).
func (ip IPv6) Version() uint8 { return ip[ipv6VTCFlow] >> 4 }

// TrafficClass returns the traffic class (DSCP and ECN).
func (ip IPv6) TrafficClass() uint8 {
	return uint8(binary.BigEndian.Uint16(ip[ipv6VTCFlow:]) >> 4)
}

// DSCP returns the differentiated services code point.
func (ip IPv6) DSCP() uint8 { return ip.TrafficClass() >> 2 }

// ECN returns the explicit congestion notification bits.
func (ip IPv6) ECN() uint8 { return ip.TrafficClass() & 3 }

// FlowLabel returns the 20-bit flow label.
func (ip IPv6) FlowLabel() uint32 {
	return binary.BigEndian.Uint32(ip[ipv6VTCFlow:]) & IPv6FlowLabelMask
}

// PayloadLength returns the payload length: extension headers and
// upper-layer data after the fixed header.
func (ip IPv6) PayloadLength() uint16 { return binary.BigEndian.Uint16(ip[ipv6PayloadLen:]) }

// NextHeader returns the type of the header after the fixed one.
func (ip IPv6) NextHeader() uint8 { return ip[ipv6NextHdr] }

// HopLimit returns the hop limit.
func (ip IPv6) HopLimit() uint8 { return ip[ipv6HopLimit] }

// Src returns the source address.
func (ip IPv6) Src() netip.Addr { return netip.AddrFrom16([16]byte(ip[ipv6Src : ipv6Src+16])) }

// Dst returns the destination address.
func (ip IPv6) Dst() netip.Addr { return netip.AddrFrom16([16]byte(ip[ipv6Dst : ipv6Dst+16])) }

// Src16 returns the source address as 16 bytes.
func (ip IPv6) Src16() [16]byte { return [16]byte(ip[ipv6Src : ipv6Src+16]) }

// Dst16 returns the destination address as 16 bytes.
func (ip IPv6) Dst16() [16]byte { return [16]byte(ip[ipv6Dst : ipv6Dst+16]) }

// HeaderLen returns IPv6Len, the fixed header's length; ExtHeaders walks
// what follows.
func (ip IPv6) HeaderLen() int { return IPv6Len }

// Payload returns the bytes after the fixed header up to the payload
// length, or to the end of the view if it is shorter. A zero payload
// length (jumbogram) gives everything after the header.
func (ip IPv6) Payload() []byte {
	pl := int(ip.PayloadLength())
	if pl == 0 || IPv6Len+pl > len(ip) {
		return ip[IPv6Len:]
	}
	return ip[IPv6Len : IPv6Len+pl]
}

// ExtHeaders returns an iterator over the extension headers in the
// payload.
func (ip IPv6) ExtHeaders() IPv6ExtIter { return NewIPv6ExtIter(ip.NextHeader(), ip.Payload()) }

// UpperLayer skips the extension headers and returns the upper-layer
// protocol and its offset from the start of the IPv6 header, and the
// fragment header if there is one; see SkipIPv6Ext.
func (ip IPv6) UpperLayer() (proto uint8, off int, frag IPv6Fragment, err error) {
	proto, off, frag, err = SkipIPv6Ext(ip.NextHeader(), ip.Payload())
	return proto, off + IPv6Len, frag, err
}

// PseudoHeaderSum returns the unfolded sum of the upper-layer
// pseudo-header for this packet's addresses, a protocol and an upper-layer
// length. (With a routing header the final destination should be used
// instead of Dst; see the package-level PseudoHeaderSum.)
func (ip IPv6) PseudoHeaderSum(proto uint8, l4Len uint32) uint32 {
	return checksum.PseudoHeaderIPv6(ip.Src16(), ip.Dst16(), proto, l4Len)
}

// SetTrafficClass sets the traffic class.
func (ip IPv6) SetTrafficClass(tc uint8) {
	v := binary.BigEndian.Uint16(ip[ipv6VTCFlow:])
	binary.BigEndian.PutUint16(ip[ipv6VTCFlow:], v&0xf00f|uint16(tc)<<4)
}

// SetFlowLabel sets the flow label (its low 20 bits).
func (ip IPv6) SetFlowLabel(fl uint32) {
	v := binary.BigEndian.Uint32(ip[ipv6VTCFlow:])
	binary.BigEndian.PutUint32(ip[ipv6VTCFlow:], v&^IPv6FlowLabelMask|fl&IPv6FlowLabelMask)
}

// SetPayloadLength sets the payload length.
func (ip IPv6) SetPayloadLength(l uint16) { binary.BigEndian.PutUint16(ip[ipv6PayloadLen:], l) }

// SetNextHeader sets the next header.
func (ip IPv6) SetNextHeader(nh uint8) { ip[ipv6NextHdr] = nh }

// SetHopLimit sets the hop limit.
func (ip IPv6) SetHopLimit(hl uint8) { ip[ipv6HopLimit] = hl }

// DecHopLimit decrements the hop limit and returns the new value; zero is
// left alone.
func (ip IPv6) DecHopLimit() uint8 {
	if ip[ipv6HopLimit] != 0 {
		ip[ipv6HopLimit]--
	}
	return ip[ipv6HopLimit]
}

// SetSrc sets the source address (IPv4 addresses are written mapped).
func (ip IPv6) SetSrc(a netip.Addr) { put16(ip[ipv6Src:ipv6Src+16], a) }

// SetDst sets the destination address (IPv4 addresses are written mapped).
func (ip IPv6) SetDst(a netip.Addr) { put16(ip[ipv6Dst:ipv6Dst+16], a) }

// IPv6Fields holds the fields IPv6.Encode writes.
type IPv6Fields struct {
	TrafficClass  uint8
	FlowLabel     uint32
	PayloadLength uint16
	NextHeader    uint8
	HopLimit      uint8
	Src, Dst      netip.Addr
}

// Encode writes the fixed header at the start of ip; ErrNoRoom if ip is
// shorter than 40 bytes.
func (ip IPv6) Encode(f *IPv6Fields) error {
	if len(ip) < IPv6Len {
		return errIPv6NoRoom
	}
	binary.BigEndian.PutUint32(ip[ipv6VTCFlow:], IPv6Version<<28|uint32(f.TrafficClass)<<20|f.FlowLabel&IPv6FlowLabelMask)
	ip.SetPayloadLength(f.PayloadLength)
	ip[ipv6NextHdr] = f.NextHeader
	ip[ipv6HopLimit] = f.HopLimit
	ip.SetSrc(f.Src)
	ip.SetDst(f.Dst)
	return nil
}

// PseudoHeaderSum returns the unfolded sum of the TCP/UDP/ICMPv6
// pseudo-header for two addresses of the same family (IPv4 form when both
// are IPv4, IPv6 form otherwise), a protocol and an upper-layer length.
func PseudoHeaderSum(src, dst netip.Addr, proto uint8, l4Len uint32) uint32 {
	return pseudoSum(src, dst, proto, l4Len)
}

func pseudoSum(src, dst netip.Addr, proto uint8, l4Len uint32) uint32 {
	if src.Is4() && dst.Is4() {
		return checksum.PseudoHeaderIPv4(src.As4(), dst.As4(), proto, uint16(l4Len))
	}
	return checksum.PseudoHeaderIPv6(src.As16(), dst.As16(), proto, l4Len)
}
