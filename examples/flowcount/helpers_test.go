package main

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"

	"dpk/eal"
	"dpk/internal/testutil"
	"dpk/mbuf"
	"dpk/mempool"
	"dpk/pkt"
)

var (
	macA = pkt.MAC{0x02, 0, 0, 0, 0, 0xa}
	macB = pkt.MAC{0x02, 0, 0, 0, 0, 0xb}
)

// spec describes a test frame: a flow, how to build it, and what extract
// should make of it.
type spec struct {
	key     flowKey // as extract should decode it
	payload int     // L4 payload bytes (UDP/TCP), or bytes after the IP header
	vlan    bool
}

// frame builds the frame of a TCP, UDP, ICMP, ICMPv6 or SCTP flow (a UDP
// frame with the protocol changed for the last three: ports are then 0 in
// the key, and for SCTP the first 4 bytes of the "UDP" header are the
// ports).
func frame(s spec) []byte {
	k := s.key
	ps := pkt.PacketSpec{SrcMAC: macA, DstMAC: macB, Src: k.Src, Dst: k.Dst,
		SrcPort: k.SrcPort, DstPort: k.DstPort, PayloadLen: s.payload, HasVLAN: s.vlan, VLANTCI: 7}
	if k.Proto != pkt.IPProtoTCP && k.Proto != pkt.IPProtoUDP && k.Proto != pkt.IPProtoSCTP {
		// Ports are not in the key: put something non-zero on the wire to
		// show that they are ignored.
		ps.SrcPort, ps.DstPort = 1111, 2222
	}
	b := make([]byte, 2048)
	var n int
	var err error
	if k.Proto == pkt.IPProtoTCP {
		n, err = pkt.EncodeTCP(b, &ps)
	} else {
		n, err = pkt.EncodeUDP(b, &ps)
	}
	if err != nil {
		panic(err)
	}
	b = b[:n]
	l2 := pkt.EthernetLen
	if s.vlan {
		l2 += pkt.VLANLen
	}
	if k.Src.Is4() {
		pkt.IPv4(b[l2:]).SetProtocol(k.Proto)
	} else {
		pkt.IPv6(b[l2:]).SetNextHeader(k.Proto)
	}
	return b
}

// genTraffic makes n frames over nflows random flows (IPv4 and IPv6; TCP,
// UDP, SCTP, ICMP and ICMPv6; some VLAN-tagged) plus ARP frames (other)
// and broken IPv4 headers (malformed), and the counts extract and the
// flow counter should arrive at.
func genTraffic(rng *rand.Rand, n, nflows int) (frames [][]byte, want map[flowKey]counter, other, malformed counter) {
	flows := make([]spec, nflows)
	for i := range flows {
		var k flowKey
		if rng.IntN(3) == 0 {
			var a, b [16]byte
			a[0], b[0] = 0x20, 0x20
			binary.BigEndian.PutUint64(a[8:], rng.Uint64())
			binary.BigEndian.PutUint64(b[8:], rng.Uint64())
			k.Src, k.Dst = netip.AddrFrom16(a), netip.AddrFrom16(b)
			k.Proto = []uint8{pkt.IPProtoTCP, pkt.IPProtoUDP, pkt.IPProtoICMPv6, pkt.IPProtoSCTP}[rng.IntN(4)]
		} else {
			var a, b [4]byte
			binary.BigEndian.PutUint32(a[:], 0x0a000000|rng.Uint32()&0xffff)
			binary.BigEndian.PutUint32(b[:], 0xc0a80000|rng.Uint32()&0xffff)
			k.Src, k.Dst = netip.AddrFrom4(a), netip.AddrFrom4(b)
			k.Proto = []uint8{pkt.IPProtoTCP, pkt.IPProtoUDP, pkt.IPProtoICMP, pkt.IPProtoSCTP}[rng.IntN(4)]
		}
		if k.Proto == pkt.IPProtoTCP || k.Proto == pkt.IPProtoUDP || k.Proto == pkt.IPProtoSCTP {
			k.SrcPort, k.DstPort = uint16(rng.Uint32()), uint16(rng.Uint32())
		}
		flows[i] = spec{key: k, vlan: rng.IntN(5) == 0}
	}
	want = map[flowKey]counter{}
	for range n {
		var f []byte
		switch r := rng.IntN(100); {
		case r < 3: // ARP: other
			f = make([]byte, 60)
			copy(f, macB[:])
			copy(f[6:], macA[:])
			binary.BigEndian.PutUint16(f[12:], pkt.EtherTypeARP)
			other.add(uint32(len(f)))
		case r < 5: // IPv4 with IHL 4: malformed
			s := flows[0]
			s.key.Src, s.key.Dst = netip.MustParseAddr("10.1.1.1"), netip.MustParseAddr("10.1.1.2")
			f = frame(s)
			f[pkt.EthernetLen] = 0x44
			malformed.add(uint32(len(f)))
		default:
			s := flows[rng.IntN(nflows)]
			s.payload = 4 + rng.IntN(1400) // SCTP needs 12 bytes
			f = frame(s)
			c := want[s.key]
			c.add(uint32(len(f)))
			want[s.key] = c
		}
		frames = append(frames, f)
	}
	return frames, want, other, malformed
}

// initEAL starts the EAL for a test and returns an mbuf pool of n mbufs.
func initEAL(t testing.TB, n uint32) *mempool.Mempool {
	t.Helper()
	testutil.InitEAL(t)
	mp, err := mbuf.PoolCreate("fc_test", n, 0, 0, mbuf.DefaultBufSize, eal.SocketIDAny)
	if err != nil {
		t.Fatal(err)
	}
	return mp
}

// toMbufs copies frames into mbufs of mp.
func toMbufs(t testing.TB, mp *mempool.Mempool, frames [][]byte) []*mbuf.Mbuf {
	t.Helper()
	ms := make([]*mbuf.Mbuf, len(frames))
	if err := mbuf.AllocBulk(mp, ms, eal.MainLcore().ID()); err != nil {
		t.Fatal(err)
	}
	for i, f := range frames {
		b, err := ms[i].Append(uint16(len(f)))
		if err != nil {
			t.Fatal(err)
		}
		copy(b, f)
	}
	return ms
}

// newCounter makes a flow counter freed at the end of the test.
func newCounter(t testing.TB, maxFlows uint32) *flowCounter {
	t.Helper()
	fc, err := newFlowCounter(maxFlows)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fc.close)
	return fc
}

// checkFlows compares the counter's flows with want.
func checkFlows(t testing.TB, fc *flowCounter, want map[flowKey]counter) {
	t.Helper()
	got := fc.flows()
	seen := map[flowKey]bool{}
	for _, f := range got {
		if seen[f.Key] {
			t.Errorf("flow %v counted twice", f.Key)
		}
		seen[f.Key] = true
		if w := want[f.Key]; f.counter != w {
			t.Errorf("flow %v: %d packets %d bytes, want %d, %d", f.Key, f.pkts, f.bytes, w.pkts, w.bytes)
		}
	}
	for k, w := range want {
		if !seen[k] {
			t.Errorf("flow %v (%d packets) missing", k, w.pkts)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d flows, want %d", len(got), len(want))
	}
}

func (c counter) String() string { return fmt.Sprintf("%d pkts %d bytes", c.pkts, c.bytes) }
