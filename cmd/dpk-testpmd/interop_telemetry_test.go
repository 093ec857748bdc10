package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"dpk/eal"
	"dpk/internal/testutil"
	"dpk/telemetry"
)

// DPDK 22.11's dpdk-telemetry.py against a running dpk-testpmd: the
// socket is found from the file prefix alone, and what it reports agrees
// with what dpk-testpmd prints.

// telemetryArgs are the EAL options of a dpk-testpmd with two net_null
// ports, then "--" and testpmd's options.
func telemetryArgs(t *testing.T, prefix string, extra ...string) []string {
	args := append([]string{testpmdBinary(t), "--no-huge"}, interopLcores()...)
	args = append(args, "--file-prefix", prefix, "--vdev", "net_null0", "--vdev", "net_null1")
	return append(args, extra...)
}

// queryTelemetry runs dpdk-telemetry.py -f prefix with the commands on its
// standard input and returns its replies, one JSON object per command.
func queryTelemetry(t *testing.T, prefix string, cmds ...string) []map[string]any {
	t.Helper()
	out := runTelemetryPy(t, prefix, cmds...)
	var replies []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, telemetry.MaxOutputLen), 4*telemetry.MaxOutputLen)
	for sc.Scan() {
		replies = append(replies, decodeReply(t, sc.Bytes()))
	}
	checkReplies(t, cmds, replies)
	return replies
}

func decodeReply(t *testing.T, line []byte) map[string]any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(line))
	d.UseNumber()
	var r map[string]any
	if err := d.Decode(&r); err != nil {
		t.Fatalf("dpdk-telemetry.py: line %q: %v", line, err)
	}
	return r
}

func checkReplies(t *testing.T, cmds []string, replies []map[string]any) {
	t.Helper()
	if len(replies) != len(cmds) {
		t.Fatalf("dpdk-telemetry.py: %d replies to %d commands %q: %v", len(replies), len(cmds), cmds, replies)
	}
	for i, c := range cmds {
		name, _, _ := strings.Cut(c, ",")
		if _, ok := replies[i][name]; !ok {
			t.Fatalf("reply %d %v has no %s", i, replies[i], name)
		}
	}
}

// telemetryClient is one dpdk-telemetry.py session kept open, queried
// several times (the script takes about a second to start on a busy
// machine).
type telemetryClient struct {
	t     *testing.T
	p     *proc
	lines *bufio.Reader
}

func newTelemetryClient(t *testing.T, prefix string) *telemetryClient {
	t.Helper()
	c := &telemetryClient{t: t}
	c.p = &proc{t: t, name: "dpdk-telemetry.py", done: make(chan struct{})}
	c.p.cmd = exec.Command(dpdkTelemetryPy, "-f", prefix)
	c.p.cmd.Env = append(toolEnv(), "PYTHONUNBUFFERED=1")
	c.p.cmd.Stderr = &c.p.err
	var err error
	if c.p.stdin, err = c.p.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := c.p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c.lines = bufio.NewReaderSize(stdout, 4*telemetry.MaxOutputLen)
	if err := c.p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.p.stdin.Close()
		timer := time.AfterFunc(10*time.Second, func() { c.p.cmd.Process.Kill() })
		c.p.cmd.Wait()
		timer.Stop()
	})
	return c
}

// query sends the commands and reads one reply per command.
func (c *telemetryClient) query(cmds ...string) []map[string]any {
	c.t.Helper()
	c.p.send(strings.Join(cmds, "\n") + "\n")
	type result struct {
		lines [][]byte
		err   error
	}
	ch := make(chan result, 1)
	go func() {
		var r result
		for range cmds {
			l, err := c.lines.ReadBytes('\n')
			if err != nil {
				r.err = err
				break
			}
			r.lines = append(r.lines, l)
		}
		ch <- r
	}()
	var r result
	select {
	case r = <-ch:
	case <-time.After(30 * time.Second):
		c.p.cmd.Process.Kill()
		c.t.Fatalf("dpdk-telemetry.py: no reply to %q in 30 s; stderr:\n%s", cmds, c.p.err.String())
	}
	if r.err != nil {
		c.t.Fatalf("dpdk-telemetry.py: reading replies to %q: %v; stderr:\n%s", cmds, r.err, c.p.err.String())
	}
	var replies []map[string]any
	for _, l := range r.lines {
		replies = append(replies, decodeReply(c.t, l))
	}
	checkReplies(c.t, cmds, replies)
	return replies
}

func runTelemetryPy(t *testing.T, prefix string, cmds ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, dpdkTelemetryPy, "-f", prefix)
	cmd.Env = toolEnv()
	cmd.Stdin = strings.NewReader(strings.Join(cmds, "\n") + "\n")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\nstdout:\n%s\nstderr:\n%s", cmd, err, out, stderr.Bytes())
	}
	return out
}

// portCounters are the counters of a port that both /ethdev/stats and
// "show port stats" give.
type portCounters struct {
	IPackets, IMissed, IBytes, IErrors, RxNoMbuf, OPackets, OErrors, OBytes uint64
}

func (c portCounters) fields() []uint64 {
	return []uint64{c.IPackets, c.IMissed, c.IBytes, c.IErrors, c.RxNoMbuf, c.OPackets, c.OErrors, c.OBytes}
}

// le reports whether every counter of c is at most d's.
func (c portCounters) le(d portCounters) bool {
	a, b := c.fields(), d.fields()
	for i := range a {
		if a[i] > b[i] {
			return false
		}
	}
	return true
}

// telemetryCounters reads the counters of an /ethdev/stats reply.
func telemetryCounters(t *testing.T, reply map[string]any) portCounters {
	t.Helper()
	st, ok := reply["/ethdev/stats"].(map[string]any)
	if !ok {
		t.Fatalf("/ethdev/stats reply %v", reply)
	}
	get := func(k string) uint64 {
		n, ok := st[k].(json.Number)
		if !ok {
			t.Fatalf("/ethdev/stats has no number %q: %v", k, st)
		}
		v, err := strconv.ParseUint(n.String(), 10, 64)
		if err != nil {
			t.Fatalf("/ethdev/stats %q = %v: %v", k, n, err)
		}
		return v
	}
	return portCounters{get("ipackets"), get("imissed"), get("ibytes"), get("ierrors"), get("rx_nombuf"),
		get("opackets"), get("oerrors"), get("obytes")}
}

var nicStatsRe = regexp.MustCompile(`######################## NIC statistics for port (\d+) +########################\n` +
	`  RX-packets: (\d+) +RX-missed: (\d+) +RX-bytes: +(\d+)\n` +
	`  RX-errors: (\d+)\n` +
	`  RX-nombuf: +(\d+) *\n` +
	`  TX-packets: (\d+) +TX-errors: (\d+) +TX-bytes: +(\d+)\n`)

// nicStats returns, for each port, the last complete "NIC statistics"
// block of a testpmd output (show port stats, --stats-period).
func nicStats(out string) map[uint16]portCounters {
	m := map[uint16]portCounters{}
	for _, s := range nicStatsRe.FindAllStringSubmatch(out, -1) {
		var v [9]uint64
		for i := range v {
			v[i], _ = strconv.ParseUint(s[i+1], 10, 64)
		}
		m[uint16(v[0])] = portCounters{IPackets: v[1], IMissed: v[2], IBytes: v[3], IErrors: v[4], RxNoMbuf: v[5],
			OPackets: v[6], OErrors: v[7], OBytes: v[8]}
	}
	return m
}

var fwdStatsRe = regexp.MustCompile(`-+ Forward statistics for port (\d+) +-+\n` +
	`  RX-packets: (\d+) +RX-dropped: (\d+) +RX-total: \d+\n` +
	`(?:.*\n)*?` +
	`  TX-packets: (\d+) +TX-dropped: (\d+) +TX-total: \d+\n`)

// fwdStats returns each port's RX and TX packets of the last forward
// statistics of a testpmd output.
func fwdStats(out string) map[uint16][2]uint64 {
	m := map[uint16][2]uint64{}
	for _, s := range fwdStatsRe.FindAllStringSubmatch(out, -1) {
		p, _ := strconv.ParseUint(s[1], 10, 16)
		rx, _ := strconv.ParseUint(s[2], 10, 64)
		tx, _ := strconv.ParseUint(s[4], 10, 64)
		m[uint16(p)] = [2]uint64{rx, tx}
	}
	return m
}

// TestTelemetryInteractive: start forwarding at the prompt, query the
// telemetry while it runs, stop, query again and compare with "show port
// stats all" (exactly: nothing moves after stop) and with the forward
// statistics that stop printed.
func TestTelemetryInteractive(t *testing.T) {
	needDPDKTool(t, dpdkTelemetryPy)
	prefix := testutil.Prefix(t)
	cleanRuntimeDir(t, prefix)
	// --no-flush-rx: net_null always has packets, and the flush before
	// forwarding would drain them for up to a second per queue and pass,
	// counted by the ports but not by the forward statistics; without it
	// both count from zero.
	p := startProc(t, "dpk-testpmd", telemetryArgs(t, prefix, "--", "-i", "--forward-mode=io", "--total-num-mbufs=8192", "--no-flush-rx")...)
	prompts := 1
	command := func(line string) string {
		before := len(p.out.String())
		p.send(line + "\n")
		prompts++
		p.waitOut("testpmd> ", prompts, 30*time.Second)
		return p.out.String()[before:]
	}
	p.waitOut("testpmd> ", prompts, 60*time.Second)
	sock := filepath.Join(eal.RuntimeDir(prefix), telemetry.SocketName)
	if _, err := os.Stat(sock); err != nil {
		t.Fatalf("telemetry socket: %v", err)
	}
	cmds := []string{"/ethdev/list", "/ethdev/stats,0", "/ethdev/stats,1", "/info"}
	tc := newTelemetryClient(t, prefix)
	idle := tc.query(cmds...)
	if got := idle[0]["/ethdev/list"]; !reflect.DeepEqual(got, []any{json.Number("0"), json.Number("1")}) {
		t.Errorf("/ethdev/list = %v, want [0 1]", got)
	}
	info, _ := idle[3]["/info"].(map[string]any)
	if info == nil || info["pid"] != json.Number(strconv.Itoa(p.cmd.Process.Pid)) || info["version"] != telemetry.Version {
		t.Errorf("/info = %v, want pid %d and version %q", idle[3], p.cmd.Process.Pid, telemetry.Version)
	}
	for port := 0; port < 2; port++ {
		if c := telemetryCounters(t, idle[1+port]); c != (portCounters{}) {
			t.Errorf("port %d before start: %+v, want zeros", port, c)
		}
	}

	command("start")
	// Query while forwarding, until both ports have moved packets (the
	// forwarding lcore may wait for a CPU on a busy machine).
	var running []map[string]any
	for deadline := time.Now().Add(20 * time.Second); ; {
		time.Sleep(200 * time.Millisecond)
		running = tc.query(cmds...)
		c0, c1 := telemetryCounters(t, running[1]), telemetryCounters(t, running[2])
		if c0.IPackets > 0 && c0.OPackets > 0 && c1.IPackets > 0 && c1.OPackets > 0 || time.Now().After(deadline) {
			break
		}
	}
	stop := command("stop")
	stopped := tc.query(cmds...)
	show := command("show port stats all")
	again := tc.query(cmds...)

	nic := nicStats(show)
	fwd := fwdStats(stop)
	var sumRx, sumTx uint64
	for port := uint16(0); port < 2; port++ {
		run, fin, fin2 := telemetryCounters(t, running[1+port]), telemetryCounters(t, stopped[1+port]), telemetryCounters(t, again[1+port])
		t.Logf("port %d: telemetry while forwarding %+v", port, run)
		t.Logf("port %d: telemetry after stop        %+v", port, fin)
		t.Logf("port %d: show port stats             %+v", port, nic[port])
		t.Logf("port %d: forward statistics          RX %d TX %d", port, fwd[port][0], fwd[port][1])
		if run.IPackets == 0 || run.OPackets == 0 {
			t.Errorf("port %d: telemetry while forwarding shows no traffic: %+v", port, run)
		}
		if !run.le(fin) {
			t.Errorf("port %d: counters went down: %+v while forwarding, %+v after stop", port, run, fin)
		}
		if fin != fin2 {
			t.Errorf("port %d: counters moved after stop: %+v, then %+v", port, fin, fin2)
		}
		if s, ok := nic[port]; !ok || s != fin {
			t.Errorf("port %d: show port stats %+v (found %v), telemetry %+v: want equal", port, s, ok, fin)
		}
		if f, ok := fwd[port]; !ok || f != [2]uint64{fin.IPackets, fin.OPackets} {
			t.Errorf("port %d: forward statistics RX/TX %v (found %v), telemetry ipackets/opackets %d/%d: want equal",
				port, f, ok, fin.IPackets, fin.OPackets)
		}
		sumRx += fin.IPackets
		sumTx += fin.OPackets
	}
	// io forwarding to net_null, which takes every packet: each port sends
	// what the other received.
	p0, p1 := telemetryCounters(t, stopped[1]), telemetryCounters(t, stopped[2])
	if p0.OPackets != p1.IPackets || p1.OPackets != p0.IPackets {
		t.Errorf("io forwarding: port 0 rx %d tx %d, port 1 rx %d tx %d: want each port's tx = the other's rx",
			p0.IPackets, p0.OPackets, p1.IPackets, p1.OPackets)
	}
	if rx, tx := forwardTotals(t, stop); rx != sumRx || tx != sumTx {
		t.Errorf("accumulated forward statistics RX %d TX %d, telemetry sums %d %d", rx, tx, sumRx, sumTx)
	}

	p.quit("quit\n", 30*time.Second)
	if !strings.Contains(p.out.String(), "\nBye...\n") {
		t.Errorf("no Bye... at the end:\n%s", tail(p.out.String(), 2000))
	}
	if _, err := os.Stat(sock); !os.IsNotExist(err) {
		t.Errorf("telemetry socket still there after exit: %v", err)
	}
}

// TestTelemetryStatsPeriod: the non-interactive run of the issue; the
// counters the telemetry gives while forwarding lie between the last
// periodic statistics printed before the query and the totals printed at
// SIGINT.
func TestTelemetryStatsPeriod(t *testing.T) {
	needDPDKTool(t, dpdkTelemetryPy)
	prefix := testutil.Prefix(t)
	cleanRuntimeDir(t, prefix)
	p := startProc(t, "dpk-testpmd", telemetryArgs(t, prefix, "--", "--forward-mode=io", "--stats-period=1", "--total-num-mbufs=8192", "--no-flush-rx")...)
	p.waitOut("Port statistics ====", 2, 60*time.Second)
	p.waitOut("\n  ############################################################################\n", 4, 30*time.Second)
	before := nicStats(p.out.String())
	tel := queryTelemetry(t, prefix, "/ethdev/list", "/ethdev/stats,0", "/ethdev/stats,1")
	p.interrupt(30 * time.Second)
	final := fwdStats(p.out.String())
	for port := uint16(0); port < 2; port++ {
		c := telemetryCounters(t, tel[1+port])
		b, ok := before[port]
		f := final[port]
		t.Logf("port %d: periodic stats %+v; telemetry %+v; at SIGINT RX %d TX %d", port, b, c, f[0], f[1])
		if !ok || !b.le(c) {
			t.Errorf("port %d: periodic statistics %+v (found %v) above the later telemetry %+v", port, b, ok, c)
		}
		if c.IPackets == 0 || c.OPackets == 0 || c.IPackets > f[0] || c.OPackets > f[1] {
			t.Errorf("port %d: telemetry ipackets %d opackets %d, final forward statistics RX %d TX %d: want 0 < telemetry <= final",
				port, c.IPackets, c.OPackets, f[0], f[1])
		}
	}
	if !strings.HasSuffix(p.out.String(), "\nBye...\n") {
		t.Errorf("output does not end with Bye...:\n%s", tail(p.out.String(), 2000))
	}
}

// TestTelemetryDisabled: with --no-telemetry there is no socket, and
// dpdk-telemetry.py finds nothing to connect to.
func TestTelemetryDisabled(t *testing.T) {
	needDPDKTool(t, dpdkTelemetryPy)
	prefix := testutil.Prefix(t)
	cleanRuntimeDir(t, prefix)
	args := telemetryArgs(t, prefix, "--no-telemetry", "--", "-i", "--total-num-mbufs=8192")
	p := startProc(t, "dpk-testpmd", args...)
	p.waitOut("testpmd> ", 1, 60*time.Second)
	dir := eal.RuntimeDir(prefix)
	if _, err := os.Stat(dir); err != nil {
		t.Errorf("runtime directory: %v (the socket's absence would prove nothing)", err)
	}
	if _, err := os.Stat(filepath.Join(dir, telemetry.SocketName)); !os.IsNotExist(err) {
		t.Errorf("%s with --no-telemetry: %v, want no such file", filepath.Join(dir, telemetry.SocketName), err)
	}
	if ents, err := os.ReadDir(dir); err == nil {
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), "dpdk_telemetry") {
				t.Errorf("%s: %s with --no-telemetry", dir, e.Name())
			}
		}
	}
	out := runTelemetryPy(t, prefix, "/info")
	if !bytes.Contains(out, []byte("Error connecting to "+filepath.Join(dir, telemetry.SocketName))) || bytes.Contains(out, []byte("{")) {
		t.Errorf("dpdk-telemetry.py -f %s with --no-telemetry:\n%s", prefix, out)
	}
	p.quit("quit\n", 30*time.Second)
}
