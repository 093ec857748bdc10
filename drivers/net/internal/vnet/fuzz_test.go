package vnet

import (
	"testing"

	"dpk/pkt/checksum"
)

// FuzzDecode feeds virtio_net_hdrs and frames (outside input: what the
// kernel, and so any local sender, hands a driver) to the receive side:
// Decode must give back what Encode writes, and ParseGSO and PartialCsum
// must never panic nor accept what a driver cannot act on safely; the
// segments PatchSegment makes from an accepted frame must carry valid
// checksums. The seed corpus is in testdata/fuzz/FuzzDecode.
func FuzzDecode(f *testing.F) {
	d, h := frame(false, ProtoTCP, pattern(100), 40)
	var b [Size]byte
	h.Encode(&b)
	f.Add(b[:], d)
	f.Fuzz(func(t *testing.T, hb, d []byte) {
		if len(hb) < Size {
			return
		}
		raw := (*[Size]byte)(hb[:Size])
		h := Decode(raw)
		var back [Size]byte
		h.Encode(&back)
		if back != *raw {
			t.Fatalf("% x decoded as %+v, encoded as % x", *raw, h, back)
		}

		if c, ok := PartialCsum(d, h.CsumStart, h.CsumOffset); ok {
			if int(h.CsumStart)+int(h.CsumOffset)+2 > len(d) || c == 0 {
				t.Errorf("PartialCsum accepted field %d+%d in %d bytes, gave %#x", h.CsumStart, h.CsumOffset, len(d), c)
			}
		}

		g, ok := ParseGSO(d, h)
		if !ok {
			return
		}
		minL3, minL4 := 20, 20
		if g.IPv6 {
			minL3 = 40
		}
		if g.Proto == ProtoUDP {
			minL4 = 8
		}
		if g.L2 < 14 || g.L3 < minL3 || g.L4 < minL4 || g.MSS != int(h.GSOSize) || g.MSS == 0 ||
			g.HdrLen() > len(d) || g.L2+g.L3 != int(h.CsumStart) || h.Flags&FlagNeedsCsum == 0 {
			t.Fatalf("accepted %+v for %+v in %d bytes", g, h, len(d))
		}
		if g.Proto == ProtoTCP {
			g.LROChecksum(d) // must stay inside d
		}
		// The first segment, patched on a copy of the headers.
		hl := g.HdrLen()
		hdr := append([]byte(nil), d[:hl]...)
		payload := d[hl:min(hl+g.MSS, len(d))]
		g.PatchSegment(hdr, 0, payload, hl+g.MSS >= len(d))
		l4 := append(hdr[g.L2+g.L3:], payload...)
		if s := checksum.Fold(checksum.Partial(l4, Pseudo(hdr, g.L2, g.IPv6, g.Proto, len(l4)))); s != 0xffff {
			t.Errorf("segment's L4 checksum does not verify (sum %#x)", s)
		}
		if !g.IPv6 && !checksum.VerifyIPv4Header(hdr[g.L2:g.L2+g.L3]) {
			t.Errorf("segment's IPv4 header checksum does not verify")
		}
	})
}
