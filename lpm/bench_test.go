package lpm

import (
	"math/rand/v2"
	"sync"
	"testing"

	"dpk/eal"
	"dpk/lpm/lpmtest"
)

// The benchmarks look up random addresses in the table DPDK's
// lpm_perf_autotest builds: 1,076,806 routes of a real BGP table's
// distribution, 2048 tbl8 groups (some long prefixes do not fit, as in
// DPDK). The table is built once per process and kept.

var bench struct {
	once sync.Once
	l    *LPM
	ips  []uint32
	err  error
}

const benchIPs = 1 << 20 // 4 MiB of addresses: most lookups miss the caches, as in DPDK's test

func benchTable(b *testing.B) (*LPM, []uint32) {
	bench.once.Do(func() {
		l, err := Create("bench", eal.SocketIDAny, Config{MaxRules: 2000000, NumberTbl8s: 2048})
		if err != nil {
			bench.err = err
			return
		}
		var rnd lpmtest.Lrand48
		for _, r := range lpmtest.PerfRoutes(lpmtest.PerfDepthCounts(), &rnd) {
			l.Add(r.IP, r.Depth, 0xaa)
		}
		r := rand.New(rand.NewPCG(1, 2))
		bench.ips = make([]uint32, benchIPs)
		for i := range bench.ips {
			bench.ips[i] = r.Uint32()
		}
		bench.l = l
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.l, bench.ips
}

// BenchmarkLookup measures one Lookup (ns/op is per address).
func BenchmarkLookup(b *testing.B) {
	l, ips := benchTable(b)
	var sink uint32
	i := 0
	for b.Loop() {
		h, _ := l.Lookup(ips[i&(benchIPs-1)])
		sink += h
		i++
	}
	_ = sink
}

// BenchmarkLookupBulk measures LookupBulk of 32 addresses (DPDK's
// BULK_SIZE); ns/op is per address.
func BenchmarkLookupBulk(b *testing.B) {
	l, ips := benchTable(b)
	var hops [32]uint32
	i := 0
	for b.Loop() {
		o := (i * 32) & (benchIPs - 1)
		l.LookupBulk(ips[o:o+32], hops[:])
		i++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*32), "ns/addr")
}

// BenchmarkLookupX4 measures LookupX4; ns/op is per 4 addresses.
func BenchmarkLookupX4(b *testing.B) {
	l, ips := benchTable(b)
	var hops [4]uint32
	i := 0
	for b.Loop() {
		o := (i * 4) & (benchIPs - 1)
		l.LookupX4([4]uint32(ips[o:o+4]), &hops, ^uint32(0))
		i++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*4), "ns/addr")
}

// BenchmarkAddDelete measures adding and deleting a /32 that needs a new
// tbl8 group, and a /24.
func BenchmarkAddDelete(b *testing.B) {
	l := newTable(b, 1024, 16)
	for b.Loop() {
		l.Add(0x0a000001, 32, 1)
		l.Add(0x0b000000, 24, 2)
		l.Delete(0x0a000001, 32)
		l.Delete(0x0b000000, 24)
	}
}

// TestLookupAllocs checks that no lookup function allocates.
func TestLookupAllocs(t *testing.T) {
	l := newTable(t, 64, 4)
	l.Add(0x0a000000, 8, 1)
	l.Add(0x0a000001, 32, 2)
	ips := []uint32{0x0a000000, 0x0a000001, 0x0b000000, 0x0a010203}
	hops := make([]uint32, len(ips))
	var x4 [4]uint32
	for name, f := range map[string]func(){
		"Lookup":     func() { l.Lookup(ips[1]) },
		"LookupBulk": func() { l.LookupBulk(ips, hops) },
		"LookupX4":   func() { l.LookupX4([4]uint32(ips), &x4, 0) },
	} {
		if n := testing.AllocsPerRun(100, f); n != 0 {
			t.Errorf("%s: %v allocations", name, n)
		}
	}
}

func TestHits(t *testing.T) {
	buf := make([]uint32, 40)
	for off := 0; off < 3; off++ {
		for n := 0; n <= 37; n++ {
			h := buf[off : off+n]
			want := 0
			for i := range h {
				h[i] = uint32(i*7) & MaxNextHop
				if (i*5+off)%3 != 0 {
					h[i] |= LookupSuccess | 0x2<<24 | uint32(i%33)<<26
					want++
				}
			}
			if got := Hits(h); got != want {
				t.Fatalf("offset %d, %d results: Hits = %d, want %d", off, n, got, want)
			}
		}
	}
}
