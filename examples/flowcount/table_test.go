package main

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"

	"dpk/eal"
	"dpk/mbuf"
	"dpk/pkt"
)

// TestCountOracle counts random traffic in bursts of random sizes (some
// longer than one bulk lookup) and compares every flow and counter with
// what the generator knows, and checks that every frame had its MAC
// addresses swapped.
func TestCountOracle(t *testing.T) {
	mp := initEAL(t, 8192)
	rng := rand.New(rand.NewPCG(1, 2))
	frames, want, other, malformed := genTraffic(rng, 6000, 400)
	fc := newCounter(t, 1024)
	lc := eal.MainLcore().ID()
	for off := 0; off < len(frames); {
		n := min(len(frames)-off, 1+rng.IntN(100))
		ms := toMbufs(t, mp, frames[off:off+n])
		fc.burst(ms)
		for i, m := range ms {
			d := m.Data()
			f := frames[off+i]
			if !bytes.Equal(d[0:6], f[6:12]) || !bytes.Equal(d[6:12], f[0:6]) || !bytes.Equal(d[12:], f[12:]) {
				t.Fatalf("frame %d: MACs not swapped or frame changed:\n got %x\nsent %x", off+i, d, f)
			}
		}
		mbuf.FreeBulk(ms, lc)
		off += n
	}
	checkFlows(t, fc, want)
	if fc.other != other || fc.malformed != malformed || fc.untracked != (counter{}) {
		t.Errorf("other %v malformed %v untracked %v; want %v, %v, 0", fc.other, fc.malformed, fc.untracked, other, malformed)
	}
	if got := int(fc.v4.n + fc.v6.n); got != len(want) {
		t.Errorf("tables hold %d flows, want %d", got, len(want))
	}
	if mp.AvailCount() != mp.Size() {
		t.Errorf("%d of %d mbufs back in the pool", mp.AvailCount(), mp.Size())
	}
}

// udpFlow returns the IPv4 UDP flow number i.
func udpFlow(i int) flowKey {
	return flowKey{Src: v4a, Dst: v4b, SrcPort: uint16(10000 + i), DstPort: 53, Proto: pkt.IPProtoUDP}
}

// TestTableFull fills a table of 8 flows: later flows are untracked, the
// tracked ones keep counting, and a flow added by a burst that fills the
// table is found by its other packets in the same burst.
func TestTableFull(t *testing.T) {
	mp := initEAL(t, 1024)
	fc := newCounter(t, 8)
	lc := eal.MainLcore().ID()
	send := func(flows ...int) {
		t.Helper()
		var fr [][]byte
		for _, i := range flows {
			fr = append(fr, frame(spec{key: udpFlow(i), payload: 10}))
		}
		ms := toMbufs(t, mp, fr)
		fc.burst(ms)
		mbuf.FreeBulk(ms, lc)
	}
	send(0, 1, 2, 3, 4, 5, 6)
	send(7, 7, 8, 8, 0)   // 7 fills the table; 8 finds no room
	send(9, 10, 1, 9, 11) // all new flows untracked, 1 counted
	const flen = 14 + 20 + 8 + 10
	want := map[flowKey]counter{}
	for i, n := range []uint64{2, 2, 1, 1, 1, 1, 1, 2} {
		want[udpFlow(i)] = counter{n, n * flen}
	}
	checkFlows(t, fc, want)
	if want := (counter{6, 6 * flen}); fc.untracked != want {
		t.Errorf("untracked %v, want %v", fc.untracked, want)
	}
	if fc.v4.n != 8 || fc.v4.max != 8 {
		t.Errorf("table: %d of %d flows", fc.v4.n, fc.v4.max)
	}
	// IPv6 has its own table, still empty.
	k6 := flowKey{Src: v6a, Dst: v6b, SrcPort: 1, DstPort: 2, Proto: pkt.IPProtoTCP}
	ms := toMbufs(t, mp, [][]byte{frame(spec{key: k6})})
	fc.burst(ms)
	mbuf.FreeBulk(ms, lc)
	if fc.v6.n != 1 {
		t.Errorf("IPv6 table: %d flows, want 1", fc.v6.n)
	}
}

// keyBytes is the table key of k, for the oracle's order.
func keyBytes(k flowKey) []byte {
	b := append(k.Src.AsSlice(), k.Dst.AsSlice()...)
	return append(b, byte(k.SrcPort>>8), byte(k.SrcPort), byte(k.DstPort>>8), byte(k.DstPort), k.Proto)
}

// TestTop checks the top-N against the oracle's sort of every flow, on
// traffic made to have ties in packets and in bytes.
func TestTop(t *testing.T) {
	mp := initEAL(t, 4096)
	rng := rand.New(rand.NewPCG(3, 4))
	fc := newCounter(t, 1024)
	lc := eal.MainLcore().ID()
	want := map[flowKey]counter{}
	var frames [][]byte
	for i := range 60 {
		var k flowKey
		if i%3 == 0 {
			k = flowKey{Src: v6a, Dst: v6b, SrcPort: uint16(i), DstPort: 80, Proto: pkt.IPProtoTCP}
		} else {
			k = udpFlow(i)
		}
		// Few distinct counts and sizes: many ties.
		n := 1 + rng.IntN(4)
		size := 10 * rng.IntN(2)
		for range n {
			f := frame(spec{key: k, payload: size})
			frames = append(frames, f)
			c := want[k]
			c.add(uint32(len(f)))
			want[k] = c
		}
	}
	rng.Shuffle(len(frames), func(i, j int) { frames[i], frames[j] = frames[j], frames[i] })
	for off := 0; off < len(frames); off += 32 {
		ms := toMbufs(t, mp, frames[off:min(off+32, len(frames))])
		fc.burst(ms)
		mbuf.FreeBulk(ms, lc)
	}
	var all []flowStat
	for k, c := range want {
		all = append(all, flowStat{Key: k, counter: c})
	}
	slices.SortFunc(all, func(a, b flowStat) int {
		switch {
		case a.pkts != b.pkts:
			return -cmpU64(a.pkts, b.pkts)
		case a.bytes != b.bytes:
			return -cmpU64(a.bytes, b.bytes)
		case a.Key.Src.Is4() != b.Key.Src.Is4():
			if a.Key.Src.Is4() {
				return -1
			}
			return 1
		}
		return bytes.Compare(keyBytes(a.Key), keyBytes(b.Key))
	})
	for _, n := range []int{1, 10, 60, 100} {
		got := fc.top(n)
		w := all[:min(n, len(all))]
		if !slices.Equal(got, w) {
			t.Errorf("top %d:\n got %v\nwant %v", n, got, w)
		}
	}
	if got := fc.top(0); got != nil {
		t.Errorf("top 0: %v", got)
	}
}

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestBurstNoAllocs: the per-burst function allocates nothing, for known
// flows and for new ones (positions and counters are preallocated).
func TestBurstNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	mp := initEAL(t, 4096)
	rng := rand.New(rand.NewPCG(5, 6))
	frames, _, _, _ := genTraffic(rng, 32, 8)
	fc := newCounter(t, 1<<12)
	ms := toMbufs(t, mp, frames)
	defer mbuf.FreeBulk(ms, eal.MainLcore().ID())
	if n := testing.AllocsPerRun(200, func() { fc.burst(ms) }); n != 0 {
		t.Errorf("burst of known flows: %.1f allocations", n)
	}
	// New flows on every run: rewrite the source port of UDP frames.
	var port uint16
	if n := testing.AllocsPerRun(100, func() {
		for _, m := range ms {
			// Untagged IPv4 UDP (frames are whole: the burst swapped the
			// MACs only).
			if d := m.Data(); d[12] == 0x08 && d[13] == 0 && d[14] == 0x45 && d[23] == pkt.IPProtoUDP {
				port++
				d[34], d[35] = byte(port>>8), byte(port)
			}
		}
		fc.burst(ms)
	}); n != 0 {
		t.Errorf("burst of new flows: %.1f allocations", n)
	}
	if fc.v4.n < 100 {
		t.Errorf("only %d IPv4 flows made: the test did not make new flows", fc.v4.n)
	}
}

// BenchmarkBurst is the per-burst function on bursts of 32 packets from
// 1024 flows (IPv4 and IPv6): ns/op is per burst, ns/pkt per packet.
func BenchmarkBurst(b *testing.B) {
	mp := initEAL(b, 8192)
	rng := rand.New(rand.NewPCG(7, 8))
	frames, _, _, _ := genTraffic(rng, 4096, 1024)
	fc := newCounter(b, 1<<16)
	ms := toMbufs(b, mp, frames)
	defer mbuf.FreeBulk(ms, eal.MainLcore().ID())
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		off := (i * 32) % len(ms)
		fc.burst(ms[off : off+32])
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/32, "ns/pkt")
}
