// Package null is DPDK's net_null poll-mode driver: a port that receives
// empty packets as fast as mbufs can be allocated and drops every packet it
// sends. It measures the cost of the ethdev and mempool path alone.
//
// Devargs (as DPDK's): size=<bytes> (packet size, default 64),
// copy=<0|1> (copy a packet's bytes on RX and TX, default 0),
// no-rx=<0|1> (receive nothing, default 0).
//
//	dpk-testpmd --vdev net_null0 --vdev net_null1 -- --forward-mode=io
package null

import (
	"crypto/rand"
	"fmt"
	"sync"

	"dpk/eal"
	"dpk/ethdev"
	"dpk/mbuf"
	"dpk/mempool"
)

const driverName = "net_null"

func init() {
	ethdev.RegisterDriver(ethdev.DriverSpec{
		Name:    driverName,
		Aliases: []string{"eth_null"},
		Keys:    []string{"size", "copy", "no-rx"},
		Help:    "size=<int> copy=<int> no-rx=<0|1>",
		Probe:   probe,
	})
}

func probe(a ethdev.Devargs) error {
	size, err := a.Uint("size", 64, 65535)
	if err != nil {
		return err
	}
	if size == 0 {
		return fmt.Errorf("%s: size=0: packets need at least one byte", a.Name)
	}
	cp, err := a.Bool("copy", false)
	if err != nil {
		return err
	}
	norx, err := a.Bool("no-rx", false)
	if err != nil {
		return err
	}
	var mac ethdev.EtherAddr
	rand.Read(mac[:])
	mac[0] = mac[0]&^1 | 2 // unicast, locally administered
	p := &port{size: uint16(size), copy: cp, noRx: norx}
	_, err = ethdev.Allocate(a.Name, p, mac)
	return err
}

// port is one null port.
type port struct {
	mu   sync.Mutex
	size uint16
	copy bool
	noRx bool
	rxq  []*rxQueue
	txq  []*txQueue
	up   bool
}

var (
	_ ethdev.Driver      = (*port)(nil)
	_ ethdev.LinkSetter  = (*port)(nil)
	_ ethdev.LcoreBinder = (*port)(nil)
)

// BindRxQueue makes RX queue q allocate through lcore's mempool cache.
func (p *port) BindRxQueue(q uint16, lcore uint32) {
	p.mu.Lock()
	defer p.mu.Unlock()
	rq := p.rxq[q]
	if c := rq.pool.DefaultCache(lcore); c != nil {
		rq.cache = c
	} else {
		rq.cache = rq.own
	}
}

// BindTxQueue makes TX queue q free through lcore's mempool caches.
func (p *port) BindTxQueue(q uint16, lcore uint32) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.txq[q].lcore = lcore
}

// rxQueue receives size-byte packets from its pool through a private
// cache, or through the cache of the lcore it is bound to.
type rxQueue struct {
	pool  *mempool.Mempool
	cache *mempool.Cache // in use: private or the bound lcore's
	own   *mempool.Cache // the private one
	size  uint16
	copy  bool
	noRx  bool
	port  uint16
	dummy []byte
	stats ethdev.QueueStats
}

// txQueue drops what it is given, freeing through private caches, or
// through the caches of the lcore it is bound to (lcore != LcoreIDAny).
type txQueue struct {
	free  mbuf.Freer
	lcore uint32
	copy  bool
	dummy []byte
	stats ethdev.QueueStats
}

func (p *port) Info(info *ethdev.DevInfo) {
	info.DriverName = driverName
	info.MaxRxQueues = ethdev.MaxQueuesPerPort
	info.MaxTxQueues = ethdev.MaxQueuesPerPort
	info.MaxRxPktLen = 65535
	info.MaxMTU = 65535 - 18
	info.RxOffloadCapa = 0
	info.TxOffloadCapa = ethdev.TxOffloadMtLockfree | ethdev.TxOffloadMultiSegs
	info.SpeedCapa = 0
}

func (p *port) Configure(nbRxq, nbTxq uint16, _ *ethdev.Conf) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rxq = make([]*rxQueue, nbRxq)
	p.txq = make([]*txQueue, nbTxq)
	return nil
}

func (p *port) RxQueueSetup(q ethdev.RxQueueInfo) (ethdev.RxQueue, error) {
	if uint32(p.size) > uint32(mbuf.DataRoomSize(q.Pool))-mbuf.DefaultHeadroom {
		return nil, fmt.Errorf("packet size %d does not fit the pool's data room %d", p.size, mbuf.DataRoomSize(q.Pool))
	}
	c, err := mempool.NewCache(256)
	if err != nil {
		return nil, err
	}
	rq := &rxQueue{port: q.Port, pool: q.Pool, cache: c, own: c, size: p.size, copy: p.copy, noRx: p.noRx, dummy: make([]byte, p.size)}
	p.mu.Lock()
	p.rxq[q.Queue] = rq
	p.mu.Unlock()
	return rq, nil
}

func (p *port) TxQueueSetup(q ethdev.TxQueueInfo) (ethdev.TxQueue, error) {
	tq := &txQueue{copy: p.copy, dummy: make([]byte, p.size), lcore: eal.LcoreIDAny}
	p.mu.Lock()
	p.txq[q.Queue] = tq
	p.mu.Unlock()
	return tq, nil
}

// RxBurst fills pkts with fresh packets of the configured size.
func (q *rxQueue) RxBurst(pkts []*mbuf.Mbuf) int {
	if q.noRx || len(pkts) == 0 {
		return 0
	}
	if mbuf.AllocBulkCache(q.pool, pkts, q.cache) != nil {
		q.stats.AddNoMbuf(uint64(len(pkts)))
		return 0
	}
	for _, m := range pkts {
		m.SetLen(q.size)
		m.Port = q.port
		if q.copy {
			copy(m.Data(), q.dummy)
		}
	}
	q.stats.Add(uint64(len(pkts)), uint64(len(pkts))*uint64(q.size))
	return len(pkts)
}

// TxBurst drops every packet.
func (q *txQueue) TxBurst(pkts []*mbuf.Mbuf) int {
	var bytes uint64
	for _, m := range pkts {
		bytes += uint64(m.PktLen())
		if q.copy {
			copy(q.dummy, m.Data())
		}
	}
	if q.lcore != eal.LcoreIDAny {
		mbuf.FreeBulk(pkts, q.lcore)
	} else {
		q.free.FreeBulk(pkts)
	}
	q.stats.Add(uint64(len(pkts)), bytes)
	return len(pkts)
}

func (p *port) Start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.up = true
	return nil
}

// Stop returns what the queues' private caches hold to the pools.
func (p *port) Stop() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.up = false
	for _, q := range p.rxq {
		if q != nil {
			q.pool.CacheFlush(q.own)
		}
	}
	for _, q := range p.txq {
		if q != nil {
			q.free.Flush()
		}
	}
	return nil
}

func (p *port) Close() error { return p.Stop() }

func (p *port) Stats(s *ethdev.Stats) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, q := range p.rxq {
		if q != nil {
			q.stats.AddRx(s, i)
		}
	}
	for i, q := range p.txq {
		if q != nil {
			q.stats.AddTx(s, i)
		}
	}
	return nil
}

func (p *port) StatsReset() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, q := range p.rxq {
		if q != nil {
			q.stats.Reset()
		}
	}
	for _, q := range p.txq {
		if q != nil {
			q.stats.Reset()
		}
	}
	return nil
}

func (p *port) Link(bool) (ethdev.Link, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return ethdev.Link{Speed: ethdev.Speed10G, FullDuplex: true, Up: p.up}, nil
}

func (p *port) SetLink(up bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.up = up
	return nil
}
