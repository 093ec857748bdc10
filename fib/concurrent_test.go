package fib

import (
	"math/rand/v2"
	"sync"
	"testing"
)

// Lookups only read: several goroutines may look up in one FIB at once
// (the race detector checks it under -race).
func TestConcurrentLookups(t *testing.T) {
	f := newFIB(t, Config{Type: DIR24_8, MaxRoutes: 1 << 12, NHSize: NH4B, NumTbl8: 1 << 10})
	r := rand.New(rand.NewPCG(7, 7))
	for range 1000 {
		f.Add(r.Uint32(), uint8(8+r.IntN(25)), uint64(r.IntN(1000)))
	}
	ips := make([]uint32, 1<<14)
	for i := range ips {
		ips[i] = r.Uint32()
	}
	want := make([]uint64, len(ips))
	f.LookupBulk(ips, want)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got := make([]uint64, len(ips))
			for range 3 {
				f.LookupBulk(ips, got)
				for i := g; i < len(ips); i += 31 {
					if nh := f.Lookup(ips[i]); nh != want[i] || got[i] != want[i] {
						t.Errorf("goroutine %d: address %d: %d, bulk %d; want %d", g, i, nh, got[i], want[i])
						return
					}
				}
			}
		}()
	}
	wg.Wait()
}
