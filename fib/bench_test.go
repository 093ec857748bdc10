package fib

import (
	"math/rand/v2"
	"testing"

	"dpk/internal/sys"
)

// benchFIB is a DIR24_8 FIB of 4-byte next hops holding 500,000 random
// routes of 8 to 32 bits (an eighth of them longer than 24), and 1<<16
// random addresses to look up.
func benchFIB(b *testing.B) (*FIB, []uint32) {
	f := newFIB(b, Config{Type: DIR24_8, MaxRoutes: 1 << 20, NHSize: NH4B, NumTbl8: 1 << 17})
	r := rand.New(rand.NewPCG(1, 1))
	for range 500000 {
		d := uint8(8 + r.IntN(17))
		if r.IntN(8) == 0 {
			d = uint8(25 + r.IntN(8))
		}
		if err := f.Add(r.Uint32(), d, uint64(1+r.IntN(1000))); err != nil {
			b.Fatal(err)
		}
	}
	ips := make([]uint32, 1<<16)
	for i := range ips {
		ips[i] = r.Uint32()
	}
	return f, ips
}

// BenchmarkLookup measures Lookup of random addresses; an op is one
// address.
func BenchmarkLookup(b *testing.B) {
	f, ips := benchFIB(b)
	var sink uint64
	b.ReportAllocs()
	b.ResetTimer()
	c0 := sys.Rdtsc()
	for i := 0; i < b.N; i++ {
		sink += f.Lookup(ips[i&(len(ips)-1)])
	}
	b.ReportMetric(float64(sys.Rdtsc()-c0)/float64(b.N), "cycles/lookup")
	_ = sink
}

// BenchmarkLookupBulk measures LookupBulk in bulks of 32 (fib_perf_autotest's
// BULK FIB Lookup); an op is one bulk, the metrics are per address.
func BenchmarkLookupBulk(b *testing.B) {
	f, ips := benchFIB(b)
	nhs := make([]uint64, 32)
	b.ReportAllocs()
	b.ResetTimer()
	c0 := sys.Rdtsc()
	for i := 0; i < b.N; i++ {
		j := (i * 32) & (len(ips) - 1)
		f.LookupBulk(ips[j:j+32], nhs)
	}
	b.ReportMetric(float64(sys.Rdtsc()-c0)/float64(b.N)/32, "cycles/lookup")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/32, "ns/lookup")
}

func TestLookupAllocs(t *testing.T) {
	for _, cfg := range oracleConfigs {
		f := newFIB(t, cfg)
		f.Add(10<<24, 8, 1)
		f.Add(10<<24|1<<8|1, 32, 2)
		ips := []uint32{10 << 24, 10<<24 | 1<<8 | 1, 11 << 24}
		nhs := make([]uint64, len(ips))
		if n := testing.AllocsPerRun(10, func() { f.LookupBulk(ips, nhs) }); n != 0 {
			t.Errorf("%v: LookupBulk allocates %v times", cfg.Type, n)
		}
		if n := testing.AllocsPerRun(10, func() { f.Lookup(ips[1]) }); n != 0 {
			t.Errorf("%v: Lookup allocates %v times", cfg.Type, n)
		}
	}
}
