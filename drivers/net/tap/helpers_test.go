package tap

import (
	"encoding/binary"
	"fmt"
	"net"
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
	"dpk/pkt/checksum"
)

// topo is the forwarding test network: two dpk tap ports, pa and pb, whose
// kernel interfaces ta and tb live in namespaces A (ipA) and B (ipB) on
// one subnet. A forwarder moves frames between the ports, so A and B talk
// through dpk. Neighbour entries are static and IPv6 is off, so only the
// test's own packets cross.
type topo struct {
	a, b       *netns.NS
	ta, tb     string // the kernel interfaces
	ipA, ipB   string
	pa, pb     uint16
	pool       *mempool.Mempool
	nq         uint16
	kernA      netns.LinkStats // counters of ta / tb at reset
	kernB      netns.LinkStats
	fwd        *forwarder
	lastFwd    *forwarder
	portsAlive bool
}

var subnetSeq atomic.Uint32

// newTopo probes the two ports (extra devargs), moves their interfaces into
// the namespaces, and starts the ports with nq queue pairs and conf.
func newTopo(t *testing.T, nq uint16, devargs string, conf *ethdev.Conf) *topo {
	t.Helper()
	testutil.SkipUnlessRoot(t)
	tp := &topo{nq: nq}
	tp.a, tp.b = netns.New(t, "ta"), netns.New(t, "tb")
	testutil.InitEAL(t, "--in-memory")
	tp.ta, tp.tb = netns.Name("dta"), netns.Name("dtb")
	tp.pa = drivertest.ProbePort(t, "net_tap_a,iface="+tp.ta+devargs)
	tp.pb = drivertest.ProbePort(t, "net_tap_b,iface="+tp.tb+devargs)
	tp.portsAlive = true
	t.Cleanup(func() {
		tp.stopForwarding(t)
		if tp.portsAlive {
			ethdev.Close(tp.pa)
			ethdev.Close(tp.pb)
		}
	})
	n := subnetSeq.Add(1) % 250
	tp.ipA, tp.ipB = fmt.Sprintf("10.98.%d.1", n), fmt.Sprintf("10.98.%d.2", n)
	for _, x := range []struct {
		ns        *netns.NS
		ifc, addr string
	}{{tp.a, tp.ta, tp.ipA}, {tp.b, tp.tb, tp.ipB}} {
		x.ns.Adopt(t, x.ifc)
		x.ns.Sysctl(t, "net/ipv6/conf/"+x.ifc+"/disable_ipv6", "1")
		x.ns.Addr(t, x.ifc, x.addr+"/24")
	}
	tp.pool = drivertest.NewPool(t, "tap_pool", 16383)
	for _, p := range []uint16{tp.pa, tp.pb} {
		startPort(t, p, nq, tp.pool, conf) // sets the interfaces up
	}
	tp.a.WaitRunning(t, tp.ta)
	tp.b.WaitRunning(t, tp.tb)
	tp.a.Neigh(t, tp.ta, tp.ipB, tp.b.MAC(t, tp.tb))
	tp.b.Neigh(t, tp.tb, tp.ipA, tp.a.MAC(t, tp.ta))
	tp.resetCounters(t)
	return tp
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
	for _, p := range []uint16{tp.pa, tp.pb} {
		ethdev.StatsReset(p)
		ethdev.XstatsReset(p)
	}
	tp.kernA = tp.a.MustStats(t, tp.ta)
	tp.kernB = tp.b.MustStats(t, tp.tb)
}

// forwarder is io forwarding on an eal worker lcore: every queue q of one
// port to queue q of the other.
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

// stopForwarding waits for the traffic to end, then stops the lcore.
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

// quiesce waits (at most 2 s) until the kernel counters of the interfaces
// have not moved for 60 ms.
func (tp *topo) quiesce() {
	var last [2]netns.LinkStats
	stable := 0
	for i := 0; i < 100 && stable < 3; i++ {
		time.Sleep(20 * time.Millisecond)
		a, errA := tp.a.Stats(tp.ta)
		b, errB := tp.b.Stats(tp.tb)
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

func (tp *topo) fwdDropped() uint64 {
	if tp.lastFwd == nil {
		return 0
	}
	return tp.lastFwd.dropped.Load()
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

// echoFrame builds an Ethernet/IPv4/ICMP echo request of size bytes of
// payload with valid checksums.
func echoFrame(dst, src net.HardwareAddr, sip, dip net.IP, seq uint16, size int) []byte {
	b := make([]byte, 14+20+8+size)
	copy(b[0:], dst)
	copy(b[6:], src)
	binary.BigEndian.PutUint16(b[12:], 0x0800)
	ip := b[14:34]
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], uint16(20+8+size))
	ip[8], ip[9] = 64, 1
	copy(ip[12:], sip.To4())
	copy(ip[16:], dip.To4())
	binary.BigEndian.PutUint16(ip[10:], checksum.IPv4Header(ip))
	icmp := b[34:]
	icmp[0] = 8
	binary.BigEndian.PutUint16(icmp[4:], uint16(os.Getpid()))
	binary.BigEndian.PutUint16(icmp[6:], seq)
	for i := 8; i < len(icmp); i++ {
		icmp[i] = byte(i)
	}
	binary.BigEndian.PutUint16(icmp[2:], checksum.ICMPv4(icmp))
	return b
}

// echoPeer is one tap port whose interface is in a namespace with an
// address: what the port sends to ip, the kernel there answers.
type echoPeer struct {
	ns      *netns.NS
	ifname  string
	port    uint16
	pool    *mempool.Mempool
	mac     net.HardwareAddr // the port's
	kmac    net.HardwareAddr // the interface's
	ip, kip net.IP           // the port's and the kernel's
}

// newEchoPeer probes a tap port (extra devargs), moves its interface into a
// new namespace with an address and a static neighbour entry for the port,
// and starts the port with nq queue pairs.
func newEchoPeer(t testing.TB, name, devargs string, nq uint16) *echoPeer {
	t.Helper()
	testutil.SkipUnlessRoot(t)
	e := &echoPeer{ns: netns.New(t, "te"), ifname: netns.Name("dte")}
	if !eal.Initialized() {
		testutil.InitEAL(t, "--in-memory")
	}
	e.port = drivertest.ProbePort(t, name+",iface="+e.ifname+devargs)
	t.Cleanup(func() { ethdev.Close(e.port) })
	n := subnetSeq.Add(1) % 250
	e.ip, e.kip = net.IPv4(10, 96, byte(n), 1), net.IPv4(10, 96, byte(n), 2)
	e.ns.Adopt(t, e.ifname)
	e.ns.Sysctl(t, "net/ipv6/conf/"+e.ifname+"/disable_ipv6", "1")
	e.ns.Addr(t, e.ifname, e.kip.String()+"/24")
	e.pool = drivertest.NewPool(t, "tap_echo", 8191)
	startPort(t, e.port, nq, e.pool, nil)
	e.ns.WaitRunning(t, e.ifname)
	mac, _ := ethdev.MACAddrGet(e.port)
	e.mac = net.HardwareAddr(mac[:])
	e.kmac = e.ns.MAC(t, e.ifname)
	e.ns.Neigh(t, e.ifname, e.ip.String(), e.mac)
	return e
}
