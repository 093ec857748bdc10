package ipfrag

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"dpk/mbuf"
	"dpk/pkt"
)

// step is one fragment of an attack scenario and what must come of it.
type step struct {
	id    uint16 // datagram (IPv4 id / IPv6 id)
	proto uint8  // 0: UDP
	ofs   int
	more  bool
	n     int
	tms   uint64
	want  error // nil: held or completed
	done  int   // >0: completes a datagram of this many data bytes
}

// TestAttacks feeds fragment sequences that must be dropped and checks the
// error, the counter, the death row and that every mbuf goes back.
func TestAttacks(t *testing.T) {
	tests := []struct {
		name  string
		v6    bool
		cfg   TableConfig
		steps []step
		stats Stats // counters that must match (non-zero fields)
		dr    int   // packets on the death row at the end
		use   uint32
	}{
		{name: "teardrop overlap", steps: []step{
			{id: 1, ofs: 0, more: true, n: 24},
			{id: 1, ofs: 16, more: false, n: 24, want: ErrOverlap},
		}, stats: Stats{Overlap: 1}, dr: 2},
		{name: "overlap contained (zeek ipv4_fragmented-4 style)", steps: []step{
			{id: 1, proto: pkt.IPProtoTCP, ofs: 0, more: true, n: 24},
			{id: 1, proto: pkt.IPProtoTCP, ofs: 48, more: true, n: 24},
			{id: 1, proto: pkt.IPProtoTCP, ofs: 72, more: false, n: 17},
			{id: 1, proto: pkt.IPProtoTCP, ofs: 24, more: true, n: 48, want: ErrOverlap},
		}, stats: Stats{Overlap: 1}, dr: 4},
		{name: "IPv6 overlap", v6: true, steps: []step{
			{id: 1, ofs: 8, more: true, n: 32},
			{id: 1, ofs: 0, more: true, n: 16, want: ErrOverlap},
		}, stats: Stats{Overlap: 1}, dr: 2},
		{name: "duplicates tolerated", steps: []step{
			{id: 1, ofs: 0, more: true, n: 16},
			{id: 1, ofs: 0, more: true, n: 16, want: ErrDuplicate},
			{id: 1, ofs: 16, more: false, n: 5, done: 21},
			{id: 1, ofs: 16, more: false, n: 5, want: nil}, // late copy: a new datagram starts
		}, stats: Stats{Duplicate: 1, Reassembled: 1}, dr: 1, use: 1},
		{name: "duplicate last then completion", steps: []step{
			{id: 1, ofs: 16, more: false, n: 5},
			{id: 1, ofs: 16, more: false, n: 5, want: ErrDuplicate},
			{id: 1, ofs: 8, more: true, n: 8},
			{id: 1, ofs: 8, more: true, n: 8, want: ErrDuplicate},
			{id: 1, ofs: 0, more: true, n: 8, done: 21},
		}, stats: Stats{Duplicate: 2, Reassembled: 1}, dr: 2},
		{name: "IPv6 duplicate", v6: true, steps: []step{
			{id: 9, ofs: 0, more: true, n: 16},
			{id: 9, ofs: 0, more: true, n: 16, want: ErrDuplicate},
			{id: 9, ofs: 16, more: false, n: 1, done: 17},
		}, stats: Stats{Duplicate: 1, Reassembled: 1}, dr: 1},
		{name: "ping of death", steps: []step{
			{id: 1, ofs: 0, more: true, n: 16},
			{id: 1, ofs: 65528, more: false, n: 16, want: ErrOversize},
			{id: 1, ofs: 65512, more: false, n: 4, want: ErrOversize}, // 65512+4+20 = 65536
		}, stats: Stats{Oversize: 2}, dr: 2, use: 1},
		{name: "IPv6 oversize", v6: true, steps: []step{
			{id: 1, ofs: 65528, more: false, n: 8, want: ErrOversize},
		}, stats: Stats{Oversize: 1}, dr: 1},
		{name: "too many fragments", steps: func() []step {
			var s []step
			for i := range MaxFragNum {
				s = append(s, step{id: 1, ofs: 8 * (i + 1), more: true, n: 8})
			}
			return append(s, step{id: 1, ofs: 8 * (MaxFragNum + 1), more: true, n: 8, want: ErrTooManyFrags})
		}(), stats: Stats{TooManyFrags: 1}, dr: MaxFragNum + 1},
		{name: "tiny TCP first fragment", steps: []step{
			{id: 1, proto: pkt.IPProtoTCP, ofs: 0, more: true, n: 8, want: ErrTinyFragment},
			{id: 1, proto: pkt.IPProtoTCP, ofs: 8, more: false, n: 40, want: ErrTinyFragment}, // RFC 1858 FO=1
			{id: 2, proto: pkt.IPProtoUDP, ofs: 0, more: true, n: 8},                          // enough for UDP
		}, stats: Stats{TinyFragment: 2}, dr: 2, use: 1},
		{name: "tiny allowed", cfg: TableConfig{AllowTinyFragments: true}, steps: []step{
			{id: 1, proto: pkt.IPProtoTCP, ofs: 0, more: true, n: 8},
			{id: 1, proto: pkt.IPProtoTCP, ofs: 8, more: false, n: 40, done: 48},
		}, stats: Stats{Reassembled: 1}},
		{name: "IPv6 tiny", v6: true, steps: []step{
			{id: 1, proto: pkt.IPProtoTCP, ofs: 0, more: true, n: 16, want: ErrTinyFragment},
		}, stats: Stats{TinyFragment: 1}, dr: 1},
		{name: "two last fragments", steps: []step{
			{id: 1, ofs: 16, more: false, n: 8},
			{id: 1, ofs: 32, more: false, n: 8, want: ErrInconsistent},
		}, stats: Stats{Inconsistent: 1}, dr: 2},
		{name: "fragment beyond the end", steps: []step{
			{id: 1, ofs: 16, more: false, n: 8},
			{id: 1, ofs: 24, more: true, n: 8, want: ErrInconsistent},
		}, stats: Stats{Inconsistent: 1}, dr: 2},
		{name: "last fragment before held data", steps: []step{
			{id: 1, ofs: 32, more: true, n: 8},
			{id: 1, ofs: 8, more: false, n: 8, want: ErrInconsistent},
		}, stats: Stats{Inconsistent: 1}, dr: 2},
		{name: "non-last length not a multiple of 8", steps: []step{
			{id: 1, ofs: 0, more: true, n: 18, want: ErrMalformed},
		}, stats: Stats{Malformed: 1}, dr: 1},
		{name: "timeout and reuse", cfg: TableConfig{MaxCycles: 100}, steps: []step{
			{id: 1, ofs: 0, more: true, n: 8, tms: 1000},
			{id: 1, ofs: 8, more: false, n: 8, tms: 1101}, // too late: starts anew
			{id: 1, ofs: 0, more: true, n: 8, tms: 1150, done: 16},
		}, stats: Stats{Timeout: 1, ReuseNum: 1, Reassembled: 1}, dr: 1},
		{name: "not expired at the limit", cfg: TableConfig{MaxCycles: 100}, steps: []step{
			{id: 1, ofs: 0, more: true, n: 8, tms: 1000},
			{id: 1, ofs: 8, more: false, n: 8, tms: 1100, done: 16},
		}, stats: Stats{Reassembled: 1}},
		{name: "table full", cfg: TableConfig{BucketNum: 64, BucketEntries: 4, MaxEntries: 2, MaxCycles: 100}, steps: []step{
			{id: 1, ofs: 0, more: true, n: 8, tms: 10},
			{id: 2, ofs: 0, more: true, n: 8, tms: 20},
			{id: 3, ofs: 0, more: true, n: 8, tms: 30, want: ErrTableFull},
			{id: 3, ofs: 0, more: true, n: 8, tms: 111}, // id 1 expired: LRU reuse
			{id: 4, ofs: 0, more: true, n: 8, tms: 112, want: ErrTableFull},
			{id: 2, ofs: 8, more: false, n: 8, tms: 113, done: 16},
			{id: 4, ofs: 0, more: true, n: 8, tms: 114},
		}, stats: Stats{FailNoSpace: 2, FailTotal: 2, DelNum: 1, Timeout: 1, AddNum: 4, Reassembled: 1}, dr: 3, use: 2},
		{name: "table full, evict LRU", cfg: TableConfig{BucketNum: 64, BucketEntries: 4, MaxEntries: 2, MaxCycles: 100, EvictLRU: true}, steps: []step{
			{id: 1, ofs: 0, more: true, n: 8, tms: 10},
			{id: 2, ofs: 0, more: true, n: 8, tms: 20},
			{id: 3, ofs: 0, more: true, n: 8, tms: 30},
			{id: 1, ofs: 8, more: false, n: 8, tms: 40}, // id 1 was evicted: id 2 goes
			{id: 3, ofs: 8, more: false, n: 8, tms: 50, done: 16},
		}, stats: Stats{Evicted: 2, Reassembled: 1}, dr: 2, use: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newPools(t)
			tbl := newTable(t, tc.cfg)
			dr := NewDeathRow(any)
			defer drain(tbl, dr)
			for i, s := range tc.steps {
				proto := s.proto
				if proto == 0 {
					proto = pkt.IPProtoUDP
				}
				var got *mbuf.Mbuf
				var err error
				if tc.v6 {
					got, err = feed6(tbl, dr, frag6(t, p.direct, uint32(s.id), proto, s.ofs, s.more, s.n), s.tms)
				} else {
					got, err = feed4(tbl, dr, frag4(t, p.direct, s.id, proto, s.ofs, s.more, s.n), s.tms)
				}
				if !errors.Is(err, s.want) || (s.want == nil) != (err == nil) {
					t.Fatalf("step %d: error %v, want %v", i, err, s.want)
				}
				if (got != nil) != (s.done > 0) {
					t.Fatalf("step %d: returned %v, want a datagram: %v", i, got, s.done > 0)
				}
				if got != nil {
					checkDatagram(t, got, tc.v6, uint32(s.id), s.done)
					got.Free(any)
				}
			}
			checkStats(t, tbl.Stats(), tc.stats)
			if dr.Len() != tc.dr || tbl.UseEntries() != tc.use {
				t.Fatalf("death row %d (want %d), entries in use %d (want %d)", dr.Len(), tc.dr, tbl.UseEntries(), tc.use)
			}
		})
	}
}

// checkStats compares the non-zero fields of want.
func checkStats(t *testing.T, got, want Stats) {
	t.Helper()
	type f struct {
		name      string
		got, want uint64
	}
	for _, x := range []f{
		{"FindNum", got.FindNum, want.FindNum}, {"AddNum", got.AddNum, want.AddNum},
		{"DelNum", got.DelNum, want.DelNum}, {"ReuseNum", got.ReuseNum, want.ReuseNum},
		{"FailTotal", got.FailTotal, want.FailTotal}, {"FailNoSpace", got.FailNoSpace, want.FailNoSpace},
		{"Reassembled", got.Reassembled, want.Reassembled}, {"Atomic", got.Atomic, want.Atomic},
		{"Duplicate", got.Duplicate, want.Duplicate}, {"Overlap", got.Overlap, want.Overlap},
		{"Inconsistent", got.Inconsistent, want.Inconsistent}, {"TooManyFrags", got.TooManyFrags, want.TooManyFrags},
		{"Oversize", got.Oversize, want.Oversize}, {"TinyFragment", got.TinyFragment, want.TinyFragment},
		{"Malformed", got.Malformed, want.Malformed}, {"Timeout", got.Timeout, want.Timeout},
		{"Evicted", got.Evicted, want.Evicted},
	} {
		if x.want != 0 && x.got != x.want {
			t.Errorf("%s = %d, want %d (all: %+v)", x.name, x.got, x.want, got)
		}
	}
	// Drops that were not asked for must not happen.
	drops := got.Duplicate + got.Overlap + got.Inconsistent + got.TooManyFrags + got.Oversize + got.TinyFragment + got.Malformed + got.Timeout + got.Evicted
	wantDrops := want.Duplicate + want.Overlap + want.Inconsistent + want.TooManyFrags + want.Oversize + want.TinyFragment + want.Malformed + want.Timeout + want.Evicted
	if drops != wantDrops {
		t.Errorf("%d drops counted, want %d: %+v", drops, wantDrops, got)
	}
}

// checkDatagram checks a reassembled datagram of n data bytes of datagram
// id's pattern, starting at L3.
func checkDatagram(t *testing.T, m *mbuf.Mbuf, v6 bool, id uint32, n int) {
	t.Helper()
	if err := m.Check(true); err != nil {
		t.Fatal(err)
	}
	b := bytesOf(m)[m.L2Len():]
	var data []byte
	if v6 {
		ip := pkt.IPv6(b)
		if int(ip.PayloadLength())+pkt.IPv6Len != len(b) || ip.NextHeader() == pkt.IPProtoFragment {
			t.Fatalf("IPv6 datagram: payload length %d, %d bytes, next header %d", ip.PayloadLength(), len(b), ip.NextHeader())
		}
		data = b[m.L3Len():]
	} else {
		ip := pkt.IPv4(b)
		if int(ip.TotalLength()) != len(b) || ip.IsFragment() || !ip.IsChecksumValid() || int(m.L3Len()) != ip.HeaderLen() {
			t.Fatalf("IPv4 datagram: total length %d, %d bytes, fragment %v, checksum valid %v", ip.TotalLength(), len(b), ip.IsFragment(), ip.IsChecksumValid())
		}
		data = ip.Payload()
	}
	if len(data) != n {
		t.Fatalf("datagram carries %d bytes, want %d", len(data), n)
	}
	for o, c := range data {
		if c != pattern(id, o) {
			t.Fatalf("byte %d of datagram %d is %#x, want %#x", o, id, c, pattern(id, o))
		}
	}
}

// TestInterleaved reassembles several datagrams whose fragments arrive
// mixed together, in a shuffled order.
func TestInterleaved(t *testing.T) {
	for _, v6 := range []bool{false, true} {
		p := newPools(t)
		tbl := newTable(t, TableConfig{MaxFrags: 16})
		dr := NewDeathRow(any)
		type fr struct {
			m  *mbuf.Mbuf
			id int
		}
		var all []fr
		origs := map[int][]byte{}
		for id := 1; id <= 20; id++ {
			var orig []byte
			var out [16]*mbuf.Mbuf
			var n int
			var err error
			if v6 {
				orig = ipv6Packet(1000+id*300, nil, pkt.IPProtoUDP, uint32(id))
				in := toMbuf(t, p.big, orig, 0)
				n, err = FragmentIPv6(in, out[:], 1280, uint32(id), p.direct, p.indirect, any)
				in.Free(any)
			} else {
				orig = ipv4Packet(1000+id*300, nil, uint16(id), pkt.IPProtoUDP)
				in := toMbuf(t, p.big, orig, 0)
				n, err = FragmentIPv4(in, out[:], 1500, p.direct, p.indirect, any)
				in.Free(any)
			}
			if err != nil {
				t.Fatal(err)
			}
			origs[id] = orig
			for _, m := range out[:n] {
				all = append(all, fr{m, id})
			}
		}
		got := 0
		for _, i := range shuffled(len(all), 42) {
			f := all[i]
			var r *mbuf.Mbuf
			var err error
			if v6 {
				r, err = feed6(tbl, dr, f.m, 5)
			} else {
				r, err = feed4(tbl, dr, f.m, 5)
			}
			if err != nil {
				t.Fatal(err)
			}
			if r != nil {
				if b := bytesOf(r); !bytes.Equal(b, origs[f.id]) {
					t.Fatalf("datagram %d differs", f.id)
				}
				r.Free(any)
				got++
			}
		}
		if got != 20 || tbl.UseEntries() != 0 || tbl.FragmentsHeld() != 0 {
			t.Fatalf("v6 %v: %d of 20 datagrams, %d entries left", v6, got, tbl.UseEntries())
		}
		drain(tbl, dr)
	}
}

// TestL2AndPadding reassembles fragments that keep an Ethernet header
// (L2Len 14) and carry Ethernet padding after the IP datagram, the way
// they come from a NIC: the padding is cut, the first fragment's L2 header
// stays.
func TestL2AndPadding(t *testing.T) {
	p := newPools(t)
	tbl := newTable(t, TableConfig{})
	dr := NewDeathRow(any)
	defer drain(tbl, dr)
	eth := []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x08, 0x00}
	mk := func(ofs int, mf bool, n int, pad int) *mbuf.Mbuf {
		f := frag4(t, p.direct, 3, pkt.IPProtoUDP, ofs, mf, n)
		b := append(append(append([]byte{}, eth...), bytesOf(f)...), make([]byte, pad)...)
		f.Free(any)
		return toMbuf(t, p.direct, b[14:], 14, 14+20+n/2) // split inside the data
	}
	frags := []*mbuf.Mbuf{mk(16, false, 5, 21), mk(0, true, 16, 10)}
	for _, f := range frags {
		copy(f.Data(), eth)
	}
	if r, err := feed4(tbl, dr, frags[0], 0); r != nil || err != nil {
		t.Fatal(r, err)
	}
	r, err := feed4(tbl, dr, frags[1], 0)
	if err != nil || r == nil {
		t.Fatal(r, err)
	}
	defer r.Free(any)
	if r.L2Len() != 14 || !bytes.Equal(r.Data()[:14], eth) || r.PktLen() != 14+20+21 {
		t.Fatalf("L2 %d, %x, %d bytes", r.L2Len(), r.Data()[:14], r.PktLen())
	}
	checkDatagram(t, r, false, 3, 21)
}

// TestNotFragment checks that a whole packet comes back as it is.
func TestNotFragment(t *testing.T) {
	p := newPools(t)
	tbl := newTable(t, TableConfig{})
	dr := NewDeathRow(any)
	defer drain(tbl, dr)
	m := toMbuf(t, p.direct, ipv4Packet(100, nil, 1, pkt.IPProtoUDP), 0)
	if r, err := feed4(tbl, dr, m, 0); r != m || err != nil {
		t.Fatal(r, err)
	}
	m.Free(any)
	m = toMbuf(t, p.direct, ipv6Packet(100, [][]byte{extHdr(pkt.IPProtoDstOpts, 1)}, pkt.IPProtoUDP, 1), 0)
	if r, err := feed6(tbl, dr, m, 0); r != m || err != nil {
		t.Fatal(r, err)
	}
	m.Free(any)
	if s := tbl.Stats(); s.FindNum != 0 {
		t.Fatalf("%+v", s)
	}
}

// TestAtomicFragment checks RFC 6946: offset 0 and M clear is a whole
// packet; its fragment header goes.
func TestAtomicFragment(t *testing.T) {
	p := newPools(t)
	tbl := newTable(t, TableConfig{})
	dr := NewDeathRow(any)
	defer drain(tbl, dr)
	m := frag6(t, p.direct, 5, pkt.IPProtoUDP, 0, false, 30)
	r, err := feed6(tbl, dr, m, 0)
	if r != m || err != nil {
		t.Fatal(r, err)
	}
	checkDatagram(t, r, true, 5, 30)
	if pkt.IPv6(r.Data()).NextHeader() != pkt.IPProtoUDP || tbl.Stats().Atomic != 1 {
		t.Fatalf("next header %d, stats %+v", pkt.IPv6(r.Data()).NextHeader(), tbl.Stats())
	}
	r.Free(any)
}

// TestMalformed feeds broken fragments: each is dropped, counted, never a
// panic.
func TestMalformed(t *testing.T) {
	p := newPools(t)
	tbl := newTable(t, TableConfig{})
	dr := NewDeathRow(any)
	defer drain(tbl, dr)
	v4 := func(edit func(b []byte) []byte) *mbuf.Mbuf {
		f := frag4(t, p.direct, 1, pkt.IPProtoUDP, 8, true, 16)
		b := edit(bytesOf(f))
		f.Free(any)
		return toMbuf(t, p.direct, b, 0)
	}
	v6 := func(edit func(b []byte) []byte) *mbuf.Mbuf {
		f := frag6(t, p.direct, 1, pkt.IPProtoUDP, 8, true, 16)
		b := edit(bytesOf(f))
		f.Free(any)
		return toMbuf(t, p.direct, b, 0)
	}
	tests := []struct {
		name string
		v6   bool
		m    *mbuf.Mbuf
	}{
		{"total length below header", false, v4(func(b []byte) []byte { pkt.IPv4(b).SetTotalLength(20); return b })},
		{"total length beyond packet", false, v4(func(b []byte) []byte { pkt.IPv4(b).SetTotalLength(60); return b })},
		{"IHL beyond packet", false, v4(func(b []byte) []byte { b[0] = 0x4f; return b[:30] })},
		{"IHL below 5", false, v4(func(b []byte) []byte { b[0] = 0x43; return b })},
		{"version 6 in IPv4", false, v4(func(b []byte) []byte { b[0] = 0x65; return b })},
		{"short", false, v4(func(b []byte) []byte { return b[:10] })},
		{"IPv6 payload length 0 (negative fragment length)", true, v6(func(b []byte) []byte { pkt.IPv6(b).SetPayloadLength(0); return b })},
		{"IPv6 payload length beyond packet", true, v6(func(b []byte) []byte { pkt.IPv6(b).SetPayloadLength(2000); return b })},
		{"IPv6 fragment header cut", true, v6(func(b []byte) []byte { return b[:44] })},
		{"IPv6 hop-by-hop header cut", true, v6(func(b []byte) []byte { b[6], b[40], b[41] = pkt.IPProtoHopOpts, pkt.IPProtoFragment, 200; return b })},
		{"IPv6 version 4", true, v6(func(b []byte) []byte { b[0] = 0x45; return b })},
	}
	for _, tc := range tests {
		before := tbl.Stats().Malformed
		var r *mbuf.Mbuf
		var err error
		if tc.v6 {
			r, err = feed6(tbl, dr, tc.m, 0)
		} else {
			r, err = feed4(tbl, dr, tc.m, 0)
		}
		if r != nil || !errors.Is(err, ErrMalformed) || !errors.Is(err, pkt.ErrMalformed) || tbl.Stats().Malformed != before+1 {
			t.Errorf("%s: %v, %v, malformed %d", tc.name, r, err, tbl.Stats().Malformed)
		}
	}
	// A view that is not the mbuf's data is refused.
	m := frag4(t, p.direct, 1, pkt.IPProtoUDP, 8, true, 16)
	if r, err := ReassembleIPv4(tbl, dr, m, 0, pkt.IPv4(bytesOf(m))); r != nil || !errors.Is(err, ErrMalformed) {
		t.Errorf("foreign view: %v %v", r, err)
	}
	m = frag6(t, p.direct, 1, pkt.IPProtoUDP, 8, true, 16)
	if r, err := ReassembleIPv6(tbl, dr, m, 0, pkt.IPv6(m.Data()), pkt.IPv6Fragment(make([]byte, 8))); r != nil || !errors.Is(err, ErrMalformed) {
		t.Errorf("foreign fragment view: %v %v", r, err)
	}
	if r, err := ReassembleIPv4(tbl, dr, nil, 0, nil); r != nil || !errors.Is(err, ErrMalformed) {
		t.Errorf("nil mbuf: %v %v", r, err)
	}
	if tbl.UseEntries() != 0 || tbl.Stats().FindNum != 0 {
		t.Errorf("malformed fragments reached the table: %+v", tbl.Stats())
	}
}

// TestBucketFull fills both buckets of a key: two entries in all.
func TestBucketFull(t *testing.T) {
	p := newPools(t)
	tbl := newTable(t, TableConfig{BucketNum: 1, BucketEntries: 1, MaxEntries: 2, MaxCycles: 1000, HashSeed: 12345})
	dr := NewDeathRow(any)
	defer drain(tbl, dr)
	if tbl.Entries() != 2 {
		t.Fatalf("%d entries", tbl.Entries())
	}
	var fails int
	for id := uint16(1); id <= 3; id++ {
		_, err := feed4(tbl, dr, frag4(t, p.direct, id, pkt.IPProtoUDP, 0, true, 8), 1)
		if errors.Is(err, ErrBucketFull) {
			fails++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	s := tbl.Stats()
	if fails == 0 || s.FailTotal != uint64(fails) || s.FailNoSpace != 0 {
		t.Fatalf("%d bucket-full failures, stats %+v", fails, s)
	}
}

// TestDelExpiredEntries drops expired datagrams oldest first, and stops
// when the death row has no room.
func TestDelExpiredEntries(t *testing.T) {
	p := newPools(t)
	tbl := newTable(t, TableConfig{MaxCycles: 100})
	dr := NewDeathRow(any)
	defer drain(tbl, dr)
	for id := uint16(1); id <= 5; id++ {
		for k := range 3 {
			if _, err := feed4(tbl, dr, frag4(t, p.direct, id, pkt.IPProtoUDP, 8*k, true, 8), uint64(id)*10); err != nil {
				t.Fatal(err)
			}
		}
	}
	if tbl.FragmentsHeld() != 15 {
		t.Fatalf("%d held", tbl.FragmentsHeld())
	}
	tbl.DelExpiredEntries(dr, 130) // ids 1 and 2 (started 10, 20) expired
	if tbl.UseEntries() != 3 || dr.Len() != 6 || tbl.Stats().DelNum != 2 || tbl.Stats().Timeout != 2 {
		t.Fatalf("in use %d, death row %d, %+v", tbl.UseEntries(), dr.Len(), tbl.Stats())
	}
	dr.cnt = DeathRowMbufLen - 2 // pretend the row is nearly full
	tbl.DelExpiredEntries(dr, 1000)
	if tbl.UseEntries() != 3 {
		t.Fatalf("deleted without room on the death row")
	}
	dr.cnt = 6
	tbl.DelExpiredEntries(dr, 1000)
	if tbl.UseEntries() != 0 || dr.Len() != 15 {
		t.Fatalf("in use %d, death row %d", tbl.UseEntries(), dr.Len())
	}
}

// TestDeathRowOverflow drops more packets than the row holds without
// freeing it: the row frees itself early and counts it.
func TestDeathRowOverflow(t *testing.T) {
	p := newPools(t)
	tbl := newTable(t, TableConfig{})
	dr := NewDeathRow(any)
	defer drain(tbl, dr)
	for range DeathRowMbufLen + 10 {
		m := frag4(t, p.direct, 1, pkt.IPProtoUDP, 0, true, 18)
		if _, err := feed4(tbl, dr, m, 0); !errors.Is(err, ErrMalformed) {
			t.Fatal(err)
		}
	}
	if dr.Overflows() != 1 || dr.Len() != 10 || p.direct.InUseCount() != 10 {
		t.Fatalf("overflows %d, row %d, in use %d", dr.Overflows(), dr.Len(), p.direct.InUseCount())
	}
	var zero DeathRow
	if zero.Lcore() != any {
		t.Fatalf("zero death row lcore %d", zero.Lcore())
	}
}

// TestTooManyDefault checks DPDK's default of 8 fragments per datagram
// against a datagram our fragmenter cuts into 17.
func TestTooManyDefault(t *testing.T) {
	p := newPools(t)
	tbl := newTable(t, TableConfig{})
	dr := NewDeathRow(any)
	defer drain(tbl, dr)
	in := toMbuf(t, p.big, ipv4Packet(9000, nil, 1, pkt.IPProtoUDP), 0)
	var out [32]*mbuf.Mbuf
	n, err := FragmentIPv4(in, out[:], 576, p.direct, p.indirect, any)
	in.Free(any)
	if err != nil || n != 17 {
		t.Fatal(n, err)
	}
	var errs []error
	for _, f := range out[:n] {
		if _, err := feed4(tbl, dr, f, 0); err != nil {
			errs = append(errs, err)
		}
	}
	// The 9th fragment drops the first 8 and itself; the 8 after it start
	// anew and wait for fragments that will not come.
	if len(errs) != 1 || tbl.Stats().TooManyFrags != 1 || !errors.Is(errs[0], ErrTooManyFrags) || tbl.FragmentsHeld() != 8 {
		t.Fatalf("%v, %+v", errs, tbl.Stats())
	}
}

func TestNewTableErrors(t *testing.T) {
	for _, c := range []TableConfig{
		{BucketNum: 16, BucketEntries: 3, MaxEntries: 16},
		{BucketNum: 0, BucketEntries: 4, MaxEntries: 16},
		{BucketNum: 2, BucketEntries: 4, MaxEntries: 17},
		{BucketNum: 16, BucketEntries: 4, MaxEntries: 16, MaxFrags: 1},
		{BucketNum: 16, BucketEntries: 4, MaxEntries: 16, MaxFrags: MaxFragLimit + 1},
		{BucketNum: 1 << 30, BucketEntries: 1 << 10, MaxEntries: 16},
	} {
		if _, err := NewTableConfig(c); !errors.Is(err, ErrBadConfig) {
			t.Errorf("%+v: %v", c, err)
		}
	}
	tbl, err := NewTable(4096, 16, 4096*16, 1e9)
	if err != nil || tbl.Entries() != 4096*16*2 || tbl.MaxEntries() != 4096*16 {
		t.Fatal(err)
	}
	tbl, _ = NewTable(5, 2, 10, 1) // 5 rounds up to 8
	if tbl.Entries() != 32 {
		t.Fatalf("%d entries", tbl.Entries())
	}
}

func TestStatisticsDump(t *testing.T) {
	tbl := newTable(t, TableConfig{})
	var b strings.Builder
	tbl.StatisticsDump(&b)
	for _, want := range []string{"max entries:\t256;\n", "add hash-collisions failures:\t0;\n", "overlap drops:\t0;\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("dump lacks %q:\n%s", want, b.String())
		}
	}
}
