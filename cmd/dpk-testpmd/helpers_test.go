package main

import (
	"net/netip"
	"strings"
	"testing"

	"dpk/eal"
	"dpk/ethdev"
	"dpk/internal/testutil"
	"dpk/mbuf"
	"dpk/pkt"
)

// newApp starts an EAL with the given vdevs and a testpmd on it, in this
// process, with its ports configured and started. testpmd options may
// follow the vdevs after "--". Everything is torn down when the test ends.
func newApp(t *testing.T, args ...string) (*testpmd, *testutil.SyncBuffer) {
	t.Helper()
	var ealArgs []string
	appArgs := []string{"dpk-testpmd", "--total-num-mbufs=4096", "--no-flush-rx"}
	for i, a := range args {
		if a == "--" {
			appArgs = append(appArgs, args[i+1:]...)
			break
		}
		ealArgs = append(ealArgs, "--vdev", a)
	}
	testutil.InitEAL(t, append([]string{"--in-memory", "--no-telemetry"}, ealArgs...)...)
	out := &testutil.SyncBuffer{}
	tp := newTestpmd("dpk-testpmd", strings.NewReader(""), out, out)
	tp.initPorts()
	if err := tp.parseArgs(appArgs); err != nil {
		t.Fatalf("parseArgs: %v", err)
	}
	if err := tp.initConfig(); err != nil {
		t.Fatalf("initConfig: %v", err)
	}
	if err := tp.startPort(portAll); err != nil {
		t.Fatalf("startPort: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		tp.exit()
		if s := out.String(); strings.Contains(s, "were not returned") {
			t.Errorf("mbufs leaked:\n%s", s)
		}
	})
	return tp, out
}

// testStream makes a stream from rx to tx, run by the calling goroutine as
// the main lcore, as prepareStreams would.
func testStream(tp *testpmd, rx, tx uint16) *stream {
	id := eal.MainLcore().ID()
	lc := &fwdLcore{id: id, pool: tp.pool, cache: tp.pool.DefaultCache(id)}
	fs := &stream{rxPort: rx, txPort: tx, peerAddr: tx}
	lc.streams = []*stream{fs}
	fs.tp, fs.lc = tp, lc
	fs.burst = int(tp.burst)
	fs.txMAC = tp.ports[tx].mac
	fs.peerMAC = tp.peers[tx]
	fs.txOffloads = tp.ports[tx].conf.TxMode.Offloads
	fs.txFlags = txVLANFlags(fs.txOffloads)
	return fs
}

// alloc takes one mbuf from the app's pool.
func alloc(t *testing.T, tp *testpmd) *mbuf.Mbuf {
	t.Helper()
	m, err := mbuf.Alloc(tp.pool, eal.MainLcore().ID())
	if err != nil {
		t.Fatalf("alloc: %v", err)
	}
	return m
}

// inject puts packets on a net_ring port's RX queue 0: its TX queue 0
// loops back to it.
func inject(t *testing.T, port uint16, ms ...*mbuf.Mbuf) {
	t.Helper()
	if n := ethdev.TxBurst(port, 0, ms); n != len(ms) {
		t.Fatalf("inject: %d of %d packets taken", n, len(ms))
	}
}

// collect takes what a net_ring port sent (it loops back to its RX queue).
func collect(port uint16) []*mbuf.Mbuf {
	out := make([]*mbuf.Mbuf, 64)
	n := ethdev.RxBurst(port, 0, out)
	return out[:n]
}

func freeAll(ms []*mbuf.Mbuf) { mbuf.FreeBulk(ms, eal.MainLcore().ID()) }

var (
	macA  = pkt.MAC{0x02, 0xaa, 0, 0, 0, 1}
	macB  = pkt.MAC{0x02, 0xbb, 0, 0, 0, 2}
	ip4A  = netip.MustParseAddr("192.0.2.1")
	ip4B  = netip.MustParseAddr("192.0.2.2")
	ip6A  = netip.MustParseAddr("2001:db8::1")
	ip6B  = netip.MustParseAddr("2001:db8::2")
	spec4 = pkt.PacketSpec{SrcMAC: macA, DstMAC: macB, Src: ip4A, Dst: ip4B, SrcPort: 1234, DstPort: 80, PayloadLen: 22}
)

// udpPacket builds a UDP packet from spec in a fresh mbuf.
func udpPacket(t *testing.T, tp *testpmd, spec pkt.PacketSpec) *mbuf.Mbuf {
	t.Helper()
	m := alloc(t, tp)
	if err := pkt.BuildUDP(m, &spec); err != nil {
		t.Fatalf("BuildUDP: %v", err)
	}
	return m
}

// tcpPacket builds a TCP packet from spec in a fresh mbuf.
func tcpPacket(t *testing.T, tp *testpmd, spec pkt.PacketSpec) *mbuf.Mbuf {
	t.Helper()
	m := alloc(t, tp)
	if err := pkt.BuildTCP(m, &spec); err != nil {
		t.Fatalf("BuildTCP: %v", err)
	}
	return m
}

// icmpEchoRequest builds an ICMP echo request from macA/ip4A to macB/dst.
func icmpEchoRequest(t *testing.T, tp *testpmd, dst netip.Addr, seq uint16) *mbuf.Mbuf {
	t.Helper()
	m := alloc(t, tp)
	const payload = 16
	b, err := m.Append(pkt.EthernetLen + pkt.IPv4MinLen + pkt.ICMPLen + payload)
	if err != nil {
		t.Fatal(err)
	}
	pkt.Ethernet(b).Encode(&pkt.EthernetFields{Dst: macB, Src: macA, EtherType: pkt.EtherTypeIPv4})
	pkt.IPv4(b[pkt.EthernetLen:]).Encode(&pkt.IPv4Fields{TotalLength: pkt.IPv4MinLen + pkt.ICMPLen + payload, TTL: 64,
		Protocol: pkt.IPProtoICMP, Src: ip4A, Dst: dst})
	icmp := b[pkt.EthernetLen+pkt.IPv4MinLen:]
	for i := range icmp[pkt.ICMPLen:] {
		icmp[pkt.ICMPLen+i] = byte(i)
	}
	pkt.ICMP(icmp).Encode(&pkt.ICMPFields{Type: pkt.ICMPEchoRequest, Rest: 0x1234<<16 | uint32(seq)})
	return m
}

// arpRequest builds a broadcast ARP request from macA/ip4A for target.
func arpRequest(t *testing.T, tp *testpmd, target netip.Addr) *mbuf.Mbuf {
	t.Helper()
	m := alloc(t, tp)
	b, err := m.Append(pkt.EthernetLen + pkt.ARPLen)
	if err != nil {
		t.Fatal(err)
	}
	pkt.Ethernet(b).Encode(&pkt.EthernetFields{Dst: pkt.BroadcastMAC, Src: macA, EtherType: pkt.EtherTypeARP})
	pkt.ARP(b[pkt.EthernetLen:]).Encode(&pkt.ARPFields{Op: pkt.ARPOpRequest, SenderMAC: macA, SenderIP: ip4A, TargetIP: target})
	return m
}
