package ipfrag

import (
	"encoding/binary"
	"testing"

	"dpk/mbuf"
	"dpk/mempool"
	"dpk/pkt"
)

// benchLcore is the lcore the benchmarks run as: the main lcore, whose
// mempool caches they use, as a worker would use its own.
const benchLcore = 0

func benchPools(b *testing.B) (direct, indirect, big *mempool.Mempool) {
	direct = newPool(b, "bd", 8191, 256, mbuf.DefaultBufSize)
	indirect = newPool(b, "bi", 8191, 256, mbuf.DefaultHeadroom)
	big = newPool(b, "bb", 15, 0, 10240+mbuf.DefaultHeadroom)
	b.Cleanup(func() {
		for _, mp := range []*mempool.Mempool{direct, indirect, big} {
			if c := mp.DefaultCache(benchLcore); c != nil {
				mp.CacheFlush(c)
			}
			if mp.InUseCount() != 0 {
				b.Errorf("pool %s: %d mbufs not returned", mp.Name(), mp.InUseCount())
			}
			_ = mp.Free()
		}
	})
	return direct, indirect, big
}

// BenchmarkFragmentIPv4 cuts a 9,000-byte IPv4 packet into seven
// fragments for a 1,500-byte MTU and frees them: ns/op is per packet.
func BenchmarkFragmentIPv4(b *testing.B) {
	direct, indirect, big := benchPools(b)
	in := toMbuf(b, big, ipv4Packet(9000-pkt.IPv4MinLen, nil, 1, pkt.IPProtoUDP), 0)
	defer in.Free(benchLcore)
	var out [8]*mbuf.Mbuf
	b.ReportAllocs()
	for b.Loop() {
		n, err := FragmentIPv4(in, out[:], 1500, direct, indirect, benchLcore)
		if err != nil || n != 7 {
			b.Fatal(n, err)
		}
		mbuf.FreeBulk(out[:n], benchLcore)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/packet")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(7*b.N), "ns/fragment")
}

// BenchmarkReassembleIPv4 reassembles 9,000-byte datagrams from their
// seven 1,500-byte fragments, each a plain single-segment mbuf as a NIC
// delivers it: ns/op is per fragment. Fragments are made, and datagrams
// freed, in batches with the timer stopped.
func BenchmarkReassembleIPv4(b *testing.B) {
	direct, indirect, big := benchPools(b)
	const perPkt, batch = 7, 256
	var tmpl [perPkt][]byte
	{
		in := toMbuf(b, big, ipv4Packet(9000-pkt.IPv4MinLen, nil, 1, pkt.IPProtoUDP), 0)
		var out [8]*mbuf.Mbuf
		n, err := FragmentIPv4(in, out[:], 1500, direct, indirect, any)
		in.Free(any)
		if err != nil || n != perPkt {
			b.Fatal(n, err)
		}
		for i, f := range out[:n] {
			tmpl[i] = bytesOf(f)
			f.Free(any)
		}
	}
	tbl, err := NewTable(1024, 4, 4096, 1<<62)
	if err != nil {
		b.Fatal(err)
	}
	dr := NewDeathRow(benchLcore)
	frags := make([]*mbuf.Mbuf, 0, perPkt*batch)
	outs := make([]*mbuf.Mbuf, 0, batch)
	fill := func(id uint16) uint16 {
		frags = frags[:0]
		for range batch {
			id++
			for _, t := range tmpl {
				m, err := mbuf.Alloc(direct, benchLcore)
				if err != nil {
					b.Fatal(err)
				}
				d, _ := m.Append(uint16(len(t)))
				copy(d, t)
				binary.BigEndian.PutUint16(d[4:], id)
				frags = append(frags, m)
			}
		}
		return id
	}
	var id uint16
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; {
		b.StopTimer()
		mbuf.FreeBulk(outs, benchLcore)
		outs = outs[:0]
		id = fill(id)
		b.StartTimer()
		i := 0
		for ; i < len(frags) && n < b.N; i, n = i+1, n+1 {
			m := frags[i]
			r, err := ReassembleIPv4(tbl, dr, m, 1, pkt.IPv4(m.Data()))
			if err != nil {
				b.Fatal(err)
			}
			if r != nil {
				outs = append(outs, r)
			}
		}
		FreeDeathRow(dr, 0)
		b.StopTimer()
		mbuf.FreeBulk(frags[i:], benchLcore)
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/fragment")
	mbuf.FreeBulk(outs, benchLcore)
	tbl.Destroy(benchLcore)
	FreeDeathRow(dr, 0)
}

// TestZeroAllocs proves that fragmentation, reassembly (in order and
// reversed, with a duplicate on the death row) and freeing the death row
// allocate nothing once the table exists.
func TestZeroAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	p := newPools(t)
	tbl := newTable(t, TableConfig{MaxFrags: 16})
	dr := NewDeathRow(any)
	defer drain(tbl, dr)
	in4 := toMbuf(t, p.big, ipv4Packet(9000-pkt.IPv4MinLen, optsLSRRRR, 1, pkt.IPProtoUDP), 0)
	defer in4.Free(any)
	in6 := toMbuf(t, p.big, ipv6Packet(9000, [][]byte{extHdr(pkt.IPProtoHopOpts, 1)}, pkt.IPProtoUDP, 1), 0, 100, 3000)
	defer in6.Free(any)
	var out [16]*mbuf.Mbuf
	var fail error
	run := func(v6, reverse bool) {
		var n int
		var err error
		if v6 {
			n, err = FragmentIPv6(in6, out[:], 1500, 7, p.direct, p.indirect, any)
		} else {
			n, err = FragmentIPv4(in4, out[:], 1500, p.direct, p.indirect, any)
		}
		if err != nil {
			fail = err
			return
		}
		var got *mbuf.Mbuf
		for k := range n {
			i := k
			if reverse {
				i = n - 1 - k
			}
			if k == 1 { // a duplicate of the previous fragment, dropped
				c, _ := mbuf.Clone(out[i-1+2*b2i(reverse)], p.indirect, any)
				if v6 {
					_, err = ReassembleIPv6(tbl, dr, c, 0, pkt.IPv6(c.Data()), nil)
				} else {
					_, err = ReassembleIPv4(tbl, dr, c, 0, pkt.IPv4(c.Data()))
				}
				if err != ErrDuplicate {
					fail = err
				}
			}
			var r *mbuf.Mbuf
			if v6 {
				r, err = ReassembleIPv6(tbl, dr, out[i], 0, pkt.IPv6(out[i].Data()), nil)
			} else {
				r, err = ReassembleIPv4(tbl, dr, out[i], 0, pkt.IPv4(out[i].Data()))
			}
			if err != nil {
				fail = err
			}
			if r != nil {
				got = r
			}
		}
		if got == nil && fail == nil {
			fail = ErrMalformed
		}
		got.Free(any)
		FreeDeathRow(dr, 0)
	}
	for _, tc := range []struct {
		name        string
		v6, reverse bool
	}{{"IPv4 in order", false, false}, {"IPv4 reversed", false, true}, {"IPv6 in order", true, false}, {"IPv6 reversed", true, true}} {
		if a := testing.AllocsPerRun(100, func() { run(tc.v6, tc.reverse) }); a != 0 || fail != nil {
			t.Errorf("%s: %v allocations per run, error %v", tc.name, a, fail)
		}
	}
	if s := tbl.Stats(); s.Reassembled != 4*101 || s.Duplicate != 4*101 {
		t.Errorf("stats %+v", s)
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
