package ethdev_test

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"dpk/eal"
	"dpk/ethdev"
	"dpk/ethdev/ethdevtest"
	"dpk/internal/testutil"
	"dpk/mbuf"
	"dpk/mempool"
)

const noLcore = eal.LcoreIDAny

func setup(t *testing.T, nq uint16) (uint16, *ethdevtest.Fake, *mempool.Mempool) {
	t.Helper()
	testutil.InitEAL(t, "--in-memory")
	port, f, err := ethdevtest.New("fake0")
	if err != nil {
		t.Fatal(err)
	}
	mp, err := mbuf.PoolCreate("pool", 1023, 32, 0, mbuf.DefaultBufSize, -1)
	if err != nil {
		t.Fatal(err)
	}
	if err := ethdev.Configure(port, nq, nq, &ethdev.Conf{}); err != nil {
		t.Fatal(err)
	}
	for q := uint16(0); q < nq; q++ {
		if err := ethdev.RxQueueSetup(port, q, 512, -1, nil, mp); err != nil {
			t.Fatal(err)
		}
		if err := ethdev.TxQueueSetup(port, q, 512, -1, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := ethdev.Start(port); err != nil {
		t.Fatal(err)
	}
	return port, f, mp
}

func alloc(t *testing.T, mp *mempool.Mempool, n int, size uint16) []*mbuf.Mbuf {
	t.Helper()
	ms := make([]*mbuf.Mbuf, n)
	if err := mbuf.AllocBulk(mp, ms, noLcore); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		m.Append(size)
	}
	return ms
}

func TestPortLifecycle(t *testing.T) {
	port, f, mp := setup(t, 2)
	if ethdev.Count() != 1 || ethdev.Name(port) != "fake0" || !ethdev.IsValid(port) || ethdev.IsValid(port+1) {
		t.Fatalf("registry: count %d name %q", ethdev.Count(), ethdev.Name(port))
	}
	if p, err := ethdev.PortByName("fake0"); err != nil || p != port {
		t.Fatalf("by name: %d %v", p, err)
	}
	info, err := ethdev.InfoGet(port)
	if err != nil || info.DriverName != "net_fake" || info.NbRxQueues != 2 {
		t.Fatalf("info %+v %v", info, err)
	}
	// Setup on a started port is refused.
	if err := ethdev.RxQueueSetup(port, 0, 512, -1, nil, mp); !errors.Is(err, ethdev.ErrState) {
		t.Errorf("rx setup while started: %v", err)
	}
	if err := ethdev.Configure(port, 1, 1, nil); !errors.Is(err, ethdev.ErrState) {
		t.Errorf("configure while started: %v", err)
	}
	f.Inject(1, alloc(t, mp, 5, 100)...)
	pkts := make([]*mbuf.Mbuf, 32)
	if n := ethdev.RxBurst(port, 0, pkts); n != 0 {
		t.Errorf("queue 0 received %d", n)
	}
	n := ethdev.RxBurst(port, 1, pkts)
	if n != 5 {
		t.Fatalf("received %d, want 5", n)
	}
	f.TxLimit = 3
	if sent := ethdev.TxBurst(port, 1, pkts[:n]); sent != 3 {
		t.Fatalf("sent %d with a limit of 3", sent)
	}
	mbuf.FreeBulk(pkts[3:n], noLcore) // unsent stay with the caller
	mbuf.FreeBulk(f.Sent(1), noLcore)
	st, _ := ethdev.StatsGet(port)
	if st.IPackets != 5 || st.OPackets != 3 || st.IBytes != 500 || st.OBytes != 300 || st.QIPackets[1] != 5 || st.QOPackets[1] != 3 {
		t.Errorf("stats %+v", st)
	}
	if v, err := ethdev.XstatByName(port, "rx_q1_packets"); err != nil || v != 5 {
		t.Errorf("xstat rx_q1_packets = %d, %v", v, err)
	}
	names, _ := ethdev.XstatNames(port)
	if names[0] != "rx_good_packets" || len(names) != 8+2*3+2*2 {
		t.Errorf("xstat names %v", names)
	}
	ethdev.StatsReset(port)
	if st, _ := ethdev.StatsGet(port); st.IPackets != 0 {
		t.Errorf("after reset %+v", st)
	}
	// Bad ids get nothing and no panic.
	if ethdev.RxBurst(200, 0, pkts) != 0 || ethdev.RxBurst(port, 9, pkts) != 0 || ethdev.TxBurst(port, 9, pkts[:1]) != 0 {
		t.Error("burst on a bad port or queue moved packets")
	}
	if _, err := ethdev.StatsGet(31); !errors.Is(err, ethdev.ErrNoPort) {
		t.Errorf("stats of missing port: %v", err)
	}
	if err := ethdev.Stop(port); err != nil {
		t.Fatal(err)
	}
	if err := ethdev.Close(port); err != nil {
		t.Fatal(err)
	}
	if ethdev.IsValid(port) || mp.AvailCount() != mp.Size() {
		t.Errorf("after close: valid %v, %d of %d mbufs back", ethdev.IsValid(port), mp.AvailCount(), mp.Size())
	}
}

func TestConfigureChecks(t *testing.T) {
	testutil.InitEAL(t, "--in-memory")
	port, _, err := ethdevtest.New("fake1")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := ethdevtest.New("fake1"); err == nil {
		t.Error("duplicate port name accepted")
	}
	for _, tc := range []struct {
		rx, tx uint16
		conf   ethdev.Conf
	}{
		{0, 0, ethdev.Conf{}},
		{9, 1, ethdev.Conf{}},
		{1, 1, ethdev.Conf{RxMode: ethdev.RxMode{Offloads: ethdev.RxOffloadTCPLRO}}},
		{1, 1, ethdev.Conf{TxMode: ethdev.TxMode{Offloads: ethdev.TxOffloadTCPTSO}}},
		{1, 1, ethdev.Conf{RxMode: ethdev.RxMode{MTU: 20}}},
	} {
		if err := ethdev.Configure(port, tc.rx, tc.tx, &tc.conf); err == nil {
			t.Errorf("Configure(%d, %d, %+v) succeeded", tc.rx, tc.tx, tc.conf)
		}
	}
	if err := ethdev.Start(port); !errors.Is(err, ethdev.ErrState) {
		t.Errorf("start unconfigured: %v", err)
	}
	ethdev.Configure(port, 1, 1, nil)
	if err := ethdev.Start(port); !errors.Is(err, ethdev.ErrState) {
		t.Errorf("start without queues: %v", err)
	}
	if err := ethdev.RxQueueSetup(port, 0, 512, -1, nil, nil); !errors.Is(err, ethdev.ErrInvalid) {
		t.Errorf("rx setup without pool: %v", err)
	}
	// MAC, MTU, promiscuous, link.
	mac, _ := ethdev.MACAddrGet(port)
	if mac.String() != "02:00:00:00:00:01" {
		t.Errorf("mac %s", mac)
	}
	if err := ethdev.MACAddrSet(port, ethdev.EtherAddr{1, 2, 3, 4, 5, 6}); err == nil {
		t.Error("multicast primary MAC accepted")
	}
	if err := ethdev.MACAddrSet(port, ethdev.EtherAddr{2, 2, 3, 4, 5, 6}); err != nil {
		t.Error(err)
	}
	if err := ethdev.MACAddrAdd(port, ethdev.EtherAddr{2, 9, 9, 9, 9, 9}); err != nil || len(ethdev.MACAddrs(port)) != 2 {
		t.Errorf("add mac: %v %v", err, ethdev.MACAddrs(port))
	}
	if err := ethdev.MTUSet(port, 9000); err != nil {
		t.Error(err)
	}
	if err := ethdev.MTUSet(port, 10000); err == nil {
		t.Error("mtu above max accepted")
	}
	ethdev.PromiscuousSet(port, true)
	if !ethdev.PromiscuousGet(port) {
		t.Error("promiscuous not on")
	}
	var events atomic.Int32
	h, _ := ethdev.CallbackRegister(port, false, ethdev.EventIntrLSC, func(p uint16, ev ethdev.Event, _ any) { events.Add(1) }, nil)
	ethdev.SetLinkDown(port)
	ethdev.EventProcess(port, ethdev.EventIntrLSC)
	if l, _ := ethdev.LinkGet(port); l.Up || events.Load() != 1 || l.String() != "Link down" {
		t.Errorf("link %v events %d", l, events.Load())
	}
	ethdev.SetLinkUp(port)
	if l, _ := ethdev.LinkGet(port); l.String() != "Link up at 10 Gbps FDX Fixed" {
		t.Errorf("link string %q", l.String())
	}
	ethdev.CallbackUnregister(h)
	ethdev.EventProcess(port, ethdev.EventIntrLSC)
	if events.Load() != 1 {
		t.Error("callback ran after unregister")
	}
	if err := ethdev.VLANFilter(port, 5, true); !errors.Is(err, ethdev.ErrNotSupported) {
		t.Errorf("vlan filter: %v", err)
	}
}

// TestCallbacksWhileRunning adds and removes RX and TX callbacks while an
// lcore polls the port: bursts keep flowing and nothing is lost.
func TestCallbacksWhileRunning(t *testing.T) {
	port, f, mp := setup(t, 1)
	if len(eal.Workers()) == 0 {
		t.Skip("needs a worker lcore")
	}
	var stop atomic.Bool
	var rxSeen, txSeen, dropped atomic.Uint64
	w := eal.Workers()[0].ID()
	eal.RemoteLaunch(func(lc *eal.Lcore) error {
		pkts := make([]*mbuf.Mbuf, 32)
		in := make([]*mbuf.Mbuf, 4)
		for !stop.Load() {
			if mbuf.AllocBulk(mp, in, lc.ID()) == nil {
				f.Inject(0, in...)
			}
			n := ethdev.RxBurst(port, 0, pkts)
			s := ethdev.TxBurst(port, 0, pkts[:n])
			mbuf.FreeBulk(pkts[s:n], lc.ID())
			mbuf.FreeBulk(f.Sent(0), lc.ID())
		}
		mp.CacheFlush(mp.DefaultCache(lc.ID()))
		return nil
	}, w)
	for i := 0; i < 300; i++ {
		rcb, err := ethdev.AddRxCallback(port, 0, func(_, _ uint16, pkts []*mbuf.Mbuf, n int, _ any) int {
			rxSeen.Add(uint64(n))
			return n
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		tcb, _ := ethdev.AddTxCallback(port, 0, func(_, _ uint16, pkts []*mbuf.Mbuf, _ any) int {
			txSeen.Add(uint64(len(pkts)))
			return len(pkts)
		}, nil)
		drop, _ := ethdev.AddRxCallback(port, 0, func(_, _ uint16, pkts []*mbuf.Mbuf, n int, _ any) int {
			mbuf.FreeBulk(pkts[:n], noLcore)
			dropped.Add(uint64(n))
			return 0
		}, nil)
		if err := ethdev.RemoveRxCallback(port, 0, rcb); err != nil {
			t.Fatal(err)
		}
		if err := ethdev.RemoveTxCallback(port, 0, tcb); err != nil {
			t.Fatal(err)
		}
		if err := ethdev.RemoveRxCallback(port, 0, drop); err != nil {
			t.Fatal(err)
		}
		if err := ethdev.RemoveRxCallback(port, 0, drop); err == nil {
			t.Fatal("removing a callback twice succeeded")
		}
	}
	stop.Store(true)
	if err := eal.WaitLcore(w); err != nil {
		t.Fatal(err)
	}
	ethdev.Stop(port)
	ethdev.Close(port) // frees what the fake still queues
	if mp.AvailCount() != mp.Size() {
		t.Errorf("%d of %d mbufs back", mp.AvailCount(), mp.Size())
	}
	t.Logf("callbacks saw %d rx and %d tx packets, dropped %d", rxSeen.Load(), txSeen.Load(), dropped.Load())
}

func TestBurstZeroAllocs(t *testing.T) {
	port, f, mp := setup(t, 1)
	cb, _ := ethdev.AddRxCallback(port, 0, func(_, _ uint16, _ []*mbuf.Mbuf, n int, _ any) int { return n }, nil)
	defer ethdev.RemoveRxCallback(port, 0, cb)
	pkts := make([]*mbuf.Mbuf, 32)
	ms := alloc(t, mp, 32, 64)
	f.TxLimit = 0
	n := testing.AllocsPerRun(100, func() {
		ethdev.RxBurst(port, 0, pkts)
		ethdev.TxBurst(port, 0, ms[:0])
	})
	if n != 0 {
		t.Errorf("%v allocs per burst", n)
	}
	mbuf.FreeBulk(ms, noLcore)
}

func TestDevargs(t *testing.T) {
	for _, tc := range []struct {
		in   string
		name string
		kv   []ethdev.KV
		bad  string
	}{
		{in: "net_null0", name: "net_null0"},
		{in: "net_pcap0,rx_pcap=a.pcap,tx_pcap=/tmp/b.pcap", name: "net_pcap0", kv: []ethdev.KV{{"rx_pcap", "a.pcap"}, {"tx_pcap", "/tmp/b.pcap"}}},
		{in: "net_x,queues=[0,1,2],flag", name: "net_x", kv: []ethdev.KV{{"queues", "[0,1,2]"}, {"flag", ""}}},
		{in: "net_ring0,nodeaction=r1:0:CREATE", name: "net_ring0", kv: []ethdev.KV{{"nodeaction", "r1:0:CREATE"}}},
		{in: "", bad: "empty device name"},
		{in: ",a=b", bad: "empty device name"},
		{in: "net x", bad: "bad character"},
		{in: "n,=v", bad: "empty key"},
		{in: "n,a=[1,2", bad: "unbalanced"},
		{in: "n,a=1]", bad: "unbalanced"},
		{in: "n,k y=1", bad: "bad character"},
		{in: strings.Repeat("a", 5000), bad: "longer than"},
	} {
		d, err := ethdev.ParseDevargs(tc.in)
		if tc.bad != "" {
			if err == nil || !strings.Contains(err.Error(), tc.bad) {
				t.Errorf("ParseDevargs(%.40q) = %v, want error with %q", tc.in, err, tc.bad)
			}
			continue
		}
		if err != nil || d.Name != tc.name || len(d.Args) != len(tc.kv) {
			t.Errorf("ParseDevargs(%q) = %+v, %v", tc.in, d, err)
			continue
		}
		for i := range tc.kv {
			if d.Args[i] != tc.kv[i] {
				t.Errorf("ParseDevargs(%q) arg %d = %+v, want %+v", tc.in, i, d.Args[i], tc.kv[i])
			}
		}
		if back, _ := ethdev.ParseDevargs(d.String()); back.String() != d.String() {
			t.Errorf("round trip of %q: %q", tc.in, back.String())
		}
	}
	d, _ := ethdev.ParseDevargs("n,size=128,copy=1,big=99999999999,neg=-1,b=maybe")
	if v, err := d.Uint("size", 64, 9000); err != nil || v != 128 {
		t.Errorf("Uint size: %d %v", v, err)
	}
	if v, err := d.Uint("absent", 64, 9000); err != nil || v != 64 {
		t.Errorf("Uint default: %d %v", v, err)
	}
	for _, k := range []string{"big", "neg"} {
		if _, err := d.Uint(k, 0, 9000); err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("Uint %s: %v", k, err)
		}
	}
	if v, err := d.Bool("copy", false); err != nil || !v {
		t.Errorf("Bool copy: %v %v", v, err)
	}
	if _, err := d.Bool("b", false); err == nil {
		t.Error("Bool maybe accepted")
	}
}

func TestVdevProbe(t *testing.T) {
	var probed []string
	ethdev.RegisterDriver(ethdev.DriverSpec{Name: "net_testdrv", Keys: []string{"size"}, Help: "size=<int>",
		Probe: func(a ethdev.Devargs) error {
			probed = append(probed, a.String())
			_, err := ethdev.Allocate(a.Name, &ethdevtest.Fake{Queues: 1}, ethdev.EtherAddr{2})
			return err
		}})
	testutil.InitEAL(t, "--in-memory", "--vdev", "net_testdrv0,size=1", "--vdev", "net_testdrv1")
	if len(probed) != 2 || ethdev.Count() != 2 {
		t.Fatalf("probed %v, %d ports", probed, ethdev.Count())
	}
	for _, tc := range []struct{ in, want string }{
		{"net_nosuch0", "no driver"},
		{"net_testdrv2,bogus=1", `no argument "bogus" (valid: size)`},
	} {
		if err := ethdev.Probe(tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Probe(%q) = %v, want %q", tc.in, err, tc.want)
		}
	}
}

func TestVdevErrorFailsInit(t *testing.T) {
	_, err := eal.Init([]string{"t", "--in-memory", "--no-huge", "-l", "0", "--vdev", "net_nosuch0"})
	if err == nil {
		eal.Cleanup()
		t.Fatal("Init with an unknown vdev succeeded")
	}
	if !strings.Contains(err.Error(), "net_nosuch0") {
		t.Errorf("error does not name the vdev: %v", err)
	}
	if eal.Initialized() {
		t.Error("EAL left initialised after a failed Init")
	}
}
