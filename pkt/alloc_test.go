package pkt_test

import (
	"testing"

	"dpk/pkt"
)

var sinkInt int

// TestNoAllocs checks that constructors (on success and on error),
// accessors and iterators do not allocate.
func TestNoAllocs(t *testing.T) {
	frame := make([]byte, 128)
	n, err := pkt.EncodeTCP(frame, &pkt.PacketSpec{SrcMAC: mac1, DstMAC: mac2, HasVLAN: true, Src: v4a, Dst: v4b, SrcPort: 1, DstPort: 2, Payload: []byte("data")})
	if err != nil {
		t.Fatal(err)
	}
	frame = frame[:n]
	gtp := hexb("34ff0010 00000001 | 0000 00 c0 | 01 1234 85 | 01 00 45 00 | 45000000")
	gen := hexb("02406558 00000a00 | 01028001 aabbccdd | 00")
	srh := hexb("3a 04 04 01 | 01 00 0000 | 20010db8000000000000000000000011 | 20010db8000000000000000000000012 | 8000")
	opts := hexb("0a 02 | 05 02 0000 | c9 10 20010db8000000000000000000000099")
	ns := hexb("87 00 0000 00000000 | 20010db8000000000000000000000002 | 01 01 020000000001")
	tests := []struct {
		name string
		f    func()
	}{
		{"ether/vlan/ipv4/tcp chain", func() {
			e, _ := pkt.ParseEthernet(frame)
			et, l2, _ := e.InnerType()
			v, _ := pkt.ParseVLAN(frame[14:])
			ip, _ := pkt.ParseIPv4(frame[l2:])
			tc, _ := pkt.ParseTCP(ip.Payload())
			mss, _ := tc.MSS()
			sinkInt += int(et) + int(v.VID()) + ip.HeaderLen() + int(ip.Protocol()) + int(tc.SrcPort()) + int(mss) + len(tc.Payload())
			if ip.Src() == ip.Dst() || e.Src() == e.Dst() || !ip.IsChecksumValid() {
				sinkInt++
			}
			sinkInt += int(ip.Src4()[0]) + int(ip.DstUint32())
		}},
		{"ipv4 setters", func() {
			ip := pkt.IPv4(frame[18:])
			ip.DecTTL()
			ip.SetSrc(v4b)
			ip.SetDst(v4a)
			ip.SetTOS(1)
		}},
		{"errors", func() {
			_, err1 := pkt.ParseIPv4(frame[:10])
			_, err2 := pkt.ParseTCP(frame[:3])
			_, err3 := pkt.ParseGTPU(gtp[:13])
			if err1 == nil || err2 == nil || err3 == nil {
				sinkInt++
			}
		}},
		{"gtpu", func() {
			g, _ := pkt.ParseGTPU(gtp)
			q, _ := g.QFI()
			sinkInt += int(q) + g.HeaderLen() + len(g.Payload())
		}},
		{"geneve", func() {
			g, _ := pkt.ParseGeneve(gen)
			it := g.OptionIter()
			for o, ok := it.Next(); ok; o, ok = it.Next() {
				sinkInt += int(o.Class())
			}
			sinkInt += int(g.VNI())
		}},
		{"ipv6 ext", func() {
			r, _ := pkt.ParseIPv6Routing(srh)
			a, _ := r.Address(1)
			o, _ := pkt.ParseIPv6Opts(opts)
			h, _ := o.HomeAddress()
			next, off, _, _ := pkt.SkipIPv6Ext(pkt.IPProtoHopOpts, opts)
			if a == h {
				sinkInt++
			}
			sinkInt += int(next) + off
		}},
		{"icmpv6 nd", func() {
			c, _ := pkt.ParseICMPv6(ns)
			tg, _ := c.NDTarget()
			m, _ := c.LinkLayerAddr()
			if tg.Is6() {
				sinkInt += int(m[5])
			}
			sinkInt += int(c.CalculateChecksum(v6a, v6b))
		}},
		{"mac parse", func() {
			m, _ := pkt.ParseMAC("02:00:5e:10:ab:cd")
			var buf [17]byte
			sinkInt += len(m.AppendTo(buf[:0]))
		}},
	}
	for _, tt := range tests {
		if a := testing.AllocsPerRun(200, tt.f); a != 0 {
			t.Errorf("%s: %v allocations per run", tt.name, a)
		}
	}
}
