package pkt

import "encoding/binary"

// Geneve header (RFC 8926, rte_geneve_hdr), over UDP port 6081:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|Ver|  Opt Len  |O|C|    Rsvd.  |          Protocol Type        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|        Virtual Network Identifier (VNI)       |    Reserved   |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                                                               |
//	~                    Variable-Length Options                    ~
//	|                                                               |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Opt Len counts 4-byte words of options. Each option:
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|          Option Class         |      Type     |R|R|R| Length  |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                 Variable-Length Option Data (Length words)    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
const (
	genVerOpt = 0
	genFlags  = 1
	genProto  = 2
	genVNI    = 4
	genOpts   = 8

	// GeneveMinLen is the length of a Geneve header without options.
	GeneveMinLen = 8
	// GeneveMaxLen is the length of a Geneve header with the most options
	// (63 words).
	GeneveMaxLen = 8 + 63*4
)

// Geneve flag bits of the second byte.
const (
	GeneveFlagOAM      uint8 = 0x80 // O: control packet
	GeneveFlagCritical uint8 = 0x40 // C: critical options present
)

// Geneve is a view of a Geneve packet: header, options, inner packet.
type Geneve []byte

var (
	errGenTrunc    = hdrErr("Geneve", ErrTruncated)
	errGenVersion  = hdrErrf("Geneve", "version not 0", ErrMalformed)
	errGenNoRoom   = hdrErr("Geneve", ErrNoRoom)
	errGenOptions  = hdrErrf("Geneve", "options longer than 252 bytes or not a multiple of 4", ErrMalformed)
	errGenOptTrunc = hdrErr("Geneve option", ErrTruncated)
)

// ParseGeneve returns b as a Geneve view: ErrTruncated if b is shorter
// than 8 bytes plus the options, ErrMalformed if the version is not 0.
func ParseGeneve(b []byte) (Geneve, error) {
	if len(b) < GeneveMinLen {
		return nil, errGenTrunc
	}
	if b[genVerOpt]>>6 != 0 {
		return nil, errGenVersion
	}
	if GeneveMinLen+int(b[genVerOpt]&0x3f)*4 > len(b) {
		return nil, errGenTrunc
	}
	return Geneve(b), nil
}

// Version returns the version (0).
func (g Geneve) Version() uint8 { return g[genVerOpt] >> 6 }

// OptLen returns the options' length in bytes.
func (g Geneve) OptLen() int { return int(g[genVerOpt]&0x3f) * 4 }

// OAM reports whether the O flag is set.
func (g Geneve) OAM() bool { return g[genFlags]&GeneveFlagOAM != 0 }

// Critical reports whether the C flag is set.
func (g Geneve) Critical() bool { return g[genFlags]&GeneveFlagCritical != 0 }

// Protocol returns the EtherType of the inner packet (EtherTypeTEB for
// Ethernet).
func (g Geneve) Protocol() uint16 { return binary.BigEndian.Uint16(g[genProto:]) }

// VNI returns the 24-bit virtual network identifier.
func (g Geneve) VNI() uint32 { return binary.BigEndian.Uint32(g[genVNI:]) >> 8 }

// HeaderLen returns the header length, options included.
func (g Geneve) HeaderLen() int { return GeneveMinLen + g.OptLen() }

// Options returns the options bytes.
func (g Geneve) Options() []byte { return g[genOpts:g.HeaderLen()] }

// OptionIter returns an iterator over the options.
func (g Geneve) OptionIter() GeneveOptionIter { return GeneveOptionIter{b: g.Options()} }

// Payload returns the inner packet.
func (g Geneve) Payload() []byte { return g[g.HeaderLen():] }

// SetProtocol sets the inner protocol.
func (g Geneve) SetProtocol(p uint16) { binary.BigEndian.PutUint16(g[genProto:], p) }

// SetVNI sets the VNI (its low 24 bits).
func (g Geneve) SetVNI(vni uint32) {
	g[genVNI] = byte(vni >> 16)
	g[genVNI+1] = byte(vni >> 8)
	g[genVNI+2] = byte(vni)
}

// GeneveFields holds the fields Geneve.Encode writes.
type GeneveFields struct {
	OAM, Critical bool
	Protocol      uint16
	VNI           uint32
	// Options are copied after the fixed header; their length must be a
	// multiple of 4, at most 252.
	Options []byte
}

// Encode writes the header at the start of g. It fails with ErrNoRoom if
// g is too short, ErrMalformed if the options' length is not valid.
func (g Geneve) Encode(f *GeneveFields) error {
	if len(f.Options)%4 != 0 || len(f.Options) > GeneveMaxLen-GeneveMinLen {
		return errGenOptions
	}
	hl := GeneveMinLen + len(f.Options)
	if len(g) < hl {
		return errGenNoRoom
	}
	clear(g[:GeneveMinLen])
	g[genVerOpt] = uint8(len(f.Options) / 4)
	if f.OAM {
		g[genFlags] |= GeneveFlagOAM
	}
	if f.Critical {
		g[genFlags] |= GeneveFlagCritical
	}
	g.SetProtocol(f.Protocol)
	g.SetVNI(f.VNI)
	copy(g[genOpts:hl], f.Options)
	return nil
}

// GeneveOption is a view of one Geneve option (its 4-byte header and
// data).
type GeneveOption []byte

// Class returns the option class.
func (o GeneveOption) Class() uint16 { return binary.BigEndian.Uint16(o) }

// Type returns the option type; its high bit is the critical bit.
func (o GeneveOption) Type() uint8 { return o[2] }

// Critical reports whether the type's critical bit is set.
func (o GeneveOption) Critical() bool { return o[2]&0x80 != 0 }

// Data returns the option data.
func (o GeneveOption) Data() []byte { return o[4:] }

// GeneveOptionIter walks Geneve options.
type GeneveOptionIter struct {
	b   []byte
	err error
}

// Next returns the next option; ok is false at the end or on an option
// cut short (then Err says so).
func (it *GeneveOptionIter) Next() (GeneveOption, bool) {
	if len(it.b) == 0 || it.err != nil {
		return nil, false
	}
	if len(it.b) < 4 {
		it.err, it.b = errGenOptTrunc, nil
		return nil, false
	}
	n := 4 + int(it.b[3]&0x1f)*4
	if n > len(it.b) {
		it.err, it.b = errGenOptTrunc, nil
		return nil, false
	}
	o := GeneveOption(it.b[:n:n])
	it.b = it.b[n:]
	return o, true
}

// Err returns the error that stopped the walk, or nil.
func (it *GeneveOptionIter) Err() error { return it.err }
