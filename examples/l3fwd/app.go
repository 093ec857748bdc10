package main

import (
	"errors"
	"fmt"
	"io"
	"time"

	"dpk/eal"
	"dpk/ethdev"
	"dpk/mbuf"
	"dpk/mempool"
	"dpk/pkt"
)

const (
	mempoolCacheSize = 256 // MEMPOOL_CACHE_SIZE
	minMbufs         = 8192
	linkWait         = 9 * time.Second // check_all_ports_link_status
)

// app is a configured l3fwd: ports started, tables built, one worker per
// lcore that polls RX queues.
type app struct {
	opts    *options
	out     io.Writer
	conf    fwdConf
	ports   []uint16 // enabled ports, ascending
	macs    [ethdev.MaxPorts]pkt.MAC
	tables  *tables
	workers map[uint32]*worker
	pools   []*mempool.Mempool
}

// newApp sets l3fwd up after eal.Init, as DPDK's main does before
// launching the lcores: rule files, ports and queues, mbuf pools, lookup
// tables, then it starts the ports. On error it undoes what it did.
func newApp(o *options, out io.Writer) (_ *app, err error) {
	a := &app{opts: o, out: out, workers: map[uint32]*worker{}}
	defer func() {
		if err != nil {
			a.close()
		}
	}()
	for _, p := range ethdev.Ports() {
		if p < 32 && o.portmask&(1<<p) != 0 {
			a.ports = append(a.ports, p)
		}
	}
	if len(a.ports) == 0 {
		return nil, errors.New("all available ports are disabled; please set portmask")
	}
	a.conf.enabled = 0
	for _, p := range a.ports {
		a.conf.enabled |= 1 << p
	}
	rxq, nrxq, err := a.checkConfig()
	if err != nil {
		return nil, err
	}
	rs4, rs6, err := loadRules(o, out)
	if err != nil {
		return nil, err
	}
	if a.tables, err = buildTables(o.mode, rs4, rs6, a.conf.enabled, out); err != nil {
		return nil, err
	}
	// One TX queue per port for each lcore that forwards (DPDK makes one
	// per enabled lcore; only forwarding lcores send).
	var fwd []uint32
	for _, lc := range eal.Lcores() {
		if len(rxq[lc.ID()]) > 0 {
			fwd = append(fwd, lc.ID())
		}
	}
	nbMbuf := func(nports int) uint32 {
		n := nports*nrxq*int(o.rxDesc) + nports*len(fwd)*o.burst + nports*len(fwd)*int(o.txDesc) + eal.LcoreCount()*mempoolCacheSize
		return uint32(max(n, minMbufs))
	}
	poolOf := map[uint16]*mempool.Mempool{}
	for _, p := range a.ports {
		if o.perPortPool || len(a.pools) == 0 {
			n := len(a.ports)
			if o.perPortPool {
				n = 1
			}
			mp, err := mbuf.PoolCreate(fmt.Sprintf("mbuf_pool_%d", p), nbMbuf(n), mempoolCacheSize, 0, mbuf.DefaultBufSize, eal.SocketIDAny)
			if err != nil {
				return nil, fmt.Errorf("cannot init mbuf pool: %w", err)
			}
			a.pools = append(a.pools, mp)
		}
		poolOf[p] = a.pools[len(a.pools)-1]
	}
	a.conf.pools = a.pools
	var txq [ethdev.MaxPorts][]uint16 // txq[port][i]: queue of fwd[i]
	for _, p := range a.ports {
		if err := a.initPort(p, nrxqOf(o.config, p), len(fwd), poolOf[p]); err != nil {
			return nil, err
		}
		for i := range fwd {
			txq[p] = append(txq[p], uint16(i))
		}
	}
	for i, id := range fwd {
		var q [ethdev.MaxPorts]uint16
		for _, p := range a.ports {
			q[p] = txq[p][i]
		}
		a.workers[id] = newWorker(&a.conf, id, rxq[id], &q, newRouter(a.tables, o.burst), o.burst)
	}
	for _, p := range a.ports {
		if err := ethdev.Start(p); err != nil {
			return nil, fmt.Errorf("rte_eth_dev_start: port %d: %w", p, err)
		}
		if o.promisc {
			if err := ethdev.PromiscuousSet(p, true); err != nil {
				return nil, fmt.Errorf("rte_eth_promiscuous_enable: port %d: %w", p, err)
			}
		}
	}
	if o.parsePtype {
		for _, id := range fwd {
			for _, q := range rxq[id] {
				fmt.Fprintf(out, "Port %d: softly parse packet type info\n", q.port)
				if _, err := ethdev.AddRxCallback(q.port, q.queue, parsePtypeCB, nil); err != nil {
					return nil, fmt.Errorf("failed to add rx callback: port=%d: %w", q.port, err)
				}
			}
		}
	}
	return a, nil
}

// nrxqOf returns how many RX queues --config gives port.
func nrxqOf(cfg []lcoreParam, port uint16) int {
	n := 0
	for _, c := range cfg {
		if c.port == port {
			n++
		}
	}
	return n
}

// checkConfig checks --config against the lcores and ports
// (check_lcore_params, check_port_config, get_port_n_rx_queues,
// init_lcore_rx_queues) and returns each lcore's RX queues and the largest
// number of RX queues of a port.
func (a *app) checkConfig() (map[uint32][]rxQueue, int, error) {
	rxq := map[uint32][]rxQueue{}
	seen := map[rxQueue]bool{}
	for _, c := range a.opts.config {
		if c.queue >= maxRxQueues {
			return nil, 0, fmt.Errorf("invalid queue number: %d", c.queue)
		}
		if eal.GetLcore(c.lcore) == nil {
			return nil, 0, fmt.Errorf("error: lcore %d is not enabled in lcore mask", c.lcore)
		}
		if c.port >= 32 || a.opts.portmask&(1<<c.port) == 0 {
			return nil, 0, fmt.Errorf("port %d is not enabled in port mask", c.port)
		}
		if !ethdev.IsValid(c.port) {
			return nil, 0, fmt.Errorf("port %d is not present on the board", c.port)
		}
		q := rxQueue{c.port, c.queue}
		if seen[q] {
			return nil, 0, fmt.Errorf("port %d queue %d is given to two lcores", c.port, c.queue)
		}
		seen[q] = true
		if len(rxq[c.lcore]) == maxRxPerLcore {
			return nil, 0, fmt.Errorf("error: too many queues (%d) for lcore: %d", maxRxPerLcore+1, c.lcore)
		}
		rxq[c.lcore] = append(rxq[c.lcore], q)
	}
	most := 0
	for _, p := range a.ports {
		next := uint16(0)
		for _, c := range a.opts.config {
			if c.port != p {
				continue
			}
			if c.queue != next {
				return nil, 0, fmt.Errorf("queue ids of the port %d must be in sequence and must start with 0", p)
			}
			next++
		}
		most = max(most, int(next))
	}
	return rxq, most, nil
}

// loadRules reads the rule files, or takes DPDK's default routes when they
// are not both given (LPM and EM).
func loadRules(o *options, out io.Writer) (rs4, rs6 *ruleSet, err error) {
	if o.ruleIPv4 == "" || o.ruleIPv6 == "" {
		fmt.Fprintln(out, "L3FWD: Missing 1 or more rule files, using default instead")
		return defaultRules(o.mode, false), defaultRules(o.mode, true), nil
	}
	if rs4, err = readRuleFile(o.ruleIPv4, o.mode, false); err != nil {
		return nil, nil, fmt.Errorf("failed to add IPv4 rules: %w", err)
	}
	if rs6, err = readRuleFile(o.ruleIPv6, o.mode, true); err != nil {
		return nil, nil, fmt.Errorf("failed to add IPv6 rules: %w", err)
	}
	return rs4, rs6, nil
}

// initPort configures port with nrxq RX queues from pool and ntxq TX
// queues, and prepares its Ethernet header rewrite.
func (a *app) initPort(p uint16, nrxq, ntxq int, pool *mempool.Mempool) error {
	o := a.opts
	fmt.Fprintf(a.out, "Initializing port %d ... Creating queues: nb_rxq=%d nb_txq=%d... ", p, nrxq, ntxq)
	info, err := ethdev.InfoGet(p)
	if err != nil {
		return err
	}
	if ntxq > int(info.MaxTxQueues) || nrxq > int(info.MaxRxQueues) {
		return fmt.Errorf("port %d (%s) has %d RX and %d TX queues; l3fwd needs %d RX (--config) and %d TX (one per forwarding lcore)",
			p, info.DriverName, info.MaxRxQueues, info.MaxTxQueues, nrxq, ntxq)
	}
	var conf ethdev.Conf
	if o.maxPktLen != 0 {
		// config_port_max_pkt_len: the MTU is the length less the overhead.
		overhead := uint32(pkt.EthernetLen + 4)
		if info.MaxMTU != 0xffff && info.MaxRxPktLen > uint32(info.MaxMTU) {
			overhead = info.MaxRxPktLen - uint32(info.MaxMTU)
		}
		conf.RxMode.MTU = o.maxPktLen - overhead
		if conf.RxMode.MTU > 1500 && info.TxOffloadCapa&ethdev.TxOffloadMultiSegs != 0 {
			conf.TxMode.Offloads |= ethdev.TxOffloadMultiSegs
		}
	}
	if err := ethdev.Configure(p, uint16(nrxq), uint16(ntxq), &conf); err != nil {
		return fmt.Errorf("cannot configure device: port=%d: %w", p, err)
	}
	mac, err := ethdev.MACAddrGet(p)
	if err != nil {
		return fmt.Errorf("cannot get MAC address: port=%d: %w", p, err)
	}
	a.macs[p] = mac
	dst := o.ethDest[p]
	copy(a.conf.ethHdr[p][0:6], dst[:])
	copy(a.conf.ethHdr[p][6:12], mac[:])
	fmt.Fprintf(a.out, " Address:%s, Destination:%s\n", mac, dst)
	for q := range nrxq {
		if err := ethdev.RxQueueSetup(p, uint16(q), o.rxDesc, eal.SocketIDAny, nil, pool); err != nil {
			return fmt.Errorf("rte_eth_rx_queue_setup: port=%d: %w", p, err)
		}
	}
	for q := range ntxq {
		if err := ethdev.TxQueueSetup(p, uint16(q), o.txDesc, eal.SocketIDAny, nil); err != nil {
			return fmt.Errorf("rte_eth_tx_queue_setup: port=%d: %w", p, err)
		}
	}
	return nil
}

// parsePtypeCB sets the packet type of received packets in software
// (--parse-ptype, DPDK's lpm_cb_parse_ptype / em_cb_parse_ptype).
func parsePtypeCB(_, _ uint16, pkts []*mbuf.Mbuf, n int, _ any) int {
	for _, m := range pkts[:n] {
		m.PacketType = pkt.GetPtype(m, nil, pkt.PtypeL2Mask|pkt.PtypeL3Mask|pkt.PtypeL4Mask)
	}
	return n
}

// waitLinks waits until every port's link is up, at most linkWait, and
// prints their status (check_all_ports_link_status).
func (a *app) waitLinks() {
	fmt.Fprint(a.out, "\nChecking link status")
	deadline := time.Now().Add(linkWait)
	for !a.conf.quit.Load() {
		up := true
		for _, p := range a.ports {
			if l, err := ethdev.LinkGetNowait(p); err != nil || !l.Up {
				up = false
			}
		}
		if up || time.Now().After(deadline) {
			break
		}
		fmt.Fprint(a.out, ".")
		time.Sleep(100 * time.Millisecond)
	}
	fmt.Fprintln(a.out, "done")
	for _, p := range a.ports {
		l, _ := ethdev.LinkGetNowait(p)
		fmt.Fprintf(a.out, "Port %d %s\n", p, l)
	}
}

// close stops and closes the ports and frees the tables and pools.
func (a *app) close() {
	for _, p := range a.ports {
		if ethdev.IsValid(p) {
			fmt.Fprintf(a.out, "Closing port %d...", p)
			ethdev.Stop(p)
			ethdev.Close(p)
			fmt.Fprintln(a.out, " Done")
		}
	}
	a.ports = nil
	if a.tables != nil {
		a.tables.free()
		a.tables = nil
	}
	for _, mp := range a.pools {
		mp.Free()
	}
	a.pools = nil
}
