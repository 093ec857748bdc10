package tap

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"dpk/ethdev"
	"dpk/internal/drivertest"
	"dpk/internal/netns"

	"golang.org/x/sys/unix"
)

// lroConf asks for TCP LRO on RX and TSO on TX: GSO frames cross the
// forwarder whole and the kernel segments them where needed.
var lroConf = &ethdev.Conf{
	RxMode: ethdev.RxMode{Offloads: ethdev.RxOffloadTCPLRO | ethdev.RxOffloadScatter},
	TxMode: ethdev.TxMode{Offloads: ethdev.TxOffloadTCPTSO | ethdev.TxOffloadMultiSegs | ethdev.TxOffloadIPv4Cksum | ethdev.TxOffloadTCPCksum},
}

// TestForward forwards between two tap ports whose interfaces are in two
// namespaces and checks ping (small, MTU-sized and fragmented), a 100 MB
// TCP transfer, the counters against the kernel's, and that every mbuf
// comes back.
func TestForward(t *testing.T) {
	tp := newTopo(t, 1, "", lroConf)
	checkPortInfo(t, tp)
	tp.startForwarding(t, nil)

	t.Run("ping", func(t *testing.T) { drivertest.Ping(t, tp.a, tp.ipB, 56, 3) })
	t.Run("ping_1472_df", func(t *testing.T) { drivertest.Ping(t, tp.a, tp.ipB, 1472, 3, "-M", "do") })
	t.Run("ping_4000_fragmented", func(t *testing.T) { drivertest.Ping(t, tp.a, tp.ipB, 4000, 3) })
	t.Run("tcp_100MB", func(t *testing.T) { drivertest.TCPTransfer(t, tp.a, tp.b, tp.ipB, 5001, 100_000_000) })

	tp.stopForwarding(t)
	sa, sb := checkCounters(t, tp)
	if sa.IPackets == 0 || sb.IPackets == 0 {
		t.Errorf("no packets counted: A %+v B %+v", sa, sb)
	}
	lro, _ := ethdev.XstatByName(tp.pa, "rx_lro_frames")
	tso, _ := ethdev.XstatByName(tp.pb, "tx_tso_frames")
	csum, _ := ethdev.XstatByName(tp.pa, "rx_csum_completed")
	t.Logf("port A: %d LRO frames, %d checksums completed; port B: %d TSO frames sent", lro, csum, tso)
	if lro == 0 || tso < lro {
		t.Errorf("LRO: %d GSO frames received whole on A, %d sent with TSO on B", lro, tso)
	}
	for _, p := range []uint16{tp.pa, tp.pb} {
		if err := ethdev.Stop(p); err != nil {
			t.Fatal(err)
		}
	}
	if tp.pool.AvailCount() != tp.pool.Size() {
		t.Errorf("after stop %d of %d mbufs in the pool", tp.pool.AvailCount(), tp.pool.Size())
	}
	if f := ifFlags(t, tp.a, tp.ta); f&unix.IFF_UP != 0 {
		t.Errorf("interface %s still up after stop (flags %#x)", tp.ta, f)
	}
}

// TestForwardNoLRO is TestForward's TCP transfer without LRO: the kernel
// segments, and the partial checksums of its segments are completed in
// software.
func TestForwardNoLRO(t *testing.T) {
	tp := newTopo(t, 1, "", nil)
	tp.startForwarding(t, nil)
	t.Run("ping_4000_fragmented", func(t *testing.T) { drivertest.Ping(t, tp.a, tp.ipB, 4000, 2) })
	t.Run("tcp_20MB", func(t *testing.T) { drivertest.TCPTransfer(t, tp.a, tp.b, tp.ipB, 5001, 20_000_000) })
	tp.stopForwarding(t)
	checkCounters(t, tp)
	lro, _ := ethdev.XstatByName(tp.pa, "rx_lro_frames")
	csum, _ := ethdev.XstatByName(tp.pa, "rx_csum_completed")
	t.Logf("port A: %d checksums completed", csum)
	if lro != 0 || csum == 0 {
		t.Errorf("without LRO: %d LRO frames (want 0), %d checksums completed (want some)", lro, csum)
	}
	for _, p := range []uint16{tp.pa, tp.pb} {
		ethdev.Stop(p)
	}
	if tp.pool.AvailCount() != tp.pool.Size() {
		t.Errorf("after stop %d of %d mbufs in the pool", tp.pool.AvailCount(), tp.pool.Size())
	}
}

// ifFlags returns an interface's flags as seen in ns.
func ifFlags(t testing.TB, ns *netns.NS, name string) uint32 {
	t.Helper()
	out, err := ns.Output(10*time.Second, "cat", "/sys/class/net/"+name+"/flags")
	if err != nil {
		t.Fatalf("flags of %s: %v: %s", name, err, out)
	}
	v, err := strconv.ParseUint(strings.TrimSpace(out), 0, 32)
	if err != nil {
		t.Fatal(err)
	}
	return uint32(v)
}

func checkPortInfo(t *testing.T, tp *topo) {
	t.Helper()
	info, err := ethdev.InfoGet(tp.pa)
	if err != nil || info.DriverName != "net_tap" || info.MaxRxQueues != maxQueues {
		t.Errorf("info %+v, %v", info, err)
	}
	mac, _ := ethdev.MACAddrGet(tp.pa)
	kmac := tp.a.MAC(t, tp.ta)
	if mac.String() == kmac.String() || mac[0]&0x03 != 0x02 {
		t.Errorf("port MAC %s, interface MAC %s: want a locally administered unicast address of its own", mac, kmac)
	}
	l, err := ethdev.LinkGet(tp.pa)
	if err != nil || !l.Up || l.Speed != ethdev.Speed10G {
		t.Errorf("link %v, %v", l, err)
	}
	if f := ifFlags(t, tp.a, tp.ta); f&unix.IFF_UP == 0 {
		t.Errorf("interface %s not up after start (flags %#x)", tp.ta, f)
	}
	t.Logf("port %d: %s in %s, %s", tp.pa, tp.ta, tp.a, l)
	if mtu, _ := ethdev.MTUGet(tp.pa); mtu != 1500 {
		t.Errorf("MTU %d", mtu)
	}
	if err := ethdev.MTUSet(tp.pa, 1400); err != nil {
		t.Error(err)
	} else if out := tp.a.IP(t, "-o", "link", "show", tp.ta); !strings.Contains(out, "mtu 1400") {
		t.Errorf("MTUSet(1400): %s", out)
	}
	if err := ethdev.MTUSet(tp.pa, 1500); err != nil {
		t.Error(err)
	}
	if err := ethdev.PromiscuousSet(tp.pa, true); err != nil || ifFlags(t, tp.a, tp.ta)&unix.IFF_PROMISC == 0 {
		t.Errorf("promiscuous on: %v, flags %#x", err, ifFlags(t, tp.a, tp.ta))
	}
	if err := ethdev.PromiscuousSet(tp.pa, false); err != nil || ifFlags(t, tp.a, tp.ta)&unix.IFF_PROMISC != 0 {
		t.Errorf("promiscuous off: %v, flags %#x", err, ifFlags(t, tp.a, tp.ta))
	}
}

// checkCounters compares the ports' counters with the kernel's on their
// interfaces: the interface's tx is the port's rx, and the other way round.
func checkCounters(t *testing.T, tp *topo) (sa, sb ethdev.Stats) {
	t.Helper()
	sa, _ = ethdev.StatsGet(tp.pa)
	sb, _ = ethdev.StatsGet(tp.pb)
	ka := tp.a.MustStats(t, tp.ta).Sub(tp.kernA)
	kb := tp.b.MustStats(t, tp.tb).Sub(tp.kernB)
	for _, c := range []struct {
		name string
		port uint16
		s    ethdev.Stats
		k    netns.LinkStats
	}{{"A", tp.pa, sa, ka}, {"B", tp.pb, sb, kb}} {
		t.Logf("port %s: ipackets %d ibytes %d imissed %d ierrors %d opackets %d obytes %d oerrors %d",
			c.name, c.s.IPackets, c.s.IBytes, c.s.IMissed, c.s.IErrors, c.s.OPackets, c.s.OBytes, c.s.OErrors)
		t.Logf("kernel: tx %d packets %d bytes (dropped %d), rx %d packets %d bytes (dropped %d)",
			c.k.TxPackets, c.k.TxBytes, c.k.TxDropped, c.k.RxPackets, c.k.RxBytes, c.k.RxDropped)
		if c.s.IPackets+c.s.IErrors != c.k.TxPackets {
			t.Errorf("port %s received %d packets (+%d errors), the kernel sent %d", c.name, c.s.IPackets, c.s.IErrors, c.k.TxPackets)
		}
		if c.s.IErrors == 0 && c.s.IBytes != c.k.TxBytes {
			t.Errorf("port %s received %d bytes, the kernel sent %d", c.name, c.s.IBytes, c.k.TxBytes)
		}
		if c.s.IMissed != c.k.TxDropped {
			t.Errorf("port %s: imissed %d, the kernel dropped %d on its way out", c.name, c.s.IMissed, c.k.TxDropped)
		}
		if c.s.OPackets != c.k.RxPackets || c.s.OBytes != c.k.RxBytes {
			t.Errorf("port %s sent %d packets %d bytes, the kernel received %d packets %d bytes", c.name, c.s.OPackets, c.s.OBytes, c.k.RxPackets, c.k.RxBytes)
		}
	}
	for _, p := range []uint16{tp.pa, tp.pb} {
		xs, _ := ethdev.Xstats(p)
		var b strings.Builder
		for _, x := range xs {
			if x.Value != 0 {
				fmt.Fprintf(&b, " %s=%d", x.Name, x.Value)
			}
		}
		t.Logf("port %d xstats:%s", p, b.String())
	}
	// Everything received was forwarded.
	if d := tp.fwdDropped(); sa.IPackets != sb.OPackets+sb.OErrors+d || sb.IPackets != sa.OPackets+sa.OErrors+d {
		t.Errorf("A in %d, B out %d; B in %d, A out %d; forwarder dropped %d", sa.IPackets, sb.OPackets, sb.IPackets, sa.OPackets, d)
	}
	return sa, sb
}
