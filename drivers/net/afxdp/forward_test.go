package afxdp

import (
	"fmt"
	"strings"
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

// topo is the l2fwd test network: two namespaces, A and B, on one subnet,
// each linked by a veth pair to the test's namespace, where dpk drives the
// two ends (quiet: no address, no ARP, no IPv6) as af_xdp ports pa and pb
// and forwards between them. Neighbour entries are static and IPv6 is off
// in A and B, so only the test's own packets cross.
type topo struct {
	a, b         *netns.NS
	va, vb       netns.Veth // Name: dpk's end (test namespace), Peer: in a / b
	ipA, ipB     string
	pa, pb       uint16
	pool         *mempool.Mempool
	nq           uint16
	kernA, kernB netns.LinkStats // counters of va.Name / vb.Name at reset
	fwds         []*forwarder
	dropped      uint64 // packets the forwarders dropped, once stopped
}

var subnetSeq atomic.Uint32

// newTopo builds the network with nq queues on every veth, probes the two
// ports with extra devargs and starts them with nq queues.
func newTopo(t *testing.T, nq uint16, devargs string, eal ...string) *topo {
	t.Helper()
	needRoot(t)
	tp := &topo{nq: nq}
	tp.a, tp.b = netns.New(t, "xa"), netns.New(t, "xb")
	tp.va, tp.vb = newVeth(t, "ya", int(nq)), newVeth(t, "yb", int(nq))
	n := subnetSeq.Add(1)%250 + 1
	tp.ipA, tp.ipB = fmt.Sprintf("10.97.%d.1", n), fmt.Sprintf("10.97.%d.2", n)
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
		// A frame reaches an AF_XDP socket as its bytes only: a checksum
		// left to the device (CHECKSUM_PARTIAL, what a veth's TX
		// checksum offload makes) would cross unfinished and be dropped
		// where it lands. The peers compute checksums themselves.
		x.ns.Run(t, "ethtool", "-K", x.v.Peer, "tx", "off")
		x.ns.Up(t, x.v.Peer)
	}
	netns.Host.WaitRunning(t, tp.va.Name)
	netns.Host.WaitRunning(t, tp.vb.Name)
	tp.a.Neigh(t, tp.va.Peer, tp.ipB, tp.b.MAC(t, tp.vb.Peer))
	tp.b.Neigh(t, tp.vb.Peer, tp.ipA, tp.a.MAC(t, tp.va.Peer))

	testutil.InitEAL(t, append([]string{"--in-memory"}, eal...)...)
	tp.pa = drivertest.ProbePort(t, "net_af_xdp0,iface="+tp.va.Name+devargs)
	tp.pb = drivertest.ProbePort(t, "net_af_xdp1,iface="+tp.vb.Name+devargs)
	tp.pool = newPool(t, "axp_pool", 16383)
	t.Cleanup(func() {
		tp.stopForwarding(t)
		ethdev.Close(tp.pa)
		ethdev.Close(tp.pb)
	})
	for _, p := range []uint16{tp.pa, tp.pb} {
		startPort(t, p, nq, tp.pool, 1024)
	}
	tp.resetCounters(t)
	return tp
}

// resetCounters clears the ports' counters and records the kernel's.
func (tp *topo) resetCounters(t testing.TB) {
	t.Helper()
	for _, p := range []uint16{tp.pa, tp.pb} {
		ethdev.StatsReset(p)
		ethdev.XstatsReset(p)
	}
	tp.kernA = netns.Host.MustStats(t, tp.va.Name)
	tp.kernB = netns.Host.MustStats(t, tp.vb.Name)
}

// forwarder is l2fwd without MAC rewrite on an eal worker lcore: queue q of
// one port to queue q of the other, for the queues in qs.
type forwarder struct {
	stop    atomic.Bool
	lcore   uint32
	ports   [2]uint16
	qs      []uint16
	dropped atomic.Uint64 // packets TX would not take after retries
	// seen, if set, is called on the lcore for each received burst.
	seen func(side int, q uint16, pkts []*mbuf.Mbuf)
}

// startForwarding forwards every queue on the first worker lcore, or, with
// perLcore, queue i on worker i.
func (tp *topo) startForwarding(t testing.TB, perLcore bool, seen func(int, uint16, []*mbuf.Mbuf)) []*forwarder {
	t.Helper()
	ws := eal.Workers()
	var fs []*forwarder
	switch {
	case !perLcore && len(ws) >= 1:
		var qs []uint16
		for q := range tp.nq {
			qs = append(qs, q)
		}
		fs = append(fs, &forwarder{lcore: ws[0].ID(), qs: qs})
	case perLcore && len(ws) >= int(tp.nq):
		for q := range tp.nq {
			fs = append(fs, &forwarder{lcore: ws[q].ID(), qs: []uint16{q}})
		}
	default:
		t.Fatalf("%d worker lcores: too few for %d queues", len(ws), tp.nq)
	}
	for _, f := range fs {
		f.ports, f.seen = [2]uint16{tp.pa, tp.pb}, seen
		if err := eal.RemoteLaunch(f.run, f.lcore); err != nil {
			t.Fatal(err)
		}
	}
	tp.fwds = fs
	return fs
}

func (f *forwarder) run(lc *eal.Lcore) error {
	var pkts [32]*mbuf.Mbuf
	for !f.stop.Load() {
		for side := 0; side < 2; side++ {
			for _, q := range f.qs {
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

// stopForwarding waits for the traffic to end, then stops the lcores and
// waits for them.
func (tp *topo) stopForwarding(t testing.TB) {
	if tp.fwds == nil {
		return
	}
	tp.quiesce()
	for _, f := range tp.fwds {
		f.stop.Store(true)
	}
	for _, f := range tp.fwds {
		if err := eal.WaitLcore(f.lcore); err != nil {
			t.Errorf("forwarding lcore %d: %v", f.lcore, err)
		}
		tp.dropped += f.dropped.Load()
	}
	tp.fwds = nil
}

// quiesce waits (at most 2 s) until the kernel counters of the ports'
// interfaces have not moved for 60 ms.
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
}

// checkCounters compares the ports' counters with the kernel's on their
// interfaces: what the peers sent entered the ports (or was dropped by the
// sockets: imissed), what the ports sent left them, and everything received
// was forwarded.
func checkCounters(t *testing.T, tp *topo) (sa, sb ethdev.Stats) {
	t.Helper()
	sa, _ = ethdev.StatsGet(tp.pa)
	sb, _ = ethdev.StatsGet(tp.pb)
	ka := netns.Host.MustStats(t, tp.va.Name).Sub(tp.kernA)
	kb := netns.Host.MustStats(t, tp.vb.Name).Sub(tp.kernB)
	for _, c := range []struct {
		name string
		port uint16
		s    ethdev.Stats
		k    netns.LinkStats
		ifn  string
	}{{"A", tp.pa, sa, ka, tp.va.Name}, {"B", tp.pb, sb, kb, tp.vb.Name}} {
		t.Logf("port %s: ipackets %d ibytes %d imissed %d ierrors %d opackets %d obytes %d oerrors %d",
			c.name, c.s.IPackets, c.s.IBytes, c.s.IMissed, c.s.IErrors, c.s.OPackets, c.s.OBytes, c.s.OErrors)
		t.Logf("kernel %s: rx %d packets %d bytes, tx %d packets %d bytes (dropped rx %d tx %d)",
			c.ifn, c.k.RxPackets, c.k.RxBytes, c.k.TxPackets, c.k.TxBytes, c.k.RxDropped, c.k.TxDropped)
		xs, _ := ethdev.Xstats(c.port)
		var b strings.Builder
		for _, x := range xs {
			if x.Value != 0 {
				fmt.Fprintf(&b, " %s=%d", x.Name, x.Value)
			}
		}
		t.Logf("port %s xstats:%s", c.name, b.String())
		if c.s.IPackets+c.s.IMissed+c.s.IErrors != c.k.RxPackets {
			t.Errorf("port %s received %d packets (+%d missed, %d errors), the kernel counted %d", c.name, c.s.IPackets, c.s.IMissed, c.s.IErrors, c.k.RxPackets)
		}
		// veth counts a frame that its XDP program handled without the
		// Ethernet header (the length after eth_type_trans).
		if c.s.IMissed == 0 && c.s.IBytes != c.k.RxBytes && c.s.IBytes != c.k.RxBytes+ethHdr*c.k.RxPackets {
			t.Errorf("port %s received %d bytes, the kernel counted %d", c.name, c.s.IBytes, c.k.RxBytes)
		}
		if c.s.OPackets != c.k.TxPackets || c.s.OBytes != c.k.TxBytes && c.s.OBytes != c.k.TxBytes+ethHdr*c.k.TxPackets {
			t.Errorf("port %s sent %d packets %d bytes, the kernel counted %d packets %d bytes", c.name, c.s.OPackets, c.s.OBytes, c.k.TxPackets, c.k.TxBytes)
		}
	}
	if sa.IPackets != sb.OPackets+sb.OErrors+tp.dropped && sb.IPackets != sa.OPackets+sa.OErrors+tp.dropped {
		t.Errorf("A in %d, B out %d; B in %d, A out %d; forwarder dropped %d", sa.IPackets, sb.OPackets, sb.IPackets, sa.OPackets, tp.dropped)
	}
	return sa, sb
}

const ethHdr = 14

// stopAndCheckPool stops both ports and checks every mbuf is back.
func (tp *topo) stopAndCheckPool(t *testing.T) {
	t.Helper()
	for _, p := range []uint16{tp.pa, tp.pb} {
		if err := ethdev.Stop(p); err != nil {
			t.Fatal(err)
		}
	}
	if tp.pool.AvailCount() != tp.pool.Size() {
		t.Errorf("after stop %d of %d mbufs in the pool", tp.pool.AvailCount(), tp.pool.Size())
	}
}

// TestForward runs l2fwd between two namespaces through two af_xdp ports
// and checks ping (small, MTU-sized and fragmented), a 100 MB TCP transfer,
// the counters against the kernel's, and that every mbuf comes back.
func TestForward(t *testing.T) {
	tp := newTopo(t, 1, "")
	info, err := ethdev.InfoGet(tp.pa)
	if err != nil || info.DriverName != "net_af_xdp" || info.MaxRxQueues != 1 || info.IfIndex == 0 {
		t.Errorf("info %+v, %v", info, err)
	}
	if l, err := ethdev.LinkGet(tp.pa); err != nil || !l.Up {
		t.Errorf("link %v, %v", l, err)
	}
	tp.startForwarding(t, false, nil)
	t.Run("ping", func(t *testing.T) { drivertest.Ping(t, tp.a, tp.ipB, 56, 3) })
	t.Run("ping_1472_df", func(t *testing.T) { drivertest.Ping(t, tp.a, tp.ipB, 1472, 3, "-M", "do") })
	t.Run("ping_4000_fragmented", func(t *testing.T) { drivertest.Ping(t, tp.a, tp.ipB, 4000, 3) })
	t.Run("tcp_100MB", func(t *testing.T) { drivertest.TCPTransfer(t, tp.a, tp.b, tp.ipB, 5001, 100_000_000) })
	tp.stopForwarding(t)
	sa, sb := checkCounters(t, tp)
	if sa.IPackets == 0 || sb.IPackets == 0 {
		t.Errorf("no packets counted: A %+v B %+v", sa, sb)
	}
	tp.stopAndCheckPool(t)
}
