package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// hashPerfRow is a result row as test_hash_perf.c prints it: the key size
// and four cycle counts, each left-aligned in 18 columns.
var hashPerfRow = regexp.MustCompile(`^([0-9]+) *([0-9]+) *([0-9]+) *([0-9]+) *([0-9]+) *$`)

// TestHashPerfShort runs hash_perf_autotest on small tables (1024
// entries), two key sizes and three sections, and checks that its output
// has DPDK 22.11's layout, line for line where the line is fixed: the
// section headers, the four blocks of each section with their headers,
// one row per key size in DPDK's column layout, and the FBK line.
func TestHashPerfShort(t *testing.T) {
	t.Setenv("DPK_HASH_PERF_ENTRIES", "1024")
	t.Setenv("DPK_HASH_PERF_KEYLENS", "13,4") // printed in DPDK's order: 4, 13
	sections := "nolock-primary,ext,fbk"
	if fibRaceOn {
		sections = "nolock-primary,ext" // FBK times 30 million lookups
	}
	t.Setenv("DPK_HASH_PERF_SECTIONS", sections)
	status, stdout, stderr := runCaptured(t, withEAL("hash_perf_autotest")...)
	if status != 0 || !strings.HasSuffix(stdout, "Test OK\n") {
		t.Fatalf("status %d\nstdout:\n%s\nstderr:\n%s", status, stdout, stderr)
	}
	// The fixed lines of one section's results, in order.
	header := fmt.Sprintf("%-18s%-18s%-18s%-18s%-18s", "Keysize", "Add", "Lookup", "Lookup_bulk", "Delete")
	var block []string
	block = append(block, "Results (in CPU cycles/operation)", "-----------------------------------")
	for _, data := range []string{" Operations without data", " Operations with 8-byte data"} {
		block = append(block, "", data)
		for _, h := range []string{"Without pre-computed hash values", "With pre-computed hash values"} {
			block = append(block, "", h, "", header, "ROW 4", "ROW 13")
		}
	}
	want := []string{"RTE>>hash_perf_autotest", "", "Without locks in the code", "", "ALL ELEMENTS IN PRIMARY LOCATION",
		"Measuring performance, please wait........"}
	want = append(want, block...)
	want = append(want, "", " EXTENDABLE BUCKETS PERFORMANCE", "Measuring performance, please wait........")
	want = append(want, block...)
	if !fibRaceOn {
		want = append(want, "", "", " *** FBK Hash function performance test results ***", "FBK")
	}
	want = append(want, "Test OK", "")
	got := strings.Split(stdout, "\n")
	if len(got) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(got), len(want), stdout)
	}
	for i, w := range want {
		g := got[i]
		switch {
		case strings.HasPrefix(w, "ROW "):
			m := hashPerfRow.FindStringSubmatch(g)
			if m == nil || m[1] != w[4:] {
				t.Errorf("line %d: %q, want a row for key size %s", i+1, g, w[4:])
				continue
			}
			// Each field starts at a multiple of 18, as with %-18d.
			for f := 0; f < 5; f++ {
				if f > 0 && g[f*18-1] != ' ' || g[f*18] == ' ' {
					t.Errorf("line %d: %q: field %d not at column %d", i+1, g, f, f*18)
				}
			}
			for _, c := range m[2:] {
				if c == "0" {
					t.Errorf("line %d: %q: a zero cycle count", i+1, g)
				}
			}
		case w == "FBK":
			var ticks float64
			if n, err := fmt.Sscanf(g, "Number of ticks per lookup = %g", &ticks); n != 1 || err != nil || ticks <= 0 {
				t.Errorf("line %d: %q, want the FBK ticks per lookup", i+1, g)
			}
		case g != w:
			t.Errorf("line %d: %q, want %q", i+1, g, w)
		}
	}
}

func TestHashPerfBadEnv(t *testing.T) {
	for _, env := range [][2]string{
		{"DPK_HASH_PERF_ENTRIES", "1000"},
		{"DPK_HASH_PERF_ENTRIES", "512"},
		{"DPK_HASH_PERF_KEYLENS", "4,5"},
		{"DPK_HASH_PERF_KEYLENS", "four"},
		{"DPK_HASH_PERF_SECTIONS", "nolock-primary,bogus"},
	} {
		t.Run(env[0]+"="+env[1], func(t *testing.T) {
			t.Setenv(env[0], env[1])
			status, stdout, _ := runCaptured(t, withEAL("hash_perf_autotest")...)
			if status == 0 || !strings.Contains(stdout, env[0]) || !strings.HasSuffix(stdout, "Test Failed\n") {
				t.Errorf("status %d, want non-zero with a message naming %s:\n%s", status, env[0], stdout)
			}
		})
	}
}
