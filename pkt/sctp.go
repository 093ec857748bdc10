package pkt

import (
	"dpk/pkt/checksum"
	"encoding/binary"
)

// SCTP common header (RFC 9260, rte_sctp_hdr):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Source Port Number        |     Destination Port Number   |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                      Verification Tag                         |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                           Checksum                            |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// The checksum is CRC32c over the whole packet with this field zero,
// stored least significant byte first (RFC 9260 appendix A).
const (
	sctpSrcPort = 0
	sctpDstPort = 2
	sctpVTag    = 4
	sctpCksum   = 8

	// SCTPLen is the length of the SCTP common header.
	SCTPLen = 12
)

// SCTP is a view of an SCTP packet: common header and chunks.
type SCTP []byte

var (
	errSCTPTrunc  = hdrErr("SCTP", ErrTruncated)
	errSCTPNoRoom = hdrErr("SCTP", ErrNoRoom)
)

// ParseSCTP returns b as an SCTP view; ErrTruncated if b is shorter than
// 12 bytes.
func ParseSCTP(b []byte) (SCTP, error) {
	if len(b) < SCTPLen {
		return nil, errSCTPTrunc
	}
	return SCTP(b), nil
}

// SrcPort returns the source port.
func (s SCTP) SrcPort() uint16 { return binary.BigEndian.Uint16(s[sctpSrcPort:]) }

// DstPort returns the destination port.
func (s SCTP) DstPort() uint16 { return binary.BigEndian.Uint16(s[sctpDstPort:]) }

// VTag returns the verification tag.
func (s SCTP) VTag() uint32 { return binary.BigEndian.Uint32(s[sctpVTag:]) }

// Checksum returns the CRC32c in the checksum field (read least
// significant byte first, as it is sent).
func (s SCTP) Checksum() uint32 { return binary.LittleEndian.Uint32(s[sctpCksum:]) }

// HeaderLen returns SCTPLen.
func (s SCTP) HeaderLen() int { return SCTPLen }

// Payload returns the chunks after the common header.
func (s SCTP) Payload() []byte { return s[SCTPLen:] }

// SetSrcPort sets the source port.
func (s SCTP) SetSrcPort(p uint16) { binary.BigEndian.PutUint16(s[sctpSrcPort:], p) }

// SetDstPort sets the destination port.
func (s SCTP) SetDstPort(p uint16) { binary.BigEndian.PutUint16(s[sctpDstPort:], p) }

// SetVTag sets the verification tag.
func (s SCTP) SetVTag(v uint32) { binary.BigEndian.PutUint32(s[sctpVTag:], v) }

// SetChecksum stores a CRC32c in the checksum field (least significant
// byte first).
func (s SCTP) SetChecksum(c uint32) { binary.LittleEndian.PutUint32(s[sctpCksum:], c) }

// CalculateChecksum computes the CRC32c of the whole view with the
// checksum field as zero (checksum.SCTP).
func (s SCTP) CalculateChecksum() uint32 {
	return checksum.SCTP(s)
}

// IsChecksumValid reports whether the checksum is right.
func (s SCTP) IsChecksumValid() bool { return s.CalculateChecksum() == s.Checksum() }

// Encode writes the common header with a zero checksum; ErrNoRoom if s is
// shorter than 12 bytes. Write the chunks, then
// SetChecksum(CalculateChecksum()).
func (s SCTP) Encode(srcPort, dstPort uint16, vtag uint32) error {
	if len(s) < SCTPLen {
		return errSCTPNoRoom
	}
	s.SetSrcPort(srcPort)
	s.SetDstPort(dstPort)
	s.SetVTag(vtag)
	s.SetChecksum(0)
	return nil
}
