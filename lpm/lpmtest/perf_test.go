package lpmtest

import (
	"os"
	"testing"
)

func TestLrand48(t *testing.T) {
	// glibc's unseeded lrand48.
	var r Lrand48
	for i, want := range []uint32{0, 2116118, 89401895} {
		if got := r.Next(); got != want {
			t.Fatalf("value %d: %d, want %d", i, got, want)
		}
	}
}

func TestPerfRoutes(t *testing.T) {
	counts := PerfDepthCounts()
	total := uint32(0)
	for _, n := range counts {
		total += n
	}
	if total != 1076806 {
		t.Fatalf("%d routes, want 1076806", total)
	}
	if f, err := os.Open("../../../shared/data/lpm/dpdk_lpm_perf_depths.txt"); err == nil {
		n, err := ReadDepthCounts(f)
		f.Close()
		if err != nil || n != counts {
			t.Fatalf("data file: %v, %v; built in %v", err, n, counts)
		}
	}
	var rnd Lrand48
	routes := PerfRoutes(counts, &rnd)
	var got [32]uint32
	for _, r := range routes {
		got[r.Depth-1]++
		if r.Depth <= 24 && r.IP&^Mask(r.Depth) != 0 && r.Depth != 24 && r.Depth != 8 {
			t.Fatalf("route %#x/%d has host bits", r.IP, r.Depth)
		}
	}
	if got != counts {
		t.Fatalf("depth counts %v, want %v", got, counts)
	}
	// Other counts are divided among the classes and still add up.
	var half [32]uint32
	for i, n := range counts {
		half[i] = n / 2
	}
	half[7], half[23], half[31] = 10, 10, 10 // at least the extra routes
	routes = PerfRoutes(half, &Lrand48{})
	got = [32]uint32{}
	for _, r := range routes {
		got[r.Depth-1]++
	}
	if got != half {
		t.Fatalf("depth counts %v, want %v", got, half)
	}
}
