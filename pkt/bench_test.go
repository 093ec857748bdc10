package pkt_test

import (
	"testing"

	"dpk/pkt"
)

func benchFrame(b *testing.B) []byte {
	frame := make([]byte, 128)
	n, err := pkt.EncodeTCP(frame, &pkt.PacketSpec{SrcMAC: mac1, DstMAC: mac2, Src: v4a, Dst: v4b, SrcPort: 1, DstPort: 2, Payload: []byte("data")})
	if err != nil {
		b.Fatal(err)
	}
	return frame[:n]
}

// BenchmarkParseEtherIPv4TCP measures the parse chain of an l3fwd-style
// lookup: Ethernet, IPv4, TCP, reading the 5-tuple.
func BenchmarkParseEtherIPv4TCP(b *testing.B) {
	frame := benchFrame(b)
	b.ReportAllocs()
	var sum uint32
	for b.Loop() {
		e, err := pkt.ParseEthernet(frame)
		if err != nil || e.EtherType() != pkt.EtherTypeIPv4 {
			b.Fatal(err)
		}
		ip, err := pkt.ParseIPv4(e.Payload())
		if err != nil {
			b.Fatal(err)
		}
		tcp, err := pkt.ParseTCP(ip.Payload())
		if err != nil {
			b.Fatal(err)
		}
		sum += ip.SrcUint32() ^ ip.DstUint32() ^ uint32(ip.Protocol()) ^ uint32(tcp.SrcPort())<<16 ^ uint32(tcp.DstPort())
	}
	sinkInt += int(sum)
}

// BenchmarkParseEtherIPv4TCPAddrs is the same chain reading the addresses
// as netip.Addr.
func BenchmarkParseEtherIPv4TCPAddrs(b *testing.B) {
	frame := benchFrame(b)
	b.ReportAllocs()
	for b.Loop() {
		e, _ := pkt.ParseEthernet(frame)
		ip, _ := pkt.ParseIPv4(e.Payload())
		tcp, _ := pkt.ParseTCP(ip.Payload())
		if ip.Src() == ip.Dst() || tcp.SrcPort() == tcp.DstPort() {
			sinkInt++
		}
	}
}

// BenchmarkIPv4DecTTL measures a router's TTL decrement with the
// incremental checksum update.
func BenchmarkIPv4DecTTL(b *testing.B) {
	frame := benchFrame(b)
	ip, _ := pkt.ParseIPv4(frame[14:])
	b.ReportAllocs()
	for b.Loop() {
		if ip.DecTTL() == 0 {
			ip.SetTTL(64)
		}
	}
}

// BenchmarkTCPOptionsMSS measures finding the MSS in a SYN's options.
func BenchmarkTCPOptionsMSS(b *testing.B) {
	syn := hexb("3039 0050 00000064 00000000 a0 02 ffff 0000 0000 | 01010402 0101080a 00000001 00000000 020405b4")
	tcp, err := pkt.ParseTCP(syn)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if mss, ok := tcp.MSS(); !ok || mss != 1460 {
			b.Fatal(mss)
		}
	}
}

// BenchmarkSkipIPv6Ext measures walking hop-by-hop, routing and fragment
// headers to the upper layer.
func BenchmarkSkipIPv6Ext(b *testing.B) {
	chain := cat(ext6(pkt.IPProtoRouting, 0), ext6(pkt.IPProtoFragment, 1), hexb("11000000 00000001"), hexb("3039 0035 0008 0000"))
	b.ReportAllocs()
	for b.Loop() {
		next, off, _, err := pkt.SkipIPv6Ext(pkt.IPProtoHopOpts, chain)
		if err != nil || next != pkt.IPProtoUDP || off != 32 {
			b.Fatal(next, off, err)
		}
	}
}

// BenchmarkParseGTPUQFI measures parsing a GTP-U header with a PDU session
// container and reading the QFI.
func BenchmarkParseGTPUQFI(b *testing.B) {
	gtp := hexb("34ff000c 00000001 | 0000 00 85 | 01 00 09 00 | 45000000")
	b.ReportAllocs()
	for b.Loop() {
		g, err := pkt.ParseGTPU(gtp)
		if err != nil {
			b.Fatal(err)
		}
		if q, _ := g.QFI(); q != 9 {
			b.Fatal(q)
		}
	}
}

// BenchmarkEncodeUDP4 measures building a 64-byte Ethernet/IPv4/UDP frame
// with software checksums, as txonly does.
func BenchmarkEncodeUDP4(b *testing.B) {
	buf := make([]byte, 64)
	spec := pkt.PacketSpec{SrcMAC: mac1, DstMAC: mac2, Src: v4a, Dst: v4b, SrcPort: 9, DstPort: 9, PayloadLen: 22}
	b.ReportAllocs()
	b.SetBytes(64)
	for b.Loop() {
		if _, err := pkt.EncodeUDP(buf, &spec); err != nil {
			b.Fatal(err)
		}
	}
}
