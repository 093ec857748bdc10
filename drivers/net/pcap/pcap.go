// Package pcap is DPDK's net_pcap poll-mode driver over capture files: RX
// queue i replays the packets of a pcap or pcapng file, TX queue i writes
// what it sends to a capture file. No libpcap is involved: files are read
// and written with dpk/pcapng.
//
// Devargs (DPDK's names and rules):
//
//	rx_pcap=FILE        an RX queue reading FILE (pcap or pcapng, detected by
//	                    its magic); repeat for more queues (at most 16)
//	tx_pcap=FILE        a TX queue writing FILE, created or truncated at
//	                    probe; repeat for more queues (at most 16). FILE may
//	                    be /dev/null
//	infinite_rx=0|1     replay the RX files forever: each queue loads its
//	                    file's packets into mbufs of its pool at queue setup
//	                    (the pool needs at least that many mbufs free) and
//	                    copies them into fresh mbufs on every burst. Given
//	                    more than once, it is ignored with a warning, as in DPDK
//	phy_mac=0|1         accepted and ignored: it applies to iface=, which dpk
//	                    does not support
//	rx_iface, rx_iface_in, tx_iface, iface
//	                    live interfaces: refused, dpk's net_pcap reads and
//	                    writes files only (use net_af_packet)
//	tx_format=pcap|pcapng
//	                    dpk only: the format of the TX files. pcap (default)
//	                    has nanosecond timestamps, as DPDK 22.11 writes
//	                    (magic 0xa1b23c4d), and link type Ethernet; pcapng
//	                    has one Ethernet interface with if_tsresol 9. The
//	                    snapshot length is 262144 (DPDK: 65535)
//
// As in DPDK, a device needs at least one rx_pcap or tx_pcap. With no
// rx_pcap it gets one RX queue per tx_pcap that receives nothing; with no
// tx_pcap, one TX queue per rx_pcap that counts and drops what it is
// given. The MAC address is 02:70:63:61:70:NN ("pcap", locally
// administered, NN counting devices from 0), the link is up at 10 Gbps
// while the port is started.
//
//	dpk-testpmd --vdev 'net_pcap0,rx_pcap=in.pcap,tx_pcap=out.pcap' -- --no-flush-rx
//
// # Receiving
//
// A burst reads packets one by one and copies each into an mbuf from the
// queue's pool; a packet longer than the pool's data room becomes a chain of
// segments (as DPDK's eth_pcap_rx_jumbo; later segments have no headroom).
// The packet path does not allocate: packets are copied from the reader's
// buffer and mbufs come in bulk from a private mempool cache. When the pool
// is empty, rx_nombuf counts it and the packet is kept for the next burst.
// At the end of the file the queue receives nothing more; stopping and
// starting the port reopens the file from its start (DPDK closes the files
// on stop and reopens them on start). A malformed or truncated file is
// logged once, with its name and the offset of the bad record or block, and
// counted in ierrors and the xstat rx_pcap_errors; the queue then
// receives nothing more. The packets before the damage are delivered.
//
// With ethdev.RxOffloadTimestamp enabled on the port or queue, each mbuf
// carries the packet's capture time in nanoseconds since the Unix epoch;
// read it with RxTimestamp. (DPDK 22.11's driver always writes the RX
// timestamp dynamic field, in microseconds; dpk has no dynamic-field
// registry, so the field is written only when asked for.) In infinite_rx
// mode, unlike DPDK, packets longer than one mbuf are supported.
//
// # Sending
//
// TxBurst takes every packet: it writes the packet (all its segments, cut to
// the 262144-byte snapshot length, the original length kept) with the
// current time as timestamp and frees the mbufs. Output is buffered and
// flushed when 100 ms have passed since the last flush (checked at each
// burst), when the buffer fills, and on Stop and Close, so a crash loses
// little. DPDK flushes after every burst, and writes a chained packet longer
// than 9018 bytes cut to 9018; dpk writes it up to the snapshot length.
// Unlike DPDK, which reopens (and so truncates) the TX files when a stopped
// port starts again, dpk keeps them open until Close and appends.
//
// # Extended statistics
//
// rx_pcap_errors (malformed, truncated or unreadable files met),
// rx_pcap_eof (RX queues at the end of their file), tx_pcap_write_errors
// (packets not written: I/O error), tx_pcap_cut (packets cut to the
// snapshot length).
package pcap

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"

	"dpk/eal"
	"dpk/ethdev"
	"dpk/mbuf"
	"dpk/pcapng"
)

const (
	driverName = "net_pcap"
	logType    = "pmd.net.pcap"
	// maxQueues is RTE_PMD_PCAP_MAX_QUEUES.
	maxQueues = 16
	// snapLen is the TX files' snapshot length: libpcap's largest, which
	// tcpdump writes. (DPDK's RTE_ETH_PCAP_SNAPSHOT_LEN, 65535, would cut
	// IPv6 jumbograms.)
	snapLen = pcapng.MaxSnapLen
)

func init() {
	ethdev.RegisterDriver(ethdev.DriverSpec{
		Name:    driverName,
		Aliases: []string{"eth_pcap"},
		Keys:    []string{"rx_pcap", "tx_pcap", "rx_iface", "rx_iface_in", "tx_iface", "iface", "phy_mac", "infinite_rx", "tx_format"},
		Help:    "rx_pcap=<string> tx_pcap=<string> rx_iface=<ifc> rx_iface_in=<ifc> tx_iface=<ifc> iface=<ifc> phy_mac=<int> infinite_rx=<0|1> tx_format=<pcap|pcapng>",
		Probe:   probe,
	})
}

// ifaceIdx numbers devices for their MAC address, as DPDK's iface_idx.
var ifaceIdx atomic.Uint32

func probe(a ethdev.Devargs) error {
	for _, k := range []string{"iface", "rx_iface", "rx_iface_in", "tx_iface"} {
		if v, ok := a.Get(k); ok {
			return fmt.Errorf("%s: %s=%s: dpk's net_pcap reads and writes capture files only, not live interfaces; "+
				"for interface %q use net_af_packet (--vdev net_af_packet0,iface=%s)", a.Name, k, v, v, v)
		}
	}
	rxFiles, txFiles := a.GetAll("rx_pcap"), a.GetAll("tx_pcap")
	if len(rxFiles) == 0 && len(txFiles) == 0 {
		return fmt.Errorf("%s: no rx or tx queues: give rx_pcap=FILE and/or tx_pcap=FILE", a.Name)
	}
	if len(rxFiles) > maxQueues || len(txFiles) > maxQueues {
		return fmt.Errorf("%s: %d rx_pcap and %d tx_pcap: at most %d of each", a.Name, len(rxFiles), len(txFiles), maxQueues)
	}
	for _, kv := range a.Args {
		if (kv.Key == "rx_pcap" || kv.Key == "tx_pcap") && strings.TrimSpace(kv.Value) == "" {
			return fmt.Errorf("%s: %s needs a file name", a.Name, kv.Key)
		}
	}
	infinite := false
	switch n := len(a.GetAll("infinite_rx")); {
	case n == 1:
		var err error
		if infinite, err = a.Bool("infinite_rx", false); err != nil {
			return err
		}
		if infinite && len(rxFiles) == 0 {
			eal.Logf(eal.LogWarning, logType, "%s: infinite_rx ignored: no rx_pcap", a.Name)
			infinite = false
		}
	case n > 1:
		eal.Logf(eal.LogWarning, logType, "%s: infinite_rx has not been enabled since the argument has been provided more than once", a.Name)
	}
	if _, ok := a.Get("phy_mac"); ok {
		eal.Logf(eal.LogNotice, logType, "%s: phy_mac ignored: it applies to iface=, and dpk's net_pcap reads files only", a.Name)
	}
	format := pcapng.FormatPcap
	if v, ok := a.Get("tx_format"); ok {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "pcap":
		case "pcapng":
			format = pcapng.FormatPcapng
		default:
			return fmt.Errorf("%s: tx_format=%q: want pcap or pcapng", a.Name, v)
		}
	}

	p := &port{name: a.Name, infinite: infinite}
	for i, f := range rxFiles {
		q := &rxQueue{id: i, path: f, infinite: infinite, name: a.Name}
		if err := q.open(); err != nil {
			p.release()
			return fmt.Errorf("%s: %w", a.Name, err)
		}
		if infinite {
			q.close() // checked; queue setup loads the file
		}
		p.rxq = append(p.rxq, q)
	}
	for i, f := range txFiles {
		q := &txQueue{id: i, path: f, name: a.Name}
		if err := q.open(format); err != nil {
			p.release()
			return fmt.Errorf("%s: %w", a.Name, err)
		}
		p.txq = append(p.txq, q)
	}
	// DPDK's dummy queues: with no rx_pcap, one RX queue per tx_pcap that
	// receives nothing; with no tx_pcap, one TX queue per rx_pcap that drops.
	if len(rxFiles) == 0 {
		for i := range txFiles {
			p.rxq = append(p.rxq, &rxQueue{id: i, name: a.Name})
		}
	}
	if len(txFiles) == 0 {
		for i := range rxFiles {
			p.txq = append(p.txq, &txQueue{id: i, name: a.Name})
		}
	}
	mac := ethdev.EtherAddr{0x02, 0x70, 0x63, 0x61, 0x70, byte(ifaceIdx.Add(1) - 1)}
	if _, err := ethdev.Allocate(a.Name, p, mac); err != nil {
		p.release()
		return err
	}
	return nil
}

// port is one pcap port. Its queues are made at probe, one per file, and
// handed to ethdev by the queue setup functions.
type port struct {
	mu       sync.Mutex
	name     string
	infinite bool
	rxq      []*rxQueue
	txq      []*txQueue
	offloads uint64 // port-wide RX offloads from Configure
	up       bool
	closed   bool
}

var (
	_ ethdev.Driver         = (*port)(nil)
	_ ethdev.XstatsProvider = (*port)(nil)
)

// release closes every file of a port that failed to probe.
func (p *port) release() {
	for _, q := range p.rxq {
		q.close()
	}
	for _, q := range p.txq {
		q.close()
	}
}

func (p *port) Info(info *ethdev.DevInfo) {
	info.DriverName = driverName
	info.MaxRxQueues = uint16(len(p.rxq))
	info.MaxTxQueues = uint16(len(p.txq))
	info.MaxRxPktLen = math.MaxUint32
	info.MinRxBufSize = 0
	info.MaxMTU = math.MaxUint16
	info.MaxMACAddrs = 1
	info.RxOffloadCapa = ethdev.RxOffloadTimestamp | ethdev.RxOffloadScatter
	info.RxQueueOffloadCapa = ethdev.RxOffloadTimestamp
	info.TxOffloadCapa = ethdev.TxOffloadMultiSegs
	info.SpeedCapa = 0
}

func (p *port) Configure(_, _ uint16, conf *ethdev.Conf) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.offloads = conf.RxMode.Offloads
	return nil
}

func (p *port) RxQueueSetup(qi ethdev.RxQueueInfo) (ethdev.RxQueue, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	q := p.rxq[qi.Queue]
	if err := q.setup(qi, (p.offloads|qi.Conf.Offloads)&ethdev.RxOffloadTimestamp != 0); err != nil {
		return nil, err
	}
	return q, nil
}

func (p *port) TxQueueSetup(qi ethdev.TxQueueInfo) (ethdev.TxQueue, error) {
	return p.txq[qi.Queue], nil
}

// Start reopens the RX files a Stop closed, so that they are read again
// from the start, as DPDK does.
func (p *port) Start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, q := range p.rxq {
		if err := q.reopen(); err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
	}
	p.up = true
	return nil
}

// Stop returns the mbufs the queues hold to their pools, flushes the TX
// files (a write error is logged: the port stops anyway) and closes the RX
// files.
func (p *port) Stop() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stop()
	return nil
}

func (p *port) stop() {
	p.up = false
	for _, q := range p.rxq {
		q.stop()
	}
	for _, q := range p.txq {
		q.flush()
	}
}

// Close flushes and closes every file and frees the packets an infinite_rx
// queue keeps.
func (p *port) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	p.stop()
	for _, q := range p.rxq {
		q.freeStored()
		q.close()
	}
	var errs []error
	for _, q := range p.txq {
		if err := q.close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (p *port) Stats(s *ethdev.Stats) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, q := range p.rxq {
		q.stats.AddRx(s, i)
	}
	for i, q := range p.txq {
		q.stats.AddTx(s, i)
	}
	return nil
}

func (p *port) StatsReset() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, q := range p.rxq {
		q.stats.Reset()
	}
	for _, q := range p.txq {
		q.stats.Reset()
	}
	return nil
}

func (p *port) Link(bool) (ethdev.Link, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return ethdev.Link{Speed: ethdev.Speed10G, FullDuplex: true, Up: p.up}, nil
}

var xstatNames = []string{"rx_pcap_errors", "rx_pcap_eof", "tx_pcap_write_errors", "tx_pcap_cut"}

// XstatNames returns the driver's extended statistics.
func (p *port) XstatNames() []string { return append([]string(nil), xstatNames...) }

// Xstats fills the values of XstatNames.
func (p *port) Xstats(v []uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var fmtErr, eof, wErr, cut uint64
	for _, q := range p.rxq {
		fmtErr += q.readErrs.Load()
		if q.eof.Load() {
			eof++
		}
	}
	for _, q := range p.txq {
		wErr += q.writeErrs.Load()
		cut += q.cut.Load()
	}
	copy(v, []uint64{fmtErr, eof, wErr, cut})
}

// XstatsReset clears the driver's counters (rx_pcap_eof is a state, kept).
func (p *port) XstatsReset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, q := range p.rxq {
		q.readErrs.Store(0)
	}
	for _, q := range p.txq {
		q.writeErrs.Store(0)
		q.cut.Store(0)
	}
}

// RxTimestamp returns the capture time, in nanoseconds since the Unix
// epoch, that net_pcap stored in a received mbuf when the port or queue
// enabled ethdev.RxOffloadTimestamp: DPDK's rte_mbuf_timestamp_t dynamic
// field, which dpk keeps in m.Dynfield[0:2] (low word first). A packet
// without a time (a pcapng Simple Packet Block) has 0.
func RxTimestamp(m *mbuf.Mbuf) int64 {
	return int64(uint64(m.Dynfield[0]) | uint64(m.Dynfield[1])<<32)
}

func setRxTimestamp(m *mbuf.Mbuf, ns int64) {
	m.Dynfield[0] = uint32(ns)
	m.Dynfield[1] = uint32(uint64(ns) >> 32)
}
