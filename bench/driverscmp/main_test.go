package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// block is one --stats-period block of testpmd's output for the given
// ports' (Rx-pps, Tx-pps).
func block(rates ...[2]int) string {
	var b strings.Builder
	b.WriteString("\x1b[2J\x1b[1;1H\nPort statistics ====================================\n")
	for i, r := range rates {
		fmt.Fprintf(&b, "  ######################## NIC statistics for port %d  ########################\n", i)
		b.WriteString("  RX-packets: 100        RX-missed: 0          RX-bytes:  6400\n")
		b.WriteString("  RX-errors: 0\n  RX-nombuf:  0\n")
		b.WriteString("  TX-packets: 0          TX-errors: 0          TX-bytes:  0\n\n")
		b.WriteString("  Throughput (since last show)\n")
		fmt.Fprintf(&b, "  Rx-pps:   %10d          Rx-bps:    %d\n", r[0], r[0]*512)
		fmt.Fprintf(&b, "  Tx-pps:   %10d          Tx-bps:    %d\n", r[1], r[1]*512)
		b.WriteString("  ############################################################################\n")
	}
	return b.String()
}

const (
	start = "drivers.sh: window start t=1700000000.1\n"
	end   = "drivers.sh: window end t=1700000010.1\n"
)

func TestParseWindowKeepsBlocksInside(t *testing.T) {
	out := "testpmd: create a new mbuf pool <mb_pool_0>\n" +
		block([2]int{0, 0}) + block([2]int{5, 0}) +
		start +
		block([2]int{100, 1}) + block([2]int{300, 3}) +
		end +
		block([2]int{7, 0}) + "\nBye...\n"
	r, err := parseWindow(out)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(r.rx) != "[100 300]" || fmt.Sprint(r.tx) != "[1 3]" {
		t.Fatalf("rx %v tx %v, want [100 300] and [1 3]", r.rx, r.tx)
	}
}

func TestParseWindowSumsPortsAndSurvivesMarkersInsideABlock(t *testing.T) {
	// A marker may land between two lines of a block (the script and the
	// process both append to the file): the block counts by where its
	// header is.
	b1 := block([2]int{10, 20}, [2]int{30, 40})
	cut := strings.Index(b1, "  Tx-pps")
	out := block([2]int{1, 1}, [2]int{1, 1}) + b1[:cut] + start + b1[cut:] +
		block([2]int{1000, 2000}, [2]int{3000, 4000}) +
		block([2]int{9, 9}) + // short block: left out
		end + block([2]int{5, 5}, [2]int{5, 5})
	r, err := parseWindow(out)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(r.rx) != "[4000]" || fmt.Sprint(r.tx) != "[6000]" {
		t.Fatalf("rx %v tx %v, want [4000] and [6000]", r.rx, r.tx)
	}
}

func TestParseWindowErrors(t *testing.T) {
	if _, err := parseWindow(block([2]int{1, 1})); err == nil || !strings.Contains(err.Error(), "window") {
		t.Errorf("no markers: err %v", err)
	}
	if _, err := parseWindow(block([2]int{1, 1}) + start + end); err == nil || !strings.Contains(err.Error(), "no complete") {
		t.Errorf("empty window: err %v", err)
	}
	if _, err := parseWindow(start + block([2]int{1, 1})); err == nil {
		t.Error("window never ended: no error")
	}
}

func TestGCInWindow(t *testing.T) {
	errOut := "gc 1 @0.010s 2%: 0.01+0.2+0.01 ms clock, 4->4->1 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P\n" +
		start +
		"gc 2 @5.1s 0%: 0.01+0.2+0.01 ms clock, 4->4->1 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P\n" +
		"gc notaline\n" +
		end +
		"gc 3 @12.1s 0%: 0.01+0.2+0.01 ms clock, 4->4->1 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P\n"
	n, err := gcInWindow(errOut)
	if err != nil || n != 1 {
		t.Fatalf("gcInWindow = %d, %v; want 1", n, err)
	}
	if _, err := gcInWindow("gc 1 @0.1s\n"); err == nil {
		t.Error("no window: no error")
	}
}

func write(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunPrintsTable(t *testing.T) {
	dir := t.TempDir()
	win := func(rates ...[2]int) string {
		s := start
		for _, r := range rates {
			s += block(r)
		}
		return s + end + "\nBye...\n"
	}
	dpdkRx := write(t, dir, "dpdk-rx", win([2]int{500000, 0}, [2]int{700000, 0}))
	dpdkTx := write(t, dir, "dpdk-tx", win([2]int{0, 800000}))
	dpkRx := write(t, dir, "dpk-rx", win([2]int{660000, 0}))
	dpkTx := write(t, dir, "dpk-tx", win([2]int{0, 900000}))
	dpkErr := write(t, dir, "dpk-err", start+end)
	dpdkFwd := write(t, dir, "dpdk-fwd", start+block([2]int{200000, 0}, [2]int{0, 200000})+end)
	dpkFwd := write(t, dir, "dpk-fwd", start+block([2]int{100000, 0}, [2]int{0, 100000})+end)
	spec := strings.Join([]string{
		"af_packet txonly->rxonly Mpps\tdpdk\tload\t1.00 0.50 0.25",
		"af_packet txonly->rxonly Mpps\tdpdk\trx\t" + dpdkRx,
		"af_packet txonly->rxonly Mpps\tdpdk\ttx\t" + dpdkTx,
		"af_packet txonly->rxonly Mpps\tdpk\trx\t" + dpkRx,
		"af_packet txonly->rxonly Mpps\tdpk\ttx\t" + dpkTx,
		"af_packet txonly->rxonly Mpps\tdpk\tgc\t" + dpkErr,
		"af_packet io forwarding Mpps\tdpdk\tfwd\t" + dpdkFwd,
		"af_packet io forwarding Mpps\tdpk\tfwd\t" + dpkFwd,
		"tap txonly->rxonly Mpps\tdpdk\tfail\trxonly sink did not start: Cause: no tap",
		"tap txonly->rxonly Mpps\tdpk\trx\t" + dpkRx,
	}, "\n") + "\n"
	specPath := write(t, dir, "rows.tsv", spec)
	var out, errOut bytes.Buffer
	if code := run([]string{"-load", "1.00 0.50 0.25", "-seconds", "10", specPath}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	got := out.String()
	for _, want := range []string{
		"load average at start: 1.00 0.50 0.25",
		"af_packet txonly->rxonly Mpps      0.600      0.660    1.10     1.0  met",
		"af_packet io forwarding Mpps       0.200      0.100    0.50     1.0  missed",
		"tap txonly->rxonly Mpps              n/a      0.660     n/a     1.0  n/a (DPDK: rxonly sink did not start: Cause: no tap)",
		"sink Rx 0.600 Mpps over 2 periods (min 0.500, max 0.700); sender Tx 0.800 Mpps; load 1.00 0.50 0.25",
		"GC cycles in the window: 0 (no allocation in steady state)",
		"forwarded (Tx) 0.100 Mpps over 1 periods",
		"summary drivers: 2 of 3 rows compared, 1 meet the target 1.0",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	if code := run(nil, &out, &errOut); code != 2 {
		t.Errorf("no argument: exit %d, want 2", code)
	}
	bad := write(t, dir, "bad.tsv", "only\ttwo\n")
	if code := run([]string{bad}, &out, &errOut); code != 1 {
		t.Errorf("bad spec: exit %d, want 1", code)
	}
	side := write(t, dir, "side.tsv", "x\tboth\tload\t1\n")
	if code := run([]string{side}, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "want dpdk or dpk") {
		t.Errorf("bad side: exit %d, %s", code, errOut.String())
	}
	if code := run([]string{filepath.Join(dir, "missing.tsv")}, &out, &errOut); code != 1 {
		t.Errorf("missing file: exit %d, want 1", code)
	}
}
