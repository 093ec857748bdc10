package main

import (
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"dpk/eal"
	"dpk/internal/testutil"
)

// Helpers of the tests that run DPDK 22.11's own tools (Debian's dpdk-dev:
// dpdk-testpmd, dpdk-telemetry.py) next to the dpk-testpmd binary.

const (
	dpdkTestpmd     = "/usr/bin/dpdk-testpmd"
	dpdkTelemetryPy = "/usr/bin/dpdk-telemetry.py"
)

// needTool returns the path of an external tool. When it is missing the
// test is skipped, or fails under CI, which installs it.
func needTool(t *testing.T, name, hint string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s: %v (CI installs it: %s)", name, err, hint)
	}
	t.Skipf("%s: %v (%s)", name, err, hint)
	return ""
}

// needDPDKTool is needTool for a tool of Debian's dpdk-dev.
func needDPDKTool(t *testing.T, path string) string {
	t.Helper()
	return needTool(t, path, "apt-get install dpdk-dev")
}

// sharedPcapDir returns the shared captures' directory.
func sharedPcapDir(t *testing.T) string { return testutil.SharedData(t, "pcaps") }

// cleanRuntimeDir removes, when the test ends, the runtime directory of a
// file prefix: DPDK's tools leave theirs behind (config, fbarrays).
func cleanRuntimeDir(t *testing.T, prefix string) {
	t.Cleanup(func() {
		if prefix == "" || strings.ContainsAny(prefix, "/.") {
			return
		}
		os.RemoveAll(eal.RuntimeDir(prefix))
	})
}

// toolEnv is the environment of the DPDK tools: without RUNTIME_DIRECTORY,
// which dpdk-telemetry.py would look in first while neither EAL does.
func toolEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "RUNTIME_DIRECTORY=") {
			env = append(env, kv)
		}
	}
	return env
}

// interopLcores are the lcore options of the tools: two lcores, the main
// one and a forwarding one, on two CPUs when there are two, else both on
// the one CPU (testpmd needs a forwarding lcore).
func interopLcores() []string {
	l := testutil.LcoreList()
	if strings.Contains(l, ",") {
		return []string{"-l", l}
	}
	return []string{"--lcores", "0@" + l + ",1@" + l}
}

// proc is a testpmd (DPDK's or dpk's) running with its standard input on
// a pipe and its outputs collected.
type proc struct {
	t        *testing.T
	name     string
	cmd      *exec.Cmd
	stdin    io.WriteCloser
	out, err lockedBuffer
	done     chan struct{}
	waitErr  error
}

// startProc starts argv[0] with argv[1:]; it is killed if the test ends
// before it exits.
func startProc(t *testing.T, name string, argv ...string) *proc {
	t.Helper()
	p := &proc{t: t, name: name, done: make(chan struct{})}
	p.cmd = exec.Command(argv[0], argv[1:]...)
	p.cmd.Env = toolEnv()
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.err
	w, err := p.cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.stdin = w
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	go func() {
		p.waitErr = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// send writes to the process's standard input.
func (p *proc) send(s string) {
	p.t.Helper()
	if _, err := io.WriteString(p.stdin, s); err != nil {
		p.t.Fatalf("%s: write %q: %v\nstdout:\n%s\nstderr:\n%s", p.name, s, err, p.out.String(), p.err.String())
	}
}

// waitOut waits until stdout holds n copies of s.
func (p *proc) waitOut(s string, n int, timeout time.Duration) {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	for strings.Count(p.out.String(), s) < n {
		select {
		case <-p.done:
			if strings.Count(p.out.String(), s) >= n {
				return
			}
			p.t.Fatalf("%s exited (%v) before printing %d× %q\nstdout:\n%s\nstderr:\n%s", p.name, p.waitErr, n, s, tail(p.out.String(), 4000), p.err.String())
		default:
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s: no %d× %q after %v\nstdout:\n%s\nstderr:\n%s", p.name, n, s, timeout, tail(p.out.String(), 4000), p.err.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// wait waits for the process to exit by itself and fails the test if it
// does not, or exits with an error.
func (p *proc) wait(timeout time.Duration) {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(timeout):
		p.cmd.Process.Kill()
		<-p.done
		p.t.Fatalf("%s: no exit after %v\nstdout:\n%s\nstderr:\n%s", p.name, timeout, tail(p.out.String(), 4000), p.err.String())
	}
	if p.waitErr != nil {
		p.t.Fatalf("%s: %v\nstdout:\n%s\nstderr:\n%s", p.name, p.waitErr, tail(p.out.String(), 4000), p.err.String())
	}
}

// quit closes standard input after sending the commands and waits.
func (p *proc) quit(cmds string, timeout time.Duration) {
	p.t.Helper()
	p.send(cmds)
	p.stdin.Close()
	p.wait(timeout)
}

// interrupt sends SIGINT and waits for the exit.
func (p *proc) interrupt(timeout time.Duration) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil {
		p.t.Fatalf("%s: SIGINT: %v", p.name, err)
	}
	p.wait(timeout)
}

// tail returns the end of a long output.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "...\n" + s[len(s)-n:]
}
