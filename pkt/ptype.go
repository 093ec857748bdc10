package pkt

// Packet types (RTE_PTYPE_*), with the values of DPDK 22.11's
// lib/mbuf/rte_mbuf_ptype.h. A packet type is a uint32 made of seven 4-bit
// fields, one per layer: L2, L3, L4, tunnel, inner L2, inner L3 and inner L4.
// Each field holds one of the values below or 0 (unknown), so a type is
// tested with a mask, as in DPDK:
//
//	if p&pkt.PtypeL4Mask == pkt.PtypeL4TCP { ... }
//
// mbuf.Mbuf.PacketType holds such a value; GetPtype and ParsePtype compute
// one from the packet's bytes.
const (
	// PtypeUnknown is no packet type at all.
	PtypeUnknown uint32 = 0x00000000

	// PtypeL2Ether is an Ethernet frame.
	PtypeL2Ether uint32 = 0x00000001
	// PtypeL2EtherTimesync is an Ethernet frame carrying IEEE 1588 (0x88F7).
	PtypeL2EtherTimesync uint32 = 0x00000002
	// PtypeL2EtherARP is an Ethernet frame carrying ARP (0x0806).
	PtypeL2EtherARP uint32 = 0x00000003
	// PtypeL2EtherLLDP is an Ethernet frame carrying LLDP (0x88CC).
	PtypeL2EtherLLDP uint32 = 0x00000004
	// PtypeL2EtherNSH is an Ethernet frame carrying NSH (0x894F).
	PtypeL2EtherNSH uint32 = 0x00000005
	// PtypeL2EtherVLAN is an Ethernet frame with one VLAN tag.
	PtypeL2EtherVLAN uint32 = 0x00000006
	// PtypeL2EtherQinQ is an Ethernet frame with two VLAN tags.
	PtypeL2EtherQinQ uint32 = 0x00000007
	// PtypeL2EtherPPPoE is an Ethernet frame carrying PPPoE (0x8863, 0x8864).
	PtypeL2EtherPPPoE uint32 = 0x00000008
	// PtypeL2EtherFCoE is an Ethernet frame carrying FCoE (0x8906).
	PtypeL2EtherFCoE uint32 = 0x00000009
	// PtypeL2EtherMPLS is an Ethernet frame carrying MPLS (0x8847, 0x8848).
	PtypeL2EtherMPLS uint32 = 0x0000000a
	// PtypeL2Mask selects the L2 field.
	PtypeL2Mask uint32 = 0x0000000f

	// PtypeL3IPv4 is IPv4 without options.
	PtypeL3IPv4 uint32 = 0x00000010
	// PtypeL3IPv4Ext is IPv4 with options.
	PtypeL3IPv4Ext uint32 = 0x00000030
	// PtypeL3IPv6 is IPv6 without extension headers.
	PtypeL3IPv6 uint32 = 0x00000040
	// PtypeL3IPv4ExtUnknown is IPv4 that may or may not have options.
	PtypeL3IPv4ExtUnknown uint32 = 0x00000090
	// PtypeL3IPv6Ext is IPv6 with extension headers.
	PtypeL3IPv6Ext uint32 = 0x000000c0
	// PtypeL3IPv6ExtUnknown is IPv6 that may or may not have extension headers.
	PtypeL3IPv6ExtUnknown uint32 = 0x000000e0
	// PtypeL3Mask selects the L3 field.
	PtypeL3Mask uint32 = 0x000000f0

	// PtypeL4TCP is TCP.
	PtypeL4TCP uint32 = 0x00000100
	// PtypeL4UDP is UDP.
	PtypeL4UDP uint32 = 0x00000200
	// PtypeL4Frag is an IP fragment (first or not).
	PtypeL4Frag uint32 = 0x00000300
	// PtypeL4SCTP is SCTP.
	PtypeL4SCTP uint32 = 0x00000400
	// PtypeL4ICMP is ICMP or ICMPv6.
	PtypeL4ICMP uint32 = 0x00000500
	// PtypeL4NonFrag is a non-fragmented IP packet of another L4 protocol.
	PtypeL4NonFrag uint32 = 0x00000600
	// PtypeL4IGMP is IGMP.
	PtypeL4IGMP uint32 = 0x00000700
	// PtypeL4Mask selects the L4 field.
	PtypeL4Mask uint32 = 0x00000f00

	// PtypeTunnelIP is IP in IP (IPv4 or IPv6, protocol 4 or 41).
	PtypeTunnelIP uint32 = 0x00001000
	// PtypeTunnelGRE is GRE (protocol 47).
	PtypeTunnelGRE uint32 = 0x00002000
	// PtypeTunnelVXLAN is VXLAN (UDP port 4789).
	PtypeTunnelVXLAN uint32 = 0x00003000
	// PtypeTunnelNVGRE is GRE carrying Ethernet (transparent Ethernet bridging).
	PtypeTunnelNVGRE uint32 = 0x00004000
	// PtypeTunnelGeneve is Geneve (UDP port 6081).
	PtypeTunnelGeneve uint32 = 0x00005000
	// PtypeTunnelGRENAT is any of GRE, NVGRE and VXLAN ("Teredo, VXLAN or GRE").
	PtypeTunnelGRENAT uint32 = 0x00006000
	// PtypeTunnelGTPC is GTP-C (UDP port 2123).
	PtypeTunnelGTPC uint32 = 0x00007000
	// PtypeTunnelGTPU is GTP-U (UDP port 2152).
	PtypeTunnelGTPU uint32 = 0x00008000
	// PtypeTunnelESP is IPsec ESP (protocol 50).
	PtypeTunnelESP uint32 = 0x00009000
	// PtypeTunnelL2TP is L2TP.
	PtypeTunnelL2TP uint32 = 0x0000a000
	// PtypeTunnelVXLANGPE is VXLAN-GPE (UDP port 4790).
	PtypeTunnelVXLANGPE uint32 = 0x0000b000
	// PtypeTunnelMPLSInGRE is MPLS in GRE.
	PtypeTunnelMPLSInGRE uint32 = 0x0000c000
	// PtypeTunnelMPLSInUDP is MPLS in UDP (port 6635).
	PtypeTunnelMPLSInUDP uint32 = 0x0000d000
	// PtypeTunnelMask selects the tunnel field.
	PtypeTunnelMask uint32 = 0x0000f000

	// PtypeInnerL2Ether is an inner Ethernet frame.
	PtypeInnerL2Ether uint32 = 0x00010000
	// PtypeInnerL2EtherVLAN is an inner Ethernet frame with one VLAN tag.
	PtypeInnerL2EtherVLAN uint32 = 0x00020000
	// PtypeInnerL2EtherQinQ is an inner Ethernet frame with two VLAN tags.
	PtypeInnerL2EtherQinQ uint32 = 0x00030000
	// PtypeInnerL2Mask selects the inner L2 field.
	PtypeInnerL2Mask uint32 = 0x000f0000

	// PtypeInnerL3IPv4 is inner IPv4 without options.
	PtypeInnerL3IPv4 uint32 = 0x00100000
	// PtypeInnerL3IPv4Ext is inner IPv4 with options.
	PtypeInnerL3IPv4Ext uint32 = 0x00200000
	// PtypeInnerL3IPv6 is inner IPv6 without extension headers.
	PtypeInnerL3IPv6 uint32 = 0x00300000
	// PtypeInnerL3IPv4ExtUnknown is inner IPv4 that may or may not have options.
	PtypeInnerL3IPv4ExtUnknown uint32 = 0x00400000
	// PtypeInnerL3IPv6Ext is inner IPv6 with extension headers.
	PtypeInnerL3IPv6Ext uint32 = 0x00500000
	// PtypeInnerL3IPv6ExtUnknown is inner IPv6 that may or may not have extension headers.
	PtypeInnerL3IPv6ExtUnknown uint32 = 0x00600000
	// PtypeInnerL3Mask selects the inner L3 field.
	PtypeInnerL3Mask uint32 = 0x00f00000

	// PtypeInnerL4TCP is inner TCP.
	PtypeInnerL4TCP uint32 = 0x01000000
	// PtypeInnerL4UDP is inner UDP.
	PtypeInnerL4UDP uint32 = 0x02000000
	// PtypeInnerL4Frag is an inner IP fragment.
	PtypeInnerL4Frag uint32 = 0x03000000
	// PtypeInnerL4SCTP is inner SCTP.
	PtypeInnerL4SCTP uint32 = 0x04000000
	// PtypeInnerL4ICMP is inner ICMP or ICMPv6.
	PtypeInnerL4ICMP uint32 = 0x05000000
	// PtypeInnerL4NonFrag is a non-fragmented inner IP packet of another L4 protocol.
	PtypeInnerL4NonFrag uint32 = 0x06000000
	// PtypeInnerL4Mask selects the inner L4 field.
	PtypeInnerL4Mask uint32 = 0x0f000000

	// PtypeAllMask selects every field (RTE_PTYPE_ALL_MASK); as the layers
	// argument of GetPtype it asks for every layer.
	PtypeAllMask uint32 = 0x0fffffff
)

// PtypeIsIPv4 reports whether the outer L3 of p is one of the IPv4 types
// (RTE_ETH_IS_IPV4_HDR: bit 4 is set only by IPv4 values).
func PtypeIsIPv4(p uint32) bool { return p&PtypeL3IPv4 != 0 }

// PtypeIsIPv6 reports whether the outer L3 of p is one of the IPv6 types
// (RTE_ETH_IS_IPV6_HDR: bit 6 is set only by IPv6 values).
func PtypeIsIPv6(p uint32) bool { return p&PtypeL3IPv6 != 0 }

// PtypeIsTunnel reports whether p has a tunnel or any inner layer
// (RTE_ETH_IS_TUNNEL_PKT).
func PtypeIsTunnel(p uint32) bool {
	return p&(PtypeTunnelMask|PtypeInnerL2Mask|PtypeInnerL3Mask|PtypeInnerL4Mask) != 0
}
