package afpacket

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"

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

// TestForward runs l2fwd between two namespaces through two dpk ports and
// checks ping (small, MTU-sized and fragmented), a 100 MB TCP transfer,
// the counters against the kernel's, and that every mbuf comes back.
func TestForward(t *testing.T) {
	tp := newTopo(t, 1, ",framecnt=8192", lroConf)
	checkPortInfo(t, tp)
	tp.startForwarding(t, nil)

	t.Run("ping", func(t *testing.T) { drivertest.Ping(t, tp.a, tp.ipB, 56, 3) })
	t.Run("ping_1472_df", func(t *testing.T) { drivertest.Ping(t, tp.a, tp.ipB, 1472, 3, "-M", "do") })
	t.Run("ping_4000_fragmented", func(t *testing.T) { drivertest.Ping(t, tp.a, tp.ipB, 4000, 3) })
	t.Run("tcp_100MB", func(t *testing.T) { drivertest.TCPTransfer(t, tp.a, tp.b, tp.ipB, 5001, 100_000_000) })

	tp.stopForwarding(t)
	sa, sb := checkCounters(t, tp, false)
	if sa.IPackets == 0 || sb.IPackets == 0 {
		t.Errorf("no packets counted: A %+v B %+v", sa, sb)
	}
	if v, _ := ethdev.XstatByName(tp.pa, "rx_gso_frames"); v == 0 {
		t.Log("no GSO frame received on port A (TSO off on the peer?)")
	}
	for _, p := range []uint16{tp.pa, tp.pb} {
		if err := ethdev.Stop(p); err != nil {
			t.Fatal(err)
		}
	}
	if tp.pool.AvailCount() != tp.pool.Size() {
		t.Errorf("after stop %d of %d mbufs in the pool", tp.pool.AvailCount(), tp.pool.Size())
	}
}

// TestForwardSegmented is TestForward's TCP transfer without LRO: GSO
// frames are cut into MTU-sized packets in software.
func TestForwardSegmented(t *testing.T) {
	tp := newTopo(t, 1, ",qdisc_bypass=0,framecnt=8192", nil)
	tp.startForwarding(t, nil)
	t.Run("ping_4000_fragmented", func(t *testing.T) { drivertest.Ping(t, tp.a, tp.ipB, 4000, 2) })
	t.Run("tcp_20MB", func(t *testing.T) { drivertest.TCPTransfer(t, tp.a, tp.b, tp.ipB, 5001, 20_000_000) })
	tp.stopForwarding(t)
	checkCounters(t, tp, true)
	segs, _ := ethdev.XstatByName(tp.pa, "rx_gso_segments")
	frames, _ := ethdev.XstatByName(tp.pa, "rx_gso_frames")
	t.Logf("port A: %d GSO frames cut into %d packets", frames, segs)
	if tso, _ := ethdev.XstatByName(tp.pb, "tx_tso_frames"); tso != 0 {
		t.Errorf("port B sent %d TSO frames without TSO asked for", tso)
	}
	for _, p := range []uint16{tp.pa, tp.pb} {
		ethdev.Stop(p)
	}
	if tp.pool.AvailCount() != tp.pool.Size() {
		t.Errorf("after stop %d of %d mbufs in the pool", tp.pool.AvailCount(), tp.pool.Size())
	}
}

func checkPortInfo(t *testing.T, tp *topo) {
	t.Helper()
	info, err := ethdev.InfoGet(tp.pa)
	if err != nil || info.DriverName != "net_af_packet" || info.MaxRxQueues != 1 || info.IfIndex == 0 {
		t.Errorf("info %+v, %v", info, err)
	}
	ifc, err := net.InterfaceByName(tp.va.Name)
	if err != nil {
		t.Fatal(err)
	}
	if mac, _ := ethdev.MACAddrGet(tp.pa); mac.String() != ifc.HardwareAddr.String() {
		t.Errorf("MAC %s, interface has %s", mac, ifc.HardwareAddr)
	}
	if mtu, _ := ethdev.MTUGet(tp.pa); int(mtu) != ifc.MTU {
		t.Errorf("MTU %d, interface has %d", mtu, ifc.MTU)
	}
	if err := ethdev.MTUSet(tp.pa, 1400); err != nil {
		t.Error(err)
	} else if ifc, _ := net.InterfaceByName(tp.va.Name); ifc.MTU != 1400 {
		t.Errorf("MTUSet(1400): interface MTU %d", ifc.MTU)
	}
	ethdev.MTUSet(tp.pa, 1500)
	l, err := ethdev.LinkGet(tp.pa)
	if err != nil || !l.Up || l.Speed != ethdev.Speed10G {
		t.Errorf("link %v, %v (veth reports 10 Gbps)", l, err)
	}
	t.Logf("port %d: %s, %s", tp.pa, tp.va.Name, l)
	promisc := func() bool {
		ifc, _ := net.InterfaceByName(tp.va.Name)
		b, _ := os.ReadFile("/sys/class/net/" + ifc.Name + "/flags")
		v, _ := strconv.ParseUint(strings.TrimSpace(string(b)), 0, 32)
		return v&unix.IFF_PROMISC != 0
	}
	if err := ethdev.PromiscuousSet(tp.pa, true); err != nil || !promisc() {
		t.Errorf("promiscuous on: %v, IFF_PROMISC %v", err, promisc())
	}
	if err := ethdev.PromiscuousSet(tp.pa, false); err != nil || promisc() {
		t.Errorf("promiscuous off: %v, IFF_PROMISC %v", err, promisc())
	}
}

// checkCounters compares the ports' counters with the kernel's on their
// interfaces: what the peers sent entered the ports (or was dropped by the
// kernel for want of ring room: imissed), what the ports sent left them.
// With segmented, a GSO frame counts as one packet for the kernel and as its
// segments for the port.
func checkCounters(t *testing.T, tp *topo, segmented bool) (sa, sb ethdev.Stats) {
	t.Helper()
	sa, _ = ethdev.StatsGet(tp.pa)
	sb, _ = ethdev.StatsGet(tp.pb)
	ka := netns.Host.MustStats(t, tp.va.Name).Sub(tp.kernA)
	kb := netns.Host.MustStats(t, tp.vb.Name).Sub(tp.kernB)
	t.Logf("port A: ipackets %d ibytes %d imissed %d ierrors %d opackets %d obytes %d oerrors %d",
		sa.IPackets, sa.IBytes, sa.IMissed, sa.IErrors, sa.OPackets, sa.OBytes, sa.OErrors)
	t.Logf("kernel %s: rx %d packets %d bytes, tx %d packets %d bytes (dropped rx %d tx %d)",
		tp.va.Name, ka.RxPackets, ka.RxBytes, ka.TxPackets, ka.TxBytes, ka.RxDropped, ka.TxDropped)
	t.Logf("port B: ipackets %d ibytes %d imissed %d ierrors %d opackets %d obytes %d oerrors %d",
		sb.IPackets, sb.IBytes, sb.IMissed, sb.IErrors, sb.OPackets, sb.OBytes, sb.OErrors)
	t.Logf("kernel %s: rx %d packets %d bytes, tx %d packets %d bytes (dropped rx %d tx %d)",
		tp.vb.Name, kb.RxPackets, kb.RxBytes, kb.TxPackets, kb.TxBytes, kb.RxDropped, kb.TxDropped)
	for _, c := range []struct {
		name string
		port uint16
		s    ethdev.Stats
		k    netns.LinkStats
	}{{"A", tp.pa, sa, ka}, {"B", tp.pb, sb, kb}} {
		in := c.s.IPackets
		if segmented {
			segs, _ := ethdev.XstatByName(c.port, "rx_gso_segments")
			frames, _ := ethdev.XstatByName(c.port, "rx_gso_frames")
			in = in - segs + frames
		}
		if in+c.s.IMissed+c.s.IErrors != c.k.RxPackets {
			t.Errorf("port %s received %d packets (+%d missed, %d errors), the kernel counted %d", c.name, in, c.s.IMissed, c.s.IErrors, c.k.RxPackets)
		}
		if !segmented && c.s.IMissed == 0 && c.s.IBytes != c.k.RxBytes {
			t.Errorf("port %s received %d bytes, the kernel counted %d", c.name, c.s.IBytes, c.k.RxBytes)
		}
		if c.s.OPackets != c.k.TxPackets || c.s.OBytes != c.k.TxBytes {
			t.Errorf("port %s sent %d packets %d bytes, the kernel counted %d packets %d bytes", c.name, c.s.OPackets, c.s.OBytes, c.k.TxPackets, c.k.TxBytes)
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

func (tp *topo) fwdDropped() uint64 {
	if tp.lastFwd == nil {
		return 0
	}
	return tp.lastFwd.dropped.Load()
}
