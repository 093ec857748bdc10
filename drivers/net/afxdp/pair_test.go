package afxdp

import (
	"bytes"
	"net"
	"testing"
	"time"

	"dpk/eal"
	"dpk/ethdev"
	"dpk/internal/drivertest"
	"dpk/internal/netns"
	"dpk/mbuf"
)

// TestPairTxRx sends frames from a port on one end of a veth pair to a port
// on the other: every frame arrives once, intact, in an mbuf of the RX
// pool, and the counters agree with the kernel's.
func TestPairTxRx(t *testing.T) {
	v, x, y := newPair(t, "", "", 1)
	mp := newPool(t, "axp_pair", 4095)
	other := newPool(t, "axp_other", 1023)
	startPort(t, x, 1, mp, 512)
	startPort(t, y, 1, mp, 512)
	ethdev.StatsReset(x)
	ethdev.StatsReset(y)
	kx := netns.Host.MustStats(t, v.Name)
	dst, src := netns.Host.MAC(t, v.Peer), netns.Host.MAC(t, v.Name)
	const n = 200
	frames := make([][]byte, n)
	for i := range frames {
		frames[i] = drivertest.UDPFrame(dst, src, net.IPv4(10, 98, 0, 1), net.IPv4(10, 98, 0, 2), uint16(1000+i), 9, bytes.Repeat([]byte{byte(i)}, 18+i*7))
	}
	pkts := make([]*mbuf.Mbuf, 32)
	for i := 0; i < n; i += 20 {
		// Half the bursts from the UMEM's pool (sent in place), half from
		// another pool (copied into the UMEM).
		pool := mp
		if i/20%2 == 1 {
			pool = other
		}
		drivertest.MbufsOf(t, pool, pkts, frames[i:i+20]...)
		sent := 0
		for try := 0; sent < 20 && try < 1000; try++ {
			sent += ethdev.TxBurst(x, 0, pkts[sent:20])
		}
		if sent != 20 {
			t.Fatalf("burst %d: sent %d of 20", i/20, sent)
		}
	}
	got := rxAll(y, 0, n, 5*time.Second)
	if len(got) != n {
		t.Fatalf("received %d of %d frames", len(got), n)
	}
	seen := map[int]bool{}
	for _, m := range got {
		d := m.Data()
		if !mp.Contains(m.Pointer()) {
			t.Errorf("received mbuf not from the RX pool")
		}
		i := int(d[35]) | int(d[34])<<8 - 1000
		if i < 0 || i >= n || seen[i] {
			t.Fatalf("unexpected frame %x", d[:min(len(d), 48)])
		}
		seen[i] = true
		if !bytes.Equal(d, frames[i]) {
			t.Errorf("frame %d: got %d bytes %x, want %d bytes", i, len(d), d[:min(len(d), 48)], len(frames[i]))
		}
		if m.Port != y {
			t.Errorf("mbuf port %d, want %d", m.Port, y)
		}
	}
	mbuf.FreeBulk(got, eal.LcoreIDAny)
	sx, _ := ethdev.StatsGet(x)
	sy, _ := ethdev.StatsGet(y)
	k := netns.Host.MustStats(t, v.Name).Sub(kx)
	if sx.OPackets != n || sy.IPackets != n || sx.OBytes != sy.IBytes {
		t.Errorf("x sent %d (%d bytes), y received %d (%d bytes), want %d", sx.OPackets, sx.OBytes, sy.IPackets, sy.IBytes, n)
	}
	// veth counts a frame its peer's XDP program handles without the
	// Ethernet header (the length after eth_type_trans).
	if k.TxPackets != sx.OPackets || k.TxBytes+ethHdr*k.TxPackets != sx.OBytes {
		t.Errorf("kernel counted %d packets %d bytes sent on %s, port %d packets %d bytes", k.TxPackets, k.TxBytes, v.Name, sx.OPackets, sx.OBytes)
	}
	if c, _ := ethdev.XstatByName(x, "tx_copied"); c != n/2 {
		t.Errorf("tx_copied %d, want %d", c, n/2)
	}
	for _, p := range []uint16{x, y} {
		if err := ethdev.Stop(p); err != nil {
			t.Fatal(err)
		}
	}
	if mp.AvailCount() != mp.Size() || other.AvailCount() != other.Size() {
		t.Errorf("after stop: %d of %d mbufs in %s, %d of %d in %s", mp.AvailCount(), mp.Size(), mp.Name(), other.AvailCount(), other.Size(), other.Name())
	}
}
