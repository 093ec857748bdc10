package main

import "testing"

// The first values of glibc's unseeded lrand48().
func TestRand48(t *testing.T) {
	var r rand48
	want := []uint32{0, 2116118, 89401895, 379337186, 782977366}
	for i, w := range want {
		if got := r.lrand48(); got != w {
			t.Fatalf("lrand48 #%d = %d, want %d", i, got, w)
		}
	}
}
