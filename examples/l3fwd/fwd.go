package main

import (
	"sync/atomic"

	"dpk/ethdev"
	"dpk/internal/sys"
	"dpk/mbuf"
	"dpk/mempool"
)

// burstTxDrainUS is how often an lcore sends what its TX buffers hold
// (BURST_TX_DRAIN_US).
const burstTxDrainUS = 100

// Drop reasons, one counter each per lcore.
const (
	dropNotIP   = iota // neither IPv4 nor IPv6 (or VLAN-tagged)
	dropBadIPv4        // IPv4 header fails RFC 1812's checks or its checksum
	dropBadIPv6        // IPv6 header cut short or not version 6
	dropTTL            // TTL or hop limit would reach 0
	dropNoRoute        // no route (LPM, EM) or no rule matched (ACL)
	dropACL            // an ACL deny rule matched
	dropTxFull         // the output queue did not take the packet
	numDrops
)

// dropNames label the drop counters in the statistics.
var dropNames = [numDrops]string{
	dropNotIP:   "Not IP",
	dropBadIPv4: "Bad IPv4 header",
	dropBadIPv6: "Bad IPv6 header",
	dropTTL:     "TTL expired",
	dropNoRoute: "No route",
	dropACL:     "ACL deny",
	dropTxFull:  "TX queue full",
}

// hopDrop marks a packet to drop in worker.hop: hop values at or above it
// are hopDrop plus a drop reason, values below are output ports.
const hopDrop = 0xff00

// lcoreStats are one lcore's counters: it alone writes them, with atomic
// adds once per burst; the statistics printer reads them.
type lcoreStats struct {
	rx, tx [ethdev.MaxPorts]atomic.Uint64
	drop   [numDrops]atomic.Uint64
	_      [64]byte
}

// fwdConf is what every worker reads and nobody changes while they run.
type fwdConf struct {
	enabled uint32                    // ports forwarded to
	ethHdr  [ethdev.MaxPorts][12]byte // destination and source MAC per output port
	quit    atomic.Bool               // set to stop the workers
	pools   []*mempool.Mempool        // for the final cache flush
}

// rxQueue is a port's RX queue polled by a worker.
type rxQueue struct{ port, queue uint16 }

// txBuffer gathers packets for one output port (DPDK's struct mbuf_table).
type txBuffer struct {
	queue uint16
	n     int
	pkts  []*mbuf.Mbuf
}

// worker is one forwarding lcore (DPDK's struct lcore_conf): the RX queues
// it polls, one TX queue and buffer per port, the router of the lookup
// mode and scratch arrays sized for one burst. Only its lcore uses it.
type worker struct {
	conf  *fwdConf
	lcore uint32
	rxq   []rxQueue
	tx    [ethdev.MaxPorts]txBuffer
	r     router
	stats *lcoreStats

	pkts  []*mbuf.Mbuf // the RX burst
	hop   []uint16     // per packet: output port, or hopDrop+reason
	kind  []l3Kind
	idx4  []uint16 // indices of the IPv4 packets to route
	idx6  []uint16 // ... and of the IPv6 ones
	drops []*mbuf.Mbuf
	ndrop [numDrops]uint64
}

// newWorker makes the worker of lcore with its RX queues, TX queue ids
// (txq[port]) and router.
func newWorker(conf *fwdConf, lcore uint32, rxq []rxQueue, txq *[ethdev.MaxPorts]uint16, r router, burst int) *worker {
	w := &worker{
		conf: conf, lcore: lcore, rxq: rxq, r: r, stats: &lcoreStats{},
		pkts: make([]*mbuf.Mbuf, burst), hop: make([]uint16, burst), kind: make([]l3Kind, burst),
		idx4: make([]uint16, 0, burst), idx6: make([]uint16, 0, burst), drops: make([]*mbuf.Mbuf, 0, burst),
	}
	for p := range w.tx {
		w.tx[p] = txBuffer{queue: txq[p], pkts: make([]*mbuf.Mbuf, burst)}
	}
	return w
}

// processBurst forwards a burst received on one port: it checks the
// headers, finds the output ports with the router's bulk lookups,
// decrements the TTL (updating the IPv4 checksum) or hop limit, rewrites
// the Ethernet addresses and queues each packet on its output port's TX
// buffer; it frees the packets it drops and counts them by reason. It does
// not allocate.
func (w *worker) processBurst(pkts []*mbuf.Mbuf) {
	w.classify(pkts)
	w.forward(pkts)
}

// classify sets w.hop for each packet of the burst: the output port, or
// hopDrop plus the reason to drop it.
func (w *worker) classify(pkts []*mbuf.Mbuf) {
	w.idx4, w.idx6 = w.idx4[:0], w.idx6[:0]
	for i, m := range pkts {
		d := m.Data()
		k := frameKind(m.PacketType, d)
		w.kind[i] = k
		reason := dropNotIP
		switch k {
		case kindIPv4:
			if reason = checkIPv4(d[min(ethLen, len(d)):], m.PktLen()-min(ethLen, m.PktLen()), m.OlFlags); reason < 0 {
				w.idx4 = append(w.idx4, uint16(i))
			}
		case kindIPv6:
			if reason = checkIPv6(d[min(ethLen, len(d)):]); reason < 0 {
				w.idx6 = append(w.idx6, uint16(i))
			}
		}
		if reason >= 0 {
			w.hop[i] = hopDrop + uint16(reason)
		}
	}
	if len(w.idx4)+len(w.idx6) > 0 {
		w.r.route(w, pkts)
	}
}

// forward sends or drops each packet of a classified burst.
func (w *worker) forward(pkts []*mbuf.Mbuf) {
	enabled := w.conf.enabled
	drops := w.drops[:0]
	for i, m := range pkts {
		h := w.hop[i]
		if h < hopDrop && (h >= ethdev.MaxPorts || enabled&(1<<h) == 0) {
			h = hopDrop + dropNoRoute
		}
		if h >= hopDrop {
			w.ndrop[h-hopDrop]++
			drops = append(drops, m)
			continue
		}
		d := m.Data()
		if w.kind[i] == kindIPv4 {
			decTTL(d[ethLen:])
		} else {
			d[ethLen+ipv6HopLim]--
		}
		copy(d[:12], w.conf.ethHdr[h][:])
		b := &w.tx[h]
		b.pkts[b.n] = m
		b.n++
		if b.n == len(b.pkts) {
			w.flush(h)
		}
	}
	if len(drops) > 0 {
		mbuf.FreeBulk(drops, w.lcore)
	}
	w.drops = drops[:0]
	w.countDrops()
}

// countDrops adds the drops counted since the last call to the lcore's
// statistics.
func (w *worker) countDrops() {
	for r, n := range w.ndrop {
		if n != 0 {
			w.stats.drop[r].Add(n)
			w.ndrop[r] = 0
		}
	}
}

// flush sends what port's TX buffer holds (send_burst) and frees what the
// queue did not take.
func (w *worker) flush(port uint16) {
	b := &w.tx[port]
	if b.n == 0 {
		return
	}
	sent := ethdev.TxBurst(port, b.queue, b.pkts[:b.n])
	if sent < b.n {
		mbuf.FreeBulk(b.pkts[sent:b.n], w.lcore)
		w.ndrop[dropTxFull] += uint64(b.n - sent)
	}
	if sent > 0 {
		w.stats.tx[port].Add(uint64(sent))
	}
	clear(b.pkts[:b.n])
	b.n = 0
}

// flushAll sends every TX buffer.
func (w *worker) flushAll() {
	for p := range w.tx {
		if w.tx[p].n > 0 {
			w.flush(uint16(p))
		}
	}
	w.countDrops()
}

// pollOnce receives one burst from each RX queue and forwards it.
func (w *worker) pollOnce() {
	for _, q := range w.rxq {
		n := ethdev.RxBurst(q.port, q.queue, w.pkts)
		if n == 0 {
			continue
		}
		w.stats.rx[q.port].Add(uint64(n))
		w.processBurst(w.pkts[:n])
	}
}

// loop is the lcore's main loop (lpm_main_loop and its siblings): poll,
// forward, and send the TX buffers every burstTxDrainUS, until quit; tick,
// if not nil, runs at each drain (the main lcore prints statistics there).
func (w *worker) loop(tick func()) {
	drain := (sys.TimerHz() + 1e6 - 1) / 1e6 * burstTxDrainUS
	prev := sys.Rdtsc()
	for !w.conf.quit.Load() {
		if now := sys.Rdtsc(); now-prev > drain {
			w.flushAll()
			prev = now
			if tick != nil {
				tick()
			}
		}
		w.pollOnce()
	}
	w.flushAll()
	for _, mp := range w.conf.pools {
		mp.CacheFlush(mp.DefaultCache(w.lcore))
	}
}
