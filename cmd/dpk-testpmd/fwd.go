package main

import (
	"fmt"
	"time"

	"dpk/eal"
	"dpk/ethdev"
	"dpk/mbuf"
)

// This file is the forwarding half of DPDK's testpmd.c and config.c:
// streams, their assignment to lcores, and starting and stopping.

// buildLcores makes one fwdLcore per forwarding lcore id (init_config).
func (tp *testpmd) buildLcores() {
	old := map[uint32]*fwdLcore{}
	for _, lc := range tp.lcores {
		old[lc.id] = lc
	}
	tp.lcores = tp.lcores[:0]
	for _, id := range tp.fwdLcoreIDs {
		lc := old[id]
		if lc == nil {
			lc = &fwdLcore{id: id}
			if l := eal.GetLcore(id); l != nil {
				lc.socket = l.Socket()
			}
		}
		tp.lcores = append(tp.lcores, lc)
	}
}

// setFwdMode selects a forwarding engine (set_pkt_forwarding_mode).
func (tp *testpmd) setFwdMode(name string) bool {
	e := engineByName(name)
	if e == nil {
		tp.errorf("Invalid %s packet forwarding mode\n", name)
		return false
	}
	retry := ""
	if tp.retry {
		retry = " with retry"
	}
	tp.printf("Set %s packet forwarding mode%s\n", name, retry)
	tp.eng = e
	return true
}

// topologyTxPort is fwd_topology_tx_port_get: the TX port index for RX
// port index rxp.
func (tp *testpmd) topologyTxPort(rxp int) int {
	switch tp.topology {
	case topoChained:
		return (rxp + 1) % tp.cfg.nbFwdPorts
	case topoLoop:
		return rxp
	}
	if rxp&1 == 0 {
		if rxp+1 < tp.cfg.nbFwdPorts {
			return rxp + 1
		}
		if !tp.warnedOddPorts {
			tp.errorf("\nWarning! port-topology=paired and odd forward ports number, the last port will pair with itself.\n\n")
			tp.warnedOddPorts = true
		}
		return rxp
	}
	return rxp - 1
}

// newStreams makes n fresh streams.
func (tp *testpmd) newStreams(n int) []*stream {
	out := make([]*stream, n)
	for i := range out {
		out[i] = &stream{retry: tp.retry}
	}
	return out
}

// spreadStreams gives each forwarding lcore its share of the streams
// (setup_fwd_config_of_each_lcore).
func (tp *testpmd) spreadStreams() {
	nbFs, nbFc := len(tp.cfg.streams), tp.cfg.nbFwdLcores
	perLcore, extra := 1, 0
	if nbFs > nbFc {
		perLcore, extra = nbFs/nbFc, nbFs%nbFc
	}
	for _, lc := range tp.lcores {
		lc.streams = nil
	}
	sm := 0
	for i := 0; i < nbFc-extra; i++ {
		end := min(sm+perLcore, nbFs)
		tp.lcores[i].streams = tp.cfg.streams[sm:end]
		sm = end
	}
	for i := 0; i < extra; i++ {
		end := min(sm+perLcore+1, nbFs)
		tp.lcores[nbFc-extra+i].streams = tp.cfg.streams[sm:end]
		sm = end
	}
}

// fwdConfigSetup builds the streams of the current engine and spreads them
// over the lcores (fwd_config_setup).
func (tp *testpmd) fwdConfigSetup() {
	tp.cfg.eng = tp.eng
	switch {
	case tp.eng.name == "icmpecho":
		tp.icmpEchoConfigSetup()
	case tp.nbRxq > 1 && tp.nbTxq > 1:
		tp.rssFwdConfigSetup()
	default:
		tp.simpleFwdConfigSetup()
	}
}

// simpleFwdConfigSetup is one stream per forwarding port on queue 0.
func (tp *testpmd) simpleFwdConfigSetup() {
	tp.cfg.nbFwdPorts = tp.nbFwdPorts
	tp.cfg.streams = tp.newStreams(tp.nbFwdPorts)
	tp.cfg.nbFwdLcores = min(tp.nbFwdLcores, tp.nbFwdPorts)
	tp.spreadStreams()
	for i, fs := range tp.cfg.streams {
		fs.rxPort = tp.fwdPortIDs[i]
		fs.txPort = tp.fwdPortIDs[tp.topologyTxPort(i)]
		fs.peerAddr = fs.txPort
	}
}

// rssFwdConfigSetup is one stream per forwarding port and queue.
func (tp *testpmd) rssFwdConfigSetup() {
	nbQ := min(tp.nbRxq, tp.nbTxq)
	tp.cfg.nbFwdLcores = tp.nbFwdLcores
	tp.cfg.nbFwdPorts = tp.nbFwdPorts
	tp.cfg.streams = tp.newStreams(int(nbQ) * tp.nbFwdPorts)
	if len(tp.cfg.streams) < tp.cfg.nbFwdLcores {
		tp.cfg.nbFwdLcores = len(tp.cfg.streams)
	}
	tp.spreadStreams()
	rxp, rxq := 0, uint16(0)
	for _, fs := range tp.cfg.streams {
		txp := tp.topologyTxPort(rxp)
		fs.rxPort, fs.rxQueue = tp.fwdPortIDs[rxp], rxq
		fs.txPort, fs.txQueue = tp.fwdPortIDs[txp], rxq
		fs.peerAddr = fs.txPort
		rxp++
		if rxp == tp.nbFwdPorts {
			rxp = 0
			rxq++
		}
	}
}

// icmpEchoConfigSetup answers on the port and queue a request came in on.
func (tp *testpmd) icmpEchoConfigSetup() {
	tp.cfg.nbFwdLcores = min(tp.nbFwdLcores, int(tp.nbTxq)*tp.nbFwdPorts)
	tp.cfg.nbFwdPorts = tp.nbFwdPorts
	tp.cfg.streams = tp.newStreams(int(tp.nbRxq) * tp.nbFwdPorts)
	if len(tp.cfg.streams) < tp.cfg.nbFwdLcores {
		tp.cfg.nbFwdLcores = len(tp.cfg.streams)
	}
	if tp.verbose.Load() > 0 {
		tp.printf("icmp_echo_config_setup fwd_cores=%d fwd_ports=%d fwd_streams=%d\n",
			tp.cfg.nbFwdLcores, tp.cfg.nbFwdPorts, len(tp.cfg.streams))
	}
	tp.spreadStreams()
	rxp, rxq := 0, uint16(0)
	for i := 0; i < tp.cfg.nbFwdLcores; i++ {
		if tp.verbose.Load() > 0 {
			tp.printf("  core=%d: \n", i)
		}
		for sm, fs := range tp.lcores[i].streams {
			fs.rxPort, fs.rxQueue = tp.fwdPortIDs[rxp], rxq
			fs.txPort, fs.txQueue = fs.rxPort, rxq
			fs.peerAddr = fs.txPort
			if tp.verbose.Load() > 0 {
				tp.printf("  stream=%d port=%d rxq=%d txq=%d\n", sm, fs.rxPort, fs.rxQueue, fs.txQueue)
			}
			rxq++
			if rxq == tp.nbRxq {
				rxq = 0
				rxp++
			}
		}
	}
}

// pktFwdConfigDisplay is pkt_fwd_config_display ("show config fwd").
func (tp *testpmd) pktFwdConfigDisplay() {
	cfg := &tp.cfg
	tp.printf("%s packet forwarding%s - ports=%d - cores=%d - streams=%d - NUMA support %s, MP allocation mode: native\n",
		cfg.eng.name, tp.retryText(), cfg.nbFwdPorts, cfg.nbFwdLcores, len(cfg.streams), enabled(tp.numa))
	if tp.retry {
		tp.printf("TX retry num: %d, delay between TX retries: %dus\n", tp.retryNum, tp.retryDelayUs)
	}
	for i := 0; i < cfg.nbFwdLcores; i++ {
		lc := tp.lcores[i]
		s := ""
		for _, fs := range lc.streams {
			s += fmt.Sprintf("\n  RX P=%d/Q=%d (socket %d) -> TX P=%d/Q=%d (socket %d) peer=%s",
				fs.rxPort, fs.rxQueue, tp.ports[fs.rxPort].socket,
				fs.txPort, fs.txQueue, tp.ports[fs.txPort].socket, macString(tp.peers[fs.peerAddr]))
		}
		tp.printf("Logical Core %d (socket %d) forwards packets on %d streams:%s\n", lc.id, lc.socket, len(lc.streams), s)
	}
	tp.printf("\n")
}

func (tp *testpmd) retryText() string {
	if tp.retry {
		return " with retry"
	}
	return ""
}

func enabled(b bool) string {
	if b {
		return "enabled"
	}
	return "disabled"
}

// allPortsStarted reports whether every port is started (all_ports_started).
func (tp *testpmd) allPortsStarted() bool {
	for _, id := range tp.portIDs {
		if tp.ports[id].status != portStarted {
			return false
		}
	}
	return true
}

// prepareStreams fills the read-only part of every stream before launch.
func (tp *testpmd) prepareStreams() {
	for _, lc := range tp.lcores[:tp.cfg.nbFwdLcores] {
		lc.pool = tp.pool
		lc.cache = tp.pool.DefaultCache(lc.id)
		for _, fs := range lc.streams {
			// The lcore polling the stream allocates and frees through its
			// own mempool cache, as DPDK's PMDs do through rte_lcore_id().
			ethdev.RxQueueBindLcore(fs.rxPort, fs.rxQueue, lc.id)
			ethdev.TxQueueBindLcore(fs.txPort, fs.txQueue, lc.id)
			fs.tp = tp
			fs.lc = lc
			fs.burst = int(tp.burst)
			fs.retry = tp.retry
			fs.retryNum = tp.retryNum
			fs.retryDly = time.Duration(tp.retryDelayUs) * time.Microsecond
			fs.txMAC = tp.ports[fs.txPort].mac
			fs.peerMAC = tp.peers[fs.peerAddr]
			fs.txOffloads = tp.ports[fs.txPort].conf.TxMode.Offloads
			fs.txFlags = txVLANFlags(fs.txOffloads)
			fs.disabled = false
			if tp.recordBursts {
				fs.rxBursts = new([maxPktBurst + 1]uint64)
				fs.txBursts = new([maxPktBurst + 1]uint64)
			} else {
				fs.rxBursts, fs.txBursts = nil, nil
			}
		}
	}
}

// startPacketForwarding is start_packet_forwarding; txFirst is the number
// of txonly bursts sent first.
func (tp *testpmd) startPacketForwarding(txFirst int) error {
	e := tp.eng
	switch {
	case e.needRx && !e.needTx && tp.nbRxq == 0:
		return exitf("rxq are 0, cannot use %s fwd mode\n", e.name)
	case e.needTx && !e.needRx && tp.nbTxq == 0:
		return exitf("txq are 0, cannot use %s fwd mode\n", e.name)
	case e.needRx && e.needTx && (tp.nbRxq == 0 || tp.nbTxq == 0):
		return exitf("Either rxq or txq are 0, cannot use %s fwd mode\n", e.name)
	}
	if !tp.allPortsStarted() {
		tp.errorf("Not all ports were started\n")
		return nil
	}
	if !tp.testDone {
		tp.errorf("Packet forwarding already started\n")
		return nil
	}
	tp.fwdConfigSetup()
	tp.pktFwdConfigDisplay()
	tp.prepareStreams()
	for _, begin := range []*engine{tp.cfg.eng, txonlyIf(txFirst > 0)} {
		if begin == nil || begin.begin == nil {
			continue
		}
		for _, p := range tp.fwdPortIDs[:tp.cfg.nbFwdPorts] {
			if err := begin.begin(tp, p); err != nil {
				tp.errorf("Packet forwarding is not ready\n")
				return nil
			}
		}
	}
	tp.testDone = false
	if !tp.noFlushRx {
		tp.flushFwdRxQueues()
	}
	tp.rxtxConfigDisplay()
	tp.fwdStatsReset()
	for ; txFirst > 0; txFirst-- {
		tp.launch(engineByName("txonly"), true)
		eal.MpWaitLcore()
	}
	tp.launch(tp.cfg.eng, false)
	return nil
}

func txonlyIf(b bool) *engine {
	if b {
		return engineByName("txonly")
	}
	return nil
}

// launch starts eng on every forwarding lcore (launch_packet_forwarding);
// once runs a single pass over the streams (run_one_txonly_burst_on_core).
func (tp *testpmd) launch(eng *engine, once bool) {
	for _, lc := range tp.lcores[:tp.cfg.nbFwdLcores] {
		lc.stopped.Store(once)
		fn := func(*eal.Lcore) error {
			runLcore(lc, eng.fwd)
			return nil
		}
		if err := eal.RemoteLaunch(fn, lc.id); err != nil {
			tp.errorf("launch lcore %d failed - diag=%v\n", lc.id, err)
		}
	}
}

// runLcore is run_pkt_fwd_on_lcore: the forwarding loop of one lcore.
func runLcore(lc *fwdLcore, fwd func(*stream)) {
	streams := lc.streams
	for {
		for _, fs := range streams {
			if !fs.disabled {
				fwd(fs)
			}
		}
		if lc.stopped.Load() {
			return
		}
	}
}

// stopPacketForwarding is stop_packet_forwarding.
func (tp *testpmd) stopPacketForwarding() {
	if tp.testDone {
		tp.errorf("Packet forwarding not started\n")
		return
	}
	tp.printf("Telling cores to stop...")
	for _, lc := range tp.lcores[:tp.cfg.nbFwdLcores] {
		lc.stopped.Store(true)
	}
	tp.printf("\nWaiting for lcores to finish...\n")
	for _, lc := range tp.lcores[:tp.cfg.nbFwdLcores] {
		if err := eal.WaitLcore(lc.id); err != nil {
			tp.errorf("lcore %d: %v\n", lc.id, err)
		}
	}
	tp.fwdStatsDisplay()
	tp.printf("\nDone.\n")
	tp.testDone = true
}

// flushFwdRxQueues drains the forwarding ports' RX queues before forwarding
// starts (flush_fwd_rx_queues): twice, each queue until empty or 1 s.
func (tp *testpmd) flushFwdRxQueues() {
	var pkts [maxPktBurst]*mbuf.Mbuf
	lcore := eal.MainLcore().ID()
	for j := 0; j < 2; j++ {
		for _, p := range tp.fwdPortIDs[:tp.cfg.nbFwdPorts] {
			for q := uint16(0); q < tp.nbRxq; q++ {
				deadline := time.Now().Add(time.Second)
				for {
					n := ethdev.RxBurst(p, q, pkts[:])
					mbuf.FreeBulk(pkts[:n], lcore)
					if n == 0 || time.Now().After(deadline) {
						break
					}
				}
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
}
