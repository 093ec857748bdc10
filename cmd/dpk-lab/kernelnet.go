package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync/atomic"

	"dpk/ethdev"
)

// The kernel lab: two network namespaces on one subnet, A (10.N.0.1) and B
// (10.N.0.2), each joined to the lab's own namespace by a link whose near
// end is a dpk port:
//
//	netns A: dlP_Npa 10.N.0.1 ─ veth ─ dlP_Na  [dpk port 0]
//	                                               │ io forward
//	netns B: dlP_Npb 10.N.0.2 ─ veth ─ dlP_Nb  [dpk port 1]
//
// The near ends have no address, no ARP and no IPv6, so the lab's
// namespace neither sends on them nor routes what arrives. Static
// neighbour entries (A knows B's MAC, B knows A's) keep ARP off the wire:
// dpk forwards frames unchanged and every frame already carries the right
// destination MAC. With the tap driver the links are the tap interfaces
// the driver creates, moved into the namespaces, and there is no veth.

// Drivers of the kernel lab: the --driver value, the vdev driver and the
// devargs it gets besides iface.
var kernelDrivers = map[string]struct{ vdev, extra string }{
	"af_xdp":    {"net_af_xdp", ""},
	"af_packet": {"net_af_packet", ",framecnt=8192"},
	"tap":       {"net_tap", ""},
}

var labSeq atomic.Uint32

// topoNames are the names of one run's namespaces and interfaces.
type topoNames struct {
	ns    [2]string // namespaces A and B
	near  [2]string // the dpk ports' interfaces (veth near ends or taps)
	far   [2]string // the veth ends inside the namespaces (tap: = near)
	ip    [2]netip.Addr
	mac   [2]net.HardwareAddr // of the far ends
	plen  int
	owner int // pid
}

func newTopoNames() topoNames {
	pid := os.Getpid()
	n := labSeq.Add(1)
	base := fmt.Sprintf("dl%d_%d", pid, n)
	sub := byte(20 + (pid+int(n))%200)
	t := topoNames{plen: 24, owner: pid}
	for i, s := range []string{"a", "b"} {
		t.ns[i] = fmt.Sprintf("dpklab%d_%d%s", pid, n, s)
		t.near[i] = base + s
		t.far[i] = base + "p" + s
		t.ip[i] = netip.AddrFrom4([4]byte{10, sub, 0, byte(1 + i)})
		t.mac[i] = net.HardwareAddr{0x02, 0x64, 0x6c, byte(pid >> 8), byte(pid), byte(0xa0 + i)}
	}
	return t
}

// kernelNet is a built kernel lab. Close tears it down.
type kernelNet struct {
	names    topoNames
	driver   string // the vdev driver in use
	ports    [2]uint16
	teardown []func() error
	cpus     []int // where the sender and receiver threads run
	udp      *udpPair
	log      io.Writer
}

// driverRegistered reports whether a vdev driver is compiled in.
func driverRegistered(name string) bool {
	for _, d := range ethdev.Drivers() {
		if d == name {
			return true
		}
	}
	return false
}

// resolveDriver returns the --driver value to use: driver itself when its
// vdev driver is compiled in, else af_packet, with a line on log saying so.
func resolveDriver(driver string, log io.Writer) (string, error) {
	d, ok := kernelDrivers[driver]
	if !ok {
		return "", fmt.Errorf("unknown driver %q (af_xdp, af_packet, tap or ring)", driver)
	}
	if !driverRegistered(d.vdev) {
		fmt.Fprintf(log, "dpk-lab: driver %s (--driver %s) is not in this build: falling back to net_af_packet\n", d.vdev, driver)
		return "af_packet", nil
	}
	return driver, nil
}

// newKernelNet builds the namespaces and links and probes the two dpk
// ports with the driver named by --driver (af_packet when that driver is
// not in this build). On error, or when ctx ends, everything built so far
// is removed.
func newKernelNet(ctx context.Context, driver string, log io.Writer) (_ *kernelNet, err error) {
	driver, err = resolveDriver(driver, log)
	if err != nil {
		return nil, err
	}
	d := kernelDrivers[driver]
	for _, r := range removeStale() {
		fmt.Fprintf(log, "dpk-lab: removed %s left by an earlier run\n", r)
	}
	k := &kernelNet{names: newTopoNames(), driver: d.vdev, log: log}
	defer func() {
		if err != nil {
			k.Close()
		}
	}()
	step := func(undo func() error, err error) error {
		if undo != nil {
			k.teardown = append(k.teardown, undo)
		}
		if err != nil {
			return err
		}
		return ctx.Err()
	}
	t := &k.names
	for i := range t.ns {
		ns := t.ns[i]
		if err := step(func() error { return ip("netns", "del", ns) }, ip("netns", "add", ns)); err != nil {
			return nil, err
		}
	}
	probe := func(i int) error {
		dev := fmt.Sprintf("%s%d,iface=%s%s", d.vdev, i, t.near[i], d.extra)
		err := ethdev.Probe(dev)
		if err == nil {
			name, _, _ := strings.Cut(dev, ",")
			k.ports[i], err = ethdev.PortByName(name)
			port := k.ports[i]
			return step(func() error { ethdev.Stop(port); return ethdev.Close(port) }, err)
		}
		return err
	}
	if driver == "tap" {
		// The driver creates the tap interface; it goes into the namespace.
		for i := range t.ns {
			t.far[i] = t.near[i]
			ns, dev := t.ns[i], t.far[i]
			// Undone after the port closes (which may remove it already).
			step(func() error { return ipDelIfExists("-n", ns, "link", "del", "dev", dev) }, nil)
			if err := probe(i); err != nil {
				return nil, err
			}
			if err := step(nil, ip("link", "set", "dev", dev, "netns", ns)); err != nil {
				return nil, err
			}
		}
	} else {
		for i := range t.ns {
			near := t.near[i]
			err := ip("link", "add", near, "type", "veth", "peer", "name", t.far[i], "netns", t.ns[i])
			if err := step(func() error { return ipDelIfExists("link", "del", "dev", near) }, err); err != nil {
				return nil, err
			}
			for _, c := range []struct{ key, val string }{
				{"net/ipv6/conf/" + near + "/disable_ipv6", "1"},
				{"net/ipv4/conf/" + near + "/forwarding", "0"},
			} {
				if err := sysctl("", c.key, c.val); err != nil {
					return nil, err
				}
			}
			if err := step(nil, ip("link", "set", "dev", near, "arp", "off", "up")); err != nil {
				return nil, err
			}
		}
	}
	for i := range t.ns {
		ns, far := t.ns[i], t.far[i]
		for _, e := range []error{
			ip("-n", ns, "link", "set", "dev", far, "address", t.mac[i].String()),
			sysctl(ns, "net/ipv6/conf/"+far+"/disable_ipv6", "1"),
			ip("-n", ns, "addr", "add", fmt.Sprintf("%v/%d", t.ip[i], t.plen), "dev", far),
			ip("-n", ns, "link", "set", "dev", far, "up"),
			ip("-n", ns, "link", "set", "dev", "lo", "up"),
			ip("-n", ns, "neigh", "replace", t.ip[1-i].String(), "lladdr", t.mac[1-i].String(), "dev", far, "nud", "permanent"),
		} {
			if err := step(nil, e); err != nil {
				return nil, err
			}
		}
	}
	if driver != "tap" {
		for i := range t.near {
			if err := step(nil, waitRunning(t.near[i])); err != nil {
				return nil, err
			}
			if err := probe(i); err != nil {
				return nil, err
			}
		}
	}
	return k, nil
}

// ipDelIfExists runs an ip delete command; an interface already gone is
// not an error.
func ipDelIfExists(args ...string) error {
	err := ip(args...)
	if err != nil && (strings.Contains(err.Error(), "Cannot find device") || strings.Contains(err.Error(), "No such")) {
		return nil
	}
	return err
}

func (k *kernelNet) describe() string {
	t := k.names
	return fmt.Sprintf("%s: UDP %v (netns %s) -> %s -> dpk port %d => io fwd => dpk port %d -> %s -> %v (netns %s)",
		k.driver, t.ip[0], t.ns[0], t.near[0], k.ports[0], k.ports[1], t.near[1], t.ip[1], t.ns[1])
}

func (k *kernelNet) driverName() string { return k.driver }

func (k *kernelNet) portIDs() (uint16, uint16) { return k.ports[0], k.ports[1] }

func (k *kernelNet) created() []string {
	t := k.names
	return []string{t.ns[0], t.ns[1], t.near[0], t.near[1]}
}

func (k *kernelNet) frameLen(size int) int { return size + udpOverhead }

func (k *kernelNet) start(m *meter, tr traffic) error {
	u, err := startUDP(m, tr, k.names.ns[0], k.names.ns[1], k.names.ip[0], k.names.ip[1], k.cpus)
	if err != nil {
		return err
	}
	k.udp = u
	return nil
}

func (k *kernelNet) stopSending() error {
	if k.udp == nil {
		return nil
	}
	return k.udp.stopSending()
}

func (k *kernelNet) stopReceiving() error {
	if k.udp == nil {
		return nil
	}
	err := k.udp.stopReceiving()
	k.udp = nil
	return err
}

// Close stops the traffic, closes the ports and removes the interfaces and
// namespaces, in the reverse order of their making. It tries every step
// and returns the errors joined.
func (k *kernelNet) Close() error {
	var errs []error
	if k.udp != nil {
		k.udp.stopSending()
		k.udp.stopReceiving()
		k.udp = nil
	}
	for i := len(k.teardown) - 1; i >= 0; i-- {
		if err := k.teardown[i](); err != nil {
			errs = append(errs, err)
		}
	}
	k.teardown = nil
	return errors.Join(errs...)
}
