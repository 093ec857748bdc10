package afxdp

import (
	"fmt"
	"strings"

	"dpk/ethdev"

	"golang.org/x/sys/unix"
)

// Devargs keys and defaults, DPDK 22.11's.
const (
	argIface      = "iface"
	argStartQueue = "start_queue"
	argQueueCount = "queue_count"
	argSharedUmem = "shared_umem"
	argXDPProg    = "xdp_prog"
	argBusyBudget = "busy_budget"
	argForceCopy  = "force_copy"

	// defaultBusyBudget is DPDK's ETH_AF_XDP_DFLT_BUSY_BUDGET.
	defaultBusyBudget = 64
	// maxQueues bounds queue_count (and start_queue+queue_count).
	maxQueues = 256
)

var argKeys = []string{argIface, argStartQueue, argQueueCount, argSharedUmem, argXDPProg, argBusyBudget, argForceCopy}

const argHelp = "iface=<string> start_queue=<int> queue_count=<int> shared_umem=<int> xdp_prog=<string> busy_budget=<int> force_copy=<int>"

// config is a device's parsed devargs.
type config struct {
	iface      string
	startQueue int
	queueCount int
	sharedUmem bool
	xdpProg    string
	busyBudget int
	forceCopy  bool
}

// parseArgs checks a device's devargs as DPDK's af_xdp does.
func parseArgs(a ethdev.Devargs) (config, error) {
	c := config{}
	ifs := a.GetAll(argIface)
	switch {
	case len(ifs) == 0:
		return c, fmt.Errorf("%s: no interface: give iface=<name>", a.Name)
	case len(ifs) > 1:
		return c, fmt.Errorf("%s: iface given %d times: one device drives one interface", a.Name, len(ifs))
	}
	c.iface = strings.TrimSpace(ifs[0])
	if c.iface == "" {
		return c, fmt.Errorf("%s: iface= needs an interface name", a.Name)
	}
	if len(c.iface) >= unix.IFNAMSIZ || strings.ContainsAny(c.iface, "/ \t\n\x00") {
		return c, fmt.Errorf("%s: iface=%q is not an interface name (at most %d bytes, no '/' or spaces)", a.Name, c.iface, unix.IFNAMSIZ-1)
	}
	sq, err := a.Uint(argStartQueue, 0, maxQueues-1)
	if err != nil {
		return c, err
	}
	qc, err := a.Uint(argQueueCount, 1, maxQueues)
	if err != nil {
		return c, err
	}
	if qc == 0 {
		return c, fmt.Errorf("%s: queue_count=0: must be at least 1", a.Name)
	}
	if sq+qc > maxQueues {
		return c, fmt.Errorf("%s: start_queue=%d + queue_count=%d goes past queue %d", a.Name, sq, qc, maxQueues-1)
	}
	c.startQueue, c.queueCount = int(sq), int(qc)
	if c.sharedUmem, err = boolArg(a, argSharedUmem); err != nil {
		return c, err
	}
	if c.forceCopy, err = boolArg(a, argForceCopy); err != nil {
		return c, err
	}
	bb, err := a.Uint(argBusyBudget, defaultBusyBudget, 1<<16-1)
	if err != nil {
		return c, err
	}
	c.busyBudget = int(bb)
	if v, ok := a.Get(argXDPProg); ok {
		c.xdpProg = strings.TrimSpace(v)
		if c.xdpProg == "" {
			return c, fmt.Errorf("%s: xdp_prog= needs the path of an ELF object", a.Name)
		}
	}
	return c, nil
}

// boolArg reads a 0/1 flag as DPDK does (an integer, non-zero is on), and
// the usual boolean words.
func boolArg(a ethdev.Devargs, key string) (bool, error) {
	v, ok := a.Get(key)
	if !ok {
		return false, nil
	}
	if n, err := a.Uint(key, 0, 1<<31); err == nil {
		return n != 0, nil
	}
	b, err := a.Bool(key, false)
	if err != nil {
		return false, fmt.Errorf("%s: %s=%q is not 0 or 1", a.Name, key, v)
	}
	return b, nil
}
