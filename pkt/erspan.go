package pkt

import "encoding/binary"

// ERSPAN headers (draft-foschiano-erspan), after a GRE header with a
// sequence number and protocol EtherTypeERSPAN2 (type II) or
// EtherTypeERSPAN3 (type III). Type II, version 1:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  Ver  |          VLAN         | COS | En|T|    Session ID     |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|      Reserved         |                  Index                |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Type III, version 2, with an optional 8-byte platform specific
// subheader when O is set:
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  Ver  |          VLAN         | COS |BSO|T|     Session ID    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                          Timestamp                            |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|             SGT               |P|    FT   |   Hw ID   |D|Gra|O|
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|             Platform Specific SubHeader (8 bytes, if O)       |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
const (
	erspanWord0 = 0
	erspanWord1 = 4
	erspanWord2 = 8

	// ERSPAN2Len is the length of a type II header.
	ERSPAN2Len = 8
	// ERSPAN3Len is the length of a type III header without the platform
	// specific subheader.
	ERSPAN3Len = 12
	// ERSPAN3MaxLen is the length of a type III header with it.
	ERSPAN3MaxLen = 20
)

// ERSPAN versions.
const (
	ERSPANVersion2 uint8 = 1 // type II
	ERSPANVersion3 uint8 = 2 // type III
)

// ERSPAN is a view of an ERSPAN type II or III header and the mirrored
// frame after it.
type ERSPAN []byte

var (
	errERSPANTrunc   = hdrErr("ERSPAN", ErrTruncated)
	errERSPANVersion = hdrErrf("ERSPAN", "version not 1 or 2", ErrMalformed)
)

func erspanLen(b []byte) int {
	switch b[0] >> 4 {
	case ERSPANVersion2:
		return ERSPAN2Len
	case ERSPANVersion3:
		if len(b) >= ERSPAN3Len && b[11]&1 != 0 {
			return ERSPAN3MaxLen
		}
		return ERSPAN3Len
	}
	return 0
}

// ParseERSPAN returns b as an ERSPAN view: ErrTruncated if b is shorter
// than the header its version and O flag call for, ErrMalformed for a
// version other than 1 (type II) or 2 (type III).
func ParseERSPAN(b []byte) (ERSPAN, error) {
	if len(b) < ERSPAN2Len {
		return nil, errERSPANTrunc
	}
	n := erspanLen(b)
	if n == 0 {
		return nil, errERSPANVersion
	}
	if n > len(b) {
		return nil, errERSPANTrunc
	}
	return ERSPAN(b), nil
}

func (e ERSPAN) w0() uint32 { return binary.BigEndian.Uint32(e[erspanWord0:]) }

// Version returns the version: ERSPANVersion2 (type II) or
// ERSPANVersion3 (type III).
func (e ERSPAN) Version() uint8 { return e[0] >> 4 }

// VLAN returns the original frame's VLAN.
func (e ERSPAN) VLAN() uint16 { return uint16(e.w0()>>16) & 0x0fff }

// COS returns the original frame's class of service.
func (e ERSPAN) COS() uint8 { return uint8(e.w0()>>13) & 7 }

// En returns the 2-bit trunk encapsulation type (type II) or BSO (type
// III).
func (e ERSPAN) En() uint8 { return uint8(e.w0()>>11) & 3 }

// Truncated reports whether the T bit is set: the mirrored frame was
// truncated.
func (e ERSPAN) Truncated() bool { return e.w0()&0x400 != 0 }

// SessionID returns the 10-bit session ID.
func (e ERSPAN) SessionID() uint16 { return uint16(e.w0()) & 0x3ff }

// Index returns a type II header's 20-bit port index; ok is false for
// type III.
func (e ERSPAN) Index() (uint32, bool) {
	if e.Version() != ERSPANVersion2 {
		return 0, false
	}
	return binary.BigEndian.Uint32(e[erspanWord1:]) & 0xfffff, true
}

// Timestamp returns a type III header's timestamp; ok is false for type
// II.
func (e ERSPAN) Timestamp() (uint32, bool) {
	if e.Version() != ERSPANVersion3 || len(e) < ERSPAN3Len {
		return 0, false
	}
	return binary.BigEndian.Uint32(e[erspanWord1:]), true
}

// w2 returns a type III header's third word, or 0 for type II.
func (e ERSPAN) w2() uint32 {
	if e.Version() != ERSPANVersion3 || len(e) < ERSPAN3Len {
		return 0
	}
	return binary.BigEndian.Uint32(e[erspanWord2:])
}

// The accessors below read a type III header's third word; they return
// zero values for type II.

// SGT returns the security group tag.
func (e ERSPAN) SGT() uint16 { return uint16(e.w2() >> 16) }

// P reports whether the P bit is set (the frame is an Ethernet PDU).
func (e ERSPAN) P() bool { return e.w2()&0x8000 != 0 }

// FrameType returns the 5-bit frame type (0: Ethernet, 2: IP).
func (e ERSPAN) FrameType() uint8 { return uint8(e.w2()>>10) & 0x1f }

// HwID returns the 6-bit hardware ID.
func (e ERSPAN) HwID() uint8 { return uint8(e.w2()>>4) & 0x3f }

// Direction reports the D bit: false for ingress, true for egress.
func (e ERSPAN) Direction() bool { return e.w2()&0x8 != 0 }

// Granularity returns the 2-bit timestamp granularity.
func (e ERSPAN) Granularity() uint8 { return uint8(e.w2()>>1) & 3 }

// HasSubheader reports whether the O bit is set: the platform specific
// subheader follows.
func (e ERSPAN) HasSubheader() bool { return e.w2()&1 != 0 }

// PlatformSubheader returns a type III header's 8-byte platform specific
// subheader, if the O flag says it is there.
func (e ERSPAN) PlatformSubheader() ([]byte, bool) {
	if e.Version() != ERSPANVersion3 || erspanLen(e) != ERSPAN3MaxLen || len(e) < ERSPAN3MaxLen {
		return nil, false
	}
	return e[ERSPAN3Len:ERSPAN3MaxLen], true
}

// HeaderLen returns the header length: 8 (type II), 12 or 20 (type III).
func (e ERSPAN) HeaderLen() int {
	n := erspanLen(e)
	if n > len(e) {
		n = len(e)
	}
	return n
}

// Payload returns the mirrored frame.
func (e ERSPAN) Payload() []byte { return e[e.HeaderLen():] }
