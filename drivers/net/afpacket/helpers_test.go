package afpacket

import (
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"dpk/eal"
	"dpk/ethdev"
	"dpk/internal/drivertest"
	"dpk/internal/netns"
	"dpk/internal/testutil"
	"dpk/mbuf"
	"dpk/mempool"
)

// topo is the l2fwd test network: two namespaces, A (10.99.1.1) and B
// (10.99.1.2) on one subnet, each linked by a veth pair to the test's
// namespace, where dpk drives the two ends (no address, quiet) as ports
// pa and pb and forwards between them. Neighbour entries are static and
// IPv6 is off, so only the test's own packets cross.
type topo struct {
	a, b       *netns.NS
	va, vb     netns.Veth // Name: dpk's end (host), Peer: in a / b
	ipA, ipB   string
	pa, pb     uint16
	pool       *mempool.Mempool
	nq         uint16
	kernA      netns.LinkStats // counters of va.Name / vb.Name at reset
	kernB      netns.LinkStats
	fwd        *forwarder
	lastFwd    *forwarder
	portsAlive bool
}

var subnetSeq atomic.Uint32

// newTopo builds the network, probes the two ports with extra devargs and
// starts them with nq queues and conf.
func newTopo(t *testing.T, nq uint16, devargs string, conf *ethdev.Conf) *topo {
	t.Helper()
	needRoot(t)
	tp := &topo{nq: nq}
	tp.a, tp.b = netns.New(t, "na"), netns.New(t, "nb")
	tp.va, tp.vb = netns.NewVeth(t, "da"), netns.NewVeth(t, "db")
	n := subnetSeq.Add(1) % 250
	tp.ipA, tp.ipB = fmt.Sprintf("10.99.%d.1", n), fmt.Sprintf("10.99.%d.2", n)
	for _, x := range []struct {
		ns   *netns.NS
		v    netns.Veth
		addr string
	}{{tp.a, tp.va, tp.ipA}, {tp.b, tp.vb, tp.ipB}} {
		netns.Host.Quiet(t, x.v.Name)
		netns.Host.Up(t, x.v.Name)
		x.ns.Adopt(t, x.v.Peer)
		x.ns.Sysctl(t, "net/ipv6/conf/"+x.v.Peer+"/disable_ipv6", "1")
		x.ns.Addr(t, x.v.Peer, x.addr+"/24")
		x.ns.Up(t, x.v.Peer)
	}
	netns.Host.WaitRunning(t, tp.va.Name)
	netns.Host.WaitRunning(t, tp.vb.Name)
	tp.a.Neigh(t, tp.va.Peer, tp.ipB, tp.b.MAC(t, tp.vb.Peer))
	tp.b.Neigh(t, tp.vb.Peer, tp.ipA, tp.a.MAC(t, tp.va.Peer))

	testutil.InitEAL(t, "--in-memory")
	tp.pa = drivertest.ProbePort(t, "net_af_packet0,iface="+tp.va.Name+devargs)
	tp.pb = drivertest.ProbePort(t, "net_af_packet1,iface="+tp.vb.Name+devargs)
	tp.pool = drivertest.NewPool(t, "afp_pool", 16383)
	for _, p := range []uint16{tp.pa, tp.pb} {
		startPort(t, p, nq, tp.pool, conf)
	}
	tp.portsAlive = true
	t.Cleanup(func() {
		tp.stopForwarding(t)
		if tp.portsAlive {
			ethdev.Close(tp.pa)
			ethdev.Close(tp.pb)
		}
	})
	tp.resetCounters(t)
	return tp
}

// needRoot skips a test that needs root, saying why, unless CI is set:
// there it fails.
func needRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 && os.Getenv("CI") == "" {
		t.Skip("needs root: the test creates network namespaces and veth pairs and opens AF_PACKET sockets")
	}
	testutil.SkipUnlessRoot(t)
}

func startPort(t testing.TB, port, nq uint16, mp *mempool.Mempool, conf *ethdev.Conf) {
	t.Helper()
	if err := ethdev.Configure(port, nq, nq, conf); err != nil {
		t.Fatal(err)
	}
	for q := uint16(0); q < nq; q++ {
		if err := ethdev.RxQueueSetup(port, q, 1024, -1, nil, mp); err != nil {
			t.Fatal(err)
		}
		if err := ethdev.TxQueueSetup(port, q, 1024, -1, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := ethdev.Start(port); err != nil {
		t.Fatal(err)
	}
}

// resetCounters clears the ports' counters and records the kernel's.
func (tp *topo) resetCounters(t testing.TB) {
	t.Helper()
	ethdev.StatsReset(tp.pa)
	ethdev.StatsReset(tp.pb)
	ethdev.XstatsReset(tp.pa)
	ethdev.XstatsReset(tp.pb)
	tp.kernA = netns.Host.MustStats(t, tp.va.Name)
	tp.kernB = netns.Host.MustStats(t, tp.vb.Name)
}

// forwarder is l2fwd without MAC rewrite on an eal worker lcore: every
// queue q of one port to queue q of the other.
type forwarder struct {
	stop    atomic.Bool
	lcore   uint32
	ports   [2]uint16
	nq      uint16
	dropped atomic.Uint64 // packets TX would not take after retries
	// seen, if set, is called on the lcore for each received burst.
	seen func(side int, q uint16, pkts []*mbuf.Mbuf)
}

func (tp *topo) startForwarding(t testing.TB, seen func(int, uint16, []*mbuf.Mbuf)) *forwarder {
	t.Helper()
	ws := eal.Workers()
	if len(ws) == 0 {
		t.Fatal("no worker lcore: the test needs -l with two lcores")
	}
	f := &forwarder{lcore: ws[0].ID(), ports: [2]uint16{tp.pa, tp.pb}, nq: tp.nq, seen: seen}
	if err := eal.RemoteLaunch(f.run, f.lcore); err != nil {
		t.Fatal(err)
	}
	tp.fwd = f
	return f
}

// stopForwarding waits for the traffic to end, then stops the lcore and
// waits for it.
func (tp *topo) stopForwarding(t testing.TB) {
	if tp.fwd == nil {
		return
	}
	tp.quiesce()
	tp.fwd.stop.Store(true)
	if err := eal.WaitLcore(tp.fwd.lcore); err != nil {
		t.Errorf("forwarding lcore: %v", err)
	}
	tp.lastFwd, tp.fwd = tp.fwd, nil
}

// quiesce waits (at most 2 s) until the kernel counters of the ports'
// interfaces have not moved for 50 ms, then long enough for the last
// frames' ring block to be handed over and forwarded.
func (tp *topo) quiesce() {
	var last [2]netns.LinkStats
	stable := 0
	for i := 0; i < 100 && stable < 3; i++ {
		time.Sleep(20 * time.Millisecond)
		a, errA := netns.Host.Stats(tp.va.Name)
		b, errB := netns.Host.Stats(tp.vb.Name)
		if errA != nil || errB != nil {
			return
		}
		if a == last[0] && b == last[1] {
			stable++
		} else {
			stable = 0
		}
		last = [2]netns.LinkStats{a, b}
	}
	time.Sleep(30 * time.Millisecond)
}

func (f *forwarder) run(lc *eal.Lcore) error {
	var pkts [32]*mbuf.Mbuf
	for !f.stop.Load() {
		for side := 0; side < 2; side++ {
			for q := uint16(0); q < f.nq; q++ {
				n := ethdev.RxBurst(f.ports[side], q, pkts[:])
				if n == 0 {
					continue
				}
				if f.seen != nil {
					f.seen(side, q, pkts[:n])
				}
				sent := 0
				for try := 0; sent < n && try < 1000; try++ {
					sent += ethdev.TxBurst(f.ports[1-side], q, pkts[sent:n])
				}
				if sent < n {
					f.dropped.Add(uint64(n - sent))
					mbuf.FreeBulk(pkts[sent:n], lc.ID())
				}
			}
		}
	}
	return nil
}
