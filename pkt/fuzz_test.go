package pkt_test

import (
	"errors"
	"path/filepath"
	"testing"

	"dpk/pkt"
)

// checkErr fails unless err wraps one of the package's sentinels.
func checkErr(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, pkt.ErrTruncated) && !errors.Is(err, pkt.ErrMalformed) {
		t.Fatalf("%s: error %v wraps no sentinel", what, err)
	}
}

// checkHdr checks a view's header length against the buffer.
func checkHdr(t *testing.T, what string, b []byte, hl, min int) {
	t.Helper()
	if hl < min || hl > len(b) {
		t.Fatalf("%s: header length %d outside [%d, %d]", what, hl, min, len(b))
	}
}

// addPcapSeeds adds the bytes at a layer of a few real frames as seeds.
func addPcapSeeds(f *testing.F, file string, off int) {
	frames := readPcap(f, filepath.Join(pcapDir(f), file))
	for i, fr := range frames {
		if i == 4 {
			break
		}
		if off < len(fr) {
			f.Add(fr[off:])
		}
	}
}

// FuzzFrame dissects arbitrary frames with every view.
func FuzzFrame(f *testing.F) {
	for _, s := range samples {
		f.Add(s.b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		dissect(b)
	})
}

func FuzzParseIPv4(f *testing.F) {
	f.Add(hexb("46000020 12344000 4006 0000 0a000001 0a000002 01010100 | 0000000000000000"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ip, err := pkt.ParseIPv4(b)
		if err != nil {
			checkErr(t, "IPv4", err)
			return
		}
		checkHdr(t, "IPv4", b, ip.HeaderLen(), pkt.IPv4MinLen)
		if len(ip.Options()) != ip.HeaderLen()-20 || len(ip.Payload()) > len(b)-ip.HeaderLen() {
			t.Fatalf("options %d payload %d", len(ip.Options()), len(ip.Payload()))
		}
		if err := ip.CheckLength(); err != nil {
			checkErr(t, "IPv4 length", err)
		} else if len(ip.Payload()) != int(ip.TotalLength())-ip.HeaderLen() {
			t.Fatalf("payload %d for total length %d", len(ip.Payload()), ip.TotalLength())
		}
		_ = ip.IsFragment() || ip.IsFirstFragment() || ip.DF() || ip.MF()
		_, _, _, _ = ip.Src(), ip.Dst(), ip.FragmentOffset(), ip.PseudoHeaderSum(8)
		// Re-encode from the accessors: the same header but for the reserved
		// flag bit and a fresh checksum.
		buf := make([]byte, ip.HeaderLen())
		f := pkt.IPv4Fields{TOS: ip.TOS(), TotalLength: ip.TotalLength(), ID: ip.ID(), Flags: ip.FlagsFragmentOffset() &^ pkt.IPv4FragOffsetMask,
			FragmentOffset: ip.FragmentOffset(), TTL: ip.TTL(), Protocol: ip.Protocol(), Src: ip.Src(), Dst: ip.Dst(), Options: ip.Options()}
		if err := pkt.IPv4(buf).Encode(&f); err != nil {
			t.Fatal(err)
		}
		if ip2, _ := pkt.ParseIPv4(buf); ip2.TOS() != ip.TOS() || ip2.FragmentOffset() != ip.FragmentOffset() || ip2.Src() != ip.Src() ||
			ip2.Dst() != ip.Dst() || string(ip2.Options()) != string(ip.Options()) || !ip2.IsChecksumValid() {
			t.Fatalf("re-encode differs: % x vs % x", buf, ip.Header())
		}
		// Setters keep a valid checksum valid.
		ip2 := pkt.IPv4(append([]byte(nil), ip.Header()...))
		if ip2.IsChecksumValid() {
			ip2.DecTTL()
			ip2.SetID(ip2.ID() ^ 0x5555)
			ip2.SetTOS(^ip2.TOS())
			ip2.SetDst(ip2.Src())
			if !ip2.IsChecksumValid() {
				t.Fatalf("setters broke the checksum: % x", ip2)
			}
		}
	})
}

func FuzzParseIPv6Ext(f *testing.F) {
	for _, s := range samples {
		switch s.name {
		case "IPv6Opts", "IPv6Routing", "IPv6Fragment", "AH":
			f.Add(uint8(pkt.IPProtoHopOpts), s.b)
			f.Add(uint8(pkt.IPProtoRouting), s.b)
			f.Add(uint8(pkt.IPProtoAH), s.b)
		}
	}
	f.Add(uint8(pkt.IPProtoHopOpts), cat(ext6(pkt.IPProtoDstOpts, 1), ext6(pkt.IPProtoRouting, 0), ext6(pkt.IPProtoFragment, 2), hexb("06000001 00000001")))
	f.Fuzz(func(t *testing.T, proto uint8, b []byte) {
		it := pkt.NewIPv6ExtIter(proto, b)
		n := 0
		for it.Next() {
			n++
			h := it.Header()
			var err error
			var hl int
			switch it.Type() {
			case pkt.IPProtoHopOpts, pkt.IPProtoDstOpts:
				var o pkt.IPv6Opts
				o, err = pkt.ParseIPv6Opts(h)
				if err == nil {
					hl = o.HeaderLen()
					oi := o.OptionIter()
					for _, ok := oi.Next(); ok; _, ok = oi.Next() {
					}
					o.JumboPayloadLength()
					o.HomeAddress()
				}
			case pkt.IPProtoRouting:
				var r pkt.IPv6Routing
				r, err = pkt.ParseIPv6Routing(h)
				if err == nil {
					hl = r.HeaderLen()
					for i := -1; i <= r.NumAddresses(); i++ {
						if _, ok := r.Address(i); ok != (i >= 0 && i < r.NumAddresses()) {
							t.Fatalf("Address(%d) ok=%v of %d", i, ok, r.NumAddresses())
						}
					}
					r.FinalDestination()
					_ = r.Data()
				}
			case pkt.IPProtoFragment:
				var fr pkt.IPv6Fragment
				fr, err = pkt.ParseIPv6Fragment(h)
				hl = pkt.IPv6FragmentLen
				_, _ = fr.FragmentOffset(), fr.More()
			case pkt.IPProtoAH:
				var a pkt.AH
				a, err = pkt.ParseAH(h)
				if err == nil {
					hl = a.HeaderLen()
					_ = a.ICV()
				}
			}
			if err != nil || hl != len(h) {
				t.Fatalf("iterator yielded a header its view rejects (%v) or sizes differently (%d of %d)", err, hl, len(h))
			}
		}
		if n > pkt.MaxIPv6ExtHeaders || it.Offset() > len(b) {
			t.Fatalf("%d headers, offset %d of %d", n, it.Offset(), len(b))
		}
		if it.Err() != nil {
			checkErr(t, "IPv6 ext", it.Err())
		}
		next, off, _, err := pkt.SkipIPv6Ext(proto, b)
		if next != it.NextHeader() || off != it.Offset() || err != it.Err() {
			t.Fatalf("SkipIPv6Ext disagrees with the iterator")
		}
	})
}

func FuzzParseTCP(f *testing.F) {
	f.Add(hexb("3039 0050 00000064 000000c8 80 12 ffff 0000 0000 | 020405b4 01030307 04020101 | 6869"))
	f.Add(hexb("3039 0050 00000064 00000000 a0 02 ffff 0000 0000 | 01010402 0101080a 00000001 00000000 020405b4"))
	f.Add(hexb("3039 0050 00000064 00000000 b0 10 ffff 0000 0000 | 0101051a 00000001 00000002 00000003 00000004 00000005 00000006 0000"))
	addPcapSeeds(f, "tcpreplay/test.pcap", 34)
	f.Fuzz(func(t *testing.T, b []byte) {
		tc, err := pkt.ParseTCP(b)
		if err != nil {
			checkErr(t, "TCP", err)
			return
		}
		checkHdr(t, "TCP", b, tc.HeaderLen(), pkt.TCPMinLen)
		it := tc.OptionIter()
		total := 0
		for o, ok := it.Next(); ok; o, ok = it.Next() {
			total += 1 + len(o.Data)
			for i := 0; i < o.NumSACKBlocks(); i++ {
				if _, _, ok := o.SACKBlock(i); !ok {
					t.Fatal("SACK block out of range")
				}
			}
			o.MSS()
			o.WindowScale()
			o.Timestamps()
		}
		if total > len(tc.Options()) {
			t.Fatalf("options walk covered %d of %d bytes", total, len(tc.Options()))
		}
		if it.Err() != nil {
			checkErr(t, "TCP options", it.Err())
		}
		tc.MSS()
		tc.WindowScale()
		tc.SACKPermitted()
		tc.Timestamps()
		tc.SACK()
		_ = tc.Flags().String()
		pseudo := pkt.PseudoHeaderSum(v4a, v4b, pkt.IPProtoTCP, uint32(len(b)))
		c := append(pkt.TCP(nil), tc...)
		c.SetChecksum(c.CalculateChecksum(pseudo))
		if !c.IsChecksumValid(pseudo) {
			t.Fatal("computed checksum not valid")
		}
	})
}

func FuzzParseGRE(f *testing.F) {
	f.Add(hexb("b000 0800 | 0000 0000 | 0000002a | 00000007 | 45"))
	f.Add(hexb("3081 880b 0004 1234 00000007 00000003 ff030021"))
	f.Add(hexb("1000 88be 000000ab 1156c29a 00007ff8"))
	addPcapSeeds(f, "zeek/tunnels_gre-erspan3-dot1q.pcap", 34)
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := pkt.ParseGRE(b)
		if err != nil {
			checkErr(t, "GRE", err)
			return
		}
		checkHdr(t, "GRE", b, g.HeaderLen(), pkt.GREMinLen)
		_, hc := g.Checksum()
		_, hk := g.Key()
		_, hs := g.Seq()
		_, ha := g.Ack()
		if hc != g.HasChecksum() || hk != g.HasKey() || hs != g.HasSeq() || ha != g.HasAck() {
			t.Fatal("optional field presence disagrees with flags")
		}
		_ = g.CalculateChecksum()
		if g.Protocol() == pkt.EtherTypeERSPAN2 || g.Protocol() == pkt.EtherTypeERSPAN3 {
			if e, err := pkt.ParseERSPAN(g.Payload()); err == nil {
				checkHdr(t, "ERSPAN", g.Payload(), e.HeaderLen(), pkt.ERSPAN2Len)
				e.Index()
				e.Timestamp()
				e.PlatformSubheader()
				_, _, _ = e.SGT(), e.HwID(), e.SessionID()
			} else {
				checkErr(t, "ERSPAN", err)
			}
		}
	})
}

func FuzzParseGeneve(f *testing.F) {
	f.Add(hexb("02406558 00000a00 | 01028001 aabbccdd | 00"))
	f.Add(hexb("05006558 00000a00 | 01020103 11111111 22222222 33333333 ffff0500"))
	addPcapSeeds(f, "tcpdump/geneve.pcap", 42)
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := pkt.ParseGeneve(b)
		if err != nil {
			checkErr(t, "Geneve", err)
			return
		}
		checkHdr(t, "Geneve", b, g.HeaderLen(), pkt.GeneveMinLen)
		it := g.OptionIter()
		total := 0
		for o, ok := it.Next(); ok; o, ok = it.Next() {
			total += 4 + len(o.Data())
			_, _, _ = o.Class(), o.Type(), o.Critical()
		}
		if total > g.OptLen() {
			t.Fatalf("options walk covered %d of %d bytes", total, g.OptLen())
		}
		if it.Err() != nil {
			checkErr(t, "Geneve options", it.Err())
		}
	})
}

func FuzzParseGTPU(f *testing.F) {
	f.Add(hexb("34ff000c 00100657 | 0000 00 85 | 01 00 09 00 | 45000000"))
	f.Add(hexb("34ff0010 00000001 | 0000 00 c0 | 01 1234 85 | 01 00 45 00 | 45000000"))
	f.Add(hexb("32010004 00000000 | 0001 00 00"))
	addPcapSeeds(f, "zeek/tunnels_gtp_gtp_ext_header.pcap", 42)
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := pkt.ParseGTPU(b)
		if err != nil {
			checkErr(t, "GTP-U", err)
			return
		}
		checkHdr(t, "GTP-U", b, g.HeaderLen(), pkt.GTPUMinLen)
		it := g.ExtHeaders()
		n := 0
		for _, e, ok := it.Next(); ok; _, e, ok = it.Next() {
			n++
			_, _, _ = e.Content(), e.NextType(), e.PDUType()
			e.QFI()
			e.RQI()
		}
		if it.Err() != nil || n > pkt.MaxGTPUExtHeaders {
			t.Fatalf("ParseGTPU accepted a chain the iterator rejects: %v (%d)", it.Err(), n)
		}
		g.Seq()
		g.NPDU()
		g.NextExtType()
		g.QFI()
		if len(g.Payload()) > len(b)-g.HeaderLen() {
			t.Fatal("payload past the view")
		}
	})
}

// FuzzViews feeds the other constructors, chosen by the first byte.
func FuzzViews(f *testing.F) {
	for i, s := range samples {
		f.Add(append([]byte{byte(i)}, s.b...))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 {
			return
		}
		b := in[1:]
		switch in[0] % 12 {
		case 0:
			if a, err := pkt.ParseARP(b); err == nil {
				_, _, _, _ = a.SenderIP(), a.TargetIP(), a.SenderMAC(), a.IsEthernetIPv4()
			} else {
				checkErr(t, "ARP", err)
			}
		case 1:
			if c, err := pkt.ParseICMPv6(b); err == nil {
				checkHdr(t, "ICMPv6", b, c.HeaderLen(), pkt.ICMPv6Len)
				c.NDTarget()
				c.RedirectDst()
				c.RouterAdvert()
				c.LinkLayerAddr()
				it := c.NDOptions()
				for o, ok := it.Next(); ok; o, ok = it.Next() {
					if o.Len() < 8 || o.Len()%8 != 0 {
						t.Fatalf("ND option of %d bytes", o.Len())
					}
					o.MTU()
				}
				_ = c.CalculateChecksum(v6a, v6b)
			} else {
				checkErr(t, "ICMPv6", err)
			}
		case 2:
			if n, err := pkt.ParseNSH(b); err == nil {
				checkHdr(t, "NSH", b, n.HeaderLen(), pkt.NSHMinLen)
				it := n.Metadata()
				for m, ok := it.Next(); ok; m, ok = it.Next() {
					_ = m.Value()
				}
				_, _, _ = n.TTL(), n.SPI(), n.Context()
			} else {
				checkErr(t, "NSH", err)
			}
		case 3:
			if e, err := pkt.ParseERSPAN(b); err == nil {
				checkHdr(t, "ERSPAN", b, e.HeaderLen(), pkt.ERSPAN2Len)
				e.PlatformSubheader()
				e.Index()
				e.Timestamp()
			} else {
				checkErr(t, "ERSPAN", err)
			}
		case 4:
			if p, err := pkt.ParsePPPoE(b); err == nil {
				p.PPPProtocol()
				p.SessionPayload()
				_ = p.Payload()
			} else {
				checkErr(t, "PPPoE", err)
			}
		case 5:
			if off, n, err := pkt.SkipMPLS(b); err != nil {
				checkErr(t, "MPLS", err)
			} else if off != 4*n || off > len(b) {
				t.Fatalf("MPLS stack %d entries at %d of %d", n, off, len(b))
			}
		case 6:
			if e, err := pkt.ParseEthernet(b); err == nil {
				et, l2, _ := e.InnerType()
				if l2 > len(b) {
					t.Fatalf("L2 length %d of %d", l2, len(b))
				}
				_ = et
			} else {
				checkErr(t, "Ethernet", err)
			}
		case 7:
			if ip, err := pkt.ParseIPv6(b); err == nil {
				ip.UpperLayer()
				_ = ip.CheckLength()
				_, _ = ip.FlowLabel(), ip.TrafficClass()
			} else {
				checkErr(t, "IPv6", err)
			}
		case 8:
			if u, err := pkt.ParseUDP(b); err == nil {
				ps := pkt.PseudoHeaderSum(v4a, v4b, pkt.IPProtoUDP, uint32(len(b)))
				u.IsChecksumValid(ps)
				_ = u.CalculateChecksum(ps)
			} else {
				checkErr(t, "UDP", err)
			}
		case 9:
			if s, err := pkt.ParseSCTP(b); err == nil {
				s.IsChecksumValid()
			} else {
				checkErr(t, "SCTP", err)
			}
		case 10:
			if v, err := pkt.ParseVXLANGPE(b); err == nil {
				_, _, _ = v.VNI(), v.NextProtocol(), v.Version()
			} else {
				checkErr(t, "VXLAN-GPE", err)
			}
		case 11:
			if c, err := pkt.ParseICMP(b); err == nil {
				_, _ = c.IsChecksumValid(), c.Gateway()
			} else {
				checkErr(t, "ICMP", err)
			}
		}
	})
}
