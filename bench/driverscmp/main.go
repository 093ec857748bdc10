// Command driverscmp prints the kernel-driver table of bench/drivers.sh:
// dpdk-testpmd against dpk-testpmd on net_af_packet, net_af_xdp and
// net_tap, with the ratio dpk/DPDK of Mpps and the target 1.0.
//
//	driverscmp [-load "L1 L5 L15"] [-seconds N] ROWS.tsv
//
// ROWS.tsv has one line per fact, tab-separated: LABEL SIDE KIND VALUE,
// with SIDE "dpdk" or "dpk" and KIND one of
//
//	rx FILE    the row's figure: Rx-pps summed over the ports (a sink)
//	fwd FILE   the row's figure: Tx-pps summed over the ports (a forwarder)
//	tx FILE    listed, no target: Tx-pps of the sender or generator
//	gc FILE    a dpk process's standard error with GODEBUG=gctrace=1 lines
//	load TEXT  the load average when the window started
//	fail TEXT  the run failed: the row shows n/a and TEXT
//
// FILE is a testpmd output with --stats-period=1 into which drivers.sh
// wrote the lines "drivers.sh: window start t=..." and "drivers.sh: window
// end t=...": a rate is the mean over the "Port statistics" blocks whose
// header lies between the two, and the GC count is that of the gctrace
// lines between them. Rows are printed in the order of their first line.
//
// The exit status is 0 when the table was printed (targets met or not), 1
// when ROWS.tsv or a file it names cannot be read or has no window, 2 on
// a usage error.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// target is the smallest acceptable ratio dpk/DPDK of Mpps.
const target = 1.0

const (
	markStart = "drivers.sh: window start"
	markEnd   = "drivers.sh: window end"
)

// rates is what the blocks inside a window say.
type rates struct {
	rx, tx []float64 // per block, summed over the ports, packets/s
}

// port is one port's part of a statistics block.
type port struct {
	rx, tx       float64
	hasRx, hasTx bool
}

// parseWindow reads the --stats-period blocks of a testpmd output that lie
// inside its window. A block counts when each of its ports has both rates
// and it has as many ports as the output's largest block.
func parseWindow(text string) (rates, error) {
	type block struct {
		ports    []port
		inWindow bool
	}
	var (
		blocks          []block
		in, seenS, seen bool
		maxPorts        int
	)
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		trim := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, markStart):
			in, seenS = true, true
		case strings.HasPrefix(line, markEnd):
			in, seen = false, seenS
		case strings.HasPrefix(line, "Port statistics ="):
			blocks = append(blocks, block{inWindow: in})
		case strings.Contains(line, "NIC statistics for port "):
			if len(blocks) > 0 {
				b := &blocks[len(blocks)-1]
				b.ports = append(b.ports, port{})
				maxPorts = max(maxPorts, len(b.ports))
			}
		case strings.HasPrefix(trim, "Rx-pps:"), strings.HasPrefix(trim, "Tx-pps:"):
			if len(blocks) == 0 || len(blocks[len(blocks)-1].ports) == 0 {
				continue
			}
			b := &blocks[len(blocks)-1]
			p := &b.ports[len(b.ports)-1]
			f := strings.Fields(trim)
			if len(f) < 2 {
				continue
			}
			v, err := strconv.ParseFloat(f[1], 64)
			if err != nil {
				continue
			}
			if f[0] == "Rx-pps:" {
				p.rx, p.hasRx = v, true
			} else {
				p.tx, p.hasTx = v, true
			}
		}
	}
	if err := sc.Err(); err != nil {
		return rates{}, err
	}
	if !seen {
		return rates{}, errors.New("no complete measurement window (drivers.sh: window start/end lines)")
	}
	var r rates
	for _, b := range blocks {
		if !b.inWindow || len(b.ports) != maxPorts {
			continue
		}
		var rx, tx float64
		ok := true
		for _, p := range b.ports {
			ok = ok && p.hasRx && p.hasTx
			rx += p.rx
			tx += p.tx
		}
		if ok {
			r.rx = append(r.rx, rx)
			r.tx = append(r.tx, tx)
		}
	}
	if len(r.rx) == 0 {
		return r, fmt.Errorf("no complete \"Port statistics\" block printed inside the window (%d blocks in all): "+
			"the process's main lcore printed nothing while it lasted (starved of CPU?)", len(blocks))
	}
	return r, nil
}

// gcInWindow counts the gctrace lines ("gc N @...") inside the window.
func gcInWindow(text string) (int, error) {
	n := 0
	in, seen := false, false
	for _, line := range strings.Split(text, "\n") {
		switch {
		case strings.HasPrefix(line, markStart):
			in = true
		case strings.HasPrefix(line, markEnd):
			in, seen = false, true
		case in && isGCLine(line):
			n++
		}
	}
	if !seen {
		return 0, errors.New("no complete measurement window")
	}
	return n, nil
}

// isGCLine reports whether line is a GODEBUG=gctrace=1 line: "gc 12 @3.4s ...".
func isGCLine(line string) bool {
	f := strings.Fields(line)
	if len(f) < 3 || f[0] != "gc" || !strings.HasPrefix(f[2], "@") {
		return false
	}
	_, err := strconv.Atoi(f[1])
	return err == nil
}

// side is one tool's run of a row.
type side struct {
	fig     []float64 // the figure per block, packets/s
	figKind string    // "rx" or "fwd"
	sender  []float64 // the sender's or generator's Tx-pps per block
	gc      []int     // GC cycles in the window, per dpk process
	load    string
	fail    string
}

func (s *side) ok() bool { return s.fail == "" && len(s.fig) > 0 }

type row struct {
	label     string
	dpdk, dpk side
}

// readSpec reads ROWS.tsv and the files it names.
func readSpec(r io.Reader) ([]*row, error) {
	var rows []*row
	byLabel := map[string]*row{}
	sc := bufio.NewScanner(r)
	for ln := 1; sc.Scan(); ln++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		f := strings.SplitN(sc.Text(), "\t", 4)
		if len(f) != 4 {
			return nil, fmt.Errorf("line %d: want LABEL, SIDE, KIND and VALUE separated by tabs", ln)
		}
		label, sideName, kind, value := f[0], f[1], f[2], f[3]
		rw := byLabel[label]
		if rw == nil {
			rw = &row{label: label}
			byLabel[label] = rw
			rows = append(rows, rw)
		}
		var s *side
		switch sideName {
		case "dpdk":
			s = &rw.dpdk
		case "dpk":
			s = &rw.dpk
		default:
			return nil, fmt.Errorf("line %d: side %q: want dpdk or dpk", ln, sideName)
		}
		switch kind {
		case "load":
			s.load = value
		case "fail":
			s.fail = value
		case "rx", "fwd", "tx":
			b, err := os.ReadFile(value)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", ln, err)
			}
			rt, err := parseWindow(string(b))
			if err != nil {
				if kind == "tx" {
					continue // the listed sender rate is optional
				}
				s.fail = fmt.Sprintf("%s: %v", value, err)
				continue
			}
			switch kind {
			case "rx":
				s.fig, s.figKind = rt.rx, kind
			case "fwd":
				s.fig, s.figKind = rt.tx, kind
			default:
				s.sender = rt.tx
			}
		case "gc":
			b, err := os.ReadFile(value)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", ln, err)
			}
			n, err := gcInWindow(string(b))
			if err != nil {
				return nil, fmt.Errorf("line %d: %s: %w", ln, value, err)
			}
			s.gc = append(s.gc, n)
		default:
			return nil, fmt.Errorf("line %d: kind %q: want rx, fwd, tx, gc, load or fail", ln, kind)
		}
	}
	return rows, sc.Err()
}

func mean(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
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

func mpps(s *side) string {
	if !s.ok() {
		return "n/a"
	}
	return fmt.Sprintf("%.3f", mean(s.fig)/1e6)
}

// report prints the table, the details of each run and the summary.
func report(w io.Writer, rows []*row, load string, secs int) {
	fmt.Fprintln(w, "kernel drivers: DPDK 22.11 (dpdk-testpmd) vs dpk (dpk-testpmd), same machine, one after the other")
	if secs > 0 {
		fmt.Fprintf(w, "Mpps = mean of the --stats-period=1 blocks inside each run's %d-second window; ratio = dpk/DPDK, higher is better\n", secs)
	}
	if load != "" {
		fmt.Fprintf(w, "load average at start: %s\n", load)
	}
	fmt.Fprintln(w)
	lw := len("row")
	for _, r := range rows {
		lw = max(lw, len(r.label))
	}
	fmt.Fprintf(w, "%-*s %10s %10s %7s %7s  %s\n", lw, "row", "DPDK Mpps", "dpk Mpps", "ratio", "target", "result")
	compared, met := 0, 0
	logSum := 0.0
	for _, r := range rows {
		ratio, result := "n/a", "n/a"
		if r.dpdk.ok() && r.dpk.ok() {
			x := mean(r.dpk.fig) / mean(r.dpdk.fig)
			ratio = fmt.Sprintf("%.2f", x)
			compared++
			if x > 0 {
				logSum += math.Log(x)
			}
			if x >= target {
				met++
				result = "met"
			} else {
				result = "missed"
			}
		} else {
			var why []string
			for _, s := range []struct {
				name string
				s    *side
			}{{"DPDK", &r.dpdk}, {"dpk", &r.dpk}} {
				if !s.s.ok() {
					msg := s.s.fail
					if msg == "" {
						msg = "no measurement"
					}
					why = append(why, s.name+": "+msg)
				}
			}
			result = "n/a (" + strings.Join(why, "; ") + ")"
		}
		fmt.Fprintf(w, "%-*s %10s %10s %7s %7.1f  %s\n", lw, r.label, mpps(&r.dpdk), mpps(&r.dpk), ratio, target, result)
	}
	fmt.Fprintln(w)
	for _, r := range rows {
		for _, s := range []struct {
			name string
			s    *side
		}{{"DPDK", &r.dpdk}, {"dpk ", &r.dpk}} {
			fmt.Fprintf(w, "  %s, %s: %s\n", r.label, s.name, details(s.s))
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "summary drivers: %d of %d rows compared, %d meet the target %.1f", compared, len(rows), met, target)
	if compared > 0 {
		fmt.Fprintf(w, "; geometric mean ratio %.2f", math.Exp(logSum/float64(compared)))
	}
	fmt.Fprintln(w)
}

// details is the line about one run: the figure's spread, the sender, the
// load and, for dpk, the GC cycles in the window.
func details(s *side) string {
	if !s.ok() {
		if s.fail != "" {
			return "failed: " + s.fail
		}
		return "not run"
	}
	what := "sink Rx"
	if s.figKind == "fwd" {
		what = "forwarded (Tx)"
	}
	lo, hi := minMax(s.fig)
	d := fmt.Sprintf("%s %.3f Mpps over %d periods (min %.3f, max %.3f)", what, mean(s.fig)/1e6, len(s.fig), lo/1e6, hi/1e6)
	if len(s.sender) > 0 {
		who := "sender"
		if s.figKind == "fwd" {
			who = "generator"
		}
		d += fmt.Sprintf("; %s Tx %.3f Mpps", who, mean(s.sender)/1e6)
	}
	if s.load != "" {
		d += "; load " + s.load
	}
	if len(s.gc) > 0 {
		var g []string
		total := 0
		for _, n := range s.gc {
			g = append(g, strconv.Itoa(n))
			total += n
		}
		d += "; GC cycles in the window: " + strings.Join(g, "+")
		if total == 0 {
			d += " (no allocation in steady state)"
		}
	}
	return d
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("driverscmp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	load := fs.String("load", "", "the load average at the start, printed above the table")
	secs := fs.Int("seconds", 0, "the window's length, printed above the table")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: driverscmp [-load TEXT] [-seconds N] ROWS.tsv")
		return 2
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "driverscmp: %v\n", err)
		return 1
	}
	defer f.Close()
	rows, err := readSpec(f)
	if err != nil {
		fmt.Fprintf(stderr, "driverscmp: %s: %v\n", fs.Arg(0), err)
		return 1
	}
	if len(rows) == 0 {
		fmt.Fprintf(stderr, "driverscmp: %s: no rows\n", fs.Arg(0))
		return 1
	}
	report(stdout, rows, *load, *secs)
	return 0
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
