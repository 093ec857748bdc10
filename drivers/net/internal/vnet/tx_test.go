package vnet

import (
	"encoding/binary"
	"testing"

	"dpk/eal"
	"dpk/mbuf"
	"dpk/pkt/checksum"
)

// TestTxOffload turns TX offload requests into virtio_net_hdrs: TSO (with
// the IP length and TCP pseudo-header the kernel wants), L4 and IPv4
// header checksums, a VLAN tag inserted in front, and refusals.
func TestTxOffload(t *testing.T) {
	mp := newPool(t, "vnet_txo")
	p := pattern(3000)
	v4, _ := frame(false, ProtoTCP, p, 0)
	v6, _ := frame(true, ProtoTCP, p, 0)
	u4, _ := frame(false, ProtoUDP, p[:100], 0)
	// As DPDK applications hand TSO packets over: a per-segment IP length,
	// the pseudo-header sum without the L4 length, and here a wrong IPv4
	// header checksum.
	dpdkTSO := func(f []byte, v6 bool) []byte {
		f = append([]byte(nil), f...)
		if v6 {
			binary.BigEndian.PutUint16(f[14+4:], 1460)
			binary.BigEndian.PutUint16(f[54+16:], checksum.Fold(Pseudo(f, 14, true, ProtoTCP, 0)))
		} else {
			binary.BigEndian.PutUint16(f[14+2:], 1500)
			binary.BigEndian.PutUint16(f[14+10:], 0xdead)
			binary.BigEndian.PutUint16(f[34+16:], checksum.Fold(Pseudo(f, 14, false, ProtoTCP, 0)))
		}
		return f
	}
	noCWR := dpdkTSO(v4, false)
	noCWR[34+13] &^= TCPCWR
	badIP := append([]byte(nil), u4...)
	binary.BigEndian.PutUint16(badIP[14+10:], 0xdead)

	const (
		tso4 = mbuf.FlagTxTCPSeg | mbuf.FlagTxIPv4 | mbuf.FlagTxIPCksum | mbuf.FlagTxTCPCksum
		tso6 = mbuf.FlagTxTCPSeg | mbuf.FlagTxIPv6 | mbuf.FlagTxTCPCksum
	)
	ipv4OK := func(t *testing.T, d []byte) {
		if int(binary.BigEndian.Uint16(d[16:])) != len(d)-14 || !checksum.VerifyIPv4Header(d[14:34]) {
			t.Errorf("IPv4 header not fixed: % x", d[14:34])
		}
	}
	for _, c := range []struct {
		name       string
		f          []byte
		ol         uint64
		l2, l3, l4 uint32
		segsz      uint32
		shift      int
		cut        int // > 0: the first segment ends there
		ok         bool
		want       Hdr
		check      func(t *testing.T, d []byte)
	}{
		{name: "tso ipv4", f: dpdkTSO(v4, false), ol: tso4, l2: 14, l3: 20, l4: 20, segsz: 1448, ok: true,
			want: Hdr{Flags: FlagNeedsCsum, GSOType: GSOTCPv4 | GSOECN, HdrLen: 54, GSOSize: 1448, CsumStart: 34, CsumOffset: 16},
			check: func(t *testing.T, d []byte) {
				ipv4OK(t, d)
				if got, want := binary.BigEndian.Uint16(d[50:]), checksum.Fold(Pseudo(d, 14, false, ProtoTCP, len(d)-34)); got != want {
					t.Errorf("TCP pseudo-header sum %#x, want %#x (with the L4 length)", got, want)
				}
			}},
		{name: "tso ipv4 without the ip checksum flag", f: noCWR, ol: mbuf.FlagTxTCPSeg | mbuf.FlagTxIPv4, l2: 14, l3: 20, l4: 20, segsz: 1000, ok: true,
			want:  Hdr{Flags: FlagNeedsCsum, GSOType: GSOTCPv4, HdrLen: 54, GSOSize: 1000, CsumStart: 34, CsumOffset: 16},
			check: ipv4OK},
		{name: "tso ipv6 behind a vlan tag", f: dpdkTSO(v6, true), ol: tso6, l2: 14, l3: 40, l4: 20, segsz: 1440, shift: 4, ok: true,
			want: Hdr{Flags: FlagNeedsCsum, GSOType: GSOTCPv6 | GSOECN, HdrLen: 78, GSOSize: 1440, CsumStart: 58, CsumOffset: 16},
			check: func(t *testing.T, d []byte) {
				if int(binary.BigEndian.Uint16(d[18:])) != len(d)-54 {
					t.Errorf("IPv6 payload length %d", binary.BigEndian.Uint16(d[18:]))
				}
				if got, want := binary.BigEndian.Uint16(d[70:]), checksum.Fold(Pseudo(d, 14, true, ProtoTCP, len(d)-54)); got != want {
					t.Errorf("TCP pseudo-header sum %#x, want %#x", got, want)
				}
			}},
		{name: "tcp checksum", f: v4, ol: mbuf.FlagTxIPv4 | mbuf.FlagTxTCPCksum, l2: 14, l3: 20, ok: true,
			want: Hdr{Flags: FlagNeedsCsum, HdrLen: 52, CsumStart: 34, CsumOffset: 16}},
		{name: "tcp checksum, ipv6 by version", f: v6, ol: mbuf.FlagTxTCPCksum, l2: 14, l3: 40, ok: true,
			want: Hdr{Flags: FlagNeedsCsum, HdrLen: 72, CsumStart: 54, CsumOffset: 16}},
		{name: "udp checksum behind a vlan tag", f: u4, ol: mbuf.FlagTxIPv4 | mbuf.FlagTxUDPCksum, l2: 14, l3: 20, shift: 4, ok: true,
			want: Hdr{Flags: FlagNeedsCsum, HdrLen: 46, CsumStart: 38, CsumOffset: 6}},
		{name: "ip checksum only", f: badIP, ol: mbuf.FlagTxIPv4 | mbuf.FlagTxIPCksum, l2: 14, l3: 20, ok: true,
			want: Hdr{}, check: ipv4OK},
		{name: "headers in the first segment", f: dpdkTSO(v4, false), ol: tso4, l2: 14, l3: 20, l4: 20, segsz: 1448, cut: 54, ok: true,
			want: Hdr{Flags: FlagNeedsCsum, GSOType: GSOTCPv4 | GSOECN, HdrLen: 54, GSOSize: 1448, CsumStart: 34, CsumOffset: 16}},
		{name: "no offload", f: v4, ok: true, want: Hdr{}},
		{name: "sctp", f: v4, ol: mbuf.FlagTxIPv4 | mbuf.FlagTxSCTPCksum, l2: 14, l3: 20},
		{name: "no l2 length", f: v4, ol: mbuf.FlagTxIPv4 | mbuf.FlagTxTCPCksum, l3: 20},
		{name: "short l3 length", f: v4, ol: mbuf.FlagTxIPv4 | mbuf.FlagTxTCPCksum, l2: 14, l3: 19},
		{name: "ipv6 with an ipv4 length", f: v6, ol: mbuf.FlagTxIPv6 | mbuf.FlagTxTCPCksum, l2: 14, l3: 20},
		{name: "ip header past the first segment", f: v4, ol: mbuf.FlagTxIPv4 | mbuf.FlagTxIPCksum, l2: 14, l3: 20, cut: 30},
		{name: "tcp header past the first segment", f: dpdkTSO(v4, false), ol: tso4, l2: 14, l3: 20, l4: 20, segsz: 1448, cut: 50},
		{name: "tso without l4 length", f: dpdkTSO(v4, false), ol: tso4, l2: 14, l3: 20, segsz: 1448},
		{name: "tso without segment size", f: dpdkTSO(v4, false), ol: tso4, l2: 14, l3: 20, l4: 20},
	} {
		var m *mbuf.Mbuf
		if c.cut > 0 {
			m = chainOf(t, mp, c.f, c.cut)
		} else {
			m = chainOf(t, mp, c.f)
		}
		m.OlFlags = c.ol
		m.SetTxOffload(c.l2, c.l3, c.l4, c.segsz, 0, 0)
		var vh Hdr
		ok := TxOffload(m, &vh, c.shift)
		if ok != c.ok || ok && vh != c.want {
			t.Errorf("%s: %+v, %v; want %+v, %v", c.name, vh, ok, c.want, c.ok)
		}
		if ok && c.check != nil {
			c.check(t, m.Read(0, m.PktLen(), make([]byte, m.PktLen())))
		}
		m.Free(eal.LcoreIDAny)
	}
	// With nothing asked, the header is left as it is.
	m := chainOf(t, mp, v4)
	defer m.Free(eal.LcoreIDAny)
	vh := Hdr{Flags: FlagDataValid}
	if !TxOffload(m, &vh, 0) || vh != (Hdr{Flags: FlagDataValid}) {
		t.Errorf("no offload: %+v", vh)
	}
}
