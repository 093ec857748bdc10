package pkt

import "encoding/binary"

// PPPoE header (RFC 2516, rte_pppoe_hdr), followed in the session stage
// (EtherTypePPPoE, code 0) by the 2-byte PPP protocol:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  VER  | TYPE  |      CODE     |          SESSION_ID           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|            LENGTH             |   PPP protocol (session)      |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// LENGTH counts the payload after the 6-byte header, PPP protocol
// included.
const (
	pppoeVerType = 0
	pppoeCode    = 1
	pppoeSession = 2
	pppoeLength  = 4
	pppoeProto   = 6

	// PPPoELen is the length of the PPPoE header.
	PPPoELen = 6
	// PPPoESessionLen is the PPPoE header plus the PPP protocol.
	PPPoESessionLen = 8
)

// PPPoE codes.
const (
	PPPoECodeSession uint8 = 0x00 // session data
	PPPoECodePADI    uint8 = 0x09
	PPPoECodePADO    uint8 = 0x07
	PPPoECodePADR    uint8 = 0x19
	PPPoECodePADS    uint8 = 0x65
	PPPoECodePADT    uint8 = 0xa7
)

// PPPoE is a view of a PPPoE packet.
type PPPoE []byte

var (
	errPPPoETrunc  = hdrErr("PPPoE", ErrTruncated)
	errPPPoENoRoom = hdrErr("PPPoE", ErrNoRoom)
)

// ParsePPPoE returns b as a PPPoE view; ErrTruncated if b is shorter than
// 6 bytes.
func ParsePPPoE(b []byte) (PPPoE, error) {
	if len(b) < PPPoELen {
		return nil, errPPPoETrunc
	}
	return PPPoE(b), nil
}

// Version returns the version (1).
func (p PPPoE) Version() uint8 { return p[pppoeVerType] >> 4 }

// Type returns the type (1).
func (p PPPoE) Type() uint8 { return p[pppoeVerType] & 0xf }

// Code returns the code (PPPoECodeSession for session data).
func (p PPPoE) Code() uint8 { return p[pppoeCode] }

// SessionID returns the session identifier.
func (p PPPoE) SessionID() uint16 { return binary.BigEndian.Uint16(p[pppoeSession:]) }

// Length returns the length field.
func (p PPPoE) Length() uint16 { return binary.BigEndian.Uint16(p[pppoeLength:]) }

// PPPProtocol returns the PPP protocol of session data; ok is false for
// other codes or a view too short to hold it.
func (p PPPoE) PPPProtocol() (uint16, bool) {
	if p.Code() != PPPoECodeSession || len(p) < PPPoESessionLen {
		return 0, false
	}
	return binary.BigEndian.Uint16(p[pppoeProto:]), true
}

// HeaderLen returns PPPoELen.
func (p PPPoE) HeaderLen() int { return PPPoELen }

// Payload returns the bytes after the 6-byte header up to Length, or to
// the end of the view if it is shorter.
func (p PPPoE) Payload() []byte {
	end := PPPoELen + int(p.Length())
	if end > len(p) {
		end = len(p)
	}
	return p[PPPoELen:end]
}

// SessionPayload returns the PPP payload of session data (after the PPP
// protocol), clamped like Payload; ok is false as for PPPProtocol.
func (p PPPoE) SessionPayload() ([]byte, bool) {
	if _, ok := p.PPPProtocol(); !ok {
		return nil, false
	}
	pl := p.Payload()
	if len(pl) < 2 {
		return pl[len(pl):], true
	}
	return pl[2:], true
}

// SetSessionID sets the session identifier.
func (p PPPoE) SetSessionID(id uint16) { binary.BigEndian.PutUint16(p[pppoeSession:], id) }

// SetLength sets the length field.
func (p PPPoE) SetLength(l uint16) { binary.BigEndian.PutUint16(p[pppoeLength:], l) }

// EncodeSession writes a version 1, type 1 session header and the PPP
// protocol; Length is pppLen (the PPP payload after the protocol) + 2.
// ErrNoRoom if p is shorter than 8 bytes.
func (p PPPoE) EncodeSession(sessionID, pppProto, pppLen uint16) error {
	if len(p) < PPPoESessionLen {
		return errPPPoENoRoom
	}
	p[pppoeVerType] = 0x11
	p[pppoeCode] = PPPoECodeSession
	p.SetSessionID(sessionID)
	p.SetLength(pppLen + 2)
	binary.BigEndian.PutUint16(p[pppoeProto:], pppProto)
	return nil
}
