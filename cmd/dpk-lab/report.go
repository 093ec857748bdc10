package main

import (
	"fmt"
	"html"
	"io"
	"math"
	"os"
	"strings"
	"time"
)

// The HTML report: one self-contained page (inline CSS and SVG, no
// JavaScript, no external resource) that is also well-formed XML, with the
// lab's set-up, a table per run and plots of throughput and latency over
// time, and of Mpps and cycles per packet against burst size for a sweep.

// writeReportFile writes the report to path.
func writeReportFile(path string, res *labResult) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := writeReport(f, res); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

const reportCSS = `body{font-family:sans-serif;margin:2em;color:#222;max-width:60em}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:right}
th{background:#f3f3f3}td.l,th.l{text-align:left}svg{display:block;margin:1em 0}
.note{color:#a33}code{background:#f3f3f3;padding:0 .2em}`

// writeReport writes the report page to w.
func writeReport(w io.Writer, res *labResult) error {
	var b strings.Builder
	e := html.EscapeString
	cfg := res.Config
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>dpk-lab report</title>\n<style>%s</style>\n</head>\n<body>\n", reportCSS)
	fmt.Fprintf(&b, "<h1>dpk-lab: %s</h1>\n", e(res.Driver))
	fmt.Fprintf(&b, "<p>%s</p>\n", e(res.Setup))
	rate := "as fast as possible"
	if cfg.rate > 0 {
		rate = fmt.Sprintf("%d packets/s", cfg.rate)
	}
	fmt.Fprintf(&b, "<p>Started %s. Each run: %v; rate %s; UDP payload %d bytes (frames of %d bytes); %d flow(s); TSC %.3f GHz.</p>\n",
		e(res.Start.Format(time.RFC3339)), cfg.duration, e(rate), cfg.size, cfg.size+udpOverhead, cfg.flows, float64(res.TSCHz)/1e9)
	if res.Interrupted {
		b.WriteString("<p class=\"note\">The lab was interrupted: the last run is shorter.</p>\n")
	}

	b.WriteString("<h2>Runs</h2>\n<table>\n<tr><th>burst</th><th>time s</th><th>sent</th><th>received</th><th>lost</th><th>Mpps</th><th>Mbit/s</th>" +
		"<th>latency min µs</th><th>avg µs</th><th>p99 µs</th><th>max µs</th><th>cycles/packet</th></tr>\n")
	for _, p := range res.Points {
		fmt.Fprintf(&b, "<tr><td>%d</td><td>%.1f</td><td>%d</td><td>%d</td><td>%d (%s)</td><td>%.3f</td><td>%.1f</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%.0f</td></tr>\n",
			p.Burst, p.Elapsed.Seconds(), p.Sent, p.Received, p.Lost, e(pct(p.Lost, p.Sent)), p.RxPps/1e6, p.RxMbps,
			us(p.LatMin), us(p.LatAvg), us(p.LatP99), us(p.LatMax), p.CyclesPerPkt)
	}
	b.WriteString("</table>\n")

	n := len(res.Samples)
	t := make([]float64, n)
	rx, tx, lmin, lavg, lp99 := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	tipRx, tipTx, tipL := make([]string, n), make([]string, n), make([]string, n)
	for i, s := range res.Samples {
		t[i], rx[i], tx[i] = s.T, s.RxMpps, s.TxMpps
		lmin[i], lavg[i], lp99[i] = s.LatMin, s.LatAvg, s.LatP99
		tipRx[i] = fmt.Sprintf("%.1f s: received %.3f Mpps, %.1f Mbit/s, %d missing", s.T, s.RxMpps, s.RxMbps, s.Missing)
		tipTx[i] = fmt.Sprintf("%.1f s: sent %.3f Mpps", s.T, s.TxMpps)
		tipL[i] = fmt.Sprintf("%.1f s: min %s, avg %s, p99 %s µs", s.T, us(s.LatMin), us(s.LatAvg), us(s.LatP99))
	}
	b.WriteString("<h2>Throughput</h2>\n")
	(&plot{title: "throughput over time", xLabel: "time (s)", yLabel: "Mpps", series: []series{
		{name: "received", color: "#1f77b4", x: t, y: rx, tips: tipRx},
		{name: "sent", color: "#ff7f0e", x: t, y: tx, tips: tipTx},
	}}).svg(&b)
	b.WriteString("<h2>One-way latency</h2>\n")
	(&plot{title: "latency over time (log scale)", xLabel: "time (s)", yLabel: "one-way latency", logY: true, yFmt: fmtMicros, series: []series{
		{name: "p99", color: "#d62728", x: t, y: lp99, tips: tipL},
		{name: "avg", color: "#1f77b4", x: t, y: lavg, tips: tipL},
		{name: "min", color: "#2ca02c", x: t, y: lmin, tips: tipL},
	}}).svg(&b)

	if len(res.Points) > 1 {
		m := len(res.Points)
		labels := make([]string, m)
		xs, mpps, cyc := make([]float64, m), make([]float64, m), make([]float64, m)
		tipM, tipC := make([]string, m), make([]string, m)
		for i, p := range res.Points {
			labels[i], xs[i] = fmt.Sprint(p.Burst), float64(i)
			mpps[i], cyc[i] = p.RxPps/1e6, p.CyclesPerPkt
			tipM[i] = fmt.Sprintf("burst %d: %.3f Mpps", p.Burst, mpps[i])
			tipC[i] = fmt.Sprintf("burst %d: %.0f cycles/packet", p.Burst, cyc[i])
		}
		b.WriteString("<h2>Burst sweep</h2>\n<p>Cycles per packet: TSC cycles the forwarding loop spent in polls that moved packets, divided by the packets forwarded (testpmd's --record-core-cycles).</p>\n")
		(&plot{title: "throughput against burst size", xLabel: "burst size", yLabel: "Mpps", xCats: labels, series: []series{
			{name: "received", color: "#1f77b4", x: xs, y: mpps, tips: tipM}}}).svg(&b)
		(&plot{title: "forwarding cost against burst size", xLabel: "burst size", yLabel: "cycles/packet", xCats: labels, series: []series{
			{name: "cycles/packet", color: "#9467bd", x: xs, y: cyc, tips: tipC}}}).svg(&b)
	}
	b.WriteString("<p>Made by <code>dpk-lab</code>.</p>\n</body>\n</html>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// series is one line of a plot.
type series struct {
	name, color string
	x, y        []float64
	tips        []string // a tooltip per point
}

// plot is a line chart rendered as inline SVG.
type plot struct {
	title, xLabel, yLabel string
	series                []series
	logY                  bool
	yFmt                  func(float64) string // tick labels; nil: plain numbers
	xCats                 []string             // category labels at x = 0, 1, ...; nil for a numeric x axis
}

const (
	plotW, plotH           = 720, 300
	padL, padR, padT, padB = 70, 110, 30, 45
	innerW, innerH         = plotW - padL - padR, plotH - padT - padB
)

// niceTicks returns about n round tick values covering [lo, hi].
func niceTicks(lo, hi float64, n int) []float64 {
	if hi <= lo {
		hi = lo + 1
	}
	raw := (hi - lo) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, f := range []float64{1, 2, 5, 10} {
		if f*mag >= raw {
			step = f * mag
			break
		}
	}
	// From the last tick at or below lo to the first at or above hi.
	start := math.Floor(lo/step) * step
	var out []float64
	for i := 0; i < 1000; i++ {
		v := start + float64(i)*step
		out = append(out, v)
		if v >= hi-step*1e-9 {
			break
		}
	}
	return out
}

// fmtMicros labels a time in µs with a fitting unit.
func fmtMicros(v float64) string {
	switch {
	case v >= 1e6:
		return fmtTick(v/1e6) + " s"
	case v >= 1e3:
		return fmtTick(v/1e3) + " ms"
	case v >= 1:
		return fmtTick(v) + " µs"
	}
	return fmtTick(v*1e3) + " ns"
}

func fmtTick(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e9 {
		return fmt.Sprintf("%.0f", v)
	}
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.3f", v), "0"), ".")
}

// svg renders the plot into b.
func (p *plot) svg(b *strings.Builder) {
	e := html.EscapeString
	// Data ranges.
	xlo, xhi := math.Inf(1), math.Inf(-1)
	ylo, yhi := math.Inf(1), math.Inf(-1)
	valid := func(y float64) bool { return !math.IsNaN(y) && !math.IsInf(y, 0) && (!p.logY || y > 0) }
	for _, s := range p.series {
		for i := range s.x {
			xlo, xhi = math.Min(xlo, s.x[i]), math.Max(xhi, s.x[i])
			if valid(s.y[i]) {
				ylo, yhi = math.Min(ylo, s.y[i]), math.Max(yhi, s.y[i])
			}
		}
	}
	if p.xCats != nil {
		xlo, xhi = -0.5, float64(len(p.xCats))-0.5
	}
	if math.IsInf(xlo, 0) {
		xlo, xhi = 0, 1
	}
	if p.xCats == nil {
		xlo = math.Min(0, xlo)
	}
	if xhi <= xlo {
		xhi = xlo + 1
	}
	var yTicks []float64
	if p.logY {
		if math.IsInf(ylo, 0) {
			ylo, yhi = 1, 10
		}
		ylo, yhi = math.Pow(10, math.Floor(math.Log10(ylo))), math.Pow(10, math.Ceil(math.Log10(yhi)))
		if yhi <= ylo {
			yhi = ylo * 10
		}
		for v := ylo; v <= yhi*1.001; v *= 10 {
			yTicks = append(yTicks, v)
		}
	} else {
		if math.IsInf(ylo, 0) {
			ylo, yhi = 0, 1
		}
		ylo = math.Min(0, ylo)
		yTicks = niceTicks(ylo, yhi*1.05, 5)
		yhi = yTicks[len(yTicks)-1]
		if yhi <= ylo {
			yhi = ylo + 1
		}
	}
	px := func(x float64) float64 { return padL + (x-xlo)/(xhi-xlo)*innerW }
	py := func(y float64) float64 {
		if p.logY {
			return padT + innerH - (math.Log10(y)-math.Log10(ylo))/(math.Log10(yhi)-math.Log10(ylo))*innerH
		}
		return padT + innerH - (y-ylo)/(yhi-ylo)*innerH
	}

	fmt.Fprintf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">\n", plotW, plotH, plotW, plotH)
	fmt.Fprintf(b, "<title>%s</title>\n", e(p.title))
	fmt.Fprintf(b, "<text x=\"%d\" y=\"18\" font-size=\"13\">%s</text>\n", padL, e(p.title))
	// Grid and y ticks.
	for _, v := range yTicks {
		y := py(v)
		fmt.Fprintf(b, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>\n", padL, y, padL+innerW, y)
		label := fmtTick(v)
		if p.yFmt != nil {
			label = p.yFmt(v)
		}
		fmt.Fprintf(b, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", padL-6, y+4, e(label))
	}
	// X ticks.
	if p.xCats != nil {
		for i, c := range p.xCats {
			x := px(float64(i))
			fmt.Fprintf(b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", x, padT+innerH+16, e(c))
		}
	} else {
		for _, v := range niceTicks(xlo, xhi, 8) {
			if v < xlo-1e-9 || v > xhi+1e-9 {
				continue
			}
			x := px(v)
			fmt.Fprintf(b, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#999\"/>\n", x, padT+innerH, x, padT+innerH+4)
			fmt.Fprintf(b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", x, padT+innerH+16, e(fmtTick(v)))
		}
	}
	// Axes and labels.
	fmt.Fprintf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>\n", padL, padT, innerW, innerH)
	fmt.Fprintf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", padL+innerW/2, plotH-8, e(p.xLabel))
	fmt.Fprintf(b, "<text x=\"16\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 16 %d)\">%s</text>\n", padT+innerH/2, padT+innerH/2, e(p.yLabel))
	// Series: a polyline per unbroken stretch, and a circle per point.
	for si, s := range p.series {
		var pts []string
		flush := func() {
			if len(pts) > 1 {
				fmt.Fprintf(b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"%s\"/>\n", s.color, strings.Join(pts, " "))
			}
			pts = pts[:0]
		}
		for i := range s.x {
			if !valid(s.y[i]) {
				flush()
				continue
			}
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(s.x[i]), py(s.y[i])))
		}
		flush()
		for i := range s.x {
			if !valid(s.y[i]) {
				continue
			}
			tip := ""
			if i < len(s.tips) {
				tip = s.tips[i]
			}
			fmt.Fprintf(b, "<circle class=\"pt\" data-series=\"%s\" data-x=\"%g\" data-y=\"%g\" cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"><title>%s</title></circle>\n",
				e(s.name), s.x[i], s.y[i], px(s.x[i]), py(s.y[i]), s.color, e(tip))
		}
		ly := padT + 10 + 16*si
		fmt.Fprintf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>\n", padL+innerW+10, ly, padL+innerW+28, ly, s.color)
		fmt.Fprintf(b, "<text x=\"%d\" y=\"%d\">%s</text>\n", padL+innerW+32, ly+4, e(s.name))
	}
	b.WriteString("</svg>\n")
}
