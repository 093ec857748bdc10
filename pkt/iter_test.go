package pkt_test

import (
	"errors"
	"testing"

	"dpk/pkt"
)

// ext6 builds a generic (len+1)*8 extension header of units 8-byte units.
func ext6(nh uint8, units int) []byte {
	b := make([]byte, 8*(units+1))
	b[0], b[1] = nh, uint8(units)
	if len(b) > 2 {
		b[2], b[3] = 1, uint8(len(b)-4) // one PadN option filling the header
	}
	return b
}

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

func TestIPv6ExtIter(t *testing.T) {
	udp := hexb("3039 0035 0008 0000")
	frag := func(nh uint8, off uint16, more bool) []byte {
		f := make([]byte, 8)
		pkt.IPv6Fragment(f).Encode(nh, off, more, 1)
		return f
	}
	ah := hexb("3c 04 0000 00001000 00000005 000102030405060708090a0b") // next: dst opts
	tests := []struct {
		name  string
		first uint8
		b     []byte
		next  uint8
		off   int
		frag  bool
		types []uint8
		err   error
	}{
		{"none", pkt.IPProtoUDP, udp, pkt.IPProtoUDP, 0, false, nil, nil},
		{"hbh", pkt.IPProtoHopOpts, cat(ext6(pkt.IPProtoUDP, 0), udp), pkt.IPProtoUDP, 8, false, []uint8{0}, nil},
		{"hbh dst rt frag ah dst", pkt.IPProtoHopOpts,
			cat(ext6(pkt.IPProtoDstOpts, 1), ext6(pkt.IPProtoRouting, 0), ext6(pkt.IPProtoFragment, 2), frag(pkt.IPProtoAH, 0, true), ah, ext6(pkt.IPProtoTCP, 0)),
			pkt.IPProtoTCP, 16 + 8 + 24 + 8 + 24 + 8, true, []uint8{0, 60, 43, 44, 51, 60}, nil},
		{"later fragment stops", pkt.IPProtoFragment, cat(frag(pkt.IPProtoUDP, 1448, false), []byte("data data")),
			pkt.IPProtoUDP, 8, true, []uint8{44}, nil},
		{"esp ends", pkt.IPProtoDstOpts, cat(ext6(pkt.IPProtoESP, 0), udp), pkt.IPProtoESP, 8, false, []uint8{60}, nil},
		{"no next", pkt.IPProtoHopOpts, ext6(pkt.IPProtoNoNext, 0), pkt.IPProtoNoNext, 8, false, []uint8{0}, nil},
		{"truncated", pkt.IPProtoHopOpts, ext6(pkt.IPProtoUDP, 1)[:12], pkt.IPProtoHopOpts, 0, false, nil, pkt.ErrTruncated},
		{"truncated length", pkt.IPProtoRouting, cat(ext6(pkt.IPProtoUDP, 1)[:15]), pkt.IPProtoRouting, 0, false, nil, pkt.ErrTruncated},
		{"AH length 0", pkt.IPProtoAH, hexb("06000000 00000000 0000000000000000"), pkt.IPProtoAH, 0, false, nil, pkt.ErrMalformed},
		{"too many", pkt.IPProtoDstOpts, cat(ext6(60, 0), ext6(60, 0), ext6(60, 0), ext6(60, 0), ext6(60, 0), ext6(60, 0), ext6(60, 0), ext6(60, 0), ext6(6, 0)),
			pkt.IPProtoDstOpts, 64, false, []uint8{60, 60, 60, 60, 60, 60, 60, 60}, pkt.ErrMalformed},
	}
	for _, tt := range tests {
		it := pkt.NewIPv6ExtIter(tt.first, tt.b)
		var types []uint8
		for it.Next() {
			types = append(types, it.Type())
			if len(it.Header()) == 0 {
				t.Errorf("%s: empty header", tt.name)
			}
		}
		if !errors.Is(it.Err(), tt.err) || (tt.err == nil && it.Err() != nil) {
			t.Errorf("%s: error %v, want %v", tt.name, it.Err(), tt.err)
		}
		if string(types) != string(tt.types) {
			t.Errorf("%s: types %v, want %v", tt.name, types, tt.types)
		}
		next, off, fr, err := pkt.SkipIPv6Ext(tt.first, tt.b)
		if next != tt.next || off != tt.off || (fr != nil) != tt.frag || !errors.Is(err, tt.err) {
			t.Errorf("%s: SkipIPv6Ext = %d %d %v %v, want %d %d %v %v", tt.name, next, off, fr != nil, err, tt.next, tt.off, tt.frag, tt.err)
		}
		if it.NextHeader() != next || it.Offset() != off {
			t.Errorf("%s: iterator ends at %d/%d", tt.name, it.NextHeader(), it.Offset())
		}
	}
	// Through the IPv6 view.
	b := make([]byte, 40)
	pkt.IPv6(b).Encode(&pkt.IPv6Fields{NextHeader: pkt.IPProtoHopOpts, PayloadLength: 16, HopLimit: 1, Src: v6a, Dst: v6b})
	b = cat(b, ext6(pkt.IPProtoUDP, 0), udp)
	ip, _ := pkt.ParseIPv6(b)
	if proto, off, fr, err := ip.UpperLayer(); proto != pkt.IPProtoUDP || off != 48 || fr != nil || err != nil {
		t.Errorf("UpperLayer = %d %d %v %v", proto, off, fr, err)
	}
}

func TestIPv6OptionIter(t *testing.T) {
	o, err := pkt.ParseIPv6Opts(hexb("11 02 | 05 02 0000 | c9 10 20010db8000000000000000000000099 | 00 01 00"))
	if err != nil {
		t.Fatal(err)
	}
	it := o.OptionIter()
	var got []uint8
	for opt, ok := it.Next(); ok; opt, ok = it.Next() {
		got = append(got, opt.Type)
	}
	if string(got) != string([]uint8{5, 0xc9}) || it.Err() != nil {
		t.Errorf("options %v err %v", got, it.Err())
	}
	if hoa, ok := o.HomeAddress(); !ok || hoa.String() != "2001:db8::99" {
		t.Errorf("home address %v %v", hoa, ok)
	}
	bad, err := pkt.ParseIPv6Opts(hexb("11 00 | 01 05 00000000"))
	if err != nil {
		t.Fatal(err)
	}
	it = bad.OptionIter()
	if _, ok := it.Next(); ok || !errors.Is(it.Err(), pkt.ErrTruncated) {
		t.Errorf("overlong option: %v", it.Err())
	}
}

func TestTCPOptionIter(t *testing.T) {
	mk := func(opts string) pkt.TCP {
		o := hexb(opts)
		o = append(o, make([]byte, (4-len(o)%4)%4)...)
		b := make([]byte, 20+len(o))
		pkt.TCP(b).Encode(&pkt.TCPFields{Options: o})
		tc, err := pkt.ParseTCP(b)
		if err != nil {
			t.Fatal(err)
		}
		return tc
	}
	// SACK with two blocks, then EOL and garbage after it.
	tc := mk("0101 0512 00000001 00000002 00000003 00000004 00 ff")
	sack, ok := tc.SACK()
	l, r, bok := sack.SACKBlock(1)
	if !ok || sack.NumSACKBlocks() != 2 || !bok || l != 3 || r != 4 {
		t.Errorf("SACK: %v %d %d %d", ok, sack.NumSACKBlocks(), l, r)
	}
	if _, _, ok := sack.SACKBlock(2); ok {
		t.Errorf("SACK block 2")
	}
	it := tc.OptionIter()
	n := 0
	for _, ok := it.Next(); ok; _, ok = it.Next() {
		n++
	}
	if n != 3 || it.Err() != nil {
		t.Errorf("%d options before EOL, err %v", n, it.Err())
	}
	for _, bad := range []struct {
		opts string
		err  error
	}{
		{"0201 00000000", pkt.ErrMalformed}, // length 1
		{"0200 00000000", pkt.ErrMalformed}, // length 0
		{"010101 02", pkt.ErrTruncated},     // kind without length
		{"0209 000000", pkt.ErrTruncated},   // runs past the header
	} {
		it := mk(bad.opts).OptionIter()
		for _, ok := it.Next(); ok; _, ok = it.Next() {
		}
		if !errors.Is(it.Err(), bad.err) {
			t.Errorf("options %s: error %v, want %v", bad.opts, it.Err(), bad.err)
		}
	}
	// Options of the wrong length are not reported as values.
	tc = mk("0203 05 0304 0505 08 0b 000000000000000000 00")
	if _, ok := tc.MSS(); ok {
		t.Errorf("3-byte MSS accepted")
	}
	if _, ok := tc.WindowScale(); ok {
		t.Errorf("4-byte WS accepted")
	}
}

func TestNDOptions(t *testing.T) {
	na := hexb("88 00 0000 e0000000 | fe800000000000000000000000000001 | 02 01 020000000002 | 05 01 0000 000005dc")
	c, err := pkt.ParseICMPv6(na)
	if err != nil {
		t.Fatal(err)
	}
	if c.NAFlags() != pkt.NAFlagRouter|pkt.NAFlagSolicited|pkt.NAFlagOverride || !c.IsND() || c.IsError() {
		t.Errorf("NA flags %#x", c.NAFlags())
	}
	if lla, ok := c.LinkLayerAddr(); !ok || lla != mac2 {
		t.Errorf("NA target link-layer address %v %v", lla, ok)
	}
	it := c.NDOptions()
	it.Next()
	mtu, _ := it.Next()
	if v, ok := mtu.MTU(); !ok || v != 1500 {
		t.Errorf("MTU option %d %v", v, ok)
	}
	if _, ok := it.Next(); ok || it.Err() != nil {
		t.Errorf("extra option or error %v", it.Err())
	}
	na[len(na)-7] = 0 // MTU option length 0
	c, _ = pkt.ParseICMPv6(na)
	it = c.NDOptions()
	for _, ok := it.Next(); ok; _, ok = it.Next() {
	}
	if !errors.Is(it.Err(), pkt.ErrMalformed) {
		t.Errorf("zero-length option: %v", it.Err())
	}

	ra := hexb("86 00 0000 40 80 0708 00000000 00000000 | 01 01 020000000001")
	c, err = pkt.ParseICMPv6(ra)
	hl, fl, life, ok := c.RouterAdvert()
	if err != nil || !ok || hl != 64 || fl != 0x80 || life != 0x708 {
		t.Errorf("RA: %v", err)
	}
	if lla, ok := c.LinkLayerAddr(); !ok || lla != mac1 {
		t.Errorf("RA source link-layer address %v", lla)
	}
	redirect := hexb("89 00 0000 00000000 | fe800000000000000000000000000001 | 20010db8000000000000000000000099")
	c, err = pkt.ParseICMPv6(redirect)
	d, ok := c.RedirectDst()
	if err != nil || !ok || d.String() != "2001:db8::99" || c.HeaderLen() != 40 {
		t.Errorf("redirect: %v %v", d, err)
	}
	if _, err := pkt.ParseICMPv6(redirect[:39]); !errors.Is(err, pkt.ErrTruncated) {
		t.Errorf("short redirect: %v", err)
	}
	echo := hexb("80 00 0000 1234 0007 6869")
	c, _ = pkt.ParseICMPv6(echo)
	if _, ok := c.NDTarget(); ok || c.Ident() != 0x1234 || c.Seq() != 7 || c.NAFlags() != 0 {
		t.Errorf("echo")
	}
	c.SetChecksum(c.CalculateChecksum(v6a, v6b))
	if !c.IsChecksumValid(v6a, v6b) || c.IsChecksumValid(v6b, v6b) {
		t.Errorf("ICMPv6 checksum")
	}
	it = c.NDOptions()
	if _, ok := it.Next(); ok {
		t.Errorf("options in an echo")
	}
	if err := c.Encode(&pkt.ICMPv6Fields{Type: pkt.ICMPv6NeighborSolicit, Target: v6b}); !errors.Is(err, pkt.ErrNoRoom) {
		t.Errorf("NS in 10 bytes: %v", err)
	}
	ns := make([]byte, 24)
	pkt.ICMPv6(ns).Encode(&pkt.ICMPv6Fields{Type: pkt.ICMPv6NeighborSolicit, Target: v6b})
	if c, _ := pkt.ParseICMPv6(ns); c.Type() != pkt.ICMPv6NeighborSolicit {
		t.Errorf("NS encode")
	} else if tgt, _ := c.NDTarget(); tgt != v6b {
		t.Errorf("NS target %v", tgt)
	}
}

func TestICMPv4(t *testing.T) {
	b := hexb("08 00 0000 0001 0002 | 6162636465")
	c, _ := pkt.ParseICMP(b)
	c.Encode(&pkt.ICMPFields{Type: pkt.ICMPEchoRequest, Rest: 0x00010002})
	if !c.IsChecksumValid() || c.Checksum() != c.CalculateChecksum() || c.Ident() != 1 || c.Seq() != 2 || c.IsError() {
		t.Errorf("ICMP echo")
	}
	c.SetType(pkt.ICMPEchoReply)
	c.SetChecksum(c.CalculateChecksum())
	if !c.IsChecksumValid() {
		t.Errorf("ICMP echo reply checksum")
	}
	c.Encode(&pkt.ICMPFields{Type: pkt.ICMPDestUnreach, Code: pkt.ICMPCodeFragNeeded, Rest: 1400})
	if !c.IsError() || c.MTU() != 1400 || c.RestOfHeader() != 1400 {
		t.Errorf("frag needed")
	}
}

func TestGTPUExtChain(t *testing.T) {
	// Two extensions: PDCP number, then a downlink PDU session container
	// with RQI and QFI 5.
	b := hexb("34ff0010 00000001 | 0000 00 c0 | 01 1234 85 | 01 00 45 00 | 45000000")
	g, err := pkt.ParseGTPU(b)
	if err != nil {
		t.Fatal(err)
	}
	it := g.ExtHeaders()
	var types []uint8
	for typ, e, ok := it.Next(); ok; typ, e, ok = it.Next() {
		types = append(types, typ)
		if typ == pkt.GTPUExtPDUSession && (!e.RQI() || e.PDUType() != pkt.GTPUPDUTypeDL) {
			t.Errorf("PDU session container RQI/type")
		}
	}
	if string(types) != string([]uint8{0xc0, 0x85}) || g.HeaderLen() != 20 || len(g.Payload()) != 4 {
		t.Errorf("chain %x hl %d", types, g.HeaderLen())
	}
	if q, ok := g.QFI(); !ok || q != 5 {
		t.Errorf("QFI %d %v", q, ok)
	}
	if _, err := pkt.ParseGTPU(b[:19]); !errors.Is(err, pkt.ErrTruncated) {
		t.Errorf("cut extension: %v", err)
	}
	g.SetTEID(9)
	g.SetMessageType(pkt.GTPUMsgEndMarker)
	g.SetLength(12)
	if g.TEID() != 9 || g.MessageType() != pkt.GTPUMsgEndMarker || len(g.Payload()) != 0 {
		t.Errorf("GTP-U setters")
	}
}
