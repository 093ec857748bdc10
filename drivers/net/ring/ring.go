// Package ring is DPDK's net_ring poll-mode driver: a port whose queues are
// rte_rings. Packets sent on TX queue i are enqueued on a ring and packets
// received on RX queue i are dequeued from one.
//
// Devargs:
//
//	net_ring0                          16 loopback queue pairs on internal rings (DPDK's default)
//	net_ring0,nodeaction=r0:0:CREATE    DPDK's form: loopback rings named after r0, created
//	net_ring0,nodeaction=r0:0:ATTACH    ... or attached to rings another port created
//	net_ring0,rx=[a0,a1],tx=[b0,b1]     dpk: queue i receives from ring a_i and sends to b_i,
//	                                    each created if missing, else attached
//
// Two ports wired crosswise (rx=a,tx=b and rx=b,tx=a) form a link; since
// the rings are named memzones, the two ports can live in two processes of
// the same --file-prefix (a primary and a secondary). Rings carry mbuf
// window offsets, valid in every process.
package ring

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unsafe"

	"dpk/eal"
	"dpk/ethdev"
	"dpk/mbuf"
	rring "dpk/ring"
)

const (
	driverName = "net_ring"
	maxQueues  = 16 // RTE_PMD_RING_MAX_RX_RINGS
	ringSize   = 1024
)

func init() {
	ethdev.RegisterDriver(ethdev.DriverSpec{
		Name:    driverName,
		Aliases: []string{"eth_ring"},
		Keys:    []string{"nodeaction", "rx", "tx"},
		Help:    "nodeaction=name:node:action rx=[ring,...] tx=[ring,...]",
		Probe:   probe,
	})
}

func splitList(v string) []string {
	v = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(v), "["), "]")
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// getRing finds a named ring or creates it.
func getRing(name string, create, attach bool) (*rring.Ring, bool, error) {
	if attach {
		r, err := rring.Lookup(name)
		if err == nil {
			return r, false, nil
		}
		if !create {
			return nil, false, fmt.Errorf("ring %q: %w", name, err)
		}
	}
	r, err := rring.CreateElem(name, 8, ringSize, eal.SocketIDAny, rring.FlagSPEnq|rring.FlagSCDeq)
	if err != nil && errors.Is(err, eal.ErrExist) && attach {
		r, err = rring.Lookup(name)
		return r, false, err
	}
	return r, err == nil, err
}

func probe(a ethdev.Devargs) error {
	p := &port{}
	rx, tx := a.GetAll("rx"), a.GetAll("tx")
	na, hasNA := a.Get("nodeaction")
	switch {
	case len(rx) > 0 || len(tx) > 0:
		if hasNA {
			return fmt.Errorf("%s: nodeaction cannot be combined with rx/tx", a.Name)
		}
		var rxn, txn []string
		for _, v := range rx {
			rxn = append(rxn, splitList(v)...)
		}
		for _, v := range tx {
			txn = append(txn, splitList(v)...)
		}
		if len(rxn) != len(txn) || len(rxn) == 0 || len(rxn) > maxQueues {
			return fmt.Errorf("%s: give as many rx as tx rings, 1 to %d (got %d rx, %d tx)", a.Name, maxQueues, len(rxn), len(txn))
		}
		for i := range rxn {
			r, created, err := getRing(rxn[i], true, true)
			if err != nil {
				p.release()
				return fmt.Errorf("%s: rx ring: %w", a.Name, err)
			}
			p.addOwned(r, created)
			t, created, err := getRing(txn[i], true, true)
			if err != nil {
				p.release()
				return fmt.Errorf("%s: tx ring: %w", a.Name, err)
			}
			p.addOwned(t, created)
			p.rx = append(p.rx, r)
			p.tx = append(p.tx, t)
		}
	default:
		name, action := a.Name, "CREATE"
		if hasNA {
			parts := strings.Split(na, ":")
			if len(parts) != 3 || parts[0] == "" {
				return fmt.Errorf("%s: nodeaction=%q: want name:node:CREATE|ATTACH", a.Name, na)
			}
			name, action = parts[0], strings.ToUpper(parts[2])
			if action != "CREATE" && action != "ATTACH" {
				return fmt.Errorf("%s: nodeaction=%q: action must be CREATE or ATTACH", a.Name, na)
			}
		}
		for i := 0; i < maxQueues; i++ {
			rn := fmt.Sprintf("ETH_RXTX%d_%s", i, name)
			r, created, err := getRing(rn, action == "CREATE", action == "ATTACH")
			if err != nil {
				p.release()
				return fmt.Errorf("%s: %w", a.Name, err)
			}
			p.addOwned(r, created)
			p.rx = append(p.rx, r)
			p.tx = append(p.tx, r)
		}
	}
	var mac ethdev.EtherAddr
	rand.Read(mac[:])
	mac[0] = mac[0]&^1 | 2
	if _, err := ethdev.Allocate(a.Name, p, mac); err != nil {
		p.release()
		return err
	}
	return nil
}

// port is one ring port.
type port struct {
	mu    sync.Mutex
	rx    []*rring.Ring
	tx    []*rring.Ring
	owned []*rring.Ring // rings this port created, freed on close
	rxq   []*rxQueue
	txq   []*txQueue
	up    bool
}

var (
	_ ethdev.Driver     = (*port)(nil)
	_ ethdev.LinkSetter = (*port)(nil)
)

func (p *port) addOwned(r *rring.Ring, created bool) {
	if created {
		p.owned = append(p.owned, r)
	}
}

func (p *port) release() {
	for _, r := range p.owned {
		r.Free()
	}
	p.owned = nil
}

type rxQueue struct {
	r     *rring.Ring
	base  unsafe.Pointer // EAL memory window: the rings carry offsets from it
	offs  [64]uint64
	stats ethdev.QueueStats
}

type txQueue struct {
	r     *rring.Ring
	base  unsafe.Pointer
	offs  [64]uint64
	stats ethdev.QueueStats
}

func (p *port) Info(info *ethdev.DevInfo) {
	info.DriverName = driverName
	info.MaxRxQueues = uint16(len(p.rx))
	info.MaxTxQueues = uint16(len(p.tx))
	info.MaxRxPktLen = 65535
	info.MaxMTU = 65535 - 18
	info.MaxMACAddrs = 1
	info.TxOffloadCapa = ethdev.TxOffloadMultiSegs
	info.RxOffloadCapa = ethdev.RxOffloadScatter
}

func (p *port) Configure(nbRxq, nbTxq uint16, _ *ethdev.Conf) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rxq = make([]*rxQueue, nbRxq)
	p.txq = make([]*txQueue, nbTxq)
	return nil
}

func (p *port) RxQueueSetup(q ethdev.RxQueueInfo) (ethdev.RxQueue, error) {
	rq := &rxQueue{r: p.rx[q.Queue], base: eal.MemBase()}
	p.mu.Lock()
	p.rxq[q.Queue] = rq
	p.mu.Unlock()
	return rq, nil
}

func (p *port) TxQueueSetup(q ethdev.TxQueueInfo) (ethdev.TxQueue, error) {
	tq := &txQueue{r: p.tx[q.Queue], base: eal.MemBase()}
	p.mu.Lock()
	p.txq[q.Queue] = tq
	p.mu.Unlock()
	return tq, nil
}

// RxBurst dequeues mbuf offsets and turns them into this process's mbufs.
// As DPDK's ring PMD it does not touch the mbufs (no port id is set) and
// counts packets, not bytes.
func (q *rxQueue) RxBurst(pkts []*mbuf.Mbuf) int {
	total := 0
	for total < len(pkts) {
		want := min(len(pkts)-total, len(q.offs))
		n, _ := q.r.DequeueBurstU64(q.offs[:want])
		for i, off := range q.offs[:n] {
			pkts[total+i] = (*mbuf.Mbuf)(unsafe.Add(q.base, off))
		}
		total += int(n)
		if int(n) < want {
			break
		}
	}
	if total > 0 {
		q.stats.Add(uint64(total), 0)
	}
	return total
}

// TxBurst enqueues mbuf offsets; what does not fit stays with the caller.
// It counts packets, not bytes, as DPDK's ring PMD.
func (q *txQueue) TxBurst(pkts []*mbuf.Mbuf) int {
	total := 0
	for total < len(pkts) {
		want := min(len(pkts)-total, len(q.offs))
		for i, m := range pkts[total : total+want] {
			q.offs[i] = uint64(uintptr(unsafe.Pointer(m)) - uintptr(q.base))
		}
		n, _ := q.r.EnqueueBurstU64(q.offs[:want])
		total += int(n)
		if int(n) < want {
			q.stats.AddErrors(uint64(len(pkts) - total))
			break
		}
	}
	if total > 0 {
		q.stats.Add(uint64(total), 0)
	}
	return total
}

func (p *port) Start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.up = true
	return nil
}

func (p *port) Stop() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.up = false
	return nil
}

// Close frees the mbufs left in the rings this port created, then the rings.
func (p *port) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	base := eal.MemBase()
	var offs [64]uint64
	var ms [64]*mbuf.Mbuf
	for _, r := range p.owned {
		for {
			n, _ := r.DequeueBurstU64(offs[:])
			if n == 0 {
				break
			}
			for i, off := range offs[:n] {
				ms[i] = (*mbuf.Mbuf)(unsafe.Add(base, off))
			}
			mbuf.FreeBulk(ms[:n], eal.LcoreIDAny)
		}
	}
	p.release()
	return nil
}

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
