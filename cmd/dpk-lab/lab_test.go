package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"dpk/eal"
	"dpk/ethdev"
	"dpk/internal/testutil"
	"dpk/mbuf"
)

// syncBuf is a bytes.Buffer safe for a writer and a reader in two goroutines.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// reportStats parses an HTML report as XML and returns the number of <svg>
// elements and the data-y values of the plotted points, by series.
func reportStats(t *testing.T, page []byte) (svgs int, points map[string][]float64) {
	t.Helper()
	points = map[string][]float64{}
	d := xml.NewDecoder(bytes.NewReader(page))
	d.Strict = true
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("report is not well-formed: %v", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "svg":
			svgs++
		case "circle":
			var series, y string
			for _, a := range se.Attr {
				switch a.Name.Local {
				case "data-series":
					series = a.Value
				case "data-y":
					y = a.Value
				}
			}
			v, err := strconv.ParseFloat(y, 64)
			if err != nil {
				t.Fatalf("point of %q has data-y %q", series, y)
			}
			points[series] = append(points[series], v)
		case "script":
			t.Error("report has a script")
		}
	}
	return svgs, points
}

// checkPoint checks a run's counters and latencies for a lossless run.
func checkPoint(t *testing.T, p pointResult) {
	t.Helper()
	t.Logf("burst %d: sent %d received %d lost %d, %.3f Mpps, %.0f cycles/packet, latency us min %.1f avg %.1f p99 %.1f max %.1f",
		p.Burst, p.Sent, p.Received, p.Lost, p.RxPps/1e6, p.CyclesPerPkt, p.LatMin, p.LatAvg, p.LatP99, p.LatMax)
	if p.Sent == 0 || p.Received != p.Sent || p.Lost != 0 || p.Reordered != 0 || p.Foreign != 0 {
		t.Errorf("sent %d, received %d, lost %d, reordered %d, foreign %d", p.Sent, p.Received, p.Lost, p.Reordered, p.Foreign)
	}
	if p.Forwarded != p.Received || p.FwdDropped != 0 || p.PortA.IPackets != p.Sent || p.PortB.OPackets != p.Received {
		t.Errorf("forwarded %d (dropped %d), port A in %d, port B out %d", p.Forwarded, p.FwdDropped, p.PortA.IPackets, p.PortB.OPackets)
	}
	if !(0 < p.LatMin && p.LatMin <= p.LatAvg && p.LatAvg <= p.LatMax && p.LatMin <= p.LatP99 && p.LatP99 <= p.LatMax && p.LatMax < 10e6) {
		t.Errorf("latency min %v avg %v p99 %v max %v µs", p.LatMin, p.LatAvg, p.LatP99, p.LatMax)
	}
	if p.CyclesPerPkt <= 0 {
		t.Errorf("cycles per packet %v", p.CyclesPerPkt)
	}
}

// TestRingLab runs the lab without namespaces for a second and checks the
// figures and the report.
func TestRingLab(t *testing.T) {
	testutil.InitEAL(t)
	var out bytes.Buffer
	const rate = 100_000
	res, err := runLab(context.Background(), labConfig{
		driver: "ring", duration: time.Second, traffic: traffic{rate: rate, size: 100, flows: 4},
		burst: 32, out: &out, log: &out,
	})
	t.Logf("output:\n%s", out.String())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Points) != 1 || res.Interrupted || res.Driver != "net_ring" {
		t.Fatalf("%d runs, interrupted %v, driver %s", len(res.Points), res.Interrupted, res.Driver)
	}
	p := res.Points[0]
	checkPoint(t, p)
	if p.Sent < rate/4 || p.TxPps > rate*1.1 {
		t.Errorf("sent %d packets at %.0f/s in %v, asked for %d/s", p.Sent, p.TxPps, p.Elapsed, rate)
	}
	if want := p.RxPps * 142 * 8 / 1e6; p.RxMbps < want*0.99 || p.RxMbps > want*1.01 {
		t.Errorf("%.1f Mbit/s for %.0f frames/s of 142 bytes", p.RxMbps, p.RxPps)
	}
	if res.MbufsInUse != 0 {
		t.Errorf("%d mbufs not returned", res.MbufsInUse)
	}
	if len(res.Samples) == 0 || !strings.Contains(out.String(), "recv Mpps") {
		t.Fatalf("%d samples; output:\n%s", len(res.Samples), out.String())
	}

	var page bytes.Buffer
	if err := writeReport(&page, res); err != nil {
		t.Fatal(err)
	}
	svgs, pts := reportStats(t, page.Bytes())
	if svgs != 2 {
		t.Errorf("%d plots, want 2 (throughput, latency)", svgs)
	}
	if len(pts["received"]) != len(res.Samples) || len(pts["p99"]) == 0 {
		t.Errorf("plotted %d throughput and %d latency points for %d samples", len(pts["received"]), len(pts["p99"]), len(res.Samples))
	}
	for _, v := range pts["received"] {
		if v <= 0 || v > 2*rate/1e6 {
			t.Errorf("plotted throughput %v Mpps", v)
		}
	}
}

// TestForwarderAllocs checks that the forwarding loop makes no heap
// allocation.
func TestForwarderAllocs(t *testing.T) {
	testutil.InitEAL(t)
	pool, err := mbuf.PoolCreate("allocs_pool", 4095, 256, 0, mbuf.DefaultBufSize, eal.SocketIDAny)
	if err != nil {
		t.Fatal(err)
	}
	rn, err := newRingNet(pool)
	if err != nil {
		t.Fatal(err)
	}
	defer rn.Close()
	a, b := rn.portIDs()
	for _, p := range []uint16{a, b} {
		if err := setupPort(p, pool); err != nil {
			t.Fatal(err)
		}
	}
	f := newForwarder(a, b, 32)
	id := eal.MainLcore().ID()
	var in, out [8]*mbuf.Mbuf
	allocs := testing.AllocsPerRun(200, func() {
		if mbuf.AllocBulk(pool, in[:], id) != nil {
			panic("pool empty")
		}
		for _, m := range in {
			m.SetLen(64)
		}
		if n := ethdev.TxBurst(rn.ports[2], 0, in[:]); n != len(in) {
			panic("generator port full")
		}
		f.poll(0, id)
		f.poll(1, id)
		n := ethdev.RxBurst(rn.ports[3], 0, out[:])
		mbuf.FreeBulk(out[:n], id)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per forwarded burst", allocs)
	}
	c := f.counts()
	if c.rx != 201*8 || c.tx != c.rx || c.busy == 0 {
		t.Errorf("forwarder counted %+v, want 1608 packets", c)
	}
}

// TestSweep runs the whole program over net_ring with two burst sizes.
func TestSweep(t *testing.T) {
	dir := t.TempDir()
	report := filepath.Join(dir, "sweep.html")
	var stdout, stderr bytes.Buffer
	code := run([]string{"dpk-lab", "--no-huge", "-l", testutil.LcoreList(), "--file-prefix", testutil.Prefix(t), "--",
		"--driver", "ring", "--duration", "500ms", "--rate", "50000", "--sweep-burst", "4,32", "--report", report},
		&stdout, &stderr, make(chan os.Signal))
	t.Logf("stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	if code != 0 {
		t.Fatalf("exit status %d", code)
	}
	o := stdout.String()
	i := strings.Index(o, "burst sweep:")
	if i < 0 {
		t.Fatal("no sweep table")
	}
	rows := 0
	for _, l := range strings.Split(o[i:], "\n")[2:] {
		f := strings.Fields(l)
		if len(f) != 5 {
			break
		}
		if _, err := strconv.Atoi(f[0]); err != nil {
			break
		}
		mpps, _ := strconv.ParseFloat(f[1], 64)
		cyc, _ := strconv.ParseFloat(f[2], 64)
		if (f[0] != "4" && f[0] != "32") || mpps <= 0 || cyc <= 0 || f[3] != "0" {
			t.Errorf("sweep row %q", l)
		}
		rows++
	}
	if rows != 2 {
		t.Errorf("%d sweep rows, want 2", rows)
	}
	page, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	svgs, pts := reportStats(t, page)
	if svgs != 4 || len(pts["cycles/packet"]) != 2 {
		t.Errorf("%d plots (want 4), %d cycles/packet points (want 2)", svgs, len(pts["cycles/packet"]))
	}
}

// leftovers returns the namespaces and interfaces named after pid that
// exist, as `ip netns list` and `ip link` show them.
func leftovers(t *testing.T, pid int) []string {
	t.Helper()
	var out []string
	ns, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		t.Fatalf("ip netns list: %v", err)
	}
	for _, l := range strings.Split(string(ns), "\n") {
		if f := strings.Fields(l); len(f) > 0 && strings.HasPrefix(f[0], fmt.Sprintf("dpklab%d_", pid)) {
			out = append(out, "namespace "+f[0])
		}
	}
	links, err := exec.Command("ip", "-o", "link", "show").Output()
	if err != nil {
		t.Fatalf("ip link: %v", err)
	}
	for _, l := range strings.Split(string(links), "\n") {
		if f := strings.Fields(l); len(f) > 1 && strings.HasPrefix(f[1], fmt.Sprintf("dl%d_", pid)) {
			out = append(out, "interface "+strings.TrimSuffix(f[1], ":"))
		}
	}
	return out
}

// TestKernelLab forwards UDP between two namespaces over af_packet for two
// seconds, then checks that nothing is left behind.
func TestKernelLab(t *testing.T) {
	testutil.SkipUnlessRoot(t)
	if !haveIP() {
		t.Fatal("the ip command (iproute2) is needed")
	}
	testutil.InitEAL(t)
	var out syncBuf
	res, err := runLab(context.Background(), labConfig{
		driver: "af_packet", duration: 2 * time.Second, traffic: traffic{rate: 20_000, size: 64, flows: 2},
		burst: 32, out: &out, log: &out,
	})
	t.Logf("output:\n%s", out.String())
	if left := leftovers(t, os.Getpid()); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
	if err != nil {
		t.Fatal(err)
	}
	if res.Driver != "net_af_packet" || len(res.Created) != 4 || len(res.Points) != 1 {
		t.Fatalf("driver %s, created %v, %d runs", res.Driver, res.Created, len(res.Points))
	}
	p := res.Points[0]
	t.Logf("sent %d received %d lost %d (%.2f%%), %.3f Mpps, latency us min %.1f avg %.1f p99 %.1f; port A missed %d",
		p.Sent, p.Received, p.Lost, 100*p.LossRatio(), p.RxPps/1e6, p.LatMin, p.LatAvg, p.LatP99, p.PortA.IMissed)
	if p.Received == 0 || p.RxPps <= 0 || p.LatMin <= 0 || p.LatP99 < p.LatMin {
		t.Errorf("nothing measured: %+v", p)
	}
	// A busy machine can stall the forwarding lcore long enough for the
	// kernel to drop some packets (port A's imissed); most must arrive.
	if p.LossRatio() > 0.2 {
		t.Errorf("lost %d of %d packets", p.Lost, p.Sent)
	}
	if p.Forwarded != p.PortA.IPackets || p.PortB.OPackets != p.Forwarded-p.FwdDropped {
		t.Errorf("forwarded %d, port A received %d, port B sent %d", p.Forwarded, p.PortA.IPackets, p.PortB.OPackets)
	}
	if res.MbufsInUse != 0 {
		t.Errorf("%d mbufs not returned", res.MbufsInUse)
	}
}

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// TestMain removes the binary the tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// labBinary builds the command once for the tests that run it.
func labBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "dpklab-test")
		if buildErr != nil {
			return
		}
		goCmd, err := exec.LookPath("go")
		if err != nil {
			goCmd = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
		}
		if out, err := exec.Command(goCmd, "build", "-o", filepath.Join(buildDir, "dpk-lab"), ".").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(buildDir, "dpk-lab")
}

// runningLab is the command started by startLab.
type runningLab struct {
	cmd         *exec.Cmd
	prefix      string
	out, stderr syncBuf
}

// startLab starts the command on af_packet for 30 s and returns once its
// namespaces and ports are up.
func startLab(t *testing.T) *runningLab {
	t.Helper()
	l := &runningLab{}
	// The default --file-prefix, dpklab<pid>, which removeStaleEAL knows.
	l.cmd = exec.Command(labBinary(t), "--no-huge", "-l", testutil.LcoreList(), "--",
		"--driver", "af_packet", "--duration", "30s", "--rate", "10000")
	stdout, err := l.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	l.cmd.Stderr = &l.stderr
	if err := l.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	l.prefix = fmt.Sprintf("dpklab%d", l.cmd.Process.Pid)
	t.Cleanup(func() {
		// Whatever happened, the process is gone by now and what it left
		// (nothing, if the test passed) is stale.
		if l.cmd.ProcessState == nil {
			l.cmd.Process.Kill()
			l.cmd.Wait()
		}
		removeStale()
		removeStaleEAL()
	})
	started := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		once := false
		for sc.Scan() {
			fmt.Fprintln(&l.out, sc.Text())
			if !once && strings.HasPrefix(sc.Text(), "dpk-lab: net_af_packet") {
				once = true
				close(started)
			}
		}
	}()
	select {
	case <-started:
	case <-time.After(20 * time.Second):
		l.cmd.Process.Kill()
		l.cmd.Wait()
		t.Fatalf("the lab did not start in 20 s; stdout:\n%s\nstderr:\n%s", l.out.String(), l.stderr.String())
	}
	return l
}

// TestStaleRemoval kills the command with SIGKILL, which it cannot catch,
// and checks that removeStale (which every kernel lab runs first) removes
// what it left.
func TestStaleRemoval(t *testing.T) {
	testutil.SkipUnlessRoot(t)
	lab := startLab(t)
	pid := lab.cmd.Process.Pid
	lab.cmd.Process.Kill()
	lab.cmd.Wait()
	defer os.RemoveAll(eal.RuntimeDir(lab.prefix))
	left := leftovers(t, pid)
	if len(left) == 0 {
		t.Fatal("nothing left after SIGKILL: the test cannot check the removal")
	}
	removed := removeStale()
	t.Logf("left %v, removed %v", left, removed)
	if l := leftovers(t, pid); len(l) > 0 {
		t.Errorf("still there: %v", l)
	}
	if len(removed) < len(left) {
		t.Errorf("removed %v, left %v", removed, left)
	}
	dir := eal.RuntimeDir(lab.prefix)
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("EAL runtime directory of the killed run: %v", err)
	}
	removedEAL := removeStaleEAL()
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) || !slices.Contains(removedEAL, "EAL runtime directory "+dir) {
		t.Errorf("after removeStaleEAL (removed %v): %s: %v", removedEAL, dir, err)
	}
}

// TestInterrupt starts the built command, interrupts it with SIGINT a
// second into its traffic and checks that it tears everything down.
func TestInterrupt(t *testing.T) {
	testutil.SkipUnlessRoot(t)
	lab := startLab(t)
	cmd, out, stderr := lab.cmd, &lab.out, &lab.stderr
	defer func() {
		if left := leftovers(t, cmd.Process.Pid); len(left) > 0 {
			t.Errorf("left behind: %v", left)
		}
		if _, err := os.Stat(eal.RuntimeDir(lab.prefix)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("runtime directory %s: %v", eal.RuntimeDir(lab.prefix), err)
		}
	}()
	time.Sleep(time.Second)
	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var werr error
	select {
	case werr = <-done:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("no exit 20 s after SIGINT; stdout:\n%s\nstderr:\n%s", out.String(), stderr.String())
	}
	t.Logf("stdout:\n%s\nstderr:\n%s", out.String(), stderr.String())
	code := cmd.ProcessState.ExitCode()
	if code != 0 && code != exitInterrupted {
		t.Errorf("exit status %d (%v), want 0 or %d", code, werr, exitInterrupted)
	}
	if !strings.Contains(stderr.String(), "interrupted") {
		t.Error("no message about the interruption")
	}
	if !strings.Contains(out.String(), "--- burst 32") {
		t.Error("no summary of the interrupted run")
	}
}
