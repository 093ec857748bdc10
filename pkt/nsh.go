package pkt

import "encoding/binary"

// Network Service Header (RFC 8300): base header, service path
// header, then context headers:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|Ver|O|U|    TTL    |   Length  |U|U|U|U|MD Type| Next Protocol |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|          Service Path Identifier (SPI)        | Service Index |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                   Context Headers ...                         |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Length is the whole header's length in 4-byte words: 6 for MD type 1
// (16 bytes of fixed context), at least 2 for MD type 2, whose context is
// a list of TLVs:
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|          Metadata Class       |      Type     |U|    Length   |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                   Variable-Length Metadata                    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// with Length in bytes, padded to a 4-byte boundary.
const (
	nshVerTTL  = 0
	nshTTLLen  = 1
	nshMDType  = 2
	nshProto   = 3
	nshSPI     = 4
	nshSI      = 7
	nshContext = 8

	// NSHMinLen is the length of the base and service path headers.
	NSHMinLen = 8
	// NSHMD1Len is the length of an MD type 1 header.
	NSHMD1Len = 24
)

// NSH metadata types.
const (
	NSHMDType1 uint8 = 1 // fixed-length context
	NSHMDType2 uint8 = 2 // variable-length context
)

// NSH is a view of a packet starting with a Network Service Header.
type NSH []byte

var (
	errNSHTrunc    = hdrErr("NSH", ErrTruncated)
	errNSHVersion  = hdrErrf("NSH", "version not 0", ErrMalformed)
	errNSHLen      = hdrErrf("NSH", "length not valid for MD type", ErrMalformed)
	errNSHNoRoom   = hdrErr("NSH", ErrNoRoom)
	errNSHMDTrunc  = hdrErr("NSH metadata", ErrTruncated)
	errNSHMetaSize = hdrErrf("NSH", "metadata longer than 244 bytes or not a multiple of 4", ErrMalformed)
)

// ParseNSH returns b as an NSH view. It fails with ErrTruncated if b is
// shorter than 8 bytes or than Length says, and with ErrMalformed if the
// version is not 0, Length is below 2, or Length is not 6 for MD type 1.
func ParseNSH(b []byte) (NSH, error) {
	if len(b) < NSHMinLen {
		return nil, errNSHTrunc
	}
	if b[nshVerTTL]>>6 != 0 {
		return nil, errNSHVersion
	}
	words := int(b[nshTTLLen] & 0x3f)
	if words < 2 || (b[nshMDType]&0xf == NSHMDType1 && words != NSHMD1Len/4) {
		return nil, errNSHLen
	}
	if words*4 > len(b) {
		return nil, errNSHTrunc
	}
	return NSH(b), nil
}

// Version returns the version (0).
func (n NSH) Version() uint8 { return n[nshVerTTL] >> 6 }

// OAM reports whether the O bit is set.
func (n NSH) OAM() bool { return n[nshVerTTL]&0x20 != 0 }

// TTL returns the 6-bit time to live.
func (n NSH) TTL() uint8 { return (n[nshVerTTL]&0x0f)<<2 | n[nshTTLLen]>>6 }

// HeaderLen returns the whole header's length in bytes.
func (n NSH) HeaderLen() int { return int(n[nshTTLLen]&0x3f) * 4 }

// MDType returns the metadata type.
func (n NSH) MDType() uint8 { return n[nshMDType] & 0xf }

// NextProtocol returns the next protocol (NSHProtoIPv4, ...).
func (n NSH) NextProtocol() uint8 { return n[nshProto] }

// SPI returns the 24-bit service path identifier.
func (n NSH) SPI() uint32 { return binary.BigEndian.Uint32(n[nshSPI:]) >> 8 }

// SI returns the service index.
func (n NSH) SI() uint8 { return n[nshSI] }

// Context returns the context headers: 16 bytes for MD type 1, the TLVs
// for MD type 2.
func (n NSH) Context() []byte { return n[nshContext:n.HeaderLen()] }

// Metadata returns an iterator over MD type 2 TLVs; it is empty for
// other types.
func (n NSH) Metadata() NSHMetadataIter {
	if n.MDType() != NSHMDType2 {
		return NSHMetadataIter{}
	}
	return NSHMetadataIter{b: n.Context()}
}

// Payload returns the packet after the header.
func (n NSH) Payload() []byte { return n[n.HeaderLen():] }

// SetTTL sets the time to live (its low 6 bits).
func (n NSH) SetTTL(ttl uint8) {
	n[nshVerTTL] = n[nshVerTTL]&0xf0 | ttl>>2&0x0f
	n[nshTTLLen] = n[nshTTLLen]&0x3f | ttl<<6
}

// SetSI sets the service index.
func (n NSH) SetSI(si uint8) { n[nshSI] = si }

// SetSPI sets the service path identifier (its low 24 bits).
func (n NSH) SetSPI(spi uint32) {
	n[nshSPI] = byte(spi >> 16)
	n[nshSPI+1] = byte(spi >> 8)
	n[nshSPI+2] = byte(spi)
}

// NSHFields holds the fields NSH.Encode writes.
type NSHFields struct {
	OAM          bool
	TTL          uint8
	MDType       uint8
	NextProtocol uint8
	SPI          uint32
	SI           uint8
	// Context is copied after the service path header: 16 bytes for MD
	// type 1 (shorter is zero-padded), TLVs for MD type 2 (a multiple of 4
	// bytes).
	Context []byte
}

// Encode writes the header at the start of n. It fails with ErrNoRoom if
// n is too short, ErrMalformed if the context does not fit the MD type.
func (n NSH) Encode(f *NSHFields) error {
	hl := NSHMinLen + len(f.Context)
	if f.MDType == NSHMDType1 {
		if len(f.Context) > NSHMD1Len-NSHMinLen {
			return errNSHMetaSize
		}
		hl = NSHMD1Len
	} else if len(f.Context)%4 != 0 || hl > 63*4 {
		return errNSHMetaSize
	}
	if len(n) < hl {
		return errNSHNoRoom
	}
	clear(n[:hl])
	if f.OAM {
		n[nshVerTTL] = 0x20
	}
	n[nshTTLLen] = uint8(hl / 4)
	n.SetTTL(f.TTL)
	n[nshMDType] = f.MDType & 0xf
	n[nshProto] = f.NextProtocol
	n.SetSPI(f.SPI)
	n.SetSI(f.SI)
	copy(n[nshContext:hl], f.Context)
	return nil
}

// NSHMetadata is a view of one MD type 2 context TLV (header and padded
// value).
type NSHMetadata []byte

// Class returns the metadata class.
func (m NSHMetadata) Class() uint16 { return binary.BigEndian.Uint16(m) }

// Type returns the metadata type.
func (m NSHMetadata) Type() uint8 { return m[2] }

// Value returns the value, without padding.
func (m NSHMetadata) Value() []byte { return m[4 : 4+int(m[3]&0x7f)] }

// NSHMetadataIter walks MD type 2 context TLVs.
type NSHMetadataIter struct {
	b   []byte
	err error
}

// Next returns the next TLV; ok is false at the end or on a TLV cut short
// (then Err says so).
func (it *NSHMetadataIter) Next() (NSHMetadata, bool) {
	if len(it.b) == 0 || it.err != nil {
		return nil, false
	}
	if len(it.b) < 4 {
		it.err, it.b = errNSHMDTrunc, nil
		return nil, false
	}
	n := 4 + (int(it.b[3]&0x7f)+3)&^3
	if n > len(it.b) {
		it.err, it.b = errNSHMDTrunc, nil
		return nil, false
	}
	m := NSHMetadata(it.b[:n:n])
	it.b = it.b[n:]
	return m, true
}

// Err returns the error that stopped the walk, or nil.
func (it *NSHMetadataIter) Err() error { return it.err }
