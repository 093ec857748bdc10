package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal pair (posix_openpt, unlockpt, ptsname).
func openPTY() (master, slave *os.File, err error) {
	master, err = os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, err
	}
	fd := int(master.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		master.Close()
		return nil, nil, fmt.Errorf("unlockpt: %w", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		master.Close()
		return nil, nil, fmt.Errorf("ptsname: %w", err)
	}
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		master.Close()
		return nil, nil, err
	}
	unix.IoctlSetWinsize(int(slave.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 50, Col: 200})
	return master, slave, nil
}

// TestInteractiveTerminal drives the prompt on a real terminal: line
// editing, history, the DPDK outputs of show port info, start and stop.
func TestInteractiveTerminal(t *testing.T) {
	master, slave, err := openPTY()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer master.Close()
	args := append(ealArgs(t, "net_null0", "net_null1"), "--", "-i", "--total-num-mbufs=8192", "--no-flush-rx")
	cmd := exec.Command(testpmdBinary(t), args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	slave.Close()
	defer cmd.Process.Kill()
	var out lockedBuffer
	go io.Copy(&out, master)

	send := func(s string) {
		if _, err := master.WriteString(s); err != nil {
			t.Fatal(err)
		}
	}
	prompts := 1
	waitFor(t, &out, "testpmd> ", prompts, 60*time.Second)
	command := func(line string) string {
		before := len(out.String())
		send(line + "\r")
		prompts++
		waitFor(t, &out, "testpmd> ", prompts, 30*time.Second)
		return out.String()[before:]
	}

	info := command("show port info 0")
	for _, want := range []string{
		"\r\n********************* Infos for port 0  *********************\r\nMAC address: ",
		"\r\nDevice name: net_null0\r\nDriver name: net_null\r\n",
		"Link status: up\r\nLink speed: 10 Gbps\r\nLink duplex: full-duplex\r\n",
		"Promiscuous mode: enabled\r\n",
		"Current number of RX queues: 1\r\n",
	} {
		if !strings.Contains(info, want) {
			t.Errorf("show port info lacks %q:\n%q", want, info)
		}
	}
	// Line editing: "saxx", erase two, "rt", three left, insert "t": "start".
	edited := command("saxx\x7f\x7frt\x1b[D\x1b[D\x1b[Dt")
	if !strings.Contains(edited, "io packet forwarding - ports=2 - cores=1 - streams=2") {
		t.Errorf("edited line did not run start:\n%q", edited)
	}
	stop := command("stop")
	for _, want := range []string{
		"Telling cores to stop...\r\nWaiting for lcores to finish...\r\n",
		"  ---------------------- Forward statistics for port 1  ----------------------\r\n",
		"  +++++++++++++++ Accumulated forward statistics for all ports+++++++++++++++\r\n",
		"\r\nDone.\r\n",
	} {
		if !strings.Contains(stop, want) {
			t.Errorf("stop lacks %q:\n%q", want, stop)
		}
	}
	// History: up arrow twice brings back "start" (edited), up once "stop".
	again := command("\x1b[A\x1b[A")
	if !strings.Contains(again, "io packet forwarding - ports=2") {
		t.Errorf("history did not recall start:\n%q", again)
	}
	command("stop")
	if unknown := command("frobnicate"); !strings.Contains(unknown, "Command not found") {
		t.Errorf("unknown command: %q", unknown)
	}
	send("quit\r")
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit: %v\n%s", err, out.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("no exit after quit:\n%s", out.String())
	}
	time.Sleep(100 * time.Millisecond)
	if s := out.String(); !strings.Contains(s, "Bye...") {
		t.Errorf("no Bye... at the end:\n%q", s)
	}
}

// TestInteractiveSIGINT: a signal at the prompt ends the program cleanly,
// stopping forwarding first.
func TestInteractiveSIGINT(t *testing.T) {
	args := append(ealArgs(t, "net_null0", "net_null1"), "--", "-i", "--auto-start", "--total-num-mbufs=8192", "--no-flush-rx")
	cmd := exec.Command(testpmdBinary(t), args...)
	// An open, silent stdin: the prompt waits on it.
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pw.Close()
	cmd.Stdin = pr
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pr.Close()
	defer cmd.Process.Kill()
	waitFor(t, &out, "testpmd> ", 1, 60*time.Second)
	if !strings.Contains(out.String(), "Auto-start selected\n") || !strings.Contains(out.String(), "Start automatic packet forwarding\n") {
		t.Errorf("no auto-start:\n%s", out.String())
	}
	time.Sleep(200 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit: %v\n%s", err, out.String())
	}
	if rx, _ := forwardTotals(t, out.String()); rx == 0 {
		t.Errorf("nothing forwarded")
	}
	if !strings.HasSuffix(out.String(), "\nBye...\n") {
		t.Errorf("output does not end with Bye...:\n%s", out.String())
	}
}
