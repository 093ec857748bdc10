package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// The classification comparisons: the perf autotests of the route lookup
// libraries (lpm, lpm6, fib, fib6), hash_perf_autotest, and dpdk-test-acl.
//
//	vsdpdk lpm|lpm6|fib|fib6 DPDK_OUTPUT DPK_OUTPUT
//	vsdpdk hash DPDK_OUTPUT DPK_OUTPUT
//	vsdpdk acl DPDK_OUTPUT... -- DPK_OUTPUT...
//
// The route autotests print one "NAME: N cycles" line per measurement;
// the lookups carry a target (ratio dpk/DPDK of cycles at most 1.2 for
// lpm, 1.5 for lpm6, fib and fib6), adds and deletes are informational.
//
// hash_perf_autotest prints, per section (locks, primary or secondary
// location, extendable buckets), per data (without, with 8-byte data) and
// per precomputed hash (without, with), a row per key size of cycles for
// Add, Lookup, Lookup_bulk and Delete, then the four-byte-key (FBK) ticks
// per lookup. Every lookup figure has the target 1.5; add and delete are
// informational.
//
// acl reads dpdk-test-acl outputs: the rule file and method of each come
// from its dump_config lines, its throughput from its search_ip5tuples
// lines (packets per second summed over the lcores). Per rule file, dpk's
// scalar method is compared with DPDK's scalar method (target: dpk/DPDK
// of packets per second at least 0.5) and, without target, with each of
// DPDK's other methods and the best of them.

// Targets, as ratios dpk/DPDK of cycles (at most) or of packets per
// second (at least).
const (
	lpmLookupTarget   = 1.2
	routeLookupTarget = 1.5 // lpm6, fib, fib6
	hashLookupTarget  = 1.5
	aclScalarTarget   = 0.5
)

// routeSuite describes one route lookup autotest: its name, and per
// figure label the target (0: informational).
type routeSuite struct {
	test   string
	labels []string
	target map[string]float64
}

var routeSuites = map[string]routeSuite{
	"lpm": {
		test:   "lpm_perf_autotest",
		labels: []string{"Average LPM Add", "Average LPM Lookup", "BULK LPM Lookup", "LPM LookupX4", "Average LPM Delete"},
		target: map[string]float64{"Average LPM Lookup": lpmLookupTarget, "BULK LPM Lookup": lpmLookupTarget, "LPM LookupX4": lpmLookupTarget},
	},
	"lpm6": {
		test:   "lpm6_perf_autotest",
		labels: []string{"Average LPM Add", "Average LPM Lookup", "BULK LPM Lookup", "Average LPM Delete"},
		target: map[string]float64{"Average LPM Lookup": routeLookupTarget, "BULK LPM Lookup": routeLookupTarget},
	},
	"fib": {
		test:   "fib_perf_autotest",
		labels: []string{"Average FIB Add", "BULK FIB Lookup", "Average FIB Delete"},
		target: map[string]float64{"BULK FIB Lookup": routeLookupTarget},
	},
	"fib6": {
		test:   "fib6_perf_autotest",
		labels: []string{"Average FIB Add", "BULK FIB Lookup", "Average FIB Delete"},
		target: map[string]float64{"BULK FIB Lookup": routeLookupTarget},
	},
}

// routeFigure matches "Average LPM Add: 1356.18 cycles" and "BULK LPM
// Lookup: 18.3 cycles (fails = 12.5%)"; the adds and deletes are printed
// with %g, so they may have an exponent.
var routeFigure = regexp.MustCompile(`^([A-Za-z0-9 ]+): ([0-9]+(?:\.[0-9]*)?(?:e[+-]?[0-9]+)?) cycles(?: \(fails = ([0-9.]+)%\))?$`)

// routeEntry is one figure of a route autotest.
type routeEntry struct {
	cycles float64
	fails  float64 // percent, or -1 when the line has none
}

// parseRoute reads the figures of a route autotest output, by label.
func parseRoute(r io.Reader) (map[string]routeEntry, error) {
	ls, err := lines(r)
	if err != nil {
		return nil, err
	}
	out := map[string]routeEntry{}
	for _, l := range ls {
		m := routeFigure.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		v, _ := strconv.ParseFloat(m[2], 64)
		e := routeEntry{cycles: v, fails: -1}
		if m[3] != "" {
			e.fails, _ = strconv.ParseFloat(m[3], 64)
		}
		out[m[1]] = e
	}
	return out, nil
}

// reportRoute prints the table of one route autotest.
func reportRoute(w io.Writer, suite string, dpdk, dpk map[string]routeEntry) error {
	s, ok := routeSuites[suite]
	if !ok {
		return fmt.Errorf("unknown suite %q", suite)
	}
	var ps []pair
	var missing, failNotes []string
	for _, l := range s.labels {
		a, okA := dpdk[l]
		b, okB := dpk[l]
		if !okA || !okB {
			side := "DPDK's"
			if okA {
				side = "dpk's"
			}
			missing = append(missing, fmt.Sprintf("%s: not in %s output", l, side))
			continue
		}
		p := pair{e: entry{group: s.test, label: l}, dpdk: a.cycles, dpk: b.cycles, ratio: ratio(b.cycles, a.cycles)}
		if t := s.target[l]; t > 0 {
			p.hasTarget, p.target, p.missed = true, t, p.ratio > t
		}
		ps = append(ps, p)
		// The lookups of the same table and addresses should miss as
		// often on both sides (the random ones within a point).
		if a.fails >= 0 && b.fails >= 0 && math.Abs(a.fails-b.fails) > 1 {
			failNotes = append(failNotes, fmt.Sprintf("%s: fails = %.1f%% in DPDK, %.1f%% in dpk", l, a.fails, b.fails))
		}
	}
	if len(ps) == 0 {
		return fmt.Errorf("%s: no figure in common between the outputs", s.test)
	}
	fmt.Fprintf(w, "%s: DPDK 22.11 (dpdk-test) vs dpk (dpk-test), same machine, same run\n", s.test)
	fmt.Fprintf(w, "cycles per operation (lower is better); ratio = dpk/DPDK; targets: %s\n", routeTargetText(s))
	printTable(w, ps, "%11.1f", 24)
	for _, n := range missing {
		fmt.Fprintf(w, "missing: %s\n", n)
	}
	for _, n := range failNotes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	fmt.Fprintln(w)
	var targeted []pair
	for _, p := range ps {
		if p.hasTarget {
			targeted = append(targeted, p)
		}
	}
	summary(w, suite+" lookups", targeted, false)
	return nil
}

func routeTargetText(s routeSuite) string {
	var parts []string
	for _, l := range s.labels {
		if t := s.target[l]; t > 0 {
			parts = append(parts, fmt.Sprintf("%s <= %.1f", l, t))
		}
	}
	return strings.Join(parts, ", ") + "; adds and deletes informational"
}

// Hash output.

var (
	hashOps     = []string{"Add", "Lookup", "Lookup_bulk", "Delete"}
	hashRow     = regexp.MustCompile(`^([0-9]+) +([0-9]+) +([0-9]+) +([0-9]+) +([0-9]+) *$`)
	hashFBK     = regexp.MustCompile(`^Number of ticks per lookup = ([0-9.e+-]+)$`)
	hashSection = map[string]string{
		"ALL ELEMENTS IN PRIMARY LOCATION":          "primary",
		"ELEMENTS IN PRIMARY OR SECONDARY LOCATION": "secondary",
		"EXTENDABLE BUCKETS PERFORMANCE":            "ext",
	}
)

// hashBlock names one block of rows: which table and calls it measured.
type hashBlock struct {
	section string // "nolock primary", ..., "ext"
	data    bool   // 8-byte data
	hash    bool   // precomputed hash values
}

func (b hashBlock) String() string {
	s := b.section
	if b.data {
		s += ", 8-byte data"
	} else {
		s += ", no data"
	}
	if b.hash {
		s += ", precomputed hash"
	} else {
		s += ", hash computed"
	}
	return s
}

// hashResult is what one hash_perf_autotest output says.
type hashResult struct {
	blocks []hashBlock                     // in the output's order
	rows   map[hashBlock]map[int][4]uint64 // key size -> cycles per op
	keys   map[hashBlock][]int             // key sizes in the output's order
	fbk    float64                         // ticks per FBK lookup, 0 when absent
}

// parseHash reads hash_perf_autotest's output.
func parseHash(r io.Reader) (*hashResult, error) {
	ls, err := lines(r)
	if err != nil {
		return nil, err
	}
	res := &hashResult{rows: map[hashBlock]map[int][4]uint64{}, keys: map[hashBlock][]int{}}
	lock, section := "", ""
	var cur hashBlock
	for _, raw := range ls {
		l := strings.TrimSpace(raw)
		switch {
		case l == "Without locks in the code":
			lock = "nolock"
			continue
		case l == "With locks in the code":
			lock = "lock"
			continue
		case hashSection[l] != "":
			section = hashSection[l]
			if section == "ext" {
				lock = ""
			}
			continue
		case l == "Operations without data":
			cur.data = false
			continue
		case l == "Operations with 8-byte data":
			cur.data = true
			continue
		case l == "Without pre-computed hash values":
			cur.hash = false
			continue
		case l == "With pre-computed hash values":
			cur.hash = true
			continue
		}
		if m := hashFBK.FindStringSubmatch(l); m != nil {
			res.fbk, _ = strconv.ParseFloat(m[1], 64)
			continue
		}
		m := hashRow.FindStringSubmatch(raw)
		if m == nil || section == "" {
			continue
		}
		cur.section = strings.TrimSpace(lock + " " + section)
		var v [4]uint64
		for i := range v {
			v[i], _ = strconv.ParseUint(m[i+2], 10, 64)
		}
		k, _ := strconv.Atoi(m[1])
		if res.rows[cur] == nil {
			res.rows[cur] = map[int][4]uint64{}
			res.blocks = append(res.blocks, cur)
		}
		if _, dup := res.rows[cur][k]; !dup {
			res.keys[cur] = append(res.keys[cur], k)
		}
		res.rows[cur][k] = v
	}
	return res, nil
}

// hashOpTarget returns the largest acceptable ratio for an operation
// (index into hashOps), 0 when informational.
func hashOpTarget(op int) float64 {
	if op == 1 || op == 2 {
		return hashLookupTarget
	}
	return 0
}

// reportHash prints hash_perf_autotest's comparison: per block, one row
// per key size with each operation's DPDK and dpk cycles and ratio, a
// lookup ratio beyond the target marked with "*"; then the FBK line and
// the summary: per operation and section the geometric mean of the
// ratios, the lookups that meet the target and the worst ones.
func reportHash(w io.Writer, dpdk, dpk *hashResult) error {
	fmt.Fprintln(w, "hash_perf_autotest: DPDK 22.11 (dpdk-test) vs dpk (dpk-test), same machine, same run")
	fmt.Fprintf(w, "cycles per operation (lower is better); r = dpk/DPDK; target: Lookup and Lookup_bulk <= %.1f (\"*\" marks a miss), Add and Delete informational\n", hashLookupTarget)
	type cell struct {
		block    hashBlock
		key, op  int
		dpdk     float64
		dpk      float64
		ratio    float64
		targeted bool
		missed   bool
	}
	var cells []cell
	var unpaired []string
	for _, b := range dpdk.blocks {
		if dpk.rows[b] == nil {
			unpaired = append(unpaired, b.String()+": not in dpk's output")
			continue
		}
		fmt.Fprintf(w, "\n== %s ==\n", b)
		fmt.Fprintf(w, "%-7s", "keysize")
		for _, op := range hashOps {
			fmt.Fprintf(w, " | %-23s", op+" DPDK dpk r")
		}
		fmt.Fprintln(w)
		for _, k := range dpdk.keys[b] {
			vb, ok := dpk.rows[b][k]
			if !ok {
				unpaired = append(unpaired, fmt.Sprintf("%s, key size %d: not in dpk's output", b, k))
				continue
			}
			va := dpdk.rows[b][k]
			fmt.Fprintf(w, "%-7d", k)
			for op := range hashOps {
				c := cell{block: b, key: k, op: op, dpdk: float64(va[op]), dpk: float64(vb[op])}
				c.ratio = ratio(c.dpk, c.dpdk)
				mark := " "
				if t := hashOpTarget(op); t > 0 {
					c.targeted, c.missed = true, c.ratio > t
					if c.missed {
						mark = "*"
					}
				}
				cells = append(cells, c)
				fmt.Fprintf(w, " | %6d %6d %5.2f%s   ", va[op], vb[op], c.ratio, mark)
			}
			fmt.Fprintln(w)
		}
	}
	for _, b := range dpk.blocks {
		if dpdk.rows[b] == nil {
			unpaired = append(unpaired, b.String()+": not in DPDK's output")
		}
	}
	var fbk *pair
	if dpdk.fbk > 0 && dpk.fbk > 0 {
		p := pair{e: entry{group: "FBK hash", label: "ticks per lookup"}, dpdk: dpdk.fbk, dpk: dpk.fbk, ratio: ratio(dpk.fbk, dpdk.fbk), hasTarget: true, target: hashLookupTarget}
		p.missed = p.ratio > p.target
		fbk = &p
		printTable(w, []pair{p}, "%9.2f", 24)
	} else if dpdk.fbk > 0 || dpk.fbk > 0 {
		unpaired = append(unpaired, "FBK ticks per lookup: on one side only")
	}
	if len(cells) == 0 && fbk == nil {
		return fmt.Errorf("hash: no figure in common between the outputs")
	}
	for _, u := range unpaired {
		fmt.Fprintf(w, "missing: %s\n", u)
	}

	// Summary: geometric mean per operation, per section and overall.
	var sections []string
	seen := map[string]bool{}
	for _, c := range cells {
		if !seen[c.block.section] {
			seen[c.block.section] = true
			sections = append(sections, c.block.section)
		}
	}
	sections = append(sections, "all")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "geometric mean of dpk/DPDK per operation (over key sizes, data and hash variants):")
	fmt.Fprintf(w, "%-18s", "section")
	for _, op := range hashOps {
		fmt.Fprintf(w, " %11s", op)
	}
	fmt.Fprintln(w)
	for _, s := range sections {
		fmt.Fprintf(w, "%-18s", s)
		for op := range hashOps {
			var logSum float64
			n := 0
			for _, c := range cells {
				if c.op == op && (s == "all" || c.block.section == s) && c.ratio > 0 && !math.IsInf(c.ratio, 0) {
					logSum += math.Log(c.ratio)
					n++
				}
			}
			if n == 0 {
				fmt.Fprintf(w, " %11s", "-")
				continue
			}
			fmt.Fprintf(w, " %11.2f", math.Exp(logSum/float64(n)))
		}
		fmt.Fprintln(w)
	}
	var targeted, met int
	var lookups []cell
	for _, c := range cells {
		if c.targeted {
			targeted++
			if !c.missed {
				met++
			}
			lookups = append(lookups, c)
		}
	}
	if fbk != nil {
		targeted++
		if !fbk.missed {
			met++
		}
	}
	fmt.Fprintf(w, "summary hash: %d figures compared, %d of %d lookup figures meet the target %.1f\n", len(cells)+b2n(fbk != nil), met, targeted, hashLookupTarget)
	sort.SliceStable(lookups, func(i, j int) bool { return lookups[i].ratio > lookups[j].ratio })
	k := min(5, len(lookups))
	fmt.Fprintf(w, "  worst %d lookups:\n", k)
	for _, c := range lookups[:k] {
		fmt.Fprintf(w, "    %5.2f  %s | key size %d | %s (%.0f vs %.0f cycles)\n", c.ratio, c.block, c.key, hashOps[c.op], c.dpk, c.dpdk)
	}
	return nil
}

func b2n(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ACL output.

var (
	aclRulesf = regexp.MustCompile(`^rulesf:(.*)$`)
	aclAlg    = regexp.MustCompile(`^alg:[0-9]+\((.*)\)$`)
	aclSearch = regexp.MustCompile(`^search_ip5tuples +@lcore ([0-9]+): ([0-9]+) iterations, ([0-9]+) pkts, ([0-9]+) categories, ([0-9]+) cycles \(([0-9.]+) sec\), ([0-9.]+) cycles/pkt, ([0-9.]+) pkt/sec$`)
)

// aclRun is one dpdk-test-acl (or dpk-test-acl) run.
type aclRun struct {
	rules  string  // the rule file's base name
	alg    string  // the method's name as given to --alg
	pps    float64 // packets per second, summed over the lcores
	cycles float64 // cycles per packet, mean over the lcores
	lcores int
}

// parseACL reads one dpdk-test-acl output.
func parseACL(r io.Reader) (aclRun, error) {
	ls, err := lines(r)
	if err != nil {
		return aclRun{}, err
	}
	var run aclRun
	for _, l := range ls {
		if m := aclRulesf.FindStringSubmatch(l); m != nil {
			run.rules = filepath.Base(m[1])
			continue
		}
		if m := aclAlg.FindStringSubmatch(l); m != nil {
			run.alg = m[1]
			continue
		}
		if m := aclSearch.FindStringSubmatch(l); m != nil {
			c, _ := strconv.ParseFloat(m[7], 64)
			p, _ := strconv.ParseFloat(m[8], 64)
			run.cycles += c
			run.pps += p
			run.lcores++
		}
	}
	switch {
	case run.rules == "" || run.alg == "":
		return run, fmt.Errorf("no dump_config rulesf/alg lines")
	case run.lcores == 0:
		return run, fmt.Errorf("no search_ip5tuples line")
	}
	run.cycles /= float64(run.lcores)
	return run, nil
}

// reportACL prints, per rule file, dpk's scalar throughput against each of
// DPDK's methods.
func reportACL(w io.Writer, dpdk, dpk []aclRun) error {
	fmt.Fprintln(w, "dpdk-test-acl: DPDK 22.11 vs dpk-test-acl (dpk's scalar method), same trace, same machine, same run")
	fmt.Fprintf(w, "classify throughput in millions of packets per second (higher is better; in brackets, cycles per packet: dpk vs DPDK); ratio = dpk/DPDK; target: >= %.1f of DPDK's scalar method, the other methods informational\n", aclScalarTarget)
	var ps []pair
	var rules []string
	dpkBy := map[string]aclRun{}
	for _, r := range dpk {
		if r.alg != "scalar" {
			fmt.Fprintf(w, "note: dpk run of %s with --alg=%s (dpk runs the scalar method for every name)\n", r.rules, r.alg)
		}
		if _, dup := dpkBy[r.rules]; !dup {
			rules = append(rules, r.rules)
		}
		dpkBy[r.rules] = r
	}
	const labelWidth = 44
	for _, rf := range rules {
		b := dpkBy[rf]
		var best *aclRun
		var group []pair
		for i := range dpdk {
			a := dpdk[i]
			if a.rules != rf {
				continue
			}
			p := pair{e: entry{group: rf, label: fmt.Sprintf("vs DPDK %s (%.1f vs %.1f cyc/pkt)", a.alg, b.cycles, a.cycles)},
				dpdk: a.pps / 1e6, dpk: b.pps / 1e6, ratio: ratio(b.pps, a.pps), higherGood: true}
			if a.alg == "scalar" {
				p.hasTarget, p.target, p.missed = true, aclScalarTarget, p.ratio < aclScalarTarget
			}
			if best == nil || a.pps > best.pps {
				best = &dpdk[i]
			}
			group = append(group, p)
		}
		if best != nil && len(group) > 1 {
			group = append(group, pair{e: entry{group: rf, label: "vs DPDK's best: " + best.alg},
				dpdk: best.pps / 1e6, dpk: b.pps / 1e6, ratio: ratio(b.pps, best.pps), higherGood: true})
		}
		if len(group) == 0 {
			fmt.Fprintf(w, "missing: %s: no DPDK run\n", rf)
			continue
		}
		ps = append(ps, group...)
	}
	if len(ps) == 0 {
		return fmt.Errorf("acl: no rule file run by both tools")
	}
	printTable(w, ps, "%9.2f", labelWidth)
	fmt.Fprintln(w)
	var scalar, best []pair
	for _, p := range ps {
		switch {
		case p.hasTarget:
			scalar = append(scalar, p)
		case strings.HasPrefix(p.e.label, "vs DPDK's best"):
			best = append(best, p)
		}
	}
	aclSummary(w, "vs DPDK's scalar method", scalar)
	aclSummary(w, "vs DPDK's best method (no target)", best)
	return nil
}

// aclSummary prints how many rule files meet the target, the geometric
// mean of the ratios and the lowest one.
func aclSummary(w io.Writer, name string, ps []pair) {
	if len(ps) == 0 {
		return
	}
	met, targeted := 0, 0
	logSum, n := 0.0, 0
	low := ps[0]
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
		if p.ratio < low.ratio {
			low = p
		}
	}
	fmt.Fprintf(w, "summary acl %s: %d rule files", name, len(ps))
	if targeted > 0 {
		fmt.Fprintf(w, ", %d of %d meet the target", met, targeted)
	}
	fmt.Fprintf(w, "; geometric mean ratio %.2f, lowest %.2f (%s)\n", math.Exp(logSum/float64(max(n, 1))), low.ratio, low.e.group)
}

// mainClassify runs one of the classification comparisons; it returns the
// exit status (2: usage error).
func mainClassify(what string, args []string, stdout, stderr io.Writer) int {
	open := func(name string) (io.ReadCloser, bool) {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintf(stderr, "vsdpdk: %v\n", err)
			return nil, false
		}
		return f, true
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "vsdpdk: %v\n", err)
		return 1
	}
	switch what {
	case "acl":
		sep := slices.Index(args, "--")
		if sep < 1 || sep == len(args)-1 {
			return 2
		}
		var sides [2][]aclRun
		for i, names := range [][]string{args[:sep], args[sep+1:]} {
			for _, n := range names {
				f, ok := open(n)
				if !ok {
					return 1
				}
				r, err := parseACL(f)
				f.Close()
				if err != nil {
					return fail(fmt.Errorf("%s: %w", n, err))
				}
				sides[i] = append(sides[i], r)
			}
		}
		if err := reportACL(stdout, sides[0], sides[1]); err != nil {
			return fail(err)
		}
		return 0
	case "hash":
		if len(args) != 2 {
			return 2
		}
		var sides [2]*hashResult
		for i, n := range args {
			f, ok := open(n)
			if !ok {
				return 1
			}
			r, err := parseHash(f)
			f.Close()
			if err != nil {
				return fail(fmt.Errorf("%s: %w", n, err))
			}
			if len(r.blocks) == 0 && r.fbk == 0 {
				return fail(fmt.Errorf("%s: no hash_perf_autotest figures found", n))
			}
			sides[i] = r
		}
		if err := reportHash(stdout, sides[0], sides[1]); err != nil {
			return fail(err)
		}
		return 0
	default:
		if len(args) != 2 {
			return 2
		}
		var sides [2]map[string]routeEntry
		for i, n := range args {
			f, ok := open(n)
			if !ok {
				return 1
			}
			r, err := parseRoute(f)
			f.Close()
			if err != nil {
				return fail(fmt.Errorf("%s: %w", n, err))
			}
			if len(r) == 0 {
				return fail(fmt.Errorf("%s: no %s figures found", n, routeSuites[what].test))
			}
			sides[i] = r
		}
		if err := reportRoute(stdout, what, sides[0], sides[1]); err != nil {
			return fail(err)
		}
		return 0
	}
}
