package pkt_test

import (
	"testing"

	"dpk/eal"
	"dpk/mbuf"
	"dpk/pkt"
)

// FuzzPtype parses arbitrary bytes as one segment and as two segments cut
// at a fuzzed offset: both parsers must give the same results for both and
// must not panic. The seed corpus in testdata/fuzz/FuzzPtype holds frames
// of the shared captures; the hand-built ptCases are added here.
func FuzzPtype(f *testing.F) {
	for _, c := range ptCases {
		f.Add(c.data, uint16(len(c.data)/2))
	}
	mp := ptPool(f, 16)
	vx := &pkt.PtypeOptions{VXLANPort: 8472, GTPUPort: 2123}
	f.Fuzz(func(t *testing.T, data []byte, cut uint16) {
		if len(data) > mbuf.DefaultDataroom {
			data = data[:mbuf.DefaultDataroom]
		}
		one := ptMbuf(t, mp, data)
		defer one.Free(eal.LcoreIDAny)
		two := one
		if len(data) >= 2 {
			two = ptMbuf(t, mp, data, 1+int(cut)%(len(data)-1))
			defer two.Free(eal.LcoreIDAny)
		}
		for _, layers := range []uint32{pkt.PtypeAllMask, pkt.PtypeL2Mask | pkt.PtypeL3Mask | pkt.PtypeL4Mask} {
			var h1, h2 pkt.HdrLens
			p1, p2 := pkt.GetPtype(one, &h1, layers), pkt.GetPtype(two, &h2, layers)
			if p1 != p2 || h1 != h2 {
				t.Fatalf("GetPtype(%#x): one segment %q %+v, two %q %+v", layers, pkt.PtypeName(p1), h1, pkt.PtypeName(p2), h2)
			}
			o := &pkt.PtypeOptions{Layers: layers}
			p1, p2 = pkt.ParsePtype(one, &h1, o), pkt.ParsePtype(two, &h2, o)
			if p1 != p2 || h1 != h2 {
				t.Fatalf("ParsePtype(%#x): one segment %q %+v, two %q %+v", layers, pkt.PtypeName(p1), h1, pkt.PtypeName(p2), h2)
			}
			// a reported TCP or UDP header is in the packet, a sane one
			l4 := int(h1.L2Len) + int(h1.L3Len)
			switch p1 & pkt.PtypeL4Mask {
			case pkt.PtypeL4TCP:
				if l4+20 > len(data) || h1.L4Len < 20 {
					t.Fatalf("ParsePtype %q %+v: no TCP header in %d bytes", pkt.PtypeName(p1), h1, len(data))
				}
			case pkt.PtypeL4UDP:
				if l4+8 > len(data) {
					t.Fatalf("ParsePtype %q %+v: no UDP header in %d bytes", pkt.PtypeName(p1), h1, len(data))
				}
			}
		}
		var h1, h2 pkt.HdrLens
		p1, p2 := pkt.ParsePtype(one, &h1, vx), pkt.ParsePtype(two, &h2, vx)
		if p1 != p2 || h1 != h2 {
			t.Fatalf("ParsePtype(other ports): one segment %q %+v, two %q %+v", pkt.PtypeName(p1), h1, pkt.PtypeName(p2), h2)
		}
	})
}
