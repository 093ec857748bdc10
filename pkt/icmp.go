package pkt

import (
	"dpk/pkt/checksum"
	"encoding/binary"
	"net/netip"
)

// ICMP for IPv4 (RFC 792, rte_icmp_hdr):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Type      |     Code      |          Checksum             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Identifier (echo)         |     Sequence Number (echo)    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Data ...
//	+-+-+-+-+-
//
// The second word is the gateway of a redirect, the pointer of a
// parameter problem, or unused and next-hop MTU for "fragmentation
// needed".
const (
	icmpType  = 0
	icmpCode  = 1
	icmpCksum = 2
	icmpID    = 4
	icmpSeq   = 6

	// ICMPLen is the length of the ICMP header.
	ICMPLen = 8
)

// ICMP message types (RTE_ICMP_TYPE_*).
const (
	ICMPEchoReply      uint8 = 0
	ICMPDestUnreach    uint8 = 3
	ICMPSourceQuench   uint8 = 4
	ICMPRedirect       uint8 = 5
	ICMPEchoRequest    uint8 = 8
	ICMPTimeExceeded   uint8 = 11
	ICMPParamProblem   uint8 = 12
	ICMPTimestamp      uint8 = 13
	ICMPTimestampReply uint8 = 14
)

// ICMP destination unreachable code for "fragmentation needed and DF set".
const ICMPCodeFragNeeded uint8 = 4

// ICMP is a view of an ICMP message: the 8-byte header and the data.
type ICMP []byte

var (
	errICMPTrunc  = hdrErr("ICMP", ErrTruncated)
	errICMPNoRoom = hdrErr("ICMP", ErrNoRoom)
)

// ParseICMP returns b as an ICMP view; ErrTruncated if b is shorter than
// 8 bytes.
func ParseICMP(b []byte) (ICMP, error) {
	if len(b) < ICMPLen {
		return nil, errICMPTrunc
	}
	return ICMP(b), nil
}

// Type returns the message type.
func (c ICMP) Type() uint8 { return c[icmpType] }

// Code returns the code.
func (c ICMP) Code() uint8 { return c[icmpCode] }

// Checksum returns the checksum field.
func (c ICMP) Checksum() uint16 { return binary.BigEndian.Uint16(c[icmpCksum:]) }

// Ident returns the echo identifier.
func (c ICMP) Ident() uint16 { return binary.BigEndian.Uint16(c[icmpID:]) }

// Seq returns the echo sequence number.
func (c ICMP) Seq() uint16 { return binary.BigEndian.Uint16(c[icmpSeq:]) }

// RestOfHeader returns the second word, whose meaning depends on the type.
func (c ICMP) RestOfHeader() uint32 { return binary.BigEndian.Uint32(c[icmpID:]) }

// Gateway returns a redirect's gateway address.
func (c ICMP) Gateway() netip.Addr { return netip.AddrFrom4([4]byte(c[icmpID : icmpID+4])) }

// MTU returns the next-hop MTU of a "fragmentation needed" message.
func (c ICMP) MTU() uint16 { return binary.BigEndian.Uint16(c[icmpSeq:]) }

// Pointer returns a parameter problem's pointer.
func (c ICMP) Pointer() uint8 { return c[icmpID] }

// IsError reports whether the type is an error message, whose data starts
// with the offending packet's IP header.
func (c ICMP) IsError() bool {
	switch c.Type() {
	case ICMPDestUnreach, ICMPSourceQuench, ICMPRedirect, ICMPTimeExceeded, ICMPParamProblem:
		return true
	}
	return false
}

// HeaderLen returns ICMPLen.
func (c ICMP) HeaderLen() int { return ICMPLen }

// Payload returns the data after the 8-byte header.
func (c ICMP) Payload() []byte { return c[ICMPLen:] }

// SetType sets the type.
func (c ICMP) SetType(t uint8) { c[icmpType] = t }

// SetCode sets the code.
func (c ICMP) SetCode(code uint8) { c[icmpCode] = code }

// SetChecksum sets the checksum field.
func (c ICMP) SetChecksum(s uint16) { binary.BigEndian.PutUint16(c[icmpCksum:], s) }

// SetIdent sets the echo identifier.
func (c ICMP) SetIdent(id uint16) { binary.BigEndian.PutUint16(c[icmpID:], id) }

// SetSeq sets the echo sequence number.
func (c ICMP) SetSeq(s uint16) { binary.BigEndian.PutUint16(c[icmpSeq:], s) }

// CalculateChecksum computes the checksum over the whole view (header and
// data), treating the checksum field as zero.
func (c ICMP) CalculateChecksum() uint16 {
	return checksum.ICMPv4(c)
}

// IsChecksumValid reports whether the checksum over the view is right.
func (c ICMP) IsChecksumValid() bool { return checksum.Checksum(c, 0) == 0 }

// ICMPFields holds the fields ICMP.Encode writes.
type ICMPFields struct {
	Type, Code uint8
	// Rest is the second word (identifier and sequence for echo).
	Rest uint32
}

// Encode writes the header and then the checksum over the whole view, so
// write the data first. ErrNoRoom if c is shorter than 8 bytes.
func (c ICMP) Encode(f *ICMPFields) error {
	if len(c) < ICMPLen {
		return errICMPNoRoom
	}
	c[icmpType] = f.Type
	c[icmpCode] = f.Code
	binary.BigEndian.PutUint32(c[icmpID:], f.Rest)
	c.SetChecksum(c.CalculateChecksum())
	return nil
}
