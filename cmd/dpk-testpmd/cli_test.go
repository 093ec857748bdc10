package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"dpk/internal/testutil"
)

// These tests run the dpk-testpmd binary, built once into a temporary
// directory, as a user would.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// testpmdBinary returns the path of the built dpk-testpmd.
func testpmdBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "dpk-testpmd-test")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(buildDir, "dpk-testpmd")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// ealArgs are the EAL options of a test run, with a unique --file-prefix.
func ealArgs(t *testing.T, vdevs ...string) []string {
	args := []string{"--no-huge", "-l", testutil.LcoreList(), "--file-prefix", testutil.Prefix(t)}
	for _, v := range vdevs {
		args = append(args, "--vdev", v)
	}
	return args
}

// lockedBuffer collects a child's output while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitFor waits until out holds n copies of s.
func waitFor(t *testing.T, out interface{ String() string }, s string, n int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for strings.Count(out.String(), s) < n {
		if time.Now().After(deadline) {
			t.Fatalf("no %d× %q after %v; output:\n%s", n, s, timeout, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// forwardTotals returns the RX and TX totals of the accumulated forward statistics.
func forwardTotals(t *testing.T, out string) (rx, tx uint64) {
	t.Helper()
	re := regexp.MustCompile(`Accumulated forward statistics for all ports\+*\n  RX-packets: (\d+) +RX-dropped: \d+ +RX-total: \d+\n  TX-packets: (\d+)`)
	m := re.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no accumulated forward statistics in:\n%s", out)
	}
	rx, _ = strconv.ParseUint(m[1], 10, 64)
	tx, _ = strconv.ParseUint(m[2], 10, 64)
	return rx, tx
}

// TestStatsPeriodSIGINT runs the command, waits for two periodic
// statistics blocks, then stops it with SIGINT.
func TestStatsPeriodSIGINT(t *testing.T) {
	args := append(ealArgs(t, "net_null0", "net_null1"), "--", "--forward-mode=io", "--stats-period=1")
	cmd := exec.Command(testpmdBinary(t), args...)
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	waitFor(t, &out, "Port statistics ====", 2, 60*time.Second)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit: %v; output:\n%s", err, out.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("no exit 30 s after SIGINT; output:\n%s", out.String())
	}
	s := out.String()
	for _, want := range []string{
		"Set io packet forwarding mode\n",
		"testpmd: create a new mbuf pool <mb_pool_0>: n=155456, size=2176, socket=0\n",
		"No commandline core given, start packet forwarding\n",
		"io packet forwarding - ports=2 - cores=1 - streams=2 - NUMA support enabled, MP allocation mode: native\n",
		"  RX P=0/Q=0 (socket 0) -> TX P=1/Q=0 (socket 0) peer=02:00:00:00:00:01\n",
		"\x1b[2J\x1b[1;1H\nPort statistics ====================================\n  ######################## NIC statistics for port 0  ########################\n",
		"  Throughput (since last show)\n  Rx-pps: ",
		"Telling cores to stop...\nWaiting for lcores to finish...\n",
		"\n  ---------------------- Forward statistics for port 0  ----------------------\n  RX-packets: ",
		"\n  +++++++++++++++ Accumulated forward statistics for all ports+++++++++++++++\n",
		"  ++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++\n\nDone.\n",
		"\nStopping port 0...\nStopping ports...\nDone\n",
		"\nShutting down port 1...\nClosing ports...\nPort 1 is closed\nDone\n",
		"\nBye...\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(s, "were not returned") {
		t.Errorf("mbufs leaked")
	}
	if rx, tx := forwardTotals(t, s); rx == 0 || tx != rx {
		t.Errorf("forwarded rx %d tx %d, want equal and non-zero", rx, tx)
	}
	if t.Failed() {
		t.Logf("output:\n%s", s)
	}
}

// TestNonInteractiveEnter: without --stats-period, Enter (here the end of
// stdin) stops it.
func TestNonInteractiveEnter(t *testing.T) {
	args := append(ealArgs(t, "net_null0", "net_null1"), "--", "--forward-mode=macswap", "--total-num-mbufs=8192", "--no-flush-rx")
	cmd := exec.Command(testpmdBinary(t), args...)
	cmd.Stdin = strings.NewReader("\n")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(string(out), "Press enter to exit\n") || !strings.Contains(string(out), "Bye...") {
		t.Errorf("output:\n%s", out)
	}
	forwardTotals(t, string(out))
}

func TestHelp(t *testing.T) {
	out, err := exec.Command(testpmdBinary(t), append(ealArgs(t), "--", "-h")...).CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{"Usage: ", " [EAL options] -- [testpmd options]", "  --forward-mode=N: set forwarding mode (N: io|mac|macswap|flowgen|rxonly|txonly|csum|icmpecho|5tswap).",
		"  --stats-period=PERIOD:", "  --txpkts=X[,Y]*:", "  --eth-peer=X,M:M:M:M:M:M:"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("help lacks %q:\n%s", want, out)
		}
	}
}

func TestBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--bogus"}, "unrecognized option '--bogus'"},
		{[]string{"--bogus"}, "Invalid option: --bogus"},
		{[]string{"-z"}, "Invalid option: -z"},
		{[]string{"--forward-mode=nope"}, "Invalid --forward-mode nope"},
		{[]string{"--burst=600"}, "burst must be between 1 and 512"},
		{[]string{"--nb-cores=9"}, "nb-cores should be > 0 and <= 1"},
		{[]string{"--nb-ports=5"}, "Invalid port 5"},
		{[]string{"--txpkts=abc"}, "bad txpkts"},
		{[]string{"--total-num-mbufs=10"}, "total-num-mbufs should be > 1024"},
		{[]string{"--rxq"}, "option '--rxq' requires an argument"},
		{[]string{"--rxq=0", "--txq=0"}, "Either rx or tx queues should be non-zero"},
		{[]string{"--eth-peer=1"}, "Invalid eth-peer: 1"},
		{[]string{"--portmask=xyz"}, "Invalid fwd port mask"},
		{[]string{"--stats-period=x"}, "Invalid stats-period value"},
		{[]string{"-i", "--tx-first"}, "--tx-first cannot be used on interactive mode."},
		{[]string{"stray"}, "Invalid parameter: stray"},
	} {
		args := append(ealArgs(t, "net_null0", "net_null1"), "--")
		cmd := exec.Command(testpmdBinary(t), append(args, tc.args...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() == 0 {
			t.Errorf("%q: exit %v, want a failure", tc.args, err)
			continue
		}
		if !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%q: stderr lacks %q:\n%s", tc.args, tc.want, stderr.String())
		}
	}
}

// TestCmdlineFile runs commands from a file, then from stdin.
func TestCmdlineFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "cmds")
	os.WriteFile(f, []byte("# set up\nset fwd macswap\nset burst 16\nquit\nset burst 8\n"), 0o644)
	args := append(ealArgs(t, "net_null0", "net_null1"), "--", "-i", "--total-num-mbufs=8192", "--no-flush-rx", "--cmdline-file="+f)
	cmd := exec.Command(testpmdBinary(t), args...)
	cmd.Stdin = strings.NewReader("show config fwd\nstart\nstop\nfrobnicate\nquit\n")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	s := string(out)
	for _, want := range []string{
		"CLI commands to be read from " + f + "\n",
		"Set macswap packet forwarding mode\nNumber of packets per burst set to 16\nRead CLI commands from " + f + "\n",
		// As in DPDK, "show config fwd" shows the configuration of the
		// last start (or of the start-up), not the mode set since.
		"testpmd> show config fwd\nio packet forwarding - ports=2",
		"testpmd> start\nmacswap packet forwarding - ports=2",
		"  macswap packet forwarding packets/burst=16\n",
		"testpmd> frobnicate\nCommand not found\n",
		"testpmd> quit\n",
		"\nBye...\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(s, "set to 8") {
		t.Errorf("commands after quit in the file ran")
	}
	if t.Failed() {
		t.Logf("output:\n%s", s)
	}
}
