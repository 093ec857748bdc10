package main

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"strings"
	"testing"

	"dpk/internal/testutil"
	"dpk/mbuf"
	"dpk/pkt"
	"dpk/pkt/checksum"
)

// The engines, one burst at a time, on two net_ring ports: packets are
// injected into port 0's RX queue (its TX queue loops back to it), the
// engine forwards them to port 1, whose TX queue loops back to its RX
// queue, where the test reads them.

func TestEngineIO(t *testing.T) {
	tp, _ := newApp(t, "net_ring0", "net_ring1")
	fs := testStream(tp, 0, 1)
	in := udpPacket(t, tp, spec4)
	want := append([]byte(nil), in.Data()...)
	inject(t, 0, in)
	ioForward(fs)
	out := collect(1)
	defer freeAll(out)
	if len(out) != 1 || !bytes.Equal(out[0].Data(), want) {
		t.Fatalf("io changed the packet or lost it: %d packets", len(out))
	}
	if fs.rxPackets != 1 || fs.txPackets != 1 || fs.fwdDropped != 0 {
		t.Errorf("counters rx %d tx %d dropped %d, want 1 1 0", fs.rxPackets, fs.txPackets, fs.fwdDropped)
	}
}

func TestEngineMac(t *testing.T) {
	peer := pkt.MAC{0x02, 0x11, 0x22, 0x33, 0x44, 0x55}
	tp, _ := newApp(t, "net_ring0", "net_ring1", "--", "--eth-peer=1,02:11:22:33:44:55")
	fs := testStream(tp, 0, 1)
	inject(t, 0, udpPacket(t, tp, spec4))
	macForward(fs)
	out := collect(1)
	defer freeAll(out)
	if len(out) != 1 {
		t.Fatalf("%d packets out, want 1", len(out))
	}
	eth := pkt.Ethernet(out[0].Data())
	if eth.Dst() != peer || eth.Src() != tp.ports[1].mac {
		t.Errorf("mac: dst %s src %s, want %s %s", eth.Dst(), eth.Src(), peer, tp.ports[1].mac)
	}
	if out[0].L2Len() != 14 || out[0].L3Len() != 20 {
		t.Errorf("l2_len %d l3_len %d, want 14 20", out[0].L2Len(), out[0].L3Len())
	}
}

func TestEngineMacDefaultPeer(t *testing.T) {
	tp, _ := newApp(t, "net_ring0", "net_ring1")
	fs := testStream(tp, 0, 1)
	inject(t, 0, udpPacket(t, tp, spec4))
	macForward(fs)
	out := collect(1)
	defer freeAll(out)
	if len(out) != 1 || pkt.Ethernet(out[0].Data()).Dst() != (pkt.MAC{2, 0, 0, 0, 0, 1}) {
		t.Fatalf("default peer of port 1 is not 02:00:00:00:00:01")
	}
}

func TestEngineMacSwap(t *testing.T) {
	tp, _ := newApp(t, "net_ring0", "net_ring1")
	fs := testStream(tp, 0, 1)
	inject(t, 0, udpPacket(t, tp, spec4))
	macSwap(fs)
	out := collect(1)
	defer freeAll(out)
	if len(out) != 1 {
		t.Fatalf("%d packets out, want 1", len(out))
	}
	eth := pkt.Ethernet(out[0].Data())
	if eth.Src() != macB || eth.Dst() != macA {
		t.Errorf("macswap: src %s dst %s, want %s %s", eth.Src(), eth.Dst(), macB, macA)
	}
}

func TestEngine5TupleSwap(t *testing.T) {
	tp, _ := newApp(t, "net_ring0", "net_ring1")
	fs := testStream(tp, 0, 1)
	spec6 := pkt.PacketSpec{SrcMAC: macA, DstMAC: macB, Src: ip6A, Dst: ip6B, SrcPort: 4000, DstPort: 443, PayloadLen: 10}
	vlan := spec4
	vlan.HasVLAN, vlan.VLANTCI = true, 7
	inject(t, 0, udpPacket(t, tp, spec4), tcpPacket(t, tp, spec6), udpPacket(t, tp, vlan))
	fiveTupleSwap(fs)
	out := collect(1)
	defer freeAll(out)
	if len(out) != 3 {
		t.Fatalf("%d packets out, want 3", len(out))
	}
	check := func(i int, l2 int, v6 bool) {
		d := out[i].Data()
		eth := pkt.Ethernet(d)
		if eth.Src() != macB || eth.Dst() != macA {
			t.Errorf("packet %d: MACs not swapped", i)
		}
		var l4 []byte
		if v6 {
			ip := pkt.IPv6(d[l2:])
			if ip.Src() != ip6B || ip.Dst() != ip6A {
				t.Errorf("packet %d: IPv6 addresses not swapped: %s > %s", i, ip.Src(), ip.Dst())
			}
			l4 = d[l2+pkt.IPv6Len:]
			if !checksum.VerifyUDPTCPIPv6(ip, l4) {
				t.Errorf("packet %d: TCP checksum broken by the swap", i)
			}
			if binary.BigEndian.Uint16(l4) != 443 || binary.BigEndian.Uint16(l4[2:]) != 4000 {
				t.Errorf("packet %d: TCP ports not swapped", i)
			}
			return
		}
		ip := pkt.IPv4(d[l2:])
		if ip.Src() != ip4B || ip.Dst() != ip4A || !ip.IsChecksumValid() {
			t.Errorf("packet %d: IPv4 addresses not swapped or checksum broken: %s > %s", i, ip.Src(), ip.Dst())
		}
		l4 = d[l2+pkt.IPv4MinLen:]
		u := pkt.UDP(l4)
		if u.SrcPort() != 80 || u.DstPort() != 1234 {
			t.Errorf("packet %d: UDP ports %d > %d, want 80 > 1234", i, u.SrcPort(), u.DstPort())
		}
		if !checksum.VerifyUDPTCPIPv4(ip, l4) {
			t.Errorf("packet %d: UDP checksum broken by the swap", i)
		}
		if int(out[i].L2Len()) != l2 || out[i].L4Len() != pkt.UDPLen {
			t.Errorf("packet %d: l2_len %d l4_len %d, want %d 8", i, out[i].L2Len(), out[i].L4Len(), l2)
		}
	}
	check(0, pkt.EthernetLen, false)
	check(1, pkt.EthernetLen, true)
	check(2, pkt.EthernetLen+pkt.VLANLen, false)
}

func TestEngineRxOnly(t *testing.T) {
	tp, _ := newApp(t, "net_ring0", "net_ring1")
	fs := testStream(tp, 0, 1)
	before := tp.pool.AvailCount()
	inject(t, 0, udpPacket(t, tp, spec4), udpPacket(t, tp, spec4))
	rxOnly(fs)
	if fs.rxPackets != 2 || len(collect(1)) != 0 {
		t.Fatalf("rxonly received %d packets or sent some", fs.rxPackets)
	}
	if got := tp.pool.AvailCount(); got != before {
		t.Errorf("rxonly did not free what it received: %d free, want %d", got, before)
	}
}

func TestEngineIcmpEcho(t *testing.T) {
	tp, out := newApp(t, "net_ring0", "--", "--forward-mode=icmpecho")
	fs := testStream(tp, 0, 0)
	other := netip.MustParseAddr("10.9.8.7")
	udp := udpPacket(t, tp, spec4)
	inject(t, 0, icmpEchoRequest(t, tp, other, 5), arpRequest(t, tp, other), udp)
	tp.verbose.Store(1)
	icmpEcho(fs)
	tp.verbose.Store(0)
	got := collect(0)
	defer freeAll(got)
	if len(got) != 2 || fs.rxPackets != 3 || fs.txPackets != 2 {
		t.Fatalf("%d replies (rx %d tx %d), want 2 (3 2): the UDP packet must be dropped", len(got), fs.rxPackets, fs.txPackets)
	}
	// The echo reply: addresses swapped, type 0, checksums valid.
	d := got[0].Data()
	eth := pkt.Ethernet(d)
	if eth.Src() != macB || eth.Dst() != macA {
		t.Errorf("echo reply MACs %s > %s, want %s > %s", eth.Src(), eth.Dst(), macB, macA)
	}
	ip := pkt.IPv4(d[pkt.EthernetLen:])
	if ip.Src() != other || ip.Dst() != ip4A || !ip.IsChecksumValid() {
		t.Errorf("echo reply IP %s > %s (checksum valid %v), want %s > %s", ip.Src(), ip.Dst(), ip.IsChecksumValid(), other, ip4A)
	}
	icmp := pkt.ICMP(ip.Payload())
	if icmp.Type() != pkt.ICMPEchoReply || icmp.Seq() != 5 || icmp.Ident() != 0x1234 || !icmp.IsChecksumValid() {
		t.Errorf("echo reply: type %d seq %d id %#x checksum valid %v", icmp.Type(), icmp.Seq(), icmp.Ident(), icmp.IsChecksumValid())
	}
	// The ARP reply: from the port's MAC, for the asked address.
	d = got[1].Data()
	eth = pkt.Ethernet(d)
	arp := pkt.ARP(d[pkt.EthernetLen:])
	if eth.Dst() != macA || eth.Src() != tp.ports[0].mac || arp.Op() != pkt.ARPOpReply ||
		arp.SenderMAC() != tp.ports[0].mac || arp.SenderIP() != other || arp.TargetMAC() != macA || arp.TargetIP() != ip4A {
		t.Errorf("ARP reply wrong: eth %s > %s op %d sha %s sip %s tha %s tip %s", eth.Src(), eth.Dst(), arp.Op(),
			arp.SenderMAC(), arp.SenderIP(), arp.TargetMAC(), arp.TargetIP())
	}
	for _, want := range []string{"  ICMP: echo request seq id=5", "  ARP:  hrd=1 proto=0x0800 hln=6 pln=4 op=1 (ARP Request)",
		"  IPV4: src=192.0.2.1 dst=192.0.2.2 proto=17 (UDP)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("verbose output lacks %q:\n%s", want, out)
		}
	}
}

func TestEngineIcmpEchoMulticast(t *testing.T) {
	tp, _ := newApp(t, "net_ring0")
	fs := testStream(tp, 0, 0)
	inject(t, 0, icmpEchoRequest(t, tp, netip.MustParseAddr("224.0.0.1"), 1))
	icmpEcho(fs)
	got := collect(0)
	defer freeAll(got)
	if len(got) != 1 {
		t.Fatalf("%d replies, want 1", len(got))
	}
	ip := pkt.IPv4(got[0].Data()[pkt.EthernetLen:])
	// 192.0.2.1 ends in 01: the reply comes from .2, as DPDK picks it.
	if ip.Src() != netip.MustParseAddr("192.0.2.2") || ip.Dst() != ip4A || !ip.IsChecksumValid() {
		t.Errorf("multicast echo reply IP %s > %s valid %v", ip.Src(), ip.Dst(), ip.IsChecksumValid())
	}
}

func TestEngineCsum(t *testing.T) {
	tp, _ := newApp(t, "net_ring0", "net_ring1", "--", "--forward-mode=csum")
	fs := testStream(tp, 0, 1)
	good := udpPacket(t, tp, spec4)
	badIP := udpPacket(t, tp, spec4)
	badIP.Data()[pkt.EthernetLen+10] ^= 0x55 // IPv4 header checksum
	badL4 := udpPacket(t, tp, spec4)
	badL4.Data()[pkt.EthernetLen+pkt.IPv4MinLen+6] ^= 0x55 // UDP checksum
	spec6 := pkt.PacketSpec{SrcMAC: macA, DstMAC: macB, Src: ip6A, Dst: ip6B, SrcPort: 1, DstPort: 2, PayloadLen: 3}
	badTCP6 := tcpPacket(t, tp, spec6)
	badTCP6.Data()[pkt.EthernetLen+pkt.IPv6Len+16] ^= 0xff // TCP checksum
	noCksum := udpPacket(t, tp, spec4)
	binary.BigEndian.PutUint16(noCksum.Data()[pkt.EthernetLen+pkt.IPv4MinLen+6:], 0) // "no checksum": fine over IPv4
	flagged := udpPacket(t, tp, spec4)
	flagged.OlFlags |= rxL4CksumBad | mbuf.FlagRxIPCksumGood // the driver says so
	inject(t, 0, good, badIP, badL4, badTCP6, noCksum, flagged)
	csumForward(fs)
	out := collect(1)
	defer freeAll(out)
	if len(out) != 6 {
		t.Fatalf("%d packets out, want 6", len(out))
	}
	if fs.rxBadIPCsum != 1 || fs.rxBadL4Csum != 3 {
		t.Errorf("bad IP %d bad L4 %d, want 1 and 3", fs.rxBadIPCsum, fs.rxBadL4Csum)
	}
	for i, m := range out {
		d := m.Data()
		eth := pkt.Ethernet(d)
		if eth.Src() != tp.ports[1].mac || eth.Dst() != tp.peers[1] {
			t.Errorf("packet %d: MACs not rewritten", i)
		}
		if i == 3 {
			ip := pkt.IPv6(d[pkt.EthernetLen:])
			if !checksum.VerifyUDPTCPIPv6(ip, ip.Payload()) || m.OlFlags != mbuf.FlagTxIPv6 {
				t.Errorf("packet %d: TCP/IPv6 checksum not recomputed or flags %#x", i, m.OlFlags)
			}
			continue
		}
		ip := pkt.IPv4(d[pkt.EthernetLen:])
		if !ip.IsChecksumValid() || !checksum.VerifyUDPTCPIPv4(ip, ip.Payload()) {
			t.Errorf("packet %d: checksums not recomputed", i)
		}
		if m.OlFlags != mbuf.FlagTxIPv4 || m.L2Len() != 14 || m.L3Len() != 20 || m.L4Len() != 8 {
			t.Errorf("packet %d: flags %#x l2 %d l3 %d l4 %d", i, m.OlFlags, m.L2Len(), m.L3Len(), m.L4Len())
		}
	}
	if u := pkt.UDP(out[4].Data()[pkt.EthernetLen+pkt.IPv4MinLen:]); u.Checksum() != 0 {
		t.Errorf("a zero UDP checksum was filled in: %#x", u.Checksum())
	}
	// The forward statistics show the bad counts as DPDK prints them.
	tp.cfg.eng = engineByName("csum")
	tp.cfg.streams = []*stream{fs}
	var b testutil.SyncBuffer
	saved := tp.out
	tp.out = &console{w: &b}
	tp.fwdStatsDisplay()
	tp.out = saved
	if !strings.Contains(b.String(), "  Bad-ipcsum: 1              Bad-l4csum: 3             Bad-outer-l4csum: 0") {
		t.Errorf("csum statistics:\n%s", b.String())
	}
}

func TestEngineTxOnly(t *testing.T) {
	tp, _ := newApp(t, "net_ring0", "--", "--burst=4")
	fs := testStream(tp, 0, 0)
	if err := txOnlyBegin(tp, 0); err != nil {
		t.Fatal(err)
	}
	txOnly(fs)
	out := collect(0)
	defer freeAll(out)
	if len(out) != 4 || fs.txPackets != 4 {
		t.Fatalf("%d packets sent, want a burst of 4", len(out))
	}
	for _, m := range out {
		d := m.Data()
		if m.PktLen() != 64 || len(d) != 64 {
			t.Fatalf("packet length %d, want 64", m.PktLen())
		}
		eth := pkt.Ethernet(d)
		if eth.Src() != tp.ports[0].mac || eth.Dst() != tp.peers[0] || eth.EtherType() != pkt.EtherTypeIPv4 {
			t.Errorf("Ethernet header %s > %s type %#x", eth.Src(), eth.Dst(), eth.EtherType())
		}
		ip, err := pkt.ParseIPv4(d[pkt.EthernetLen:])
		if err != nil || ip.Src() != netip.MustParseAddr("198.18.0.1") || ip.Dst() != netip.MustParseAddr("198.18.0.2") ||
			ip.TTL() != 64 || ip.Protocol() != pkt.IPProtoUDP || ip.TotalLength() != 50 || !ip.IsChecksumValid() {
			t.Errorf("IPv4 header wrong: %v % x", err, d[pkt.EthernetLen:pkt.EthernetLen+20])
		}
		u := pkt.UDP(d[pkt.EthernetLen+pkt.IPv4MinLen:])
		if u.SrcPort() != 9 || u.DstPort() != 9 || u.Length() != 30 || u.Checksum() != 0 {
			t.Errorf("UDP header wrong: % x", d[34:42])
		}
	}
}

func TestEngineTxOnlySegmentsMultiFlow(t *testing.T) {
	tp, _ := newApp(t, "net_ring0", "--", "--burst=3", "--txpkts=60,40", "--txonly-multi-flow")
	fs := testStream(tp, 0, 0)
	if err := txOnlyBegin(tp, 0); err != nil {
		t.Fatal(err)
	}
	txOnly(fs)
	out := collect(0)
	defer freeAll(out)
	if len(out) != 3 {
		t.Fatalf("%d packets sent, want 3", len(out))
	}
	for i, m := range out {
		if m.NbSegs() != 2 || m.PktLen() != 100 || m.DataLen() != 60 || m.Check(true) != nil {
			t.Fatalf("packet %d: %d segments, %d bytes, first %d", i, m.NbSegs(), m.PktLen(), m.DataLen())
		}
		ip := pkt.IPv4(m.Data()[pkt.EthernetLen:])
		// (198.18.0.2 | i<<8) + lcore id
		want := netip.AddrFrom4([4]byte{198, 18, byte(i), 2 + byte(fs.lc.id)})
		if ip.Src() != want || ip.TotalLength() != 86 || !ip.IsChecksumValid() {
			t.Errorf("packet %d: source %s length %d, want %s 86", i, ip.Src(), ip.TotalLength(), want)
		}
	}
}

func TestEngineFlowgen(t *testing.T) {
	tp, _ := newApp(t, "net_ring0", "--", "--burst=8", "--flowgen-flows=3", "--flowgen-clones=1")
	fs := testStream(tp, 0, 0)
	inject(t, 0, udpPacket(t, tp, spec4)) // received and dropped
	flowGen(fs)
	out := collect(0)
	defer freeAll(out)
	if len(out) != 8 || fs.rxPackets != 1 {
		t.Fatalf("%d packets sent (rx %d), want 8 (1)", len(out), fs.rxPackets)
	}
	// Two copies of each packet; the flows go 0,1,2,0,...: one packet
	// per two flows here since each packet covers two (one clone).
	var dsts []string
	for i, m := range out {
		ip := pkt.IPv4(m.Data()[pkt.EthernetLen:])
		if m.PktLen() != 60 || !ip.IsChecksumValid() || ip.Src() != netip.MustParseAddr("10.254.0.0") {
			t.Errorf("packet %d: %d bytes, src %s", i, m.PktLen(), ip.Src())
		}
		dsts = append(dsts, ip.Dst().String())
	}
	want := "10.253.0.0 10.253.0.0 10.253.0.2 10.253.0.2 10.253.0.1 10.253.0.1 10.253.0.0 10.253.0.0"
	if got := strings.Join(dsts, " "); got != want {
		t.Errorf("destinations %s\nwant         %s", got, want)
	}
	if out[0] != out[1] {
		t.Errorf("clone is not the same mbuf")
	}
}
