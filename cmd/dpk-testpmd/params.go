package main

import (
	"bufio"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"

	"dpk/eal"
	"dpk/ethdev"
	"dpk/pkt"
)

// This file is DPDK's app/test-pmd/parameters.c: testpmd's command line.

// errHelp is returned by parseArgs after printing the usage for --help.
var errHelp = errors.New("help requested")

// option is one long option; set applies it (with the argument, if any).
type option struct {
	name   string
	hasArg bool
	short  byte
	set    func(tp *testpmd, v string) error
}

// parseHex parses a hexadecimal value, with or without 0x (strtoull base 16).
func parseHex(v string) (uint64, bool) {
	s := strings.TrimPrefix(strings.TrimPrefix(v, "0x"), "0X")
	n, err := strconv.ParseUint(s, 16, 64)
	return n, err == nil && s != ""
}

// parseList parses "a,b,c" into at most max numbers (parse_item_list).
func parseList(name, v string, max int) ([]uint64, error) {
	var out []uint64
	for _, f := range strings.Split(v, ",") {
		n, err := strconv.ParseUint(strings.TrimSpace(f), 10, 32)
		if err != nil {
			return nil, exitf("bad %s: '%s' is not a number\n", name, f)
		}
		out = append(out, n)
	}
	if len(out) > max {
		return nil, exitf("bad %s: %d items, at most %d\n", name, len(out), max)
	}
	return out, nil
}

// parsePortList parses "1,3,5-6" (parse_port_list), dropping duplicates.
func parsePortList(v string) ([]uint16, bool) {
	var out []uint16
	seen := map[uint64]bool{}
	for _, f := range strings.Split(v, ",") {
		lo, hi, isRange := strings.Cut(f, "-")
		a, err := strconv.ParseUint(lo, 10, 16)
		if err != nil {
			return nil, false
		}
		b := a
		if isRange {
			if b, err = strconv.ParseUint(hi, 10, 16); err != nil || b < a {
				return nil, false
			}
		}
		for i := a; i <= b; i++ {
			if i >= ethdev.MaxPorts {
				return nil, false
			}
			if !seen[i] {
				seen[i] = true
				out = append(out, uint16(i))
			}
		}
	}
	return out, len(out) > 0
}

func rxOffloadFlag(bits uint64) func(*testpmd, string) error {
	return func(tp *testpmd, _ string) error { tp.rxOffloads |= bits; return nil }
}

var options = []option{
	{name: "help", short: 'h', set: func(tp *testpmd, _ string) error { tp.usage(); return errHelp }},
	{name: "interactive", short: 'i', set: func(tp *testpmd, _ string) error {
		tp.printf("Interactive-mode selected\n")
		tp.interactive = true
		return nil
	}},
	{name: "cmdline-file", hasArg: true, set: func(tp *testpmd, v string) error {
		tp.printf("CLI commands to be read from %s\n", v)
		tp.cmdlineFile = v
		return nil
	}},
	{name: "auto-start", short: 'a', set: func(tp *testpmd, _ string) error {
		tp.printf("Auto-start selected\n")
		tp.autoStart = true
		return nil
	}},
	{name: "eth-peers-configfile", hasArg: true, set: (*testpmd).readPeersFile},
	{name: "eth-peer", hasArg: true, set: func(tp *testpmd, v string) error {
		ps, mac, ok := strings.Cut(v, ",")
		n, err := strconv.ParseUint(ps, 10, 32)
		if !ok || err != nil {
			return exitf("Invalid eth-peer: %s", v)
		}
		if n >= ethdev.MaxPorts {
			return exitf("eth-peer: port %d >= RTE_MAX_ETHPORTS(%d)\n", n, ethdev.MaxPorts)
		}
		a, err := pkt.ParseMAC(mac)
		if err != nil {
			return exitf("Invalid ethernet address: %s\n", mac)
		}
		tp.peers[n] = a
		return nil
	}},
	{name: "tx-first", set: func(tp *testpmd, _ string) error {
		tp.printf("Ports to start sending a burst of packets first\n")
		tp.txFirst = true
		return nil
	}},
	{name: "stats-period", hasArg: true, set: func(tp *testpmd, v string) error {
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return exitf("Invalid stats-period value\n")
		}
		tp.statsPeriod = n
		return nil
	}},
	{name: "nb-cores", hasArg: true, set: func(tp *testpmd, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 || n > len(tp.fwdLcoreIDs) {
			return exitf("nb-cores should be > 0 and <= %d\n", len(tp.fwdLcoreIDs))
		}
		tp.nbFwdLcores = n
		return nil
	}},
	{name: "nb-ports", hasArg: true, set: func(tp *testpmd, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 || n > len(tp.portIDs) {
			return exitf("Invalid port %s\n", v)
		}
		tp.nbFwdPorts = n
		return nil
	}},
	{name: "coremask", hasArg: true, set: func(tp *testpmd, v string) error {
		m, ok := parseHex(v)
		if !ok {
			return exitf("Invalid fwd core mask\n")
		}
		if tp.setFwdLcoresMask(m) != nil {
			return exitf("coremask is not valid\n")
		}
		return nil
	}},
	{name: "portmask", hasArg: true, set: func(tp *testpmd, v string) error {
		m, ok := parseHex(v)
		if !ok {
			return exitf("Invalid fwd port mask\n")
		}
		tp.setFwdPortsMask(m)
		return nil
	}},
	{name: "portlist", hasArg: true, set: func(tp *testpmd, v string) error {
		l, ok := parsePortList(v)
		if !ok {
			return exitf("Invalid fwd port list: %s\n", v)
		}
		tp.setFwdPortsList(l)
		return nil
	}},
	{name: "numa", set: func(tp *testpmd, _ string) error { tp.numa = true; return nil }},
	{name: "no-numa", set: func(tp *testpmd, _ string) error { tp.numa = false; return nil }},
	{name: "mbuf-size", hasArg: true, set: func(tp *testpmd, v string) error {
		l, err := parseList("mbuf-size", v, 8)
		if err != nil {
			return exitf("bad mbuf-size\n")
		}
		if len(l) > 1 {
			return exitf("mbuf-size: dpk-testpmd creates one mbuf pool; give one size\n")
		}
		if l[0] == 0 || l[0] > 0xffff {
			return exitf("mbuf-size should be > 0 and < 65536\n")
		}
		tp.mbufDataSize = uint16(l[0])
		return nil
	}},
	{name: "total-num-mbufs", hasArg: true, set: func(tp *testpmd, v string) error {
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil || n <= minTotalNumMbufs {
			return exitf("total-num-mbufs should be > %d\n", minTotalNumMbufs)
		}
		tp.totalNumMbufs = uint32(n)
		return nil
	}},
	{name: "max-pkt-len", hasArg: true, set: func(tp *testpmd, v string) error {
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil || n < pkt.EtherMinLen {
			return exitf("Invalid max-pkt-len=%s - should be > %d\n", v, pkt.EtherMinLen)
		}
		tp.maxRxPktLen = uint32(n)
		return nil
	}},
	{name: "disable-crc-strip", set: rxOffloadFlag(ethdev.RxOffloadKeepCRC)},
	{name: "enable-lro", set: rxOffloadFlag(ethdev.RxOffloadTCPLRO)},
	{name: "enable-scatter", set: rxOffloadFlag(ethdev.RxOffloadScatter)},
	{name: "enable-rx-cksum", set: rxOffloadFlag(ethdev.RxOffloadChecksum)},
	{name: "enable-rx-timestamp", set: rxOffloadFlag(ethdev.RxOffloadTimestamp)},
	{name: "enable-hw-vlan", set: rxOffloadFlag(ethdev.RxOffloadVLANStrip | ethdev.RxOffloadVLANFilter | ethdev.RxOffloadVLANExtend | ethdev.RxOffloadQinQStrip)},
	{name: "enable-hw-vlan-filter", set: rxOffloadFlag(ethdev.RxOffloadVLANFilter)},
	{name: "enable-hw-vlan-strip", set: rxOffloadFlag(ethdev.RxOffloadVLANStrip)},
	{name: "enable-hw-vlan-extend", set: rxOffloadFlag(ethdev.RxOffloadVLANExtend)},
	{name: "enable-hw-qinq-strip", set: rxOffloadFlag(ethdev.RxOffloadQinQStrip)},
	{name: "port-topology", hasArg: true, set: func(tp *testpmd, v string) error {
		switch v {
		case "paired":
			tp.topology = topoPaired
		case "chained":
			tp.topology = topoChained
		case "loop":
			tp.topology = topoLoop
		default:
			return exitf("port-topology %s invalid - must be: paired, chained or loop\n", v)
		}
		return nil
	}},
	{name: "forward-mode", hasArg: true, set: func(tp *testpmd, v string) error {
		if !tp.setFwdMode(v) {
			return exitf("Invalid --forward-mode %s: want one of %s\n", v, engineList())
		}
		return nil
	}},
	{name: "rxq", hasArg: true, set: func(tp *testpmd, v string) error {
		max := tp.maxQueues(true)
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > int(max) {
			return exitf("rxq %s invalid - must be >= 0 && <= %d\n", v, max)
		}
		tp.nbRxq = uint16(n)
		return tp.checkQueues()
	}},
	{name: "txq", hasArg: true, set: func(tp *testpmd, v string) error {
		max := tp.maxQueues(false)
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > int(max) {
			return exitf("txq %s invalid - must be >= 0 && <= %d\n", v, max)
		}
		tp.nbTxq = uint16(n)
		return tp.checkQueues()
	}},
	{name: "rxd", hasArg: true, set: func(tp *testpmd, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 || n > 0xffff {
			return exitf("rxd(%s) invalid - must be > 0\n", v)
		}
		tp.nbRxd = uint16(n)
		return nil
	}},
	{name: "txd", hasArg: true, set: func(tp *testpmd, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 || n > 0xffff {
			return exitf("txd must be in > 0\n")
		}
		tp.nbTxd = uint16(n)
		return nil
	}},
	{name: "burst", hasArg: true, set: func(tp *testpmd, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > maxPktBurst {
			return exitf("burst must be between 1 and %d\n", maxPktBurst)
		}
		if n == 0 {
			// Ask port 0's driver for its recommended burst size.
			info, err := ethdev.InfoGet(0)
			if err != nil {
				return exitf("Failed to get driver recommended burst size, please provide a value between 1 and %d\n", maxPktBurst)
			}
			if info.DefaultRxBurst == 0 {
				return exitf("PMD does not recommend a burst size. Provided value must be between 1 and %d\n", maxPktBurst)
			}
			if info.DefaultRxBurst > maxPktBurst {
				return exitf("PMD recommended burst size of %d exceeds maximum value of %d\n", info.DefaultRxBurst, maxPktBurst)
			}
			tp.printf("Using PMD-provided burst value of %d\n", info.DefaultRxBurst)
			n = int(info.DefaultRxBurst)
		}
		tp.burst = uint16(n)
		return nil
	}},
	{name: "flowgen-clones", hasArg: true, set: func(tp *testpmd, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 0xffff {
			return exitf("clones must be >= 0 and <= current burst\n")
		}
		tp.flowgenClones = uint16(n)
		return nil
	}},
	{name: "flowgen-flows", hasArg: true, set: func(tp *testpmd, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 || n > 1<<31-1 {
			return exitf("flows must be >= 1\n")
		}
		tp.flowgenFlows = n
		return nil
	}},
	{name: "mbcache", hasArg: true, set: func(tp *testpmd, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 512 {
			return exitf("mbcache must be >= 0 and <= %d\n", 512)
		}
		tp.mbCache = uint32(n)
		return nil
	}},
	{name: "no-flush-rx", set: func(tp *testpmd, _ string) error { tp.noFlushRx = true; return nil }},
	{name: "txpkts", hasArg: true, set: func(tp *testpmd, v string) error {
		l, err := parseList("txpkt segments", v, maxSegsPerPkt)
		if err != nil {
			return exitf("bad txpkts\n")
		}
		if msg := tp.setTxPktSegments(l); msg != "" {
			return exitf("bad txpkts: %s", msg)
		}
		return nil
	}},
	{name: "txonly-multi-flow", set: func(tp *testpmd, _ string) error { tp.txonlyMultiFlow = true; return nil }},
	{name: "tx-ip", hasArg: true, set: func(tp *testpmd, v string) error {
		s, d, ok := strings.Cut(v, ",")
		if !ok || s == "" {
			return exitf("Invalid tx-ip: %s", v)
		}
		sa, err := netip.ParseAddr(s)
		if err != nil || !sa.Is4() {
			return exitf("Invalid source IP address: %s\n", s)
		}
		da, err := netip.ParseAddr(d)
		if err != nil || !da.Is4() {
			return exitf("Invalid destination IP address: %s\n", d)
		}
		a, b := sa.As4(), da.As4()
		tp.txIPSrc = uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
		tp.txIPDst = uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
		return nil
	}},
	{name: "tx-udp", hasArg: true, set: func(tp *testpmd, v string) error {
		s, d, hasDst := strings.Cut(v, ",")
		sp, err := strconv.ParseUint(s, 10, 16)
		if err != nil {
			return exitf("Invalid UDP port: %s\n", v)
		}
		dp := sp
		if hasDst {
			if dp, err = strconv.ParseUint(d, 10, 16); err != nil {
				return exitf("Invalid destination UDP port: %s\n", d)
			}
		}
		tp.txUDPSrc, tp.txUDPDst = uint16(sp), uint16(dp)
		return nil
	}},
	{name: "disable-link-check", set: func(tp *testpmd, _ string) error { tp.noLinkCheck = true; return nil }},
	{name: "no-lsc-interrupt", set: func(tp *testpmd, _ string) error { tp.lscInterrupt = false; return nil }},
	{name: "tx-offloads", hasArg: true, set: func(tp *testpmd, v string) error {
		n, ok := parseHex(v)
		if !ok {
			return exitf("Invalid tx-offloads value: %s\n", v)
		}
		tp.txOffloads = n
		return nil
	}},
	{name: "rx-offloads", hasArg: true, set: func(tp *testpmd, v string) error {
		n, ok := parseHex(v)
		if !ok {
			return exitf("Invalid rx-offloads value: %s\n", v)
		}
		tp.rxOffloads = n
		return nil
	}},
	{name: "mlockall", set: func(*testpmd, string) error { return nil }},
	{name: "no-mlockall", set: func(*testpmd, string) error { return nil }},
	{name: "record-burst-stats", set: func(tp *testpmd, _ string) error { tp.recordBursts = true; return nil }},
}

// findOption finds a long option by name or by a unique prefix, as
// getopt_long does.
func findOption(name string) (*option, error) {
	var match *option
	n := 0
	for i := range options {
		o := &options[i]
		if o.name == name {
			return o, nil
		}
		if strings.HasPrefix(o.name, name) {
			match = o
			n++
		}
	}
	switch n {
	case 0:
		return nil, fmt.Errorf("unrecognized option '--%s'", name)
	case 1:
		return match, nil
	}
	return nil, fmt.Errorf("option '--%s' is ambiguous", name)
}

// badOption reports a command-line error as DPDK does: getopt's message,
// the usage, the offending argument.
func (tp *testpmd) badOption(getoptMsg, arg string) error {
	tp.errorf("%s: %s\n", tp.prog, getoptMsg)
	tp.usage()
	tp.errorf("Invalid option: %s\n", arg)
	return exitf("Command line is incomplete or incorrect\n")
}

// parseArgs applies testpmd's options (args[0] is the program name), in
// order, as launch_args_parse does.
func (tp *testpmd) parseArgs(args []string) error {
	var rest []string
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			rest = append(rest, args[i+1:]...)
			i = len(args)
		case strings.HasPrefix(a, "--"):
			name, val, hasVal := strings.Cut(a[2:], "=")
			o, err := findOption(name)
			if err != nil {
				return tp.badOption(err.Error(), a)
			}
			switch {
			case o.hasArg && !hasVal:
				if i+1 >= len(args) {
					return tp.badOption(fmt.Sprintf("option '--%s' requires an argument", o.name), a)
				}
				i++
				val = args[i]
			case !o.hasArg && hasVal:
				return tp.badOption(fmt.Sprintf("option '--%s' doesn't allow an argument", o.name), a)
			}
			if err := o.set(tp, val); err != nil {
				return err
			}
		case strings.HasPrefix(a, "-") && len(a) > 1:
			for _, c := range []byte(a[1:]) {
				var o *option
				for j := range options {
					if options[j].short == c {
						o = &options[j]
					}
				}
				if o == nil {
					return tp.badOption(fmt.Sprintf("invalid option -- '%c'", c), a)
				}
				if err := o.set(tp, ""); err != nil {
					return err
				}
			}
		default:
			rest = append(rest, a)
		}
	}
	if len(rest) > 0 {
		tp.usage()
		tp.errorf("Invalid parameter: %s\n", rest[0])
		return exitf("Command line is incorrect\n")
	}
	return nil
}

// checkQueues is the check that follows every --rxq and --txq.
func (tp *testpmd) checkQueues() error {
	if tp.nbRxq == 0 && tp.nbTxq == 0 {
		return exitf("Either rx or tx queues should be non-zero\n")
	}
	return nil
}

// maxQueues is the smallest queue limit of the ports (get_allowed_max_nb_rxq).
func (tp *testpmd) maxQueues(rx bool) uint16 {
	max := uint16(ethdev.MaxQueuesPerPort)
	for _, p := range tp.portIDs {
		info, err := ethdev.InfoGet(p)
		if err != nil {
			continue
		}
		m := info.MaxTxQueues
		if rx {
			m = info.MaxRxQueues
		}
		if m < max {
			max = m
		}
	}
	return max
}

// readPeersFile reads one MAC address per line for ports 0, 1, ...
// (--eth-peers-configfile).
func (tp *testpmd) readPeersFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return exitf("Cannot open logfile\n")
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	i := 0
	for sc.Scan() && i < ethdev.MaxPorts {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		a, err := pkt.ParseMAC(line)
		if err != nil {
			return exitf("Bad MAC address format on line %d\n", i+1)
		}
		tp.peers[i] = a
		i++
	}
	tp.printf("Number of peer ethernet addresses read from %s: %d\n", path, i)
	return nil
}

// setTxPktSegments is set_tx_pkt_segments; it returns "" or what is wrong.
func (tp *testpmd) setTxPktSegments(l []uint64) string {
	total := uint64(0)
	for i, n := range l {
		if n > uint64(tp.mbufDataSize) {
			return fmt.Sprintf("length[%d]=%d > mbuf_data_size=%d - give up\n", i, n, tp.mbufDataSize)
		}
		total += n
	}
	if total < pkt.EthernetLen+20+8 || total > 0xffff {
		return fmt.Sprintf("total packet length=%d < %d - give up\n", total, pkt.EthernetLen+20+8)
	}
	tp.txSegLens = tp.txSegLens[:0]
	for _, n := range l {
		tp.txSegLens = append(tp.txSegLens, uint16(n))
	}
	tp.txPktLen = uint16(total)
	return ""
}

// setFwdLcoresMask is set_fwd_lcores_mask.
func (tp *testpmd) setFwdLcoresMask(mask uint64) error {
	if mask == 0 {
		tp.errorf("Invalid NULL mask of cores\n")
		return errors.New("empty mask")
	}
	var list []uint32
	for i := uint32(0); i < 64; i++ {
		if mask&(1<<i) != 0 {
			list = append(list, i)
		}
	}
	return tp.setFwdLcoresList(list)
}

// setFwdLcoresList is set_fwd_lcores_list.
func (tp *testpmd) setFwdLcoresList(list []uint32) error {
	for _, id := range list {
		lc := eal.GetLcore(id)
		if lc == nil {
			tp.errorf("lcore %d not enabled\n", id)
			return errors.New("bad lcore")
		}
		if lc.IsMain() {
			tp.errorf("lcore %d cannot be masked on for running packet forwarding, which is the main lcore and reserved for command line parsing only\n", id)
			return errors.New("main lcore")
		}
	}
	tp.fwdLcoreIDs = append([]uint32(nil), list...)
	tp.buildLcores()
	if tp.nbFwdLcores != len(list) {
		tp.printf("previous number of forwarding cores %d - changed to number of configured cores %d\n", tp.nbFwdLcores, len(list))
		tp.nbFwdLcores = len(list)
	}
	return nil
}

// setFwdPortsMask is set_fwd_ports_mask.
func (tp *testpmd) setFwdPortsMask(mask uint64) {
	if mask == 0 {
		tp.errorf("Invalid NULL mask of ports\n")
		return
	}
	var list []uint16
	for _, p := range tp.portIDs {
		if p < 64 && mask&(1<<p) != 0 {
			list = append(list, p)
		}
	}
	tp.setFwdPortsList(list)
}

// setFwdPortsList is set_fwd_ports_list.
func (tp *testpmd) setFwdPortsList(list []uint16) {
	for _, p := range list {
		if tp.portIsInvalid(p, true) {
			return
		}
	}
	tp.fwdPortIDs = append([]uint16(nil), list...)
	if tp.nbFwdPorts != len(list) {
		tp.printf("previous number of forwarding ports %d - changed to number of configured ports %d\n", tp.nbFwdPorts, len(list))
		tp.nbFwdPorts = len(list)
	}
}
