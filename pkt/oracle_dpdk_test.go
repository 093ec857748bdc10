package pkt_test

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dpk/eal"
	"dpk/mbuf"
	"dpk/mempool"
	"dpk/pkt"
)

// ptOracleFrame says where an oracle packet comes from.
type ptOracleFrame struct {
	file  string // capture path below pcaps/, or "synthetic"
	frame int    // 1-based frame number in the file
	name  string // the ptCases name of a synthetic packet
}

func (f ptOracleFrame) String() string {
	if f.name != "" {
		return fmt.Sprintf("%s %d (%s)", f.file, f.frame, f.name)
	}
	return fmt.Sprintf("%s %d", f.file, f.frame)
}

// ptOraclePackets returns the packets both oracles run: the hand-built
// ptCases, then every frame of every Ethernet capture. Captures of other
// link types are listed in skipped.
func ptOraclePackets(t *testing.T, withCaptures bool) (pkts [][]byte, frames []ptOracleFrame, files int, skipped []string) {
	for i, c := range ptCases {
		if len(c.data) == 0 {
			continue // pcap readers drop empty records
		}
		pkts = append(pkts, c.data)
		frames = append(frames, ptOracleFrame{file: "synthetic", frame: i + 1, name: c.name})
	}
	if !withCaptures {
		return pkts, frames, 0, nil
	}
	for _, c := range ptCaptures(t) {
		if c.linkType != 1 {
			skipped = append(skipped, fmt.Sprintf("%s (link type %d)", c.name, c.linkType))
			continue
		}
		files++
		for i, p := range c.packets {
			pkts = append(pkts, p)
			frames = append(frames, ptOracleFrame{file: c.name, frame: i + 1})
		}
	}
	return pkts, frames, files, skipped
}

// ptOracleMbuf copies p into a chain of mbufs of at most 2048 bytes each.
func ptOracleMbuf(t testing.TB, mp *mempool.Mempool, p []byte) *mbuf.Mbuf {
	var cuts []int
	for c := 2048; c < len(p); c += 2048 {
		cuts = append(cuts, c)
	}
	return ptMbuf(t, mp, p, cuts...)
}

// ptTestpmdLens formats a result as testpmd's verbose RX line does after
// "sw ptype: ".
func ptTestpmdLens(p uint32, hl pkt.HdrLens) string {
	var b strings.Builder
	b.WriteString(pkt.PtypeName(p))
	for _, f := range []struct {
		mask uint32
		name string
		v    int
	}{
		{pkt.PtypeL2Mask, "l2_len", int(hl.L2Len)},
		{pkt.PtypeL3Mask, "l3_len", int(hl.L3Len)},
		{pkt.PtypeL4Mask, "l4_len", int(hl.L4Len)},
		{pkt.PtypeTunnelMask, "tunnel_len", int(hl.TunnelLen)},
		{pkt.PtypeInnerL2Mask, "inner_l2_len", int(hl.InnerL2Len)},
		{pkt.PtypeInnerL3Mask, "inner_l3_len", int(hl.InnerL3Len)},
		{pkt.PtypeInnerL4Mask, "inner_l4_len", int(hl.InnerL4Len)},
	} {
		if p&f.mask != 0 {
			fmt.Fprintf(&b, " - %s=%d", f.name, f.v)
		}
	}
	return b.String()
}

// TestPtypeDPDKOracle feeds the hand-built packets and every Ethernet
// capture to DPDK 22.11's dpdk-testpmd (net_pcap, rxonly, verbose) and
// compares each "sw ptype: ..." line, which testpmd computes with
// rte_net_get_ptype(m, &hdr_lens, RTE_PTYPE_ALL_MASK), with GetPtype's
// result printed the same way. It runs where dpdk-testpmd is installed and
// fails without it when CI is set.
func TestPtypeDPDKOracle(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	bin, err := exec.LookPath("dpdk-testpmd")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("dpdk-testpmd not found and CI is set (install dpdk-dev)")
		}
		t.Skip("dpdk-testpmd not installed")
	}
	all, allFrames, files, skipped := ptOraclePackets(t, ptHaveCaptures())
	// testpmd's verbose dump dereferences the Ethernet header that
	// rte_pktmbuf_read returns without checking it: shorter packets crash it.
	var pkts [][]byte
	var frames []ptOracleFrame
	for i, p := range all {
		if len(p) >= 14 {
			pkts = append(pkts, p)
			frames = append(frames, allFrames[i])
		}
	}
	// and mutants of them: a differential fuzz against DPDK itself
	mutants := ptMutants(pkts, 4000)
	for i, p := range mutants {
		pkts = append(pkts, p)
		frames = append(frames, ptOracleFrame{file: "mutant", frame: i + 1})
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pcap")
	if err := ptWritePcap(in, pkts); err != nil {
		t.Fatal(err)
	}
	lines, err := ptRunTestpmd(bin, in, len(pkts), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != len(pkts) {
		t.Fatalf("testpmd printed %d sw ptype lines for %d packets", len(lines), len(pkts))
	}

	mp := ptPool(t, 128)
	bad := 0
	for i, p := range pkts {
		m := ptOracleMbuf(t, mp, p)
		var hl pkt.HdrLens
		got := ptTestpmdLens(pkt.GetPtype(m, &hl, pkt.PtypeAllMask), hl)
		m.Free(eal.LcoreIDAny)
		if got != lines[i] {
			bad++
			t.Errorf("%v: GetPtype %q, DPDK %q", frames[i], got, lines[i])
		}
	}
	t.Logf("DPDK oracle: %d packets: the hand-built cases, %d captures (skipped %v) and %d mutants of them; %d differ",
		len(pkts), files, skipped, len(mutants), bad)
}

// ptMutants returns n packets made from pkts by a fixed pseudo-random
// sequence of changes to their first 64 bytes: byte values that steer the
// parsers (EtherTypes, IP versions, protocols, flags, ports), random
// bytes, and cuts. None is shorter than 14 bytes.
func ptMutants(pkts [][]byte, n int) [][]byte {
	rng := rand.New(rand.NewPCG(1, 2))
	steer := []byte{0x08, 0x00, 0x81, 0x00, 0x88, 0xa8, 0x86, 0xdd, 0x88, 0x47, 0x65, 0x58,
		0x45, 0x46, 0x4f, 0x60, 0x00, 0x2b, 0x2c, 0x3c, 0x3b, 0x32, 0x33, 0x04, 0x29, 0x2f, 0x06, 0x11,
		0x84, 0x20, 0x80, 0x40, 0x12, 0xb5, 0x17, 0xc1, 0x08, 0x68, 0xff}
	out := make([][]byte, 0, n)
	for len(out) < n {
		p := append([]byte(nil), pkts[rng.IntN(len(pkts))]...)
		if len(p) < 14 {
			continue
		}
		for range 1 + rng.IntN(4) {
			i := rng.IntN(min(len(p), 64))
			if rng.IntN(2) == 0 {
				p[i] = steer[rng.IntN(len(steer))]
			} else {
				p[i] = byte(rng.Uint32())
			}
		}
		if rng.IntN(4) == 0 {
			p = p[:14+rng.IntN(len(p)-13)]
		}
		out = append(out, p)
	}
	return out
}

// ptHaveCaptures reports whether the shared captures are there.
func ptHaveCaptures() bool {
	dir, _ := filepath.Abs(".")
	for {
		if _, err := os.Stat(filepath.Join(dir, "shared", "data", "pcaps")); err == nil {
			return true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return false
		}
		dir = parent
	}
}

// ptRunTestpmd runs testpmd over the pcap file and returns, in order, what
// it prints after "sw ptype: " for each received packet.
func ptRunTestpmd(bin, pcap string, n int, dir string) ([]string, error) {
	prefix := fmt.Sprintf("dpkpt%d", os.Getpid())
	defer func() {
		// the EAL's runtime directory for this file prefix
		os.RemoveAll(filepath.Join("/var/run/dpdk", prefix))
		if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
			os.RemoveAll(filepath.Join(d, "dpdk", prefix))
		}
	}()
	args := []string{bin, "--no-huge", "-m", "256", "--no-pci", "-l", "0-1",
		"--log-level", "lib.eal:error", "--file-prefix", prefix,
		"--vdev", "net_pcap0,rx_pcap=" + pcap + ",tx_pcap=" + filepath.Join(dir, "out.pcap"),
		"--", "-i", "--total-num-mbufs=4096"}
	// testpmd's stdout is a pipe, so block-buffered: the last lines would
	// come only at exit. stdbuf makes it line-buffered so that we know when
	// every packet is in; without it we wait for a quiet spell.
	if sb, err := exec.LookPath("stdbuf"); err == nil {
		args = append([]string{sb, "-oL"}, args...)
	}
	cmd := exec.Command(args[0], args[1:]...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	io.WriteString(stdin, "set verbose 1\nset fwd rxonly\nstart\n")
	type result struct {
		lines []string
		err   error
	}
	done := make(chan result, 1)
	lineSeen := make(chan struct{}, 1)
	go func() {
		var lines []string
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		quit := false
		for sc.Scan() {
			l := sc.Text()
			i := strings.Index(l, " - sw ptype: ")
			if i < 0 {
				continue
			}
			l = l[i+len(" - sw ptype: "):]
			if j := strings.Index(l, " - Receive queue="); j >= 0 {
				l = l[:j]
			}
			lines = append(lines, l)
			select {
			case lineSeen <- struct{}{}:
			default:
			}
			if len(lines) == n && !quit {
				quit = true
				io.WriteString(stdin, "stop\nquit\n")
			}
		}
		done <- result{lines, sc.Err()}
	}()
	var r result
	deadline := time.After(60 * time.Second)
	quiet := time.NewTimer(5 * time.Second)
wait:
	for {
		select {
		case r = <-done:
			break wait
		case <-lineSeen:
			quiet.Reset(3 * time.Second)
		case <-quiet.C:
			io.WriteString(stdin, "stop\nquit\n")
		case <-deadline:
			cmd.Process.Kill()
			r = <-done
			r.err = fmt.Errorf("testpmd timed out after %d of %d packets; stderr: %s", len(r.lines), n, stderr.String())
			break wait
		}
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil && r.err == nil && len(r.lines) != n {
		r.err = fmt.Errorf("testpmd: %v; stderr: %s", err, stderr.String())
	}
	return r.lines, r.err
}
