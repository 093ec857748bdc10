package lpm6

import (
	"sync"
	"testing"
)

// Lookups only read: several goroutines may look up in one table at once
// (the race detector checks it under -race).
func TestConcurrentLookups(t *testing.T) {
	l, ips := perfTable(t)
	want := make([]int32, len(ips))
	l.LookupBulk(ips, want)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got := make([]int32, len(ips))
			for range 3 {
				l.LookupBulk(ips, got)
				for i := g; i < len(ips); i += 97 {
					if nh, ok := l.Lookup(&ips[i]); !ok || int32(nh) != want[i] || got[i] != want[i] {
						t.Errorf("goroutine %d: address %d: %d, %v, bulk %d; want %d", g, i, nh, ok, got[i], want[i])
						return
					}
				}
			}
		}()
	}
	wg.Wait()
}
