package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"dpk/internal/testutil"
	"dpk/pcapng"
	"dpk/pkt"
	"dpk/pkt/checksum"
)

// l3fwdRun is an l3fwd started in-process by runL3fwd.
type l3fwdRun struct {
	app    *app
	stop   chan os.Signal
	done   chan int
	stdout *testutil.SyncBuffer
	stderr *testutil.SyncBuffer
}

// runL3fwd runs l3fwd's main with args (EAL options, "--", l3fwd's) on a
// goroutine of its own, which becomes the EAL's main lcore, and returns
// once it forwards. The run is stopped when the test ends.
func runL3fwd(t *testing.T, args ...string) *l3fwdRun {
	t.Helper()
	r := &l3fwdRun{stop: make(chan os.Signal, 1), done: make(chan int, 1), stdout: &testutil.SyncBuffer{}, stderr: &testutil.SyncBuffer{}}
	started := make(chan *app, 1)
	go func() {
		r.done <- run(append([]string{"l3fwd"}, args...), runEnv{
			stdout: r.stdout, stderr: r.stderr, stop: r.stop,
			started: func(a *app) { started <- a },
		})
	}()
	select {
	case r.app = <-started:
	case code := <-r.done:
		t.Fatalf("l3fwd exited with %d:\n%s\n%s", code, r.stdout, r.stderr)
	case <-time.After(60 * time.Second):
		t.Fatalf("l3fwd did not start:\n%s\n%s", r.stdout, r.stderr)
	}
	t.Cleanup(func() { r.wait(t) })
	return r
}

// wait stops l3fwd (as SIGTERM does) and waits for it to exit; it returns
// the output.
func (r *l3fwdRun) wait(t *testing.T) string {
	t.Helper()
	if r.done == nil {
		return r.stdout.String()
	}
	r.stop <- syscall.SIGTERM
	select {
	case code := <-r.done:
		if code != 0 {
			t.Errorf("l3fwd exited with %d: %s", code, r.stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("l3fwd did not stop:\n%s", r.stdout)
	}
	r.done = nil
	out := r.stdout.String()
	if !strings.Contains(out, "Signal terminated received, preparing to exit...") || !strings.HasSuffix(out, "Bye...\n") {
		t.Errorf("l3fwd's output does not end as DPDK's:\n%s", out)
	}
	return out
}

// waitRx waits until l3fwd has received n packets.
func (r *l3fwdRun) waitRx(t *testing.T, n uint64) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		c := r.app.counts()
		var rx uint64
		for _, v := range c.rx {
			rx += v
		}
		if rx >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("l3fwd received %d packets, want %d", rx, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// statLine returns the value of a statistics line ("No route: 3") of the
// last statistics in out.
func statLine(t *testing.T, out, name string) uint64 {
	t.Helper()
	m := regexp.MustCompile(`(?m)^`+regexp.QuoteMeta(name)+`: +(\d+)$`).FindAllStringSubmatch(out, -1)
	if m == nil {
		t.Fatalf("no %q line in:\n%s", name, out)
	}
	v, _ := strconv.ParseUint(m[len(m)-1][1], 10, 64)
	return v
}

func writePcap(t *testing.T, path string, frames [][]byte) {
	t.Helper()
	var buf bytes.Buffer
	w, err := pcapng.NewPcapWriter(&buf, pcapng.LinkTypeEthernet, 0, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range frames {
		if err := w.WritePacket(pcapng.CaptureInfo{Timestamp: time.Unix(1, 0)}, f); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readPcap(t *testing.T, path string) [][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := pcapng.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for {
		d, _, err := r.ReadPacket()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, append([]byte(nil), d...))
	}
}

// TestRunPcap runs l3fwd's command line over two net_pcap ports in each
// lookup mode: what leaves each port is what was routed there, with the TTL
// or hop limit decremented, a valid IPv4 checksum and the Ethernet
// addresses rewritten; what was dropped is counted by reason.
func TestRunPcap(t *testing.T) {
	var (
		a0, a1   = benchAddr4(0, 9), benchAddr4(1, 9) // hosts behind ports 0 and 1
		to1      = benchAddr4(1, 5)
		to0      = benchAddr4(0, 7)
		denied   = benchAddr4(1, 66)
		v6src    = benchAddr6(0, 9)
		v6to1    = benchAddr6(1, 5)
		unrouted = netip.MustParseAddr("10.9.9.9")
	)
	udp := func(src, dst netip.Addr, ttl uint8) flow {
		return flow{src: src, dst: dst, proto: pkt.IPProtoUDP, sport: 9, dport: 9, ttl: ttl, payload: 18}
	}
	rules := map[lookupMode][2]string{
		modeLPM: {"R198.18.0.0/24 0\nR198.18.1.0/24 1\n", "R2001:0200:0000:0000::/64 0\nR2001:200:0:1::/64 1\n"},
		modeEM: {
			fmt.Sprintf("R%s %s 9 9 17 1\nR%s %s 9 9 17 0\nR%s %s 9 9 17 1\n", to1, a0, to0, a1, denied, a0),
			fmt.Sprintf("R%s %s 9 9 17 1\n", v6to1, v6src),
		},
		modeACL: {
			"# deny first\n@0.0.0.0/0 198.18.1.66/32 0 : 65535 0 : 65535 0x00/0x00\n" +
				"R0.0.0.0/0 198.18.0.0/24 0 : 65535 0 : 65535 0x00/0x00 0\nR0.0.0.0/0 198.18.1.0/24 0 : 65535 0 : 65535 0x00/0x00 1\n",
			"R0:0:0:0:0:0:0:0/0 2001:0200:0000:0001:0000:0000:0000:0000/64 0 : 65535 0 : 65535 0x11/0xff 1\n",
		},
	}
	for _, mode := range []lookupMode{modeLPM, modeEM, modeACL} {
		t.Run(mode.String(), func(t *testing.T) {
			dir := t.TempDir()
			path := func(n string) string { return filepath.Join(dir, n) }
			os.WriteFile(path("v4.cfg"), []byte(rules[mode][0]), 0o644)
			os.WriteFile(path("v6.cfg"), []byte(rules[mode][1]), 0o644)

			var in0, in1 [][]byte
			for range 5 {
				in0 = append(in0, udp(a0, to1, 64).frame())
			}
			in0 = append(in0, udp(v6src, v6to1, 7).frame())
			in0 = append(in0, udp(a0, unrouted, 64).frame(), udp(a0, unrouted, 64).frame())
			in0 = append(in0, udp(a0, to1, 1).frame())
			bad := udp(a0, to1, 64).frame()
			bad[ethLen+ipv4Cksum] ^= 0x40
			in0 = append(in0, bad)
			in0 = append(in0, udp(a0, denied, 64).frame())
			arp := udp(a0, to1, 64).frame()
			binary.BigEndian.PutUint16(arp[12:], pkt.EtherTypeARP)
			in0 = append(in0, arp)
			for range 3 {
				in1 = append(in1, udp(a1, to0, 2).frame())
			}
			writePcap(t, path("in0.pcap"), in0)
			writePcap(t, path("in1.pcap"), in1)

			args := []string{"--no-huge", "--in-memory", "--file-prefix", testutil.Prefix(t), "-l", "0",
				"--vdev", fmt.Sprintf("net_pcap0,rx_pcap=%s,tx_pcap=%s", path("in0.pcap"), path("out0.pcap")),
				"--vdev", fmt.Sprintf("net_pcap1,rx_pcap=%s,tx_pcap=%s", path("in1.pcap"), path("out1.pcap")),
				"--", "-p", "0x3", "--lookup=" + mode.String(), "--config=(0,0,0),(1,0,0)",
				"--eth-dest=1,02:00:00:00:01:01", "--rule_ipv4=" + path("v4.cfg"), "--rule_ipv6=" + path("v6.cfg")}
			if mode == modeACL {
				args = append(args, "--parse-ptype", "--burst=4") // packet types from the RX callback; small bursts
			}
			r := runL3fwd(t, args...)
			r.waitRx(t, uint64(len(in0)+len(in1)))
			time.Sleep(20 * time.Millisecond) // past a TX drain
			out := r.wait(t)
			if mode == modeACL && !strings.Contains(out, "Port 1: softly parse packet type info") {
				t.Errorf("--parse-ptype: no RX callback announced:\n%s", out)
			}

			out0, out1 := readPcap(t, path("out0.pcap")), readPcap(t, path("out1.pcap"))
			// To port 1: 5 IPv4, 1 IPv6 and the flow to "denied", which
			// only the ACL drops; to port 0: 3.
			want1 := 7
			if mode == modeACL {
				want1 = 6
				if n := statLine(t, out, "ACL deny"); n != 1 {
					t.Errorf("ACL deny: %d, want 1", n)
				}
			}
			for _, c := range []struct {
				name string
				want uint64
			}{{"No route", 2}, {"TTL expired", 1}, {"Bad IPv4 header", 1}, {"Not IP", 1}, {"Bad IPv6 header", 0}, {"TX queue full", 0}} {
				if got := statLine(t, out, c.name); got != c.want {
					t.Errorf("%s: %d, want %d", c.name, got, c.want)
				}
			}
			if len(out1) != want1 || len(out0) != 3 {
				t.Fatalf("port 0 sent %d packets, port 1 %d; want 3 and %d\n%s", len(out0), len(out1), want1, out)
			}
			if got := statLine(t, out, "Total packets sent"); got != uint64(want1+3) {
				t.Errorf("Total packets sent %d, want %d", got, want1+3)
			}
			mac0, mac1 := r.app.macs[0], r.app.macs[1] // net_pcap: 02:70:63:61:70:<device number>
			if mac0 == mac1 || [5]byte(mac0[:5]) != [5]byte{2, 0x70, 0x63, 0x61, 0x70} {
				t.Errorf("port MACs %s and %s", mac0, mac1)
			}
			check := func(f []byte, dst, src pkt.MAC, ttl uint8) {
				t.Helper()
				if pkt.MAC(f[0:6]) != dst || pkt.MAC(f[6:12]) != src {
					t.Errorf("MACs %s <- %s, want %s <- %s", pkt.MAC(f[0:6]), pkt.MAC(f[6:12]), dst, src)
				}
				ip := f[ethLen:]
				if ip[0]>>4 == 6 {
					if ip[ipv6HopLim] != ttl {
						t.Errorf("hop limit %d, want %d", ip[ipv6HopLim], ttl)
					}
					return
				}
				if ip[ipv4TTL] != ttl || !checksum.VerifyIPv4Header(ip[:20]) {
					t.Errorf("TTL %d (want %d), checksum valid %v", ip[ipv4TTL], ttl, checksum.VerifyIPv4Header(ip[:20]))
				}
			}
			for _, f := range out0 {
				check(f, pkt.MAC{2, 0, 0, 0, 0, 0}, mac0, 1)
			}
			v6 := 0
			for _, f := range out1 {
				want := uint8(63)
				if f[ethLen]>>4 == 6 {
					want = 6
					v6++
				}
				check(f, pkt.MAC{2, 0, 0, 0, 1, 1}, mac1, want)
			}
			if v6 != 1 {
				t.Errorf("%d IPv6 packets out of port 1, want 1", v6)
			}
		})
	}
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.cfg")
	os.WriteFile(bad, []byte("R1.2.3.4 0\n"), 0o644)
	for _, c := range []struct {
		name string
		args []string
		msg  string
	}{
		{"eal", []string{"--no-such-eal-option"}, "invalid EAL parameters"},
		{"app", []string{"--", "-p", "0"}, "invalid L3FWD parameters"},
		{"lcore", []string{"--", "-p", "0x1", "--config=(0,0,5)"}, "lcore 5 is not enabled"},
		{"port", []string{"--", "-p", "0x3", "--config=(1,0,0)"}, "port 1 is not present"},
		{"portmask", []string{"--", "-p", "0x1", "--config=(1,0,0)"}, "port 1 is not enabled in port mask"},
		{"queues", []string{"--", "-p", "0x1", "--config=(0,1,0)"}, "must be in sequence"},
		{"twice", []string{"--", "-p", "0x1", "--config=(0,0,0),(0,0,0)"}, "given to two lcores"},
		{"rules", []string{"--", "-p", "0x1", "--config=(0,0,0)", "--rule_ipv4=" + bad, "--rule_ipv6=" + bad}, "line 1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr testutil.SyncBuffer
			args := append([]string{"l3fwd", "--no-huge", "--in-memory", "--file-prefix", testutil.Prefix(t), "-l", "0", "--vdev", "net_null0"}, c.args...)
			if code := run(args, runEnv{stdout: &stdout, stderr: &stderr}); code == 0 || !strings.Contains(stderr.String(), c.msg) {
				t.Errorf("exit %d, stderr %q; want an error with %q", code, stderr.String(), c.msg)
			}
		})
	}
}
