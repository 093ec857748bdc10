package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const lpmDPDK = `RTE>>lpm_perf_autotest
No. routes = 1076806
Route distribution per prefix width: 
01              0 (0.00)
Unique added entries = 1037025
Used table 24 entries = 14680064 (87.5%)
64 byte Cache entries used = 458753 (29360192 bytes)
Average LPM Add: 302856 cycles
Average LPM Lookup: 22.2 cycles (fails = 12.5%)
BULK LPM Lookup: 22.0 cycles (fails = 12.5%)
LPM LookupX4: 26.1 cycles (fails = 12.5%)
Average LPM Delete: 91880.8 cycles
Not enough cores for lpm_rcu_perf_autotest, expecting at least 3
Test OK
`

const lpmDpk = `RTE>>lpm_perf_autotest
Average LPM Add: 1.35618e+03 cycles
Average LPM Lookup: 22.8 cycles (fails = 12.5%)
BULK LPM Lookup: 18.3 cycles (fails = 20.0%)
LPM LookupX4: 38.6 cycles (fails = 12.5%)
Average LPM Delete: 592.068 cycles
Test OK
`

func TestParseRoute(t *testing.T) {
	got, err := parseRoute(strings.NewReader(lpmDpk))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]routeEntry{
		"Average LPM Add":    {1356.18, -1},
		"Average LPM Lookup": {22.8, 12.5},
		"BULK LPM Lookup":    {18.3, 20},
		"LPM LookupX4":       {38.6, 12.5},
		"Average LPM Delete": {592.068, -1},
	}
	if len(got) != len(want) {
		t.Fatalf("%d figures, want %d: %v", len(got), len(want), got)
	}
	for k, w := range want {
		if g, ok := got[k]; !ok || g != w {
			t.Errorf("%s = %+v (present %v), want %+v", k, g, ok, w)
		}
	}
	// "Used table 24 entries" and the like are not figures.
	d, _ := parseRoute(strings.NewReader(lpmDPDK))
	if len(d) != 5 || d["Average LPM Add"].cycles != 302856 {
		t.Errorf("DPDK figures: %v", d)
	}
}

func TestReportRoute(t *testing.T) {
	d, _ := parseRoute(strings.NewReader(lpmDPDK))
	k, _ := parseRoute(strings.NewReader(lpmDpk))
	var b strings.Builder
	if err := reportRoute(&b, "lpm", d, k); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"LPM LookupX4                    26.1        38.6      1.48  >> above 1.2\n",
		"Average LPM Lookup              22.2        22.8      1.03  ok\n",
		"Average LPM Add             302856.0      1356.2      0.00\n", // informational: no mark
		"note: BULK LPM Lookup: fails = 12.5% in DPDK, 20.0% in dpk",
		"summary lpm lookups: 3 lines compared, 2 of 3 with a target meet it",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	// fib has one lookup line, with the 1.5 target.
	fd, _ := parseRoute(strings.NewReader("Average FIB Add: 747.704 cycles\nBULK FIB Lookup: 22.5 cycles (fails = 12.5%)\n"))
	fk, _ := parseRoute(strings.NewReader("Average FIB Add: 2323.73 cycles\nBULK FIB Lookup: 30.0 cycles (fails = 12.5%)\n"))
	b.Reset()
	if err := reportRoute(&b, "fib", fd, fk); err != nil {
		t.Fatal(err)
	}
	if out := b.String(); !strings.Contains(out, "1.33  ok") || !strings.Contains(out, "missing: Average FIB Delete: not in DPDK's output") {
		t.Errorf("fib report:\n%s", out)
	}
	if err := reportRoute(&b, "lpm", d, map[string]routeEntry{}); err == nil {
		t.Error("no error when dpk's output has no figure")
	}
}

// hashOut builds a hash_perf_autotest output of two sections, each with
// the four blocks, key sizes 4 and 16; the cycles are base+op+key/4, the
// FBK line says fbk.
func hashOut(base int, fbk string) string {
	var b strings.Builder
	b.WriteString("RTE>>hash_perf_autotest\n\nWithout locks in the code\n\nALL ELEMENTS IN PRIMARY LOCATION\nMeasuring performance, please wait....\n")
	block := func() {
		b.WriteString("Results (in CPU cycles/operation)\n-----------------------------------\n")
		for _, data := range []string{" Operations without data", " Operations with 8-byte data"} {
			b.WriteString("\n" + data + "\n")
			for _, h := range []string{"Without pre-computed hash values", "With pre-computed hash values"} {
				b.WriteString("\n" + h + "\n\nKeysize           Add               Lookup            Lookup_bulk       Delete            \n")
				for _, k := range []int{4, 16} {
					fmt.Fprintf(&b, "%-18d", k)
					for op := range 4 {
						fmt.Fprintf(&b, "%-18d", base+op+1+k/4)
					}
					b.WriteString("\n")
				}
			}
		}
	}
	block()
	b.WriteString("\n EXTENDABLE BUCKETS PERFORMANCE\nMeasuring performance, please wait....\n")
	block()
	b.WriteString("\n\n *** FBK Hash function performance test results ***\nNumber of ticks per lookup = " + fbk + "\nTest OK\n")
	return b.String()
}

func TestParseHash(t *testing.T) {
	r, err := parseHash(strings.NewReader(hashOut(100, "21.5")))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.blocks) != 8 {
		t.Fatalf("%d blocks, want 8: %v", len(r.blocks), r.blocks)
	}
	first, last := r.blocks[0], r.blocks[7]
	if first != (hashBlock{"nolock primary", false, false}) || last != (hashBlock{"ext", true, true}) {
		t.Errorf("blocks %v ... %v", first, last)
	}
	if got := r.rows[hashBlock{"ext", true, false}][16]; got != [4]uint64{105, 106, 107, 108} {
		t.Errorf("ext, data, key 16: %v", got)
	}
	if ks := r.keys[first]; len(ks) != 2 || ks[0] != 4 || ks[1] != 16 {
		t.Errorf("key sizes %v", ks)
	}
	if r.fbk != 21.5 {
		t.Errorf("fbk %v", r.fbk)
	}
}

func TestReportHash(t *testing.T) {
	d, _ := parseHash(strings.NewReader(hashOut(100, "20")))
	// dpk: 1.6 times slower everywhere (base 160 + ...), FBK 1.2 times.
	k, _ := parseHash(strings.NewReader(hashOut(160, "24")))
	var b strings.Builder
	if err := reportHash(&b, d, k); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"== nolock primary, no data, hash computed ==",
		"== ext, 8-byte data, precomputed hash ==",
		"4       |    102    162  1.59     |    103    163  1.58*    |    104    164  1.58*    |    105    165  1.57    \n",
		"ticks per lookup",
		"1.20  ok",
		"summary hash: 65 figures compared, 1 of 33 lookup figures meet the target 1.5",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	// A partial dpk run: one block missing is listed, the rest compared.
	partial := hashOut(100, "20")
	partial = partial[:strings.Index(partial, "\n EXTENDABLE")]
	p, _ := parseHash(strings.NewReader(partial))
	b.Reset()
	if err := reportHash(&b, d, p); err != nil {
		t.Fatal(err)
	}
	if out := b.String(); !strings.Contains(out, "missing: ext, no data, hash computed: not in dpk's output") || !strings.Contains(out, "missing: FBK ticks per lookup: on one side only") {
		t.Errorf("partial report:\n%s", out)
	}
}

func aclOut(rules, alg string, cycles, pps string) string {
	return "dump_config:\nrulesf:/data/" + rules + "\ntracef:/tmp/x.trace\nalg:1(" + alg + ")\nipv6:0\n" +
		"rte_acl_build(3) finished with 0\n" +
		"search_ip5tuples  @lcore 0: 100 iterations, 6553600 pkts, 1 categories, 906444390 cycles (0.36 sec), " + cycles + " cycles/pkt, " + pps + " pkt/sec\n"
}

func TestParseACL(t *testing.T) {
	r, err := parseACL(strings.NewReader(aclOut("acl1_1k", "avx2", "71.24", "29477168.87")))
	if err != nil {
		t.Fatal(err)
	}
	if r.rules != "acl1_1k" || r.alg != "avx2" || r.cycles != 71.24 || r.pps != 29477168.87 || r.lcores != 1 {
		t.Errorf("%+v", r)
	}
	// Two lcores: rates add up, cycles per packet average.
	two := aclOut("fw1_1k", "scalar", "100.00", "10000000.00") +
		"search_ip5tuples  @lcore 1: 100 iterations, 6553600 pkts, 1 categories, 906444390 cycles (0.36 sec), 200.00 cycles/pkt, 5000000.00 pkt/sec\n"
	r, err = parseACL(strings.NewReader(two))
	if err != nil || r.pps != 15e6 || r.cycles != 150 || r.lcores != 2 {
		t.Errorf("two lcores: %+v, %v", r, err)
	}
	if _, err := parseACL(strings.NewReader("dump_config:\nrulesf:x\nalg:1(scalar)\n")); err == nil {
		t.Error("no error for an output without a search line")
	}
}

func TestReportACL(t *testing.T) {
	var dpdk, dpk []aclRun
	for _, s := range []struct{ rules, alg, cyc, pps string }{
		{"acl1_1k", "scalar", "227.60", "9226582.46"},
		{"acl1_1k", "avx512x32", "42.92", "48931015.30"},
		{"acl1_1k", "sse", "66.49", "31583081.73"},
		{"fw1_1k", "scalar", "100.00", "20000000.00"},
	} {
		r, err := parseACL(strings.NewReader(aclOut(s.rules, s.alg, s.cyc, s.pps)))
		if err != nil {
			t.Fatal(err)
		}
		dpdk = append(dpdk, r)
	}
	for _, s := range []struct{ rules, pps string }{{"acl1_1k", "15155173.72"}, {"fw1_1k", "8000000.00"}} {
		r, _ := parseACL(strings.NewReader(aclOut(s.rules, "scalar", "138.30", s.pps)))
		dpk = append(dpk, r)
	}
	var b strings.Builder
	if err := reportACL(&b, dpdk, dpk); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"== acl1_1k ==",
		"vs DPDK scalar (138.3 vs 227.6 cyc/pkt)           9.23     15.16      1.64  ok\n",
		"vs DPDK's best: avx512x32                        48.93     15.16      0.31\n",
		"== fw1_1k ==",
		"0.40  << below 0.5",
		"summary acl vs DPDK's scalar method: 2 rule files, 1 of 2 meet the target; geometric mean ratio 0.81, lowest 0.40 (fw1_1k)",
		"summary acl vs DPDK's best method (no target): 1 rule files",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if err := reportACL(&b, dpdk[3:], dpk[:1]); err == nil {
		t.Error("no error when no rule file was run by both")
	}
}

func TestMainClassifyUsage(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "a.txt")
	if err := os.WriteFile(f, []byte(aclOut("acl1_1k", "scalar", "1.0", "1.0")), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut strings.Builder
	for _, args := range [][]string{{f}, {f, f, f}} {
		if code := mainClassify("lpm", args, &out, &errOut); code != 2 {
			t.Errorf("lpm %v: status %d, want 2", args, code)
		}
	}
	for _, args := range [][]string{{f, f}, {"--", f}, {f, "--"}} {
		if code := mainClassify("acl", args, &out, &errOut); code != 2 {
			t.Errorf("acl %v: status %d, want 2", args, code)
		}
	}
	if code := mainClassify("acl", []string{f, "--", f}, &out, &errOut); code != 0 {
		t.Errorf("acl: status %d, stderr %s", code, errOut.String())
	}
	if code := mainClassify("lpm", []string{f, f}, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "no lpm_perf_autotest figures") {
		t.Errorf("lpm on an ACL output: status %d, stderr %s", code, errOut.String())
	}
}
