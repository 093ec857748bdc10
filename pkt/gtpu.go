package pkt

import "encoding/binary"

// GTP-U version 1 header (3GPP TS 29.281, rte_gtp_hdr), over UDP port 2152:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|Ver=1|P|*|E|S|N| Message Type  |            Length             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|            Tunnel Endpoint Identifier (TEID)                  |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|        Sequence Number        |  N-PDU Number |Next Ext Type  |  (if E, S or N)
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Length counts the bytes after the first 8. When E is set, extension
// headers follow, each a length in 4-byte units, content, and the type of
// the next one (0: none):
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  Length (n)   |        Content (4n - 2 bytes)  ...            |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|      ...      |Next Ext Type  |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// The PDU session container (type 0x85, TS 38.415) content starts with
// the PDU type in its high 4 bits, then a byte whose low 6 bits are the
// QFI (with PPP and RQI above them in downlink PDUs).
const (
	gtpFlags   = 0
	gtpMsgType = 1
	gtpLength  = 2
	gtpTEID    = 4
	gtpSeq     = 8
	gtpNPDU    = 10
	gtpNextExt = 11

	// GTPUMinLen is the length of the mandatory GTP-U header.
	GTPUMinLen = 8
	// GTPUOptLen is the length with the optional sequence, N-PDU and
	// next extension type fields.
	GTPUOptLen = 12
	// MaxGTPUExtHeaders bounds the extension headers walked.
	MaxGTPUExtHeaders = 8
)

// GTP-U flag bits of the first byte.
const (
	GTPUFlagPT   uint8 = 0x10 // protocol type: GTP (not GTP')
	GTPUFlagE    uint8 = 0x04 // extension header present
	GTPUFlagS    uint8 = 0x02 // sequence number present
	GTPUFlagPN   uint8 = 0x01 // N-PDU number present
	gtpuFlagsOpt       = GTPUFlagE | GTPUFlagS | GTPUFlagPN
)

// GTP-U message types.
const (
	GTPUMsgEchoRequest  uint8 = 1
	GTPUMsgEchoResponse uint8 = 2
	GTPUMsgErrorInd     uint8 = 26
	GTPUMsgSupportedExt uint8 = 31
	GTPUMsgEndMarker    uint8 = 254
	GTPUMsgGPDU         uint8 = 255 // user data (T-PDU)
)

// GTP-U extension header types.
const (
	GTPUExtNone           uint8 = 0x00
	GTPUExtServiceClass   uint8 = 0x20
	GTPUExtUDPPort        uint8 = 0x40
	GTPUExtRANContainer   uint8 = 0x81
	GTPUExtLongPDCP       uint8 = 0x82
	GTPUExtXwRANContainer uint8 = 0x83
	GTPUExtNRRANContainer uint8 = 0x84
	GTPUExtPDUSession     uint8 = 0x85
	GTPUExtPDCPNumber     uint8 = 0xc0
)

// PDU session container PDU types.
const (
	GTPUPDUTypeDL uint8 = 0 // downlink PDU session information
	GTPUPDUTypeUL uint8 = 1 // uplink PDU session information
)

// GTPU is a view of a GTP-U version 1 packet.
type GTPU []byte

var (
	errGTPUTrunc    = hdrErr("GTP-U", ErrTruncated)
	errGTPUVersion  = hdrErrf("GTP-U", "version not 1 or not GTP", ErrMalformed)
	errGTPULength   = hdrErrf("GTP-U", "length below header length", ErrMalformed)
	errGTPUExtTrunc = hdrErr("GTP-U extension header", ErrTruncated)
	errGTPUExtZero  = hdrErrf("GTP-U extension header", "zero length", ErrMalformed)
	errGTPUExtMany  = hdrErrf("GTP-U extension header", "too many extension headers", ErrMalformed)
	errGTPUNoRoom   = hdrErr("GTP-U", ErrNoRoom)
)

// ParseGTPU returns b as a GTP-U view. It walks the extension header
// chain and fails with ErrTruncated if b is shorter than the header with
// its optional fields and extensions, and with ErrMalformed if the version
// is not 1, PT is 0 (GTP'), an extension has length 0, there are more
// than MaxGTPUExtHeaders, or Length is below the header length after the
// mandatory part.
func ParseGTPU(b []byte) (GTPU, error) {
	if len(b) < GTPUMinLen {
		return nil, errGTPUTrunc
	}
	if b[gtpFlags]>>5 != 1 || b[gtpFlags]&GTPUFlagPT == 0 {
		return nil, errGTPUVersion
	}
	it := GTPU(b).ExtHeaders()
	for _, _, ok := it.Next(); ok; _, _, ok = it.Next() {
	}
	if it.err != nil {
		return nil, it.err
	}
	if GTPUMinLen+int(binary.BigEndian.Uint16(b[gtpLength:])) < it.off {
		return nil, errGTPULength
	}
	return GTPU(b), nil
}

// Flags returns the first byte: version, PT and the E, S, PN flags.
func (g GTPU) Flags() uint8 { return g[gtpFlags] }

// Version returns the version (1).
func (g GTPU) Version() uint8 { return g[gtpFlags] >> 5 }

// HasExt reports whether the E flag is set.
func (g GTPU) HasExt() bool { return g[gtpFlags]&GTPUFlagE != 0 }

// MessageType returns the message type (GTPUMsgGPDU for user data).
func (g GTPU) MessageType() uint8 { return g[gtpMsgType] }

// Length returns the length field: bytes after the first 8.
func (g GTPU) Length() uint16 { return binary.BigEndian.Uint16(g[gtpLength:]) }

// TEID returns the tunnel endpoint identifier.
func (g GTPU) TEID() uint32 { return binary.BigEndian.Uint32(g[gtpTEID:]) }

// hasOpt reports whether the 4 optional bytes are present (and, for views
// not made by ParseGTPU, in the view).
func (g GTPU) hasOpt() bool { return g[gtpFlags]&gtpuFlagsOpt != 0 && len(g) >= GTPUOptLen }

// Seq returns the sequence number; ok is false if the S flag is clear.
func (g GTPU) Seq() (uint16, bool) {
	if g[gtpFlags]&GTPUFlagS == 0 || !g.hasOpt() {
		return 0, false
	}
	return binary.BigEndian.Uint16(g[gtpSeq:]), true
}

// NPDU returns the N-PDU number; ok is false if the PN flag is clear.
func (g GTPU) NPDU() (uint8, bool) {
	if g[gtpFlags]&GTPUFlagPN == 0 || !g.hasOpt() {
		return 0, false
	}
	return g[gtpNPDU], true
}

// NextExtType returns the type of the first extension header; ok is
// false if the E flag is clear.
func (g GTPU) NextExtType() (uint8, bool) {
	if g[gtpFlags]&GTPUFlagE == 0 || !g.hasOpt() {
		return 0, false
	}
	return g[gtpNextExt], true
}

// ExtHeaders returns an iterator over the extension headers.
func (g GTPU) ExtHeaders() GTPUExtIter {
	if g[gtpFlags]&gtpuFlagsOpt == 0 {
		return GTPUExtIter{off: GTPUMinLen}
	}
	if len(g) < GTPUOptLen {
		return GTPUExtIter{err: errGTPUTrunc}
	}
	it := GTPUExtIter{b: g, off: GTPUOptLen}
	if g[gtpFlags]&GTPUFlagE != 0 {
		it.next = g[gtpNextExt]
	}
	return it
}

// HeaderLen returns the header length: 8, 12, or 12 plus the extension
// headers.
func (g GTPU) HeaderLen() int {
	it := g.ExtHeaders()
	for _, _, ok := it.Next(); ok; _, _, ok = it.Next() {
	}
	if it.off > len(g) {
		return len(g)
	}
	return it.off
}

// Payload returns the bytes after the header up to 8 + Length, or to the
// end of the view if it is shorter: the inner packet of a G-PDU, the
// information elements of other messages.
func (g GTPU) Payload() []byte {
	hl := g.HeaderLen()
	end := GTPUMinLen + int(g.Length())
	if end > len(g) {
		end = len(g)
	}
	if end < hl {
		end = hl
	}
	return g[hl:end]
}

// PDUSession returns the PDU session container extension, if there is
// one.
func (g GTPU) PDUSession() (GTPUExt, bool) {
	it := g.ExtHeaders()
	for t, e, ok := it.Next(); ok; t, e, ok = it.Next() {
		if t == GTPUExtPDUSession {
			return e, true
		}
	}
	return nil, false
}

// QFI returns the QoS flow identifier of the PDU session container, if
// there is one.
func (g GTPU) QFI() (uint8, bool) {
	e, ok := g.PDUSession()
	if !ok {
		return 0, false
	}
	return e.QFI()
}

// SetTEID sets the TEID.
func (g GTPU) SetTEID(teid uint32) { binary.BigEndian.PutUint32(g[gtpTEID:], teid) }

// SetLength sets the length field.
func (g GTPU) SetLength(l uint16) { binary.BigEndian.PutUint16(g[gtpLength:], l) }

// SetMessageType sets the message type.
func (g GTPU) SetMessageType(t uint8) { g[gtpMsgType] = t }

// GTPUFields holds the fields GTPU.Encode writes.
type GTPUFields struct {
	MessageType uint8
	TEID        uint32
	// HasSeq writes the optional fields with the S flag and Seq.
	HasSeq bool
	Seq    uint16
	// HasPDUSession adds a one-word PDU session container with PDUType
	// and QFI (which sets the E flag and the optional fields).
	HasPDUSession bool
	PDUType       uint8
	QFI           uint8
	// PayloadLen is the length of what follows the header; Length is
	// computed from it.
	PayloadLen uint16
}

// EncodedLen returns the header length Encode writes for f.
func (f *GTPUFields) EncodedLen() int {
	n := GTPUMinLen
	if f.HasSeq || f.HasPDUSession {
		n = GTPUOptLen
	}
	if f.HasPDUSession {
		n += 4
	}
	return n
}

// Encode writes the header at the start of g; ErrNoRoom if g is too
// short.
func (g GTPU) Encode(f *GTPUFields) error {
	hl := f.EncodedLen()
	if len(g) < hl {
		return errGTPUNoRoom
	}
	fl := uint8(1<<5) | GTPUFlagPT
	if f.HasSeq {
		fl |= GTPUFlagS
	}
	if f.HasPDUSession {
		fl |= GTPUFlagE
	}
	g[gtpFlags] = fl
	g[gtpMsgType] = f.MessageType
	g.SetLength(uint16(hl-GTPUMinLen) + f.PayloadLen)
	g.SetTEID(f.TEID)
	if hl > GTPUMinLen {
		binary.BigEndian.PutUint16(g[gtpSeq:], f.Seq)
		g[gtpNPDU] = 0
		g[gtpNextExt] = 0
	}
	if f.HasPDUSession {
		g[gtpNextExt] = GTPUExtPDUSession
		g[12] = 1
		g[13] = f.PDUType << 4
		g[14] = f.QFI & 0x3f
		g[15] = GTPUExtNone
	}
	return nil
}

// GTPUExt is a view of one GTP-U extension header: length byte, content,
// next extension type.
type GTPUExt []byte

// Len returns the extension's length in bytes.
func (e GTPUExt) Len() int { return len(e) }

// Content returns the bytes between the length and the next type.
func (e GTPUExt) Content() []byte { return e[1 : len(e)-1] }

// NextType returns the type of the next extension header (0: none).
func (e GTPUExt) NextType() uint8 { return e[len(e)-1] }

// PDUType returns a PDU session container's PDU type (GTPUPDUTypeDL,
// GTPUPDUTypeUL).
func (e GTPUExt) PDUType() uint8 { return e[1] >> 4 }

// QFI returns a PDU session container's QoS flow identifier; ok is false
// if the content is shorter than 2 bytes.
func (e GTPUExt) QFI() (uint8, bool) {
	if len(e) < 4 {
		return 0, false
	}
	return e[2] & 0x3f, true
}

// RQI returns a downlink PDU session container's reflective QoS
// indicator.
func (e GTPUExt) RQI() bool { return len(e) >= 4 && e.PDUType() == GTPUPDUTypeDL && e[2]&0x40 != 0 }

// GTPUExtIter walks a GTP-U extension header chain.
type GTPUExtIter struct {
	b    []byte
	off  int
	next uint8
	n    int
	err  error
}

// Next returns the next extension header and its type; ok is false at
// the end of the chain or on an error (then Err says which).
func (it *GTPUExtIter) Next() (typ uint8, ext GTPUExt, ok bool) {
	if it.next == GTPUExtNone || it.err != nil {
		return 0, nil, false
	}
	if it.n == MaxGTPUExtHeaders {
		it.err = errGTPUExtMany
		return 0, nil, false
	}
	if it.off >= len(it.b) {
		it.err = errGTPUExtTrunc
		return 0, nil, false
	}
	n := int(it.b[it.off]) * 4
	if n == 0 {
		it.err = errGTPUExtZero
		return 0, nil, false
	}
	if it.off+n > len(it.b) {
		it.err = errGTPUExtTrunc
		return 0, nil, false
	}
	typ = it.next
	ext = GTPUExt(it.b[it.off : it.off+n : it.off+n])
	it.next = ext.NextType()
	it.off += n
	it.n++
	return typ, ext, true
}

// Err returns the error that stopped the walk, or nil.
func (it *GTPUExtIter) Err() error { return it.err }
