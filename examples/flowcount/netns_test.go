package main

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"dpk/ethdev"
	"dpk/internal/netns"
	"dpk/internal/testutil"
	"dpk/pkt"
)

// TestForwardAFPacket runs the application between two veth pairs with
// net_af_packet: namespace A sends a known number of UDP datagrams on
// several flows to namespace B, and the app must count exactly those
// packets and bytes for those flows and send them all out to B.
func TestForwardAFPacket(t *testing.T) {
	testutil.SkipUnlessRoot(t)
	nsA, nsB := netns.New(t, "fca"), netns.New(t, "fcb")
	va, vb := netns.NewVeth(t, "fca"), netns.NewVeth(t, "fcb")
	// The namespaces are the test's own: their addresses meet no one else.
	ipA, ipB := "10.77.0.1", "10.77.0.2"
	for _, x := range []struct {
		ns   *netns.NS
		v    netns.Veth
		addr string
	}{{nsA, va, ipA}, {nsB, vb, ipB}} {
		netns.Host.Quiet(t, x.v.Name)
		netns.Host.Up(t, x.v.Name)
		x.ns.Adopt(t, x.v.Peer)
		x.ns.Sysctl(t, "net/ipv6/conf/"+x.v.Peer+"/disable_ipv6", "1")
		x.ns.Addr(t, x.v.Peer, x.addr+"/24")
		x.ns.Up(t, x.v.Peer)
	}
	netns.Host.WaitRunning(t, va.Name)
	netns.Host.WaitRunning(t, vb.Name)
	nsA.Neigh(t, va.Peer, ipB, nsB.MAC(t, vb.Peer))

	// A large RX ring (64 blocks) rides out the forwarding lcore's stalls
	// on a busy machine (see the driver's documentation).
	const devargs = ",framecnt=4096"
	args := append(ealArgs(t, "net_af_packet0,iface="+va.Name+devargs, "net_af_packet1,iface="+vb.Name+devargs),
		"--", "--period", "0")
	var out testutil.SyncBuffer
	a, stop := startApp(t, args, &out)
	kernB := nsB.MustStats(t, vb.Peer)

	// Several flows, each with its own count and payload size.
	const nflows = 4
	type flow struct {
		key     flowKey
		n, size int
	}
	var flows []flow
	var conns []*net.UDPConn
	err := nsA.Do(func() error {
		for i := range nflows {
			src := &net.UDPAddr{IP: net.ParseIP(ipA), Port: 41000 + i}
			dst := &net.UDPAddr{IP: net.ParseIP(ipB), Port: 5000 + i}
			c, err := net.DialUDP("udp4", src, dst)
			if err != nil {
				return err
			}
			conns = append(conns, c)
			flows = append(flows, flow{
				key: flowKey{Src: netip.MustParseAddr(ipA), Dst: netip.MustParseAddr(ipB),
					SrcPort: uint16(src.Port), DstPort: uint16(dst.Port), Proto: pkt.IPProtoUDP},
				n: 20 + 10*i, size: 32 + 100*i,
			})
		}
		return nil
	})
	for _, c := range conns {
		defer c.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for i, f := range flows {
		msg := make([]byte, f.size)
		for j := range f.n {
			if _, err := conns[i].Write(msg); err != nil {
				t.Fatalf("flow %d packet %d: %v", i, j, err)
			}
		}
		total += f.n
	}
	p0, p1 := a.ports[0], a.ports[1]
	deadline := time.Now().Add(20 * time.Second)
	var s0, s1 ethdev.Stats
	for {
		s0, _ = ethdev.StatsGet(p0)
		s1, _ = ethdev.StatsGet(p1)
		if s0.IPackets+s0.IMissed >= uint64(total) && s1.OPackets >= s0.IPackets {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out: port 0 %+v, port 1 %+v, kernel A %+v", s0, s1, nsA.MustStats(t, va.Peer))
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	got := map[flowKey]counter{}
	for _, f := range a.fc.flows() {
		got[f.Key] = f.counter
	}
	var counted uint64
	for _, f := range flows {
		frameLen := uint64(pkt.EthernetLen + pkt.IPv4MinLen + pkt.UDPLen + f.size)
		g := got[f.key]
		counted += g.pkts
		w := counter{uint64(f.n), uint64(f.n) * frameLen}
		switch {
		case s0.IMissed == 0 && g != w:
			t.Errorf("flow %v: %v, want %v", f.key, g, w)
		case s0.IMissed != 0 && (g.pkts > w.pkts || g.bytes != g.pkts*frameLen):
			t.Errorf("flow %v: %v, want at most %v of %d bytes", f.key, g, w, frameLen)
		}
	}
	if s0.IMissed != 0 {
		// The kernel dropped frames the lcore did not read in time (a
		// stalled vCPU): the counts can only be checked against what
		// the port received.
		t.Logf("port 0 missed %d of %d packets: counts checked against the %d received", s0.IMissed, total, s0.IPackets)
	}
	if len(got) != nflows || a.fc.other.pkts != 0 || a.fc.malformed.pkts != 0 {
		t.Logf("other traffic: %d flows, other %v, malformed %v", len(got), a.fc.other, a.fc.malformed)
	} else if counted != s0.IPackets {
		t.Errorf("flows counted %d packets, port 0 received %d", counted, s0.IPackets)
	}
	// Everything the app sent reached B's end of the link.
	time.Sleep(50 * time.Millisecond)
	if d := nsB.MustStats(t, vb.Peer).Sub(kernB); d.RxPackets < s1.OPackets {
		t.Errorf("B's interface received %d packets, the app forwarded %d", d.RxPackets, s1.OPackets)
	}
	t.Logf("%d datagrams on %d flows counted; port 0 %+v", total, nflows, s0)
}
