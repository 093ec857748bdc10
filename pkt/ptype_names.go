package pkt

// Names of packet types, as DPDK 22.11's lib/mbuf/rte_mbuf_ptype.c prints
// them. The tables are indexed by the field's 4-bit value; "" stands for the
// layer's UNKNOWN name.

var ptL2Names = [16]string{
	PtypeL2Ether:         "L2_ETHER",
	PtypeL2EtherTimesync: "L2_ETHER_TIMESYNC",
	PtypeL2EtherARP:      "L2_ETHER_ARP",
	PtypeL2EtherLLDP:     "L2_ETHER_LLDP",
	PtypeL2EtherNSH:      "L2_ETHER_NSH",
	PtypeL2EtherVLAN:     "L2_ETHER_VLAN",
	PtypeL2EtherQinQ:     "L2_ETHER_QINQ",
	PtypeL2EtherPPPoE:    "L2_ETHER_PPPOE",
	PtypeL2EtherFCoE:     "L2_ETHER_FCOE",
	PtypeL2EtherMPLS:     "L2_ETHER_MPLS",
}

var ptL3Names = [16]string{
	PtypeL3IPv4 >> 4:           "L3_IPV4",
	PtypeL3IPv4Ext >> 4:        "L3_IPV4_EXT",
	PtypeL3IPv6 >> 4:           "L3_IPV6",
	PtypeL3IPv4ExtUnknown >> 4: "L3_IPV4_EXT_UNKNOWN",
	PtypeL3IPv6Ext >> 4:        "L3_IPV6_EXT",
	PtypeL3IPv6ExtUnknown >> 4: "L3_IPV6_EXT_UNKNOWN",
}

var ptL4Names = [16]string{
	PtypeL4TCP >> 8:     "L4_TCP",
	PtypeL4UDP >> 8:     "L4_UDP",
	PtypeL4Frag >> 8:    "L4_FRAG",
	PtypeL4SCTP >> 8:    "L4_SCTP",
	PtypeL4ICMP >> 8:    "L4_ICMP",
	PtypeL4NonFrag >> 8: "L4_NONFRAG",
	PtypeL4IGMP >> 8:    "L4_IGMP",
}

var ptTunnelNames = [16]string{
	PtypeTunnelIP >> 12:        "TUNNEL_IP",
	PtypeTunnelGRE >> 12:       "TUNNEL_GRE",
	PtypeTunnelVXLAN >> 12:     "TUNNEL_VXLAN",
	PtypeTunnelNVGRE >> 12:     "TUNNEL_NVGRE",
	PtypeTunnelGeneve >> 12:    "TUNNEL_GENEVE",
	PtypeTunnelGRENAT >> 12:    "TUNNEL_GRENAT",
	PtypeTunnelGTPC >> 12:      "TUNNEL_GTPC",
	PtypeTunnelGTPU >> 12:      "TUNNEL_GTPU",
	PtypeTunnelESP >> 12:       "TUNNEL_ESP",
	PtypeTunnelL2TP >> 12:      "TUNNEL_L2TP",
	PtypeTunnelVXLANGPE >> 12:  "TUNNEL_VXLAN_GPE",
	PtypeTunnelMPLSInGRE >> 12: "TUNNEL_MPLS_IN_GRE",
	PtypeTunnelMPLSInUDP >> 12: "TUNNEL_MPLS_IN_UDP",
}

var ptInnerL2Names = [16]string{
	PtypeInnerL2Ether >> 16:     "INNER_L2_ETHER",
	PtypeInnerL2EtherVLAN >> 16: "INNER_L2_ETHER_VLAN",
	PtypeInnerL2EtherQinQ >> 16: "INNER_L2_ETHER_QINQ",
}

var ptInnerL3Names = [16]string{
	PtypeInnerL3IPv4 >> 20:           "INNER_L3_IPV4",
	PtypeInnerL3IPv4Ext >> 20:        "INNER_L3_IPV4_EXT",
	PtypeInnerL3IPv6 >> 20:           "INNER_L3_IPV6",
	PtypeInnerL3IPv4ExtUnknown >> 20: "INNER_L3_IPV4_EXT_UNKNOWN",
	PtypeInnerL3IPv6Ext >> 20:        "INNER_L3_IPV6_EXT",
	PtypeInnerL3IPv6ExtUnknown >> 20: "INNER_L3_IPV6_EXT_UNKNOWN",
}

var ptInnerL4Names = [16]string{
	PtypeInnerL4TCP >> 24:     "INNER_L4_TCP",
	PtypeInnerL4UDP >> 24:     "INNER_L4_UDP",
	PtypeInnerL4Frag >> 24:    "INNER_L4_FRAG",
	PtypeInnerL4SCTP >> 24:    "INNER_L4_SCTP",
	PtypeInnerL4ICMP >> 24:    "INNER_L4_ICMP",
	PtypeInnerL4NonFrag >> 24: "INNER_L4_NONFRAG",
}

// ptLayerNames lists, per 4-bit field from the lowest, the names and the
// name used for values DPDK does not define.
var ptLayerNames = [7]struct {
	names   *[16]string
	unknown string
}{
	{&ptL2Names, "L2_UNKNOWN"},
	{&ptL3Names, "L3_UNKNOWN"},
	{&ptL4Names, "L4_UNKNOWN"},
	{&ptTunnelNames, "TUNNEL_UNKNOWN"},
	{&ptInnerL2Names, "INNER_L2_UNKNOWN"},
	{&ptInnerL3Names, "INNER_L3_UNKNOWN"},
	{&ptInnerL4Names, "INNER_L4_UNKNOWN"},
}

func ptLayerName(p uint32, layer int) string {
	l := &ptLayerNames[layer]
	if s := l.names[(p>>(4*layer))&0xf]; s != "" {
		return s
	}
	return l.unknown
}

// PtypeL2Name returns the name of p's L2 field, "L2_UNKNOWN" if it has no
// name (rte_get_ptype_l2_name).
func PtypeL2Name(p uint32) string { return ptLayerName(p, 0) }

// PtypeL3Name returns the name of p's L3 field (rte_get_ptype_l3_name).
func PtypeL3Name(p uint32) string { return ptLayerName(p, 1) }

// PtypeL4Name returns the name of p's L4 field (rte_get_ptype_l4_name).
func PtypeL4Name(p uint32) string { return ptLayerName(p, 2) }

// PtypeTunnelName returns the name of p's tunnel field (rte_get_ptype_tunnel_name).
func PtypeTunnelName(p uint32) string { return ptLayerName(p, 3) }

// PtypeInnerL2Name returns the name of p's inner L2 field (rte_get_ptype_inner_l2_name).
func PtypeInnerL2Name(p uint32) string { return ptLayerName(p, 4) }

// PtypeInnerL3Name returns the name of p's inner L3 field (rte_get_ptype_inner_l3_name).
func PtypeInnerL3Name(p uint32) string { return ptLayerName(p, 5) }

// PtypeInnerL4Name returns the name of p's inner L4 field (rte_get_ptype_inner_l4_name).
func PtypeInnerL4Name(p uint32) string { return ptLayerName(p, 6) }

// AppendPtypeName appends PtypeName(p) to dst without allocating when dst
// has room.
func AppendPtypeName(dst []byte, p uint32) []byte {
	if p&PtypeAllMask == 0 {
		return append(dst, "UNKNOWN"...)
	}
	for layer := range ptLayerNames {
		if (p>>(4*layer))&0xf != 0 {
			dst = append(dst, ptLayerName(p, layer)...)
			dst = append(dst, ' ')
		}
	}
	return dst
}

// PtypeName returns the name of packet type p exactly as DPDK's
// rte_get_ptype_name writes it, which is what testpmd prints after
// "sw ptype: ": the name of each non-zero field from L2 to inner L4, each
// followed by one space (so a non-empty result ends with a space, e.g.
// "L2_ETHER L3_IPV4 L4_TCP "), or "UNKNOWN" when no field is set. Bits
// above PtypeAllMask are ignored.
func PtypeName(p uint32) string {
	var buf [160]byte
	return string(AppendPtypeName(buf[:0], p))
}
