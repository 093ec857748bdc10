package main

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"dpk/pkt"
)

var (
	v4a, v4b = netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("192.168.1.2")
	v6a, v6b = netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("2001:db8:ffff::2")
)

// mod returns f with fn applied to a copy.
func mod(f []byte, fn func(b []byte) []byte) []byte {
	return fn(append([]byte(nil), f...))
}

// ipv4At returns the IPv4 view of an untagged frame.
func ipv4At(b []byte) pkt.IPv4 { return pkt.IPv4(b[pkt.EthernetLen:]) }

// insertV6Ext puts an extension header of type typ after the IPv6 header
// of an untagged frame (a multiple of 8 bytes): ext's next header and
// length bytes are set, and the payload length grows.
func insertV6Ext(f []byte, typ uint8, ext []byte) []byte {
	const l3 = pkt.EthernetLen
	f = append([]byte(nil), f...)
	ip := pkt.IPv6(f[l3:])
	e := append([]byte(nil), ext...)
	e[0] = ip.NextHeader()
	e[1] = byte(len(e)/8 - 1) // the length of an options header; 0 in a fragment header
	ip.SetNextHeader(typ)
	ip.SetPayloadLength(ip.PayloadLength() + uint16(len(e)))
	out := append([]byte(nil), f[:l3+pkt.IPv6Len]...)
	out = append(out, e...)
	return append(out, f[l3+pkt.IPv6Len:]...)
}

// fragHdr is an IPv6 fragment header at offset off (bytes) with M set.
func fragHdr(off uint16) []byte {
	b := make([]byte, 8)
	pkt.IPv6Fragment(b).Encode(0, off, true, 0x1234)
	return b
}

func TestExtract(t *testing.T) {
	udp4 := flowKey{Src: v4a, Dst: v4b, SrcPort: 1234, DstPort: 53, Proto: pkt.IPProtoUDP}
	tcp4 := flowKey{Src: v4a, Dst: v4b, SrcPort: 40000, DstPort: 443, Proto: pkt.IPProtoTCP}
	sctp4 := flowKey{Src: v4a, Dst: v4b, SrcPort: 2905, DstPort: 2905, Proto: pkt.IPProtoSCTP}
	icmp4 := flowKey{Src: v4a, Dst: v4b, Proto: pkt.IPProtoICMP}
	gre4 := flowKey{Src: v4a, Dst: v4b, Proto: pkt.IPProtoGRE}
	udp6 := flowKey{Src: v6a, Dst: v6b, SrcPort: 5353, DstPort: 5353, Proto: pkt.IPProtoUDP}
	tcp6 := flowKey{Src: v6a, Dst: v6b, SrcPort: 22, DstPort: 50000, Proto: pkt.IPProtoTCP}
	icmp6 := flowKey{Src: v6a, Dst: v6b, Proto: pkt.IPProtoICMPv6}
	noPorts := func(k flowKey) flowKey { k.SrcPort, k.DstPort = 0, 0; return k }

	u4 := frame(spec{key: udp4, payload: 100})
	t4 := frame(spec{key: tcp4, payload: 10})
	u6 := frame(spec{key: udp6, payload: 30})
	t6 := frame(spec{key: tcp6})
	setFrag := func(v uint16) func([]byte) []byte {
		return func(b []byte) []byte { ipv4At(b).SetFlagsFragmentOffset(v); return b }
	}
	arp := make([]byte, 60)
	binary.BigEndian.PutUint16(arp[12:], pkt.EtherTypeARP)
	qinq := mod(u4, func(b []byte) []byte {
		// Outer 802.1ad tag, then the 802.1Q tag of a tagged frame.
		f := frame(spec{key: udp4, payload: 100, vlan: true})
		out := append([]byte(nil), f[:12]...)
		out = append(out, 0x88, 0xa8, 0, 5)
		return append(out, f[12:]...)
	})

	tests := []struct {
		name     string
		frame    []byte
		frameLen int // 0: len(frame)
		want     class
		key      flowKey
	}{
		{"ipv4 udp", u4, 0, classIPv4, udp4},
		{"ipv4 tcp", t4, 0, classIPv4, tcp4},
		{"ipv4 sctp", frame(spec{key: sctp4, payload: 20}), 0, classIPv4, sctp4},
		{"ipv4 icmp", frame(spec{key: icmp4, payload: 56}), 0, classIPv4, icmp4},
		{"ipv4 gre", frame(spec{key: gre4, payload: 56}), 0, classIPv4, gre4},
		{"ipv6 udp", u6, 0, classIPv6, udp6},
		{"ipv6 tcp", t6, 0, classIPv6, tcp6},
		{"ipv6 icmpv6", frame(spec{key: icmp6, payload: 8}), 0, classIPv6, icmp6},
		{"vlan ipv4 udp", frame(spec{key: udp4, payload: 1, vlan: true}), 0, classIPv4, udp4},
		{"vlan ipv6 tcp", frame(spec{key: tcp6, vlan: true}), 0, classIPv6, tcp6},
		{"qinq ipv4 udp", qinq, 0, classIPv4, udp4},
		{"ipv4 padded to 60 bytes", mod(frame(spec{key: udp4}), func(b []byte) []byte { return append(b, make([]byte, 60-len(b))...) }), 0, classIPv4, udp4},
		{"ipv4 first fragment", mod(u4, setFrag(pkt.IPv4FlagMF)), 0, classIPv4, udp4},
		{"ipv4 middle fragment", mod(u4, setFrag(pkt.IPv4FlagMF|185)), 0, classIPv4, noPorts(udp4)},
		{"ipv4 last fragment", mod(u4, setFrag(185)), 0, classIPv4, noPorts(udp4)},
		{"ipv4 last fragment shorter than udp", mod(u4, func(b []byte) []byte {
			ip := ipv4At(b)
			ip.SetFlagsFragmentOffset(3)
			ip.SetTotalLength(22)
			return b[:pkt.EthernetLen+22]
		}), 0, classIPv4, noPorts(udp4)},
		{"ipv6 first fragment", insertV6Ext(u6, pkt.IPProtoFragment, fragHdr(0)), 0, classIPv6, udp6},
		{"ipv6 later fragment", insertV6Ext(u6, pkt.IPProtoFragment, fragHdr(1448)), 0, classIPv6, noPorts(udp6)},
		{"ipv6 hop-by-hop and dst opts", insertV6Ext(insertV6Ext(t6, pkt.IPProtoDstOpts, make([]byte, 16)), pkt.IPProtoHopOpts, make([]byte, 8)), 0, classIPv6, tcp6},
		{"chained: total length beyond first segment", u4[:60], len(u4), classIPv4, udp4},

		{"arp", arp, 0, classOther, flowKey{}},
		{"runt", u4[:10], 0, classOther, flowKey{}},
		{"ethernet header only", u4[:14], 0, classMalformed, flowKey{}},
		{"vlan tag cut short", frame(spec{key: udp4, vlan: true})[:16], 0, classOther, flowKey{}},

		{"ipv4 truncated header", u4[:pkt.EthernetLen+19], 0, classMalformed, flowKey{}},
		{"ipv4 version 5", mod(u4, func(b []byte) []byte { b[14] = 0x55; return b }), 0, classMalformed, flowKey{}},
		{"ipv4 ihl 4", mod(u4, func(b []byte) []byte { b[14] = 0x44; return b }), 0, classMalformed, flowKey{}},
		{"ipv4 ihl beyond frame", mod(u4, func(b []byte) []byte { b[14] = 0x4f; return b[:pkt.EthernetLen+40] }), 0, classMalformed, flowKey{}},
		{"ipv4 total length beyond frame", u4[:len(u4)-1], 0, classMalformed, flowKey{}},
		{"ipv4 total length below header", mod(u4, func(b []byte) []byte { ipv4At(b).SetTotalLength(19); return b }), 0, classMalformed, flowKey{}},
		{"ipv4 udp header cut", mod(u4, func(b []byte) []byte { ipv4At(b).SetTotalLength(27); return b }), 0, classMalformed, flowKey{}},
		{"ipv4 tcp header cut", mod(t4, func(b []byte) []byte { ipv4At(b).SetTotalLength(39); return b }), 0, classMalformed, flowKey{}},
		{"ipv4 first fragment without udp header", mod(u4, func(b []byte) []byte {
			ip := ipv4At(b)
			ip.SetFlagsFragmentOffset(pkt.IPv4FlagMF)
			ip.SetTotalLength(24)
			return b
		}), 0, classMalformed, flowKey{}},
		{"ipv6 truncated header", u6[:pkt.EthernetLen+39], 0, classMalformed, flowKey{}},
		{"ipv6 version 4", mod(u6, func(b []byte) []byte { b[14] = 0x40; return b }), 0, classMalformed, flowKey{}},
		{"ipv6 payload beyond frame", u6[:len(u6)-1], 0, classMalformed, flowKey{}},
		{"ipv6 ext header cut", mod(insertV6Ext(t6, pkt.IPProtoHopOpts, make([]byte, 8)), func(b []byte) []byte {
			b[pkt.EthernetLen+pkt.IPv6Len+1] = 200 // length far beyond the packet
			return b
		}), 0, classMalformed, flowKey{}},
		{"ipv6 tcp header cut", mod(t6, func(b []byte) []byte { pkt.IPv6(b[14:]).SetPayloadLength(19); return b }), 0, classMalformed, flowKey{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fl := tc.frameLen
			if fl == 0 {
				fl = len(tc.frame)
			}
			var k4 key4
			var k6 key6
			got := extract(tc.frame, fl, &k4, &k6)
			if got != tc.want {
				t.Fatalf("class %v, want %v", got, tc.want)
			}
			var k flowKey
			switch got {
			case classIPv4:
				k = k4.decode()
			case classIPv6:
				k = k6.decode()
			}
			if k != tc.key {
				t.Errorf("key %v, want %v", k, tc.key)
			}
		})
	}
}

func TestFlowKeyString(t *testing.T) {
	for _, c := range []struct {
		k    flowKey
		want string
	}{
		{flowKey{Src: v4a, Dst: v4b, SrcPort: 1, DstPort: 2, Proto: 17}, "UDP 10.0.0.1:1 -> 192.168.1.2:2"},
		{flowKey{Src: v6a, Dst: v6b, SrcPort: 1, DstPort: 2, Proto: 6}, "TCP [2001:db8::1]:1 -> [2001:db8:ffff::2]:2"},
		{flowKey{Src: v4a, Dst: v4b, Proto: 99}, "proto 99 10.0.0.1:0 -> 192.168.1.2:0"},
	} {
		if got := c.k.String(); got != c.want {
			t.Errorf("%q, want %q", got, c.want)
		}
	}
}

// TestExtractNoAllocs: the extractor allocates nothing.
func TestExtractNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	f4 := frame(spec{key: flowKey{Src: v4a, Dst: v4b, SrcPort: 1, DstPort: 2, Proto: 17}})
	f6 := insertV6Ext(frame(spec{key: flowKey{Src: v6a, Dst: v6b, SrcPort: 1, DstPort: 2, Proto: 6}}), pkt.IPProtoHopOpts, make([]byte, 8))
	var k4 key4
	var k6 key6
	if n := testing.AllocsPerRun(100, func() {
		extract(f4, len(f4), &k4, &k6)
		extract(f6, len(f6), &k4, &k6)
		extract(f6[:60], len(f6), &k4, &k6)
	}); n != 0 {
		t.Errorf("%.1f allocations", n)
	}
}
