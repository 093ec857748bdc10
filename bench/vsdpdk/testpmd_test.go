package main

import (
	"fmt"
	"strings"
	"testing"
)

// statsBlock is one --stats-period display of two ports with the given
// Rx-pps and Tx-pps, as testpmd prints it.
func statsBlock(rx0, tx0, rx1, tx1 int) string {
	port := func(id, rx, tx int) string {
		return fmt.Sprintf("\n  ######################## NIC statistics for port %d  ########################\n"+
			"  RX-packets: 1          RX-missed: 0          RX-bytes:  0\n"+
			"  RX-errors: 0\n"+
			"  RX-nombuf:  0         \n"+
			"  TX-packets: 1          TX-errors: 0          TX-bytes:  0\n\n"+
			"  Throughput (since last show)\n"+
			"  Rx-pps: %12d          Rx-bps: %12d\n"+
			"  Tx-pps: %12d          Tx-bps: %12d\n"+
			"  ############################################################################\n", id, rx, rx*512, tx, tx*512)
	}
	return "\x1b[2J\x1b[1;1H\nPort statistics ====================================" + port(0, rx0, tx0) + port(1, rx1, tx1)
}

func TestParseTestpmdRates(t *testing.T) {
	out := "Configuring Port 0 (socket 0)\n" +
		statsBlock(0, 0, 0, 0) +
		statsBlock(5_000_000, 5_000_000, 5_000_000, 5_000_000) +
		statsBlock(10_000_000, 10_000_000, 10_000_000, 9_000_000) +
		statsBlock(12_000_000, 12_000_000, 12_000_000, 12_000_000) +
		// Cut short by SIGINT: left out.
		"\x1b[2J\x1b[1;1H\nPort statistics ====================================\n" +
		"  ######################## NIC statistics for port 0  ########################\n" +
		"Telling cores to stop...\n"
	r, err := parseTestpmdRates(out)
	if err != nil {
		t.Fatal(err)
	}
	if r.blocks != 4 || len(r.rx) != 2 || r.rx[0] != 20e6 || r.rx[1] != 24e6 || r.tx[0] != 19e6 {
		t.Errorf("rates %+v, want 4 blocks, kept rx [20e6 24e6], tx [19e6 24e6]", r)
	}
	if _, err := parseTestpmdRates(statsBlock(0, 0, 0, 0) + statsBlock(1, 1, 1, 1)); err == nil {
		t.Error("no error with only the two blocks left out")
	}
	if _, err := parseTestpmdRates("Bye...\n"); err == nil {
		t.Error("no error without blocks")
	}
}

func TestParseGCWindow(t *testing.T) {
	errOut := "gc 1 @0.010s 1%: 0.1+1+0.01 ms clock, 0.2+0/0.1/0.5+0.02 ms cpu, 3->3->1 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P\n" +
		"testpmd: create a new mbuf pool <mb_pool_0>: n=155456, size=2176, socket=0\n" +
		"vsdpdk: window start t=100.25 rss_kb=1000\n" +
		"gc 2 @3.000s 0%: 0.1+1+0.01 ms clock, 0.2+0/0.1/0.5+0.02 ms cpu, 4->4->2 MB, 6 MB goal, 0 MB stacks, 0 MB globals, 2 P\n" +
		"vsdpdk: window end t=110.75 rss_kb=1004\n" +
		"gc 3 @12.000s 0%: 0.1+1+0.01 ms clock, 0.2+0/0.1/0.5+0.02 ms cpu, 4->4->2 MB, 8 MB goal, 0 MB stacks, 0 MB globals, 2 P\n"
	w, err := parseGCWindow(errOut)
	if err != nil {
		t.Fatal(err)
	}
	want := gcWindow{before: 1, during: 1, after: 1, seconds: 10.5, rssStart: "1000", rssEnd: "1004", goalMB: 6}
	if w != want {
		t.Errorf("window %+v, want %+v", w, want)
	}
	if _, err := parseGCWindow("gc 1 @0.010s\n"); err == nil {
		t.Error("no error without markers")
	}
}

func TestReportTestpmd(t *testing.T) {
	mk := func(mpps ...float64) tpRates {
		r := tpRates{blocks: len(mpps) + testpmdSkip}
		for _, m := range mpps {
			r.rx = append(r.rx, m*1e6)
			r.tx = append(r.tx, m*1e6)
		}
		return r
	}
	rows := []tpRow{
		{name: "net_null", dpdk: mk(30, 34), dpk: mk(28, 30), gc: gcWindow{seconds: 10, rssStart: "5", rssEnd: "5", goalMB: 4}},
		{name: "net_ring", dpdk: mk(800), dpk: mk(320), gc: gcWindow{before: 1, during: 2, seconds: 10, goalMB: 4}},
	}
	var b strings.Builder
	reportTestpmd(&b, rows)
	out := b.String()
	for _, want := range []string{
		"testpmd io net_null Mpps         32.00     29.00      0.91  ok\n",
		"testpmd io net_ring Mpps        800.00    320.00      0.40  << below 0.8\n",
		"summary testpmd: 2 rows compared, 1 of 2 meet the target",
		"dpk GC (GODEBUG=gctrace=1) net_null: 0 GC cycles during the 10.0 s window (0 at start-up, 0 at exit); RSS 5 -> 5 KiB; about 2.9e+08 packets forwarded with no GC: < 0.014 bytes allocated per packet",
		"dpk GC (GODEBUG=gctrace=1) net_ring: 2 GC cycles during the 10.0 s window (1 at start-up, 0 at exit); RSS ? -> ? KiB\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}
