package afpacket

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"dpk/ethdev"
	"dpk/internal/netns"
	"dpk/pkt/checksum"

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

	t.Run("ping", func(t *testing.T) { ping(t, tp.a, tp.ipB, 56, 3) })
	t.Run("ping_1472_df", func(t *testing.T) { ping(t, tp.a, tp.ipB, 1472, 3, "-M", "do") })
	t.Run("ping_4000_fragmented", func(t *testing.T) { ping(t, tp.a, tp.ipB, 4000, 3) })
	t.Run("tcp_100MB", func(t *testing.T) { tcpTransfer(t, tp, 100_000_000) })

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
	t.Run("ping_4000_fragmented", func(t *testing.T) { ping(t, tp.a, tp.ipB, 4000, 2) })
	t.Run("tcp_20MB", func(t *testing.T) { tcpTransfer(t, tp, 20_000_000) })
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

// ping pings dst from ns with the system's ping, or, where it is not
// installed, with ICMP echo requests sent from Go inside ns.
func ping(t *testing.T, ns *netns.NS, dst string, size, count int, extra ...string) {
	t.Helper()
	if _, err := exec.LookPath("ping"); err != nil {
		t.Logf("ping is not installed (apt-get install iputils-ping): pinging from Go")
		goPing(t, ns, dst, size, count)
		return
	}
	args := append([]string{"-c", strconv.Itoa(count), "-i", "0.2", "-W", "5", "-s", strconv.Itoa(size)}, extra...)
	out, err := ns.Output(30*time.Second, "ping", append(args, dst)...)
	t.Logf("ip netns exec %s ping %s %s\n%s", ns, strings.Join(args, " "), dst, out)
	if err != nil {
		t.Fatalf("ping failed: %v", err)
	}
	if want := fmt.Sprintf("%d received", count); !strings.Contains(out, want) {
		t.Fatalf("ping: want %q", want)
	}
}

// goPing sends count ICMP echo requests of size payload bytes from ns to
// dst and waits for every reply.
func goPing(t *testing.T, ns *netns.NS, dst string, size, count int) {
	t.Helper()
	var c net.PacketConn
	if err := ns.Do(func() (err error) { c, err = net.ListenPacket("ip4:icmp", "0.0.0.0"); return }); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	addr := &net.IPAddr{IP: net.ParseIP(dst)}
	id := uint16(os.Getpid())
	buf := make([]byte, 70000)
	for seq := 1; seq <= count; seq++ {
		msg := make([]byte, 8+size)
		msg[0] = 8
		binary.BigEndian.PutUint16(msg[4:], id)
		binary.BigEndian.PutUint16(msg[6:], uint16(seq))
		for i := 8; i < len(msg); i++ {
			msg[i] = byte(i)
		}
		binary.BigEndian.PutUint16(msg[2:], checksum.ICMPv4(msg))
		start := time.Now()
		if _, err := c.WriteTo(msg, addr); err != nil {
			t.Fatal(err)
		}
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		for {
			n, _, err := c.ReadFrom(buf)
			if err != nil {
				t.Fatalf("echo %d: %v", seq, err)
			}
			r := buf[:n]
			if n >= 8 && r[0] == 0 && binary.BigEndian.Uint16(r[4:]) == id && binary.BigEndian.Uint16(r[6:]) == uint16(seq) {
				if n != len(msg) {
					t.Fatalf("echo %d: reply of %d bytes, sent %d", seq, n, len(msg))
				}
				t.Logf("%d bytes from %s: icmp_seq=%d time=%v", n, dst, seq, time.Since(start))
				break
			}
		}
	}
}

// tcpTransfer sends size pseudo-random bytes from namespace A to a server
// in B and checks the SHA-256 of what arrived.
func tcpTransfer(t *testing.T, tp *topo, size int64) {
	t.Helper()
	var ln net.Listener
	if err := tp.b.Do(func() (err error) { ln, err = net.Listen("tcp4", tp.ipB+":5001"); return }); err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	type result struct {
		n   int64
		sum [32]byte
		err error
	}
	done := make(chan result, 1)
	deadline := time.Now().Add(50 * time.Second)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			done <- result{err: err}
			return
		}
		defer c.Close()
		c.SetDeadline(deadline)
		h := sha256.New()
		n, err := io.Copy(h, c)
		done <- result{n, [32]byte(h.Sum(nil)), err}
	}()
	var c net.Conn
	if err := tp.a.Do(func() (err error) { c, err = net.DialTimeout("tcp4", tp.ipB+":5001", 5*time.Second); return }); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(deadline)
	h := sha256.New()
	src := rand.NewChaCha8([32]byte{'d', 'p', 'k'})
	start := time.Now()
	if _, err := io.CopyN(io.MultiWriter(c, h), src, size); err != nil {
		t.Fatalf("send: %v", err)
	}
	c.(*net.TCPConn).CloseWrite()
	r := <-done
	dur := time.Since(start)
	sent := [32]byte(h.Sum(nil))
	t.Logf("TCP %s:* -> %s:5001: sent %d bytes sha256 %x", tp.ipA, tp.ipB, size, sent)
	t.Logf("TCP received %d bytes sha256 %x in %v (%.1f MB/s)", r.n, r.sum, dur.Round(time.Millisecond), float64(r.n)/dur.Seconds()/1e6)
	if r.err != nil && !errors.Is(r.err, io.EOF) {
		t.Fatalf("receive: %v", r.err)
	}
	if r.n != size || r.sum != sent {
		t.Fatalf("received %d bytes, sha256 %x; sent %d bytes, sha256 %x", r.n, r.sum, size, sent)
	}
}
