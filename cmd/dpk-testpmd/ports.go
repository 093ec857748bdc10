package main

import (
	"fmt"
	"strings"
	"time"

	"dpk/eal"
	"dpk/ethdev"
	"dpk/mbuf"
)

// This file is the port half of DPDK's testpmd.c and config.c: the mbuf
// pool, port configuration, start, stop, close and "show port info".

// initPorts records the probed ports and the forwarding lcores
// (init_port and set_def_fwd_config).
func (tp *testpmd) initPorts() {
	for _, id := range ethdev.Ports() {
		tp.portIDs = append(tp.portIDs, id)
		tp.ports[id] = &port{id: id}
	}
	tp.fwdPortIDs = append([]uint16(nil), tp.portIDs...)
	tp.nbFwdPorts = len(tp.fwdPortIDs)
	for _, lc := range eal.Workers() {
		tp.fwdLcoreIDs = append(tp.fwdLcoreIDs, lc.ID())
	}
	tp.nbFwdLcores = 1
	tp.buildLcores()
}

// initConfig creates the mbuf pool and the ports' configuration
// (init_config, init_port_config).
func (tp *testpmd) initConfig() error {
	for _, id := range tp.portIDs {
		p := tp.ports[id]
		info, err := ethdev.InfoGet(id)
		if err != nil {
			return exitf("rte_eth_dev_info_get() failed\n")
		}
		p.info = info
		p.socket = 0 // vdevs have no NUMA node: testpmd uses the first socket
		p.conf.RxMode.Offloads = tp.rxOffloads
		p.conf.TxMode.Offloads = tp.txOffloads
		if tp.maxRxPktLen != 0 {
			p.conf.RxMode.MTU = tp.maxRxPktLen - 18 // Ethernet header and CRC
		}
		if tp.nbRxq > 1 && info.FlowTypeRSSOffloads != 0 {
			p.conf.RxMode.MQMode = ethdev.MQRxRSS
			p.conf.RSS.HF = ethdev.RSSIP & info.FlowTypeRSSOffloads
		}
		p.rxConf.Offloads = tp.rxOffloads
		p.txConf.Offloads = tp.txOffloads
		p.needReconfig, p.needReconfigQueues = true, true
		p.status = portStopped
	}
	n := tp.totalNumMbufs
	if n == 0 {
		n = uint32(rxDescMax+len(tp.fwdLcoreIDs)*int(tp.mbCache)+txDescMax+maxPktBurst) * ethdev.MaxPorts
	}
	name := fmt.Sprintf("%s_%d", mbufPoolNamePrefix, 0)
	tp.logf("create a new mbuf pool <%s>: n=%d, size=%d, socket=%d\n", name, n, tp.mbufDataSize, 0)
	tp.logf("preferred mempool ops selected: ring_mp_mc\n")
	mp, err := mbuf.PoolCreate(name, n, tp.mbCache, 0, tp.mbufDataSize, 0)
	if err != nil {
		return exitf("Creation of mbuf pool for socket 0 failed: %v\n", err)
	}
	tp.pool = mp
	tp.fwdConfigSetup()
	return nil
}

// startPort configures (the first time) and starts port pid, or every
// port for portAll (start_port).
func (tp *testpmd) startPort(pid int) error {
	if pid != portAll && tp.portIsInvalid(uint16(pid), true) {
		return nil
	}
	anyExists, allStarted, anyStarted := false, true, false
	for _, id := range tp.portIDs {
		if pid != portAll && int(id) != pid {
			continue
		}
		anyExists = true
		p := tp.ports[id]
		if p.status != portStopped {
			tp.errorf("Port %d is now not stopped\n", id)
			continue
		}
		allStarted = false
		p.status = portHandling
		if p.needReconfig {
			p.needReconfig = false
			tp.configureDumpCallbacks(0)
			tp.printf("Configuring Port %d (socket %d)\n", id, p.socket)
			if err := ethdev.Configure(id, tp.nbRxq, tp.nbTxq, &p.conf); err != nil {
				p.status = portStopped
				tp.errorf("Fail to configure port %d: %v\n", id, err)
				p.needReconfig = true
				return fmt.Errorf("configure port %d: %w", id, err)
			}
		}
		if p.needReconfigQueues {
			p.needReconfigQueues = false
			for q := uint16(0); q < tp.nbTxq; q++ {
				if err := ethdev.TxQueueSetup(id, q, tp.nbTxd, p.socket, &p.txConf); err != nil {
					p.status = portStopped
					tp.errorf("Fail to configure port %d tx queues: %v\n", id, err)
					p.needReconfigQueues = true
					return fmt.Errorf("port %d tx queue %d: %w", id, q, err)
				}
			}
			for q := uint16(0); q < tp.nbRxq; q++ {
				if err := ethdev.RxQueueSetup(id, q, tp.nbRxd, p.socket, &p.rxConf, tp.pool); err != nil {
					p.status = portStopped
					tp.errorf("Fail to configure port %d rx queues: %v\n", id, err)
					p.needReconfigQueues = true
					return fmt.Errorf("port %d rx queue %d: %w", id, q, err)
				}
			}
		}
		tp.configureDumpCallbacks(uint16(tp.verbose.Load()))
		if err := ethdev.Start(id); err != nil {
			tp.errorf("Fail to start port %d: %v\n", id, err)
			p.status = portStopped
			continue
		}
		p.status = portStarted
		if mac, err := ethdev.MACAddrGet(id); err == nil {
			p.mac = mac
			tp.printf("Port %d: %s\n", id, macString(mac))
		}
		anyStarted = true
	}
	if anyStarted && !tp.noLinkCheck {
		tp.checkAllPortsLinkStatus()
	} else if anyExists && allStarted {
		tp.errorf("Please stop the ports first\n")
	}
	tp.printf("Done\n")
	return nil
}

// portAll stands for every port (RTE_PORT_ALL).
const portAll = -1

// portIsForwarding reports whether a port is a forwarding port.
func (tp *testpmd) portIsForwarding(id uint16) bool {
	for _, p := range tp.fwdPortIDs[:tp.nbFwdPorts] {
		if p == id {
			return true
		}
	}
	return false
}

// stopPort stops port pid or every port (stop_port).
func (tp *testpmd) stopPort(pid int) {
	if pid != portAll && tp.portIsInvalid(uint16(pid), true) {
		return
	}
	tp.printf("Stopping ports...\n")
	needCheck := false
	for _, id := range tp.portIDs {
		if pid != portAll && int(id) != pid {
			continue
		}
		if tp.portIsForwarding(id) && !tp.testDone {
			tp.errorf("Please remove port %d from forwarding configuration.\n", id)
			continue
		}
		p := tp.ports[id]
		if p.status != portStarted {
			continue
		}
		p.status = portHandling
		if err := ethdev.Stop(id); err != nil {
			tp.errorf("EAL: rte_eth_dev_stop failed for port %d\n", id)
			p.status = portStarted
			continue
		}
		p.status = portStopped
		needCheck = true
	}
	if needCheck && !tp.noLinkCheck {
		tp.checkAllPortsLinkStatus()
	}
	tp.printf("Done\n")
}

// closePort closes port pid or every port (close_port).
func (tp *testpmd) closePort(pid int) {
	if pid != portAll && tp.portIsInvalid(uint16(pid), true) {
		return
	}
	tp.printf("Closing ports...\n")
	for _, id := range tp.portIDs {
		if pid != portAll && int(id) != pid {
			continue
		}
		if tp.portIsForwarding(id) && !tp.testDone {
			tp.errorf("Please remove port %d from forwarding configuration.\n", id)
			continue
		}
		p := tp.ports[id]
		if p.status == portClosed {
			tp.errorf("Port %d is already closed\n", id)
			continue
		}
		p.rxDump, p.txDump = nil, nil
		ethdev.Close(id)
		p.status = portClosed
		tp.printf("Port %d is closed\n", id)
	}
	tp.removeClosedPorts()
	tp.printf("Done\n")
}

// removeClosedPorts drops closed ports from the port lists (remove_invalid_ports).
func (tp *testpmd) removeClosedPorts() {
	keep := func(l []uint16) []uint16 {
		out := l[:0]
		for _, id := range l {
			if tp.ports[id].status != portClosed {
				out = append(out, id)
			}
		}
		return out
	}
	nfwd := 0
	for _, id := range tp.fwdPortIDs[:tp.nbFwdPorts] {
		if tp.ports[id].status != portClosed {
			nfwd++
		}
	}
	tp.portIDs = keep(tp.portIDs)
	tp.fwdPortIDs = keep(tp.fwdPortIDs)
	tp.nbFwdPorts = nfwd
}

// checkAllPortsLinkStatus waits up to 9 s for the links to come up and,
// without link-state interrupts, prints them (check_all_ports_link_status).
func (tp *testpmd) checkAllPortsLinkStatus() {
	tp.printf("Checking link statuses...\n")
	const interval, maxCheck = 100 * time.Millisecond, 90
	printFlag := false
	for count := 0; count <= maxCheck; count++ {
		allUp := true
		for _, id := range tp.portIDs {
			l, err := ethdev.LinkGetNowait(id)
			if err != nil {
				allUp = false
				if printFlag {
					tp.errorf("Port %d link get failed: %v\n", id, err)
				}
				continue
			}
			if printFlag {
				tp.printf("Port %d %s\n", id, l)
				continue
			}
			if !l.Up {
				allUp = false
				break
			}
		}
		if printFlag {
			break
		}
		if !allUp {
			time.Sleep(interval)
		}
		if allUp || count == maxCheck-1 {
			printFlag = true
		}
		if tp.lscInterrupt {
			break
		}
	}
}

// setPromisc turns promiscuous mode on or off (eth_set_promisc_mode).
func (tp *testpmd) setPromisc(id uint16, on bool) {
	if err := ethdev.PromiscuousSet(id, on); err != nil {
		what := "disabling"
		if on {
			what = "enabling"
		}
		tp.errorf("Error during %s promiscuous mode for port %d: %v\n", what, id, err)
	}
}

// setAllmulti turns all-multicast mode on or off (eth_set_allmulticast_mode).
func (tp *testpmd) setAllmulti(id uint16, on bool) {
	if err := ethdev.AllMulticastSet(id, on); err != nil {
		what := "disabling"
		if on {
			what = "enabling"
		}
		tp.errorf("Error during %s all-multicast mode for port %d: %v\n", what, id, err)
	}
}

// linkSpeedString is rte_eth_link_speed_to_str.
func linkSpeedString(speed uint32) string {
	switch speed {
	case ethdev.SpeedNone:
		return "None"
	case 10:
		return "10 Mbps"
	case 100:
		return "100 Mbps"
	case 1000:
		return "1 Gbps"
	case 2500:
		return "2.5 Gbps"
	case 5000:
		return "5 Gbps"
	case 10000:
		return "10 Gbps"
	case 20000:
		return "20 Gbps"
	case 25000:
		return "25 Gbps"
	case 40000:
		return "40 Gbps"
	case 50000:
		return "50 Gbps"
	case 56000:
		return "56 Gbps"
	case 100000:
		return "100 Gbps"
	case 200000:
		return "200 Gbps"
	case ethdev.SpeedUnknown:
		return "Unknown"
	}
	return "Invalid"
}

// rssTypeNames names the single RSS type bits (rss_type_table).
var rssTypeNames = map[int]string{
	2: "ipv4", 3: "ipv4-frag", 4: "ipv4-tcp", 5: "ipv4-udp", 6: "ipv4-sctp", 7: "ipv4-other",
	8: "ipv6", 9: "ipv6-frag", 10: "ipv6-tcp", 11: "ipv6-udp", 12: "ipv6-sctp", 13: "ipv6-other",
	14: "l2-payload", 15: "ipv6-ex", 16: "ipv6-tcp-ex", 17: "ipv6-udp-ex", 18: "port", 19: "vxlan",
	20: "geneve", 21: "nvgre", 23: "gtpu", 24: "eth", 25: "s-vlan", 26: "c-vlan", 27: "esp", 28: "ah",
	29: "l2tpv3", 30: "pfcp", 31: "pppoe", 32: "ecpri", 33: "mpls", 34: "ipv4-chksum", 35: "l4-chksum",
	36: "l2tpv2", 52: "l3-pre96", 53: "l3-pre64", 54: "l3-pre56", 55: "l3-pre48", 56: "l3-pre40",
	57: "l3-pre32", 58: "l2-dst-only", 59: "l2-src-only", 60: "l4-dst-only", 61: "l4-src-only",
	62: "l3-dst-only", 63: "l3-src-only",
}

// rssOffloadTypes formats RSS types 64 characters a line (rss_offload_types_display).
func rssOffloadTypes(types uint64) string {
	var b strings.Builder
	total := 0
	for i := 0; i < 64; i++ {
		if types&(1<<i) == 0 {
			continue
		}
		name, ok := rssTypeNames[i]
		if !ok {
			name = fmt.Sprintf("user-defined-%d", i)
		}
		l := len(name) + 2
		if !ok {
			l = len("user-defined-") + i/10 + 1 + 2
		}
		if total+l >= 64 {
			total = 0
			b.WriteString("\n")
		}
		b.WriteString("  " + name)
		total += l
	}
	b.WriteString("\n")
	return b.String()
}

// devargsOf returns the devargs given to --vdev for a port name.
func devargsOf(name string) string {
	for _, v := range eal.Vdevs() {
		n, args, _ := strings.Cut(v, ",")
		if n == name {
			return args
		}
	}
	return ""
}

// portInfosDisplay is port_infos_display ("show port info").
func (tp *testpmd) portInfosDisplay(id uint16) {
	if tp.portIsInvalid(id, true) {
		tp.printValidPorts()
		return
	}
	p := tp.ports[id]
	link, err := ethdev.LinkGetNowait(id)
	if err != nil {
		tp.errorf("Failed to get link status (port %d): %v\n", id, err)
		return
	}
	info, err := ethdev.InfoGet(id)
	if err != nil {
		tp.errorf("Error during getting device (port %d) info: %v\n", id, err)
		return
	}
	var b strings.Builder
	const border = "*********************"
	fmt.Fprintf(&b, "\n%s Infos for port %-2d %s\n", border, id, border)
	if mac, err := ethdev.MACAddrGet(id); err == nil {
		fmt.Fprintf(&b, "MAC address: %s", macString(mac))
	}
	name := ethdev.Name(id)
	fmt.Fprintf(&b, "\nDevice name: %s", name)
	fmt.Fprintf(&b, "\nDriver name: %s", info.DriverName)
	fmt.Fprintf(&b, "\nFirmware-version: %s", "not available")
	fmt.Fprintf(&b, "\nDevargs: %s", devargsOf(name))
	fmt.Fprintf(&b, "\nConnect to socket: %d", p.socket)
	fmt.Fprintf(&b, "\nmemory allocation on the socket: %d", p.socket)
	fmt.Fprintf(&b, "\nLink status: %s\n", map[bool]string{true: "up", false: "down"}[link.Up])
	fmt.Fprintf(&b, "Link speed: %s\n", linkSpeedString(link.Speed))
	fmt.Fprintf(&b, "Link duplex: %s\n", map[bool]string{true: "full-duplex", false: "half-duplex"}[link.FullDuplex])
	fmt.Fprintf(&b, "Autoneg status: %s\n", map[bool]string{true: "On", false: "Off"}[link.Autoneg])
	if mtu, err := ethdev.MTUGet(id); err == nil {
		fmt.Fprintf(&b, "MTU: %d\n", mtu)
	}
	fmt.Fprintf(&b, "Promiscuous mode: %s\n", enabled(ethdev.PromiscuousGet(id)))
	fmt.Fprintf(&b, "Allmulticast mode: %s\n", enabled(ethdev.AllMulticastGet(id)))
	fmt.Fprintf(&b, "Maximum number of MAC addresses: %d\n", info.MaxMACAddrs)
	fmt.Fprintf(&b, "Maximum number of MAC addresses of hash filtering: %d\n", 0)
	conf, _, _, _ := ethdev.ConfGet(id)
	onOff := func(bit uint64) string {
		if conf.RxMode.Offloads&bit != 0 {
			return "on"
		}
		return "off"
	}
	fmt.Fprintf(&b, "VLAN offload: \n")
	fmt.Fprintf(&b, "  strip %s, filter %s, extend %s, qinq strip %s\n",
		onOff(ethdev.RxOffloadVLANStrip), onOff(ethdev.RxOffloadVLANFilter),
		onOff(ethdev.RxOffloadVLANExtend), onOff(ethdev.RxOffloadQinQStrip))
	if info.HashKeySize > 0 {
		fmt.Fprintf(&b, "Hash key size in bytes: %d\n", info.HashKeySize)
	}
	if info.RetaSize > 0 {
		fmt.Fprintf(&b, "Redirection table size: %d\n", info.RetaSize)
	}
	if info.FlowTypeRSSOffloads == 0 {
		fmt.Fprintf(&b, "No RSS offload flow type is supported.\n")
	} else {
		fmt.Fprintf(&b, "Supported RSS offload flow types:\n%s", rssOffloadTypes(info.FlowTypeRSSOffloads))
	}
	fmt.Fprintf(&b, "Minimum size of RX buffer: %d\n", info.MinRxBufSize)
	fmt.Fprintf(&b, "Maximum configurable length of RX packet: %d\n", info.MaxRxPktLen)
	fmt.Fprintf(&b, "Maximum configurable size of LRO aggregated packet: %d\n", 0)
	fmt.Fprintf(&b, "Current number of RX queues: %d\n", info.NbRxQueues)
	fmt.Fprintf(&b, "Max possible RX queues: %d\n", info.MaxRxQueues)
	fmt.Fprintf(&b, "Max possible number of RXDs per queue: %d\n", info.RxDescLim.Max)
	fmt.Fprintf(&b, "Min possible number of RXDs per queue: %d\n", info.RxDescLim.Min)
	fmt.Fprintf(&b, "RXDs number alignment: %d\n", info.RxDescLim.Align)
	fmt.Fprintf(&b, "Current number of TX queues: %d\n", info.NbTxQueues)
	fmt.Fprintf(&b, "Max possible TX queues: %d\n", info.MaxTxQueues)
	fmt.Fprintf(&b, "Max possible number of TXDs per queue: %d\n", info.TxDescLim.Max)
	fmt.Fprintf(&b, "Min possible number of TXDs per queue: %d\n", info.TxDescLim.Min)
	fmt.Fprintf(&b, "TXDs number alignment: %d\n", info.TxDescLim.Align)
	// ethdev has no segment limits: DPDK's defaults (UINT16_MAX).
	fmt.Fprintf(&b, "Max segment number per packet: %d\n", 65535)
	fmt.Fprintf(&b, "Max segment number per MTU/TSO: %d\n", 65535)
	fmt.Fprintf(&b, "Device capabilities: 0x0( )\n")
	fmt.Fprintf(&b, "Device error handling mode: none\n")
	tp.printf("%s", b.String())
}

// portSummaryDisplay prints one line of "show port summary".
func (tp *testpmd) portSummaryDisplay(id uint16) {
	if tp.portIsInvalid(id, true) {
		tp.printValidPorts()
		return
	}
	link, err := ethdev.LinkGetNowait(id)
	if err != nil {
		return
	}
	info, err := ethdev.InfoGet(id)
	if err != nil {
		return
	}
	mac, err := ethdev.MACAddrGet(id)
	if err != nil {
		return
	}
	tp.printf("%-4d %s %-12s %-14s %-8s %s\n", id, macString(mac), ethdev.Name(id), info.DriverName,
		map[bool]string{true: "up", false: "down"}[link.Up], linkSpeedString(link.Speed))
}

// portSummaryHeader prints the head of "show port summary".
func (tp *testpmd) portSummaryHeader() {
	tp.printf("Number of available ports: %d\n", len(tp.portIDs))
	tp.printf("%-4s %-17s %-12s %-14s %-8s %s\n", "Port", "MAC Address", "Name", "Driver", "Status", "Link")
}

// fwdLcoresConfigDisplay is "show config cores".
func (tp *testpmd) fwdLcoresConfigDisplay() {
	s := "List of forwarding lcores:"
	for _, id := range tp.fwdLcoreIDs {
		s += fmt.Sprintf(" %2d", id)
	}
	tp.printf("%s\n", s)
}

// showTxPktSegments is "show config txpkts".
func (tp *testpmd) showTxPktSegments() {
	s := make([]string, len(tp.txSegLens))
	for i, l := range tp.txSegLens {
		s[i] = fmt.Sprint(l)
	}
	tp.printf("Number of segments: %d\nSegment sizes: %s\nSplit packet: off\n", len(tp.txSegLens), strings.Join(s, ","))
}
