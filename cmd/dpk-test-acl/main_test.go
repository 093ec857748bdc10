package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const dataDir = "../../../shared/data/acl"

var ealArgs = []string{"dpk-test-acl", "--no-huge", "--in-memory", "-l", "0", "--"}

func runApp(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	status := run(append(append([]string(nil), ealArgs...), args...), &out, &errb)
	return status, out.String(), errb.String()
}

func needData(t *testing.T, path string) string {
	t.Helper()
	p := filepath.Join(dataDir, path)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("no %s", p)
	}
	return p
}

// expected returns the sixth column of a trace file.
func expected(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		if len(f) < 6 {
			t.Fatalf("%s: no expected result in %q", path, sc.Text())
		}
		out = append(out, f[5])
	}
	return out
}

var (
	pktLine    = regexp.MustCompile(`^ipv([46])_5tuple: (\d+), category: (\d+), result: (\d+)$`)
	searchLine = regexp.MustCompile(`^search_ip5tuples  @lcore 0: (\d+) iterations, (\d+) pkts, (\d+) categories, \d+ cycles \(\d+\.\d\d sec\), \d+\.\d\d cycles/pkt, \d+\.\d\d pkt/sec$`)
)

// results returns the per-tuple results of category 0 of the output.
func results(out string) []string {
	var r []string
	for _, l := range strings.Split(out, "\n") {
		if m := pktLine.FindStringSubmatch(l); m != nil && m[3] == "0" {
			r = append(r, m[4])
		}
	}
	return r
}

// TestDPDKInputs runs dpdk-test-acl's own inputs and checks every result
// against the traces' expected column, and the output's shape.
func TestDPDKInputs(t *testing.T) {
	tests := []struct {
		rules, trace string
		opts         []string
	}{
		{"dpdk-test-acl/acl1v4_5_rule", "dpdk-test-acl/acl1v4_5_trace", nil},
		{"dpdk-test-acl/acl1v6_1_rule", "dpdk-test-acl/acl1v6_1_trace", []string{"--ipv6"}},
		{"dpdk-test-acl/acl1v6_1_rule", "dpdk-test-acl/acl1v6_1_trace", []string{"--ipv6=8B"}},
		{"dpdk-test-acl/acl1v4_5_rule", "dpdk-test-acl/acl1v4_5_trace", []string{"--runcat=4", "--bldcat=4", "--tracestep=2", "--iter=3"}},
	}
	for _, tt := range tests {
		t.Run(tt.rules+strings.Join(tt.opts, ""), func(t *testing.T) {
			rf, tf := needData(t, tt.rules), needData(t, tt.trace)
			args := append([]string{"--rulesf=" + rf, "--tracef", tf, "--alg=scalar"}, tt.opts...)
			status, out, errs := runApp(t, args...)
			if status != 0 {
				t.Fatalf("status %d\n%s\n%s", status, out, errs)
			}
			want := expected(t, tf)
			got := results(out)
			iters := 1
			if strings.Contains(strings.Join(tt.opts, " "), "--iter=3") {
				iters = 3
			}
			if len(got) != iters*len(want) {
				t.Fatalf("%d results, want %d\n%s", len(got), iters*len(want), out)
			}
			for i := range got {
				if got[i] != want[i%len(want)] {
					t.Errorf("tuple %d: result %s, want %s", i%len(want)+1, got[i], want[i%len(want)])
				}
			}
			for _, l := range []string{"dump_config:", "rulesf:" + rf, "tracef:" + tf, "alg:1(scalar)", "rte_acl_build("} {
				if !strings.Contains(out, l) {
					t.Errorf("output lacks %q", l)
				}
			}
			m := regexp.MustCompile(`(?m)^search_ip5tuples_once\((\d+), (\d+), scalar\) returns (\d+)$`).FindAllStringSubmatch(out, -1)
			if len(m) != iters || m[0][3] != strconv.Itoa(len(want)) {
				t.Errorf("search_ip5tuples_once lines %v, want %d returning %d", m, iters, len(want))
			}
			found := false
			for _, l := range strings.Split(out, "\n") {
				if sm := searchLine.FindStringSubmatch(l); sm != nil {
					found = true
					if sm[1] != strconv.Itoa(iters) || sm[2] != strconv.Itoa(iters*len(want)) {
						t.Errorf("search line %q", l)
					}
				}
			}
			if !found {
				t.Errorf("no search_ip5tuples line in\n%s", out)
			}
		})
	}
}

// TestGenTrace writes a trace for a ClassBench set and reads it back: the
// results must be the expected column.
func TestGenTrace(t *testing.T) {
	rf := needData(t, "classbench/fw1_1k")
	status, out, errs := runApp(t, "--rulesf="+rf, "--gentrace=3000", "--seed=5")
	if status != 0 {
		t.Fatalf("status %d: %s", status, errs)
	}
	tf := filepath.Join(t.TempDir(), "trace")
	if err := os.WriteFile(tf, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	want := expected(t, tf)
	if len(want) != 3000 {
		t.Fatalf("%d trace lines", len(want))
	}
	status, out, errs = runApp(t, "--rulesf="+rf, "--tracef="+tf, "--tracestep=64")
	if status != 0 {
		t.Fatalf("status %d: %s", status, errs)
	}
	got := results(out)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("results differ from the generated expectations")
	}
	distinct := map[string]bool{}
	for _, w := range want {
		distinct[w] = true
	}
	if len(distinct) < 300 {
		t.Errorf("generated tuples hit only %d distinct results", len(distinct))
	}
}

func TestErrors(t *testing.T) {
	rf := filepath.Join(dataDir, "dpdk-test-acl/acl1v4_5_rule")
	tests := []struct {
		name   string
		args   []string
		status int
		stderr string
	}{
		{"no rules", nil, 234, "mandatory option rulesf is not specified"},
		{"unknown option", []string{"--bogus"}, 234, "unknown option"},
		{"ambiguous option", []string{"--rule=x"}, 234, "ambiguous option"},
		{"bad alg", []string{"--rulesf=" + rf, "--alg=fast"}, 234, `invalid value: "fast" for option: alg`},
		{"bad runcat", []string{"--rulesf=" + rf, "--runcat=17"}, 234, "invalid value"},
		{"bad ipv6", []string{"--rulesf=" + rf, "--ipv6=16B"}, 234, "invalid value"},
		{"missing rule file", []string{"--rulesf=/nonexistent"}, 234, "failed to open file /nonexistent"},
		{"rules over rulenum", []string{"--rulesf=" + rf, "--rulenum=2"}, 244, "failed to add rules"},
		{"ipv4 rules as ipv6", []string{"--rulesf=" + rf, "--ipv6"}, 234, "failed to add rules"},
		{"runcat 3", []string{"--rulesf=" + rf, "--tracef=" + filepath.Join(dataDir, "dpdk-test-acl/acl1v4_5_trace"), "--runcat=3"}, 234, "classify for ipv4_5tuples returns -22"},
		{"maxsize too small", []string{"--rulesf=" + rf, "--maxsize=10"}, 244, "failed to build search context"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if strings.Contains(strings.Join(tt.args, " "), dataDir) {
				needData(t, "dpdk-test-acl/acl1v4_5_rule")
			}
			status, out, errs := runApp(t, tt.args...)
			if status != tt.status || !strings.Contains(errs, tt.stderr) {
				t.Errorf("status %d, stderr %q; want %d, %q\nstdout: %s", status, errs, tt.status, tt.stderr, out)
			}
		})
	}
}

// TestAlgNames checks that DPDK's SIMD names run, on the scalar code.
func TestAlgNames(t *testing.T) {
	rf := needData(t, "dpdk-test-acl/acl1v4_5_rule")
	tf := needData(t, "dpdk-test-acl/acl1v4_5_trace")
	for _, alg := range []string{"sse", "avx2", "avx512x16"} {
		status, out, errs := runApp(t, "--rulesf="+rf, "--tracef="+tf, "--search="+alg, "--verbose=1")
		if status != 0 || !strings.Contains(errs, "no "+alg+" method in dpk") ||
			!strings.Contains(out, "search_ip5tuples_once(1, 256, "+alg+") returns 5") {
			t.Errorf("%s: status %d\n%s\n%s", alg, status, out, errs)
		}
		if strings.Contains(out, "ipv4_5tuple:") {
			t.Errorf("%s: --verbose=1 printed tuples", alg)
		}
	}
}
