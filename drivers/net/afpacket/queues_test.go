package afpacket

import (
	"encoding/binary"
	"errors"
	"net"
	"os"
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

// TestMultiQueue spreads 64 UDP flows from namespace A over two queue
// pairs and checks that each flow stays on one queue and both queues work.
func TestMultiQueue(t *testing.T) {
	const flows, perFlow, basePort = 64, 8, 40000
	tp := newTopo(t, 2, ",qpairs=2,framecnt=8192", nil)
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
	// Unconnected sockets: B's port unreachable answers must not make
	// writes fail.
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
	drv, _ := ethdev.DriverOf(tp.pa)
	p := drv.(*port)
	p.mu.Lock()
	t.Logf("fanout group %d of %d sockets", p.fanoutID, p.fanoutN)
	p.mu.Unlock()
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
		// All of each flow, unless the kernel dropped some for want of
		// ring room (a starved lcore on a busy machine): imissed tells.
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
	checkCounters(t, tp, false)
}

// newPair probes ports on both ends of one veth pair in the test's
// namespace (quiet, up unless down is given): what x sends, y receives.
func newPair(t testing.TB, xArgs, yArgs string, down bool) (v netns.Veth, x, y uint16) {
	t.Helper()
	needRoot(t)
	v = netns.NewVeth(t, "dp")
	for _, n := range []string{v.Name, v.Peer} {
		netns.Host.Quiet(t, n)
	}
	netns.Host.Up(t, v.Peer)
	if !down {
		netns.Host.Up(t, v.Name)
		netns.Host.WaitRunning(t, v.Name)
	}
	if !eal.Initialized() {
		testutil.InitEAL(t, "--in-memory")
	}
	x = drivertest.ProbePort(t, "net_af_packet_x,iface="+v.Name+xArgs)
	y = drivertest.ProbePort(t, "net_af_packet_y,iface="+v.Peer+yArgs)
	t.Cleanup(func() {
		ethdev.Close(x)
		ethdev.Close(y)
	})
	return v, x, y
}

// TestLinkDown probes a port on an interface that is down, with two queue
// pairs: the link is down, start works, sending drops and counts, nothing
// is received; once the interface comes up, an LSC event arrives, the
// queues join their fanout group and traffic flows, each packet once.
func TestLinkDown(t *testing.T) {
	v, x, y := newPair(t, ",qpairs=2", "", true)
	mp := drivertest.NewPool(t, "afp_down", 4095)
	events := make(chan ethdev.Event, 16)
	for _, ev := range []ethdev.Event{ethdev.EventIntrLSC, ethdev.EventIntrRmv} {
		h, err := ethdev.CallbackRegister(x, false, ev, func(_ uint16, ev ethdev.Event, _ any) { events <- ev }, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer ethdev.CallbackUnregister(h)
	}
	if l, _ := ethdev.LinkGet(x); l.Up {
		t.Errorf("link %v on a down interface", l)
	}
	startPort(t, x, 2, mp, &ethdev.Conf{IntrLSC: true})
	startPort(t, y, 1, mp, nil)
	drv, _ := ethdev.DriverOf(x)
	p := drv.(*port)

	macX, macY := netns.Host.MAC(t, v.Name), netns.Host.MAC(t, v.Peer)
	frames := make([][]byte, 32)
	for i := range frames {
		frames[i] = drivertest.UDPFrame(macY, macX, net.IPv4(10, 97, 0, 1), net.IPv4(10, 97, 0, 2), uint16(1000+i), 9, make([]byte, 64))
	}
	pkts := make([]*mbuf.Mbuf, 32)
	drivertest.MbufsOf(t, mp, pkts[:4], frames[:4]...)
	if n := ethdev.TxBurst(x, 0, pkts[:4]); n != 4 {
		t.Errorf("TxBurst on a down interface took %d of 4", n)
		mbuf.FreeBulk(pkts[n:4], eal.LcoreIDAny)
	}
	if s, _ := ethdev.StatsGet(x); s.OErrors != 4 || s.OPackets != 0 {
		t.Errorf("down: opackets %d oerrors %d, want 0 and 4", s.OPackets, s.OErrors)
	}
	for q := uint16(0); q < 2; q++ {
		if n := ethdev.RxBurst(x, q, pkts); n != 0 {
			t.Errorf("RxBurst on a down interface: %d", n)
		}
	}

	netns.Host.Up(t, v.Name)
	select {
	case ev := <-events:
		if ev != ethdev.EventIntrLSC {
			t.Errorf("event %v, want LSC", ev)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("no LSC event after the interface came up")
	}
	if l, _ := ethdev.LinkGet(x); !l.Up {
		t.Errorf("link %v after the interface came up", l)
	}
	p.mu.Lock()
	joined := p.fanoutN
	p.mu.Unlock()
	if joined != 2 {
		t.Fatalf("%d sockets in the fanout group after link up, want 2", joined)
	}
	// y sends 32 flows; x's two queues together get each packet once.
	drivertest.MbufsOf(t, mp, pkts, frames...)
	sent := 0
	for try := 0; sent < 32 && try < 100; try++ {
		sent += ethdev.TxBurst(y, 0, pkts[sent:])
	}
	mbuf.FreeBulk(pkts[sent:], eal.LcoreIDAny)
	got := 0
	drivertest.WaitFor(3*time.Second, func() bool {
		for q := uint16(0); q < 2; q++ {
			n := ethdev.RxBurst(x, q, pkts)
			got += n
			mbuf.FreeBulk(pkts[:n], eal.LcoreIDAny)
		}
		return got >= sent
	})
	time.Sleep(20 * time.Millisecond)
	for q := uint16(0); q < 2; q++ {
		n := ethdev.RxBurst(x, q, pkts)
		got += n
		mbuf.FreeBulk(pkts[:n], eal.LcoreIDAny)
	}
	if got != sent || sent != 32 {
		t.Errorf("sent %d, received %d", sent, got)
	}
	netns.Host.Down(t, v.Name)
	select {
	case ev := <-events:
		if ev != ethdev.EventIntrLSC {
			t.Errorf("event %v, want LSC", ev)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("no LSC event after the interface went down")
	}
	for _, port := range []uint16{x, y} {
		ethdev.Stop(port)
	}
	if mp.AvailCount() != mp.Size() {
		t.Errorf("after stop %d of %d mbufs in the pool", mp.AvailCount(), mp.Size())
	}
}

// TestInterfaceRemoved deletes an interface under a forwarding port: a
// removal event arrives, the link is down, bursts go on without a crash or
// a hang, and the port stops and closes cleanly.
func TestInterfaceRemoved(t *testing.T) {
	tp := newTopo(t, 1, "", nil)
	events := make(chan ethdev.Event, 16)
	h, err := ethdev.CallbackRegister(tp.pa, false, ethdev.EventIntrRmv, func(_ uint16, ev ethdev.Event, _ any) { events <- ev }, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ethdev.CallbackUnregister(h)
	tp.startForwarding(t, nil)
	// Traffic from B towards A while A's interface goes away (an
	// unconnected socket: A's port unreachable answers must not stop it).
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
	netns.Host.IP(t, "link", "del", tp.va.Name)
	select {
	case <-events:
	case <-time.After(3 * time.Second):
		t.Error("no removal event")
	}
	if l, _ := ethdev.LinkGet(tp.pa); l.Up {
		t.Errorf("link %v after removal", l)
	}
	// Bursts go on on the removed port: what it is given is dropped.
	if !drivertest.WaitFor(3*time.Second, func() bool { return stats().OErrors > 0 }) {
		t.Error("nothing counted as dropped on the removed interface")
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
	if err := ethdev.Start(tp.pa); err == nil || !strings.Contains(err.Error(), "removed") {
		t.Errorf("start after removal: %v", err)
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

// TestNoPermission probes from a thread without CAP_NET_RAW (capabilities
// are per thread): the error says so and is os.ErrPermission.
func TestNoPermission(t *testing.T) {
	needRoot(t)
	v := netns.NewVeth(t, "dn")
	testutil.InitEAL(t, "--in-memory")
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
		var data [2]unix.CapUserData
		if err := unix.Capget(&hdr, &data[0]); err != nil {
			errc <- err
			return
		}
		data[0].Effective &^= 1 << unix.CAP_NET_RAW
		if err := unix.Capset(&hdr, &data[0]); err != nil {
			errc <- err
			return
		}
		errc <- ethdev.Probe("net_af_packet_np,iface=" + v.Name)
	}()
	err := <-errc
	t.Logf("probe without CAP_NET_RAW: %v", err)
	if err == nil {
		ethdev.Close(mustPort(t, "net_af_packet_np"))
		t.Fatal("probe worked without CAP_NET_RAW")
	}
	if !errors.Is(err, os.ErrPermission) || !strings.Contains(err.Error(), "no permission") || !strings.Contains(err.Error(), "CAP_NET_RAW") {
		t.Errorf("error %q: want os.ErrPermission and a word on CAP_NET_RAW", err)
	}
}

func mustPort(t testing.TB, name string) uint16 {
	p, err := ethdev.PortByName(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestZeroAllocs checks that RxBurst and TxBurst allocate nothing with real
// traffic: x sends bursts of 32 packets, y receives them.
func TestZeroAllocs(t *testing.T) {
	v, x, y := newPair(t, "", "", false)
	mp := drivertest.NewPool(t, "afp_allocs", 4095)
	startPort(t, x, 1, mp, nil)
	startPort(t, y, 1, mp, nil)
	macX, macY := netns.Host.MAC(t, v.Name), netns.Host.MAC(t, v.Peer)
	frames := make([][]byte, 32)
	for i := range frames {
		frames[i] = drivertest.UDPFrame(macY, macX, net.IPv4(10, 97, 0, 1), net.IPv4(10, 97, 0, 2), uint16(1000+i), 9, make([]byte, 18+i*40))
	}
	tx := make([]*mbuf.Mbuf, 32)
	rx := make([]*mbuf.Mbuf, 32)
	var sentTotal, gotTotal int
	round := func() {
		if mbuf.AllocBulk(mp, tx, eal.LcoreIDAny) != nil {
			return
		}
		for i, f := range frames {
			tx[i].SetLen(uint16(len(f)))
			copy(tx[i].Data(), f)
		}
		sent := ethdev.TxBurst(x, 0, tx)
		mbuf.FreeBulk(tx[sent:], eal.LcoreIDAny)
		sentTotal += sent
		deadline := time.Now().Add(200 * time.Millisecond)
		for gotTotal < sentTotal && time.Now().Before(deadline) {
			n := ethdev.RxBurst(y, 0, rx)
			mbuf.FreeBulk(rx[:n], eal.LcoreIDAny)
			gotTotal += n
		}
	}
	round() // warm the caches
	allocs := testing.AllocsPerRun(50, round)
	drivertest.WaitFor(3*time.Second, func() bool { // what a starved round left behind
		n := ethdev.RxBurst(y, 0, rx)
		mbuf.FreeBulk(rx[:n], eal.LcoreIDAny)
		gotTotal += n
		return gotTotal >= sentTotal
	})
	t.Logf("%d packets sent, %d received; %.2f allocations per round of a 32-packet TxBurst and its RxBursts", sentTotal, gotTotal, allocs)
	if allocs != 0 {
		t.Errorf("%.2f allocations per round, want 0", allocs)
	}
	if gotTotal != sentTotal || sentTotal == 0 {
		t.Errorf("sent %d, received %d", sentTotal, gotTotal)
	}
}

// TestRestart stops and starts a port, and reconfigures it between one and
// two queues (which needs new sockets: a fanout group cannot change): what
// arrives while it is stopped is not received, and afterwards every packet
// is received once.
func TestRestart(t *testing.T) {
	v, x, y := newPair(t, ",qpairs=2", "", false)
	mp := drivertest.NewPool(t, "afp_restart", 4095)
	startPort(t, y, 1, mp, nil)
	macX, macY := netns.Host.MAC(t, v.Name), netns.Host.MAC(t, v.Peer)
	frames := make([][]byte, 32)
	for i := range frames {
		frames[i] = drivertest.UDPFrame(macX, macY, net.IPv4(10, 97, 0, 2), net.IPv4(10, 97, 0, 1), uint16(2000+i), 9, make([]byte, 100))
	}
	pkts := make([]*mbuf.Mbuf, 32)
	send := func() {
		t.Helper()
		drivertest.MbufsOf(t, mp, pkts, frames...)
		sent := 0
		for try := 0; sent < len(pkts) && try < 100; try++ {
			sent += ethdev.TxBurst(y, 0, pkts[sent:])
		}
		if sent != len(pkts) {
			t.Fatalf("sent %d of %d", sent, len(pkts))
		}
	}
	// recv receives for 100 ms, and on until want packets came (at most 3 s).
	recv := func(nq uint16, want int) int {
		got := 0
		start := time.Now()
		for d := time.Since(start); d < 100*time.Millisecond || got < want && d < 3*time.Second; d = time.Since(start) {
			for q := uint16(0); q < nq; q++ {
				n := ethdev.RxBurst(x, q, pkts)
				got += n
				mbuf.FreeBulk(pkts[:n], eal.LcoreIDAny)
			}
		}
		return got
	}
	for round, nq := range []uint16{2, 1, 2} {
		startPort(t, x, nq, mp, nil)
		send()
		if got := recv(nq, 32); got != 32 {
			t.Errorf("round %d, %d queues: received %d of 32", round, nq, got)
		}
		if err := ethdev.Stop(x); err != nil {
			t.Fatal(err)
		}
		send() // dropped: the port is stopped
		time.Sleep(10 * time.Millisecond)
	}
	startPort(t, x, 2, mp, nil)
	if got := recv(2, 0); got != 0 {
		t.Errorf("received %d packets sent while the port was stopped", got)
	}
	ethdev.Stop(x)
	ethdev.Stop(y)
	if mp.AvailCount() != mp.Size() {
		t.Errorf("after stop %d of %d mbufs in the pool", mp.AvailCount(), mp.Size())
	}
}

// TestKernelDrops overflows a small RX ring that nobody reads: the kernel's
// drops show in imissed and the xstat rx_kernel_drops, and every packet
// sent is either received or missed.
func TestKernelDrops(t *testing.T) {
	v, x, y := newPair(t, "", ",framecnt=64", false) // y: 2 blocks of 128 KiB
	mp := drivertest.NewPool(t, "afp_drops", 4095)
	startPort(t, x, 1, mp, nil)
	startPort(t, y, 1, mp, nil)
	f := drivertest.UDPFrame(netns.Host.MAC(t, v.Peer), netns.Host.MAC(t, v.Name), net.IPv4(10, 97, 0, 1), net.IPv4(10, 97, 0, 2), 1, 9, make([]byte, 1000))
	pkts := make([]*mbuf.Mbuf, 32)
	burst := make([][]byte, len(pkts))
	for i := range burst {
		burst[i] = f
	}
	sent := 0
	for i := 0; i < 32; i++ {
		drivertest.MbufsOf(t, mp, pkts, burst...)
		n := ethdev.TxBurst(x, 0, pkts)
		mbuf.FreeBulk(pkts[n:], eal.LcoreIDAny)
		sent += n
	}
	got := 0
	var s ethdev.Stats
	drivertest.WaitFor(3*time.Second, func() bool {
		n := ethdev.RxBurst(y, 0, pkts)
		mbuf.FreeBulk(pkts[:n], eal.LcoreIDAny)
		got += n
		s, _ = ethdev.StatsGet(y)
		return uint64(got)+s.IMissed >= uint64(sent)
	})
	drops, _ := ethdev.XstatByName(y, "rx_kernel_drops")
	t.Logf("sent %d, received %d, imissed %d, rx_kernel_drops %d", sent, got, s.IMissed, drops)
	if s.IMissed == 0 || drops != s.IMissed || uint64(got)+s.IMissed != uint64(sent) || s.IPackets != uint64(got) {
		t.Errorf("sent %d: received %d (ipackets %d), imissed %d, rx_kernel_drops %d", sent, got, s.IPackets, s.IMissed, drops)
	}
	ethdev.StatsReset(y)
	if s, _ := ethdev.StatsGet(y); s.IMissed != 0 || s.IPackets != 0 {
		t.Errorf("after reset: %+v", s)
	}
}

// TestLcoreBinding binds a port's queues to an lcore: received mbufs come
// from that lcore's mempool cache and sent ones go back to it, and after
// stop and a flush of that cache every mbuf is back in the pool.
func TestLcoreBinding(t *testing.T) {
	v, x, y := newPair(t, "", "", false)
	mp := drivertest.NewPool(t, "afp_bind", 4095)
	startPort(t, x, 1, mp, nil)
	startPort(t, y, 1, mp, nil)
	lc := eal.MainLcore().ID()
	lcache := mp.DefaultCache(lc)
	if lcache == nil {
		t.Fatal("the pool has no cache for the main lcore")
	}
	for _, p := range []uint16{x, y} {
		if err := ethdev.RxQueueBindLcore(p, 0, lc); err != nil {
			t.Fatal(err)
		}
		if err := ethdev.TxQueueBindLcore(p, 0, lc); err != nil {
			t.Fatal(err)
		}
	}
	macX, macY := netns.Host.MAC(t, v.Name), netns.Host.MAC(t, v.Peer)
	frame := drivertest.UDPFrame(macY, macX, net.IPv4(10, 97, 1, 1), net.IPv4(10, 97, 1, 2), 1000, 9, make([]byte, 64))
	tx := make([]*mbuf.Mbuf, 32)
	rx := make([]*mbuf.Mbuf, 32)
	var sent, got int
	for round := 0; round < 20; round++ {
		if err := mbuf.AllocBulk(mp, tx, eal.LcoreIDAny); err != nil {
			t.Fatal(err)
		}
		for _, m := range tx {
			m.SetLen(uint16(len(frame)))
			copy(m.Data(), frame)
		}
		n := ethdev.TxBurst(x, 0, tx)
		mbuf.FreeBulk(tx[n:], eal.LcoreIDAny)
		sent += n
		drivertest.WaitFor(2*time.Second, func() bool {
			k := ethdev.RxBurst(y, 0, rx)
			mbuf.FreeBulk(rx[:k], eal.LcoreIDAny)
			got += k
			return got >= sent
		})
	}
	if got != sent || sent == 0 {
		t.Fatalf("sent %d, received %d", sent, got)
	}
	// The test itself allocates and frees without a cache: only the bound
	// TX queue (freeing what it sent) can have filled the lcore's.
	if lcache.Len() == 0 {
		t.Error("the lcore's cache is empty after bound traffic: the queues did not use it")
	}
	for _, p := range []uint16{x, y} {
		if err := ethdev.Stop(p); err != nil {
			t.Fatal(err)
		}
	}
	mp.CacheFlush(lcache)
	if mp.AvailCount() != mp.Size() {
		t.Errorf("after stop %d of %d mbufs in the pool", mp.AvailCount(), mp.Size())
	}
}
