package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"
)

// display prints the live view: on a terminal one line rewritten in place
// each second with a progress bar, otherwise one plain line per second.
type display struct {
	w        io.Writer
	tty      bool
	cols     int // terminal width, 0 if unknown
	dur      time.Duration
	lineOpen bool
}

func newDisplay(w io.Writer, tty bool) *display {
	d := &display{w: w, tty: tty}
	if f, ok := w.(*os.File); ok && tty {
		d.cols, _, _ = term.GetSize(int(f.Fd()))
	}
	return d
}

// begin starts a run.
func (d *display) begin(dur time.Duration, burst int, sweep bool) {
	d.dur = dur
	if sweep {
		fmt.Fprintf(d.w, "burst %d:\n", burst)
	}
	fmt.Fprintf(d.w, "%6s  %9s  %9s  %8s  %17s  %8s %8s %8s  %8s\n",
		"time", "sent Mpps", "recv Mpps", "Mbit/s", "lost (gaps)", "lat min", "avg", "p99 us", "cyc/pkt")
}

// pct is a ratio as a percentage with a sensible number of digits.
func pct(part, whole uint64) string {
	if whole == 0 {
		return "0%"
	}
	return fmt.Sprintf("%.3g%%", 100*float64(part)/float64(whole))
}

// us formats microseconds.
func us(v float64) string {
	switch {
	case v == 0:
		return "-"
	case v < 10:
		return fmt.Sprintf("%.2f", v)
	case v < 1000:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.0f", v)
}

// sample shows one second.
func (d *display) sample(elapsed time.Duration, s *sample, c counts) {
	line := fmt.Sprintf("%5.1fs  %9.3f  %9.3f  %8.1f  %9d %-7s  %8s %8s %8s  %8.0f",
		elapsed.Seconds(), s.TxMpps, s.RxMpps, s.RxMbps, s.Missing, "("+pct(s.Missing, c.recv+s.Missing)+")",
		us(s.LatMin), us(s.LatAvg), us(s.LatP99), s.Cycles)
	if !d.tty {
		fmt.Fprintln(d.w, line)
		return
	}
	const width = 10
	done := 0
	if d.dur > 0 {
		done = min(width, int(float64(width)*elapsed.Seconds()/d.dur.Seconds()+0.5))
	}
	out := fmt.Sprintf("%s [%s%s]", line, strings.Repeat("#", done), strings.Repeat(".", width-done))
	if d.cols > 0 && len(out) >= d.cols {
		out = out[:d.cols-1]
	}
	fmt.Fprintf(d.w, "\r\033[K%s", out)
	d.lineOpen = true
}

// end finishes the live line of a run.
func (d *display) end() {
	if d.lineOpen {
		fmt.Fprintln(d.w)
		d.lineOpen = false
	}
}

// point prints a run's summary.
func (d *display) point(p *pointResult, nw network, sweep bool) {
	a, b := nw.portIDs()
	fmt.Fprintf(d.w, "\n--- burst %d, %.1f s: sent %d, received %d, lost %d (%s)", p.Burst, p.Elapsed.Seconds(), p.Sent, p.Received, p.Lost, pct(p.Lost, p.Sent))
	if p.Reordered > 0 {
		fmt.Fprintf(d.w, ", reordered %d", p.Reordered)
	}
	fmt.Fprintln(d.w)
	fmt.Fprintf(d.w, "    throughput  %.3f Mpps, %.1f Mbit/s received (%.3f Mpps sent)\n", p.RxPps/1e6, p.RxMbps, p.TxPps/1e6)
	fmt.Fprintf(d.w, "    latency     one-way, us: min %s  avg %s  p99 %s  max %s\n", us(p.LatMin), us(p.LatAvg), us(p.LatP99), us(p.LatMax))
	fmt.Fprintf(d.w, "    forwarder   %d packets, %d dropped, %.0f TSC cycles/packet\n", p.Forwarded, p.FwdDropped, p.CyclesPerPkt)
	fmt.Fprintf(d.w, "    port %d      rx %d (missed %d, errors %d)  tx %d (errors %d)\n", a, p.PortA.IPackets, p.PortA.IMissed, p.PortA.IErrors, p.PortA.OPackets, p.PortA.OErrors)
	fmt.Fprintf(d.w, "    port %d      rx %d (missed %d, errors %d)  tx %d (errors %d)\n", b, p.PortB.IPackets, p.PortB.IMissed, p.PortB.IErrors, p.PortB.OPackets, p.PortB.OErrors)
	if sweep {
		fmt.Fprintln(d.w)
	}
}

// sweepTable prints the burst sweep.
func (d *display) sweepTable(ps []pointResult) {
	fmt.Fprintf(d.w, "\nburst sweep:\n%6s  %8s  %11s  %10s  %9s\n", "burst", "Mpps", "cycles/pkt", "lost", "p99 us")
	for _, p := range ps {
		fmt.Fprintf(d.w, "%6d  %8.3f  %11.0f  %10d  %9s\n", p.Burst, p.RxPps/1e6, p.CyclesPerPkt, p.Lost, us(p.LatP99))
	}
}
