package pkt

import "encoding/binary"

// Ethernet II header (IEEE 802.3, rte_ether_hdr):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                    Destination MAC address                    |
//	+                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                               |                               |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
//	|                      Source MAC address                       |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|           EtherType           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
const (
	ethDst  = 0
	ethSrc  = 6
	ethType = 12

	// EthernetLen is the length of an Ethernet header without tags
	// (RTE_ETHER_HDR_LEN).
	EthernetLen = 14
	// EtherMinLen is the minimum frame length including the FCS
	// (RTE_ETHER_MIN_LEN).
	EtherMinLen = 64
	// EtherMaxLen is the maximum untagged frame length including the FCS
	// (RTE_ETHER_MAX_LEN).
	EtherMaxLen = 1518
	// EtherCRCLen is the length of the frame check sequence.
	EtherCRCLen = 4
	// EtherMTU is the default Ethernet MTU (RTE_ETHER_MTU).
	EtherMTU = 1500
	// MaxVLANTags bounds the tags Ethernet.InnerType walks.
	MaxVLANTags = 4
)

// Ethernet is a view of a frame starting with an Ethernet II header. The
// view is the whole frame; Payload is what follows the 14-byte header.
type Ethernet []byte

var errEthTrunc = hdrErr("Ethernet", ErrTruncated)

// ParseEthernet returns b as an Ethernet view; ErrTruncated if b is shorter
// than EthernetLen.
func ParseEthernet(b []byte) (Ethernet, error) {
	if len(b) < EthernetLen {
		return nil, errEthTrunc
	}
	return Ethernet(b), nil
}

// Dst returns the destination address.
func (e Ethernet) Dst() MAC { return MAC(e[ethDst : ethDst+6]) }

// Src returns the source address.
func (e Ethernet) Src() MAC { return MAC(e[ethSrc : ethSrc+6]) }

// EtherType returns the EtherType (or the TPID of a first VLAN tag).
func (e Ethernet) EtherType() uint16 { return binary.BigEndian.Uint16(e[ethType:]) }

// SetDst sets the destination address.
func (e Ethernet) SetDst(a MAC) { copy(e[ethDst:ethDst+6], a[:]) }

// SetSrc sets the source address.
func (e Ethernet) SetSrc(a MAC) { copy(e[ethSrc:ethSrc+6], a[:]) }

// SetEtherType sets the EtherType.
func (e Ethernet) SetEtherType(t uint16) { binary.BigEndian.PutUint16(e[ethType:], t) }

// SwapAddrs swaps source and destination, as macswap forwarding does.
func (e Ethernet) SwapAddrs() {
	var d [6]byte
	copy(d[:], e[ethDst:ethDst+6])
	copy(e[ethDst:ethDst+6], e[ethSrc:ethSrc+6])
	copy(e[ethSrc:ethSrc+6], d[:])
}

// HeaderLen returns EthernetLen.
func (e Ethernet) HeaderLen() int { return EthernetLen }

// Payload returns the bytes after the Ethernet header (tags included).
func (e Ethernet) Payload() []byte { return e[EthernetLen:] }

// IsVLANType reports whether t is the TPID of a VLAN tag: 802.1Q (0x8100),
// 802.1ad (0x88a8) or one of the legacy QinQ values 0x9100-0x9300.
func IsVLANType(t uint16) bool {
	switch t {
	case EtherTypeVLAN, EtherTypeQinQ, EtherTypeQinQ9100, EtherTypeQinQ9200, EtherTypeQinQ9300:
		return true
	}
	return false
}

// InnerType skips up to MaxVLANTags VLAN tags after the Ethernet header and
// returns the EtherType that follows them and the L2 header length
// (14 plus 4 per tag). ok is false if a tag is cut short or there are more
// than MaxVLANTags; etherType and l2Len then describe the last complete tag.
func (e Ethernet) InnerType() (etherType uint16, l2Len int, ok bool) {
	etherType = e.EtherType()
	l2Len = EthernetLen
	for i := 0; IsVLANType(etherType); i++ {
		if i == MaxVLANTags || len(e) < l2Len+VLANLen {
			return etherType, l2Len, false
		}
		etherType = binary.BigEndian.Uint16(e[l2Len+vlanType:])
		l2Len += VLANLen
	}
	return etherType, l2Len, true
}

// EthernetFields holds the fields Ethernet.Encode writes.
type EthernetFields struct {
	Dst, Src  MAC
	EtherType uint16
}

// Encode writes the header into the first 14 bytes of e; ErrNoRoom if e is
// shorter.
func (e Ethernet) Encode(f *EthernetFields) error {
	if len(e) < EthernetLen {
		return errEthNoRoom
	}
	e.SetDst(f.Dst)
	e.SetSrc(f.Src)
	e.SetEtherType(f.EtherType)
	return nil
}

var errEthNoRoom = hdrErr("Ethernet", ErrNoRoom)

// VLAN tag (IEEE 802.1Q C-tag or 802.1ad S-tag) as it follows the TPID,
// which is the EtherType of the header before it (rte_vlan_hdr):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	| PCP |D|          VLAN ID      |       Inner EtherType         |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
const (
	vlanTCI  = 0
	vlanType = 2

	// VLANLen is the length of a VLAN tag after its TPID.
	VLANLen = 4
	// VLANIDMask masks the VID out of a TCI.
	VLANIDMask = 0x0fff
)

// VLAN is a view of a VLAN tag (TCI and inner EtherType) and what follows.
// A QinQ frame has two: the S-tag's inner type is the C-tag's TPID.
type VLAN []byte

var (
	errVLANTrunc  = hdrErr("VLAN", ErrTruncated)
	errVLANNoRoom = hdrErr("VLAN", ErrNoRoom)
)

// ParseVLAN returns b as a VLAN view; ErrTruncated if b is shorter than
// VLANLen.
func ParseVLAN(b []byte) (VLAN, error) {
	if len(b) < VLANLen {
		return nil, errVLANTrunc
	}
	return VLAN(b), nil
}

// TCI returns the tag control information.
func (v VLAN) TCI() uint16 { return binary.BigEndian.Uint16(v[vlanTCI:]) }

// PCP returns the priority code point (3 bits).
func (v VLAN) PCP() uint8 { return v[vlanTCI] >> 5 }

// DEI returns the drop eligible indicator.
func (v VLAN) DEI() bool { return v[vlanTCI]&0x10 != 0 }

// VID returns the VLAN identifier (12 bits).
func (v VLAN) VID() uint16 { return v.TCI() & VLANIDMask }

// EtherType returns the EtherType of what follows the tag.
func (v VLAN) EtherType() uint16 { return binary.BigEndian.Uint16(v[vlanType:]) }

// SetTCI sets the tag control information.
func (v VLAN) SetTCI(tci uint16) { binary.BigEndian.PutUint16(v[vlanTCI:], tci) }

// SetVID sets the VLAN identifier, keeping PCP and DEI.
func (v VLAN) SetVID(vid uint16) { v.SetTCI(v.TCI()&^VLANIDMask | vid&VLANIDMask) }

// SetPCP sets the priority code point, keeping DEI and VID.
func (v VLAN) SetPCP(pcp uint8) { v[vlanTCI] = v[vlanTCI]&0x1f | (pcp&7)<<5 }

// SetEtherType sets the inner EtherType.
func (v VLAN) SetEtherType(t uint16) { binary.BigEndian.PutUint16(v[vlanType:], t) }

// HeaderLen returns VLANLen.
func (v VLAN) HeaderLen() int { return VLANLen }

// Payload returns the bytes after the tag.
func (v VLAN) Payload() []byte { return v[VLANLen:] }

// MakeTCI packs priority, drop eligibility and VLAN ID into a TCI.
func MakeTCI(pcp uint8, dei bool, vid uint16) uint16 {
	tci := uint16(pcp&7)<<13 | vid&VLANIDMask
	if dei {
		tci |= 0x1000
	}
	return tci
}

// VLANFields holds the fields VLAN.Encode writes.
type VLANFields struct {
	PCP       uint8
	DEI       bool
	VID       uint16
	EtherType uint16
}

// Encode writes the tag into the first 4 bytes of v; ErrNoRoom if v is
// shorter.
func (v VLAN) Encode(f *VLANFields) error {
	if len(v) < VLANLen {
		return errVLANNoRoom
	}
	v.SetTCI(MakeTCI(f.PCP, f.DEI, f.VID))
	v.SetEtherType(f.EtherType)
	return nil
}
