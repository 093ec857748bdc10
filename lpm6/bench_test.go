package lpm6

import (
	"testing"

	"dpk/internal/sys"
)

// perfTable loads DPDK's 1000 routes and makes lpm6_perf_autotest's
// 100,000 lookup addresses (100 inside each route, as
// generate_large_ips_table builds them).
func perfTable(tb testing.TB) (*LPM, [][AddrSize]byte) {
	routes := loadRoutes(tb)
	l := newTable(tb, Config{MaxRules: 1000000, NumberTbl8s: 1 << 16})
	for _, rt := range routes {
		if err := l.Add(rt.ip, rt.depth, 0xAA); err != nil {
			tb.Fatal(err)
		}
	}
	ips := make([][AddrSize]byte, 0, 100*len(routes))
	var rnd uint64
	for range 100 * len(routes) {
		var ip [AddrSize]byte
		for j := range ip {
			rnd = (rnd*0x5deece66d + 0xb) & (1<<48 - 1)
			ip[j] = byte(rnd >> 17)
		}
		ips = append(ips, ip)
	}
	for i := range ips {
		rt := routes[i/100]
		ips[i] = dpdkMaskPrefix(ips[i], rt.ip, rt.depth)
	}
	return l, ips
}

func reportCycles(b *testing.B, c0 uint64, perOp int) {
	b.ReportMetric(float64(sys.Rdtsc()-c0)/float64(b.N)/float64(perOp), "cycles/lookup")
}

// BenchmarkLookup measures one Lookup (lpm6_perf_autotest's "Average LPM
// Lookup"); an op is one address.
func BenchmarkLookup(b *testing.B) {
	l, ips := perfTable(b)
	var sink uint32
	b.ReportAllocs()
	b.ResetTimer()
	c0 := sys.Rdtsc()
	for i := 0; i < b.N; i++ {
		nh, _ := l.Lookup(&ips[i%len(ips)])
		sink += nh
	}
	reportCycles(b, c0, 1)
	_ = sink
}

// BenchmarkLookupBulk measures LookupBulk over all 100,000 addresses ("BULK
// LPM Lookup"); an op is one bulk, the metric is per address.
func BenchmarkLookupBulk(b *testing.B) {
	l, ips := perfTable(b)
	nhs := make([]int32, len(ips))
	b.ReportAllocs()
	b.ResetTimer()
	c0 := sys.Rdtsc()
	for i := 0; i < b.N; i++ {
		l.LookupBulk(ips, nhs)
	}
	reportCycles(b, c0, len(ips))
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(ips)), "ns/lookup")
}

// BenchmarkAdd measures adding and deleting DPDK's 1000 routes.
func BenchmarkAddDelete(b *testing.B) {
	routes := loadRoutes(b)
	l := newTable(b, Config{MaxRules: 1000000, NumberTbl8s: 1 << 16})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, rt := range routes {
			l.Add(rt.ip, rt.depth, 0xAA)
		}
		for _, rt := range routes {
			l.Delete(rt.ip, rt.depth)
		}
	}
}

func TestLookupAllocs(t *testing.T) {
	l, ips := perfTable(t)
	ips = ips[:1000]
	nhs := make([]int32, len(ips))
	if n := testing.AllocsPerRun(10, func() { l.LookupBulk(ips, nhs) }); n != 0 {
		t.Errorf("LookupBulk allocates %v times", n)
	}
	if n := testing.AllocsPerRun(10, func() {
		for i := range ips {
			l.Lookup(&ips[i])
		}
	}); n != 0 {
		t.Errorf("Lookup allocates %v times", n)
	}
	// Every address of the perf set hits (each lies inside a route).
	l.LookupBulk(ips, nhs)
	for i, nh := range nhs {
		if nh != 0xAA {
			t.Fatalf("address %d (%x): next hop %d", i, ips[i], nh)
		}
	}
}
