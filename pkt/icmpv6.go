package pkt

import (
	"dpk/pkt/checksum"
	"encoding/binary"
	"net/netip"
)

// ICMPv6 message (RFC 4443) and the Neighbor Discovery messages (RFC 4861)
// that ride on it:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Type      |     Code      |          Checksum             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  Identifier / MTU / Pointer / |  Sequence Number / Reserved   |
//	|  NA flags (R S O) / RA hop limit, M O, router lifetime        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|            NS, NA, Redirect: Target Address (16 bytes)        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|            Redirect: Destination Address (16 bytes)           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   Options (ND: type, length in 8-byte units, data) ...
//	+-+-+-+-+-+-+-+-+-+-+-+-+-
//
// ND options start at byte 8 (RS), 16 (RA), 24 (NS, NA) or 40 (Redirect).
const (
	icmp6Type     = 0
	icmp6Code     = 1
	icmp6Cksum    = 2
	icmp6ID       = 4
	icmp6Seq      = 6
	icmp6NAFlags  = 4
	icmp6Target   = 8
	icmp6RedirDst = 24

	// ICMPv6Len is the length of the ICMPv6 header including the first
	// word of the message body.
	ICMPv6Len = 8
	// ICMPv6NSLen is the length of a neighbor solicitation without options.
	ICMPv6NSLen = 24
	// ICMPv6NALen is the length of a neighbor advertisement without options.
	ICMPv6NALen = 24
	// ICMPv6RSLen is the length of a router solicitation without options.
	ICMPv6RSLen = 8
	// ICMPv6RALen is the length of a router advertisement without options.
	ICMPv6RALen = 16
	// ICMPv6RedirectLen is the length of a redirect without options.
	ICMPv6RedirectLen = 40
)

// ICMPv6 message types.
const (
	ICMPv6DestUnreach     uint8 = 1
	ICMPv6PacketTooBig    uint8 = 2
	ICMPv6TimeExceeded    uint8 = 3
	ICMPv6ParamProblem    uint8 = 4
	ICMPv6EchoRequest     uint8 = 128
	ICMPv6EchoReply       uint8 = 129
	ICMPv6MLDQuery        uint8 = 130
	ICMPv6MLDReport       uint8 = 131
	ICMPv6MLDDone         uint8 = 132
	ICMPv6RouterSolicit   uint8 = 133
	ICMPv6RouterAdvert    uint8 = 134
	ICMPv6NeighborSolicit uint8 = 135
	ICMPv6NeighborAdvert  uint8 = 136
	ICMPv6Redirect        uint8 = 137
	ICMPv6MLDv2Report     uint8 = 143
)

// Neighbor advertisement flags, in the first byte after the checksum.
const (
	NAFlagRouter    uint8 = 0x80
	NAFlagSolicited uint8 = 0x40
	NAFlagOverride  uint8 = 0x20
)

// Neighbor Discovery option types.
const (
	NDOptSourceLinkAddr uint8 = 1
	NDOptTargetLinkAddr uint8 = 2
	NDOptPrefixInfo     uint8 = 3
	NDOptRedirectedHdr  uint8 = 4
	NDOptMTU            uint8 = 5
)

// ICMPv6 is a view of an ICMPv6 message.
type ICMPv6 []byte

var (
	errICMPv6Trunc  = hdrErr("ICMPv6", ErrTruncated)
	errICMPv6NDTrnc = hdrErrf("ICMPv6", "neighbor discovery message", ErrTruncated)
	errICMPv6NoRoom = hdrErr("ICMPv6", ErrNoRoom)
	errNDOptTrunc   = hdrErr("ND option", ErrTruncated)
	errNDOptZero    = hdrErrf("ND option", "zero length", ErrMalformed)
)

// ndLen returns the fixed length of an ND message type, or ICMPv6Len.
func ndLen(t uint8) int {
	switch t {
	case ICMPv6NeighborSolicit:
		return ICMPv6NSLen
	case ICMPv6NeighborAdvert:
		return ICMPv6NALen
	case ICMPv6RouterAdvert:
		return ICMPv6RALen
	case ICMPv6Redirect:
		return ICMPv6RedirectLen
	}
	return ICMPv6Len
}

// ParseICMPv6 returns b as an ICMPv6 view; ErrTruncated if b is shorter
// than 8 bytes, or than the fixed part of a Neighbor Discovery message
// (24 bytes for NS and NA, 16 for RA, 40 for Redirect).
func ParseICMPv6(b []byte) (ICMPv6, error) {
	if len(b) < ICMPv6Len {
		return nil, errICMPv6Trunc
	}
	if len(b) < ndLen(b[icmp6Type]) {
		return nil, errICMPv6NDTrnc
	}
	return ICMPv6(b), nil
}

// Type returns the message type.
func (c ICMPv6) Type() uint8 { return c[icmp6Type] }

// Code returns the code.
func (c ICMPv6) Code() uint8 { return c[icmp6Code] }

// Checksum returns the checksum field.
func (c ICMPv6) Checksum() uint16 { return binary.BigEndian.Uint16(c[icmp6Cksum:]) }

// Ident returns an echo message's identifier.
func (c ICMPv6) Ident() uint16 { return binary.BigEndian.Uint16(c[icmp6ID:]) }

// Seq returns an echo message's sequence number.
func (c ICMPv6) Seq() uint16 { return binary.BigEndian.Uint16(c[icmp6Seq:]) }

// MTU returns a packet-too-big message's MTU.
func (c ICMPv6) MTU() uint32 { return binary.BigEndian.Uint32(c[icmp6ID:]) }

// Pointer returns a parameter problem's pointer.
func (c ICMPv6) Pointer() uint32 { return binary.BigEndian.Uint32(c[icmp6ID:]) }

// IsError reports whether the type is an error message (types below 128).
func (c ICMPv6) IsError() bool { return c.Type() < 128 }

// IsND reports whether the message is a Neighbor Discovery one (router
// and neighbor solicitation and advertisement, redirect).
func (c ICMPv6) IsND() bool {
	t := c.Type()
	return t >= ICMPv6RouterSolicit && t <= ICMPv6Redirect
}

// NAFlags returns a neighbor advertisement's R, S and O flags
// (NAFlagRouter|NAFlagSolicited|NAFlagOverride); 0 for other types.
func (c ICMPv6) NAFlags() uint8 {
	if c.Type() != ICMPv6NeighborAdvert {
		return 0
	}
	return c[icmp6NAFlags] & 0xe0
}

// NDTarget returns the target address of a neighbor solicitation or
// advertisement or a redirect; ok is false for other types.
func (c ICMPv6) NDTarget() (netip.Addr, bool) {
	switch c.Type() {
	case ICMPv6NeighborSolicit, ICMPv6NeighborAdvert, ICMPv6Redirect:
		return netip.AddrFrom16([16]byte(c[icmp6Target : icmp6Target+16])), true
	}
	return netip.Addr{}, false
}

// RedirectDst returns a redirect's destination address; ok is false for
// other types.
func (c ICMPv6) RedirectDst() (netip.Addr, bool) {
	if c.Type() != ICMPv6Redirect {
		return netip.Addr{}, false
	}
	return netip.AddrFrom16([16]byte(c[icmp6RedirDst : icmp6RedirDst+16])), true
}

// RouterAdvert returns a router advertisement's current hop limit, M and
// O flags byte and router lifetime; ok is false for other types.
func (c ICMPv6) RouterAdvert() (hopLimit, flags uint8, lifetime uint16, ok bool) {
	if c.Type() != ICMPv6RouterAdvert {
		return 0, 0, 0, false
	}
	return c[4], c[5], binary.BigEndian.Uint16(c[6:]), true
}

// NDOptions returns an iterator over a Neighbor Discovery message's
// options; it is empty for other types.
func (c ICMPv6) NDOptions() NDOptionIter {
	if !c.IsND() {
		return NDOptionIter{}
	}
	off := ndLen(c.Type())
	return NDOptionIter{b: c[off:]}
}

// LinkLayerAddr returns the source link-layer address option of an NS, RS
// or RA, or the target link-layer address option of an NA or redirect.
func (c ICMPv6) LinkLayerAddr() (MAC, bool) {
	want := NDOptSourceLinkAddr
	if t := c.Type(); t == ICMPv6NeighborAdvert || t == ICMPv6Redirect {
		want = NDOptTargetLinkAddr
	}
	it := c.NDOptions()
	for o, ok := it.Next(); ok; o, ok = it.Next() {
		if o.Type() == want {
			return o.LinkLayerAddr()
		}
	}
	return MAC{}, false
}

// HeaderLen returns the length of the fixed part: 8, or the fixed length
// of a Neighbor Discovery message.
func (c ICMPv6) HeaderLen() int { return ndLen(c.Type()) }

// Payload returns what follows the fixed part: the invoking packet of an
// error, the data of an echo, the options of an ND message.
func (c ICMPv6) Payload() []byte { return c[c.HeaderLen():] }

// SetType sets the type.
func (c ICMPv6) SetType(t uint8) { c[icmp6Type] = t }

// SetCode sets the code.
func (c ICMPv6) SetCode(code uint8) { c[icmp6Code] = code }

// SetChecksum sets the checksum field.
func (c ICMPv6) SetChecksum(s uint16) { binary.BigEndian.PutUint16(c[icmp6Cksum:], s) }

// SetIdent sets an echo message's identifier.
func (c ICMPv6) SetIdent(id uint16) { binary.BigEndian.PutUint16(c[icmp6ID:], id) }

// SetSeq sets an echo message's sequence number.
func (c ICMPv6) SetSeq(s uint16) { binary.BigEndian.PutUint16(c[icmp6Seq:], s) }

// CalculateChecksum computes the checksum over the pseudo-header of src
// and dst and the whole view, treating the checksum field as zero.
func (c ICMPv6) CalculateChecksum(src, dst netip.Addr) uint16 {
	return checksum.Transport(pseudoSum(src, dst, IPProtoICMPv6, uint32(len(c))), IPProtoICMPv6, c)
}

// IsChecksumValid reports whether the checksum is right for src and dst.
func (c ICMPv6) IsChecksumValid(src, dst netip.Addr) bool {
	return checksum.Checksum(c, pseudoSum(src, dst, IPProtoICMPv6, uint32(len(c)))) == 0
}

// ICMPv6Fields holds the fields ICMPv6.Encode writes.
type ICMPv6Fields struct {
	Type, Code uint8
	// Rest is the first word of the body (identifier and sequence for
	// echo, flags for NA, MTU, pointer).
	Rest uint32
	// Target is written at byte 8 for NS, NA and Redirect.
	Target netip.Addr
}

// Encode writes the fixed part of the message; the checksum field is set
// to 0 (write the rest, then SetChecksum(CalculateChecksum(src, dst))).
// ErrNoRoom if c is shorter than the type's fixed part.
func (c ICMPv6) Encode(f *ICMPv6Fields) error {
	if len(c) < ndLen(f.Type) {
		return errICMPv6NoRoom
	}
	c[icmp6Type] = f.Type
	c[icmp6Code] = f.Code
	c.SetChecksum(0)
	binary.BigEndian.PutUint32(c[icmp6ID:], f.Rest)
	switch f.Type {
	case ICMPv6NeighborSolicit, ICMPv6NeighborAdvert, ICMPv6Redirect:
		put16(c[icmp6Target:icmp6Target+16], f.Target)
	}
	return nil
}

// NDOption is a view of one Neighbor Discovery option:
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Type      |    Length     |              ...              |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Length counts 8-byte units, type and length included. NDOptionIter
// yields only complete options.
type NDOption []byte

// Type returns the option type (NDOptSourceLinkAddr, ...).
func (o NDOption) Type() uint8 { return o[0] }

// Len returns the option's length in bytes.
func (o NDOption) Len() int { return len(o) }

// Data returns the option's bytes after type and length.
func (o NDOption) Data() []byte { return o[2:] }

// LinkLayerAddr returns the address of a source or target link-layer
// address option for Ethernet (8 bytes long); ok is false otherwise.
func (o NDOption) LinkLayerAddr() (MAC, bool) {
	if (o.Type() != NDOptSourceLinkAddr && o.Type() != NDOptTargetLinkAddr) || len(o) != 8 {
		return MAC{}, false
	}
	return MAC(o[2:8]), true
}

// MTU returns the MTU of an MTU option.
func (o NDOption) MTU() (uint32, bool) {
	if o.Type() != NDOptMTU || len(o) != 8 {
		return 0, false
	}
	return binary.BigEndian.Uint32(o[4:]), true
}

// NDOptionIter walks the options of a Neighbor Discovery message.
type NDOptionIter struct {
	b   []byte
	err error
}

// Next returns the next option; ok is false at the end or on an option
// with zero length or cut short (then Err says which).
func (it *NDOptionIter) Next() (NDOption, bool) {
	if len(it.b) == 0 || it.err != nil {
		return nil, false
	}
	if len(it.b) < 2 {
		it.err, it.b = errNDOptTrunc, nil
		return nil, false
	}
	n := int(it.b[1]) * 8
	if n == 0 {
		it.err, it.b = errNDOptZero, nil
		return nil, false
	}
	if n > len(it.b) {
		it.err, it.b = errNDOptTrunc, nil
		return nil, false
	}
	o := NDOption(it.b[:n:n])
	it.b = it.b[n:]
	return o, true
}

// Err returns the error that stopped the walk, or nil.
func (it *NDOptionIter) Err() error { return it.err }
