package main

import (
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"testing"

	"dpk/mbuf"
	"dpk/pkt"
	"dpk/pkt/checksum"
)

// TestDecTTL checks the incremental checksum update against a full
// recomputation, over random headers with and without options and every
// TTL that is forwarded.
func TestDecTTL(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 20000; n++ {
		hl := 20 + 4*rng.IntN(11)
		ip := make([]byte, hl)
		for i := range ip {
			ip[i] = byte(rng.Uint32())
		}
		ip[0] = 0x40 | byte(hl/4)
		ip[ipv4TTL] = byte(2 + rng.IntN(254))
		if n%7 == 0 { // headers whose checksum is 0x0000 or 0xffff are edge cases
			clear(ip[1:])
			ip[ipv4TTL] = byte(2 + n%254)
		}
		binary.BigEndian.PutUint16(ip[ipv4Cksum:], checksum.IPv4Header(ip))
		ttl := ip[ipv4TTL]
		decTTL(ip)
		if ip[ipv4TTL] != ttl-1 {
			t.Fatalf("TTL %d -> %d", ttl, ip[ipv4TTL])
		}
		got := binary.BigEndian.Uint16(ip[ipv4Cksum:])
		if want := checksum.IPv4Header(ip); got != want {
			t.Fatalf("header %x: incremental checksum %#04x, recomputed %#04x", ip, got, want)
		}
		if !checksum.VerifyIPv4Header(ip) {
			t.Fatalf("header %x: checksum does not verify", ip)
		}
	}
}

func TestCheckIPv4(t *testing.T) {
	good := flow{src: netip.MustParseAddr("10.0.0.1"), dst: netip.MustParseAddr("10.0.0.2"), proto: 17}.frame()[ethLen:]
	set := func(f func(ip []byte), fixSum bool) []byte {
		ip := append([]byte(nil), good...)
		f(ip)
		if fixSum {
			ip[ipv4Cksum], ip[ipv4Cksum+1] = 0, 0
			binary.BigEndian.PutUint16(ip[ipv4Cksum:], checksum.IPv4Header(ip[:int(ip[0]&0xf)*4]))
		}
		return ip
	}
	badSum := set(func(ip []byte) { ip[ipv4Cksum] ^= 1 }, false)
	for _, c := range []struct {
		name    string
		ip      []byte
		linkLen int // -1: len(ip)
		flags   uint64
		want    int
	}{
		{"good", good, -1, 0, -1},
		{"short link", good, 19, 0, dropBadIPv4},
		{"short segment", good[:19], 28, 0, dropBadIPv4},
		{"version 6", set(func(ip []byte) { ip[0] = 0x65 }, true), -1, 0, dropBadIPv4},
		{"IHL 4", set(func(ip []byte) { ip[0] = 0x44 }, false), -1, 0, dropBadIPv4},
		{"IHL past data", set(func(ip []byte) { ip[0] = 0x4f }, false), -1, 0, dropBadIPv4},
		{"total length 19", set(func(ip []byte) { binary.BigEndian.PutUint16(ip[2:], 19) }, true), -1, 0, dropBadIPv4},
		{"total length below IHL", set(func(ip []byte) { ip[0] = 0x46; binary.BigEndian.PutUint16(ip[2:], 20) }, true), -1, 0, dropBadIPv4},
		{"options", set(func(ip []byte) { ip[0] = 0x46 }, true), -1, 0, -1},
		{"bad checksum", badSum, -1, 0, dropBadIPv4},
		{"bad checksum, NIC says good", badSum, -1, mbuf.FlagRxIPCksumGood, -1},
		{"bad checksum, NIC says none", badSum, -1, rxIPCksumMask, -1},
		{"good, NIC says bad", good, -1, mbuf.FlagRxIPCksumBad, dropBadIPv4},
		{"TTL 1", set(func(ip []byte) { ip[ipv4TTL] = 1 }, true), -1, 0, dropTTL},
		{"TTL 0", set(func(ip []byte) { ip[ipv4TTL] = 0 }, true), -1, 0, dropTTL},
		{"TTL 2", set(func(ip []byte) { ip[ipv4TTL] = 2 }, true), -1, 0, -1},
	} {
		ll := c.linkLen
		if ll < 0 {
			ll = len(c.ip)
		}
		if got := checkIPv4(c.ip, uint32(ll), c.flags); got != c.want {
			t.Errorf("%s: checkIPv4 = %d, want %d", c.name, got, c.want)
		}
	}
}

func TestCheckIPv6(t *testing.T) {
	good := flow{src: netip.MustParseAddr("2001:db8::1"), dst: netip.MustParseAddr("2001:db8::2"), proto: 17}.frame()[ethLen:]
	with := func(i int, v byte) []byte { ip := append([]byte(nil), good...); ip[i] = v; return ip }
	for _, c := range []struct {
		name string
		ip   []byte
		want int
	}{
		{"good", good, -1},
		{"short", good[:39], dropBadIPv6},
		{"version 4", with(0, 0x40), dropBadIPv6},
		{"hop limit 1", with(ipv6HopLim, 1), dropTTL},
		{"hop limit 0", with(ipv6HopLim, 0), dropTTL},
	} {
		if got := checkIPv6(c.ip); got != c.want {
			t.Errorf("%s: checkIPv6 = %d, want %d", c.name, got, c.want)
		}
	}
}

func TestFrameKind(t *testing.T) {
	v4 := flow{src: netip.MustParseAddr("10.0.0.1"), dst: netip.MustParseAddr("10.0.0.2"), proto: 17}.frame()
	v6 := flow{src: netip.MustParseAddr("::1"), dst: netip.MustParseAddr("::2"), proto: 17}.frame()
	arp := append([]byte(nil), v4...)
	binary.BigEndian.PutUint16(arp[12:], pkt.EtherTypeARP)
	for _, c := range []struct {
		name string
		pt   uint32
		d    []byte
		want l3Kind
	}{
		{"ipv4 by ethertype", 0, v4, kindIPv4},
		{"ipv6 by ethertype", 0, v6, kindIPv6},
		{"arp", 0, arp, kindOther},
		{"short", 0, v4[:13], kindOther},
		{"ptype ipv4", pkt.PtypeL2Ether | pkt.PtypeL3IPv4 | pkt.PtypeL4UDP, v6, kindIPv4},
		{"ptype ipv6 ext", pkt.PtypeL2Ether | pkt.PtypeL3IPv6Ext, v4, kindIPv6},
		{"ptype ipv4 in vlan", pkt.PtypeL2EtherVLAN | pkt.PtypeL3IPv4, v4, kindOther},
		{"ptype arp", pkt.PtypeL2EtherARP, v4, kindOther},
	} {
		if got := frameKind(c.pt, c.d); got != c.want {
			t.Errorf("%s: frameKind = %d, want %d", c.name, got, c.want)
		}
	}
}

func TestPorts(t *testing.T) {
	a, b := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	ip := flow{src: a, dst: b, proto: pkt.IPProtoTCP, sport: 1000, dport: 80}.frame()[ethLen:]
	if got := ports4(ip); got != 1000<<16|80 {
		t.Errorf("TCP ports %#x", got)
	}
	if ip[6] = 0x20; ports4(ip) == 0 { // MF set, offset 0: first fragment
		t.Error("first fragment: no ports")
	}
	if ip[7] = 1; ports4(ip) != 0 {
		t.Error("later fragment: ports")
	}
	icmp := flow{src: a, dst: b, proto: pkt.IPProtoICMP, sport: 0x0800, dport: 0x1234}.frame()[ethLen:]
	if got := ports4(icmp); got != 0 {
		t.Errorf("ICMP ports %#x", got)
	}
	ip6 := flow{src: netip.MustParseAddr("::1"), dst: netip.MustParseAddr("::2"), proto: pkt.IPProtoUDP, sport: 9, dport: 10}.frame()[ethLen:]
	if got := ports6(ip6); got != 9<<16|10 {
		t.Errorf("UDP6 ports %#x", got)
	}
	if got := ports6(ip6[:ipv6Len+3]); got != 0 {
		t.Errorf("short UDP6 ports %#x", got)
	}
}
