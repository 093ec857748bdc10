package pkt

import (
	"dpk/pkt/checksum"
	"encoding/binary"
	"net/netip"
)

// IPv4 header (RFC 791, rte_ipv4_hdr):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|Version|  IHL  |   DSCP    |ECN|          Total Length         |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|         Identification        |Flags|      Fragment Offset    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  Time to Live |    Protocol   |         Header Checksum       |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                       Source Address                          |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                    Destination Address                        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                    Options                    |    Padding    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Flags are, from the most significant bit: reserved (0), DF, MF.
const (
	ipv4VerIHL   = 0
	ipv4TOS      = 1
	ipv4TotalLen = 2
	ipv4ID       = 4
	ipv4FragOff  = 6
	ipv4TTL      = 8
	ipv4Proto    = 9
	ipv4Cksum    = 10
	ipv4Src      = 12
	ipv4Dst      = 16
	ipv4Options  = 20

	// IPv4MinLen is the length of an IPv4 header without options.
	IPv4MinLen = 20
	// IPv4MaxLen is the length of an IPv4 header with 40 bytes of options.
	IPv4MaxLen = 60
	// IPv4Version is the version field of an IPv4 header.
	IPv4Version = 4
)

// IPv4 flag and fragment bits of the 16-bit flags/fragment offset field
// (RTE_IPV4_HDR_*).
const (
	IPv4FlagDF         uint16 = 0x4000 // don't fragment
	IPv4FlagMF         uint16 = 0x2000 // more fragments
	IPv4FragOffsetMask uint16 = 0x1fff // offset, in 8-byte units
)

// IPv4 is a view of an IPv4 packet: the header with options, then the
// payload. ParseIPv4 guarantees the header is complete; the total length
// field is only trusted where Payload clamps it.
type IPv4 []byte

var (
	errIPv4Trunc    = hdrErr("IPv4", ErrTruncated)
	errIPv4Version  = hdrErrf("IPv4", "version not 4", ErrMalformed)
	errIPv4IHL      = hdrErrf("IPv4", "IHL below 5", ErrMalformed)
	errIPv4TotShort = hdrErrf("IPv4", "total length below header length", ErrMalformed)
	errIPv4TotTrunc = hdrErrf("IPv4", "total length beyond buffer", ErrTruncated)
	errIPv4NoRoom   = hdrErr("IPv4", ErrNoRoom)
	errIPv4Options  = hdrErrf("IPv4", "options longer than 40 bytes or not a multiple of 4", ErrMalformed)
)

// ParseIPv4 returns b as an IPv4 view. It fails with ErrTruncated if b is
// shorter than 20 bytes or than the IHL says, and with ErrMalformed if the
// version is not 4 or the IHL is below 5. It does not look at the total
// length; CheckLength does.
func ParseIPv4(b []byte) (IPv4, error) {
	if len(b) < IPv4MinLen {
		return nil, errIPv4Trunc
	}
	if b[ipv4VerIHL]>>4 != IPv4Version {
		return nil, errIPv4Version
	}
	hl := int(b[ipv4VerIHL]&0xf) * 4
	if hl < IPv4MinLen {
		return nil, errIPv4IHL
	}
	if hl > len(b) {
		return nil, errIPv4Trunc
	}
	return IPv4(b), nil
}

// CheckLength checks the total length against the header and the view:
// ErrMalformed if it is below the header length, ErrTruncated if the view
// is shorter than it. A view longer than the total length (Ethernet
// padding) is fine.
func (ip IPv4) CheckLength() error {
	tl := int(ip.TotalLength())
	if tl < ip.HeaderLen() {
		return errIPv4TotShort
	}
	if tl > len(ip) {
		return errIPv4TotTrunc
	}
	return nil
}

// Version returns the version field (4).
func (ip IPv4) Version() uint8 { return ip[ipv4VerIHL] >> 4 }

// IHL returns the header length in 32-bit words.
func (ip IPv4) IHL() uint8 { return ip[ipv4VerIHL] & 0xf }

// HeaderLen returns the header length in bytes (rte_ipv4_hdr_len).
func (ip IPv4) HeaderLen() int { return int(ip[ipv4VerIHL]&0xf) * 4 }

// TOS returns the type of service byte (DSCP and ECN).
func (ip IPv4) TOS() uint8 { return ip[ipv4TOS] }

// DSCP returns the differentiated services code point (6 bits).
func (ip IPv4) DSCP() uint8 { return ip[ipv4TOS] >> 2 }

// ECN returns the explicit congestion notification bits.
func (ip IPv4) ECN() uint8 { return ip[ipv4TOS] & 3 }

// TotalLength returns the total length field: header plus payload.
func (ip IPv4) TotalLength() uint16 { return binary.BigEndian.Uint16(ip[ipv4TotalLen:]) }

// ID returns the identification field.
func (ip IPv4) ID() uint16 { return binary.BigEndian.Uint16(ip[ipv4ID:]) }

// FlagsFragmentOffset returns the raw flags and fragment offset field
// (fragment_offset in rte_ipv4_hdr).
func (ip IPv4) FlagsFragmentOffset() uint16 { return binary.BigEndian.Uint16(ip[ipv4FragOff:]) }

// Flags returns the three flag bits (bit 1 DF, bit 0 MF).
func (ip IPv4) Flags() uint8 { return ip[ipv4FragOff] >> 5 }

// DF reports whether the don't-fragment flag is set.
func (ip IPv4) DF() bool { return ip.FlagsFragmentOffset()&IPv4FlagDF != 0 }

// MF reports whether the more-fragments flag is set.
func (ip IPv4) MF() bool { return ip.FlagsFragmentOffset()&IPv4FlagMF != 0 }

// FragmentOffset returns the fragment offset in bytes (the field times 8).
func (ip IPv4) FragmentOffset() uint16 {
	return (ip.FlagsFragmentOffset() & IPv4FragOffsetMask) << 3
}

// IsFragment reports whether the packet is a fragment: MF set or a
// non-zero offset (rte_ipv4_frag_pkt_is_fragmented).
func (ip IPv4) IsFragment() bool {
	return ip.FlagsFragmentOffset()&(IPv4FlagMF|IPv4FragOffsetMask) != 0
}

// IsFirstFragment reports whether the packet is the first fragment of
// several: MF set and offset zero. Only it carries the L4 header.
func (ip IPv4) IsFirstFragment() bool {
	return ip.FlagsFragmentOffset()&(IPv4FlagMF|IPv4FragOffsetMask) == IPv4FlagMF
}

// TTL returns the time to live.
func (ip IPv4) TTL() uint8 { return ip[ipv4TTL] }

// Protocol returns the protocol of the payload (IPProtoTCP, ...).
func (ip IPv4) Protocol() uint8 { return ip[ipv4Proto] }

// Checksum returns the header checksum field.
func (ip IPv4) Checksum() uint16 { return binary.BigEndian.Uint16(ip[ipv4Cksum:]) }

// Src returns the source address.
func (ip IPv4) Src() netip.Addr { return netip.AddrFrom4([4]byte(ip[ipv4Src : ipv4Src+4])) }

// Dst returns the destination address.
func (ip IPv4) Dst() netip.Addr { return netip.AddrFrom4([4]byte(ip[ipv4Dst : ipv4Dst+4])) }

// Src4 returns the source address as 4 bytes.
func (ip IPv4) Src4() [4]byte { return [4]byte(ip[ipv4Src : ipv4Src+4]) }

// Dst4 returns the destination address as 4 bytes.
func (ip IPv4) Dst4() [4]byte { return [4]byte(ip[ipv4Dst : ipv4Dst+4]) }

// SrcUint32 returns the source address as a host-order integer, the form
// LPM and hash tables take.
func (ip IPv4) SrcUint32() uint32 { return binary.BigEndian.Uint32(ip[ipv4Src:]) }

// DstUint32 returns the destination address as a host-order integer.
func (ip IPv4) DstUint32() uint32 { return binary.BigEndian.Uint32(ip[ipv4Dst:]) }

// Options returns the options bytes (empty when IHL is 5).
func (ip IPv4) Options() []byte { return ip[ipv4Options:ip.HeaderLen()] }

// Header returns the header bytes, options included.
func (ip IPv4) Header() []byte { return ip[:ip.HeaderLen()] }

// Payload returns the bytes after the header up to the total length, or
// to the end of the view if the view is shorter; empty if the total
// length is below the header length.
func (ip IPv4) Payload() []byte {
	hl := ip.HeaderLen()
	end := int(ip.TotalLength())
	if end > len(ip) {
		end = len(ip)
	}
	if end < hl {
		end = hl
	}
	return ip[hl:end]
}

// CalculateChecksum computes the header checksum, treating the checksum
// field as zero: the value SetChecksum should store.
func (ip IPv4) CalculateChecksum() uint16 {
	return checksum.IPv4Header(ip[:ip.HeaderLen()])
}

// IsChecksumValid reports whether the header checksum is right.
func (ip IPv4) IsChecksumValid() bool {
	return checksum.VerifyIPv4Header(ip)
}

// PseudoHeaderSum returns the unfolded sum of the TCP/UDP pseudo-header
// for this packet and an L4 length, to start an L4 checksum with.
func (ip IPv4) PseudoHeaderSum(l4Len uint16) uint32 {
	return checksum.PseudoHeaderIPv4(ip.Src4(), ip.Dst4(), ip.Protocol(), l4Len)
}

// The setters below keep the header checksum right: each updates it
// incrementally (RFC 1624) for the words it changes, so a valid header
// stays valid. SetChecksum writes the field as given.

func (ip IPv4) set16(off int, v uint16) {
	old := binary.BigEndian.Uint16(ip[off:])
	binary.BigEndian.PutUint16(ip[off:], v)
	ip.SetChecksum(checksum.Update16(ip.Checksum(), old, v))
}

// set8 writes a byte as part of its 16-bit word (one load and one store
// of the word, so no store-to-load forwarding stall) and updates the
// checksum for the word.
func (ip IPv4) set8(off int, v uint8) {
	w := off &^ 1
	old := binary.BigEndian.Uint16(ip[w:])
	nw := old&0x00ff | uint16(v)<<8
	if off&1 != 0 {
		nw = old&0xff00 | uint16(v)
	}
	binary.BigEndian.PutUint16(ip[w:], nw)
	ip.SetChecksum(checksum.Update16(ip.Checksum(), old, nw))
}

// SetTOS sets the type of service byte.
func (ip IPv4) SetTOS(tos uint8) { ip.set8(ipv4TOS, tos) }

// SetTotalLength sets the total length.
func (ip IPv4) SetTotalLength(l uint16) { ip.set16(ipv4TotalLen, l) }

// SetID sets the identification.
func (ip IPv4) SetID(id uint16) { ip.set16(ipv4ID, id) }

// SetFlagsFragmentOffset sets the raw flags and fragment offset field.
func (ip IPv4) SetFlagsFragmentOffset(v uint16) { ip.set16(ipv4FragOff, v) }

// SetTTL sets the time to live.
func (ip IPv4) SetTTL(ttl uint8) { ip.set8(ipv4TTL, ttl) }

// DecTTL decrements the time to live, as a router does, and returns the
// new value; a TTL of zero is left alone.
func (ip IPv4) DecTTL() uint8 {
	ttl := ip.TTL()
	if ttl == 0 {
		return 0
	}
	ip.SetTTL(ttl - 1)
	return ttl - 1
}

// SetProtocol sets the protocol.
func (ip IPv4) SetProtocol(p uint8) { ip.set8(ipv4Proto, p) }

// SetChecksum sets the header checksum field.
func (ip IPv4) SetChecksum(c uint16) { binary.BigEndian.PutUint16(ip[ipv4Cksum:], c) }

// SetSrc sets the source address (0.0.0.0 if a is not IPv4). The TCP or
// UDP checksum, which covers it through the pseudo-header, is the
// caller's to update.
func (ip IPv4) SetSrc(a netip.Addr) { ip.setAddr(ipv4Src, a) }

// SetDst sets the destination address (0.0.0.0 if a is not IPv4); see
// SetSrc about L4 checksums.
func (ip IPv4) SetDst(a netip.Addr) { ip.setAddr(ipv4Dst, a) }

func (ip IPv4) setAddr(off int, a netip.Addr) {
	old := binary.BigEndian.Uint32(ip[off:])
	put4(ip[off:off+4], a)
	ip.SetChecksum(checksum.Update32(ip.Checksum(), old, binary.BigEndian.Uint32(ip[off:])))
}

// IPv4Fields holds the fields IPv4.Encode writes.
type IPv4Fields struct {
	TOS         uint8
	TotalLength uint16
	ID          uint16
	// Flags holds DF/MF as IPv4FlagDF/IPv4FlagMF.
	Flags uint16
	// FragmentOffset is in bytes; it should be a multiple of 8.
	FragmentOffset uint16
	TTL            uint8
	Protocol       uint8
	Src, Dst       netip.Addr
	// Options are copied after the fixed header; their length must be a
	// multiple of 4, at most 40.
	Options []byte
}

// Encode writes the header described by f at the start of ip and computes
// its checksum. It fails with ErrNoRoom if ip is too short for the header
// and options, ErrMalformed if the options' length is not valid.
func (ip IPv4) Encode(f *IPv4Fields) error {
	if len(f.Options)%4 != 0 || len(f.Options) > IPv4MaxLen-IPv4MinLen {
		return errIPv4Options
	}
	hl := IPv4MinLen + len(f.Options)
	if len(ip) < hl {
		return errIPv4NoRoom
	}
	ip[ipv4VerIHL] = IPv4Version<<4 | uint8(hl/4)
	ip[ipv4TOS] = f.TOS
	binary.BigEndian.PutUint16(ip[ipv4TotalLen:], f.TotalLength)
	binary.BigEndian.PutUint16(ip[ipv4ID:], f.ID)
	binary.BigEndian.PutUint16(ip[ipv4FragOff:], f.Flags&(IPv4FlagDF|IPv4FlagMF)|(f.FragmentOffset>>3)&IPv4FragOffsetMask)
	ip[ipv4TTL] = f.TTL
	ip[ipv4Proto] = f.Protocol
	put4(ip[ipv4Src:ipv4Src+4], f.Src)
	put4(ip[ipv4Dst:ipv4Dst+4], f.Dst)
	copy(ip[ipv4Options:hl], f.Options)
	ip.SetChecksum(0)
	ip.SetChecksum(ip.CalculateChecksum())
	return nil
}
