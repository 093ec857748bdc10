package fib6

import (
	"testing"

	"dpk/internal/sys"
)

// perfFIB is fib6_perf_autotest's FIB: DPDK's 1000 routes in a trie of
// 4-byte next hops, and its 100,000 lookup addresses (100 inside each
// route, as test_lpm6_data.h's generate_large_ips_table builds them).
func perfFIB(tb testing.TB) (*FIB, [][AddrSize]byte) {
	routes := loadRoutes(tb)
	f := newFIB(tb, Config{Type: Trie, MaxRoutes: 1000000, NHSize: NH4B, NumTbl8: 1 << 16})
	for i, rt := range routes {
		if err := f.Add(rt.ip, rt.depth, uint64(i&(1<<14-1))+1); err != nil {
			tb.Fatal(err)
		}
	}
	ips := make([][AddrSize]byte, 0, 100*len(routes))
	var rnd uint64
	for range 100 * len(routes) {
		var ip [AddrSize]byte
		for j := range ip {
			rnd = (rnd*0x5deece66d + 0xb) & (1<<48 - 1) // lrand48
			ip[j] = byte(rnd >> 17)
		}
		ips = append(ips, ip)
	}
	for i := range ips {
		rt := routes[i/100]
		// mask_ip6_prefix, with its wrapping uint8 depth.
		depth := rt.depth
		for k := range ips[i] {
			if depth >= 8 {
				ips[i][k] = rt.ip[k]
			} else if depth > 0 {
				m := byte(0xff << (8 - depth))
				ips[i][k] = rt.ip[k]&m | ips[i][k]&^m
			} else {
				break
			}
			depth -= 8
		}
	}
	return f, ips
}

// BenchmarkLookup measures Lookup; an op is one address.
func BenchmarkLookup(b *testing.B) {
	f, ips := perfFIB(b)
	var sink uint64
	b.ReportAllocs()
	b.ResetTimer()
	c0 := sys.Rdtsc()
	for i := 0; i < b.N; i++ {
		sink += f.Lookup(&ips[i%len(ips)])
	}
	b.ReportMetric(float64(sys.Rdtsc()-c0)/float64(b.N), "cycles/lookup")
	_ = sink
}

// BenchmarkLookupBulk measures LookupBulk of the 100,000 addresses
// (fib6_perf_autotest's BULK FIB Lookup); an op is one bulk, the metrics
// are per address.
func BenchmarkLookupBulk(b *testing.B) {
	f, ips := perfFIB(b)
	nhs := make([]uint64, len(ips))
	b.ReportAllocs()
	b.ResetTimer()
	c0 := sys.Rdtsc()
	for i := 0; i < b.N; i++ {
		f.LookupBulk(ips, nhs)
	}
	b.ReportMetric(float64(sys.Rdtsc()-c0)/float64(b.N)/float64(len(ips)), "cycles/lookup")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(ips)), "ns/lookup")
}

func TestLookupAllocs(t *testing.T) {
	f, ips := perfFIB(t)
	ips = ips[:1000]
	nhs := make([]uint64, len(ips))
	if n := testing.AllocsPerRun(10, func() { f.LookupBulk(ips, nhs) }); n != 0 {
		t.Errorf("LookupBulk allocates %v times", n)
	}
	if n := testing.AllocsPerRun(10, func() {
		for i := range ips {
			f.Lookup(&ips[i])
		}
	}); n != 0 {
		t.Errorf("Lookup allocates %v times", n)
	}
	for i, nh := range nhs {
		if nh == 0 {
			t.Fatalf("address %d (%x) missed", i, ips[i])
		}
	}
	d := newFIB(t, Config{Type: Dummy, MaxRoutes: 10})
	d.Add(ips[0], 64, 1)
	if n := testing.AllocsPerRun(10, func() { d.LookupBulk(ips, nhs) }); n != 0 {
		t.Errorf("dummy LookupBulk allocates %v times", n)
	}
}

// BenchmarkAddDelete measures adding and deleting DPDK's 1000 routes
// (fib6_perf_autotest's Add and Delete); the metrics are per route.
func BenchmarkAddDelete(b *testing.B) {
	routes := loadRoutes(b)
	f := newFIB(b, Config{Type: Trie, MaxRoutes: 1000000, NHSize: NH4B, NumTbl8: 1 << 16})
	var add, del uint64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c0 := sys.Rdtsc()
		for j, rt := range routes {
			f.Add(rt.ip, rt.depth, uint64(j&(1<<14-1))+1)
		}
		c1 := sys.Rdtsc()
		for _, rt := range routes {
			f.Delete(rt.ip, rt.depth)
		}
		add, del = add+c1-c0, del+sys.Rdtsc()-c1
	}
	b.ReportMetric(float64(add)/float64(b.N)/float64(len(routes)), "add-cycles/route")
	b.ReportMetric(float64(del)/float64(b.N)/float64(len(routes)), "delete-cycles/route")
}
