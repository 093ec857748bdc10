package eal_test

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dpk/eal"
	"dpk/internal/testutil"
)

// TestDPDKPrimarySamePrefix runs DPDK's dpdk-test as a primary and starts
// dpk processes with the same --file-prefix: dpk must see DPDK's lock, refuse
// to become a second primary, refuse to attach to a configuration that is
// not its own, and leave DPDK's file alone.
func TestDPDKPrimarySamePrefix(t *testing.T) {
	bin, err := exec.LookPath("dpdk-test")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("dpdk-test not found; .ci/run installs dpdk-dev")
		}
		t.Skip("dpdk-test (Debian's dpdk-dev) is not installed")
	}
	prefix := testutil.Prefix(t)
	cmd := exec.Command(bin, "--no-huge", "-m", "64", "--no-pci", "-l", "0", "--no-telemetry",
		"--file-prefix", prefix)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		os.RemoveAll(eal.RuntimeDir(prefix))
	})
	// dpdk-test prints its prompt once the EAL is up.
	ready := make(chan bool, 1)
	go func() {
		r := bufio.NewReader(stdout)
		var seen []byte
		for {
			b, err := r.ReadByte()
			if err != nil {
				ready <- false
				return
			}
			seen = append(seen, b)
			if bytes.Contains(seen, []byte("RTE>>")) {
				ready <- true
				r.WriteTo(discard{})
				return
			}
		}
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatalf("dpdk-test exited before its prompt: %s", stderr.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("dpdk-test did not start in 60 s: %s", stderr.String())
	}
	cfgPath := filepath.Join(eal.RuntimeDir(prefix), "config")
	before, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatalf("DPDK's config: %v", err)
	}

	out, code := child(t, "--no-huge -l 1 --proc-type primary --file-prefix "+prefix)
	if code == 0 || !strings.Contains(out, "already running") {
		t.Errorf("dpk primary beside a DPDK primary: %q (exit %d)", out, code)
	}
	out, code = child(t, "--no-huge -l 1 --proc-type auto --file-prefix "+prefix)
	if code == 0 || !strings.Contains(out, "not a dpk process") {
		t.Errorf("dpk auto beside a DPDK primary: %q (exit %d)", out, code)
	}
	after, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("dpk changed DPDK's configuration file")
	}
	if cmd.ProcessState != nil {
		t.Errorf("dpdk-test exited: %s", stderr.String())
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
