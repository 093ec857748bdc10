// Package ethdevtest provides an in-memory fake port for tests of code
// built on ethdev: packets injected with Inject come out of RxBurst, and
// packets given to TxBurst are kept for Sent. It is a test double; real
// drivers live under drivers/net.
package ethdevtest

import (
	"sync"

	"dpk/ethdev"
	"dpk/mbuf"
)

// Fake is the driver of a fake port.
type Fake struct {
	mu      sync.Mutex
	rx      [][]*mbuf.Mbuf
	tx      [][]*mbuf.Mbuf
	rxStats []ethdev.QueueStats
	txStats []ethdev.QueueStats
	started bool
	link    ethdev.Link
	// TxLimit, if non-zero, is the most packets one TxBurst takes.
	TxLimit int
	// Queues is the maximum number of queues (default 4).
	Queues  uint16
	promisc bool
}

// New creates a fake port named name and returns its id and driver.
func New(name string) (uint16, *Fake, error) {
	f := &Fake{Queues: 4, link: ethdev.Link{Speed: ethdev.Speed10G, FullDuplex: true, Up: true}}
	port, err := ethdev.Allocate(name, f, ethdev.EtherAddr{0x02, 0, 0, 0, 0, 1})
	return port, f, err
}

// Info implements ethdev.Driver.
func (f *Fake) Info(info *ethdev.DevInfo) {
	info.DriverName = "net_fake"
	info.MaxRxQueues, info.MaxTxQueues = f.Queues, f.Queues
	info.MaxMACAddrs = 4
	info.RxOffloadCapa = ethdev.RxOffloadVLANStrip
}

// Configure implements ethdev.Driver.
func (f *Fake) Configure(nbRxq, nbTxq uint16, _ *ethdev.Conf) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rx = make([][]*mbuf.Mbuf, nbRxq)
	f.tx = make([][]*mbuf.Mbuf, nbTxq)
	f.rxStats = make([]ethdev.QueueStats, nbRxq)
	f.txStats = make([]ethdev.QueueStats, nbTxq)
	return nil
}

type rxq struct {
	f *Fake
	q int
}

type txq struct {
	f *Fake
	q int
}

// RxQueueSetup implements ethdev.Driver.
func (f *Fake) RxQueueSetup(q ethdev.RxQueueInfo) (ethdev.RxQueue, error) {
	return &rxq{f, int(q.Queue)}, nil
}

// TxQueueSetup implements ethdev.Driver.
func (f *Fake) TxQueueSetup(q ethdev.TxQueueInfo) (ethdev.TxQueue, error) {
	return &txq{f, int(q.Queue)}, nil
}

func (r *rxq) RxBurst(pkts []*mbuf.Mbuf) int {
	f := r.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.started {
		return 0
	}
	n := copy(pkts, f.rx[r.q])
	f.rx[r.q] = f.rx[r.q][n:]
	var b uint64
	for _, m := range pkts[:n] {
		b += uint64(m.PktLen())
	}
	f.rxStats[r.q].Add(uint64(n), b)
	return n
}

func (t *txq) TxBurst(pkts []*mbuf.Mbuf) int {
	f := t.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.started {
		return 0
	}
	n := len(pkts)
	if f.TxLimit > 0 && n > f.TxLimit {
		n = f.TxLimit
	}
	var b uint64
	for _, m := range pkts[:n] {
		b += uint64(m.PktLen())
	}
	f.tx[t.q] = append(f.tx[t.q], pkts[:n]...)
	f.txStats[t.q].Add(uint64(n), b)
	return n
}

// Inject queues packets for RX queue q.
func (f *Fake) Inject(q int, ms ...*mbuf.Mbuf) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rx[q] = append(f.rx[q], ms...)
}

// Sent takes the packets transmitted on TX queue q so far.
func (f *Fake) Sent(q int) []*mbuf.Mbuf {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.tx[q]
	f.tx[q] = nil
	return s
}

// Start implements ethdev.Driver.
func (f *Fake) Start() error { f.mu.Lock(); f.started = true; f.mu.Unlock(); return nil }

// Stop implements ethdev.Driver.
func (f *Fake) Stop() error { f.mu.Lock(); f.started = false; f.mu.Unlock(); return nil }

// Close implements ethdev.Driver: it frees packets still queued.
func (f *Fake) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, q := range append(f.rx, f.tx...) {
		mbuf.FreeBulk(q, ^uint32(0))
	}
	f.rx, f.tx = nil, nil
	return nil
}

// Stats implements ethdev.Driver.
func (f *Fake) Stats(s *ethdev.Stats) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.rxStats {
		f.rxStats[i].AddRx(s, i)
	}
	for i := range f.txStats {
		f.txStats[i].AddTx(s, i)
	}
	return nil
}

// StatsReset implements ethdev.Driver.
func (f *Fake) StatsReset() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.rxStats {
		f.rxStats[i].Reset()
	}
	for i := range f.txStats {
		f.txStats[i].Reset()
	}
	return nil
}

// Link implements ethdev.Driver.
func (f *Fake) Link(bool) (ethdev.Link, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.link, nil
}

// SetLink implements ethdev.LinkSetter and raises a link-state-change event.
func (f *Fake) SetLink(up bool) error {
	f.mu.Lock()
	f.link.Up = up
	f.mu.Unlock()
	return nil
}

// SetPromiscuous implements ethdev.Promiscuous.
func (f *Fake) SetPromiscuous(on bool) error { f.mu.Lock(); f.promisc = on; f.mu.Unlock(); return nil }

// SetAllMulticast implements ethdev.Promiscuous.
func (f *Fake) SetAllMulticast(bool) error { return nil }

var (
	_ ethdev.Driver      = (*Fake)(nil)
	_ ethdev.LinkSetter  = (*Fake)(nil)
	_ ethdev.Promiscuous = (*Fake)(nil)
)
