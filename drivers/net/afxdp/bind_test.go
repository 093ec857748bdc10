package afxdp

import (
	"net"
	"testing"
	"time"

	"dpk/eal"
	"dpk/ethdev"
	"dpk/internal/drivertest"
	"dpk/internal/netns"
	"dpk/mbuf"
)

// TestLcoreBinding binds a port pair's queues to an lcore: what the kernel
// completed goes back through that lcore's mempool cache, and after stop
// and a flush of that cache every mbuf is back in the pool.
func TestLcoreBinding(t *testing.T) {
	v, x, y := newPair(t, "", "", 1)
	mp := newPool(t, "axp_bind", 4095)
	startPort(t, x, 1, mp, 256)
	startPort(t, y, 1, mp, 256)
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
	f := drivertest.UDPFrame(netns.Host.MAC(t, v.Peer), netns.Host.MAC(t, v.Name), net.IPv4(10, 96, 1, 1), net.IPv4(10, 96, 1, 2), 1, 9, make([]byte, 64))
	tx := make([]*mbuf.Mbuf, 16)
	var sent, got int
	for round := 0; round < 20; round++ {
		// The test allocates and frees without a cache: only the bound
		// queues can fill the lcore's.
		drivertest.MbufsOf(t, mp, tx, f, f, f, f, f, f, f, f, f, f, f, f, f, f, f, f)
		n := ethdev.TxBurst(x, 0, tx)
		mbuf.FreeBulk(tx[n:], eal.LcoreIDAny)
		sent += n
		rx := rxAll(y, 0, sent-got, 2*time.Second)
		got += len(rx)
		mbuf.FreeBulk(rx, eal.LcoreIDAny)
	}
	if got != sent || sent == 0 {
		t.Fatalf("sent %d, received %d", sent, got)
	}
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
