package pkt_test

import (
	"testing"

	"dpk/eal"
	"dpk/mbuf"
	"dpk/pkt"
)

var ptBenchPackets = []struct {
	name string
	data []byte
}{
	{"ipv4tcp", ptCat(ptEth(0x0800), ptIPv4(6, ptTCP(5, ptPayload(26))))},
	{"ipv6udp", ptCat(ptEth(0x86dd), ptIPv6(17, ptUDP(1000, 53, ptPayload(18))))},
	{"vlan_ipv4udp", ptCat(ptEth(0x8100), ptTag(10, 0x0800), ptIPv4(17, ptUDP(1000, 53, ptPayload(18))))},
	{"ipv6ext_tcp", ptCat(ptEth(0x86dd), ptIPv6(0, ptExt6(43, 0, ptExt6(6, 0, ptTCP(5, nil)))))},
	{"gre_ipv4tcp", ptCat(ptEth(0x0800), ptIPv4(47, ptGRE(0x2000, 0x0800, ptInner4)))},
	{"vxlan", ptCat(ptEth(0x0800), ptIPv4(17, ptUDP(40000, 4789, ptVXLAN(42, ptInnerEt))))},
	{"geneve", ptCat(ptEth(0x0800), ptIPv4(17, ptUDP(40000, 6081, ptGeneve(2, 0x6558, ptInnerEt))))},
	{"gtpu", ptCat(ptEth(0x0800), ptIPv4(17, ptUDP(2152, 2152, ptGTPU(0xff, ptPDUSession, ptInner4))))},
}

// BenchmarkGetPtype measures GetPtype (DPDK's rte_net_get_ptype, all
// layers) per packet, on one segment and on two segments cut inside the
// L3 header.
func BenchmarkGetPtype(b *testing.B) {
	ptBench(b, func(c *ptBenchCtx) uint32 { return pkt.GetPtype(c.m, &c.hl, pkt.PtypeAllMask) })
}

// BenchmarkParsePtype measures the extended parser in the same way.
func BenchmarkParsePtype(b *testing.B) {
	ptBench(b, func(c *ptBenchCtx) uint32 { return pkt.ParsePtype(c.m, &c.hl, nil) })
}

type ptBenchCtx struct {
	m  *mbuf.Mbuf
	hl pkt.HdrLens
}

var ptBenchSink uint32

func ptBench(b *testing.B, parse func(*ptBenchCtx) uint32) {
	mp := ptPool(b, 32)
	for _, seg := range []struct {
		suffix string
		cut    int
	}{{"", 0}, {"_2seg", 20}} {
		for _, p := range ptBenchPackets {
			b.Run(p.name+seg.suffix, func(b *testing.B) {
				var cuts []int
				if seg.cut > 0 {
					cuts = []int{seg.cut}
				}
				m := ptMbuf(b, mp, p.data, cuts...)
				defer m.Free(eal.LcoreIDAny)
				c := &ptBenchCtx{m: m}
				b.ReportAllocs()
				var s uint32
				for b.Loop() {
					s += parse(c)
				}
				ptBenchSink = s
			})
		}
	}
}
