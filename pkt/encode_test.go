package pkt_test

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"

	"dpk/pkt"
)

var (
	mac1 = pkt.MAC{0x02, 0, 0, 0, 0, 1}
	mac2 = pkt.MAC{0x02, 0, 0, 0, 0, 2}
	v4a  = netip.MustParseAddr("192.0.2.1")
	v4b  = netip.MustParseAddr("198.51.100.7")
	v6a  = netip.MustParseAddr("2001:db8::1")
	v6b  = netip.MustParseAddr("2001:db8:ffff::2")
)

func TestEncodeRoundTrip(t *testing.T) {
	b := make([]byte, 256)

	e := pkt.Ethernet(b)
	if err := e.Encode(&pkt.EthernetFields{Dst: mac2, Src: mac1, EtherType: pkt.EtherTypeVLAN}); err != nil {
		t.Fatal(err)
	}
	pkt.VLAN(b[14:]).Encode(&pkt.VLANFields{PCP: 3, DEI: true, VID: 100, EtherType: pkt.EtherTypeQinQ})
	pkt.VLAN(b[18:]).Encode(&pkt.VLANFields{VID: 200, EtherType: pkt.EtherTypeARP})
	e2, _ := pkt.ParseEthernet(b)
	if e2.Dst() != mac2 || e2.Src() != mac1 {
		t.Errorf("ethernet addresses %v %v", e2.Dst(), e2.Src())
	}
	et, l2, ok := e2.InnerType()
	if et != pkt.EtherTypeARP || l2 != 22 || !ok {
		t.Errorf("InnerType = %#x %d %v", et, l2, ok)
	}
	e2.SwapAddrs()
	if e2.Dst() != mac1 || e2.Src() != mac2 {
		t.Errorf("SwapAddrs")
	}
	if err := pkt.Ethernet(b[:10]).Encode(&pkt.EthernetFields{}); !errors.Is(err, pkt.ErrNoRoom) {
		t.Errorf("short Encode: %v", err)
	}

	arp := pkt.ARP(b[22:])
	arp.Encode(&pkt.ARPFields{Op: pkt.ARPOpReply, SenderMAC: mac1, SenderIP: v4a, TargetMAC: mac2, TargetIP: v4b})
	a2, err := pkt.ParseARP(b[22:])
	if err != nil || !a2.IsEthernetIPv4() || a2.Op() != pkt.ARPOpReply || a2.SenderIP() != v4a || a2.TargetIP() != v4b ||
		a2.SenderMAC() != mac1 || a2.TargetMAC() != mac2 {
		t.Errorf("ARP round trip: %v", err)
	}

	opts := []byte{0x94, 0x04, 0, 0} // router alert
	ip := pkt.IPv4(b)
	f := pkt.IPv4Fields{TOS: 0xb8, TotalLength: 100, ID: 4242, Flags: pkt.IPv4FlagDF, TTL: 9, Protocol: pkt.IPProtoUDP, Src: v4a, Dst: v4b, Options: opts}
	if err := ip.Encode(&f); err != nil {
		t.Fatal(err)
	}
	ip2, err := pkt.ParseIPv4(b)
	if err != nil || ip2.HeaderLen() != 24 || ip2.TOS() != 0xb8 || ip2.DSCP() != 46 || ip2.TotalLength() != 100 || ip2.ID() != 4242 ||
		!ip2.DF() || ip2.MF() || ip2.TTL() != 9 || ip2.Protocol() != pkt.IPProtoUDP || ip2.Src() != v4a || ip2.Dst() != v4b ||
		!bytes.Equal(ip2.Options(), opts) || !ip2.IsChecksumValid() || ip2.Flags() != 2 {
		t.Errorf("IPv4 round trip: %v %x", err, b[:24])
	}
	if err := ip.Encode(&pkt.IPv4Fields{Options: make([]byte, 3)}); !errors.Is(err, pkt.ErrMalformed) {
		t.Errorf("odd options: %v", err)
	}
	if err := pkt.IPv4(b[:20]).Encode(&f); !errors.Is(err, pkt.ErrNoRoom) {
		t.Errorf("short IPv4 Encode: %v", err)
	}

	ip6 := pkt.IPv6(b)
	ip6.Encode(&pkt.IPv6Fields{TrafficClass: 0x12, FlowLabel: 0x54321, PayloadLength: 8, NextHeader: pkt.IPProtoUDP, HopLimit: 3, Src: v6a, Dst: v6b})
	i6, err := pkt.ParseIPv6(b)
	if err != nil || i6.TrafficClass() != 0x12 || i6.FlowLabel() != 0x54321 || i6.PayloadLength() != 8 || i6.NextHeader() != pkt.IPProtoUDP ||
		i6.HopLimit() != 3 || i6.Src() != v6a || i6.Dst() != v6b || i6.Src16() != v6a.As16() {
		t.Errorf("IPv6 round trip: %v", err)
	}

	tcp := pkt.TCP(b)
	tf := pkt.TCPFields{SrcPort: 1, DstPort: 2, Seq: 3, Ack: 4, Flags: pkt.TCPFlagSYN | pkt.TCPFlagECE, Window: 5, Checksum: 6, UrgentPointer: 7,
		Options: []byte{8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 1, 0}}
	tcp.Encode(&tf)
	t2, err := pkt.ParseTCP(b)
	tv, te, tsok := t2.Timestamps()
	if err != nil || t2.SrcPort() != 1 || t2.DstPort() != 2 || t2.Seq() != 3 || t2.Ack() != 4 || t2.Flags() != tf.Flags ||
		t2.Window() != 5 || t2.Checksum() != 6 || t2.UrgentPointer() != 7 || t2.HeaderLen() != 32 || t2.DataOffset() != 8 ||
		!tsok || tv != 1 || te != 2 || !t2.Flags().Has(pkt.TCPFlagSYN) || t2.Flags().Has(pkt.TCPFlagSYN|pkt.TCPFlagACK) {
		t.Errorf("TCP round trip: %v", err)
	}
	if s := t2.Flags().String(); s != "SYN|ECE" {
		t.Errorf("flags %q", s)
	}
	if s := pkt.TCPFlags(0).String(); s != "0" {
		t.Errorf("no flags %q", s)
	}

	u := pkt.UDP(b)
	u.Encode(&pkt.UDPFields{SrcPort: 53, DstPort: 5353, Length: 12, Checksum: 0xabcd})
	u2, _ := pkt.ParseUDP(b)
	if u2.SrcPort() != 53 || u2.DstPort() != 5353 || u2.Length() != 12 || u2.Checksum() != 0xabcd || len(u2.Payload()) != 4 {
		t.Errorf("UDP round trip")
	}

	g := pkt.GRE(b[:40])
	for _, gf := range []pkt.GREFields{
		{Protocol: pkt.EtherTypeIPv4},
		{Protocol: pkt.EtherTypeTEB, HasKey: true, Key: 0xabcdef01},
		{Protocol: pkt.EtherTypeIPv6, HasSeq: true, Seq: 99},
		{Protocol: pkt.EtherTypeIPv4, HasChecksum: true, HasKey: true, Key: 5, HasSeq: true, Seq: 6},
		{Protocol: pkt.EtherTypeIPv4, HasChecksum: true, HasSeq: true, Seq: 6},
	} {
		if err := g.Encode(&gf); err != nil {
			t.Fatal(err)
		}
		g2, err := pkt.ParseGRE(g)
		k, hk := g2.Key()
		s, hs := g2.Seq()
		_, hc := g2.Checksum()
		if err != nil || g2.Protocol() != gf.Protocol || hk != gf.HasKey || hs != gf.HasSeq || hc != gf.HasChecksum ||
			(hk && k != gf.Key) || (hs && s != gf.Seq) || g2.Version() != 0 {
			t.Errorf("GRE round trip %+v: %v", gf, err)
		}
		if hc {
			if c, _ := g2.Checksum(); c != g2.CalculateChecksum() {
				t.Errorf("GRE checksum %#x, want %#x", c, g2.CalculateChecksum())
			}
		}
		if g2.SetKey(1) != gf.HasKey || g2.SetSeq(1) != gf.HasSeq || g2.SetChecksum(1) != gf.HasChecksum {
			t.Errorf("GRE setters on absent fields")
		}
	}
	// PPTP enhanced GRE (version 1) with sequence and acknowledgment.
	pptp := hexb("3081 880b 0004 1234 00000007 00000003 ff030021")
	gp, err := pkt.ParseGRE(pptp)
	ack, hasAck := gp.Ack()
	seq, _ := gp.Seq()
	if err != nil || gp.Version() != 1 || !hasAck || ack != 3 || seq != 7 || gp.HeaderLen() != 16 || len(gp.Payload()) != 4 {
		t.Errorf("PPTP GRE: %v", err)
	}

	vx := pkt.VXLAN(b)
	vx.Encode(0xabcdef)
	if v, _ := pkt.ParseVXLAN(b); !v.VNIValid() || v.VNI() != 0xabcdef || v.Flags() != pkt.VXLANFlagI {
		t.Errorf("VXLAN round trip")
	}
	gpe := pkt.VXLANGPE(b)
	gpe.Encode(77, pkt.GPEProtoNSH)
	if v, _ := pkt.ParseVXLANGPE(b); !v.VNIValid() || v.VNI() != 77 || !v.HasNextProtocol() || v.NextProtocol() != pkt.GPEProtoNSH || v.Version() != 0 || v.OAM() {
		t.Errorf("VXLAN-GPE round trip")
	}

	gen := pkt.Geneve(b)
	gopts := hexb("01020103 11111111 22222222 33333333 ffff0500")
	if err := gen.Encode(&pkt.GeneveFields{OAM: true, Protocol: pkt.EtherTypeIPv4, VNI: 0x123456, Options: gopts}); err != nil {
		t.Fatal(err)
	}
	g3, err := pkt.ParseGeneve(b)
	if err != nil || !g3.OAM() || g3.Critical() || g3.Protocol() != pkt.EtherTypeIPv4 || g3.VNI() != 0x123456 || g3.OptLen() != 20 || g3.HeaderLen() != 28 {
		t.Errorf("Geneve round trip: %v", err)
	}
	oi := g3.OptionIter()
	o1, ok1 := oi.Next()
	o2, ok2 := oi.Next()
	_, ok3 := oi.Next()
	if !ok1 || !ok2 || ok3 || len(o1.Data()) != 12 || o2.Class() != 0xffff || o2.Type() != 5 || oi.Err() != nil {
		t.Errorf("Geneve options")
	}
	if err := gen.Encode(&pkt.GeneveFields{Options: make([]byte, 6)}); !errors.Is(err, pkt.ErrMalformed) {
		t.Errorf("Geneve odd options: %v", err)
	}

	gt := pkt.GTPU(b)
	gfl := pkt.GTPUFields{MessageType: pkt.GTPUMsgGPDU, TEID: 0xcafe, HasSeq: true, Seq: 12, HasPDUSession: true, PDUType: pkt.GTPUPDUTypeUL, QFI: 33, PayloadLen: 20}
	if err := gt.Encode(&gfl); err != nil {
		t.Fatal(err)
	}
	g4, err := pkt.ParseGTPU(b[:16+20])
	q, _ := g4.QFI()
	sq, _ := g4.Seq()
	ps, _ := g4.PDUSession()
	if err != nil || g4.TEID() != 0xcafe || g4.MessageType() != pkt.GTPUMsgGPDU || g4.HeaderLen() != 16 || q != 33 || sq != 12 ||
		ps.PDUType() != pkt.GTPUPDUTypeUL || g4.Length() != 28 || len(g4.Payload()) != 20 || !g4.HasExt() || g4.Version() != 1 {
		t.Errorf("GTP-U round trip: %v", err)
	}
	gt.Encode(&pkt.GTPUFields{MessageType: pkt.GTPUMsgEchoRequest, TEID: 0})
	if g5, err := pkt.ParseGTPU(b[:8]); err != nil || g5.HeaderLen() != 8 || len(g5.Payload()) != 0 {
		t.Errorf("GTP-U echo: %v", err)
	}

	mp := pkt.MPLS(b)
	mp.Encode(1000, 5, false, 64)
	pkt.MPLS(b[4:]).Encode(0xfffff, 0, true, 1)
	off, n, err := pkt.SkipMPLS(b)
	m1, _ := pkt.ParseMPLS(b)
	if err != nil || off != 8 || n != 2 || m1.Label() != 1000 || m1.TC() != 5 || m1.BottomOfStack() || m1.TTL() != 64 {
		t.Errorf("MPLS round trip: %v %d %d", err, off, n)
	}
	m1.SetLabel(7)
	m1.SetTC(2)
	m1.SetTTL(8)
	m1.SetBottomOfStack(true)
	if m1.Label() != 7 || m1.TC() != 2 || m1.TTL() != 8 || !m1.BottomOfStack() {
		t.Errorf("MPLS setters")
	}
	if _, _, err := pkt.SkipMPLS(b[:6]); err != nil {
		t.Errorf("SkipMPLS on one entry: %v", err)
	}
	m1.SetBottomOfStack(false)
	if _, _, err := pkt.SkipMPLS(b[:6]); !errors.Is(err, pkt.ErrTruncated) {
		t.Errorf("SkipMPLS cut short: %v", err)
	}

	pp := pkt.PPPoE(b)
	pp.EncodeSession(0x1234, pkt.PPPProtoIPv6, 40)
	if p, _ := pkt.ParsePPPoE(b); p.Version() != 1 || p.Type() != 1 || p.Code() != 0 || p.SessionID() != 0x1234 || p.Length() != 42 {
		t.Errorf("PPPoE round trip")
	} else if pr, ok := p.PPPProtocol(); !ok || pr != pkt.PPPProtoIPv6 {
		t.Errorf("PPP protocol %#x", pr)
	}

	nsh := pkt.NSH(b)
	if err := nsh.Encode(&pkt.NSHFields{TTL: 63, MDType: pkt.NSHMDType1, NextProtocol: pkt.NSHProtoEthernet, SPI: 0xabcdef, SI: 254, Context: []byte{1, 2, 3}}); err != nil {
		t.Fatal(err)
	}
	n1, err := pkt.ParseNSH(b)
	if err != nil || n1.TTL() != 63 || n1.MDType() != 1 || n1.HeaderLen() != 24 || n1.SPI() != 0xabcdef || n1.SI() != 254 ||
		n1.NextProtocol() != pkt.NSHProtoEthernet || n1.Context()[2] != 3 || n1.OAM() {
		t.Errorf("NSH MD1 round trip: %v", err)
	}
	md2 := hexb("0001 01 03 aabbcc00 0002 02 00")
	nsh.Encode(&pkt.NSHFields{OAM: true, TTL: 1, MDType: pkt.NSHMDType2, NextProtocol: pkt.NSHProtoIPv4, SPI: 1, SI: 1, Context: md2})
	n2, err := pkt.ParseNSH(b)
	mi := n2.Metadata()
	t1, _ := mi.Next()
	t2b, _ := mi.Next()
	_, more := mi.Next()
	if err != nil || !n2.OAM() || n2.HeaderLen() != 20 || !bytes.Equal(t1.Value(), []byte{0xaa, 0xbb, 0xcc}) || t2b.Type() != 2 || len(t2b.Value()) != 0 || more {
		t.Errorf("NSH MD2 round trip: %v", err)
	}

	sc := pkt.SCTP(b[:48])
	sc.Encode(5000, 80, 0xdeadbeef)
	sc.SetChecksum(sc.CalculateChecksum())
	if s2, _ := pkt.ParseSCTP(b[:48]); s2.SrcPort() != 5000 || s2.DstPort() != 80 || s2.VTag() != 0xdeadbeef || !s2.IsChecksumValid() {
		t.Errorf("SCTP round trip")
	}

	var frag [16]byte
	pkt.IPv6Fragment(frag[:]).Encode(pkt.IPProtoUDP, 1448, true, 77)
	if f, _ := pkt.ParseIPv6Fragment(frag[:]); f.NextHeader() != pkt.IPProtoUDP || f.FragmentOffset() != 1448 || !f.More() || f.ID() != 77 || len(f.Payload()) != 8 {
		t.Errorf("IPv6 fragment round trip")
	}
}

func TestSCTPChecksumVector(t *testing.T) {
	// RFC 3720 B.4: CRC32c of 32 zero bytes is 0x8a9136aa, sent aa 36 91 8a.
	b := make([]byte, 32)
	s := pkt.SCTP(b)
	s.SetChecksum(s.CalculateChecksum())
	if s.Checksum() != 0x8a9136aa || !bytes.Equal(b[8:12], []byte{0xaa, 0x36, 0x91, 0x8a}) {
		t.Errorf("CRC32c %#x, field % x", s.Checksum(), b[8:12])
	}
}

func TestL4ChecksumUpdates(t *testing.T) {
	for _, pair := range [][2]netip.Addr{{v4a, v4b}, {v6a, v6b}} {
		src, dst := pair[0], pair[1]
		b := make([]byte, 128)
		spec := pkt.PacketSpec{SrcMAC: mac1, DstMAC: mac2, Src: src, Dst: dst, SrcPort: 1000, DstPort: 2000, Payload: []byte("nat me")}
		for _, proto := range []uint8{pkt.IPProtoUDP, pkt.IPProtoTCP} {
			var n int
			if proto == pkt.IPProtoUDP {
				n, _ = pkt.EncodeUDP(b, &spec)
			} else {
				n, _ = pkt.EncodeTCP(b, &spec)
			}
			l3 := pkt.IPv4MinLen
			if src.Is6() {
				l3 = pkt.IPv6Len
			}
			l4 := b[14+l3 : n]
			newSrc := src.Next().Next()
			// Rewrite the source as NAT does and update incrementally.
			if src.Is4() {
				ip := pkt.IPv4(b[14:])
				ip.SetSrc(newSrc)
				if !ip.IsChecksumValid() {
					t.Errorf("IPv4 checksum after SetSrc")
				}
			} else {
				pkt.IPv6(b[14:]).SetSrc(newSrc)
			}
			pseudo := pkt.PseudoHeaderSum(newSrc, dst, proto, uint32(len(l4)))
			if proto == pkt.IPProtoUDP {
				u := pkt.UDP(l4)
				u.UpdateChecksumAddr(src, newSrc)
				if !u.IsChecksumValid(pseudo) || u.Checksum() != u.CalculateChecksum(pseudo) {
					t.Errorf("UDP %v: checksum %#x after update, want %#x", src, u.Checksum(), u.CalculateChecksum(pseudo))
				}
			} else {
				tc := pkt.TCP(l4)
				tc.UpdateChecksumAddr(src, newSrc)
				tc.UpdateChecksumPort(true, 4444)
				tc.UpdateChecksumPort(false, 5555)
				if !tc.IsChecksumValid(pseudo) || tc.Checksum() != tc.CalculateChecksum(pseudo) || tc.SrcPort() != 4444 || tc.DstPort() != 5555 {
					t.Errorf("TCP %v: checksum %#x after update, want %#x", src, tc.Checksum(), tc.CalculateChecksum(pseudo))
				}
			}
		}
	}
}

// TestIPv4SetterChecksums checks every setter against a full
// recomputation over many values.
func TestIPv4SetterChecksums(t *testing.T) {
	b := make([]byte, 24)
	ip := pkt.IPv4(b)
	ip.Encode(&pkt.IPv4Fields{TotalLength: 24, TTL: 64, Protocol: pkt.IPProtoTCP, Src: v4a, Dst: v4b, Options: []byte{1, 1, 1, 0}})
	for i := 0; i < 2000; i++ {
		x := uint16(i*7919 + 13)
		switch i % 8 {
		case 0:
			ip.SetTTL(uint8(x))
		case 1:
			ip.SetTOS(uint8(x))
		case 2:
			ip.SetID(x)
		case 3:
			ip.SetTotalLength(x)
		case 4:
			ip.SetFlagsFragmentOffset(x)
		case 5:
			ip.SetProtocol(uint8(x >> 3))
		case 6:
			ip.SetSrc(netip.AddrFrom4([4]byte{byte(x), byte(x >> 8), 0, byte(i)}))
		case 7:
			ip.SetDst(netip.AddrFrom4([4]byte{0, 0, byte(x), byte(x >> 8)}))
			ip.DecTTL()
		}
		if ip.Checksum() != ip.CalculateChecksum() {
			t.Fatalf("step %d: checksum %#04x, want %#04x (% x)", i, ip.Checksum(), ip.CalculateChecksum(), b)
		}
	}
	ip.SetTTL(0)
	if ip.DecTTL() != 0 || ip.TTL() != 0 {
		t.Errorf("DecTTL below zero")
	}
}
