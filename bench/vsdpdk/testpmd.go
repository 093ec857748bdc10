package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// The testpmd comparison: dpdk-testpmd and dpk-testpmd forwarding in io
// mode with --stats-period=1, one after the other; the rate of a run is
// read from its periodic "Port statistics" blocks.
//
//	vsdpdk testpmd NAME DPDK_STDOUT DPK_STDOUT DPK_STDERR [NAME ...]
//
// NAME is the row's driver (net_null, net_ring). DPK_STDERR holds dpk's
// GODEBUG=gctrace=1 lines and the lines vs-dpdk.sh appends around the
// measurement window:
//
//	vsdpdk: window start t=<unix seconds> rss_kb=<VmRSS>
//	vsdpdk: window end t=<unix seconds> rss_kb=<VmRSS>

// testpmdTarget is the smallest acceptable ratio dpk/DPDK of Mpps.
const testpmdTarget = 0.8

// testpmdSkip is the number of leading periodic blocks left out: the first
// has no rate (no previous sample), the second may cover the start.
const testpmdSkip = 2

var (
	tpBlock  = regexp.MustCompile(`(?m)^Port statistics =+`)
	tpPort   = regexp.MustCompile(`NIC statistics for port (\d+) `)
	tpRate   = regexp.MustCompile(`(?m)^  Rx-pps: +(\d+) +Rx-bps: +\d+\n  Tx-pps: +(\d+) +Tx-bps: +\d+$`)
	gcLine   = regexp.MustCompile(`(?m)^gc \d+ @`)
	gcGoal   = regexp.MustCompile(`(\d+) MB goal`)
	winStart = regexp.MustCompile(`(?m)^vsdpdk: window start t=([0-9.]+) rss_kb=(\d*)$`)
	winEnd   = regexp.MustCompile(`(?m)^vsdpdk: window end t=([0-9.]+) rss_kb=(\d*)$`)
)

// tpRates is what one run's periodic blocks say.
type tpRates struct {
	blocks int       // complete blocks
	rx, tx []float64 // the kept blocks' rates, summed over the ports, packets/s
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

func minMax(v []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range v {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	return lo, hi
}

// parseTestpmdRates reads the --stats-period blocks of a testpmd output.
// A block counts when it has the rates of every port of the first block;
// the first testpmdSkip blocks are left out.
func parseTestpmdRates(out string) (tpRates, error) {
	var r tpRates
	idx := tpBlock.FindAllStringIndex(out, -1)
	nports := 0
	for i, loc := range idx {
		end := len(out)
		if i+1 < len(idx) {
			end = idx[i+1][0]
		}
		blk := out[loc[1]:end]
		ports := tpPort.FindAllStringSubmatchIndex(blk, -1)
		if i == 0 {
			nports = len(ports)
		}
		if nports == 0 || len(ports) != nports {
			continue
		}
		var rx, tx float64
		ok := true
		for j, p := range ports {
			pend := len(blk)
			if j+1 < len(ports) {
				pend = ports[j+1][0]
			}
			m := tpRate.FindStringSubmatch(blk[p[1]:pend])
			if m == nil {
				ok = false
				break
			}
			a, _ := strconv.ParseFloat(m[1], 64)
			b, _ := strconv.ParseFloat(m[2], 64)
			rx += a
			tx += b
		}
		if !ok {
			continue
		}
		r.blocks++
		if r.blocks > testpmdSkip {
			r.rx = append(r.rx, rx)
			r.tx = append(r.tx, tx)
		}
	}
	if nports == 0 {
		return r, fmt.Errorf("no \"Port statistics\" block with port rates")
	}
	if len(r.rx) == 0 {
		return r, fmt.Errorf("%d complete \"Port statistics\" blocks: none left after the first %d", r.blocks, testpmdSkip)
	}
	return r, nil
}

// gcWindow is what dpk's GODEBUG=gctrace=1 output says about the window.
type gcWindow struct {
	before, during, after int     // GC cycles
	seconds               float64 // window length
	rssStart, rssEnd      string  // KiB, as /proc/<pid>/status
	goalMB                float64 // the heap goal in force at the end of the window
}

// parseGCWindow reads dpk's standard error: gctrace lines and the window
// markers.
func parseGCWindow(errOut string) (gcWindow, error) {
	var w gcWindow
	s, e := winStart.FindStringSubmatchIndex(errOut), winEnd.FindStringSubmatchIndex(errOut)
	if s == nil || e == nil || e[0] < s[0] {
		return w, fmt.Errorf("no measurement window markers")
	}
	t0, _ := strconv.ParseFloat(errOut[s[2]:s[3]], 64)
	t1, _ := strconv.ParseFloat(errOut[e[2]:e[3]], 64)
	w.seconds = t1 - t0
	w.rssStart, w.rssEnd = errOut[s[4]:s[5]], errOut[e[4]:e[5]]
	w.goalMB = 4 // the first GC's goal with GOGC=100 (the runtime's minimum heap)
	for _, loc := range gcLine.FindAllStringIndex(errOut, -1) {
		switch {
		case loc[0] < s[0]:
			w.before++
		case loc[0] < e[0]:
			w.during++
		default:
			w.after++
			continue
		}
		lineEnd := strings.IndexByte(errOut[loc[0]:], '\n')
		if lineEnd < 0 {
			lineEnd = len(errOut) - loc[0]
		}
		if m := gcGoal.FindStringSubmatch(errOut[loc[0] : loc[0]+lineEnd]); m != nil {
			w.goalMB, _ = strconv.ParseFloat(m[1], 64)
		}
	}
	return w, nil
}

// tpRow is one driver's comparison.
type tpRow struct {
	name      string
	dpdk, dpk tpRates
	gc        gcWindow
	gcErr     error
}

func mainTestpmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || len(args)%4 != 0 {
		fmt.Fprintln(stderr, "usage: vsdpdk testpmd NAME DPDK_STDOUT DPK_STDOUT DPK_STDERR [NAME ...]")
		return 2
	}
	var rows []tpRow
	for i := 0; i < len(args); i += 4 {
		row := tpRow{name: args[i]}
		var texts [3]string
		for j, name := range args[i+1 : i+4] {
			b, err := os.ReadFile(name)
			if err != nil {
				fmt.Fprintf(stderr, "vsdpdk: %v\n", err)
				return 1
			}
			texts[j] = string(b)
		}
		var err error
		if row.dpdk, err = parseTestpmdRates(texts[0]); err != nil {
			fmt.Fprintf(stderr, "vsdpdk: %s: %v\n", args[i+1], err)
			return 1
		}
		if row.dpk, err = parseTestpmdRates(texts[1]); err != nil {
			fmt.Fprintf(stderr, "vsdpdk: %s: %v\n", args[i+2], err)
			return 1
		}
		row.gc, row.gcErr = parseGCWindow(texts[2])
		rows = append(rows, row)
	}
	reportTestpmd(stdout, rows)
	return 0
}

func reportTestpmd(w io.Writer, rows []tpRow) {
	fmt.Fprintln(w, "testpmd io forwarding: DPDK 22.11 (dpdk-testpmd) vs dpk (dpk-testpmd), same machine, one after the other")
	fmt.Fprintf(w, "Mpps = packets forwarded per second by the one forwarding lcore: the ports' Rx-pps summed, mean of the\n"+
		"--stats-period blocks after the first %d; higher is better; ratio = dpk/DPDK; target >= %.1f\n\n", testpmdSkip, testpmdTarget)
	const lw = 28
	fmt.Fprintf(w, "%-*s %9s %9s %9s\n", lw, "label", "DPDK", "dpk", "dpk/DPDK")
	var ps []pair
	for _, r := range rows {
		p := pair{
			e:          entry{group: "testpmd", label: "testpmd io " + r.name + " Mpps"},
			dpdk:       mean(r.dpdk.rx) / 1e6,
			dpk:        mean(r.dpk.rx) / 1e6,
			hasTarget:  true,
			target:     testpmdTarget,
			higherGood: true,
		}
		p.ratio = ratio(p.dpk, p.dpdk)
		p.missed = p.ratio < testpmdTarget
		ps = append(ps, p)
		mark := "  ok"
		if p.missed {
			mark = fmt.Sprintf("  << below %.1f", testpmdTarget)
		}
		fmt.Fprintf(w, "%-*s %9.2f %9.2f %9.2f%s\n", lw, p.e.label, p.dpdk, p.dpk, p.ratio, mark)
	}
	fmt.Fprintln(w)
	for _, r := range rows {
		for _, side := range []struct {
			name string
			r    tpRates
		}{{"DPDK", r.dpdk}, {"dpk ", r.dpk}} {
			lo, hi := minMax(side.r.rx)
			fmt.Fprintf(w, "  %-8s %s: %d periods kept of %d, Rx %.2f Mpps (min %.2f, max %.2f), Tx %.2f Mpps\n",
				r.name, side.name, len(side.r.rx), side.r.blocks, mean(side.r.rx)/1e6, lo/1e6, hi/1e6, mean(side.r.tx)/1e6)
		}
	}
	fmt.Fprintln(w)
	met := 0
	logSum := 0.0
	for _, p := range ps {
		if !p.missed {
			met++
		}
		logSum += math.Log(p.ratio)
	}
	fmt.Fprintf(w, "summary testpmd: %d rows compared, %d of %d meet the target; geometric mean ratio %.2f\n",
		len(ps), met, len(ps), math.Exp(logSum/float64(len(ps))))
	var gcs []string
	for _, r := range rows {
		gcs = append(gcs, gcSummary(r))
	}
	sort.Strings(gcs)
	for _, g := range gcs {
		fmt.Fprintf(w, "  %s\n", g)
	}
}

// gcSummary is the line that tells whether dpk allocated while forwarding.
func gcSummary(r tpRow) string {
	if r.gcErr != nil {
		return fmt.Sprintf("dpk GC (GODEBUG=gctrace=1) %s: %v", r.name, r.gcErr)
	}
	g := r.gc
	s := fmt.Sprintf("dpk GC (GODEBUG=gctrace=1) %s: %d GC cycles during the %.1f s window (%d at start-up, %d at exit); RSS %s -> %s KiB",
		r.name, g.during, g.seconds, g.before, g.after, orUnknown(g.rssStart), orUnknown(g.rssEnd))
	if g.during == 0 && len(r.dpk.rx) > 0 && g.seconds > 0 {
		// No GC in the window: what was allocated in it stayed under the
		// heap goal in force.
		pkts := mean(r.dpk.rx) * g.seconds
		s += fmt.Sprintf("; about %.3g packets forwarded with no GC: < %.2g bytes allocated per packet", pkts, g.goalMB*(1<<20)/pkts)
	}
	return s
}

func orUnknown(s string) string {
	if s == "" {
		return "?"
	}
	return s
}
