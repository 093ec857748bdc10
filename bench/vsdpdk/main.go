// Command vsdpdk compares the output of DPDK's dpdk-test with dpk-test's for
// the same autotest and prints a table and a summary; bench/vs-dpdk.sh runs
// the tests and calls it.
//
//	vsdpdk ring DPDK_OUTPUT DPK_OUTPUT
//	vsdpdk mempool DPDK_OUTPUT DPK_OUTPUT
//	vsdpdk testpmd NAME DPDK_STDOUT DPK_STDOUT DPK_STDERR [NAME ...]
//	vsdpdk lpm|lpm6|fib|fib6|hash DPDK_OUTPUT DPK_OUTPUT
//	vsdpdk acl DPDK_OUTPUT... -- DPK_OUTPUT...
//
// ring pairs the figure lines of ring_perf_autotest by section header and
// label (labels repeat across sections: "SP/SC: bulk (size: 8)" is in the
// bulk, empty-dequeue and two-core sections) and prints the ratio dpk/DPDK
// of cycles, lower is better. Lines beyond the targets are marked: single
// lcore SP/SC and MP/MC burst and bulk lines above 1.3, two-core bulk lines
// above 1.5. The all-lcore totals (rounds in 100 ms, higher is better) are
// listed apart, without target.
//
// mempool pairs the rate lines of mempool_perf_autotest by section, line
// parameters and order within the section (DPDK runs "cores=2" twice when
// all lcores are two, and the "with cache" and "with user-owned cache"
// sections print the same parameters) and prints the ratio dpk/DPDK of
// objects per second, higher is better; lines below 0.7 in the sections
// that go through a cache are marked.
//
// testpmd compares dpdk-testpmd with dpk-testpmd forwarding in io mode
// with --stats-period=1 (one row per driver, NAME): the Mpps of each run is
// the mean, over its "Port statistics" blocks after the first two, of the
// ports' Rx-pps summed; the ratio dpk/DPDK, higher is better, is marked
// below 0.8. DPK_STDERR carries dpk's GODEBUG=gctrace=1 lines and the
// measurement window's markers (see testpmd.go): the summary says how many
// GC cycles ran while dpk forwarded.
//
// lpm, lpm6, fib, fib6, hash and acl compare the classification libraries'
// perf autotests and dpdk-test-acl (see classify.go): each figure's ratio
// dpk/DPDK is marked against its target.
//
// The exit status is 0 when both outputs parsed and have lines in common,
// whether or not targets are met; 1 when an output has no figure at all;
// 2 on a usage error.
package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

func usageExit() {
	fmt.Fprintln(os.Stderr, "usage: vsdpdk ring|mempool DPDK_OUTPUT DPK_OUTPUT")
	fmt.Fprintln(os.Stderr, "       vsdpdk testpmd NAME DPDK_STDOUT DPK_STDOUT DPK_STDERR [NAME ...]")
	fmt.Fprintln(os.Stderr, "       vsdpdk lpm|lpm6|fib|fib6|hash DPDK_OUTPUT DPK_OUTPUT")
	fmt.Fprintln(os.Stderr, "       vsdpdk acl DPDK_OUTPUT... -- DPK_OUTPUT...")
	os.Exit(2)
}

func main() {
	if len(os.Args) >= 2 {
		switch os.Args[1] {
		case "testpmd":
			os.Exit(mainTestpmd(os.Args[2:], os.Stdout, os.Stderr))
		case "lpm", "lpm6", "fib", "fib6", "hash", "acl":
			code := mainClassify(os.Args[1], os.Args[2:], os.Stdout, os.Stderr)
			if code == 2 {
				usageExit()
			}
			os.Exit(code)
		}
	}
	if len(os.Args) != 4 || (os.Args[1] != "ring" && os.Args[1] != "mempool") {
		usageExit()
	}
	parse := parseRing
	if os.Args[1] == "mempool" {
		parse = parseMempool
	}
	var sides [2][]entry
	for i, name := range os.Args[2:] {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintf(os.Stderr, "vsdpdk: %v\n", err)
			os.Exit(1)
		}
		sides[i], err = parse(f)
		f.Close()
		if err != nil {
			fmt.Fprintf(os.Stderr, "vsdpdk: %s: %v\n", name, err)
			os.Exit(1)
		}
		if len(sides[i]) == 0 {
			fmt.Fprintf(os.Stderr, "vsdpdk: %s: no %s figures found\n", name, os.Args[1])
			os.Exit(1)
		}
	}
	var err error
	if os.Args[1] == "ring" {
		err = reportRing(os.Stdout, sides[0], sides[1])
	} else {
		err = reportMempool(os.Stdout, sides[0], sides[1])
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "vsdpdk: %v\n", err)
		os.Exit(1)
	}
}

// entry is one figure of an output.
type entry struct {
	group string  // what the table groups it under (section, with API kind for ring)
	label string  // the line's own text, as printed
	key   string  // what pairs it with the other output
	value float64 // cycles, count or rate
	count bool    // ring: an all-lcore total (higher is better)
}

var (
	ringSection = regexp.MustCompile(`^### (.+) ###$`)
	ringFigure  = regexp.MustCompile(`^((?:legacy|elem) APIs: .+): ([0-9]+(?:\.[0-9]+)?)$`)
	ringAPI     = regexp.MustCompile(`^(?:legacy|elem) APIs(?:: element size [0-9]+B)?`)
	ringTotal   = regexp.MustCompile(`^(Total count \(size: [0-9]+\)): ([0-9]+)$`)
	mpSection   = regexp.MustCompile(`^start performance test`)
	mpRate      = regexp.MustCompile(`^mempool_autotest (.+) rate_persec=([0-9]+)$`)
)

func lines(r io.Reader) ([]string, error) {
	var out []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		out = append(out, strings.TrimRight(sc.Text(), "\r"))
	}
	return out, sc.Err()
}

// parseRing reads ring_perf_autotest output. A figure's key is its section
// and label; a total's key adds the API kind of the figures before it, as
// the all-lcore section runs once per API kind and its lines do not say
// which.
func parseRing(r io.Reader) ([]entry, error) {
	ls, err := lines(r)
	if err != nil {
		return nil, err
	}
	var out []entry
	section, api := "", ""
	seen := map[string]int{}
	add := func(e entry) {
		seen[e.key]++
		if n := seen[e.key]; n > 1 {
			e.key += fmt.Sprintf(" #%d", n)
		}
		out = append(out, e)
	}
	for _, l := range ls {
		if m := ringSection.FindStringSubmatch(l); m != nil {
			section = m[1]
			continue
		}
		if m := ringFigure.FindStringSubmatch(l); m != nil {
			v, _ := strconv.ParseFloat(m[2], 64)
			if a := ringAPI.FindString(m[1]); a != "" {
				api = a
			}
			add(entry{group: section, label: m[1], key: section + " | " + m[1], value: v})
			continue
		}
		if m := ringTotal.FindStringSubmatch(l); m != nil {
			v, _ := strconv.ParseFloat(m[2], 64)
			add(entry{group: section + " (" + api + ")", label: m[1], key: section + " | " + api + " | " + m[1], value: v, count: true})
		}
	}
	return out, nil
}

// parseMempool reads mempool_perf_autotest output (or DPDK's stored run).
// A line's key is its section, its parameters and how many times the same
// parameters came before in the section.
func parseMempool(r io.Reader) ([]entry, error) {
	ls, err := lines(r)
	if err != nil {
		return nil, err
	}
	var out []entry
	section := ""
	seen := map[string]int{}
	for _, l := range ls {
		if mpSection.MatchString(l) {
			section = l
			continue
		}
		m := mpRate.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		v, _ := strconv.ParseFloat(m[2], 64)
		k := section + " | " + m[1]
		seen[k]++
		label := m[1]
		if n := seen[k]; n > 1 {
			k += fmt.Sprintf(" #%d", n)
			label += fmt.Sprintf(" #%d", n)
		}
		out = append(out, entry{group: section, label: label, key: k, value: v})
	}
	return out, nil
}

// ringTarget returns the largest acceptable ratio dpk/DPDK for a ring
// figure, or 0 when the line has no target.
func ringTarget(e entry) float64 {
	if e.count {
		return 0
	}
	sec := e.group
	switch {
	case sec == "Testing burst enq/deq" || sec == "Testing bulk enq/deq":
		if strings.Contains(e.label, "SP/SC") || strings.Contains(e.label, "MP/MC") {
			return 1.3
		}
	case strings.HasPrefix(sec, "Testing using two "):
		if strings.Contains(e.label, ": bulk (") {
			return 1.5
		}
	}
	return 0
}

// mempoolTarget returns the smallest acceptable ratio dpk/DPDK for a
// mempool rate, or 0 when the section has no target.
func mempoolTarget(e entry) float64 {
	if strings.Contains(e.group, "with cache") || strings.Contains(e.group, "with user-owned cache") {
		return 0.7
	}
	return 0
}

// pair is one line present in both outputs.
type pair struct {
	e          entry   // the line as the first output of match has it
	dpdk, dpk  float64 // the figures
	ratio      float64 // dpk/DPDK
	target     float64
	hasTarget  bool
	missed     bool
	higherGood bool
}

// match pairs the entries of b with those of a by key, in a's order. It
// returns for each pair a's entry and b's value, and the entries found on
// one side only.
func match(a, b []entry) (pairs []pair, bValues []float64, onlyA, onlyB []entry) {
	idx := map[string]int{}
	for i, e := range b {
		idx[e.key] = i
	}
	used := make([]bool, len(b))
	for _, e := range a {
		i, ok := idx[e.key]
		if !ok {
			onlyA = append(onlyA, e)
			continue
		}
		used[i] = true
		pairs = append(pairs, pair{e: e})
		bValues = append(bValues, b[i].value)
	}
	for i, e := range b {
		if !used[i] {
			onlyB = append(onlyB, e)
		}
	}
	return pairs, bValues, onlyA, onlyB
}

func ratio(dpk, dpdk float64) float64 {
	if dpdk == 0 {
		return math.Inf(1)
	}
	return dpk / dpdk
}

func reportRing(w io.Writer, dpdk, dpk []entry) error {
	pairs, dpkValues, onlyA, onlyB := match(dpdk, dpk)
	if len(pairs) == 0 {
		return fmt.Errorf("ring: no figure line in common between the outputs")
	}
	for i := range pairs {
		p := &pairs[i]
		p.dpdk, p.dpk = p.e.value, dpkValues[i]
		p.ratio = ratio(p.dpk, p.dpdk)
	}
	fmt.Fprintln(w, "ring_perf_autotest: DPDK 22.11 (dpdk-test) vs dpk (dpk-test), same machine, same run")
	fmt.Fprintln(w, "cycles per element (lower is better); ratio = dpk/DPDK; targets: single-lcore burst/bulk <= 1.3, two-core bulk <= 1.5")
	var cyc, cnt []pair
	for _, p := range pairs {
		if p.e.count {
			p.higherGood = true
			cnt = append(cnt, p)
			continue
		}
		if t := ringTarget(p.e); t > 0 {
			p.hasTarget, p.target, p.missed = true, t, p.ratio > t
		}
		cyc = append(cyc, p)
	}
	printTable(w, cyc, "%9.2f", 52)
	if len(cnt) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "all lcores on one ring: bulk rounds in 100 ms (higher is better); ratio = dpk/DPDK, no target")
		printTable(w, cnt, "%9.0f", 52)
	}
	printUnpaired(w, onlyA, onlyB)
	fmt.Fprintln(w)
	summary(w, "ring", cyc, false)
	return nil
}

func reportMempool(w io.Writer, dpdk, dpk []entry) error {
	// dpk's run is usually partial (a section, a filter): pair its lines
	// with the baseline's, in dpk's order.
	pairs, dpdkValues, onlyDpk, _ := match(dpk, dpdk)
	if len(pairs) == 0 {
		return fmt.Errorf("mempool: no rate line in common between the outputs")
	}
	fmt.Fprintln(w, "mempool_perf_autotest: dpk vs stored DPDK 22.11 baseline (same kind of machine, not this run)")
	fmt.Fprintln(w, "rate in millions of objects per second (higher is better); ratio = dpk/DPDK; target >= 0.7 in the sections with a cache")
	for i := range pairs {
		p := &pairs[i]
		p.dpdk, p.dpk = dpdkValues[i]/1e6, p.e.value/1e6
		p.ratio = ratio(p.dpk, p.dpdk)
		p.higherGood = true
		if t := mempoolTarget(p.e); t > 0 {
			p.hasTarget, p.target, p.missed = true, t, p.ratio < t
		}
	}
	printTable(w, pairs, "%9.1f", 80)
	if len(onlyDpk) > 0 {
		fmt.Fprintf(w, "\n%d dpk line(s) with no counterpart in the baseline:\n", len(onlyDpk))
		for _, e := range onlyDpk {
			fmt.Fprintf(w, "  %s | %s\n", e.group, e.label)
		}
	}
	fmt.Fprintln(w)
	// Summary per section.
	var order []string
	bySec := map[string][]pair{}
	for _, p := range pairs {
		if _, ok := bySec[p.e.group]; !ok {
			order = append(order, p.e.group)
		}
		bySec[p.e.group] = append(bySec[p.e.group], p)
	}
	for _, s := range order {
		summary(w, strings.TrimPrefix(s, "start performance test "), bySec[s], true)
	}
	return nil
}

func printTable(w io.Writer, ps []pair, numFmt string, labelWidth int) {
	group := "\x00"
	for _, p := range ps {
		if p.e.group != group {
			group = p.e.group
			fmt.Fprintf(w, "\n== %s ==\n", group)
			fmt.Fprintf(w, "%-*s %9s %9s %9s\n", labelWidth, "label", "DPDK", "dpk", "dpk/DPDK")
		}
		mark := ""
		switch {
		case p.hasTarget && p.missed && p.higherGood:
			mark = fmt.Sprintf("  << below %.1f", p.target)
		case p.hasTarget && p.missed:
			mark = fmt.Sprintf("  >> above %.1f", p.target)
		case p.hasTarget:
			mark = "  ok"
		}
		fmt.Fprintf(w, "%-*s "+numFmt+" "+numFmt+" %9.2f%s\n", labelWidth, p.e.label, p.dpdk, p.dpk, p.ratio, mark)
	}
}

func printUnpaired(w io.Writer, onlyA, onlyB []entry) {
	if len(onlyA) > 0 {
		fmt.Fprintf(w, "\n%d DPDK line(s) missing from dpk's output:\n", len(onlyA))
		for _, e := range onlyA {
			fmt.Fprintf(w, "  %s | %s\n", e.group, e.label)
		}
	}
	if len(onlyB) > 0 {
		fmt.Fprintf(w, "\n%d dpk line(s) not in DPDK's output:\n", len(onlyB))
		for _, e := range onlyB {
			fmt.Fprintf(w, "  %s | %s\n", e.group, e.label)
		}
	}
}

// summary prints how many lines meet their target, the geometric mean of
// the ratios and the worst ones.
func summary(w io.Writer, name string, ps []pair, higherGood bool) {
	var targeted, met int
	logSum := 0.0
	n := 0
	for _, p := range ps {
		if p.hasTarget {
			targeted++
			if !p.missed {
				met++
			}
		}
		if p.ratio > 0 && !math.IsInf(p.ratio, 0) {
			logSum += math.Log(p.ratio)
			n++
		}
	}
	gm := math.NaN()
	if n > 0 {
		gm = math.Exp(logSum / float64(n))
	}
	if targeted > 0 {
		fmt.Fprintf(w, "summary %s: %d lines compared, %d of %d with a target meet it; geometric mean ratio %.2f\n", name, len(ps), met, targeted, gm)
	} else {
		fmt.Fprintf(w, "summary %s: %d lines compared (no target); geometric mean ratio %.2f\n", name, len(ps), gm)
	}
	worst := append([]pair(nil), ps...)
	sort.SliceStable(worst, func(i, j int) bool {
		if higherGood {
			return worst[i].ratio < worst[j].ratio
		}
		return worst[i].ratio > worst[j].ratio
	})
	k := min(5, len(worst))
	fmt.Fprintf(w, "  worst %d:\n", k)
	for _, p := range worst[:k] {
		g := p.e.group
		if higherGood {
			g = "" // mempool: the section is in the summary's name
		} else {
			g += " | "
		}
		fmt.Fprintf(w, "    %5.2f  %s%s\n", p.ratio, g, p.e.label)
	}
}
