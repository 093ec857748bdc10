package pkt_test

import (
	"encoding/binary"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"dpk/eal"
	"dpk/internal/testutil"
	"dpk/mbuf"
	"dpk/mempool"
	"dpk/pkt"
)

// Packet builders for the packet-type tests. Each returns a header followed
// by its payload, with the length fields right.

func ptCat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

func ptU16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }

// ptEth is the Ethernet header with EtherType (or TPID) et.
func ptEth(et uint16) []byte {
	return ptCat([]byte{0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2}, ptU16(et))
}

// ptTag is a VLAN tag (TCI, then the next EtherType) following a TPID.
func ptTag(vid, et uint16) []byte { return ptCat(ptU16(vid), ptU16(et)) }

func ptIPv4(proto uint8, payload []byte) []byte { return ptIPv4x(proto, 0, 0, payload) }

// ptIPv4x is IPv4 with optWords words of options (NOPs) and the given
// flags/fragment-offset field.
func ptIPv4x(proto uint8, optWords int, frag uint16, payload []byte) []byte {
	h := make([]byte, 20+4*optWords)
	h[0] = 0x45 + byte(optWords)
	binary.BigEndian.PutUint16(h[2:], uint16(len(h)+len(payload)))
	binary.BigEndian.PutUint16(h[4:], 0x1234)
	binary.BigEndian.PutUint16(h[6:], frag)
	h[8], h[9] = 64, proto
	copy(h[12:], []byte{10, 0, 0, 1, 10, 0, 0, 2})
	for i := 20; i < len(h); i++ {
		h[i] = 1
	}
	var s uint32
	for i := 0; i < len(h); i += 2 {
		s += uint32(binary.BigEndian.Uint16(h[i:]))
	}
	for s > 0xffff {
		s = s&0xffff + s>>16
	}
	binary.BigEndian.PutUint16(h[10:], ^uint16(s))
	return ptCat(h, payload)
}

func ptIPv6(nh uint8, payload []byte) []byte {
	h := make([]byte, 40)
	h[0] = 0x60
	binary.BigEndian.PutUint16(h[4:], uint16(len(payload)))
	h[6], h[7] = nh, 64
	h[8], h[23] = 0xfd, 1
	h[24], h[39] = 0xfd, 2
	return ptCat(h, payload)
}

// ptExt6 is an IPv6 options or routing header of (units+1)*8 bytes.
func ptExt6(nh uint8, units int, payload []byte) []byte {
	h := make([]byte, (units+1)*8)
	h[0], h[1] = nh, byte(units)
	h[2] = 1 // PadN
	h[3] = byte(len(h) - 4)
	return ptCat(h, payload)
}

func ptFrag6(nh uint8, offset uint16, more bool, payload []byte) []byte {
	h := make([]byte, 8)
	h[0] = nh
	fo := offset << 3
	if more {
		fo |= 1
	}
	binary.BigEndian.PutUint16(h[2:], fo)
	binary.BigEndian.PutUint32(h[4:], 0xabcd)
	return ptCat(h, payload)
}

// ptAH is an IPv6 authentication header with 4-byte words of ICV.
func ptAH(nh uint8, icvWords int, payload []byte) []byte {
	h := make([]byte, 12+4*icvWords)
	h[0], h[1] = nh, byte(1+icvWords)
	return ptCat(h, payload)
}

func ptTCP(doffWords int, payload []byte) []byte {
	h := make([]byte, 4*doffWords)
	binary.BigEndian.PutUint16(h[0:], 1234)
	binary.BigEndian.PutUint16(h[2:], 80)
	if len(h) > 12 {
		h[12] = byte(doffWords << 4)
		h[13] = 0x10
	}
	return ptCat(h, payload)
}

func ptUDP(sport, dport uint16, payload []byte) []byte {
	h := make([]byte, 8)
	binary.BigEndian.PutUint16(h[0:], sport)
	binary.BigEndian.PutUint16(h[2:], dport)
	binary.BigEndian.PutUint16(h[4:], uint16(8+len(payload)))
	return ptCat(h, payload)
}

func ptSCTP(payload []byte) []byte { return ptCat(make([]byte, 12), payload) }

// ptGRE is a GRE header with flags (C 0x8000, K 0x2000, S 0x1000 add a word each).
func ptGRE(flags, proto uint16, payload []byte) []byte {
	n := 4
	for _, b := range []uint16{0x8000, 0x2000, 0x1000} {
		if flags&b != 0 {
			n += 4
		}
	}
	h := make([]byte, n)
	binary.BigEndian.PutUint16(h, flags)
	binary.BigEndian.PutUint16(h[2:], proto)
	return ptCat(h, payload)
}

func ptVXLAN(vni uint32, payload []byte) []byte {
	h := make([]byte, 8)
	h[0] = 0x08
	binary.BigEndian.PutUint32(h[4:], vni<<8)
	return ptCat(h, payload)
}

func ptGPE(np uint8, payload []byte) []byte {
	h := make([]byte, 8)
	h[0], h[3] = 0x0c, np
	return ptCat(h, payload)
}

// ptNSH is an NSH header of MD type 2 with ctxWords context words.
func ptNSH(np uint8, ctxWords int, payload []byte) []byte {
	h := make([]byte, 8+4*ctxWords)
	binary.BigEndian.PutUint16(h, uint16(63<<6|(2+ctxWords)))
	h[2], h[3] = 2, np
	return ptCat(h, payload)
}

func ptGeneve(optWords int, proto uint16, payload []byte) []byte {
	h := make([]byte, 8+4*optWords)
	h[0] = byte(optWords)
	binary.BigEndian.PutUint16(h[2:], proto)
	binary.BigEndian.PutUint32(h[4:], 0x123456<<8)
	return ptCat(h, payload)
}

// ptGTPU is a GTPv1-U header; ext, if not empty, is the extension header
// chain (the first byte of ext is the first header's type).
func ptGTPU(msg uint8, ext []byte, payload []byte) []byte {
	h := []byte{0x30, msg, 0, 0, 0, 0, 0x10, 0x01}
	if len(ext) > 0 {
		h[0] |= 0x04
		h = append(h, 0, 0, 0, ext[0])
		h = append(h, ext[1:]...)
	}
	binary.BigEndian.PutUint16(h[2:], uint16(len(h)-8+len(payload)))
	return ptCat(h, payload)
}

// ptPDUSession is a GTP-U PDU session container extension header (type
// 0x85), to pass to ptGTPU.
var ptPDUSession = []byte{0x85, 1, 0x10, 0x09, 0}

func ptMPLS(labels ...uint32) []byte {
	var b []byte
	for i, l := range labels {
		v := l<<12 | 64
		if i == len(labels)-1 {
			v |= 1 << 8
		}
		b = binary.BigEndian.AppendUint32(b, v)
	}
	return b
}

func ptPPPoE(proto uint16, payload []byte) []byte {
	h := []byte{0x11, 0, 0x12, 0x34, 0, 0}
	binary.BigEndian.PutUint16(h[4:], uint16(2+len(payload)))
	return ptCat(h, ptU16(proto), payload)
}

func ptPayload(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(0xa0 + i)
	}
	return b
}

// ptLens builds a HdrLens in the order testpmd prints them.
func ptLens(l2, l3, l4, tun, il2, il3, il4 int) pkt.HdrLens {
	return pkt.HdrLens{L2Len: uint8(l2), L3Len: uint16(l3), L4Len: uint8(l4), TunnelLen: uint16(tun),
		InnerL2Len: uint8(il2), InnerL3Len: uint16(il3), InnerL4Len: uint8(il4)}
}

type ptCase struct {
	name string
	data []byte
	// dpdk and dl are GetPtype's result (as PtypeName) and lengths.
	dpdk string
	dl   pkt.HdrLens
	// ext and el are ParsePtype's; ext "" means the same as dpdk.
	ext string
	el  pkt.HdrLens
}

var (
	ptTCPSeg  = ptTCP(5, ptPayload(6))
	ptUDPDgm  = ptUDP(5000, 53, ptPayload(4))
	ptInner4  = ptIPv4(pkt.IPProtoTCP, ptTCPSeg)
	ptInner6  = ptIPv6(pkt.IPProtoUDP, ptUDPDgm)
	ptInnerEt = ptCat(ptEth(pkt.EtherTypeIPv4), ptInner4)
)

// ptCases covers every branch of both parsers. The GetPtype results are
// what DPDK 22.11's rte_net_get_ptype gives (TestPtypeDPDKOracle checks
// them against dpdk-testpmd when it is installed).
var ptCases = []ptCase{
	{name: "ipv4tcp", data: ptCat(ptEth(0x0800), ptIPv4(6, ptTCP(5, ptPayload(10)))),
		dpdk: "L2_ETHER L3_IPV4 L4_TCP ", dl: ptLens(14, 20, 20, 0, 0, 0, 0)},
	{name: "ipv4opt_tcpopt", data: ptCat(ptEth(0x0800), ptIPv4x(6, 3, 0x4000, ptTCP(8, nil))),
		dpdk: "L2_ETHER L3_IPV4_EXT L4_TCP ", dl: ptLens(14, 32, 32, 0, 0, 0, 0)},
	{name: "ipv4udp", data: ptCat(ptEth(0x0800), ptIPv4(17, ptUDP(1, 2, ptPayload(20)))),
		dpdk: "L2_ETHER L3_IPV4 L4_UDP ", dl: ptLens(14, 20, 8, 0, 0, 0, 0)},
	{name: "ipv4sctp", data: ptCat(ptEth(0x0800), ptIPv4(132, ptSCTP(ptPayload(16)))),
		dpdk: "L2_ETHER L3_IPV4 L4_SCTP ", dl: ptLens(14, 20, 12, 0, 0, 0, 0)},
	{name: "ipv4icmp", data: ptCat(ptEth(0x0800), ptIPv4(1, ptPayload(16))),
		dpdk: "L2_ETHER L3_IPV4 ", dl: ptLens(14, 20, 0, 0, 0, 0, 0),
		ext: "L2_ETHER L3_IPV4 L4_ICMP ", el: ptLens(14, 20, 0, 0, 0, 0, 0)},
	{name: "ipv4igmp", data: ptCat(ptEth(0x0800), ptIPv4x(2, 1, 0, ptPayload(8))),
		dpdk: "L2_ETHER L3_IPV4_EXT ", dl: ptLens(14, 24, 0, 0, 0, 0, 0),
		ext: "L2_ETHER L3_IPV4_EXT L4_IGMP ", el: ptLens(14, 24, 0, 0, 0, 0, 0)},
	{name: "ipv4other", data: ptCat(ptEth(0x0800), ptIPv4(103, ptPayload(8))),
		dpdk: "L2_ETHER L3_IPV4 ", dl: ptLens(14, 20, 0, 0, 0, 0, 0),
		ext: "L2_ETHER L3_IPV4 L4_NONFRAG ", el: ptLens(14, 20, 0, 0, 0, 0, 0)},
	{name: "ipv4frag_first", data: ptCat(ptEth(0x0800), ptIPv4x(6, 0, 0x2000, ptTCP(5, ptPayload(8)))),
		dpdk: "L2_ETHER L3_IPV4 L4_FRAG ", dl: ptLens(14, 20, 0, 0, 0, 0, 0)},
	{name: "ipv4frag_last", data: ptCat(ptEth(0x0800), ptIPv4x(17, 0, 0x00b9, ptPayload(24))),
		dpdk: "L2_ETHER L3_IPV4 L4_FRAG ", dl: ptLens(14, 20, 0, 0, 0, 0, 0)},
	{name: "vlan_ipv4tcp", data: ptCat(ptEth(0x8100), ptTag(100, 0x0800), ptIPv4(6, ptTCP(6, nil))),
		dpdk: "L2_ETHER_VLAN L3_IPV4 L4_TCP ", dl: ptLens(18, 20, 24, 0, 0, 0, 0)},
	{name: "qinq_ipv4udp", data: ptCat(ptEth(0x88a8), ptTag(10, 0x8100), ptTag(20, 0x0800), ptIPv4(17, ptUDPDgm)),
		dpdk: "L2_ETHER_QINQ L3_IPV4 L4_UDP ", dl: ptLens(22, 20, 8, 0, 0, 0, 0)},
	{name: "dot1q_dot1q_ipv4udp", data: ptCat(ptEth(0x8100), ptTag(10, 0x8100), ptTag(20, 0x0800), ptIPv4(17, ptUDPDgm)),
		dpdk: "L2_ETHER_VLAN INNER_L2_ETHER_VLAN INNER_L3_IPV4 INNER_L4_UDP ", dl: ptLens(18, 0, 0, 0, 4, 20, 8),
		ext: "L2_ETHER_QINQ L3_IPV4 L4_UDP ", el: ptLens(22, 20, 8, 0, 0, 0, 0)},
	{name: "dot1ad_single_ipv4udp", data: ptCat(ptEth(0x88a8), ptTag(10, 0x0800), ptIPv4(17, ptUDPDgm)),
		dpdk: "L2_ETHER_QINQ ", dl: ptLens(22, 0, 0, 0, 0, 0, 0),
		ext: "L2_ETHER_VLAN L3_IPV4 L4_UDP ", el: ptLens(18, 20, 8, 0, 0, 0, 0)},
	{name: "triple_tag", data: ptCat(ptEth(0x88a8), ptTag(1, 0x8100), ptTag(2, 0x8100), ptTag(3, 0x86dd), ptInner6),
		dpdk: "L2_ETHER_QINQ INNER_L2_ETHER_VLAN INNER_L3_IPV6 INNER_L4_UDP ", dl: ptLens(22, 0, 0, 0, 4, 40, 8),
		ext: "L2_ETHER_QINQ L3_IPV6 L4_UDP ", el: ptLens(26, 40, 8, 0, 0, 0, 0)},
	{name: "mpls_ipv4tcp", data: ptCat(ptEth(0x8847), ptMPLS(100), ptInner4),
		dpdk: "L2_ETHER ", dl: ptLens(14, 0, 0, 0, 0, 0, 0),
		ext: "L2_ETHER_MPLS L3_IPV4 L4_TCP ", el: ptLens(18, 20, 20, 0, 0, 0, 0)},
	{name: "mpls2_ipv6udp", data: ptCat(ptEth(0x8848), ptMPLS(100, 200), ptInner6),
		dpdk: "L2_ETHER ", dl: ptLens(14, 0, 0, 0, 0, 0, 0),
		ext: "L2_ETHER_MPLS L3_IPV6 L4_UDP ", el: ptLens(22, 40, 8, 0, 0, 0, 0)},
	{name: "vlan_mpls_ipv4", data: ptCat(ptEth(0x8100), ptTag(7, 0x8847), ptMPLS(16), ptInner4),
		dpdk: "L2_ETHER_VLAN ", dl: ptLens(18, 0, 0, 0, 0, 0, 0),
		ext: "L2_ETHER_MPLS L3_IPV4 L4_TCP ", el: ptLens(22, 20, 20, 0, 0, 0, 0)},
	{name: "mpls_pw_eth", data: ptCat(ptEth(0x8847), ptMPLS(16), make([]byte, 4), ptInnerEt),
		dpdk: "L2_ETHER ", dl: ptLens(14, 0, 0, 0, 0, 0, 0),
		ext: "L2_ETHER_MPLS ", el: ptLens(18, 0, 0, 0, 0, 0, 0)},
	{name: "arp", data: ptCat(ptEth(0x0806), ptPayload(28)),
		dpdk: "L2_ETHER ", dl: ptLens(14, 0, 0, 0, 0, 0, 0),
		ext: "L2_ETHER_ARP ", el: ptLens(14, 0, 0, 0, 0, 0, 0)},
	{name: "vlan_arp", data: ptCat(ptEth(0x8100), ptTag(3, 0x0806), ptPayload(28)),
		dpdk: "L2_ETHER_VLAN ", dl: ptLens(18, 0, 0, 0, 0, 0, 0),
		ext: "L2_ETHER_ARP ", el: ptLens(18, 0, 0, 0, 0, 0, 0)},
	{name: "lldp", data: ptCat(ptEth(0x88cc), ptPayload(30)),
		dpdk: "L2_ETHER ", dl: ptLens(14, 0, 0, 0, 0, 0, 0),
		ext: "L2_ETHER_LLDP ", el: ptLens(14, 0, 0, 0, 0, 0, 0)},
	{name: "ptp", data: ptCat(ptEth(0x88f7), ptPayload(44)),
		dpdk: "L2_ETHER ", dl: ptLens(14, 0, 0, 0, 0, 0, 0),
		ext: "L2_ETHER_TIMESYNC ", el: ptLens(14, 0, 0, 0, 0, 0, 0)},
	{name: "pppoe_ipv4tcp", data: ptCat(ptEth(0x8864), ptPPPoE(0x0021, ptInner4)),
		dpdk: "L2_ETHER ", dl: ptLens(14, 0, 0, 0, 0, 0, 0),
		ext: "L2_ETHER_PPPOE L3_IPV4 L4_TCP ", el: ptLens(22, 20, 20, 0, 0, 0, 0)},
	{name: "pppoe_discovery", data: ptCat(ptEth(0x8863), ptPayload(20)),
		dpdk: "L2_ETHER ", dl: ptLens(14, 0, 0, 0, 0, 0, 0),
		ext: "L2_ETHER_PPPOE ", el: ptLens(14, 0, 0, 0, 0, 0, 0)},
	{name: "ipv6tcp", data: ptCat(ptEth(0x86dd), ptIPv6(6, ptTCP(5, nil))),
		dpdk: "L2_ETHER L3_IPV6 L4_TCP ", dl: ptLens(14, 40, 20, 0, 0, 0, 0)},
	{name: "ipv6_hbh_rt_udp", data: ptCat(ptEth(0x86dd), ptIPv6(0, ptExt6(43, 0, ptExt6(17, 2, ptUDPDgm)))),
		dpdk: "L2_ETHER L3_IPV6_EXT L4_UDP ", dl: ptLens(14, 72, 8, 0, 0, 0, 0)},
	{name: "ipv6_frag_first", data: ptCat(ptEth(0x86dd), ptIPv6(44, ptFrag6(17, 0, true, ptUDPDgm))),
		dpdk: "L2_ETHER L3_IPV6_EXT L4_FRAG ", dl: ptLens(14, 48, 0, 0, 0, 0, 0)},
	{name: "ipv6_frag_next", data: ptCat(ptEth(0x86dd), ptIPv6(60, ptExt6(44, 0, ptFrag6(6, 100, false, ptPayload(30))))),
		dpdk: "L2_ETHER L3_IPV6_EXT L4_FRAG ", dl: ptLens(14, 56, 0, 0, 0, 0, 0)},
	{name: "ipv6_atomic_frag", data: ptCat(ptEth(0x86dd), ptIPv6(44, ptFrag6(17, 0, false, ptUDPDgm))),
		dpdk: "L2_ETHER L3_IPV6_EXT L4_FRAG ", dl: ptLens(14, 48, 0, 0, 0, 0, 0),
		ext: "L2_ETHER L3_IPV6_EXT L4_UDP ", el: ptLens(14, 48, 8, 0, 0, 0, 0)},
	{name: "ipv6_frag_hdr0", data: ptCat(ptEth(0x86dd), ptIPv6(44, ptFrag6(0, 8, false, ptPayload(16)))),
		dpdk: "L2_ETHER L3_IPV6_EXT ", dl: ptLens(14, 48, 0, 0, 0, 0, 0),
		ext: "L2_ETHER L3_IPV6_EXT L4_FRAG ", el: ptLens(14, 48, 0, 0, 0, 0, 0)},
	// rte_net_skip_ip6_ext gives up after five headers, even when the
	// fifth is followed by TCP: four is its real limit.
	{name: "ipv6_5ext_tcp", data: ptCat(ptEth(0x86dd), ptIPv6(60, ptExt6(60, 0, ptExt6(60, 0, ptExt6(60, 0, ptExt6(60, 0, ptExt6(6, 1, ptTCPSeg))))))),
		dpdk: "L2_ETHER L3_IPV6_EXT ", dl: ptLens(14, 40, 0, 0, 0, 0, 0),
		ext: "L2_ETHER L3_IPV6_EXT L4_TCP ", el: ptLens(14, 88, 20, 0, 0, 0, 0)},
	{name: "ipv6_4ext_tcp", data: ptCat(ptEth(0x86dd), ptIPv6(60, ptExt6(60, 0, ptExt6(60, 0, ptExt6(60, 1, ptExt6(6, 0, ptTCPSeg)))))),
		dpdk: "L2_ETHER L3_IPV6_EXT L4_TCP ", dl: ptLens(14, 80, 20, 0, 0, 0, 0)},
	{name: "ipv6_9ext_tcp", data: ptCat(ptEth(0x86dd), ptIPv6(60, ptExt6(60, 0, ptExt6(60, 0, ptExt6(60, 0, ptExt6(60, 0, ptExt6(60, 0, ptExt6(60, 0, ptExt6(60, 0, ptExt6(60, 0, ptExt6(6, 0, ptTCPSeg))))))))))),
		dpdk: "L2_ETHER L3_IPV6_EXT ", dl: ptLens(14, 40, 0, 0, 0, 0, 0),
		ext: "L2_ETHER L3_IPV6_EXT ", el: ptLens(14, 104, 0, 0, 0, 0, 0)},
	{name: "ipv6_ah_tcp", data: ptCat(ptEth(0x86dd), ptIPv6(51, ptAH(6, 3, ptTCPSeg))),
		dpdk: "L2_ETHER L3_IPV6_EXT ", dl: ptLens(14, 40, 0, 0, 0, 0, 0),
		ext: "L2_ETHER L3_IPV6_EXT L4_TCP ", el: ptLens(14, 64, 20, 0, 0, 0, 0)},
	{name: "ipv6_esp", data: ptCat(ptEth(0x86dd), ptIPv6(50, ptPayload(40))),
		dpdk: "L2_ETHER L3_IPV6_EXT ", dl: ptLens(14, 40, 0, 0, 0, 0, 0),
		ext: "L2_ETHER L3_IPV6 L4_NONFRAG ", el: ptLens(14, 40, 0, 0, 0, 0, 0)},
	{name: "ipv6_nonext", data: ptCat(ptEth(0x86dd), ptIPv6(59, nil)),
		dpdk: "L2_ETHER L3_IPV6 ", dl: ptLens(14, 40, 0, 0, 0, 0, 0)},
	{name: "ipv6_dst_nonext", data: ptCat(ptEth(0x86dd), ptIPv6(60, ptExt6(59, 1, nil))),
		dpdk: "L2_ETHER L3_IPV6_EXT ", dl: ptLens(14, 56, 0, 0, 0, 0, 0)},
	{name: "ipv6_icmp6", data: ptCat(ptEth(0x86dd), ptIPv6(58, ptPayload(8))),
		dpdk: "L2_ETHER L3_IPV6 ", dl: ptLens(14, 40, 0, 0, 0, 0, 0),
		ext: "L2_ETHER L3_IPV6 L4_ICMP ", el: ptLens(14, 40, 0, 0, 0, 0, 0)},
	{name: "ipip_tcp", data: ptCat(ptEth(0x0800), ptIPv4(4, ptInner4)),
		dpdk: "L2_ETHER L3_IPV4 TUNNEL_IP INNER_L3_IPV4 INNER_L4_TCP ", dl: ptLens(14, 20, 0, 0, 0, 20, 20)},
	{name: "6in4_udp", data: ptCat(ptEth(0x0800), ptIPv4(41, ptInner6)),
		dpdk: "L2_ETHER L3_IPV4 TUNNEL_IP INNER_L3_IPV6 INNER_L4_UDP ", dl: ptLens(14, 20, 0, 0, 0, 40, 8)},
	{name: "4in6_frag", data: ptCat(ptEth(0x86dd), ptIPv6(4, ptIPv4x(17, 0, 0x2000, ptUDPDgm))),
		dpdk: "L2_ETHER L3_IPV6 TUNNEL_IP INNER_L3_IPV4 INNER_L4_FRAG ", dl: ptLens(14, 40, 0, 0, 0, 20, 0)},
	{name: "6in6_ext_sctp", data: ptCat(ptEth(0x86dd), ptIPv6(41, ptIPv6(0, ptExt6(132, 0, ptSCTP(nil))))),
		dpdk: "L2_ETHER L3_IPV6 TUNNEL_IP INNER_L3_IPV6_EXT INNER_L4_SCTP ", dl: ptLens(14, 40, 0, 0, 0, 48, 12)},
	{name: "6in6_inner_frag", data: ptCat(ptEth(0x86dd), ptIPv6(41, ptIPv6(44, ptFrag6(6, 0, true, ptTCPSeg)))),
		dpdk: "L2_ETHER L3_IPV6 TUNNEL_IP INNER_L3_IPV6_EXT INNER_L4_FRAG ", dl: ptLens(14, 40, 0, 0, 0, 48, 0)},
	{name: "gre_ipv4tcp", data: ptCat(ptEth(0x0800), ptIPv4(47, ptGRE(0, 0x0800, ptInner4))),
		dpdk: "L2_ETHER L3_IPV4 TUNNEL_GRE INNER_L3_IPV4 INNER_L4_TCP ", dl: ptLens(14, 20, 0, 4, 0, 20, 20)},
	{name: "gre_ks_ipv6udp", data: ptCat(ptEth(0x0800), ptIPv4(47, ptGRE(0x3000, 0x86dd, ptInner6))),
		dpdk: "L2_ETHER L3_IPV4 TUNNEL_GRE INNER_L3_IPV6 INNER_L4_UDP ", dl: ptLens(14, 20, 0, 12, 0, 40, 8)},
	{name: "gre_cks_over_ipv6", data: ptCat(ptEth(0x86dd), ptIPv6(47, ptGRE(0xb000, 0x0800, ptInner4))),
		dpdk: "L2_ETHER L3_IPV6 TUNNEL_GRE INNER_L3_IPV4 INNER_L4_TCP ", dl: ptLens(14, 40, 0, 16, 0, 20, 20)},
	{name: "gre_routing", data: ptCat(ptEth(0x0800), ptIPv4(47, ptGRE(0x4000, 0x0800, ptInner4))),
		dpdk: "L2_ETHER L3_IPV4 ", dl: ptLens(14, 20, 0, 0, 0, 0, 0)},
	{name: "gre_unknown_proto", data: ptCat(ptEth(0x0800), ptIPv4(47, ptGRE(0, 0x9999, ptPayload(20)))),
		dpdk: "L2_ETHER L3_IPV4 TUNNEL_GRE ", dl: ptLens(14, 20, 0, 4, 0, 0, 0)},
	{name: "gre_pptp", data: ptCat(ptEth(0x0800), ptIPv4(47, ptCat([]byte{0x30, 0x81, 0x88, 0x0b, 0, 4, 0, 1, 0, 0, 0, 7, 0, 0, 0, 6}, ptPayload(4)))),
		dpdk: "L2_ETHER L3_IPV4 TUNNEL_GRE ", dl: ptLens(14, 20, 0, 12, 0, 0, 0),
		ext: "L2_ETHER L3_IPV4 TUNNEL_GRE ", el: ptLens(14, 20, 0, 16, 0, 0, 0)},
	{name: "nvgre_vlan_ipv4udp", data: ptCat(ptEth(0x0800), ptIPv4(47, ptGRE(0x2000, 0x6558, ptCat(ptEth(0x8100), ptTag(5, 0x0800), ptIPv4(17, ptUDPDgm))))),
		dpdk: "L2_ETHER L3_IPV4 TUNNEL_NVGRE INNER_L2_ETHER_VLAN INNER_L3_IPV4 INNER_L4_UDP ", dl: ptLens(14, 20, 0, 8, 18, 20, 8)},
	{name: "nvgre_qinq_ipv6", data: ptCat(ptEth(0x0800), ptIPv4(47, ptGRE(0x2000, 0x6558, ptCat(ptEth(0x88a8), ptTag(5, 0x8100), ptTag(6, 0x86dd), ptInner6)))),
		dpdk: "L2_ETHER L3_IPV4 TUNNEL_NVGRE INNER_L2_ETHER_QINQ INNER_L3_IPV6 INNER_L4_UDP ", dl: ptLens(14, 20, 0, 8, 22, 40, 8)},
	{name: "gre_mpls_ipv4", data: ptCat(ptEth(0x0800), ptIPv4(47, ptGRE(0, 0x8847, ptCat(ptMPLS(30), ptInner4)))),
		dpdk: "L2_ETHER L3_IPV4 TUNNEL_GRE ", dl: ptLens(14, 20, 0, 4, 0, 0, 0),
		ext: "L2_ETHER L3_IPV4 TUNNEL_MPLS_IN_GRE INNER_L3_IPV4 INNER_L4_TCP ", el: ptLens(14, 20, 0, 8, 0, 20, 20)},
	{name: "erspan2", data: ptCat(ptEth(0x0800), ptIPv4(47, ptGRE(0x1000, 0x88be, ptCat([]byte{0x10, 0, 0x08, 1, 0, 0, 0, 0}, ptInnerEt)))),
		dpdk: "L2_ETHER L3_IPV4 TUNNEL_GRE ", dl: ptLens(14, 20, 0, 8, 0, 0, 0),
		ext: "L2_ETHER L3_IPV4 TUNNEL_GRE INNER_L2_ETHER INNER_L3_IPV4 INNER_L4_TCP ", el: ptLens(14, 20, 0, 16, 14, 20, 20)},
	{name: "erspan3", data: ptCat(ptEth(0x0800), ptIPv4(47, ptGRE(0x1000, 0x22eb, ptCat([]byte{0x20, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1}, make([]byte, 8), ptInnerEt)))),
		dpdk: "L2_ETHER L3_IPV4 TUNNEL_GRE ", dl: ptLens(14, 20, 0, 8, 0, 0, 0),
		ext: "L2_ETHER L3_IPV4 TUNNEL_GRE INNER_L2_ETHER INNER_L3_IPV4 INNER_L4_TCP ", el: ptLens(14, 20, 0, 28, 14, 20, 20)},
	{name: "vxlan", data: ptCat(ptEth(0x0800), ptIPv4(17, ptUDP(40000, 4789, ptVXLAN(42, ptInnerEt)))),
		dpdk: "L2_ETHER L3_IPV4 L4_UDP ", dl: ptLens(14, 20, 8, 0, 0, 0, 0),
		ext: "L2_ETHER L3_IPV4 L4_UDP TUNNEL_VXLAN INNER_L2_ETHER INNER_L3_IPV4 INNER_L4_TCP ", el: ptLens(14, 20, 8, 8, 14, 20, 20)},
	{name: "vxlan6_vlan_ipv6", data: ptCat(ptEth(0x86dd), ptIPv6(17, ptUDP(40000, 4789, ptVXLAN(42, ptCat(ptEth(0x8100), ptTag(9, 0x86dd), ptInner6))))),
		dpdk: "L2_ETHER L3_IPV6 L4_UDP ", dl: ptLens(14, 40, 8, 0, 0, 0, 0),
		ext: "L2_ETHER L3_IPV6 L4_UDP TUNNEL_VXLAN INNER_L2_ETHER_VLAN INNER_L3_IPV6 INNER_L4_UDP ", el: ptLens(14, 40, 8, 8, 18, 40, 8)},
	{name: "vxlan_arp", data: ptCat(ptEth(0x0800), ptIPv4(17, ptUDP(40000, 4789, ptVXLAN(42, ptCat(ptEth(0x0806), ptPayload(28)))))),
		dpdk: "L2_ETHER L3_IPV4 L4_UDP ", dl: ptLens(14, 20, 8, 0, 0, 0, 0),
		ext: "L2_ETHER L3_IPV4 L4_UDP TUNNEL_VXLAN INNER_L2_ETHER ", el: ptLens(14, 20, 8, 8, 14, 0, 0)},
	{name: "vxlan_inner_icmp", data: ptCat(ptEth(0x0800), ptIPv4(17, ptUDP(40000, 4789, ptVXLAN(42, ptCat(ptEth(0x0800), ptIPv4(1, ptPayload(12))))))),
		dpdk: "L2_ETHER L3_IPV4 L4_UDP ", dl: ptLens(14, 20, 8, 0, 0, 0, 0),
		ext: "L2_ETHER L3_IPV4 L4_UDP TUNNEL_VXLAN INNER_L2_ETHER INNER_L3_IPV4 INNER_L4_ICMP ", el: ptLens(14, 20, 8, 8, 14, 20, 0)},
	{name: "vxlan_gpe_ipv6", data: ptCat(ptEth(0x0800), ptIPv4(17, ptUDP(40000, 4790, ptGPE(2, ptInner6)))),
		dpdk: "L2_ETHER L3_IPV4 L4_UDP ", dl: ptLens(14, 20, 8, 0, 0, 0, 0),
		ext: "L2_ETHER L3_IPV4 L4_UDP TUNNEL_VXLAN_GPE INNER_L3_IPV6 INNER_L4_UDP ", el: ptLens(14, 20, 8, 8, 0, 40, 8)},
	{name: "vxlan_gpe_nsh_ipv4", data: ptCat(ptEth(0x0800), ptIPv4(17, ptUDP(40000, 4790, ptGPE(4, ptNSH(1, 2, ptInner4))))),
		dpdk: "L2_ETHER L3_IPV4 L4_UDP ", dl: ptLens(14, 20, 8, 0, 0, 0, 0),
		ext: "L2_ETHER L3_IPV4 L4_UDP TUNNEL_VXLAN_GPE INNER_L3_IPV4 INNER_L4_TCP ", el: ptLens(14, 20, 8, 24, 0, 20, 20)},
	{name: "geneve_opts_eth", data: ptCat(ptEth(0x0800), ptIPv4(17, ptUDP(40000, 6081, ptGeneve(2, 0x6558, ptInnerEt)))),
		dpdk: "L2_ETHER L3_IPV4 L4_UDP ", dl: ptLens(14, 20, 8, 0, 0, 0, 0),
		ext: "L2_ETHER L3_IPV4 L4_UDP TUNNEL_GENEVE INNER_L2_ETHER INNER_L3_IPV4 INNER_L4_TCP ", el: ptLens(14, 20, 8, 16, 14, 20, 20)},
	{name: "geneve_ipv6", data: ptCat(ptEth(0x86dd), ptIPv6(17, ptUDP(40000, 6081, ptGeneve(0, 0x86dd, ptInner6)))),
		dpdk: "L2_ETHER L3_IPV6 L4_UDP ", dl: ptLens(14, 40, 8, 0, 0, 0, 0),
		ext: "L2_ETHER L3_IPV6 L4_UDP TUNNEL_GENEVE INNER_L3_IPV6 INNER_L4_UDP ", el: ptLens(14, 40, 8, 8, 0, 40, 8)},
	{name: "gtpu_ipv4tcp", data: ptCat(ptEth(0x0800), ptIPv4(17, ptUDP(2152, 2152, ptGTPU(0xff, nil, ptInner4)))),
		dpdk: "L2_ETHER L3_IPV4 L4_UDP ", dl: ptLens(14, 20, 8, 0, 0, 0, 0),
		ext: "L2_ETHER L3_IPV4 L4_UDP TUNNEL_GTPU INNER_L3_IPV4 INNER_L4_TCP ", el: ptLens(14, 20, 8, 8, 0, 20, 20)},
	{name: "gtpu_ext_ipv6udp", data: ptCat(ptEth(0x0800), ptIPv4(17, ptUDP(2152, 2152, ptGTPU(0xff, ptPDUSession, ptInner6)))),
		dpdk: "L2_ETHER L3_IPV4 L4_UDP ", dl: ptLens(14, 20, 8, 0, 0, 0, 0),
		ext: "L2_ETHER L3_IPV4 L4_UDP TUNNEL_GTPU INNER_L3_IPV6 INNER_L4_UDP ", el: ptLens(14, 20, 8, 16, 0, 40, 8)},
	{name: "gtpu_echo", data: ptCat(ptEth(0x0800), ptIPv4(17, ptUDP(2152, 2152, ptGTPU(1, nil, nil)))),
		dpdk: "L2_ETHER L3_IPV4 L4_UDP ", dl: ptLens(14, 20, 8, 0, 0, 0, 0),
		ext: "L2_ETHER L3_IPV4 L4_UDP TUNNEL_GTPU ", el: ptLens(14, 20, 8, 8, 0, 0, 0)},
	{name: "gtpu_not_v1", data: ptCat(ptEth(0x0800), ptIPv4(17, ptUDP(2152, 2152, ptCat([]byte{0x50, 0xff, 0, 0, 0, 0, 0, 0}, ptInner4)))),
		dpdk: "L2_ETHER L3_IPV4 L4_UDP ", dl: ptLens(14, 20, 8, 0, 0, 0, 0)},
	{name: "mpls_in_udp", data: ptCat(ptEth(0x0800), ptIPv4(17, ptUDP(40000, 6635, ptCat(ptMPLS(1, 2), ptInner4)))),
		dpdk: "L2_ETHER L3_IPV4 L4_UDP ", dl: ptLens(14, 20, 8, 0, 0, 0, 0),
		ext: "L2_ETHER L3_IPV4 L4_UDP TUNNEL_MPLS_IN_UDP INNER_L3_IPV4 INNER_L4_TCP ", el: ptLens(14, 20, 8, 8, 0, 20, 20)},
	// DPDK matches IP protocols against byte-swapped EtherTypes.
	{name: "quirk_proto8_as_ipv4", data: ptCat(ptEth(0x0800), ptIPv4(8, ptIPv4(17, ptUDPDgm))),
		dpdk: "L2_ETHER L3_IPV4 INNER_L3_IPV4 INNER_L4_UDP ", dl: ptLens(14, 20, 0, 0, 0, 20, 8),
		ext: "L2_ETHER L3_IPV4 L4_NONFRAG ", el: ptLens(14, 20, 0, 0, 0, 0, 0)},
	{name: "quirk_proto129_as_vlan", data: ptCat(ptEth(0x0800), ptIPv4(129, ptCat(ptTag(3, 0x0800), ptInner4))),
		dpdk: "L2_ETHER L3_IPV4 INNER_L2_ETHER_VLAN INNER_L3_IPV4 INNER_L4_TCP ", dl: ptLens(14, 20, 0, 0, 4, 20, 20),
		ext: "L2_ETHER L3_IPV4 L4_NONFRAG ", el: ptLens(14, 20, 0, 0, 0, 0, 0)},
	{name: "quirk_len1024_as_ipip", data: ptCat(ptEth(0x0400), ptIPv4(17, ptUDPDgm)),
		dpdk: "L2_ETHER TUNNEL_IP INNER_L3_IPV4 INNER_L4_UDP ", dl: ptLens(14, 0, 0, 0, 0, 20, 8),
		ext: "L2_ETHER ", el: ptLens(14, 0, 0, 0, 0, 0, 0)},
	{name: "quirk_ethertype_2f00_as_gre", data: ptCat(ptEth(0x2f00), ptGRE(0, 0x86dd, ptInner6)),
		dpdk: "L2_ETHER TUNNEL_GRE INNER_L3_IPV6 INNER_L4_UDP ", dl: ptLens(14, 0, 0, 4, 0, 40, 8),
		ext: "L2_ETHER ", el: ptLens(14, 0, 0, 0, 0, 0, 0)},
	{name: "quirk_ethertype_teb", data: ptCat(ptEth(0x6558), ptInnerEt),
		dpdk: "L2_ETHER INNER_L2_ETHER INNER_L3_IPV4 INNER_L4_TCP ", dl: ptLens(14, 0, 0, 0, 14, 20, 20),
		ext: "L2_ETHER ", el: ptLens(14, 0, 0, 0, 0, 0, 0)},
	{name: "bad_version_in_ipv4", data: ptCat(ptEth(0x0800), ptCat([]byte{0x65}, ptIPv4(6, ptTCPSeg)[1:])),
		dpdk: "L2_ETHER L4_TCP ", dl: ptLens(14, 20, 20, 0, 0, 0, 0),
		ext: "L2_ETHER ", el: ptLens(14, 0, 0, 0, 0, 0, 0)},
	{name: "ipv4_ihl3", data: ptCat(ptEth(0x0800), ptCat([]byte{0x43}, ptIPv4(17, ptUDPDgm)[1:])),
		dpdk: "L2_ETHER L4_UDP ", dl: ptLens(14, 12, 8, 0, 0, 0, 0),
		ext: "L2_ETHER ", el: ptLens(14, 0, 0, 0, 0, 0, 0)},
	{name: "ipv6_bad_version", data: ptCat(ptEth(0x86dd), ptCat([]byte{0x40}, ptIPv6(6, ptTCPSeg)[1:])),
		dpdk: "L2_ETHER L3_IPV6 L4_TCP ", dl: ptLens(14, 40, 20, 0, 0, 0, 0),
		ext: "L2_ETHER ", el: ptLens(14, 0, 0, 0, 0, 0, 0)},
	{name: "tcp_cut", data: ptCat(ptEth(0x0800), ptIPv4(6, ptTCPSeg))[:14+20+19],
		dpdk: "L2_ETHER L3_IPV4 ", dl: ptLens(14, 20, 0, 0, 0, 0, 0)},
	{name: "tcp_in_padding", data: ptCat(ptEth(0x0800), ptIPv4(6, nil), ptTCP(5, nil)),
		dpdk: "L2_ETHER L3_IPV4 L4_TCP ", dl: ptLens(14, 20, 20, 0, 0, 0, 0),
		ext: "L2_ETHER L3_IPV4 ", el: ptLens(14, 20, 0, 0, 0, 0, 0)},
	{name: "udp_cut", data: ptCat(ptEth(0x0800), ptIPv4(17, ptUDPDgm))[:14+20+4],
		dpdk: "L2_ETHER L3_IPV4 L4_UDP ", dl: ptLens(14, 20, 8, 0, 0, 0, 0),
		ext: "L2_ETHER L3_IPV4 ", el: ptLens(14, 20, 0, 0, 0, 0, 0)},
	{name: "ipv4_totlen_short", data: func() []byte {
		b := ptCat(ptEth(0x0800), ptIPv4(17, ptUDPDgm))
		b[17] = 16
		return b
	}(),
		dpdk: "L2_ETHER L3_IPV4 L4_UDP ", dl: ptLens(14, 20, 8, 0, 0, 0, 0),
		ext: "L2_ETHER L3_IPV4 ", el: ptLens(14, 20, 0, 0, 0, 0, 0)},
	{name: "inner_tcp_cut", data: ptCat(ptEth(0x0800), ptIPv4(47, ptGRE(0, 0x0800, ptInner4)))[:14+20+4+20+10],
		dpdk: "INNER_L3_IPV4 ", dl: ptLens(14, 20, 0, 4, 0, 20, 0),
		ext: "L2_ETHER L3_IPV4 TUNNEL_GRE INNER_L3_IPV4 ", el: ptLens(14, 20, 0, 4, 0, 20, 0)},
	{name: "vlan_cut", data: ptEth(0x8100),
		dpdk: "L2_ETHER_VLAN ", dl: ptLens(14, 0, 0, 0, 0, 0, 0),
		ext: "L2_ETHER ", el: ptLens(14, 0, 0, 0, 0, 0, 0)},
	{name: "ipv4_cut", data: ptCat(ptEth(0x0800), ptIPv4(6, nil))[:33],
		dpdk: "L2_ETHER ", dl: ptLens(14, 0, 0, 0, 0, 0, 0)},
	{name: "eth_cut", data: ptEth(0x0800)[:13],
		dpdk: "UNKNOWN", dl: ptLens(0, 0, 0, 0, 0, 0, 0)},
	{name: "empty", data: nil,
		dpdk: "UNKNOWN", dl: ptLens(0, 0, 0, 0, 0, 0, 0)},
}

var ptPoolSeq atomic.Uint32

// ptPool initialises the EAL for t and returns an mbuf pool of n mbufs.
func ptPool(t testing.TB, n uint32) *mempool.Mempool {
	t.Helper()
	testutil.InitEAL(t, "--in-memory")
	mp, err := mbuf.PoolCreate(fmt.Sprintf("ptype%d", ptPoolSeq.Add(1)), n, 0, 0, mbuf.DefaultBufSize, eal.SocketIDAny)
	if err != nil {
		t.Fatal(err)
	}
	return mp
}

// ptMbuf builds a packet from data in a chain of mbufs, a new segment
// starting at each offset in cuts (ascending, within data).
func ptMbuf(t testing.TB, mp *mempool.Mempool, data []byte, cuts ...int) *mbuf.Mbuf {
	t.Helper()
	var head *mbuf.Mbuf
	prev := 0
	for i := 0; i <= len(cuts); i++ {
		end := len(data)
		if i < len(cuts) {
			end = cuts[i]
		}
		m, err := mbuf.Alloc(mp, eal.LcoreIDAny)
		if err != nil {
			t.Fatal(err)
		}
		b, err := m.Append(uint16(end - prev))
		if err != nil {
			t.Fatal(err)
		}
		copy(b, data[prev:end])
		prev = end
		if head == nil {
			head = m
		} else if err := mbuf.Chain(head, m); err != nil {
			t.Fatal(err)
		}
	}
	return head
}

type ptResult struct {
	name string
	hl   pkt.HdrLens
}

func ptGet(m *mbuf.Mbuf) ptResult {
	var r ptResult
	r.name = pkt.PtypeName(pkt.GetPtype(m, &r.hl, pkt.PtypeAllMask))
	return r
}

func ptExt(m *mbuf.Mbuf) ptResult {
	var r ptResult
	r.name = pkt.PtypeName(pkt.ParsePtype(m, &r.hl, nil))
	return r
}

func (c *ptCase) want() (dpdk, ext ptResult) {
	dpdk = ptResult{c.dpdk, c.dl}
	ext = dpdk
	if c.ext != "" {
		ext = ptResult{c.ext, c.el}
	}
	return dpdk, ext
}

func TestPtypeTable(t *testing.T) {
	mp := ptPool(t, 64)
	seen := map[string]bool{}
	for _, c := range ptCases {
		if seen[c.name] {
			t.Fatalf("duplicate case %s", c.name)
		}
		seen[c.name] = true
		m := ptMbuf(t, mp, c.data)
		wd, we := c.want()
		if got := ptGet(m); got != wd {
			t.Errorf("%s: GetPtype = %q %+v, want %q %+v", c.name, got.name, got.hl, wd.name, wd.hl)
		}
		if got := ptExt(m); got != we {
			t.Errorf("%s: ParsePtype = %q %+v, want %q %+v", c.name, got.name, got.hl, we.name, we.hl)
		}
		if got := pkt.GetPtype(m, nil, pkt.PtypeAllMask); pkt.PtypeName(got) != wd.name {
			t.Errorf("%s: GetPtype with nil lengths = %q", c.name, pkt.PtypeName(got))
		}
		m.Free(eal.LcoreIDAny)
	}
}

// TestPtypeLayers checks that parsing stops at the first layer missing
// from the layers mask.
func TestPtypeLayers(t *testing.T) {
	mp := ptPool(t, 8)
	vx := ptCat(ptEth(0x0800), ptIPv4(17, ptUDP(1, 4789, ptVXLAN(1, ptInnerEt))))
	gre := ptCat(ptEth(0x8100), ptTag(1, 0x0800), ptIPv4(47, ptGRE(0, 0x6558, ptInnerEt)))
	cases := []struct {
		data      []byte
		layers    uint32
		dpdk, ext string
	}{
		{gre, 0, "UNKNOWN", "L2_ETHER_VLAN L3_IPV4 TUNNEL_NVGRE INNER_L2_ETHER INNER_L3_IPV4 INNER_L4_TCP "},
		{gre, pkt.PtypeL2Mask, "L2_ETHER_VLAN ", ""},
		{gre, pkt.PtypeL2Mask | pkt.PtypeL3Mask, "L2_ETHER_VLAN L3_IPV4 ", ""},
		{gre, pkt.PtypeL2Mask | pkt.PtypeL3Mask | pkt.PtypeL4Mask, "L2_ETHER_VLAN L3_IPV4 ", ""},
		{gre, pkt.PtypeAllMask &^ pkt.PtypeInnerL2Mask, "L2_ETHER_VLAN L3_IPV4 TUNNEL_NVGRE ", ""},
		{gre, pkt.PtypeAllMask &^ pkt.PtypeInnerL3Mask, "L2_ETHER_VLAN L3_IPV4 TUNNEL_NVGRE INNER_L2_ETHER ", ""},
		{gre, pkt.PtypeAllMask &^ pkt.PtypeInnerL4Mask, "L2_ETHER_VLAN L3_IPV4 TUNNEL_NVGRE INNER_L2_ETHER INNER_L3_IPV4 ", ""},
		{gre, pkt.PtypeL3Mask, "UNKNOWN", ""},
		{vx, pkt.PtypeAllMask &^ pkt.PtypeTunnelMask, "L2_ETHER L3_IPV4 L4_UDP ", ""},
		{vx, pkt.PtypeAllMask &^ pkt.PtypeInnerL2Mask, "L2_ETHER L3_IPV4 L4_UDP ", "L2_ETHER L3_IPV4 L4_UDP TUNNEL_VXLAN "},
	}
	for i, c := range cases {
		m := ptMbuf(t, mp, c.data)
		want := c.ext
		if want == "" {
			want = c.dpdk
		}
		if got := pkt.PtypeName(pkt.GetPtype(m, nil, c.layers)); got != c.dpdk && c.layers != 0 {
			t.Errorf("%d: GetPtype(%#x) = %q, want %q", i, c.layers, got, c.dpdk)
		}
		if got := pkt.PtypeName(pkt.ParsePtype(m, nil, &pkt.PtypeOptions{Layers: c.layers})); got != want {
			t.Errorf("%d: ParsePtype(%#x) = %q, want %q", i, c.layers, got, want)
		}
		m.Free(eal.LcoreIDAny)
	}
}

func TestPtypeOptions(t *testing.T) {
	mp := ptPool(t, 8)
	vx := ptCat(ptEth(0x0800), ptIPv4(17, ptUDP(1, 8472, ptVXLAN(1, ptInnerEt))))
	m := ptMbuf(t, mp, vx)
	defer m.Free(eal.LcoreIDAny)
	if got := pkt.PtypeName(pkt.ParsePtype(m, nil, nil)); got != "L2_ETHER L3_IPV4 L4_UDP " {
		t.Errorf("port 8472 by default: %q", got)
	}
	if got := pkt.PtypeName(pkt.ParsePtype(m, nil, &pkt.PtypeOptions{VXLANPort: 8472})); !strings.Contains(got, "TUNNEL_VXLAN INNER_L2_ETHER") {
		t.Errorf("VXLANPort 8472: %q", got)
	}
	m2 := ptMbuf(t, mp, ptCases[0].data) // any
	defer m2.Free(eal.LcoreIDAny)
	gtp := ptCat(ptEth(0x0800), ptIPv4(17, ptUDP(2152, 2152, ptGTPU(0xff, nil, ptInner4))))
	m3 := ptMbuf(t, mp, gtp)
	defer m3.Free(eal.LcoreIDAny)
	if got := pkt.PtypeName(pkt.ParsePtype(m3, nil, &pkt.PtypeOptions{NoUDPTunnels: true})); got != "L2_ETHER L3_IPV4 L4_UDP " {
		t.Errorf("NoUDPTunnels: %q", got)
	}
}

// TestPtypeChains checks that every split of each packet into two
// segments, and a chain of one-byte segments, parse as the contiguous
// packet does.
func TestPtypeChains(t *testing.T) {
	mp := ptPool(t, 512)
	for _, c := range ptCases {
		wd, we := c.want()
		for cut := 1; cut < len(c.data); cut++ {
			m := ptMbuf(t, mp, c.data, cut)
			gd, ge := ptGet(m), ptExt(m)
			m.Free(eal.LcoreIDAny)
			if gd != wd || ge != we {
				t.Errorf("%s cut at %d: GetPtype = %+v, ParsePtype = %+v; want %+v, %+v", c.name, cut, gd, ge, wd, we)
				break
			}
		}
		if len(c.data) < 2 {
			continue
		}
		cuts := make([]int, len(c.data)-1)
		for i := range cuts {
			cuts[i] = i + 1
		}
		m := ptMbuf(t, mp, c.data, cuts...)
		if int(m.NbSegs()) != len(c.data) {
			t.Fatalf("%d segments", m.NbSegs())
		}
		if got := ptGet(m); got != wd {
			t.Errorf("%s in 1-byte segments: GetPtype = %+v, want %+v", c.name, got, wd)
		}
		if got := ptExt(m); got != we {
			t.Errorf("%s in 1-byte segments: ParsePtype = %+v, want %+v", c.name, got, we)
		}
		m.Free(eal.LcoreIDAny)
	}
}

// ptField returns field i (0 = L2 ... 6 = inner L4) of a packet type.
func ptField(p uint32, i int) uint32 { return p >> (4 * i) & 0xf }

// TestPtypeTruncated parses every prefix of every packet. Nothing may be
// read past pkt_len: the bytes after it, left in the buffer, must not
// change the result. ParsePtype must report a subset of the full packet's
// L3, L4, tunnel and inner L3/L4 fields.
func TestPtypeTruncated(t *testing.T) {
	mp := ptPool(t, 8)
	for _, c := range ptCases {
		full := ptMbuf(t, mp, c.data)
		fullExt := pkt.ParsePtype(full, nil, nil)
		full.Free(eal.LcoreIDAny)
		for n := 0; n <= len(c.data); n++ {
			// a: the whole packet in the buffer, trimmed to n bytes
			a := ptMbuf(t, mp, c.data)
			if err := a.Trim(uint16(len(c.data) - n)); err != nil {
				t.Fatal(err)
			}
			// b: n bytes, followed by different garbage
			b := ptMbuf(t, mp, append(append([]byte{}, c.data[:n]...), make([]byte, len(c.data)-n)...))
			for i := n; i < len(c.data); i++ {
				b.Data()[i] = ^c.data[i]
			}
			if err := b.Trim(uint16(len(c.data) - n)); err != nil {
				t.Fatal(err)
			}
			for _, parse := range []func(*mbuf.Mbuf) ptResult{ptGet, ptExt} {
				if ra, rb := parse(a), parse(b); ra != rb {
					t.Errorf("%s cut to %d: result depends on bytes past pkt_len: %+v vs %+v", c.name, n, ra, rb)
				}
			}
			p := pkt.ParsePtype(a, nil, nil)
			for _, f := range []int{1, 2, 3, 5, 6} {
				if v := ptField(p, f); v != 0 && v != ptField(fullExt, f) &&
					!(f == 2 && v == ptField(pkt.PtypeL4NonFrag, 2)) {
					t.Errorf("%s cut to %d: ParsePtype %q is not a part of %q", c.name, n, pkt.PtypeName(p), pkt.PtypeName(fullExt))
				}
			}
			a.Free(eal.LcoreIDAny)
			b.Free(eal.LcoreIDAny)
		}
	}
}

func TestPtypeName(t *testing.T) {
	cases := []struct {
		p    uint32
		want string
	}{
		{0, "UNKNOWN"},
		{0xf0000000, "UNKNOWN"},
		{pkt.PtypeL2Ether | pkt.PtypeL3IPv4ExtUnknown | pkt.PtypeL4TCP, "L2_ETHER L3_IPV4_EXT_UNKNOWN L4_TCP "},
		{pkt.PtypeL3IPv6 | pkt.PtypeTunnelGTPU, "L3_IPV6 TUNNEL_GTPU "},
		{pkt.PtypeAllMask, "L2_UNKNOWN L3_UNKNOWN L4_UNKNOWN TUNNEL_UNKNOWN INNER_L2_UNKNOWN INNER_L3_UNKNOWN INNER_L4_UNKNOWN "},
		{pkt.PtypeL2EtherTimesync | pkt.PtypeL3IPv6ExtUnknown | pkt.PtypeL4NonFrag | pkt.PtypeTunnelMPLSInUDP |
			pkt.PtypeInnerL2EtherQinQ | pkt.PtypeInnerL3IPv4ExtUnknown | pkt.PtypeInnerL4NonFrag,
			"L2_ETHER_TIMESYNC L3_IPV6_EXT_UNKNOWN L4_NONFRAG TUNNEL_MPLS_IN_UDP INNER_L2_ETHER_QINQ INNER_L3_IPV4_EXT_UNKNOWN INNER_L4_NONFRAG "},
		{pkt.PtypeL2EtherMPLS | pkt.PtypeL4IGMP | pkt.PtypeTunnelVXLANGPE | pkt.PtypeInnerL4ICMP, "L2_ETHER_MPLS L4_IGMP TUNNEL_VXLAN_GPE INNER_L4_ICMP "},
		{0xb | 0x20 | 0x800 | 0x30000 | 0x700000 | 0x7000000, "L2_UNKNOWN L3_UNKNOWN L4_UNKNOWN INNER_L2_ETHER_QINQ INNER_L3_UNKNOWN INNER_L4_UNKNOWN "},
	}
	for _, c := range cases {
		if got := pkt.PtypeName(c.p); got != c.want {
			t.Errorf("PtypeName(%#x) = %q, want %q", c.p, got, c.want)
		}
	}
	if pkt.PtypeL4Name(pkt.PtypeL4Frag) != "L4_FRAG" || pkt.PtypeTunnelName(pkt.PtypeTunnelGRENAT) != "TUNNEL_GRENAT" ||
		pkt.PtypeL2Name(0) != "L2_UNKNOWN" || pkt.PtypeInnerL2Name(pkt.PtypeInnerL2Ether) != "INNER_L2_ETHER" ||
		pkt.PtypeInnerL3Name(pkt.PtypeInnerL3IPv6Ext) != "INNER_L3_IPV6_EXT" || pkt.PtypeInnerL4Name(pkt.PtypeInnerL4SCTP) != "INNER_L4_SCTP" ||
		pkt.PtypeL3Name(pkt.PtypeL3IPv4Ext) != "L3_IPV4_EXT" {
		t.Errorf("layer names wrong")
	}
	buf := make([]byte, 0, 200)
	p := pkt.PtypeL2Ether | pkt.PtypeL3IPv4 | pkt.PtypeL4UDP | pkt.PtypeTunnelVXLAN | pkt.PtypeInnerL2Ether | pkt.PtypeInnerL3IPv6Ext | pkt.PtypeInnerL4TCP
	if n := testing.AllocsPerRun(100, func() { buf = pkt.AppendPtypeName(buf[:0], p) }); n != 0 {
		t.Errorf("AppendPtypeName allocates %v times", n)
	}
	if !pkt.PtypeIsIPv4(pkt.PtypeL3IPv4ExtUnknown) || pkt.PtypeIsIPv4(pkt.PtypeL3IPv6Ext) ||
		!pkt.PtypeIsIPv6(pkt.PtypeL3IPv6ExtUnknown) || pkt.PtypeIsIPv6(pkt.PtypeL3IPv4Ext) ||
		!pkt.PtypeIsTunnel(pkt.PtypeInnerL4TCP) || pkt.PtypeIsTunnel(pkt.PtypeL4TCP|pkt.PtypeL2EtherQinQ) {
		t.Errorf("PtypeIs* wrong")
	}
}

func TestPtypeNoAllocs(t *testing.T) {
	mp := ptPool(t, 8)
	for _, c := range ptCases {
		for _, cuts := range [][]int{nil, {len(c.data) / 2}} {
			if len(cuts) > 0 && (cuts[0] == 0 || cuts[0] == len(c.data)) {
				continue
			}
			m := ptMbuf(t, mp, c.data, cuts...)
			var hl pkt.HdrLens
			if n := testing.AllocsPerRun(50, func() {
				pkt.GetPtype(m, &hl, pkt.PtypeAllMask)
				pkt.ParsePtype(m, &hl, nil)
			}); n != 0 {
				t.Errorf("%s (%d segments): %v allocations", c.name, m.NbSegs(), n)
			}
			m.Free(eal.LcoreIDAny)
		}
	}
}
