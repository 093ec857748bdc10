package pkt

import (
	"encoding/binary"
	"net/netip"
)

// MaxIPv6ExtHeaders bounds the extension headers an IPv6ExtIter walks
// before it gives up with ErrMalformed. RFC 8200 order allows at most
// seven distinct ones; DPDK's rte_net_skip_ip6_ext stops at five.
const MaxIPv6ExtHeaders = 8

// IPv6 option types found in hop-by-hop and destination options headers.
const (
	IPv6OptPad1        uint8 = 0x00 // one byte of padding, no length
	IPv6OptPadN        uint8 = 0x01 // N bytes of padding
	IPv6OptRouterAlert uint8 = 0x05 // router alert (RFC 2711)
	IPv6OptJumbo       uint8 = 0xc2 // jumbo payload (RFC 2675)
	IPv6OptHomeAddress uint8 = 0xc9 // home address (RFC 6275)
)

// IPv6 routing header types.
const (
	IPv6RoutingType0   uint8 = 0 // source route (deprecated, RFC 5095)
	IPv6RoutingType2   uint8 = 2 // Mobile IPv6 type 2
	IPv6RoutingTypeRPL uint8 = 3 // RPL source route (RFC 6554)
	IPv6RoutingTypeSRH uint8 = 4 // segment routing header (RFC 8754)
)

// Hop-by-hop and destination options headers (RFC 8200 4.3, 4.6):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  Next Header  |  Hdr Ext Len  |                               |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
//	|                 Options (TLVs: type, length, data)            |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Hdr Ext Len counts 8-byte units after the first 8 bytes. The routing
// header shares the first two fields and the length rule.
const (
	ip6extNextHdr = 0
	ip6extLen     = 1

	// IPv6ExtMinLen is the length of the smallest extension header.
	IPv6ExtMinLen = 8
)

var (
	errIP6OptsTrunc = hdrErr("IPv6 options header", ErrTruncated)
	errIP6RtTrunc   = hdrErr("IPv6 routing header", ErrTruncated)
	errIP6FragTrunc = hdrErr("IPv6 fragment header", ErrTruncated)
	errAHTrunc      = hdrErr("AH", ErrTruncated)
	errAHLen        = hdrErrf("AH", "payload length below 1", ErrMalformed)
	errIP6ExtTrunc  = hdrErr("IPv6 extension header", ErrTruncated)
	errIP6ExtMany   = hdrErrf("IPv6 extension header", "too many extension headers", ErrMalformed)
	errIP6OptTrunc  = hdrErr("IPv6 option", ErrTruncated)
	errIP6FragRoom  = hdrErr("IPv6 fragment header", ErrNoRoom)
)

// extLen returns the length of a (len+1)*8 extension header.
func extLen(b []byte) int { return (int(b[ip6extLen]) + 1) * 8 }

// IPv6Opts is a view of a hop-by-hop or destination options header and
// what follows it.
type IPv6Opts []byte

// ParseIPv6Opts returns b as an options header view; ErrTruncated if b is
// shorter than 8 bytes or than its Hdr Ext Len says.
func ParseIPv6Opts(b []byte) (IPv6Opts, error) {
	if len(b) < IPv6ExtMinLen || extLen(b) > len(b) {
		return nil, errIP6OptsTrunc
	}
	return IPv6Opts(b), nil
}

// NextHeader returns the type of the following header.
func (o IPv6Opts) NextHeader() uint8 { return o[ip6extNextHdr] }

// HeaderLen returns the header's length in bytes.
func (o IPv6Opts) HeaderLen() int { return extLen(o) }

// Options returns the options bytes (after next header and length).
func (o IPv6Opts) Options() []byte { return o[2:o.HeaderLen()] }

// OptionIter returns an iterator over the options.
func (o IPv6Opts) OptionIter() IPv6OptionIter { return IPv6OptionIter{b: o.Options()} }

// Payload returns the bytes after the header.
func (o IPv6Opts) Payload() []byte { return o[o.HeaderLen():] }

// JumboPayloadLength returns the length of a jumbo payload option, if the
// header has one.
func (o IPv6Opts) JumboPayloadLength() (uint32, bool) {
	it := o.OptionIter()
	for opt, ok := it.Next(); ok; opt, ok = it.Next() {
		if opt.Type == IPv6OptJumbo && len(opt.Data) == 4 {
			return binary.BigEndian.Uint32(opt.Data), true
		}
	}
	return 0, false
}

// HomeAddress returns the address of a Mobile IPv6 home address option
// (RFC 6275), if the header has one. When present it replaces the IPv6
// source in the upper-layer checksum's pseudo-header.
func (o IPv6Opts) HomeAddress() (netip.Addr, bool) {
	it := o.OptionIter()
	for opt, ok := it.Next(); ok; opt, ok = it.Next() {
		if opt.Type == IPv6OptHomeAddress && len(opt.Data) == 16 {
			return netip.AddrFrom16([16]byte(opt.Data)), true
		}
	}
	return netip.Addr{}, false
}

// SetNextHeader sets the next header.
func (o IPv6Opts) SetNextHeader(nh uint8) { o[ip6extNextHdr] = nh }

// IPv6Option is one option of a hop-by-hop or destination options header.
// Data aliases the header.
type IPv6Option struct {
	Type uint8
	Data []byte
}

// IPv6OptionIter walks the TLV options of an options header.
type IPv6OptionIter struct {
	b   []byte
	err error
}

// Next returns the next option, padding included; ok is false at the end
// or when an option runs past the header (then Err says so).
func (it *IPv6OptionIter) Next() (opt IPv6Option, ok bool) {
	if len(it.b) == 0 || it.err != nil {
		return IPv6Option{}, false
	}
	t := it.b[0]
	if t == IPv6OptPad1 {
		it.b = it.b[1:]
		return IPv6Option{Type: t}, true
	}
	if len(it.b) < 2 || 2+int(it.b[1]) > len(it.b) {
		it.err = errIP6OptTrunc
		it.b = nil
		return IPv6Option{}, false
	}
	n := 2 + int(it.b[1])
	opt = IPv6Option{Type: t, Data: it.b[2:n:n]}
	it.b = it.b[n:]
	return opt, true
}

// Err returns the error that stopped the walk, or nil.
func (it *IPv6OptionIter) Err() error { return it.err }

// IPv6 routing header (RFC 8200 4.4) and its segment routing form
// (type 4, RFC 8754):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  Next Header  |  Hdr Ext Len  | Routing Type  | Segments Left |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  Last Entry   |     Flags     |              Tag              |  (SRH)
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|            Segment List[0] (128 bits IPv6 address)            |
//	|                              ...                              |
//	|            Segment List[n] (128 bits IPv6 address)            |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	//         Optional Type Length Value objects (variable)       //
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Types 0 and 2 have a reserved word where the SRH has Last Entry, Flags
// and Tag, and the same list of 16-byte addresses after it.
const (
	ip6rtType      = 2
	ip6rtSegLeft   = 3
	ip6rtLastEntry = 4
	ip6rtFlags     = 5
	ip6rtTag       = 6
	ip6rtAddrs     = 8
)

// IPv6Routing is a view of an IPv6 routing header and what follows it.
type IPv6Routing []byte

// ParseIPv6Routing returns b as a routing header view; ErrTruncated if b
// is shorter than 8 bytes or than its Hdr Ext Len says.
func ParseIPv6Routing(b []byte) (IPv6Routing, error) {
	if len(b) < IPv6ExtMinLen || extLen(b) > len(b) {
		return nil, errIP6RtTrunc
	}
	return IPv6Routing(b), nil
}

// NextHeader returns the type of the following header.
func (r IPv6Routing) NextHeader() uint8 { return r[ip6extNextHdr] }

// HeaderLen returns the header's length in bytes.
func (r IPv6Routing) HeaderLen() int { return extLen(r) }

// RoutingType returns the routing type (IPv6RoutingTypeSRH, ...).
func (r IPv6Routing) RoutingType() uint8 { return r[ip6rtType] }

// SegmentsLeft returns the number of route segments still to visit.
func (r IPv6Routing) SegmentsLeft() uint8 { return r[ip6rtSegLeft] }

// LastEntry returns the SRH's index of the last segment list element.
func (r IPv6Routing) LastEntry() uint8 { return r[ip6rtLastEntry] }

// SRHFlags returns the SRH's flags byte.
func (r IPv6Routing) SRHFlags() uint8 { return r[ip6rtFlags] }

// Tag returns the SRH's tag.
func (r IPv6Routing) Tag() uint16 { return binary.BigEndian.Uint16(r[ip6rtTag:]) }

// Data returns the type-specific data after the first four bytes.
func (r IPv6Routing) Data() []byte { return r[4:r.HeaderLen()] }

// NumAddresses returns how many 16-byte addresses the header holds for
// types 0, 2 and 4: for the SRH, Last Entry + 1 bounded by the header
// length; for the others, what the header length allows; 0 for other
// types.
func (r IPv6Routing) NumAddresses() int {
	n := (r.HeaderLen() - ip6rtAddrs) / 16
	switch r.RoutingType() {
	case IPv6RoutingTypeSRH:
		if le := int(r.LastEntry()) + 1; le < n {
			n = le
		}
	case IPv6RoutingType0, IPv6RoutingType2:
	default:
		n = 0
	}
	return n
}

// Address returns address i of the segment list (for the SRH, Segment
// List[i]; segment 0 is the last one visited); ok is false if i is out of
// range.
func (r IPv6Routing) Address(i int) (netip.Addr, bool) {
	if i < 0 || i >= r.NumAddresses() {
		return netip.Addr{}, false
	}
	off := ip6rtAddrs + 16*i
	return netip.AddrFrom16([16]byte(r[off : off+16])), true
}

// FinalDestination returns the address a transport checksum's
// pseudo-header uses when this routing header is present (RFC 8200 8.1):
// the last address of the route (Segment List[0] for the SRH). ok is
// false if Segments Left is 0 (the IPv6 destination is final) or the
// header holds no address.
func (r IPv6Routing) FinalDestination() (netip.Addr, bool) {
	if r.SegmentsLeft() == 0 {
		return netip.Addr{}, false
	}
	if r.RoutingType() == IPv6RoutingTypeSRH {
		return r.Address(0)
	}
	return r.Address(r.NumAddresses() - 1)
}

// Payload returns the bytes after the header.
func (r IPv6Routing) Payload() []byte { return r[r.HeaderLen():] }

// SetNextHeader sets the next header.
func (r IPv6Routing) SetNextHeader(nh uint8) { r[ip6extNextHdr] = nh }

// SetSegmentsLeft sets segments left.
func (r IPv6Routing) SetSegmentsLeft(n uint8) { r[ip6rtSegLeft] = n }

// IPv6 fragment header (RFC 8200 4.5):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  Next Header  |   Reserved    |      Fragment Offset    |Res|M|
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                         Identification                        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
const (
	ip6fragNextHdr = 0
	ip6fragOff     = 2
	ip6fragID      = 4

	// IPv6FragmentLen is the length of the fragment header.
	IPv6FragmentLen = 8
)

// IPv6Fragment is a view of an IPv6 fragment header and what follows it.
type IPv6Fragment []byte

// ParseIPv6Fragment returns b as a fragment header view; ErrTruncated if
// b is shorter than 8 bytes.
func ParseIPv6Fragment(b []byte) (IPv6Fragment, error) {
	if len(b) < IPv6FragmentLen {
		return nil, errIP6FragTrunc
	}
	return IPv6Fragment(b), nil
}

// NextHeader returns the type of the fragmentable part's first header.
func (f IPv6Fragment) NextHeader() uint8 { return f[ip6fragNextHdr] }

// FragmentOffset returns the fragment's offset in bytes.
func (f IPv6Fragment) FragmentOffset() uint16 {
	return binary.BigEndian.Uint16(f[ip6fragOff:]) &^ 7
}

// More reports whether the M (more fragments) flag is set.
func (f IPv6Fragment) More() bool { return f[ip6fragOff+1]&1 != 0 }

// ID returns the identification.
func (f IPv6Fragment) ID() uint32 { return binary.BigEndian.Uint32(f[ip6fragID:]) }

// HeaderLen returns IPv6FragmentLen.
func (f IPv6Fragment) HeaderLen() int { return IPv6FragmentLen }

// Payload returns the fragment data after the header.
func (f IPv6Fragment) Payload() []byte { return f[IPv6FragmentLen:] }

// SetNextHeader sets the next header.
func (f IPv6Fragment) SetNextHeader(nh uint8) { f[ip6fragNextHdr] = nh }

// SetFragment sets the offset (in bytes, a multiple of 8) and the M flag.
func (f IPv6Fragment) SetFragment(offset uint16, more bool) {
	v := offset &^ 7
	if more {
		v |= 1
	}
	binary.BigEndian.PutUint16(f[ip6fragOff:], v)
}

// SetID sets the identification.
func (f IPv6Fragment) SetID(id uint32) { binary.BigEndian.PutUint32(f[ip6fragID:], id) }

// Encode writes a fragment header; ErrNoRoom if f is shorter than 8 bytes.
func (f IPv6Fragment) Encode(nextHeader uint8, offset uint16, more bool, id uint32) error {
	if len(f) < IPv6FragmentLen {
		return errIP6FragRoom
	}
	f[ip6fragNextHdr] = nextHeader
	f[1] = 0
	f.SetFragment(offset, more)
	f.SetID(id)
	return nil
}

// Authentication header (RFC 4302), in IPv4 and IPv6 alike:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	| Next Header   |  Payload Len  |          RESERVED             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                 Security Parameters Index (SPI)               |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                    Sequence Number Field                      |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                Integrity Check Value-ICV (variable)           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Payload Len is the header length in 32-bit words minus 2.
const (
	ahNextHdr = 0
	ahLen     = 1
	ahSPI     = 4
	ahSeq     = 8
	ahICV     = 12

	// AHMinLen is the length of an AH without ICV.
	AHMinLen = 12
)

// AH is a view of an IPsec authentication header and what follows it.
type AH []byte

func ahHeaderLen(b []byte) int { return (int(b[ahLen]) + 2) * 4 }

// ParseAH returns b as an AH view: ErrTruncated if b is shorter than 12
// bytes or than (Payload Len + 2) * 4, ErrMalformed if Payload Len is 0.
func ParseAH(b []byte) (AH, error) {
	if len(b) < AHMinLen {
		return nil, errAHTrunc
	}
	if b[ahLen] == 0 {
		return nil, errAHLen
	}
	if ahHeaderLen(b) > len(b) {
		return nil, errAHTrunc
	}
	return AH(b), nil
}

// NextHeader returns the type of the protected payload.
func (a AH) NextHeader() uint8 { return a[ahNextHdr] }

// HeaderLen returns the header length in bytes: (Payload Len + 2) * 4.
func (a AH) HeaderLen() int { return ahHeaderLen(a) }

// SPI returns the security parameters index.
func (a AH) SPI() uint32 { return binary.BigEndian.Uint32(a[ahSPI:]) }

// Seq returns the sequence number.
func (a AH) Seq() uint32 { return binary.BigEndian.Uint32(a[ahSeq:]) }

// ICV returns the integrity check value.
func (a AH) ICV() []byte { return a[ahICV:a.HeaderLen()] }

// Payload returns the bytes after the header.
func (a AH) Payload() []byte { return a[a.HeaderLen():] }

// IsIPv6ExtHeader reports whether an IPv6 next header value is an
// extension header the iterator walks: hop-by-hop, routing, fragment,
// destination options and AH. ESP, "no next header" and upper-layer
// protocols end the walk.
func IsIPv6ExtHeader(proto uint8) bool {
	switch proto {
	case IPProtoHopOpts, IPProtoRouting, IPProtoFragment, IPProtoDstOpts, IPProtoAH:
		return true
	}
	return false
}

// IPv6ExtIter walks an IPv6 extension header chain. It stops at the first
// header that is not an extension header, after a fragment header whose
// offset is not 0 (what follows is not a header), on a header cut short
// (ErrTruncated), or after MaxIPv6ExtHeaders headers (ErrMalformed).
//
//	it := ip.ExtHeaders()
//	for it.Next() {
//		switch it.Type() { case pkt.IPProtoRouting: r := pkt.IPv6Routing(it.Header()) ... }
//	}
//	if it.Err() != nil { ... }
//	proto, off := it.NextHeader(), it.Offset()
type IPv6ExtIter struct {
	b    []byte
	next uint8
	off  int
	cur  []byte
	typ  uint8
	n    int
	frag IPv6Fragment
	stop bool
	err  error
}

// NewIPv6ExtIter returns an iterator over the headers in b, the first of
// type proto (the IPv6 header's next header).
func NewIPv6ExtIter(proto uint8, b []byte) IPv6ExtIter {
	return IPv6ExtIter{b: b, next: proto}
}

// Next moves to the next extension header and reports whether there is
// one.
func (it *IPv6ExtIter) Next() bool {
	if it.stop || it.err != nil || !IsIPv6ExtHeader(it.next) {
		it.cur = nil
		return false
	}
	if it.n == MaxIPv6ExtHeaders {
		it.err = errIP6ExtMany
		it.cur = nil
		return false
	}
	rest := it.b[it.off:]
	if len(rest) < IPv6ExtMinLen {
		it.err = errIP6ExtTrunc
		it.cur = nil
		return false
	}
	var n int
	switch it.next {
	case IPProtoFragment:
		n = IPv6FragmentLen
		it.frag = IPv6Fragment(rest)
		if it.frag.FragmentOffset() != 0 {
			it.stop = true
		}
	case IPProtoAH:
		n = ahHeaderLen(rest)
		if rest[ahLen] == 0 {
			it.err = errAHLen
			it.cur = nil
			return false
		}
	default:
		n = extLen(rest)
	}
	if n > len(rest) {
		it.err = errIP6ExtTrunc
		it.cur = nil
		return false
	}
	it.typ = it.next
	it.cur = rest[:n:n]
	it.next = rest[0]
	it.off += n
	it.n++
	return true
}

// Type returns the current header's type (IPProtoRouting, ...).
func (it *IPv6ExtIter) Type() uint8 { return it.typ }

// Header returns the current header's bytes; convert them with the
// matching view type (IPv6Opts, IPv6Routing, IPv6Fragment, AH).
func (it *IPv6ExtIter) Header() []byte { return it.cur }

// NextHeader returns the next header value after the headers walked so
// far: once Next has returned false without error, the upper-layer
// protocol (or ESP, or IPProtoNoNext).
func (it *IPv6ExtIter) NextHeader() uint8 { return it.next }

// Offset returns the offset in b of the header after those walked so far.
func (it *IPv6ExtIter) Offset() int { return it.off }

// Fragment returns the fragment header met on the walk, or nil.
func (it *IPv6ExtIter) Fragment() IPv6Fragment { return it.frag }

// Err returns the error that stopped the walk, or nil.
func (it *IPv6ExtIter) Err() error { return it.err }

// SkipIPv6Ext walks the extension headers in b, the first of type proto,
// and returns the upper-layer protocol and its offset in b
// (rte_net_skip_ip6_ext). frag is the fragment header if there is one;
// when its offset is not 0 the walk stops after it, and next is the
// fragment's next header with no such header at off.
func SkipIPv6Ext(proto uint8, b []byte) (next uint8, off int, frag IPv6Fragment, err error) {
	it := NewIPv6ExtIter(proto, b)
	for it.Next() {
	}
	return it.next, it.off, it.frag, it.err
}
