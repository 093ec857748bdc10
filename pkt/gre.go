package pkt

import (
	"encoding/binary"

	"dpk/pkt/checksum"
)

// GRE header (RFC 2784 with the key and sequence number of RFC 2890;
// version 1 is PPTP's enhanced GRE, RFC 2637, with an acknowledgment
// number):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|C|R|K|S|s|Recur|A| Flags | Ver |         Protocol Type         |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|      Checksum (optional)      |       Reserved1 (Optional)    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                         Key (optional)                        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                 Sequence Number (Optional)                    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|        Acknowledgment Number (optional, version 1 only)       |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Each optional word is present when its flag (C, K, S, A) is set. The
// deprecated routing (R) flag is rejected, as Linux does.
const (
	greFlags = 0
	greProto = 2
	greOpt   = 4

	// GREMinLen is the length of a GRE header without optional fields.
	GREMinLen = 4
	// GREMaxLen is the length of a GRE header with all optional fields.
	GREMaxLen = 20
)

// GRE flag bits of the first 16-bit word.
const (
	GREFlagChecksum uint16 = 0x8000 // C: checksum present
	GREFlagRouting  uint16 = 0x4000 // R: routing present (deprecated)
	GREFlagKey      uint16 = 0x2000 // K: key present
	GREFlagSeq      uint16 = 0x1000 // S: sequence number present
	GREFlagAck      uint16 = 0x0080 // A: acknowledgment present (version 1)
	GREVersionMask  uint16 = 0x0007
)

// GRE is a view of a GRE packet: header and encapsulated payload.
type GRE []byte

var (
	errGRETrunc   = hdrErr("GRE", ErrTruncated)
	errGREVersion = hdrErrf("GRE", "version not 0 or 1", ErrMalformed)
	errGRERouting = hdrErrf("GRE", "routing present", ErrMalformed)
	errGRENoRoom  = hdrErr("GRE", ErrNoRoom)
)

func greLen(fl uint16) int {
	n := GREMinLen
	if fl&GREFlagChecksum != 0 {
		n += 4
	}
	if fl&GREFlagKey != 0 {
		n += 4
	}
	if fl&GREFlagSeq != 0 {
		n += 4
	}
	if fl&GREVersionMask == 1 && fl&GREFlagAck != 0 {
		n += 4
	}
	return n
}

// ParseGRE returns b as a GRE view: ErrTruncated if b is shorter than the
// header its flags announce, ErrMalformed for a version other than 0 or
// 1 or the routing flag set.
func ParseGRE(b []byte) (GRE, error) {
	if len(b) < GREMinLen {
		return nil, errGRETrunc
	}
	fl := binary.BigEndian.Uint16(b[greFlags:])
	if fl&GREVersionMask > 1 {
		return nil, errGREVersion
	}
	if fl&GREFlagRouting != 0 {
		return nil, errGRERouting
	}
	if greLen(fl) > len(b) {
		return nil, errGRETrunc
	}
	return GRE(b), nil
}

// FlagsVersion returns the first 16-bit word: flags and version.
func (g GRE) FlagsVersion() uint16 { return binary.BigEndian.Uint16(g[greFlags:]) }

// Version returns the version (0, or 1 for PPTP).
func (g GRE) Version() uint8 { return uint8(g.FlagsVersion() & GREVersionMask) }

// Protocol returns the EtherType of the payload.
func (g GRE) Protocol() uint16 { return binary.BigEndian.Uint16(g[greProto:]) }

// HasChecksum reports whether the C flag is set.
func (g GRE) HasChecksum() bool { return g.FlagsVersion()&GREFlagChecksum != 0 }

// HasKey reports whether the K flag is set.
func (g GRE) HasKey() bool { return g.FlagsVersion()&GREFlagKey != 0 }

// HasSeq reports whether the S flag is set.
func (g GRE) HasSeq() bool { return g.FlagsVersion()&GREFlagSeq != 0 }

// HasAck reports whether a version 1 header has the A flag set.
func (g GRE) HasAck() bool {
	fl := g.FlagsVersion()
	return fl&GREVersionMask == 1 && fl&GREFlagAck != 0
}

// HeaderLen returns the header length, optional fields included.
func (g GRE) HeaderLen() int { return greLen(g.FlagsVersion()) }

// Payload returns the bytes after the header.
func (g GRE) Payload() []byte { return g[g.HeaderLen():] }

// offsets of the optional fields, or -1.
func (g GRE) keyOff() int {
	fl := g.FlagsVersion()
	if fl&GREFlagKey == 0 {
		return -1
	}
	if fl&GREFlagChecksum != 0 {
		return greOpt + 4
	}
	return greOpt
}

func (g GRE) seqOff() int {
	fl := g.FlagsVersion()
	if fl&GREFlagSeq == 0 {
		return -1
	}
	return greLen(fl &^ (GREFlagSeq | GREFlagAck)) // everything before it
}

func (g GRE) ackOff() int {
	if !g.HasAck() {
		return -1
	}
	return g.HeaderLen() - 4
}

// Checksum returns the checksum field, if present.
func (g GRE) Checksum() (uint16, bool) {
	if !g.HasChecksum() {
		return 0, false
	}
	return binary.BigEndian.Uint16(g[greOpt:]), true
}

// Key returns the key, if present. For NVGRE it is VSID<<8 | FlowID; for
// PPTP (version 1) payload length<<16 | call ID.
func (g GRE) Key() (uint32, bool) {
	off := g.keyOff()
	if off < 0 {
		return 0, false
	}
	return binary.BigEndian.Uint32(g[off:]), true
}

// Seq returns the sequence number, if present.
func (g GRE) Seq() (uint32, bool) {
	off := g.seqOff()
	if off < 0 {
		return 0, false
	}
	return binary.BigEndian.Uint32(g[off:]), true
}

// Ack returns a version 1 header's acknowledgment number, if present.
func (g GRE) Ack() (uint32, bool) {
	off := g.ackOff()
	if off < 0 {
		return 0, false
	}
	return binary.BigEndian.Uint32(g[off:]), true
}

// SetProtocol sets the payload EtherType.
func (g GRE) SetProtocol(p uint16) { binary.BigEndian.PutUint16(g[greProto:], p) }

// SetChecksum sets the checksum field; false if the header has none.
func (g GRE) SetChecksum(c uint16) bool {
	if !g.HasChecksum() {
		return false
	}
	binary.BigEndian.PutUint16(g[greOpt:], c)
	return true
}

// SetKey sets the key; false if the header has none.
func (g GRE) SetKey(k uint32) bool {
	off := g.keyOff()
	if off < 0 {
		return false
	}
	binary.BigEndian.PutUint32(g[off:], k)
	return true
}

// SetSeq sets the sequence number; false if the header has none.
func (g GRE) SetSeq(s uint32) bool {
	off := g.seqOff()
	if off < 0 {
		return false
	}
	binary.BigEndian.PutUint32(g[off:], s)
	return true
}

// CalculateChecksum computes the checksum over the whole view (header and
// payload), treating the checksum field, if there is one, as zero.
func (g GRE) CalculateChecksum() uint16 {
	if !g.HasChecksum() || len(g) < greOpt+2 {
		return checksum.Checksum(g, 0)
	}
	return checksum.Checksum(g[greOpt+2:], checksum.Partial(g[:greOpt], 0))
}

// GREFields holds the fields GRE.Encode writes (version 0).
type GREFields struct {
	Protocol    uint16
	HasChecksum bool
	HasKey      bool
	Key         uint32
	HasSeq      bool
	Seq         uint32
}

// Encode writes a version 0 header at the start of g; with HasChecksum the
// checksum is computed over the whole view, so write the payload first.
// ErrNoRoom if g is too short.
func (g GRE) Encode(f *GREFields) error {
	var fl uint16
	if f.HasChecksum {
		fl |= GREFlagChecksum
	}
	if f.HasKey {
		fl |= GREFlagKey
	}
	if f.HasSeq {
		fl |= GREFlagSeq
	}
	if len(g) < greLen(fl) {
		return errGRENoRoom
	}
	binary.BigEndian.PutUint16(g[greFlags:], fl)
	g.SetProtocol(f.Protocol)
	g.SetKey(f.Key)
	g.SetSeq(f.Seq)
	if f.HasChecksum {
		binary.BigEndian.PutUint32(g[greOpt:], 0)
		g.SetChecksum(g.CalculateChecksum())
	}
	return nil
}
