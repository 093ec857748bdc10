package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Helpers for the kernel lab's network: they run the ip command from
// iproute2 and write sysctls, and switch OS threads into namespaces.

// ipTimeout bounds every ip command, so that a wedged one cannot keep the
// lab from tearing down.
const ipTimeout = 10 * time.Second

// ip runs `ip args...` and returns an error with its output when it fails.
func ip(args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), ipTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return nil
}

// haveIP reports whether the ip command is installed.
func haveIP() bool {
	_, err := exec.LookPath("ip")
	return err == nil
}

// netnsPath is where `ip netns add` mounts a namespace.
func netnsPath(name string) string { return filepath.Join("/run/netns", name) }

// enterNetns switches the calling OS thread, which the caller has locked
// with runtime.LockOSThread, into the named namespace. back switches it
// home; when back fails the caller must leave the thread locked so that it
// ends with its goroutine.
func enterNetns(name string) (back func() error, err error) {
	home, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		return nil, err
	}
	target, err := os.Open(netnsPath(name))
	if err != nil {
		home.Close()
		return nil, err
	}
	defer target.Close()
	if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
		home.Close()
		return nil, fmt.Errorf("setns %s: %w", name, err)
	}
	return func() error {
		defer home.Close()
		return unix.Setns(int(home.Fd()), unix.CLONE_NEWNET)
	}, nil
}

// inNetns runs fn on an OS thread switched into the named namespace ("" is
// the lab's own) and returns its error.
func inNetns(name string, fn func() error) error {
	if name == "" {
		return fn()
	}
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		back, err := enterNetns(name)
		if err != nil {
			runtime.UnlockOSThread()
			errc <- err
			return
		}
		err = fn()
		if berr := back(); berr == nil {
			runtime.UnlockOSThread()
		} // else the thread ends with this goroutine
		errc <- err
	}()
	return <-errc
}

// sysctl writes /proc/sys/<key> as the namespace ns sees it.
func sysctl(ns, key, value string) error {
	p := filepath.Join("/proc/sys", key)
	return inNetns(ns, func() error {
		if err := os.WriteFile(p, []byte(value), 0o644); err != nil {
			return fmt.Errorf("sysctl %s=%s: %w", key, value, err)
		}
		return nil
	})
}

// waitRunning waits (at most 5 s) until an interface of the lab's
// namespace is up with a carrier.
func waitRunning(ifname string) error {
	end := time.Now().Add(5 * time.Second)
	for {
		ifc, err := net.InterfaceByName(ifname)
		if err != nil {
			return err
		}
		if ifc.Flags&net.FlagRunning != 0 {
			return nil
		}
		if time.Now().After(end) {
			return fmt.Errorf("%s has no carrier after 5 s (flags %v)", ifname, ifc.Flags)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// listNetns returns the names of the namespaces under /run/netns.
func listNetns() []string {
	ents, _ := os.ReadDir("/run/netns")
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

// listLinks returns the names of the interfaces of the lab's namespace.
func listLinks() []string {
	ifs, _ := net.Interfaces()
	var out []string
	for _, ifc := range ifs {
		out = append(out, ifc.Name)
	}
	return out
}
