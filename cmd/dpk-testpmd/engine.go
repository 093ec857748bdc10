package main

import (
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"dpk/ethdev"
	"dpk/mbuf"
	"dpk/mempool"
	"dpk/pkt"
)

// engine is a forwarding mode (struct fwd_engine). Each lives in its own
// file and registers itself from an init function.
type engine struct {
	name string
	// rank orders the engines as DPDK's fwd_engines[] table lists them.
	rank int
	// begin runs on the main lcore for each forwarding port before
	// forwarding starts (port_fwd_begin); nil if the engine needs nothing.
	begin func(tp *testpmd, port uint16) error
	// needRx and needTx say which queues the streams use: forwarding
	// refuses to start without them.
	needRx, needTx bool
	// fwd handles one burst of one stream (packet_fwd). It runs on the
	// stream's forwarding lcore and must not allocate.
	fwd func(fs *stream)
}

var engines []*engine

// register adds a forwarding engine; engine files call it from init.
func register(e *engine) {
	engines = append(engines, e)
	sort.Slice(engines, func(i, j int) bool { return engines[i].rank < engines[j].rank })
}

func engineByName(name string) *engine {
	for _, e := range engines {
		if e.name == name {
			return e
		}
	}
	return nil
}

// engineList is list_pkt_forwarding_modes: "io|mac|...".
func engineList() string {
	names := make([]string, len(engines))
	for i, e := range engines {
		names[i] = e.name
	}
	return strings.Join(names, "|")
}

// stream is a forwarding stream (struct fwd_stream): an RX port and queue,
// the TX port and queue its packets go to, and its counters. Only its
// lcore writes it while forwarding runs.
type stream struct {
	rxPort, rxQueue uint16
	txPort, txQueue uint16
	peerAddr        uint16
	disabled        bool
	retry           bool

	rxPackets        uint64
	txPackets        uint64
	fwdDropped       uint64
	rxBadIPCsum      uint64
	rxBadL4Csum      uint64
	rxBadOuterL4Csum uint64
	rxBadOuterIPCsum uint64
	rxBursts         *[maxPktBurst + 1]uint64 // with --record-burst-stats
	txBursts         *[maxPktBurst + 1]uint64

	// Set when forwarding starts, read-only while it runs.
	tp         *testpmd
	lc         *fwdLcore
	burst      int
	retryNum   uint32
	retryDly   time.Duration
	txMAC      pkt.MAC // MAC address of the TX port
	peerMAC    pkt.MAC // peer of the TX port
	txFlags    uint64  // TX flags the TX port's VLAN insert offloads ask for
	txOffloads uint64  // TX offloads configured on the TX port

	pkts [maxPktBurst]*mbuf.Mbuf
	segs [maxSegsPerPkt]*mbuf.Mbuf // txonly's extra segments
}

// fwdLcore is a forwarding lcore (struct fwd_lcore) and its per-lcore
// state (DPDK's RTE_PER_LCORE variables of the engines).
type fwdLcore struct {
	id      uint32
	socket  int
	streams []*stream
	stopped atomic.Bool
	pool    *mempool.Mempool
	cache   *mempool.Cache
	// ipVar varies txonly's source address (--txonly-multi-flow).
	ipVar uint8
	// nextFlow is flowgen's next flow.
	nextFlow int
}

// rxBurst receives a burst for the stream and counts it.
func (fs *stream) rxBurst() int {
	n := ethdev.RxBurst(fs.rxPort, fs.rxQueue, fs.pkts[:fs.burst])
	if fs.rxBursts != nil {
		fs.rxBursts[n]++
	}
	fs.rxPackets += uint64(n)
	return n
}

// send transmits pkts on the stream's TX queue, retrying if retry is on,
// counts what went and frees what did not. It returns how many went.
func (fs *stream) send(pkts []*mbuf.Mbuf) int {
	n := len(pkts)
	nbTx := ethdev.TxBurst(fs.txPort, fs.txQueue, pkts)
	if nbTx < n && fs.retry {
		for r := uint32(0); nbTx < n && r < fs.retryNum; r++ {
			delay(fs.retryDly)
			nbTx += ethdev.TxBurst(fs.txPort, fs.txQueue, pkts[nbTx:])
		}
	}
	fs.txPackets += uint64(nbTx)
	if fs.txBursts != nil {
		fs.txBursts[nbTx]++
	}
	if nbTx < n {
		fs.fwdDropped += uint64(n - nbTx)
		mbuf.FreeBulk(pkts[nbTx:], fs.lc.id)
	}
	return nbTx
}

// delay busy-waits, as rte_delay_us does.
func delay(d time.Duration) {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
	}
}
