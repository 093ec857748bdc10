package pkt

import (
	"dpk/pkt/checksum"
	"encoding/binary"
	"net/netip"
)

// UDP header (RFC 768, rte_udp_hdr):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|          Source Port          |       Destination Port        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|            Length             |           Checksum            |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
const (
	udpSrcPort = 0
	udpDstPort = 2
	udpLength  = 4
	udpCksum   = 6

	// UDPLen is the length of the UDP header.
	UDPLen = 8
)

// UDP is a view of a UDP datagram: header and data.
type UDP []byte

var (
	errUDPTrunc  = hdrErr("UDP", ErrTruncated)
	errUDPNoRoom = hdrErr("UDP", ErrNoRoom)
)

// ParseUDP returns b as a UDP view; ErrTruncated if b is shorter than 8
// bytes. The length field is not checked; Payload clamps it.
func ParseUDP(b []byte) (UDP, error) {
	if len(b) < UDPLen {
		return nil, errUDPTrunc
	}
	return UDP(b), nil
}

// SrcPort returns the source port.
func (u UDP) SrcPort() uint16 { return binary.BigEndian.Uint16(u[udpSrcPort:]) }

// DstPort returns the destination port.
func (u UDP) DstPort() uint16 { return binary.BigEndian.Uint16(u[udpDstPort:]) }

// Length returns the length field: header plus data.
func (u UDP) Length() uint16 { return binary.BigEndian.Uint16(u[udpLength:]) }

// Checksum returns the checksum field (0: none, IPv4 only).
func (u UDP) Checksum() uint16 { return binary.BigEndian.Uint16(u[udpCksum:]) }

// HeaderLen returns UDPLen.
func (u UDP) HeaderLen() int { return UDPLen }

// Payload returns the data after the header up to the length field, or to
// the end of the view if it is shorter; empty if the length is below 8.
func (u UDP) Payload() []byte {
	end := int(u.Length())
	if end > len(u) {
		end = len(u)
	}
	if end < UDPLen {
		end = UDPLen
	}
	return u[UDPLen:end]
}

// SetSrcPort sets the source port.
func (u UDP) SetSrcPort(p uint16) { binary.BigEndian.PutUint16(u[udpSrcPort:], p) }

// SetDstPort sets the destination port.
func (u UDP) SetDstPort(p uint16) { binary.BigEndian.PutUint16(u[udpDstPort:], p) }

// SetLength sets the length field.
func (u UDP) SetLength(l uint16) { binary.BigEndian.PutUint16(u[udpLength:], l) }

// SetChecksum sets the checksum field.
func (u UDP) SetChecksum(c uint16) { binary.BigEndian.PutUint16(u[udpCksum:], c) }

// CalculateChecksum computes the checksum over the pseudo-header sum and
// the datagram (the first Length bytes, clamped to the view), treating
// the checksum field as zero. A result of 0 is returned as 0xffff, since
// 0 means "no checksum".
func (u UDP) CalculateChecksum(pseudo uint32) uint16 {
	end := UDPLen + len(u.Payload())
	return checksum.Transport(pseudo, IPProtoUDP, u[:end])
}

// IsChecksumValid reports whether the checksum is right for a
// pseudo-header sum; a zero checksum (none) is reported valid.
func (u UDP) IsChecksumValid(pseudo uint32) bool {
	if u.Checksum() == 0 {
		return true
	}
	end := UDPLen + len(u.Payload())
	return checksum.Checksum(u[:end], pseudo) == 0
}

// UpdateChecksumAddr updates the checksum incrementally for an address of
// the pseudo-header changing from old to new; a zero checksum stays zero.
func (u UDP) UpdateChecksumAddr(old, new netip.Addr) {
	if u.Checksum() == 0 {
		return
	}
	c := updateAddr(u.Checksum(), old, new)
	if c == 0 {
		c = 0xffff
	}
	u.SetChecksum(c)
}

// UDPFields holds the fields UDP.Encode writes.
type UDPFields struct {
	SrcPort, DstPort uint16
	Length           uint16
	Checksum         uint16
}

// Encode writes the header at the start of u; ErrNoRoom if u is shorter
// than 8 bytes.
func (u UDP) Encode(f *UDPFields) error {
	if len(u) < UDPLen {
		return errUDPNoRoom
	}
	u.SetSrcPort(f.SrcPort)
	u.SetDstPort(f.DstPort)
	u.SetLength(f.Length)
	u.SetChecksum(f.Checksum)
	return nil
}
