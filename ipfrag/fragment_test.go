package ipfrag

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"dpk/mbuf"
	"dpk/mempool"
	"dpk/pkt"
)

// Options of the round trips: LSRR (copied) 11 bytes, NOP, record route
// (not copied) 7 bytes, EOL: 20 bytes. Non-first fragments keep LSRR only.
var (
	optsLSRRRR = []byte{
		0x83, 11, 4, 10, 0, 0, 1, 10, 0, 0, 2, // LSRR, two addresses
		optNOP,
		0x07, 7, 4, 0, 0, 0, 0, // record route, one slot
		0, // EOL
	}
	optsRROnly = []byte{0x07, 7, 4, 0, 0, 0, 0, 0} // not copied at all
)

// checkFragments4 checks the fragments of an IPv4 datagram orig: each no
// longer than mtu, a valid header, offsets multiples of 8 that follow on,
// MF on all but the last, the right options, the right bytes.
func checkFragments4(t *testing.T, orig []byte, frags []*mbuf.Mbuf, mtu int) {
	t.Helper()
	oip := pkt.IPv4(orig)
	ohl := oip.HeaderLen()
	next := 0
	for i, f := range frags {
		if err := f.Check(true); err != nil {
			t.Fatalf("fragment %d: %v", i, err)
		}
		b := bytesOf(f)
		ip, err := pkt.ParseIPv4(b)
		if err != nil || ip.CheckLength() != nil || !ip.IsChecksumValid() {
			t.Fatalf("fragment %d: bad header %x (%v)", i, b[:min(len(b), 60)], err)
		}
		if len(b) > mtu || int(ip.TotalLength()) != len(b) {
			t.Fatalf("fragment %d: %d bytes, total length %d, MTU %d", i, len(b), ip.TotalLength(), mtu)
		}
		if int(ip.FragmentOffset()) != next || ip.MF() != (i < len(frags)-1) || ip.DF() {
			t.Fatalf("fragment %d of %d: offset %d (want %d) MF %v", i, len(frags), ip.FragmentOffset(), next, ip.MF())
		}
		if i < len(frags)-1 && len(ip.Payload())%8 != 0 {
			t.Fatalf("fragment %d: payload %d not a multiple of 8", i, len(ip.Payload()))
		}
		if i == 0 && !bytes.Equal(ip.Header()[20:], oip.Header()[20:]) {
			t.Fatalf("first fragment options %x, want %x", ip.Options(), oip.Options())
		}
		if i > 0 && ohl > 20 {
			var want [60]byte
			copy(want[:], orig[:ohl])
			n := copiedOptions(&want, oip.Options())
			if !bytes.Equal(ip.Options(), want[20:n]) {
				t.Fatalf("fragment %d options %x, want %x", i, ip.Options(), want[20:n])
			}
		}
		if !bytes.Equal(ip.Payload(), orig[ohl+next:ohl+next+len(ip.Payload())]) {
			t.Fatalf("fragment %d: payload differs", i)
		}
		if ip.ID() != oip.ID() || ip.Protocol() != oip.Protocol() || ip.Src() != oip.Src() {
			t.Fatalf("fragment %d: header fields changed", i)
		}
		if f.L3Len() != uint32(ip.HeaderLen()) {
			t.Fatalf("fragment %d: L3Len %d", i, f.L3Len())
		}
		next += len(ip.Payload())
	}
	if next != len(orig)-ohl {
		t.Fatalf("fragments carry %d bytes of %d", next, len(orig)-ohl)
	}
}

// roundTrip fragments orig (IPv4 or IPv6) held in mbuf segments segs at
// mtu, frees the input, feeds the fragments in order ord (0 in order, 1
// reversed, 2 shuffled) and checks the result is orig again.
func roundTrip(t *testing.T, p *pools, tbl *Table, dr *DeathRow, v6 bool, orig []byte, mtu int, segs []int, ord int, id uint32) {
	t.Helper()
	mp := p.direct
	if len(segs) == 0 && len(orig) > 2000 {
		mp = p.big
	}
	in := toMbuf(t, mp, orig, 0, segs...)
	var out [160]*mbuf.Mbuf
	var n int
	var err error
	if v6 {
		n, err = FragmentIPv6(in, out[:], uint16(mtu), id, p.direct, p.indirect, any)
	} else {
		n, err = FragmentIPv4(in, out[:], uint16(mtu), p.direct, p.indirect, any)
	}
	in.Free(any) // the fragments keep the buffers alive
	if err != nil {
		t.Fatalf("fragment %d bytes at MTU %d: %v", len(orig), mtu, err)
	}
	frags := out[:n]
	if !v6 {
		checkFragments4(t, orig, frags, mtu)
	} else {
		for i, f := range frags {
			if f.PktLen() > uint32(mtu) {
				t.Fatalf("fragment %d: %d bytes over MTU %d", i, f.PktLen(), mtu)
			}
		}
	}
	order := make([]int, n)
	for i := range order {
		switch ord {
		case 0:
			order[i] = i
		case 1:
			order[i] = n - 1 - i
		}
	}
	if ord == 2 {
		order = shuffled(n, uint64(len(orig)*31+mtu))
	}
	var got *mbuf.Mbuf
	for k, i := range order {
		var r *mbuf.Mbuf
		if v6 {
			r, err = feed6(tbl, dr, frags[i], 1)
		} else {
			r, err = feed4(tbl, dr, frags[i], 1)
		}
		if err != nil {
			t.Fatalf("fragment %d (%d of %d): %v", i, k, n, err)
		}
		if r != nil {
			if k != n-1 || got != nil {
				t.Fatalf("datagram returned after %d of %d fragments", k+1, n)
			}
			got = r
		}
	}
	if got == nil {
		t.Fatalf("no datagram after %d fragments", n)
	}
	if err := got.Check(true); err != nil {
		t.Fatal(err)
	}
	if b := bytesOf(got); !bytes.Equal(b, orig) {
		t.Fatalf("reassembled %d bytes differ from the %d sent\n got %x\nwant %x", len(b), len(orig), b[:min(len(b), 80)], orig[:min(len(orig), 80)])
	}
	hl := pkt.IPv6Len
	if !v6 {
		hl = pkt.IPv4(orig).HeaderLen()
	}
	if got.L2Len() != 0 || (!v6 && got.L3Len() != uint32(hl)) {
		t.Fatalf("L2Len %d L3Len %d", got.L2Len(), got.L3Len())
	}
	got.Free(any)
}

func TestRoundTripIPv4(t *testing.T) {
	p := newPools(t)
	tbl := newTable(t, TableConfig{MaxFrags: 128})
	dr := NewDeathRow(any)
	defer drain(tbl, dr)
	sizes := []int{0, 1, 7, 8, 9, 100, 551, 552, 553, 1000, 1471, 1472, 1473, 1480, 1481, 4000, 8951, 8952, 8972, 8980, 9000}
	opts := []struct {
		name string
		b    []byte
	}{{"no options", nil}, {"LSRR+RR", optsLSRRRR}, {"RR only", optsRROnly}}
	id := uint16(0)
	for _, o := range opts {
		for _, mtu := range []int{576, 1280, 1500, 9000} {
			t.Run(fmt.Sprintf("%s/mtu%d", o.name, mtu), func(t *testing.T) {
				for _, n := range sizes {
					for ord := range 3 {
						id++
						orig := ipv4Packet(n, o.b, id, pkt.IPProtoUDP)
						roundTrip(t, p, tbl, dr, false, orig, mtu, nil, ord, 0)
					}
				}
			})
		}
	}
	if s := tbl.Stats(); s.Duplicate+s.Overlap+s.Malformed+s.Timeout+s.FailTotal != 0 || tbl.UseEntries() != 0 || dr.Len() != 0 {
		t.Errorf("stats %+v, %d entries in use, death row %d", s, tbl.UseEntries(), dr.Len())
	}
}

func TestRoundTripIPv4MultiSegment(t *testing.T) {
	p := newPools(t)
	tbl := newTable(t, TableConfig{MaxFrags: 128})
	dr := NewDeathRow(any)
	defer drain(tbl, dr)
	layouts := [][]int{
		{20, 1, 2, 3, 700, 2000, 9},    // header alone in the first segment
		{33, 100, 1900, 1900, 1900},    // header and 13 bytes, then big segments
		{40 + 0, 8, 8, 8, 8, 8, 8, 8},  // options header alone, then many tiny ones
		{1000, 1000, 1000, 1000, 1000}, // even
	}
	id := uint16(1000)
	for li, segs := range layouts {
		for _, mtu := range []int{576, 1500} {
			for _, n := range []int{0, 5, 1000, 2999, 6000, 9000} {
				for ord := range 3 {
					id++
					var opts []byte
					if li == 2 {
						opts = optsLSRRRR
					}
					orig := ipv4Packet(n, opts, id, pkt.IPProtoTCP)
					roundTrip(t, p, tbl, dr, false, orig, mtu, segs, ord, 0)
				}
			}
		}
	}
}

func TestRoundTripIPv6(t *testing.T) {
	p := newPools(t)
	tbl := newTable(t, TableConfig{MaxFrags: 128})
	dr := NewDeathRow(any)
	defer drain(tbl, dr)
	exts := []struct {
		name string
		ext  [][]byte
	}{
		{"plain", nil},
		{"hbh+routing+dstopts", [][]byte{extHdr(pkt.IPProtoHopOpts, 1), extHdr(pkt.IPProtoRouting, 1), extHdr(pkt.IPProtoDstOpts, 2)}},
		{"dstopts (fragmentable)", [][]byte{extHdr(pkt.IPProtoDstOpts, 1)}},
	}
	sizes := []int{0, 1, 8, 100, 1231, 1232, 1233, 1500, 4000, 8952, 9000}
	id := uint32(1)
	for _, e := range exts {
		for _, mtu := range []int{1280, 1500, 9000} {
			t.Run(fmt.Sprintf("%s/mtu%d", e.name, mtu), func(t *testing.T) {
				for _, n := range sizes {
					for ord := range 3 {
						for _, segs := range [][]int{nil, {pkt.IPv6Len + 24, 1000, 3, 1999}} {
							id++
							orig := ipv6Packet(n, e.ext, pkt.IPProtoUDP, id)
							roundTrip(t, p, tbl, dr, true, orig, mtu, segs, ord, id)
						}
					}
				}
			})
		}
	}
	if s := tbl.Stats(); s.Reassembled == 0 || s.Atomic == 0 || s.Duplicate+s.Overlap+s.Malformed+s.FailTotal != 0 {
		t.Errorf("stats %+v", s)
	}
}

// TestFragmentIPv6Headers checks the layout of IPv6 fragments: the
// unfragmentable part in each, the fragment header after it with the id,
// offsets in 8-byte units, the destination options header (fragmentable)
// in the first fragment's payload only.
func TestFragmentIPv6Headers(t *testing.T) {
	p := newPools(t)
	ext := [][]byte{extHdr(pkt.IPProtoHopOpts, 1), extHdr(pkt.IPProtoDstOpts, 1), extHdr(pkt.IPProtoRouting, 2), extHdr(pkt.IPProtoDstOpts, 1)}
	orig := ipv6Packet(3000, ext, pkt.IPProtoTCP, 5)
	in := toMbuf(t, p.big, orig, 0)
	defer in.Free(any)
	var out [8]*mbuf.Mbuf
	n, err := FragmentIPv6(in, out[:], 1280, 0xdeadbeef, p.direct, p.indirect, any)
	if err != nil {
		t.Fatal(err)
	}
	defer mbuf.FreeBulk(out[:n], any)
	unfrag := pkt.IPv6Len + 8 + 8 + 16 // hbh, dstopts, routing
	fragSize := (1280 - unfrag - 8) &^ 7
	want := (len(orig) - unfrag + fragSize - 1) / fragSize
	if n != want {
		t.Fatalf("%d fragments, want %d", n, want)
	}
	for i, f := range out[:n] {
		b := bytesOf(f)
		ip := pkt.IPv6(b)
		if int(ip.PayloadLength())+pkt.IPv6Len != len(b) || len(b) > 1280 {
			t.Fatalf("fragment %d: payload length %d, %d bytes", i, ip.PayloadLength(), len(b))
		}
		if !bytes.Equal(b[8:pkt.IPv6Len], orig[8:pkt.IPv6Len]) || ip.NextHeader() != pkt.IPProtoHopOpts {
			t.Fatalf("fragment %d: IPv6 header changed", i)
		}
		nhAt := pkt.IPv6Len + 8 + 8
		if b[nhAt] != pkt.IPProtoFragment || !bytes.Equal(b[pkt.IPv6Len:nhAt], orig[pkt.IPv6Len:nhAt]) ||
			!bytes.Equal(b[nhAt+1:unfrag], orig[nhAt+1:unfrag]) {
			t.Fatalf("fragment %d: unfragmentable part wrong: %x", i, b[:unfrag])
		}
		fh := pkt.IPv6Fragment(b[unfrag:])
		if fh.ID() != 0xdeadbeef || fh.NextHeader() != pkt.IPProtoDstOpts || int(fh.FragmentOffset()) != i*fragSize || fh.More() != (i < n-1) {
			t.Fatalf("fragment %d: header %x", i, b[unfrag:unfrag+8])
		}
		if !bytes.Equal(b[unfrag+8:], orig[unfrag+i*fragSize:unfrag+i*fragSize+len(b)-unfrag-8]) {
			t.Fatalf("fragment %d: data differs", i)
		}
		if f.L3Len() != uint32(unfrag+8) || f.NbSegs() < 2 {
			t.Fatalf("fragment %d: L3Len %d, %d segments", i, f.L3Len(), f.NbSegs())
		}
	}
}

// TestFragmentShares checks that fragments share the input's buffer rather
// than copy it: the payload mbufs are indirect, and the input's refcount
// counts them.
func TestFragmentShares(t *testing.T) {
	p := newPools(t)
	in := toMbuf(t, p.big, ipv4Packet(9000-20, nil, 7, pkt.IPProtoUDP), 0)
	var out [8]*mbuf.Mbuf
	n, err := FragmentIPv4(in, out[:], 1500, p.direct, p.indirect, any)
	if err != nil {
		t.Fatal(err)
	}
	if n != 7 || in.Refcnt() != 1+7 {
		t.Fatalf("%d fragments, input refcount %d", n, in.Refcnt())
	}
	for i, f := range out[:n] {
		if !f.IsDirect() || f.NbSegs() != 2 || !f.Next().IsIndirect() || f.DataLen() != 20 {
			t.Fatalf("fragment %d: %v / %v", i, f, f.Next())
		}
	}
	in.Free(any)
	if p.big.InUseCount() != 1 {
		t.Fatalf("input buffer freed while fragments use it")
	}
	mbuf.FreeBulk(out[:n], any)
}

func TestFragmentErrors(t *testing.T) {
	p := newPools(t)
	var out [64]*mbuf.Mbuf
	df := ipv4Packet(3000, nil, 1, pkt.IPProtoUDP)
	pkt.IPv4(df).SetFlagsFragmentOffset(pkt.IPv4FlagDF)
	badTL := ipv4Packet(100, nil, 1, pkt.IPProtoUDP)
	pkt.IPv4(badTL).SetTotalLength(200)
	jumbo := ipv6Packet(100, nil, pkt.IPProtoUDP, 1)
	pkt.IPv6(jumbo).SetPayloadLength(0)
	fragd := ipv6Packet(100, [][]byte{extHdr(pkt.IPProtoFragment, 1)}, pkt.IPProtoUDP, 1)
	tests := []struct {
		name string
		v6   bool
		b    []byte
		out  int
		mtu  uint16
		want error
	}{
		{"DF", false, df, 64, 1500, ErrDontFragment},
		{"DF is not supported", false, df, 64, 1500, ErrNotSupported},
		{"out too small", false, ipv4Packet(3000, nil, 1, 17), 2, 1500, ErrOutTooSmall},
		{"MTU below 68", false, ipv4Packet(3000, nil, 1, 17), 64, 67, ErrMTU},
		{"MTU below options", false, ipv4Packet(3000, optsLSRRRR, 1, 17), 64, 44, ErrMTU},
		{"total length beyond packet", false, badTL, 64, 576, ErrMalformed},
		{"not IPv4", false, ipv6Packet(100, nil, 17, 1), 64, 576, ErrMalformed},
		{"short", false, []byte{0x45, 0, 0}, 64, 576, pkt.ErrMalformed},
		{"IPv6 MTU below 1280", true, ipv6Packet(3000, nil, 17, 1), 64, 1279, ErrMTU},
		{"IPv6 out too small", true, ipv6Packet(3000, nil, 17, 1), 2, 1280, ErrOutTooSmall},
		{"IPv6 jumbogram", true, jumbo, 64, 1280, ErrNotSupported},
		{"IPv6 already a fragment", true, fragd, 64, 1280, ErrNotSupported},
		{"IPv6 header truncated", true, ipv6Packet(100, nil, 17, 1)[:30], 64, 1280, ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := toMbuf(t, p.big, tc.b, 0)
			defer in.Free(any)
			var err error
			var n int
			if tc.v6 {
				n, err = FragmentIPv6(in, out[:tc.out], tc.mtu, 1, p.direct, p.indirect, any)
			} else {
				n, err = FragmentIPv4(in, out[:tc.out], tc.mtu, p.direct, p.indirect, any)
			}
			if !errors.Is(err, tc.want) || n != 0 {
				t.Fatalf("got %d, %v; want %v", n, err, tc.want)
			}
		})
	}
}

// TestFragmentNoMbufs runs out of direct and of indirect mbufs half way
// and checks that everything built is freed.
func TestFragmentNoMbufs(t *testing.T) {
	p := newPools(t)
	small := func(n uint32) *mempool.Mempool { return newPool(t, "s", n, 0, mbuf.DefaultBufSize) }
	for _, tc := range []struct {
		name             string
		direct, indirect uint32
	}{{"direct", 3, 100}, {"indirect", 100, 3}} {
		t.Run(tc.name, func(t *testing.T) {
			d, i := small(tc.direct), small(tc.indirect)
			defer d.Free()
			defer i.Free()
			in := toMbuf(t, p.big, ipv4Packet(8000, nil, 1, pkt.IPProtoUDP), 0)
			var out [16]*mbuf.Mbuf
			n, err := FragmentIPv4(in, out[:], 1500, d, i, any)
			if !errors.Is(err, ErrNoMbufs) || !errors.Is(err, mempool.ErrNoObjects) || n != 0 {
				t.Fatalf("got %d, %v", n, err)
			}
			for k, m := range out {
				if m != nil {
					t.Fatalf("out[%d] left set", k)
				}
			}
			if d.InUseCount() != 0 || i.InUseCount() != 0 || in.Refcnt() != 1 {
				t.Fatalf("leak: direct %d indirect %d, input refcount %d", d.InUseCount(), i.InUseCount(), in.Refcnt())
			}
			in.Free(any)
		})
	}
}

// TestFragmentPadding checks that bytes after the IPv4 total length are not
// sent.
func TestFragmentPadding(t *testing.T) {
	p := newPools(t)
	orig := ipv4Packet(3000, nil, 9, pkt.IPProtoUDP)
	in := toMbuf(t, p.big, append(append([]byte{}, orig...), 1, 2, 3, 4, 5), 0)
	defer in.Free(any)
	var out [4]*mbuf.Mbuf
	n, err := FragmentIPv4(in, out[:], 1500, p.direct, p.indirect, any)
	if err != nil {
		t.Fatal(err)
	}
	defer mbuf.FreeBulk(out[:n], any)
	checkFragments4(t, orig, out[:n], 1500)
}

// TestRefragment cuts a fragment further: offsets continue from the
// original and MF stays on every piece of a non-last fragment.
func TestRefragment(t *testing.T) {
	p := newPools(t)
	in := frag4(t, p.direct, 77, pkt.IPProtoUDP, 1480, true, 1480)
	defer in.Free(any)
	var out [4]*mbuf.Mbuf
	n, err := FragmentIPv4(in, out[:], 576, p.direct, p.indirect, any)
	if err != nil {
		t.Fatal(err)
	}
	defer mbuf.FreeBulk(out[:n], any)
	next := 1480
	for i, f := range out[:n] {
		ip := pkt.IPv4(bytesOf(f))
		if int(ip.FragmentOffset()) != next || !ip.MF() {
			t.Fatalf("piece %d: offset %d MF %v", i, ip.FragmentOffset(), ip.MF())
		}
		next += len(ip.Payload())
	}
	if next != 2960 {
		t.Fatalf("pieces end at %d", next)
	}
}
