package pkt_test

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"dpk/pkt"
)

// hexb decodes hex with spaces, '|' and newlines ignored.
func hexb(s string) []byte {
	s = strings.NewReplacer(" ", "", "|", "", "\n", "", "\t", "").Replace(s)
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// Hand-built headers, each followed by a few payload bytes; hdrLen is the
// length the constructor must see.
var samples = []struct {
	name   string
	parse  func([]byte) error
	b      []byte
	hdrLen int
}{
	{"Ethernet", func(b []byte) error { _, err := pkt.ParseEthernet(b); return err },
		hexb("ffffffffffff 020000000001 0800 45"), 14},
	{"VLAN", func(b []byte) error { _, err := pkt.ParseVLAN(b); return err },
		hexb("a0 64 0800 45"), 4},
	{"ARP", func(b []byte) error { _, err := pkt.ParseARP(b); return err },
		hexb("0001 0800 06 04 0001 020000000001 0a000001 000000000000 0a000002 0000"), 28},
	{"IPv4", func(b []byte) error { _, err := pkt.ParseIPv4(b); return err },
		hexb("46000020 12344000 4006 0000 0a000001 0a000002 01010100 | 0000000000000000"), 24},
	{"IPv6", func(b []byte) error { _, err := pkt.ParseIPv6(b); return err },
		hexb("60000000 0008 11 40 20010db8000000000000000000000001 20010db8000000000000000000000002 | 0000000000000000"), 40},
	{"IPv6Opts", func(b []byte) error { _, err := pkt.ParseIPv6Opts(b); return err },
		hexb("3a 01 | 05020000 | c2040001 0000 | 0100 | 8000"), 16},
	{"IPv6Routing", func(b []byte) error { _, err := pkt.ParseIPv6Routing(b); return err },
		hexb("3a 04 04 01 | 01 00 0000 | 20010db8000000000000000000000011 | 20010db8000000000000000000000012 | 8000"), 40},
	{"IPv6Fragment", func(b []byte) error { _, err := pkt.ParseIPv6Fragment(b); return err },
		hexb("11 00 0b91 deadbeef | 0000"), 8},
	{"AH", func(b []byte) error { _, err := pkt.ParseAH(b); return err },
		hexb("06 04 0000 | 00001000 | 00000005 | 000102030405060708090a0b | 00"), 24},
	{"ICMP", func(b []byte) error { _, err := pkt.ParseICMP(b); return err },
		hexb("08 00 0000 1234 0001 | 6162"), 8},
	{"ICMPv6 NS", func(b []byte) error { _, err := pkt.ParseICMPv6(b); return err },
		hexb("87 00 0000 00000000 | 20010db8000000000000000000000002 | 01 01 020000000001"), 24},
	{"TCP", func(b []byte) error { _, err := pkt.ParseTCP(b); return err },
		hexb("3039 0050 00000064 000000c8 80 12 ffff 0000 0000 | 020405b4 01030307 04020101 | 6869"), 32},
	{"UDP", func(b []byte) error { _, err := pkt.ParseUDP(b); return err },
		hexb("3039 12b5 000a 0000 | 6869"), 8},
	{"SCTP", func(b []byte) error { _, err := pkt.ParseSCTP(b); return err },
		hexb("0050 0050 12345678 00000000 | 00"), 12},
	{"GRE", func(b []byte) error { _, err := pkt.ParseGRE(b); return err },
		hexb("b000 0800 | 0000 0000 | 0000002a | 00000007 | 45"), 16},
	{"VXLAN", func(b []byte) error { _, err := pkt.ParseVXLAN(b); return err },
		hexb("08000000 00006400 | ff"), 8},
	{"VXLAN-GPE", func(b []byte) error { _, err := pkt.ParseVXLANGPE(b); return err },
		hexb("0c000004 00006400 | 00"), 8},
	{"Geneve", func(b []byte) error { _, err := pkt.ParseGeneve(b); return err },
		hexb("02406558 00000a00 | 01028001 aabbccdd | 00"), 16},
	{"GTP-U", func(b []byte) error { _, err := pkt.ParseGTPU(b); return err },
		hexb("34ff000c 00100657 | 0000 00 85 | 01 00 09 00 | 45000000"), 16},
	{"MPLS", func(b []byte) error { _, err := pkt.ParseMPLS(b); return err },
		hexb("0001513f 45"), 4},
	{"PPPoE", func(b []byte) error { _, err := pkt.ParsePPPoE(b); return err },
		hexb("1100 0f07 0004 0021 4500"), 6},
	{"NSH MD1", func(b []byte) error { _, err := pkt.ParseNSH(b); return err },
		hexb("0fc60103 00002aff | 00000001 00000002 00000003 00000004 | 45"), 24},
	{"NSH MD2", func(b []byte) error { _, err := pkt.ParseNSH(b); return err },
		hexb("0fc40201 00002aff | 00010201 ab000000 | 45"), 16},
	{"ERSPAN II", func(b []byte) error { _, err := pkt.ParseERSPAN(b); return err },
		hexb("1156c29a 00007ff8 | ff"), 8},
	{"ERSPAN III", func(b []byte) error { _, err := pkt.ParseERSPAN(b); return err },
		hexb("200a0000 7050c255 00000007 | 0102030405060708 | ff"), 20},
}

// TestTruncation checks every constructor on every prefix of a valid
// header: ErrTruncated while the header is incomplete, success after.
func TestTruncation(t *testing.T) {
	for _, s := range samples {
		for n := 0; n <= len(s.b); n++ {
			err := s.parse(s.b[:n:n])
			if n < s.hdrLen && !errors.Is(err, pkt.ErrTruncated) {
				t.Errorf("%s: %d of %d bytes: error %v, want ErrTruncated", s.name, n, s.hdrLen, err)
			}
			if n >= s.hdrLen && err != nil {
				t.Errorf("%s: %d bytes: %v", s.name, n, err)
			}
		}
		if err := s.parse(s.b[:s.hdrLen-1]); err != nil && !strings.HasPrefix(err.Error(), "pkt: ") {
			t.Errorf("%s: error %q not wrapped with the package and header name", s.name, err)
		}
	}
}

// TestMalformed checks that impossible field values give ErrMalformed.
func TestMalformed(t *testing.T) {
	tests := []struct {
		name  string
		parse func([]byte) error
		b     []byte
	}{
		{"ARP lengths", func(b []byte) error { _, err := pkt.ParseARP(b); return err },
			hexb("0001 0800 08 04 0001 020000000001 0a000001 000000000000 0a000002 00000000")},
		{"IPv4 version", func(b []byte) error { _, err := pkt.ParseIPv4(b); return err },
			hexb("65000014 00000000 40060000 0a000001 0a000002")},
		{"IPv4 IHL", func(b []byte) error { _, err := pkt.ParseIPv4(b); return err },
			hexb("44000014 00000000 40060000 0a000001 0a000002")},
		{"IPv6 version", func(b []byte) error { _, err := pkt.ParseIPv6(b); return err },
			hexb("40000000 0000 3b 40 00000000000000000000000000000000 00000000000000000000000000000000")},
		{"AH length", func(b []byte) error { _, err := pkt.ParseAH(b); return err },
			hexb("06 00 0000 00001000 00000005 00000000")},
		{"TCP data offset", func(b []byte) error { _, err := pkt.ParseTCP(b); return err },
			hexb("3039 0050 00000064 000000c8 40 12 ffff 0000 0000")},
		{"GRE version", func(b []byte) error { _, err := pkt.ParseGRE(b); return err },
			hexb("0002 0800 45")},
		{"GRE routing", func(b []byte) error { _, err := pkt.ParseGRE(b); return err },
			hexb("4000 0800 00000000 45")},
		{"Geneve version", func(b []byte) error { _, err := pkt.ParseGeneve(b); return err },
			hexb("40006558 00000a00")},
		{"GTP-U version", func(b []byte) error { _, err := pkt.ParseGTPU(b); return err },
			hexb("50ff0000 00000001")},
		{"GTP' (PT 0)", func(b []byte) error { _, err := pkt.ParseGTPU(b); return err },
			hexb("20ff0000 00000001")},
		{"GTP-U zero-length extension", func(b []byte) error { _, err := pkt.ParseGTPU(b); return err },
			hexb("34ff0008 00000001 0000 00 85 00000000")},
		{"GTP-U length below header", func(b []byte) error { _, err := pkt.ParseGTPU(b); return err },
			hexb("32ff0002 00000001 0000 00 00")},
		{"GTP-U extension loop", func(b []byte) error { _, err := pkt.ParseGTPU(b); return err },
			append(hexb("34ff0040 00000001 0000 00 85"), strings.Repeat("\x01\x00\x00\x85", 12)...)},
		{"MPLS stack depth", func(b []byte) error { _, _, err := pkt.SkipMPLS(b); return err },
			make([]byte, 4*pkt.MaxMPLSLabels+4)},
		{"NSH version", func(b []byte) error { _, err := pkt.ParseNSH(b); return err },
			hexb("4fc20203 00002aff")},
		{"NSH MD1 length", func(b []byte) error { _, err := pkt.ParseNSH(b); return err },
			hexb("0fc20103 00002aff")},
		{"NSH length", func(b []byte) error { _, err := pkt.ParseNSH(b); return err },
			hexb("0fc10203 00002aff")},
		{"ERSPAN version", func(b []byte) error { _, err := pkt.ParseERSPAN(b); return err },
			hexb("3156c29a 00007ff8")},
	}
	for _, tt := range tests {
		if err := tt.parse(tt.b); !errors.Is(err, pkt.ErrMalformed) {
			t.Errorf("%s: error %v, want ErrMalformed", tt.name, err)
		}
	}
}

// TestAccessorsOnSamples reads the fields of the hand-built samples.
func TestAccessorsOnSamples(t *testing.T) {
	get := func(name string) []byte {
		for _, s := range samples {
			if s.name == name {
				return append([]byte(nil), s.b...)
			}
		}
		t.Fatalf("no sample %s", name)
		return nil
	}
	check := func(what string, got, want any) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}

	v, _ := pkt.ParseVLAN(get("VLAN"))
	check("VLAN PCP", v.PCP(), uint8(5))
	check("VLAN DEI", v.DEI(), false)
	check("VLAN VID", v.VID(), uint16(100))
	v.SetVID(4095)
	v.SetPCP(1)
	check("VLAN TCI after set", v.TCI(), uint16(0x2fff))
	check("MakeTCI", pkt.MakeTCI(7, true, 42), uint16(0xf02a))

	ip, _ := pkt.ParseIPv4(get("IPv4"))
	check("IPv4 HeaderLen", ip.HeaderLen(), 24)
	check("IPv4 options", len(ip.Options()), 4)
	check("IPv4 payload", len(ip.Payload()), 8)
	check("IPv4 DF", ip.DF(), true)
	check("IPv4 src", ip.Src().String(), "10.0.0.1")
	check("IPv4 dst uint32", ip.DstUint32(), uint32(0x0a000002))
	check("IPv4 fragment", ip.IsFragment(), false)
	check("IPv4 CheckLength", ip.CheckLength(), nil)
	ip.SetChecksum(ip.CalculateChecksum())
	check("IPv4 checksum valid", ip.IsChecksumValid(), true)
	ip.SetFlagsFragmentOffset(pkt.IPv4FlagMF)
	check("IPv4 first fragment", ip.IsFirstFragment(), true)
	ip.SetFlagsFragmentOffset(pkt.IPv4FlagMF | 100)
	check("IPv4 later fragment", ip.IsFirstFragment(), false)
	check("IPv4 fragment offset", ip.FragmentOffset(), uint16(800))
	check("IPv4 checksum still valid", ip.IsChecksumValid(), true)
	ip.SetTotalLength(10)
	check("IPv4 short total length", errors.Is(ip.CheckLength(), pkt.ErrMalformed), true)
	check("IPv4 payload of short total length", len(ip.Payload()), 0)
	ip.SetTotalLength(1000)
	check("IPv4 long total length", errors.Is(ip.CheckLength(), pkt.ErrTruncated), true)
	check("IPv4 payload clamped", len(ip.Payload()), 8)

	ip6, _ := pkt.ParseIPv6(get("IPv6"))
	check("IPv6 src", ip6.Src().String(), "2001:db8::1")
	ip6.SetTrafficClass(0xb8)
	ip6.SetFlowLabel(0xabcde)
	check("IPv6 TC", ip6.TrafficClass(), uint8(0xb8))
	check("IPv6 DSCP", ip6.DSCP(), uint8(46))
	check("IPv6 flow", ip6.FlowLabel(), uint32(0xabcde))
	check("IPv6 version kept", ip6.Version(), uint8(6))
	check("IPv6 hop limit", ip6.DecHopLimit(), uint8(63))
	check("IPv6 payload", len(ip6.Payload()), 8)

	opts, _ := pkt.ParseIPv6Opts(get("IPv6Opts"))
	jl, ok := opts.JumboPayloadLength()
	check("jumbo", jl, uint32(0x00010000))
	check("jumbo ok", ok, true)
	_, ok = opts.HomeAddress()
	check("no home address", ok, false)

	rt, _ := pkt.ParseIPv6Routing(get("IPv6Routing"))
	check("SRH type", rt.RoutingType(), pkt.IPv6RoutingTypeSRH)
	check("SRH addrs", rt.NumAddresses(), 2)
	a1, _ := rt.Address(1)
	check("SRH seg 1", a1.String(), "2001:db8::12")
	fd, _ := rt.FinalDestination()
	check("SRH final", fd.String(), "2001:db8::11")
	_, ok = rt.Address(2)
	check("SRH seg 2", ok, false)
	_, ok = rt.Address(-1)
	check("SRH seg -1", ok, false)

	fr, _ := pkt.ParseIPv6Fragment(get("IPv6Fragment"))
	check("frag offset", fr.FragmentOffset(), uint16(0xb90))
	check("frag more", fr.More(), true)
	check("frag id", fr.ID(), uint32(0xdeadbeef))
	fr.SetFragment(64, false)
	check("frag offset set", fr.FragmentOffset(), uint16(64))
	check("frag more set", fr.More(), false)

	ah, _ := pkt.ParseAH(get("AH"))
	check("AH len", ah.HeaderLen(), 24)
	check("AH ICV", len(ah.ICV()), 12)
	check("AH SPI", ah.SPI(), uint32(0x1000))

	tcp, _ := pkt.ParseTCP(get("TCP"))
	check("TCP flags", tcp.Flags().String(), "SYN|ACK")
	mss, _ := tcp.MSS()
	check("TCP MSS", mss, uint16(1460))
	ws, _ := tcp.WindowScale()
	check("TCP WS", ws, uint8(7))
	check("TCP SACK ok", tcp.SACKPermitted(), true)
	_, _, ok = tcp.Timestamps()
	check("TCP no timestamps", ok, false)
	check("TCP payload", string(tcp.Payload()), "hi")

	udp, _ := pkt.ParseUDP(get("UDP"))
	check("UDP payload", string(udp.Payload()), "hi")
	udp.SetLength(4)
	check("UDP short length payload", len(udp.Payload()), 0)

	g, _ := pkt.ParseGRE(get("GRE"))
	k, _ := g.Key()
	s, _ := g.Seq()
	check("GRE key", k, uint32(42))
	check("GRE seq", s, uint32(7))
	check("GRE hl", g.HeaderLen(), 16)
	_, ok = g.Ack()
	check("GRE ack", ok, false)
	g.SetChecksum(g.CalculateChecksum())
	ck, _ := g.Checksum()
	check("GRE checksum", ck, g.CalculateChecksum())

	gen, _ := pkt.ParseGeneve(get("Geneve"))
	check("Geneve VNI", gen.VNI(), uint32(10))
	check("Geneve crit", gen.Critical(), true)
	it := gen.OptionIter()
	o, ok := it.Next()
	check("Geneve option", ok, true)
	check("Geneve option class", o.Class(), uint16(0x0102))
	check("Geneve option data", len(o.Data()), 4)
	_, ok = it.Next()
	check("Geneve one option", ok, false)

	gtp, _ := pkt.ParseGTPU(get("GTP-U"))
	check("GTP-U hl", gtp.HeaderLen(), 16)
	qfi, ok := gtp.QFI()
	check("GTP-U QFI", qfi, uint8(9))
	check("GTP-U QFI ok", ok, true)
	_, ok = gtp.Seq()
	check("GTP-U seq flag", ok, false)
	nt, _ := gtp.NextExtType()
	check("GTP-U next ext", nt, pkt.GTPUExtPDUSession)
	check("GTP-U payload", len(gtp.Payload()), 4)

	nsh, _ := pkt.ParseNSH(get("NSH MD1"))
	check("NSH TTL", nsh.TTL(), uint8(63))
	check("NSH SPI", nsh.SPI(), uint32(42))
	check("NSH SI", nsh.SI(), uint8(255))
	check("NSH ctx", len(nsh.Context()), 16)
	nsh.SetTTL(5)
	check("NSH TTL set", nsh.TTL(), uint8(5))
	check("NSH len kept", nsh.HeaderLen(), 24)
	nsh2, _ := pkt.ParseNSH(get("NSH MD2"))
	mi := nsh2.Metadata()
	m, ok := mi.Next()
	check("NSH MD2 TLV", ok, true)
	check("NSH MD2 class", m.Class(), uint16(1))
	check("NSH MD2 value", len(m.Value()), 1)

	e2, _ := pkt.ParseERSPAN(get("ERSPAN II"))
	idx, _ := e2.Index()
	check("ERSPAN II index", idx, uint32(32760))
	check("ERSPAN II session", e2.SessionID(), uint16(666))
	e3, _ := pkt.ParseERSPAN(get("ERSPAN III"))
	sub, ok := e3.PlatformSubheader()
	check("ERSPAN III subheader", ok && len(sub) == 8, true)
	check("ERSPAN III payload", len(e3.Payload()), 1)

	pp, _ := pkt.ParsePPPoE(get("PPPoE"))
	proto, _ := pp.PPPProtocol()
	check("PPP proto", proto, pkt.PPPProtoIPv4)
	sp, _ := pp.SessionPayload()
	check("PPPoE session payload", len(sp), 2)

	ns, _ := pkt.ParseICMPv6(get("ICMPv6 NS"))
	tgt, _ := ns.NDTarget()
	check("NS target", tgt.String(), "2001:db8::2")
	lla, ok := ns.LinkLayerAddr()
	check("NS SLLA", lla.String(), "02:00:00:00:00:01")
	check("NS SLLA ok", ok, true)
}
