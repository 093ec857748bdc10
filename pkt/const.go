package pkt

// EtherType values (IEEE 802 numbers; DPDK's RTE_ETHER_TYPE_*).
const (
	EtherTypeIPv4     uint16 = 0x0800 // Internet Protocol version 4
	EtherTypeARP      uint16 = 0x0806 // Address Resolution Protocol
	EtherTypeRARP     uint16 = 0x8035 // Reverse ARP
	EtherTypeTEB      uint16 = 0x6558 // Transparent Ethernet Bridging (GRE, NVGRE, Geneve, NSH)
	EtherTypeVLAN     uint16 = 0x8100 // IEEE 802.1Q VLAN tag (C-tag)
	EtherTypeQinQ     uint16 = 0x88A8 // IEEE 802.1ad S-tag (QinQ)
	EtherTypeQinQ9100 uint16 = 0x9100 // Legacy QinQ S-tag
	EtherTypeQinQ9200 uint16 = 0x9200 // Legacy QinQ S-tag
	EtherTypeQinQ9300 uint16 = 0x9300 // Legacy QinQ S-tag
	EtherTypeIPv6     uint16 = 0x86DD // Internet Protocol version 6
	EtherTypeSlow     uint16 = 0x8809 // Slow protocols (LACP, marker)
	EtherTypeMPLS     uint16 = 0x8847 // MPLS unicast
	EtherTypeMPLSMC   uint16 = 0x8848 // MPLS multicast
	EtherTypePPPoED   uint16 = 0x8863 // PPPoE discovery stage
	EtherTypePPPoE    uint16 = 0x8864 // PPPoE session stage
	EtherTypeLLDP     uint16 = 0x88CC // Link Layer Discovery Protocol
	EtherTypeMACsec   uint16 = 0x88E5 // IEEE 802.1AE MACsec
	EtherType1588     uint16 = 0x88F7 // IEEE 1588 Precision Time Protocol
	EtherTypeERSPAN2  uint16 = 0x88BE // ERSPAN type II (GRE protocol type)
	EtherTypeERSPAN3  uint16 = 0x22EB // ERSPAN type III (GRE protocol type)
	EtherTypeNSH      uint16 = 0x894F // Network Service Header
	EtherTypeECPRI    uint16 = 0xAEFE // eCPRI
	EtherTypeFCoE     uint16 = 0x8906 // Fibre Channel over Ethernet
	EtherTypeWOL      uint16 = 0x0842 // Wake-on-LAN
)

// IP protocol numbers (IANA "Assigned Internet Protocol Numbers"), used in the
// IPv4 protocol field and the IPv6 next header field.
const (
	IPProtoHopOpts  uint8 = 0   // IPv6 hop-by-hop options
	IPProtoICMP     uint8 = 1   // ICMP for IPv4
	IPProtoIGMP     uint8 = 2   // IGMP
	IPProtoIPIP     uint8 = 4   // IPv4 in IP (IPv4 encapsulation)
	IPProtoTCP      uint8 = 6   // TCP
	IPProtoUDP      uint8 = 17  // UDP
	IPProtoIPv6     uint8 = 41  // IPv6 in IP (IPv6 encapsulation)
	IPProtoRouting  uint8 = 43  // IPv6 routing header
	IPProtoFragment uint8 = 44  // IPv6 fragment header
	IPProtoGRE      uint8 = 47  // Generic Routing Encapsulation
	IPProtoESP      uint8 = 50  // Encapsulating Security Payload
	IPProtoAH       uint8 = 51  // Authentication Header
	IPProtoICMPv6   uint8 = 58  // ICMP for IPv6
	IPProtoNoNext   uint8 = 59  // IPv6 no next header
	IPProtoDstOpts  uint8 = 60  // IPv6 destination options
	IPProtoMobility uint8 = 135 // IPv6 mobility header
	IPProtoHIP      uint8 = 139 // Host Identity Protocol
	IPProtoShim6    uint8 = 140 // Shim6
	IPProtoSCTP     uint8 = 132 // Stream Control Transmission Protocol
	IPProtoUDPLite  uint8 = 136 // UDP-Lite
	IPProtoMPLS     uint8 = 137 // MPLS in IP
	IPProtoRaw      uint8 = 255 // Reserved (raw)
)

// Well-known UDP/TCP ports of tunnel and control protocols.
const (
	PortVXLAN     uint16 = 4789 // VXLAN (RFC 7348)
	PortVXLANGPE  uint16 = 4790 // VXLAN Generic Protocol Extension
	PortGeneve    uint16 = 6081 // Geneve (RFC 8926)
	PortGTPU      uint16 = 2152 // GTP-U (3GPP TS 29.281)
	PortGTPC      uint16 = 2123 // GTP-C
	PortMPLSUDP   uint16 = 6635 // MPLS over UDP (RFC 7510)
	PortL2TP      uint16 = 1701 // L2TP
	PortIPsecNATT uint16 = 4500 // IPsec NAT traversal (ESP in UDP)
	PortIKE       uint16 = 500  // IKE
	PortPTPEvent  uint16 = 319  // IEEE 1588 PTP event messages
	PortPTPGen    uint16 = 320  // IEEE 1588 PTP general messages
	PortDNS       uint16 = 53   // DNS
	PortDHCPS     uint16 = 67   // DHCP server (BOOTP)
	PortDHCPC     uint16 = 68   // DHCP client (BOOTP)
	PortBFD       uint16 = 3784 // BFD single hop
	PortTeredo    uint16 = 3544 // Teredo
)

// PPP protocol numbers carried after a PPPoE session header.
const (
	PPPProtoIPv4 uint16 = 0x0021 // IPv4
	PPPProtoIPv6 uint16 = 0x0057 // IPv6
	PPPProtoMPLS uint16 = 0x0281 // MPLS unicast
	PPPProtoLCP  uint16 = 0xC021 // Link Control Protocol
	PPPProtoIPCP uint16 = 0x8021 // IPv4 Control Protocol
)

// VXLAN-GPE and NSH next protocol values.
const (
	GPEProtoIPv4     uint8 = 0x01 // IPv4
	GPEProtoIPv6     uint8 = 0x02 // IPv6
	GPEProtoEthernet uint8 = 0x03 // Ethernet
	GPEProtoNSH      uint8 = 0x04 // Network Service Header
	GPEProtoMPLS     uint8 = 0x05 // MPLS
	GPEProtoGBP      uint8 = 0x06 // Group Based Policy
	GPEProtoVBNG     uint8 = 0x07 // vBNG
)

// NSH next protocol values (RFC 8300).
const (
	NSHProtoIPv4     uint8 = 0x01 // IPv4
	NSHProtoIPv6     uint8 = 0x02 // IPv6
	NSHProtoEthernet uint8 = 0x03 // Ethernet
	NSHProtoNSH      uint8 = 0x04 // NSH
	NSHProtoMPLS     uint8 = 0x05 // MPLS
)
