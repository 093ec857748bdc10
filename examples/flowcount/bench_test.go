package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestParseCacheSize(t *testing.T) {
	for _, c := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"32768K\n", 32 << 20, true},
		{"16M", 16 << 20, true},
		{"1G", 1 << 30, true},
		{"4096", 4096, true},
		{"", 0, false},
		{"K", 0, false},
		{"12X", 0, false},
		{"-1K", 0, false},
	} {
		got, err := parseCacheSize(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("parseCacheSize(%q) = %d, %v; want %d, ok %v", c.in, got, err, c.want, c.ok)
		}
	}
}

// TestL3Size reads a fake sysfs cache directory, and falls back to
// defaultL3 without one.
func TestL3Size(t *testing.T) {
	old := cacheRoot
	t.Cleanup(func() { cacheRoot = old })
	dir := t.TempDir()
	for i, c := range []struct{ level, size string }{{"1", "32K"}, {"2", "512K"}, {"3", "16384K"}} {
		d := filepath.Join(dir, "index"+string(rune('0'+i)))
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(d, "level"), []byte(c.level+"\n"), 0o644)
		os.WriteFile(filepath.Join(d, "size"), []byte(c.size+"\n"), 0o644)
	}
	cacheRoot = dir
	if v, ok := l3Size(); v != 16<<20 || !ok {
		t.Errorf("l3Size() = %d, %v; want 16 MiB from sysfs", v, ok)
	}
	cacheRoot = filepath.Join(dir, "none")
	if v, ok := l3Size(); v != defaultL3 || ok {
		t.Errorf("l3Size() without sysfs = %d, %v; want the default", v, ok)
	}
}

// TestBenchSizes: the small table fits in a quarter of the L3 and is the
// largest that does (to 1024 flows); the large one is at least four times
// the L3 and 4 Mi flows.
func TestBenchSizes(t *testing.T) {
	for _, l3 := range []uint64{8 << 20, 32 << 20, 256 << 20} {
		s := benchSizes(l3)
		small, large := s[0], s[1]
		if b := tableBytes(benchEntries(small), keyLen4); b > l3/4 {
			t.Errorf("L3 %d MiB: small %d flows use %d bytes", l3>>20, small, b)
		}
		if b := tableBytes(benchEntries(small+1024), keyLen4); b <= l3/4 {
			t.Errorf("L3 %d MiB: %d flows would fit too", l3>>20, small+1024)
		}
		if b := tableBytes(benchEntries(large), keyLen4); b < 4*l3 || large < benchLargeMin {
			t.Errorf("L3 %d MiB: large %d flows use %d bytes", l3>>20, large, b)
		}
	}
}

// TestBenchLookupRun runs --bench-lookup on two small tables and checks
// the report's shape.
func TestBenchLookupRun(t *testing.T) {
	old := benchMinOps
	t.Cleanup(func() { benchMinOps = old })
	benchMinOps = 1 << 14
	args := append(ealArgs(t), "--", "--bench-lookup", "--bench-flows", "2048,8192")
	var out bytes.Buffer
	if code := run(args, &out, &out); code != 0 {
		t.Fatalf("exit code %d:\n%s", code, out.String())
	}
	s := out.String()
	for _, w := range []string{"Results (in CPU cycles/operation)", "Results (in ns/operation)", "lookup_bulk"} {
		if !strings.Contains(s, w) {
			t.Errorf("output lacks %q", w)
		}
	}
	row := regexp.MustCompile(`(?m)^(2048|8192) +\d+ +[0-9.]+ +(L3|DRAM) +[0-9.]+ +[0-9.]+ +[0-9.]+$`)
	if n := len(row.FindAllString(s, -1)); n != 4 {
		t.Errorf("%d result rows, want 4:\n%s", n, s)
	}
	t.Logf("\n%s", s)
}
