package main

import (
	"fmt"
	"strings"
	"time"

	"dpk/ethdev"
)

// This file prints statistics exactly as DPDK's testpmd does:
// fwd_stats_display, nic_stats_display, print_stats and friends.

// fwdStatsReset snapshots the port counters and clears the streams'
// (fwd_stats_reset).
func (tp *testpmd) fwdStatsReset() {
	for _, p := range tp.fwdPortIDs[:tp.cfg.nbFwdPorts] {
		s, err := ethdev.StatsGet(p)
		if err != nil {
			tp.errorf("fwd_stats_reset: Error: failed to clear stats (port %d):%v", p, err)
			continue
		}
		tp.ports[p].stats = s
	}
	for _, fs := range tp.cfg.streams {
		fs.rxPackets, fs.txPackets, fs.fwdDropped = 0, 0, 0
		fs.rxBadIPCsum, fs.rxBadL4Csum, fs.rxBadOuterL4Csum, fs.rxBadOuterIPCsum = 0, 0, 0, 0
		if fs.rxBursts != nil {
			*fs.rxBursts = [maxPktBurst + 1]uint64{}
			*fs.txBursts = [maxPktBurst + 1]uint64{}
		}
	}
}

// pktBurstStatsDisplay prints the two most frequent burst sizes
// (pkt_burst_stats_display).
func (tp *testpmd) pktBurstStatsDisplay(rxtx string, spread *[maxPktBurst + 1]uint64) {
	if spread == nil {
		return
	}
	var burstStats [4]uint64
	var pktnb [4]int
	total := spread[0]
	burstStats[0] = spread[0]
	for n := 1; n <= maxPktBurst; n++ {
		nb := spread[n]
		if nb == 0 {
			continue
		}
		total += nb
		if nb > burstStats[1] {
			burstStats[2], pktnb[2] = burstStats[1], pktnb[1]
			burstStats[1], pktnb[1] = nb, n
		} else if nb > burstStats[2] {
			burstStats[2], pktnb[2] = nb, n
		}
	}
	if total == 0 {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "  %s-bursts : %d [", rxtx, total)
	var sburst uint64
	sburstp := 0
	for i := 0; i < 4; i++ {
		if i == 3 {
			fmt.Fprintf(&b, "%d%% of other]\n", 100-sburstp)
			break
		}
		sburst += burstStats[i]
		if sburst == total {
			fmt.Fprintf(&b, "%d%% of %d pkts]\n", 100-sburstp, pktnb[i])
			break
		}
		pct := int(float64(burstStats[i]) / float64(total) * 100)
		fmt.Fprintf(&b, "%d%% of %d pkts + ", pct, pktnb[i])
		sburstp += pct
	}
	tp.printf("%s", b.String())
}

// fwdStreamStatsDisplay prints one stream's counters (fwd_stream_stats_display).
func (tp *testpmd) fwdStreamStatsDisplay(fs *stream) {
	if fs.rxPackets == 0 && fs.txPackets == 0 && fs.fwdDropped == 0 {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n  ------- Forward Stats for RX Port=%2d/Queue=%2d -> TX Port=%2d/Queue=%2d -------\n",
		fs.rxPort, fs.rxQueue, fs.txPort, fs.txQueue)
	fmt.Fprintf(&b, "  RX-packets: %-14d TX-packets: %-14d TX-dropped: %-14d", fs.rxPackets, fs.txPackets, fs.fwdDropped)
	if tp.cfg.eng.name == "csum" {
		fmt.Fprintf(&b, "  RX- bad IP checksum: %-14d  Rx- bad L4 checksum: %-14d Rx- bad outer L4 checksum: %-14d\n",
			fs.rxBadIPCsum, fs.rxBadL4Csum, fs.rxBadOuterL4Csum)
		fmt.Fprintf(&b, " RX- bad outer IP checksum: %-14d\n", fs.rxBadOuterIPCsum)
	} else {
		b.WriteString("\n")
	}
	tp.printf("%s", b.String())
	if tp.recordBursts {
		tp.pktBurstStatsDisplay("RX", fs.rxBursts)
		tp.pktBurstStatsDisplay("TX", fs.txBursts)
	}
}

// fwdStatsDisplay prints the forward statistics of every forwarding port
// and their sum (fwd_stats_display).
func (tp *testpmd) fwdStatsDisplay() {
	type portStats struct {
		rxStream, txStream                              *stream
		txDropped, badIP, badL4, badOuterL4, badOuterIP uint64
	}
	var ps [ethdev.MaxPorts]portStats
	var totalRxDropped, totalTxDropped, totalRxNombuf, totalRecv, totalXmit uint64
	cfg := &tp.cfg
	for _, fs := range cfg.streams {
		if len(cfg.streams) > cfg.nbFwdPorts {
			tp.fwdStreamStatsDisplay(fs)
		} else {
			ps[fs.txPort].txStream = fs
			ps[fs.rxPort].rxStream = fs
		}
		ps[fs.txPort].txDropped += fs.fwdDropped
		ps[fs.rxPort].badIP += fs.rxBadIPCsum
		ps[fs.rxPort].badL4 += fs.rxBadL4Csum
		ps[fs.rxPort].badOuterL4 += fs.rxBadOuterL4Csum
		ps[fs.rxPort].badOuterIP += fs.rxBadOuterIPCsum
	}
	const border = "----------------------"
	var b strings.Builder
	for _, id := range tp.fwdPortIDs[:cfg.nbFwdPorts] {
		s, err := ethdev.StatsGet(id)
		if err != nil {
			tp.errorf("fwd_stats_display: Error: failed to get stats (port %d): %v", id, err)
			continue
		}
		base := &tp.ports[id].stats
		s.IPackets -= base.IPackets
		s.OPackets -= base.OPackets
		s.IBytes -= base.IBytes
		s.OBytes -= base.OBytes
		s.IMissed -= base.IMissed
		s.OErrors -= base.OErrors
		s.RxNoMbuf -= base.RxNoMbuf

		totalRecv += s.IPackets
		totalXmit += s.OPackets
		totalRxDropped += s.IMissed
		txDropped := ps[id].txDropped + s.OErrors
		totalTxDropped += txDropped
		totalRxNombuf += s.RxNoMbuf

		fmt.Fprintf(&b, "\n  %s Forward statistics for port %-2d %s\n", border, id, border)
		fmt.Fprintf(&b, "  RX-packets: %-14d RX-dropped: %-14dRX-total: %d\n", s.IPackets, s.IMissed, s.IPackets+s.IMissed)
		if cfg.eng.name == "csum" {
			fmt.Fprintf(&b, "  Bad-ipcsum: %-14d Bad-l4csum: %-14dBad-outer-l4csum: %-14d\n", ps[id].badIP, ps[id].badL4, ps[id].badOuterL4)
			fmt.Fprintf(&b, "  Bad-outer-ipcsum: %-14d\n", ps[id].badOuterIP)
		}
		if s.IErrors+s.RxNoMbuf > 0 {
			fmt.Fprintf(&b, "  RX-error: %d\n", s.IErrors)
			fmt.Fprintf(&b, "  RX-nombufs: %-14d\n", s.RxNoMbuf)
		}
		fmt.Fprintf(&b, "  TX-packets: %-14d TX-dropped: %-14dTX-total: %d\n", s.OPackets, txDropped, s.OPackets+txDropped)
		tp.printf("%s", b.String())
		b.Reset()
		if tp.recordBursts {
			if ps[id].rxStream != nil {
				tp.pktBurstStatsDisplay("RX", ps[id].rxStream.rxBursts)
			}
			if ps[id].txStream != nil {
				tp.pktBurstStatsDisplay("TX", ps[id].txStream.txBursts)
			}
		}
		tp.printf("  %s--------------------------------%s\n", border, border)
	}
	const acc = "+++++++++++++++"
	fmt.Fprintf(&b, "\n  %s Accumulated forward statistics for all ports%s\n", acc, acc)
	fmt.Fprintf(&b, "  RX-packets: %-14d RX-dropped: %-14dRX-total: %d\n", totalRecv, totalRxDropped, totalRecv+totalRxDropped)
	fmt.Fprintf(&b, "  TX-packets: %-14d TX-dropped: %-14dTX-total: %d\n", totalXmit, totalTxDropped, totalXmit+totalTxDropped)
	if totalRxNombuf > 0 {
		fmt.Fprintf(&b, "  RX-nombufs: %-14d\n", totalRxNombuf)
	}
	fmt.Fprintf(&b, "  %s++++++++++++++++++++++++++++++++++++++++++++++%s\n", acc, acc)
	tp.printf("%s", b.String())
}

// nicStatsDisplay prints a port's counters and its rates since the last
// call (nic_stats_display, "show port stats").
func (tp *testpmd) nicStatsDisplay(id uint16) {
	if tp.portIsInvalid(id, true) {
		tp.printValidPorts()
		return
	}
	s, err := ethdev.StatsGet(id)
	if err != nil {
		tp.errorf("nic_stats_display: Error: failed to get stats (port %d): %v", id, err)
		return
	}
	p := tp.ports[id]
	const border = "########################"
	var b strings.Builder
	fmt.Fprintf(&b, "\n  %s NIC statistics for port %-2d %s\n", border, id, border)
	fmt.Fprintf(&b, "  RX-packets: %-10d RX-missed: %-10d RX-bytes:  %d\n", s.IPackets, s.IMissed, s.IBytes)
	fmt.Fprintf(&b, "  RX-errors: %d\n", s.IErrors)
	fmt.Fprintf(&b, "  RX-nombuf:  %-10d\n", s.RxNoMbuf)
	fmt.Fprintf(&b, "  TX-packets: %-10d TX-errors: %-10d TX-bytes:  %d\n", s.OPackets, s.OErrors, s.OBytes)

	now := int64(time.Since(tp.epoch)) + 1 // monotonic, never 0
	var diffNs int64
	if p.prevNs != 0 {
		diffNs = now - p.prevNs
	}
	p.prevNs = now
	rate := func(cur uint64, prev *uint64) uint64 {
		var d uint64
		if cur > *prev {
			d = cur - *prev
		}
		*prev = cur
		if diffNs <= 0 {
			return 0
		}
		return uint64(float64(d) / float64(diffNs) * 1e9)
	}
	ppsRx := rate(s.IPackets, &p.prevPktsRx)
	ppsTx := rate(s.OPackets, &p.prevPktsTx)
	bpsRx := rate(s.IBytes, &p.prevBytesRx)
	bpsTx := rate(s.OBytes, &p.prevBytesTx)
	fmt.Fprintf(&b, "\n  Throughput (since last show)\n")
	fmt.Fprintf(&b, "  Rx-pps: %12d          Rx-bps: %12d\n  Tx-pps: %12d          Tx-bps: %12d\n", ppsRx, bpsRx*8, ppsTx, bpsTx*8)
	fmt.Fprintf(&b, "  %s############################%s\n", border, border)
	tp.printf("%s", b.String())
}

// printStats is the --stats-period display (print_stats): clear the
// screen, then each forwarding port's NIC statistics.
func (tp *testpmd) printStats() {
	tp.printf("\x1b[2J\x1b[1;1H")
	tp.printf("\nPort statistics ====================================")
	for _, id := range tp.fwdPortIDs[:tp.cfg.nbFwdPorts] {
		tp.nicStatsDisplay(id)
	}
}

// nicStatsClear resets a port's counters ("clear port stats").
func (tp *testpmd) nicStatsClear(id uint16) {
	if tp.portIsInvalid(id, true) {
		tp.printValidPorts()
		return
	}
	if err := ethdev.StatsReset(id); err != nil {
		tp.errorf("nic_stats_clear: Error: failed to reset stats (port %d): %v", id, err)
		return
	}
	s, err := ethdev.StatsGet(id)
	if err != nil {
		tp.errorf("nic_stats_clear: Error: failed to get stats (port %d): %v", id, err)
		return
	}
	tp.ports[id].stats = s
	tp.printf("\n  NIC statistics for port %d cleared\n", id)
}

// nicXstatsDisplay lists a port's extended statistics ("show port xstats").
func (tp *testpmd) nicXstatsDisplay(id uint16) {
	if tp.portIsInvalid(id, true) {
		tp.printValidPorts()
		return
	}
	tp.printf("###### NIC extended statistics for port %-2d\n", id)
	xs, err := ethdev.Xstats(id)
	if err != nil {
		tp.errorf("Error: Unable to get xstats\n")
		return
	}
	var b strings.Builder
	for _, x := range xs {
		fmt.Fprintf(&b, "%s: %d\n", x.Name, x.Value)
	}
	tp.printf("%s", b.String())
}

// nicXstatsClear resets a port's extended statistics ("clear port xstats").
func (tp *testpmd) nicXstatsClear(id uint16) {
	if tp.portIsInvalid(id, true) {
		tp.printValidPorts()
		return
	}
	if err := ethdev.XstatsReset(id); err != nil {
		tp.errorf("nic_xstats_clear: Error: failed to reset xstats (port %d): %v\n", id, err)
		return
	}
	if s, err := ethdev.StatsGet(id); err == nil {
		tp.ports[id].stats = s
	}
}

// rxtxConfigDisplay prints the queue configuration (rxtx_config_display,
// "show config rxtx").
func (tp *testpmd) rxtxConfigDisplay() {
	var b strings.Builder
	fmt.Fprintf(&b, "  %s packet forwarding%s packets/burst=%d\n", tp.eng.name, tp.retryText(), tp.burst)
	if tp.eng.name == "txonly" || tp.eng.name == "flowgen" {
		fmt.Fprintf(&b, "  packet len=%d - nb packet segments=%d\n", tp.txPktLen, len(tp.txSegLens))
	}
	fmt.Fprintf(&b, "  nb forwarding cores=%d - nb forwarding ports=%d\n", tp.nbFwdLcores, tp.nbFwdPorts)
	for _, id := range tp.portIDs {
		p := tp.ports[id]
		fmt.Fprintf(&b, "  port %d: RX queue number: %d Tx queue number: %d\n", id, tp.nbRxq, tp.nbTxq)
		fmt.Fprintf(&b, "    Rx offloads=%#x Tx offloads=%#x\n", p.conf.RxMode.Offloads, p.conf.TxMode.Offloads)
		fmt.Fprintf(&b, "    RX queue: 0\n")
		fmt.Fprintf(&b, "      RX desc=%d - RX free threshold=%d\n", tp.nbRxd, p.rxConf.FreeThresh)
		fmt.Fprintf(&b, "      RX threshold registers: pthresh=0 hthresh=0  wthresh=0\n")
		fmt.Fprintf(&b, "      RX Offloads=%#x\n", p.rxConf.Offloads)
		fmt.Fprintf(&b, "    TX queue: 0\n")
		fmt.Fprintf(&b, "      TX desc=%d - TX free threshold=%d\n", tp.nbTxd, p.txConf.FreeThresh)
		fmt.Fprintf(&b, "      TX threshold registers: pthresh=0 hthresh=0  wthresh=0\n")
		fmt.Fprintf(&b, "      TX offloads=%#x - TX RS bit threshold=%d\n", p.txConf.Offloads, p.txConf.RSBitThresh)
	}
	tp.printf("%s", b.String())
}
