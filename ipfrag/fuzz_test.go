package ipfrag

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"dpk/mbuf"
	"dpk/mempool"
	"dpk/pkt"
)

// The fuzz input is a configuration byte and then 5-byte records, one per
// fragment:
//
//	config: bit 0 IPv6; bits 1-2 MaxEntries-1; bits 3-5 MaxFrags-2;
//	        bit 6 EvictLRU; bit 7 AllowTinyFragments
//	rec[0]: bits 0-1 datagram (id 1-4); bit 2 TCP (else UDP); bit 3 a
//	        wrong IP length; bit 4 a 14-byte L2 header; bit 5 two
//	        segments; bit 6 IPv4 options / an IPv6 hop-by-hop header;
//	        bit 7 6 bytes of padding
//	rec[1:3]: big endian: bit 15 MF, bit 14 small offset (bits 0-5 in
//	        8-byte units), else bits 0-12 in 8-byte units
//	rec[3]: data length: bit 7 set: bits 0-6 times 8, else the byte
//	rec[4]: bits 2-7 time step (times 8 cycles; timeout 500); bit 0 free
//	        the death row after; bit 1 delete expired entries after
const fuzzRecLen = 5

// fuzzRec describes one record, for building seeds.
type fuzzRec struct {
	dgram   int // 0-3
	tcp     bool
	badLen  bool
	l2      bool
	twoSegs bool
	opts    bool
	pad     bool
	more    bool
	ofs     int // bytes, a multiple of 8
	n       int // data bytes
	step    int // 0-63
	free    bool
	expire  bool
}

func (r fuzzRec) bytes() []byte {
	var b [fuzzRecLen]byte
	b[0] = byte(r.dgram & 3)
	for i, f := range []bool{r.tcp, r.badLen, r.l2, r.twoSegs, r.opts, r.pad} {
		if f {
			b[0] |= 4 << i
		}
	}
	v := uint16(r.ofs/8) & 0x1fff
	if r.more {
		v |= 0x8000
	}
	binary.BigEndian.PutUint16(b[1:], v)
	if r.n < 0x80 {
		b[3] = byte(r.n)
	} else {
		b[3] = 0x80 | byte(r.n/8)
	}
	b[4] = byte(r.step << 2)
	if r.free {
		b[4] |= 1
	}
	if r.expire {
		b[4] |= 2
	}
	return b[:]
}

func fuzzInput(config byte, recs ...fuzzRec) []byte {
	b := []byte{config}
	for _, r := range recs {
		b = append(b, r.bytes()...)
	}
	return b
}

// fuzzSeeds are the seed corpus: whole datagrams in and out of order,
// duplicates, overlaps, timeouts, a full table, too many fragments.
func fuzzSeeds() [][]byte {
	return [][]byte{
		fuzzInput(0x3e, fuzzRec{more: true, n: 64}, fuzzRec{ofs: 64, n: 13, free: true}),
		fuzzInput(0x3f, fuzzRec{ofs: 128, n: 5, l2: true}, fuzzRec{ofs: 64, more: true, n: 64, twoSegs: true},
			fuzzRec{more: true, n: 64, opts: true, pad: true, free: true}),
		fuzzInput(0x3e, fuzzRec{more: true, n: 32}, fuzzRec{ofs: 16, n: 32}, fuzzRec{more: true, n: 32, dgram: 1},
			fuzzRec{more: true, n: 32, dgram: 1}, fuzzRec{ofs: 32, n: 1, dgram: 1}),
		fuzzInput(0x02, fuzzRec{more: true, n: 8, dgram: 0}, fuzzRec{more: true, n: 8, dgram: 1},
			fuzzRec{more: true, n: 8, dgram: 2}, fuzzRec{more: true, n: 8, dgram: 3, step: 63},
			fuzzRec{ofs: 8, n: 8, dgram: 3, step: 63, expire: true}),
		fuzzInput(0x00, fuzzRec{ofs: 8, more: true, n: 8}, fuzzRec{ofs: 16, more: true, n: 8}, fuzzRec{ofs: 24, more: true, n: 8},
			fuzzRec{more: true, n: 8, tcp: true}, fuzzRec{ofs: 65528, n: 200}, fuzzRec{more: true, n: 9, badLen: true}),
		fuzzInput(0x81, fuzzRec{n: 30}, fuzzRec{more: true, n: 8, tcp: true}, fuzzRec{ofs: 8, n: 40, tcp: true, opts: true}),
		fuzzInput(0x7e, fuzzRec{ofs: 16, n: 8}, fuzzRec{ofs: 32, n: 8}, fuzzRec{ofs: 8, more: true, n: 8, dgram: 1},
			fuzzRec{ofs: 16, more: true, n: 8, dgram: 2}, fuzzRec{ofs: 24, more: true, n: 8, dgram: 3},
			fuzzRec{more: true, n: 8, dgram: 0, tcp: true}, fuzzRec{ofs: 8, n: 8, dgram: 1, free: true}),
	}
}

// TestWriteFuzzCorpus writes the seeds to testdata/fuzz/FuzzReassemble
// when IPFRAG_WRITE_CORPUS is set.
func TestWriteFuzzCorpus(t *testing.T) {
	if os.Getenv("IPFRAG_WRITE_CORPUS") == "" {
		t.Skip("set IPFRAG_WRITE_CORPUS=1 to rewrite the seed corpus")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzReassemble")
	for i, s := range fuzzSeeds() {
		body := "go test fuzz v1\n[]byte(" + strconv.Quote(string(s)) + ")\n"
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed%d", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func FuzzReassemble(f *testing.F) {
	mp := newPool(f, "fz", 2047, 0, mbuf.DefaultBufSize)
	f.Cleanup(func() { _ = mp.Free() })
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) { _ = fuzzReassemble(t, mp, data) })
}

// TestFuzzSeeds runs the seeds as a plain test, so that they are checked
// under -race and without -fuzz, and checks that between them they reach
// every outcome.
func TestFuzzSeeds(t *testing.T) {
	mp := newPool(t, "fz", 2047, 0, mbuf.DefaultBufSize)
	defer mp.Free()
	var sum Stats
	for _, s := range fuzzSeeds() {
		st := fuzzReassemble(t, mp, s)
		sum.Reassembled += st.Reassembled
		sum.Atomic += st.Atomic
		sum.Duplicate += st.Duplicate
		sum.Overlap += st.Overlap
		sum.Inconsistent += st.Inconsistent
		sum.TooManyFrags += st.TooManyFrags
		sum.Oversize += st.Oversize
		sum.TinyFragment += st.TinyFragment
		sum.Malformed += st.Malformed
		sum.Timeout += st.Timeout
		sum.FailNoSpace += st.FailNoSpace
	}
	for name, v := range map[string]uint64{"Reassembled": sum.Reassembled, "Atomic": sum.Atomic, "Duplicate": sum.Duplicate,
		"Overlap": sum.Overlap, "Inconsistent": sum.Inconsistent, "TooManyFrags": sum.TooManyFrags, "Oversize": sum.Oversize,
		"TinyFragment": sum.TinyFragment, "Malformed": sum.Malformed, "Timeout": sum.Timeout, "FailNoSpace": sum.FailNoSpace} {
		if v == 0 {
			t.Errorf("no seed reaches %s: %+v", name, sum)
		}
	}
}

// fuzzReassemble runs one input and returns the table's counters.
func fuzzReassemble(t *testing.T, mp *mempool.Mempool, data []byte) Stats {
	if len(data) < 1 {
		return Stats{}
	}
	cfg := data[0]
	data = data[1:]
	v6 := cfg&1 != 0
	tbl, err := NewTableConfig(TableConfig{
		BucketNum: 2, BucketEntries: 2, MaxEntries: 1 + uint32(cfg>>1&3), MaxCycles: 500,
		MaxFrags: 2 + int(cfg>>3&7), EvictLRU: cfg&0x40 != 0, AllowTinyFragments: cfg&0x80 != 0, HashSeed: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	dr := NewDeathRow(any)
	var tms uint64
	for k := 0; len(data) >= fuzzRecLen && k < 300; k++ {
		rec := data[:fuzzRecLen]
		data = data[fuzzRecLen:]
		m := fuzzFragment(t, mp, v6, rec)
		tms += uint64(rec[4]>>2) * 8
		before := tbl.Stats()
		var r *mbuf.Mbuf
		if v6 {
			r, err = feed6(tbl, dr, m, tms)
		} else {
			r, err = feed4(tbl, dr, m, tms)
		}
		if err != nil && r != nil {
			t.Fatalf("record %d: both a packet and %v", k, err)
		}
		if r != nil {
			after := tbl.Stats()
			if r != m || after.Atomic != before.Atomic || after.Reassembled != before.Reassembled {
				fuzzCheckDatagram(t, r, v6)
			}
			r.Free(any)
		}
		if rec[4]&2 != 0 {
			tbl.DelExpiredEntries(dr, tms)
		}
		if rec[4]&1 != 0 {
			FreeDeathRow(dr, 0)
		}
		fuzzCheckTable(t, tbl)
		if held, row := fuzzHeldSegs(tbl), fuzzRowSegs(dr); uint32(held+row) != mp.InUseCount() {
			t.Fatalf("record %d: %d mbufs in use, table holds %d, death row %d", k, mp.InUseCount(), held, row)
		}
	}
	tbl.Destroy(any)
	FreeDeathRow(dr, 0)
	if n := mp.InUseCount(); n != 0 {
		t.Fatalf("%d mbufs leaked", n)
	}
	return tbl.Stats()
}

// fuzzFragment builds the fragment a record describes.
func fuzzFragment(t *testing.T, mp *mempool.Mempool, v6 bool, rec []byte) *mbuf.Mbuf {
	id := uint32(rec[0]&3) + 1
	proto := pkt.IPProtoUDP
	if rec[0]&4 != 0 {
		proto = pkt.IPProtoTCP
	}
	v := binary.BigEndian.Uint16(rec[1:])
	more := v&0x8000 != 0
	ofs := int(v&0x1fff) * 8
	if v&0x4000 != 0 {
		ofs = int(v&0x3f) * 8
	}
	n := int(rec[3])
	if n&0x80 != 0 {
		n = (n & 0x7f) * 8
	}
	var b []byte
	if v6 {
		var hbh int
		if rec[0]&0x40 != 0 {
			hbh = 8
		}
		b = make([]byte, pkt.IPv6Len+hbh+pkt.IPv6FragmentLen+n)
		src := src6.As16()
		src[15] = byte(id)
		pl := hbh + pkt.IPv6FragmentLen + n
		if rec[0]&8 != 0 {
			if n%2 == 1 {
				pl = 4
			} else {
				pl += 8
			}
		}
		first := pkt.IPProtoFragment
		if hbh > 0 {
			first = pkt.IPProtoHopOpts
			b[pkt.IPv6Len], b[pkt.IPv6Len+2], b[pkt.IPv6Len+3] = pkt.IPProtoFragment, pkt.IPv6OptPadN, 4
		}
		_ = pkt.IPv6(b).Encode(&pkt.IPv6Fields{PayloadLength: uint16(pl), NextHeader: first, HopLimit: 64, Dst: dst6})
		copy(b[8:24], src[:])
		_ = pkt.IPv6Fragment(b[pkt.IPv6Len+hbh:]).Encode(proto, uint16(ofs), more, id)
		for i := range n {
			b[pkt.IPv6Len+hbh+pkt.IPv6FragmentLen+i] = pattern(id, ofs+i)
		}
	} else {
		var opts []byte
		if rec[0]&0x40 != 0 {
			opts = []byte{0x83, 7, 4, 10, 0, 0, 1, 0}
		}
		hl := pkt.IPv4MinLen + len(opts)
		b = make([]byte, hl+n)
		tl := hl + n
		if rec[0]&8 != 0 {
			if n%2 == 1 {
				tl = hl / 2
			} else {
				tl += 8
			}
		}
		var fl uint16
		if more {
			fl = pkt.IPv4FlagMF
		}
		_ = pkt.IPv4(b).Encode(&pkt.IPv4Fields{TotalLength: uint16(tl), ID: uint16(id), Flags: fl, FragmentOffset: uint16(ofs),
			TTL: 64, Protocol: proto, Src: src4, Dst: dst4, Options: opts})
		for i := range n {
			b[hl+i] = pattern(id, ofs+i)
		}
	}
	if rec[0]&0x80 != 0 {
		b = append(b, 0, 0, 0, 0, 0, 0)
	}
	l2 := 0
	if rec[0]&0x10 != 0 {
		l2 = 14
	}
	var segs []int
	if rec[0]&0x20 != 0 {
		segs = []int{l2 + len(b) - n/2}
	}
	return toMbuf(t, mp, b, l2, segs...)
}

// fuzzCheckDatagram checks a reassembled datagram (or an atomic fragment
// made whole): consistent mbuf, lengths, header, and the data pattern of
// its datagram at every offset.
func fuzzCheckDatagram(t *testing.T, r *mbuf.Mbuf, v6 bool) {
	if err := r.Check(true); err != nil {
		t.Fatal(err)
	}
	b := bytesOf(r)[r.L2Len():]
	var data []byte
	var id uint32
	if v6 {
		ip := pkt.IPv6(b)
		if len(b) < pkt.IPv6Len || int(ip.PayloadLength())+pkt.IPv6Len != len(b) || int(r.L3Len()) > len(b) {
			t.Fatalf("IPv6 datagram of %d bytes, payload length %d, L3Len %d", len(b), ip.PayloadLength(), r.L3Len())
		}
		id = uint32(b[23])
		data = b[r.L3Len():]
	} else {
		ip, err := pkt.ParseIPv4(b)
		if err != nil || int(ip.TotalLength()) != len(b) || ip.IsFragment() || !ip.IsChecksumValid() || int(r.L3Len()) != ip.HeaderLen() {
			t.Fatalf("IPv4 datagram %x (%v)", b[:min(len(b), 40)], err)
		}
		id = uint32(ip.ID())
		data = ip.Payload()
	}
	for o, c := range data {
		if c != pattern(id, o) {
			t.Fatalf("datagram %d: byte %d is %#x, want %#x", id, o, c, pattern(id, o))
		}
	}
}

// fuzzCheckTable checks the table's invariants: entries in use are on the
// LRU list and counted, fragments disjoint and within the known end.
func fuzzCheckTable(t *testing.T, tbl *Table) {
	used := 0
	for i := range tbl.pkts {
		e := &tbl.pkts[i]
		if e.key.klen == 0 {
			if e.n != 0 {
				t.Fatalf("free entry %d holds %d fragments", i, e.n)
			}
			continue
		}
		used++
		if e.n > tbl.maxFrags {
			t.Fatalf("entry %d: %d fragments", i, e.n)
		}
		var size uint32
		for a := range e.frags[:e.n] {
			fa := e.frags[a]
			size += uint32(fa.len)
			if e.total != unknownTotal && uint32(fa.ofs)+uint32(fa.len) > e.total {
				t.Fatalf("entry %d: fragment beyond the end", i)
			}
			for b := range e.frags[:a] {
				fb := e.frags[b]
				if fa.ofs < fb.ofs+fb.len && fb.ofs < fa.ofs+fa.len {
					t.Fatalf("entry %d: fragments %d and %d overlap", i, a, b)
				}
			}
		}
		if size != e.size || size >= e.total {
			t.Fatalf("entry %d: size %d, counted %d, total %d", i, size, e.size, e.total)
		}
	}
	lru := 0
	for i := tbl.lruHead; i >= 0; i = tbl.pkts[i].next {
		lru++
	}
	if used != int(tbl.useEntries) || lru != used || used > int(tbl.maxEntries) {
		t.Fatalf("%d entries used, %d counted, %d on the LRU list, max %d", used, tbl.useEntries, lru, tbl.maxEntries)
	}
}

func fuzzHeldSegs(tbl *Table) int {
	n := 0
	for i := range tbl.pkts {
		e := &tbl.pkts[i]
		for j := range e.frags[:e.n] {
			n += int(e.frags[j].mb.NbSegs())
		}
	}
	return n
}

func fuzzRowSegs(dr *DeathRow) int {
	n := 0
	for _, m := range dr.row[:dr.cnt] {
		n += int(m.NbSegs())
	}
	return n
}
