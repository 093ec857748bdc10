package main

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"dpk/fib"
)

// fibSharedDataFile finds rel under the shared data directory above the
// package directory; it skips the test when the file is absent, unless CI
// is set: there it fails.
func fibSharedDataFile(t testing.TB, rel string) string {
	t.Helper()
	dir, _ := os.Getwd()
	for {
		for _, p := range []string{filepath.Join(dir, "shared", "data", rel), filepath.Join(dir, "..", "shared", "data", rel)} {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("shared data file %s not found", rel)
	}
	t.Skipf("shared data file %s not found", rel)
	return ""
}

// The generated fib_perf (and lpm_perf) table has DPDK's per-depth counts:
// those of the embedded table and of the shared file read off DPDK's run.
func TestFibPerfTableDepths(t *testing.T) {
	saved := libcRand48
	defer func() { libcRand48 = saved }()
	libcRand48 = rand48{}
	routes := fibPerfGenerate()
	if len(routes) != 1076806 {
		t.Fatalf("%d routes, want 1076806", len(routes))
	}
	got := fibPerfDistribution(routes)
	if got != fibPerfDepthCounts {
		t.Fatalf("per-depth counts %v, want %v", got, fibPerfDepthCounts)
	}
	f, err := os.Open(fibSharedDataFile(t, "lpm/dpdk_lpm_perf_depths.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 2 {
			t.Fatalf("bad line %q", line)
		}
		d, err1 := strconv.Atoi(fields[0])
		c, err2 := strconv.Atoi(fields[1])
		if err2 != nil {
			continue // the file ends in a stray "64 byte", left from its conversion
		}
		if err1 != nil || d < 1 || d > 32 {
			t.Fatalf("bad line %q", line)
		}
		if uint32(c) != fibPerfDepthCounts[d-1] {
			t.Errorf("depth %d: the shared file says %d routes, the table has %d", d, c, fibPerfDepthCounts[d-1])
		}
		n++
	}
	if n != 32 {
		t.Errorf("%d depths in the shared file, want 32", n)
	}
}

// BenchmarkFibPerfAdd measures fib_perf_autotest's adds: a DIR24_8 FIB made and
// filled with the 1,076,806 generated routes; the metric is per route.
func BenchmarkFibPerfAdd(b *testing.B) {
	libcRand48 = rand48{}
	routes := fibPerfGenerate()
	b.ResetTimer()
	for range b.N {
		f, err := fib.Create("bench", -1, fib.Config{Type: fib.DIR24_8, MaxRoutes: 2000000, NHSize: fib.NH4B, NumTbl8: 65535})
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range routes {
			f.Add(r.ip, r.depth, 0xAA)
		}
		b.StopTimer()
		f.Free()
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(routes)), "ns/add")
}
