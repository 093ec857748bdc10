package pkt_test

import (
	"encoding/hex"
	"fmt"

	"dpk/eal"
	"dpk/mbuf"
	"dpk/pkt"
)

// Classify a VXLAN packet with DPDK's parser and with the extended one,
// and print the types as testpmd does.
func ExampleParsePtype() {
	if _, err := eal.Init([]string{"app", "--no-huge", "--in-memory", "-l", "0", "--log-level", "lib.eal:error"}); err != nil {
		fmt.Println(err)
		return
	}
	defer eal.Cleanup()
	mp, err := mbuf.PoolCreate("example_ptype", 16, 0, 0, mbuf.DefaultBufSize, eal.SocketIDAny)
	if err != nil {
		fmt.Println(err)
		return
	}
	m, _ := mbuf.Alloc(mp, eal.LcoreIDAny)
	defer m.Free(eal.LcoreIDAny)
	// Ethernet, IPv4, UDP to port 4789, VXLAN VNI 42, Ethernet, IPv4, TCP
	frame, _ := hex.DecodeString("020000000001020000000002080045000060123400004011545" +
		"70a0000010a0000029c4012b5004c00000800000000002a000200000000010200000000020800" +
		"4500002e12340000400654940a0000010a00000204d200500000000000000000501000000000" +
		"0000a0a1a2a3a4a5")
	b, _ := m.Append(uint16(len(frame)))
	copy(b, frame)

	var hl pkt.HdrLens
	m.PacketType = pkt.GetPtype(m, &hl, pkt.PtypeAllMask)
	fmt.Printf("%q l2_len=%d l3_len=%d l4_len=%d\n", pkt.PtypeName(m.PacketType), hl.L2Len, hl.L3Len, hl.L4Len)
	p := pkt.ParsePtype(m, &hl, nil)
	fmt.Printf("%q tunnel_len=%d inner_l2_len=%d\n", pkt.PtypeName(p), hl.TunnelLen, hl.InnerL2Len)
	fmt.Println(pkt.PtypeIsTunnel(p), p&pkt.PtypeTunnelMask == pkt.PtypeTunnelVXLAN)
	// Output:
	// "L2_ETHER L3_IPV4 L4_UDP " l2_len=14 l3_len=20 l4_len=8
	// "L2_ETHER L3_IPV4 L4_UDP TUNNEL_VXLAN INNER_L2_ETHER INNER_L3_IPV4 INNER_L4_TCP " tunnel_len=8 inner_l2_len=14
	// true true
}
