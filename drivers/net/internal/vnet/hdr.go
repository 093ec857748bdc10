package vnet

import (
	"encoding/binary"

	"golang.org/x/sys/unix"
)

// Size is sizeof(struct virtio_net_hdr): the length of the header before
// every frame (PACKET_VNET_HDR, TUNSETVNETHDRSZ 10).
const Size = 10

// Header flags and GSO types (include/uapi/linux/virtio_net.h).
const (
	// FlagNeedsCsum: the L4 checksum is partial (the skb's
	// CHECKSUM_PARTIAL): the field at CsumStart+CsumOffset holds the
	// pseudo-header sum, the rest is still to be summed from CsumStart.
	FlagNeedsCsum = unix.VIRTIO_NET_HDR_F_NEEDS_CSUM
	// FlagDataValid: the kernel checked the L4 checksum (the skb's
	// CHECKSUM_UNNECESSARY).
	FlagDataValid = unix.VIRTIO_NET_HDR_F_DATA_VALID

	// GSONone: not a GSO frame.
	GSONone = unix.VIRTIO_NET_HDR_GSO_NONE
	// GSOTCPv4: a TCP over IPv4 frame to cut into GSOSize segments.
	GSOTCPv4 = unix.VIRTIO_NET_HDR_GSO_TCPV4
	// GSOTCPv6: a TCP over IPv6 frame to cut into GSOSize segments.
	GSOTCPv6 = unix.VIRTIO_NET_HDR_GSO_TCPV6
	// GSOUDPL4: a UDP frame to cut into GSOSize datagrams (UDP GSO).
	GSOUDPL4 = unix.VIRTIO_NET_HDR_GSO_UDP_L4
	// GSOECN, or'ed into a TCP GSO type: the frame's TCP header has CWR,
	// which only its first segment keeps.
	GSOECN = unix.VIRTIO_NET_HDR_GSO_ECN
)

// Hdr is a struct virtio_net_hdr, decoded.
type Hdr struct {
	Flags      uint8  // FlagNeedsCsum, FlagDataValid
	GSOType    uint8  // GSONone, GSOTCPv4, ... with GSOECN
	HdrLen     uint16 // length of the headers of a GSO frame
	GSOSize    uint16 // payload bytes per segment of a GSO frame
	CsumStart  uint16 // with FlagNeedsCsum: where the checksum's sum starts
	CsumOffset uint16 // with FlagNeedsCsum: the checksum field, from CsumStart
}

// Decode returns the header in b.
func Decode(b *[Size]byte) Hdr {
	return Hdr{
		Flags: b[0], GSOType: b[1],
		HdrLen:     binary.NativeEndian.Uint16(b[2:]),
		GSOSize:    binary.NativeEndian.Uint16(b[4:]),
		CsumStart:  binary.NativeEndian.Uint16(b[6:]),
		CsumOffset: binary.NativeEndian.Uint16(b[8:]),
	}
}

// Encode writes h into b.
func (h *Hdr) Encode(b *[Size]byte) {
	b[0], b[1] = h.Flags, h.GSOType
	binary.NativeEndian.PutUint16(b[2:], h.HdrLen)
	binary.NativeEndian.PutUint16(b[4:], h.GSOSize)
	binary.NativeEndian.PutUint16(b[6:], h.CsumStart)
	binary.NativeEndian.PutUint16(b[8:], h.CsumOffset)
}

// IsGSO reports whether h describes a GSO frame.
func (h *Hdr) IsGSO() bool { return h.GSOType != GSONone }

// Values of the frames' headers that the drivers look at.
const (
	EtherTypeIPv4 = 0x0800 // Ethernet type of IPv4
	EtherTypeIPv6 = 0x86dd // Ethernet type of IPv6
	ProtoTCP      = 6      // IP protocol number of TCP
	ProtoUDP      = 17     // IP protocol number of UDP
	TCPFIN        = 0x01   // TCP flag FIN
	TCPPSH        = 0x08   // TCP flag PSH
	TCPCWR        = 0x80   // TCP flag CWR
)

// L2Len returns the length of the Ethernet header of d with its VLAN tags
// (802.1Q, 802.1ad and the old 0x9100), and the ethertype after them (0, 0
// if d is too short).
func L2Len(d []byte) (int, uint16) {
	off := 12
	for off+2 <= len(d) {
		switch et := binary.BigEndian.Uint16(d[off:]); et {
		case 0x8100, 0x88a8, 0x9100:
			off += 4
		default:
			return off + 2, et
		}
	}
	return 0, 0
}
