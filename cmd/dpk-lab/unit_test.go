package main

import (
	"bytes"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestHistBuckets(t *testing.T) {
	prev := -1
	for _, v := range []uint64{0, 1, 15, 16, 17, 31, 32, 33, 1000, 1023, 1024, 123456789, 1 << 40, 1<<41 + 5, math.MaxUint64} {
		i := bucketOf(v)
		if i < prev || i >= histBuckets {
			t.Fatalf("bucketOf(%d) = %d (previous %d, %d buckets)", v, i, prev, histBuckets)
		}
		prev = i
		if i == histBuckets-1 {
			continue
		}
		hi := bucketHigh(i)
		if hi < v {
			t.Errorf("bucketHigh(bucketOf(%d)) = %d, below the value", v, hi)
		}
		if v >= histSub && float64(hi-v) > float64(v)/histSub {
			t.Errorf("bucket of %d reaches %d: wider than 1/%d of the value", v, hi, histSub)
		}
		if i > 0 && bucketHigh(i-1) >= v {
			t.Errorf("bucket %d below %d's reaches %d", i-1, v, bucketHigh(i-1))
		}
	}
}

func TestHistQuantiles(t *testing.T) {
	var h hist
	if h.Quantile(0.99) != 0 || h.Mean() != 0 {
		t.Fatal("empty histogram has values")
	}
	for v := uint64(1); v <= 10000; v++ {
		h.Add(v * 1000) // 1 µs .. 10 ms
	}
	if h.Count() != 10000 || h.Min() != 1000 || h.Max() != 10_000_000 {
		t.Fatalf("count %d min %d max %d", h.Count(), h.Min(), h.Max())
	}
	if m := h.Mean(); math.Abs(m-5_000_500) > 1 {
		t.Errorf("mean %f, want 5000500", m)
	}
	for _, c := range []struct {
		q    float64
		want float64
	}{{0.5, 5e6}, {0.99, 9.9e6}, {1, 1e7}} {
		got := float64(h.Quantile(c.q))
		if got < c.want || got > c.want*(1+1.0/histSub) {
			t.Errorf("quantile %v = %v, want %v (+%d%%)", c.q, got, c.want, 100/histSub)
		}
	}
	var o hist
	o.Add(7)
	h.Merge(&o)
	if h.Min() != 7 || h.Count() != 10001 {
		t.Errorf("after merge: min %d count %d", h.Min(), h.Count())
	}
	h.Reset()
	if h.Count() != 0 || h.Max() != 0 {
		t.Error("reset histogram has values")
	}
}

func TestPayload(t *testing.T) {
	b := make([]byte, 64)
	putPayload(b, 3, 1<<40+5, 987654321)
	point, seq, stamp, ok := parsePayload(b)
	if !ok || point != 3 || seq != 1<<40+5 || stamp != 987654321 {
		t.Fatalf("parsed %d %d %d %v", point, seq, stamp, ok)
	}
	if _, _, _, ok := parsePayload(b[:payloadHdr-1]); ok {
		t.Error("short payload parsed")
	}
	b[0] ^= 1
	if _, _, _, ok := parsePayload(b); ok {
		t.Error("payload without the magic parsed")
	}
}

func TestMeterLoss(t *testing.T) {
	m := &meter{}
	m.sent.Store(10)
	m.mu.Lock()
	for _, seq := range []uint64{0, 1, 2, 5, 6, 4} { // 3 lost, 4 late
		m.add(seq, 1000, 100)
	}
	m.mu.Unlock()
	var iv hist
	c := m.snapshot(&iv)
	if c.recv != 6 || c.missing != 1 || c.reordered != 1 || c.bytes != 600 || iv.Count() != 6 {
		t.Errorf("counts %+v, interval %d values", c, iv.Count())
	}
	if m.snapshot(&iv); iv.Count() != 0 {
		t.Error("the interval histogram was not reset")
	}
	var all hist
	if m.totals(&all); all.Count() != 6 {
		t.Errorf("total histogram has %d values", all.Count())
	}
}

func TestArgs(t *testing.T) {
	e, a := splitArgs([]string{"-l", "0-1", "--", "--duration", "1s"})
	if !slices.Equal(e, []string{"-l", "0-1"}) || !slices.Equal(a, []string{"--duration", "1s"}) {
		t.Errorf("split: %q %q", e, a)
	}
	if e, a := splitArgs([]string{"--rate", "5"}); e != nil || len(a) != 2 {
		t.Errorf("without --: %q %q", e, a)
	}

	def := defaultEALArgs(nil)
	for _, want := range []string{"--lcores", "--file-prefix"} {
		if !slices.Contains(def, want) {
			t.Errorf("defaults %q lack %s", def, want)
		}
	}
	over := defaultEALArgs([]string{"-l0", "--file-prefix=x", "--no-huge"})
	if slices.Contains(over, "--lcores") || slices.Contains(over, "--file-prefix") || slices.Contains(over, "--no-huge") {
		t.Errorf("defaults %q override the user's options", over)
	}

	var stderr bytes.Buffer
	cfg, err := parseAppArgs([]string{"--duration", "2s", "--rate", "0", "--size", "100", "--flows", "3", "--driver", "ring", "--burst", "16", "--sweep-burst", "1, 8,64"}, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.duration != 2*time.Second || cfg.rate != 0 || cfg.size != 100 || cfg.flows != 3 || cfg.driver != "ring" || cfg.burst != 16 || !slices.Equal(cfg.sweep, []int{1, 8, 64}) {
		t.Errorf("parsed %+v", cfg)
	}
	if cfg, _ := parseAppArgs(nil, &stderr); cfg.driver != "af_xdp" || cfg.rate != defaultRate || cfg.burst != 32 || cfg.duration != 10*time.Second {
		t.Errorf("defaults %+v", cfg)
	}
	for _, bad := range [][]string{
		{"--size", "10"}, {"--size", "2000"}, {"--flows", "0"}, {"--burst", "0"}, {"--burst", "513"},
		{"--duration", "0s"}, {"--driver", "pcap"}, {"--sweep-burst", "1,x"}, {"--sweep-burst", "0"}, {"stray"}, {"--nope"},
	} {
		if _, err := parseAppArgs(bad, &stderr); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestChooseDriver(t *testing.T) {
	var log bytes.Buffer
	if d := chooseDriver("af_packet", false, true, &log); d != "ring" || !strings.Contains(log.String(), "dpk-lab: not root: running the same lab over net_ring inside one process") {
		t.Errorf("not root: %q, log %q", d, log.String())
	}
	log.Reset()
	if d := chooseDriver("tap", true, false, &log); d != "ring" || !strings.Contains(log.String(), "iproute2") {
		t.Errorf("no ip: %q, log %q", d, log.String())
	}
	log.Reset()
	if d := chooseDriver("af_packet", true, true, &log); d != "af_packet" || log.Len() != 0 {
		t.Errorf("root: %q, log %q", d, log.String())
	}

	for _, d := range []string{"af_xdp", "tap"} {
		log.Reset()
		got, err := resolveDriver(d, &log)
		if err != nil {
			t.Fatal(err)
		}
		if driverRegistered(kernelDrivers[d].vdev) {
			if got != d {
				t.Errorf("resolveDriver(%s) = %s with the driver registered", d, got)
			}
			continue
		}
		if got != "af_packet" || !strings.Contains(log.String(), "falling back to net_af_packet") {
			t.Errorf("resolveDriver(%s) = %s, log %q", d, got, log.String())
		}
	}
	if got, _ := resolveDriver("af_packet", &log); got != "af_packet" {
		t.Errorf("af_packet resolved to %s", got)
	}
	if _, err := resolveDriver("pcap", &log); err == nil {
		t.Error("unknown driver resolved")
	}
}

func TestNiceTicks(t *testing.T) {
	for _, c := range []struct{ lo, hi float64 }{{0, 0.1218}, {0, 1}, {0, 7.3}, {0.5, 3.3}, {0, 123456}, {2, 2}} {
		ticks := niceTicks(c.lo, c.hi, 5)
		if len(ticks) < 2 || ticks[0] > c.lo || ticks[len(ticks)-1] < c.hi || len(ticks) > 12 {
			t.Errorf("niceTicks(%v, %v) = %v: does not cover the range", c.lo, c.hi, ticks)
		}
	}
}

func TestPlotInside(t *testing.T) {
	var b strings.Builder
	(&plot{title: "t", xCats: []string{"1", "32"}, series: []series{{name: "s", x: []float64{0, 1}, y: []float64{0.0701, 0.1159}}}}).svg(&b)
	(&plot{title: "t", logY: true, yFmt: fmtMicros, series: []series{{name: "l", x: []float64{1, 2, 3}, y: []float64{3.1, 0, 1448779}}}}).svg(&b)
	// Every point lies inside the plot area.
	pts := regexp.MustCompile(`<circle [^>]*cx="([-0-9.]+)" cy="([-0-9.]+)"`).FindAllStringSubmatch(b.String(), -1)
	for _, m := range pts {
		cx, _ := strconv.ParseFloat(m[1], 64)
		cy, _ := strconv.ParseFloat(m[2], 64)
		if cx < padL || cx > padL+innerW || cy < padT || cy > padT+innerH {
			t.Errorf("point at (%v, %v) outside the plot", cx, cy)
		}
	}
	if n := len(pts); n != 4 {
		t.Errorf("%d points drawn, want 4 (a zero latency is not drawn on a log scale)", n)
	}
}
