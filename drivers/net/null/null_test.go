package null_test

import (
	"strings"
	"testing"

	_ "dpk/drivers/net/null"
	"dpk/eal"
	"dpk/ethdev"
	"dpk/internal/testutil"
	"dpk/mbuf"
)

func TestNullPorts(t *testing.T) {
	testutil.InitEAL(t, "--in-memory", "--vdev", "net_null0", "--vdev", "net_null1,size=128,copy=1", "--vdev", "eth_null2,no-rx=1")
	if ethdev.Count() != 3 {
		t.Fatalf("%d ports", ethdev.Count())
	}
	mp, err := mbuf.PoolCreate("pool", 2047, 64, 0, mbuf.DefaultBufSize, -1)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ethdev.Ports() {
		if err := ethdev.Configure(p, 2, 2, nil); err != nil {
			t.Fatal(err)
		}
		for q := uint16(0); q < 2; q++ {
			if err := ethdev.RxQueueSetup(p, q, 512, -1, nil, mp); err != nil {
				t.Fatal(err)
			}
			if err := ethdev.TxQueueSetup(p, q, 512, -1, nil); err != nil {
				t.Fatal(err)
			}
		}
		if err := ethdev.Start(p); err != nil {
			t.Fatal(err)
		}
	}
	pkts := make([]*mbuf.Mbuf, 32)
	for i := 0; i < 100; i++ {
		for _, p := range ethdev.Ports() {
			n := ethdev.RxBurst(p, 1, pkts)
			if p == 2 && n != 0 {
				t.Fatalf("no-rx port received %d", n)
			}
			if p != 2 && n != 32 {
				t.Fatalf("port %d received %d", p, n)
			}
			for _, m := range pkts[:n] {
				want := uint32(64)
				if p == 1 {
					want = 128
				}
				if m.PktLen() != want || m.Port != p {
					t.Fatalf("port %d: packet of %d bytes from port %d", p, m.PktLen(), m.Port)
				}
			}
			if s := ethdev.TxBurst(1-p%2, 0, pkts[:n]); s != n {
				t.Fatalf("sent %d of %d", s, n)
			}
		}
	}
	s0, _ := ethdev.StatsGet(0)
	s1, _ := ethdev.StatsGet(1)
	if s0.IPackets != 3200 || s0.QIPackets[1] != 3200 || s1.OPackets != 3200 || s1.IBytes != 3200*128 || s0.OBytes != 3200*128 {
		t.Errorf("stats port 0 %+v\nport 1 %+v", s0, s1)
	}
	if n := testing.AllocsPerRun(200, func() {
		n := ethdev.RxBurst(0, 0, pkts)
		ethdev.TxBurst(1, 0, pkts[:n])
	}); n != 0 {
		t.Errorf("%v allocs per rx/tx burst", n)
	}
	for _, p := range ethdev.Ports() {
		ethdev.Stop(p)
	}
	if mp.AvailCount() != mp.Size() {
		t.Errorf("after stop %d of %d mbufs back", mp.AvailCount(), mp.Size())
	}
	if l, _ := ethdev.LinkGet(0); l.Up {
		t.Error("link up after stop")
	}
}

func TestNullBadArgs(t *testing.T) {
	for _, v := range []string{"net_null0,size=abc", "net_null0,size=0", "net_null0,size=70000", "net_null0,copy=2", "net_null0,bogus=1"} {
		_, err := eal.Init([]string{"t", "--in-memory", "--no-huge", "-l", "0", "--vdev", v})
		if err == nil {
			eal.Cleanup()
			t.Errorf("--vdev %s accepted", v)
			continue
		}
		if !strings.Contains(err.Error(), "net_null0") {
			t.Errorf("--vdev %s: error %q does not name the device", v, err)
		}
	}
}

func BenchmarkIOForward(b *testing.B) {
	testutil.InitEAL(b, "--in-memory", "--vdev", "net_null0", "--vdev", "net_null1")
	mp, _ := mbuf.PoolCreate("pool", 155456, 250, 0, mbuf.DefaultBufSize, -1)
	for _, p := range ethdev.Ports() {
		ethdev.Configure(p, 1, 1, nil)
		ethdev.RxQueueSetup(p, 0, 1024, -1, nil, mp)
		ethdev.TxQueueSetup(p, 0, 1024, -1, nil)
		ethdev.Start(p)
	}
	pkts := make([]*mbuf.Mbuf, 32)
	for _, bound := range []bool{false, true} {
		lc := eal.LcoreIDAny
		if bound {
			lc = eal.MainLcore().ID()
		}
		for _, p := range ethdev.Ports() {
			ethdev.RxQueueBindLcore(p, 0, lc)
			ethdev.TxQueueBindLcore(p, 0, lc)
		}
		b.Run(map[bool]string{false: "private-caches", true: "lcore-cache"}[bound], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				n := ethdev.RxBurst(0, 0, pkts)
				ethdev.TxBurst(1, 0, pkts[:n])
				n = ethdev.RxBurst(1, 0, pkts)
				ethdev.TxBurst(0, 0, pkts[:n])
			}
			b.ReportMetric(float64(b.N*64)/b.Elapsed().Seconds()/1e6, "Mpps")
		})
	}
}

func TestLcoreBinding(t *testing.T) {
	testutil.InitEAL(t, "--in-memory", "--vdev", "net_null0", "--vdev", "net_null1")
	mp, _ := mbuf.PoolCreate("pool", 4095, 250, 0, mbuf.DefaultBufSize, -1)
	for _, p := range ethdev.Ports() {
		ethdev.Configure(p, 1, 1, nil)
		ethdev.RxQueueSetup(p, 0, 1024, -1, nil, mp)
		ethdev.TxQueueSetup(p, 0, 1024, -1, nil)
		ethdev.Start(p)
	}
	lc := eal.MainLcore().ID()
	for _, p := range ethdev.Ports() {
		if err := ethdev.RxQueueBindLcore(p, 0, lc); err != nil {
			t.Fatal(err)
		}
		if err := ethdev.TxQueueBindLcore(p, 0, lc); err != nil {
			t.Fatal(err)
		}
	}
	if err := ethdev.RxQueueBindLcore(0, 5, lc); err == nil {
		t.Error("binding a missing queue succeeded")
	}
	pkts := make([]*mbuf.Mbuf, 32)
	seen := map[*mbuf.Mbuf]bool{}
	for i := 0; i < 1000; i++ {
		n := ethdev.RxBurst(0, 0, pkts)
		for _, m := range pkts[:n] {
			seen[m] = true
		}
		ethdev.TxBurst(1, 0, pkts[:n])
	}
	// Allocation and free go through one lcore cache: the same few mbufs
	// are reused instead of cycling through the whole pool.
	if len(seen) > 64 {
		t.Errorf("%d distinct mbufs used for 1000 bursts of 32 through one lcore cache", len(seen))
	}
	for _, p := range ethdev.Ports() {
		ethdev.Stop(p)
	}
	mp.CacheFlush(mp.DefaultCache(lc))
	if mp.AvailCount() != mp.Size() {
		t.Errorf("%d of %d mbufs back", mp.AvailCount(), mp.Size())
	}
}
