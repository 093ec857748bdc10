package main

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"dpk/eal"
	"dpk/ethdev"
	"dpk/internal/testutil"
	"dpk/mbuf"
	"dpk/pcapng"
)

// ealArgs returns the EAL part of a command line for a test.
func ealArgs(t testing.TB, vdevs ...string) []string {
	args := []string{"flowcount", "--no-huge", "-l", testutil.LcoreList(), "--file-prefix", testutil.Prefix(t)}
	for _, v := range vdevs {
		args = append(args, "--vdev", v)
	}
	return args
}

// startApp creates the app and runs its forwarding loop until the
// returned stop function is called, which returns forward's error. The
// app is closed (ports stopped and closed, tables freed, EAL cleaned up)
// by t.Cleanup.
func startApp(t testing.TB, args []string, out io.Writer) (*app, func() error) {
	t.Helper()
	a, err := newApp(args, out, out)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.forward(ctx) }()
	var once sync.Once
	var ferr error
	stop := func() error {
		once.Do(func() {
			cancel()
			ferr = <-done
		})
		return ferr
	}
	t.Cleanup(func() {
		stop()
		a.close()
	})
	return a, stop
}

// waitFor polls cond every 10 ms until it holds or d passes.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func writePcap(t testing.TB, path string, frames [][]byte) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := pcapng.NewPcapWriter(f, pcapng.LinkTypeEthernet, 0, true)
	if err != nil {
		t.Fatal(err)
	}
	ts := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, p := range frames {
		if err := w.WritePacket(pcapng.CaptureInfo{Timestamp: ts.Add(time.Duration(i) * time.Millisecond), Length: len(p)}, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
}

func readPcap(t testing.TB, path string) [][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := pcapng.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out [][]byte
	for {
		data, _, err := r.ReadPacket()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, bytes.Clone(data))
	}
}

// checkSwapped checks that out holds the frames of in, in order, with
// their MAC addresses swapped and nothing else changed.
func checkSwapped(t testing.TB, name string, in, out [][]byte) {
	t.Helper()
	if len(out) != len(in) {
		t.Errorf("%s: %d frames out, %d in", name, len(out), len(in))
	}
	for i := range min(len(in), len(out)) {
		f, g := in[i], out[i]
		if len(g) != len(f) || !bytes.Equal(g[0:6], f[6:12]) || !bytes.Equal(g[6:12], f[0:6]) || !bytes.Equal(g[12:], f[12:]) {
			t.Fatalf("%s: frame %d:\n out %x\n  in %x", name, i, g, f)
		}
	}
}

// TestForwardPcap runs the application over two net_pcap ports replaying
// generated captures, one each way, and checks every flow's counts
// against the generator's, the periodic and final reports, and that every
// frame left by the other port with its MAC addresses swapped.
func TestForwardPcap(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(11, 12))
	in0, want, other, malformed := genTraffic(rng, 4000, 300)
	in1, want1, other1, malformed1 := genTraffic(rng, 1500, 100)
	for k, c := range want1 {
		w := want[k]
		want[k] = counter{w.pkts + c.pkts, w.bytes + c.bytes}
	}
	other = counter{other.pkts + other1.pkts, other.bytes + other1.bytes}
	malformed = counter{malformed.pkts + malformed1.pkts, malformed.bytes + malformed1.bytes}
	p := func(s string) string { return filepath.Join(dir, s) }
	writePcap(t, p("in0.pcap"), in0)
	writePcap(t, p("in1.pcap"), in1)

	args := append(ealArgs(t,
		"net_pcap0,rx_pcap="+p("in0.pcap")+",tx_pcap="+p("out0.pcap"),
		"net_pcap1,rx_pcap="+p("in1.pcap")+",tx_pcap="+p("out1.pcap")),
		"--", "--period", "1", "--max-flows", "1024", "--top", "10")
	var out testutil.SyncBuffer
	a, stop := startApp(t, args, &out)
	p0, p1 := a.ports[0], a.ports[1]
	waitFor(t, 30*time.Second, "every packet forwarded and a periodic report", func() bool {
		s0, _ := ethdev.StatsGet(p0)
		s1, _ := ethdev.StatsGet(p1)
		return s1.OPackets == uint64(len(in0)) && s0.OPackets == uint64(len(in1)) &&
			strings.Contains(out.String(), "Flow statistics after")
	})
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	// The flow counter is the stopped lcore's no more: read it.
	checkFlows(t, a.fc, want)
	if a.fc.other != other || a.fc.malformed != malformed || a.fc.untracked != (counter{}) {
		t.Errorf("other %v malformed %v untracked %v; want %v, %v, 0", a.fc.other, a.fc.malformed, a.fc.untracked, other, malformed)
	}
	for _, p := range a.ports {
		if err := ethdev.Stop(p); err != nil { // flushes the TX files
			t.Fatal(err)
		}
	}
	checkSwapped(t, "port 0 -> 1", in0, readPcap(t, p("out1.pcap")))
	checkSwapped(t, "port 1 -> 0", in1, readPcap(t, p("out0.pcap")))

	s := out.String()
	for _, w := range []string{"Flow statistics after", "Flow statistics at exit", "Top 10 flows by packets:", "Port 0: RX-packets: 4000 "} {
		if !strings.Contains(s, w) {
			t.Errorf("output lacks %q", w)
		}
	}
	final := s[strings.LastIndex(s, "Flow statistics at exit"):]
	top := a.fc.top(1)[0]
	line := addrPort(top.Key.Src, top.Key.SrcPort)
	if !strings.Contains(final, line) {
		t.Errorf("final report does not name the top flow %v:\n%s", top.Key, final)
	}
	t.Logf("final report:\n%s", final)
}

// TestPollNoAllocs runs the poll loop over two loopback net_ring ports,
// where a burst bounces between them forever: the steady state allocates
// nothing and counts each packet once per crossing.
func TestPollNoAllocs(t *testing.T) {
	args := append(ealArgs(t, "net_ring0", "net_ring1"), "--", "--period", "0")
	a, err := newApp(args, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.close)
	a.lcore = eal.MainLcore().ID()
	rng := rand.New(rand.NewPCG(13, 14))
	frames, _, _, _ := genTraffic(rng, 32, 4)
	ms := toMbufs(t, a.pool, frames)
	if n := ethdev.TxBurst(a.ports[0], 0, ms); n != len(ms) {
		t.Fatalf("TxBurst took %d of %d", n, len(ms))
	}
	const polls = 50
	for range polls {
		a.poll()
	}
	total := func() uint64 {
		fc := a.fc
		n := fc.other.pkts + fc.malformed.pkts + fc.untracked.pkts
		for _, f := range fc.flows() {
			n += f.pkts
		}
		return n
	}
	if got, want := total(), uint64(polls*2*len(ms)); got != want {
		t.Errorf("%d packets counted after %d polls, want %d", got, polls, want)
	}
	if raceEnabled {
		return
	}
	if n := testing.AllocsPerRun(200, a.poll); n != 0 {
		t.Errorf("poll: %.1f allocations", n)
	}
	// Take the packets back.
	var back [64]*mbuf.Mbuf
	n := ethdev.RxBurst(a.ports[0], 0, back[:])
	mbuf.FreeBulk(back[:n], a.lcore)
	if n != len(ms) {
		t.Errorf("got %d packets back, want %d", n, len(ms))
	}
}

// TestRunSignal runs the command as main does over two net_ring ports and
// ends it with SIGTERM: it prints the final report and exits 0.
func TestRunSignal(t *testing.T) {
	args := append(ealArgs(t, "net_ring0", "net_ring1"), "--", "--period", "0")
	var out testutil.SyncBuffer
	done := make(chan int, 1)
	go func() { done <- run(args, &out, &out) }()
	waitFor(t, 10*time.Second, "the forwarding loop", func() bool { return strings.Contains(out.String(), "counting flows and forwarding") })
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit code %d\n%s", code, out.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after SIGTERM")
	}
	s := out.String()
	for _, w := range []string{"Signal received, preparing to exit...", "Flow statistics at exit", "Bye..."} {
		if !strings.Contains(s, w) {
			t.Errorf("output lacks %q:\n%s", w, s)
		}
	}
}

// TestRunErrors: bad command lines end with an error, not a crash.
func TestRunErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		app  []string
		vdev []string
		want string
	}{
		{"one port", nil, []string{"net_ring0"}, "even number of ports"},
		{"bad period", []string{"--period", "-1"}, []string{"net_ring0", "net_ring1"}, "--period"},
		{"bad max-flows", []string{"--max-flows", "3"}, []string{"net_ring0", "net_ring1"}, "--max-flows"},
		{"bad burst", []string{"--burst", "65"}, []string{"net_ring0", "net_ring1"}, "--burst"},
		{"bad bench size", []string{"--bench-lookup", "--bench-flows", "10"}, nil, "--bench-flows"},
		{"extra argument", []string{"extra"}, []string{"net_ring0", "net_ring1"}, "unexpected argument"},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append(append(ealArgs(t, c.vdev...), "--"), c.app...)
			var out bytes.Buffer
			if code := run(args, &out, &out); code != 1 {
				t.Errorf("exit code %d, want 1", code)
			}
			if !strings.Contains(out.String(), c.want) {
				t.Errorf("output %q lacks %q", out.String(), c.want)
			}
			if eal.Initialized() {
				t.Error("EAL left initialised")
			}
		})
	}
}
