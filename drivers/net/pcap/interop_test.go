package pcap_test

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"dpk/ethdev"
	"dpk/internal/testutil"
	"dpk/mbuf"
	"dpk/pcapng"
)

// TestDPDKInterop passes packets through DPDK 22.11's net_pcap (run by
// dpdk-testpmd in io forwarding) and dpk's, each reading the other's
// output:
//
//	in.pcap -> DPDK -> dpdk.pcap -> dpk -> dpk.pcap -> DPDK -> dpdk2.pcap
//
// and checks every file holds the same packets. It runs where dpdk-testpmd
// is installed, and fails under CI without it (CI installs dpdk-dev).
func TestDPDKInterop(t *testing.T) {
	bin, err := exec.LookPath("dpdk-testpmd")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("dpdk-testpmd not found; CI should install dpdk-dev")
		}
		t.Skip("dpdk-testpmd not installed")
	}
	if testutil.LcoreList() == "0" {
		t.Skip("testpmd needs two lcores: a main one and a forwarding one")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pcap")
	pkts := makePackets(300, 60, 64, 128, 1514, 1000, 4000, 9000, 2048, 2049)
	writeCapture(t, in, pcapng.FormatPcap, pkts)
	want := toCap(pkts)

	// DPDK writes a capture.
	dpdkOut := filepath.Join(dir, "dpdk.pcap")
	runTestpmd(t, bin, in, dpdkOut, len(want))
	got, r := readCapture(t, dpdkOut)
	comparePackets(t, "DPDK's output", want, got)
	if h := r.(*pcapng.PcapReader).Header(); !h.Nanosecond || h.LinkType != pcapng.LinkTypeEthernet {
		t.Errorf("DPDK's output header %+v", h)
	}

	// dpk reads DPDK's capture and writes its own.
	dpkOut := filepath.Join(dir, "dpk.pcap")
	testutil.InitEAL(t, "--in-memory", "--vdev", "net_pcap0,rx_pcap="+dpdkOut+",tx_pcap="+dpkOut)
	mp := newPool(t, "pool", 2047, mbuf.DefaultBufSize)
	startPort(t, 0, 1, 1, mp, nil)
	n := forwardAll(t, 0, true)
	s, _ := ethdev.StatsGet(0)
	ethdev.Close(0)
	var nbytes uint64
	for _, p := range want {
		nbytes += uint64(len(p.data))
	}
	if n != len(want) || s.IPackets != uint64(len(want)) || s.IBytes != nbytes || s.OBytes != nbytes {
		t.Errorf("dpk read %d packets of DPDK's capture (stats %d packets %d bytes), want %d packets %d bytes",
			n, s.IPackets, s.IBytes, len(want), nbytes)
	}
	got, _ = readCapture(t, dpkOut)
	comparePackets(t, "dpk's output", want, got)

	// DPDK reads dpk's capture.
	dpdkOut2 := filepath.Join(dir, "dpdk2.pcap")
	runTestpmd(t, bin, dpkOut, dpdkOut2, len(want))
	got, _ = readCapture(t, dpdkOut2)
	comparePackets(t, "DPDK's output from dpk's capture", want, got)
	t.Logf("%d packets, %d bytes, through DPDK, dpk and DPDK again", len(want), nbytes)
}

var testpmdSeq int

// runTestpmd forwards the packets of in to out with DPDK's testpmd and
// net_pcap. testpmd runs non-interactively: it forwards until a line on its
// standard input, sent once out holds n packets.
func runTestpmd(t *testing.T, bin, in, out string, n int) {
	t.Helper()
	testpmdSeq++
	prefix := fmt.Sprintf("dpk_pcap_interop_%d_%d", os.Getpid(), testpmdSeq)
	t.Cleanup(func() {
		// --no-shconf leaves an empty runtime directory behind.
		os.RemoveAll(filepath.Join("/var/run/dpdk", prefix))
		if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
			os.RemoveAll(filepath.Join(d, "dpdk", prefix))
		}
	})
	cmd := exec.Command(bin, "--no-huge", "-m", "256", "--no-pci", "--no-shconf", "-l", testutil.LcoreList(),
		"--file-prefix", prefix, "--vdev", "net_pcap0,rx_pcap="+in+",tx_pcap="+out,
		"--", "--no-flush-rx", "--total-num-mbufs=2048", "--forward-mode=io", "--rxq=1", "--txq=1")
	var output testutil.SyncBuffer
	cmd.Stdout, cmd.Stderr = &output, &output
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	fail := func(format string, args ...any) {
		t.Helper()
		cmd.Process.Kill()
		<-exited
		t.Fatalf("%s\ntestpmd %s\noutput:\n%s", fmt.Sprintf(format, args...), strings.Join(cmd.Args, " "), output.String())
	}
	deadline := time.Now().Add(30 * time.Second)
	for have := 0; have < n; have = countPackets(out) {
		select {
		case err := <-exited:
			t.Fatalf("testpmd exited early (%v) with %d of %d packets written\noutput:\n%s", err, have, n, output.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			fail("%d of %d packets written after 30 s", have, n)
		}
	}
	io.WriteString(stdin, "\n")
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("testpmd: %v\noutput:\n%s", err, output.String())
		}
	case <-time.After(20 * time.Second):
		fail("testpmd did not exit")
	}
	// testpmd's own count.
	m := regexp.MustCompile(`(?s)Accumulated forward statistics.*?RX-packets: (\d+).*?TX-packets: (\d+)`).FindStringSubmatch(output.String())
	if m == nil {
		t.Fatalf("no forward statistics in testpmd's output:\n%s", output.String())
	}
	rx, _ := strconv.Atoi(m[1])
	tx, _ := strconv.Atoi(m[2])
	if rx != n || tx != n {
		t.Errorf("testpmd forwarded rx %d tx %d, want %d", rx, tx, n)
	}
}

// countPackets returns how many whole packets a capture being written holds.
func countPackets(path string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	r, err := pcapng.NewReader(f)
	if err != nil {
		return 0
	}
	n := 0
	for {
		if _, _, err := r.ReadPacket(); err != nil {
			return n
		}
		n++
	}
}
