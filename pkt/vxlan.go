package pkt

import "encoding/binary"

// VXLAN header (RFC 7348, rte_vxlan_hdr), over UDP port 4789:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|R|R|R|R|I|R|R|R|            Reserved                           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                VXLAN Network Identifier (VNI) |   Reserved    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// VXLAN-GPE (draft-ietf-nvo3-vxlan-gpe, rte_vxlan_gpe_hdr), over UDP
// port 4790, uses the reserved bits for a version, flags and the next
// protocol:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|R|R|Ver|I|P|B|O|       Reserved                |Next Protocol  |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                VXLAN Network Identifier (VNI) |   Reserved    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
const (
	vxlanFlags   = 0
	vxlanGPEProt = 3
	vxlanVNI     = 4

	// VXLANLen is the length of a VXLAN or VXLAN-GPE header.
	VXLANLen = 8
)

// VXLAN and VXLAN-GPE flag bits of the first byte.
const (
	VXLANFlagI    uint8 = 0x08 // VNI valid
	VXLANGPEFlagP uint8 = 0x04 // next protocol present (GPE)
	VXLANGPEFlagB uint8 = 0x02 // BUM traffic (GPE)
	VXLANGPEFlagO uint8 = 0x01 // OAM packet (GPE)
)

// VXLAN is a view of a VXLAN packet: header and inner Ethernet frame.
type VXLAN []byte

var (
	errVXLANTrunc  = hdrErr("VXLAN", ErrTruncated)
	errVXLANNoRoom = hdrErr("VXLAN", ErrNoRoom)
	errGPETrunc    = hdrErr("VXLAN-GPE", ErrTruncated)
	errGPENoRoom   = hdrErr("VXLAN-GPE", ErrNoRoom)
)

// ParseVXLAN returns b as a VXLAN view; ErrTruncated if b is shorter than
// 8 bytes.
func ParseVXLAN(b []byte) (VXLAN, error) {
	if len(b) < VXLANLen {
		return nil, errVXLANTrunc
	}
	return VXLAN(b), nil
}

// Flags returns the flags byte.
func (v VXLAN) Flags() uint8 { return v[vxlanFlags] }

// VNIValid reports whether the I flag is set.
func (v VXLAN) VNIValid() bool { return v[vxlanFlags]&VXLANFlagI != 0 }

// VNI returns the 24-bit VXLAN network identifier.
func (v VXLAN) VNI() uint32 { return binary.BigEndian.Uint32(v[vxlanVNI:]) >> 8 }

// HeaderLen returns VXLANLen.
func (v VXLAN) HeaderLen() int { return VXLANLen }

// Payload returns the inner frame.
func (v VXLAN) Payload() []byte { return v[VXLANLen:] }

// SetVNI sets the VNI (its low 24 bits) and the I flag.
func (v VXLAN) SetVNI(vni uint32) {
	v[vxlanFlags] |= VXLANFlagI
	v[vxlanVNI] = byte(vni >> 16)
	v[vxlanVNI+1] = byte(vni >> 8)
	v[vxlanVNI+2] = byte(vni)
}

// Encode writes a header with the I flag and vni; ErrNoRoom if v is
// shorter than 8 bytes.
func (v VXLAN) Encode(vni uint32) error {
	if len(v) < VXLANLen {
		return errVXLANNoRoom
	}
	clear(v[:VXLANLen])
	v.SetVNI(vni)
	return nil
}

// VXLANGPE is a view of a VXLAN-GPE packet: header and inner packet.
type VXLANGPE []byte

// ParseVXLANGPE returns b as a VXLAN-GPE view; ErrTruncated if b is
// shorter than 8 bytes.
func ParseVXLANGPE(b []byte) (VXLANGPE, error) {
	if len(b) < VXLANLen {
		return nil, errGPETrunc
	}
	return VXLANGPE(b), nil
}

// Flags returns the flags byte (version included).
func (v VXLANGPE) Flags() uint8 { return v[vxlanFlags] }

// Version returns the 2-bit version.
func (v VXLANGPE) Version() uint8 { return v[vxlanFlags] >> 4 & 3 }

// VNIValid reports whether the I flag is set.
func (v VXLANGPE) VNIValid() bool { return v[vxlanFlags]&VXLANFlagI != 0 }

// HasNextProtocol reports whether the P flag is set.
func (v VXLANGPE) HasNextProtocol() bool { return v[vxlanFlags]&VXLANGPEFlagP != 0 }

// OAM reports whether the O flag is set.
func (v VXLANGPE) OAM() bool { return v[vxlanFlags]&VXLANGPEFlagO != 0 }

// NextProtocol returns the next protocol (GPEProtoIPv4, ...).
func (v VXLANGPE) NextProtocol() uint8 { return v[vxlanGPEProt] }

// VNI returns the 24-bit VXLAN network identifier.
func (v VXLANGPE) VNI() uint32 { return binary.BigEndian.Uint32(v[vxlanVNI:]) >> 8 }

// HeaderLen returns VXLANLen.
func (v VXLANGPE) HeaderLen() int { return VXLANLen }

// Payload returns the inner packet.
func (v VXLANGPE) Payload() []byte { return v[VXLANLen:] }

// SetNextProtocol sets the next protocol and the P flag.
func (v VXLANGPE) SetNextProtocol(p uint8) {
	v[vxlanFlags] |= VXLANGPEFlagP
	v[vxlanGPEProt] = p
}

// SetVNI sets the VNI (its low 24 bits) and the I flag.
func (v VXLANGPE) SetVNI(vni uint32) { VXLAN(v).SetVNI(vni) }

// Encode writes a version 0 header with the I and P flags; ErrNoRoom if v
// is shorter than 8 bytes.
func (v VXLANGPE) Encode(vni uint32, nextProto uint8) error {
	if len(v) < VXLANLen {
		return errGPENoRoom
	}
	clear(v[:VXLANLen])
	v.SetVNI(vni)
	v.SetNextProtocol(nextProto)
	return nil
}
