package tap

import (
	"encoding/binary"
	"errors"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"dpk/eal"
	"dpk/ethdev"
	"dpk/internal/drivertest"
	"dpk/internal/netns"
	"dpk/internal/testutil"
	"dpk/mbuf"

	"golang.org/x/sys/unix"
)

// TestMultiQueue sends 64 UDP flows from namespace A through two queue
// pairs: the kernel spreads them over both RX queues, and each flow stays
// on one queue.
func TestMultiQueue(t *testing.T) {
	const flows, perFlow, basePort = 64, 8, 40000
	tp := newTopo(t, 2, "", nil)
	if _, err := net.InterfaceByName(tp.ta); err == nil {
		t.Errorf("an interface %s appeared in the test's namespace: the second queue did not join the one in %s", tp.ta, tp.a)
	}
	var onQueue [flows][2]int // packets of flow i seen on queue q of port A
	tp.startForwarding(t, func(side int, q uint16, pkts []*mbuf.Mbuf) {
		if side != 0 {
			return
		}
		for _, m := range pkts {
			d := m.Data()
			if len(d) < 42 || binary.BigEndian.Uint16(d[12:]) != 0x0800 || d[23] != 17 || binary.BigEndian.Uint16(d[36:]) != 9 {
				continue
			}
			if sp := int(binary.BigEndian.Uint16(d[34:])) - basePort; sp >= 0 && sp < flows {
				onQueue[sp][q]++
			}
		}
	})
	var conns []*net.UDPConn
	err := tp.a.Do(func() error {
		for i := 0; i < flows; i++ {
			c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.ParseIP(tp.ipA), Port: basePort + i})
			if err != nil {
				return err
			}
			conns = append(conns, c)
		}
		return nil
	})
	for _, c := range conns {
		defer c.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	dst := &net.UDPAddr{IP: net.ParseIP(tp.ipB), Port: 9}
	for k := 0; k < perFlow; k++ {
		for _, c := range conns {
			if _, err := c.WriteToUDP([]byte("dpk multi-queue test"), dst); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	tp.stopForwarding(t)
	s, _ := ethdev.StatsGet(tp.pa)
	used := [2]int{}
	for i := range onQueue {
		n0, n1 := onQueue[i][0], onQueue[i][1]
		if n0 > 0 && n1 > 0 {
			t.Errorf("flow %d (source port %d) on both queues: %d and %d packets", i, basePort+i, n0, n1)
		}
		if n0+n1 != perFlow && (s.IMissed == 0 || n0+n1 == 0) {
			t.Errorf("flow %d: %d packets received, sent %d (imissed %d)", i, n0+n1, perFlow, s.IMissed)
		}
		if n0 > 0 {
			used[0]++
		}
		if n1 > 0 {
			used[1]++
		}
	}
	t.Logf("port A: %d flows on queue 0, %d on queue 1; q_ipackets %v", used[0], used[1], s.QIPackets[:2])
	if used[0] == 0 || used[1] == 0 || s.QIPackets[0] == 0 || s.QIPackets[1] == 0 {
		t.Errorf("flows not spread over both queues")
	}
	checkCounters(t, tp)
}

// TestInterfaceRemoved deletes the interface under a forwarding port: the
// link goes down, bursts go on without a crash or a hang (TX drops and
// counts), the port stops and closes cleanly, and Start says why it fails.
func TestInterfaceRemoved(t *testing.T) {
	tp := newTopo(t, 1, "", nil)
	tp.startForwarding(t, nil)
	// Traffic from B towards A while A's interface goes away.
	var c *net.UDPConn
	if err := tp.b.Do(func() (err error) { c, err = net.ListenUDP("udp4", &net.UDPAddr{IP: net.ParseIP(tp.ipB)}); return }); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	dst := &net.UDPAddr{IP: net.ParseIP(tp.ipA), Port: 9}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			c.WriteToUDP([]byte("still there?"), dst)
			time.Sleep(time.Millisecond)
		}
	}()
	defer func() {
		close(stop)
		wg.Wait()
	}()
	stats := func() ethdev.Stats { s, _ := ethdev.StatsGet(tp.pa); return s }
	if !drivertest.WaitFor(3*time.Second, func() bool { return stats().OPackets > 0 }) {
		t.Fatal("no traffic from B reached port A before the removal")
	}
	tp.a.IP(t, "link", "del", tp.ta)
	if !drivertest.WaitFor(3*time.Second, func() bool { return stats().OErrors > 0 }) {
		t.Error("nothing counted as dropped on the removed interface")
	}
	if l, _ := ethdev.LinkGet(tp.pa); l.Up {
		t.Errorf("link %v after removal", l)
	}
	s := stats()
	t.Logf("port A after removal: ipackets %d opackets %d oerrors %d", s.IPackets, s.OPackets, s.OErrors)
	done := make(chan struct{})
	go func() {
		tp.stopForwarding(t)
		ethdev.Stop(tp.pa)
		ethdev.Stop(tp.pb)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("stopping hangs after the interface was removed")
	}
	if err := ethdev.Start(tp.pa); !errors.Is(err, ErrRemoved) {
		t.Errorf("start after removal: %v, want ErrRemoved", err)
	} else {
		t.Logf("start after removal: %v", err)
	}
	if tp.pool.AvailCount() != tp.pool.Size() {
		t.Errorf("after stop %d of %d mbufs in the pool", tp.pool.AvailCount(), tp.pool.Size())
	}
	if err := ethdev.Close(tp.pa); err != nil {
		t.Error(err)
	}
	tp.portsAlive = false
	ethdev.Close(tp.pb)
}

// TestNoPermission probes from a thread without CAP_NET_ADMIN
// (capabilities are per thread): the error says so and is os.ErrPermission.
func TestNoPermission(t *testing.T) {
	testutil.SkipUnlessRoot(t)
	testutil.InitEAL(t, "--in-memory")
	name := netns.Name("dtn")
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
		var data [2]unix.CapUserData
		if err := unix.Capget(&hdr, &data[0]); err != nil {
			errc <- err
			return
		}
		data[0].Effective &^= 1 << unix.CAP_NET_ADMIN
		if err := unix.Capset(&hdr, &data[0]); err != nil {
			errc <- err
			return
		}
		errc <- ethdev.Probe("net_tap_np,iface=" + name)
	}()
	err := <-errc
	t.Logf("probe without CAP_NET_ADMIN: %v", err)
	if err == nil {
		p, _ := ethdev.PortByName("net_tap_np")
		ethdev.Close(p)
		t.Fatal("probe worked without CAP_NET_ADMIN")
	}
	if !errors.Is(err, os.ErrPermission) || !strings.Contains(err.Error(), "CAP_NET_ADMIN") || !strings.Contains(err.Error(), name) {
		t.Errorf("error %q: want os.ErrPermission, the interface and a word on CAP_NET_ADMIN", err)
	}
	if _, err := net.InterfaceByName(name); err == nil {
		t.Errorf("interface %s exists after the failed probe", name)
	}
}

// TestProbeErrors checks that bad devargs and unusable names fail with an
// error naming the key and value, and leave no port behind.
func TestProbeErrors(t *testing.T) {
	testutil.SkipUnlessRoot(t)
	testutil.InitEAL(t, "--in-memory")
	for _, c := range []struct{ args, want string }{
		{"net_tap_e,iface=a/b", `iface="a/b"`},
		{"net_tap_e,iface=a-name-far-too-long", "at most 15 bytes"},
		{"net_tap_e,iface=lo", "not a multi-queue tap"},
		{"net_tap_e,iface=x1,iface=x2", "iface given 2 times"},
		{"net_tap_e,mac=zz", `mac="zz"`},
		{"net_tap_e,mac=01:00:5e:00:00:01", "not a unicast address"},
		{"net_tap_e,persist=maybe", `persist="maybe"`},
		{"net_tap_e,remote=eth0", `remote="eth0"`},
		{"net_tap_e,bogus=1", `has no argument "bogus"`},
	} {
		err := ethdev.Probe(c.args)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.args, err, c.want)
		}
		if _, err := ethdev.PortByName("net_tap_e"); err == nil {
			t.Errorf("%s: a port was left behind", c.args)
		}
	}
}

// TestPersistAndLink checks the default name, DPDK's fixed MAC, that the
// link follows SetLinkUp/Down and start/stop, that close removes the
// interface, and that with persist it outlives the port.
func TestPersistAndLink(t *testing.T) {
	testutil.SkipUnlessRoot(t)
	testutil.InitEAL(t, "--in-memory")
	pool := drivertest.NewPool(t, "tap_persist", 1023)

	p := drivertest.ProbePort(t, "net_tap_d,mac=fixed")
	drv, _ := ethdev.DriverOf(p)
	name := drv.(*port).ifname
	t.Cleanup(func() { ethdev.Close(p) })
	mac, _ := ethdev.MACAddrGet(p)
	if !strings.HasPrefix(name, "dtap") || !strings.HasPrefix(mac.String(), "02:64:74:61:70:") {
		t.Errorf("default interface %q, fixed MAC %s", name, mac)
	}
	netns.Host.Quiet(t, name)
	if l, _ := ethdev.LinkGet(p); l.Up {
		t.Errorf("link %v before start", l)
	}
	startPort(t, p, 1, pool, nil)
	netns.Host.WaitRunning(t, name)
	if l, _ := ethdev.LinkGet(p); !l.Up {
		t.Errorf("link %v after start", l)
	}
	if err := ethdev.SetLinkDown(p); err != nil {
		t.Fatal(err)
	}
	if l, _ := ethdev.LinkGet(p); l.Up || ifFlags(t, netns.Host, name)&unix.IFF_UP != 0 {
		t.Errorf("link %v after SetLinkDown", l)
	}
	if err := ethdev.SetLinkUp(p); err != nil {
		t.Fatal(err)
	}
	if l, _ := ethdev.LinkGet(p); !l.Up {
		t.Errorf("link %v after SetLinkUp", l)
	}
	ethdev.Stop(p)
	if l, _ := ethdev.LinkGet(p); l.Up {
		t.Errorf("link %v after stop", l)
	}
	if err := ethdev.Close(p); err != nil {
		t.Fatal(err)
	}
	if _, err := net.InterfaceByName(name); err == nil {
		t.Errorf("interface %s still there after close", name)
	}

	pname := netns.Name("dtp")
	t.Cleanup(func() { exec.Command("ip", "link", "del", pname).Run() })
	p = drivertest.ProbePort(t, "net_tap_p,persist,iface="+pname)
	if err := ethdev.Close(p); err != nil {
		t.Fatal(err)
	}
	if _, err := net.InterfaceByName(pname); err != nil {
		t.Errorf("persist: interface %s gone after close: %v", pname, err)
	}
	// Attaching to it again without persist removes it at close.
	p = drivertest.ProbePort(t, "net_tap_p,iface="+pname)
	ethdev.Close(p)
	if _, err := net.InterfaceByName(pname); err == nil {
		t.Errorf("interface %s still there after a close without persist", pname)
	}

	// A probe that fails leaves a persistent interface made by someone
	// else as it was.
	netns.Host.IP(t, "tuntap", "add", "dev", pname, "mode", "tap", "multi_queue")
	p = drivertest.ProbePort(t, "net_tap_dup")
	defer ethdev.Close(p)
	if err := ethdev.Probe("net_tap_dup,iface=" + pname); err == nil || !strings.Contains(err.Error(), "exists already") {
		t.Errorf("second port of the same name: %v", err)
	}
	if _, err := net.InterfaceByName(pname); err != nil {
		t.Errorf("persistent interface %s gone after a failed probe: %v", pname, err)
	}
}

// TestZeroAllocs checks that RxBurst and TxBurst allocate nothing with real
// traffic: the port sends bursts of 32 ICMP echo requests to the kernel
// behind its interface and receives the replies.
func TestZeroAllocs(t *testing.T) {
	e := newEchoPeer(t, "net_tap_z", "", 1)
	frames := make([][]byte, 32)
	for i := range frames {
		frames[i] = echoFrame(e.kmac, e.mac, e.ip, e.kip, uint16(i), 18+i*40)
	}
	tx := make([]*mbuf.Mbuf, 32)
	rx := make([]*mbuf.Mbuf, 32)
	var sentTotal, gotTotal int
	round := func() {
		if mbuf.AllocBulk(e.pool, tx, eal.LcoreIDAny) != nil {
			return
		}
		for i, f := range frames {
			tx[i].SetLen(uint16(len(f)))
			copy(tx[i].Data(), f)
		}
		sent := ethdev.TxBurst(e.port, 0, tx)
		mbuf.FreeBulk(tx[sent:], eal.LcoreIDAny)
		sentTotal += sent
		deadline := time.Now().Add(200 * time.Millisecond)
		for gotTotal < sentTotal && time.Now().Before(deadline) {
			n := ethdev.RxBurst(e.port, 0, rx)
			mbuf.FreeBulk(rx[:n], eal.LcoreIDAny)
			gotTotal += n
		}
	}
	round() // warm up
	allocs := testing.AllocsPerRun(50, round)
	drivertest.WaitFor(3*time.Second, func() bool {
		n := ethdev.RxBurst(e.port, 0, rx)
		mbuf.FreeBulk(rx[:n], eal.LcoreIDAny)
		gotTotal += n
		return gotTotal >= sentTotal
	})
	t.Logf("%d echo requests sent, %d replies received; %.2f allocations per round of a 32-packet TxBurst and its RxBursts", sentTotal, gotTotal, allocs)
	if allocs != 0 {
		t.Errorf("%.2f allocations per round, want 0", allocs)
	}
	if gotTotal != sentTotal || sentTotal == 0 {
		t.Errorf("sent %d, received %d", sentTotal, gotTotal)
	}
	ethdev.Stop(e.port)
	if e.pool.AvailCount() != e.pool.Size() {
		t.Errorf("after stop %d of %d mbufs in the pool", e.pool.AvailCount(), e.pool.Size())
	}
}

// TestKernelDrops lets the kernel overflow a queue nobody reads: its drops
// show in imissed and the xstat rx_kernel_drops, and every datagram sent is
// either received or missed.
func TestKernelDrops(t *testing.T) {
	const total = 3000
	e := newEchoPeer(t, "net_tap_k", "", 1)
	ethdev.StatsReset(e.port)
	err := e.ns.Do(func() error {
		c, err := net.DialUDP("udp4", nil, &net.UDPAddr{IP: e.ip, Port: 9})
		if err != nil {
			return err
		}
		defer c.Close()
		for i := 0; i < total; i++ {
			if _, err := c.Write([]byte("overflow")); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rx := make([]*mbuf.Mbuf, 32)
	got := 0
	var s ethdev.Stats
	drivertest.WaitFor(3*time.Second, func() bool {
		for {
			n := ethdev.RxBurst(e.port, 0, rx)
			mbuf.FreeBulk(rx[:n], eal.LcoreIDAny)
			got += n
			if n == 0 {
				break
			}
		}
		s, _ = ethdev.StatsGet(e.port)
		return uint64(got)+s.IMissed >= total
	})
	drops, _ := ethdev.XstatByName(e.port, "rx_kernel_drops")
	t.Logf("sent %d, received %d, imissed %d, rx_kernel_drops %d", total, got, s.IMissed, drops)
	if s.IMissed == 0 || drops != s.IMissed || uint64(got)+s.IMissed != total || s.IPackets != uint64(got) {
		t.Errorf("sent %d: received %d (ipackets %d), imissed %d, rx_kernel_drops %d", total, got, s.IPackets, s.IMissed, drops)
	}
	ethdev.StatsReset(e.port)
	if s, _ := ethdev.StatsGet(e.port); s.IMissed != 0 || s.IPackets != 0 {
		t.Errorf("after reset: ipackets %d imissed %d", s.IPackets, s.IMissed)
	}
}
