package pkt

import (
	"encoding/binary"
	"net/netip"
)

// ARP packet for Ethernet and IPv4 (RFC 826, rte_arp_hdr):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|         Hardware Type         |         Protocol Type         |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  HW Addr Len  | Proto Addr Len|           Operation           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                 Sender Hardware Address (6)                   |
//	+                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                               |  Sender Protocol Address (4)  |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                               |                               |
//	+                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                 Target Hardware Address (6)                   |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                  Target Protocol Address (4)                  |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
const (
	arpHWType    = 0
	arpProtoType = 2
	arpHWLen     = 4
	arpProtoLen  = 5
	arpOp        = 6
	arpSHA       = 8
	arpSPA       = 14
	arpTHA       = 18
	arpTPA       = 24

	// ARPLen is the length of an Ethernet/IPv4 ARP packet.
	ARPLen = 28
	// ARPHWTypeEthernet is the hardware type of Ethernet (RTE_ARP_HRD_ETHER).
	ARPHWTypeEthernet = 1
)

// ARP operations (RTE_ARP_OP_*).
const (
	ARPOpRequest    uint16 = 1 // request
	ARPOpReply      uint16 = 2 // reply
	ARPOpRevRequest uint16 = 3 // reverse ARP request
	ARPOpRevReply   uint16 = 4 // reverse ARP reply
	ARPOpInvRequest uint16 = 8 // inverse ARP request
	ARPOpInvReply   uint16 = 9 // inverse ARP reply
)

// ARP is a view of an ARP packet whose addresses are 6-byte hardware and
// 4-byte protocol addresses (Ethernet and IPv4).
type ARP []byte

var (
	errARPTrunc  = hdrErr("ARP", ErrTruncated)
	errARPLens   = hdrErrf("ARP", "address lengths not 6 and 4", ErrMalformed)
	errARPNoRoom = hdrErr("ARP", ErrNoRoom)
)

// ParseARP returns b as an ARP view: ErrTruncated if b is shorter than
// ARPLen, ErrMalformed if the address lengths are not 6 and 4.
func ParseARP(b []byte) (ARP, error) {
	if len(b) < ARPLen {
		return nil, errARPTrunc
	}
	if b[arpHWLen] != 6 || b[arpProtoLen] != 4 {
		return nil, errARPLens
	}
	return ARP(b), nil
}

// HardwareType returns the hardware type (1 for Ethernet).
func (a ARP) HardwareType() uint16 { return binary.BigEndian.Uint16(a[arpHWType:]) }

// ProtocolType returns the protocol type (EtherTypeIPv4).
func (a ARP) ProtocolType() uint16 { return binary.BigEndian.Uint16(a[arpProtoType:]) }

// HardwareLen returns the hardware address length (6).
func (a ARP) HardwareLen() uint8 { return a[arpHWLen] }

// ProtocolLen returns the protocol address length (4).
func (a ARP) ProtocolLen() uint8 { return a[arpProtoLen] }

// Op returns the operation (ARPOpRequest, ARPOpReply, ...).
func (a ARP) Op() uint16 { return binary.BigEndian.Uint16(a[arpOp:]) }

// SenderMAC returns the sender hardware address.
func (a ARP) SenderMAC() MAC { return MAC(a[arpSHA : arpSHA+6]) }

// SenderIP returns the sender protocol address.
func (a ARP) SenderIP() netip.Addr { return netip.AddrFrom4([4]byte(a[arpSPA : arpSPA+4])) }

// TargetMAC returns the target hardware address.
func (a ARP) TargetMAC() MAC { return MAC(a[arpTHA : arpTHA+6]) }

// TargetIP returns the target protocol address.
func (a ARP) TargetIP() netip.Addr { return netip.AddrFrom4([4]byte(a[arpTPA : arpTPA+4])) }

// IsEthernetIPv4 reports whether the hardware type is Ethernet and the
// protocol type IPv4.
func (a ARP) IsEthernetIPv4() bool {
	return a.HardwareType() == ARPHWTypeEthernet && a.ProtocolType() == EtherTypeIPv4
}

// SetOp sets the operation.
func (a ARP) SetOp(op uint16) { binary.BigEndian.PutUint16(a[arpOp:], op) }

// SetSenderMAC sets the sender hardware address.
func (a ARP) SetSenderMAC(m MAC) { copy(a[arpSHA:arpSHA+6], m[:]) }

// SetSenderIP sets the sender protocol address; an address that is not
// IPv4 is written as 0.0.0.0.
func (a ARP) SetSenderIP(ip netip.Addr) { put4(a[arpSPA:arpSPA+4], ip) }

// SetTargetMAC sets the target hardware address.
func (a ARP) SetTargetMAC(m MAC) { copy(a[arpTHA:arpTHA+6], m[:]) }

// SetTargetIP sets the target protocol address; an address that is not
// IPv4 is written as 0.0.0.0.
func (a ARP) SetTargetIP(ip netip.Addr) { put4(a[arpTPA:arpTPA+4], ip) }

// HeaderLen returns ARPLen.
func (a ARP) HeaderLen() int { return ARPLen }

// ARPFields holds the fields ARP.Encode writes; the hardware and protocol
// types and lengths are always Ethernet and IPv4.
type ARPFields struct {
	Op                   uint16
	SenderMAC, TargetMAC MAC
	SenderIP, TargetIP   netip.Addr
}

// Encode writes an Ethernet/IPv4 ARP packet into the first 28 bytes of a;
// ErrNoRoom if a is shorter.
func (a ARP) Encode(f *ARPFields) error {
	if len(a) < ARPLen {
		return errARPNoRoom
	}
	binary.BigEndian.PutUint16(a[arpHWType:], ARPHWTypeEthernet)
	binary.BigEndian.PutUint16(a[arpProtoType:], EtherTypeIPv4)
	a[arpHWLen] = 6
	a[arpProtoLen] = 4
	a.SetOp(f.Op)
	a.SetSenderMAC(f.SenderMAC)
	a.SetSenderIP(f.SenderIP)
	a.SetTargetMAC(f.TargetMAC)
	a.SetTargetIP(f.TargetIP)
	return nil
}

// put4 writes an IPv4 address (or zeros for anything else) into b[:4].
func put4(b []byte, ip netip.Addr) {
	if ip.Is4() || ip.Is4In6() {
		a := ip.As4()
		copy(b[:4], a[:])
		return
	}
	clear(b[:4])
}

// put16 writes an IPv6 address (IPv4 ones mapped, zeros for the zero
// Addr) into b[:16].
func put16(b []byte, ip netip.Addr) {
	if !ip.IsValid() {
		clear(b[:16])
		return
	}
	a := ip.As16()
	copy(b[:16], a[:])
}
