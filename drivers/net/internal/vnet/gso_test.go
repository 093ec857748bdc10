package vnet

import (
	"bytes"
	"encoding/binary"
	"testing"

	"dpk/eal"
	"dpk/mbuf"
	"dpk/pkt/checksum"
)

func TestParseGSO(t *testing.T) {
	p := pattern(3000)
	v4, h4 := frame(false, ProtoTCP, p, 1448)
	v6, h6 := frame(true, ProtoTCP, p, 1440)
	u4, hu4 := frame(false, ProtoUDP, p, 1000)
	u6, hu6 := frame(true, ProtoUDP, p, 1000)
	vl, hvl := frame(false, ProtoTCP, p, 1448, 0x88a8, 0x8100)
	opt := append([]byte(nil), v4...)
	opt[34+12] = 8 << 4 // a 32-byte TCP header
	with := func(h Hdr, f func(*Hdr)) Hdr { f(&h); return h }
	for _, c := range []struct {
		name string
		d    []byte
		h    Hdr
		ok   bool
		want GSO
	}{
		{"tcpv4", v4, h4, true, GSO{L2: 14, L3: 20, L4: 20, Proto: ProtoTCP, MSS: 1448}},
		{"tcpv4 ecn", v4, with(h4, func(h *Hdr) { h.GSOType |= GSOECN }), true, GSO{L2: 14, L3: 20, L4: 20, Proto: ProtoTCP, MSS: 1448}},
		{"tcpv6", v6, h6, true, GSO{L2: 14, L3: 40, L4: 20, IPv6: true, Proto: ProtoTCP, MSS: 1440}},
		{"udpv4", u4, hu4, true, GSO{L2: 14, L3: 20, L4: 8, Proto: ProtoUDP, MSS: 1000}},
		{"udpv6", u6, hu6, true, GSO{L2: 14, L3: 40, L4: 8, IPv6: true, Proto: ProtoUDP, MSS: 1000}},
		{"two vlan tags", vl, hvl, true, GSO{L2: 22, L3: 20, L4: 20, Proto: ProtoTCP, MSS: 1448}},
		{"tcp options", opt, h4, true, GSO{L2: 14, L3: 20, L4: 32, Proto: ProtoTCP, MSS: 1448}},
		{"headers cut", v4[:40], h4, false, GSO{}},
		{"tcp header cut", opt[:60], h4, false, GSO{}},
		{"no needs_csum", v4, with(h4, func(h *Hdr) { h.Flags = 0 }), false, GSO{}},
		{"no gso_size", v4, with(h4, func(h *Hdr) { h.GSOSize = 0 }), false, GSO{}},
		{"unknown gso type", v4, with(h4, func(h *Hdr) { h.GSOType = 2 }), false, GSO{}},
		{"v6 type on v4", v4, with(h4, func(h *Hdr) { h.GSOType = GSOTCPv6 }), false, GSO{}},
		{"v4 type on v6", v6, with(h6, func(h *Hdr) { h.GSOType = GSOTCPv4 }), false, GSO{}},
		{"csum_start inside the ip header", v4, with(h4, func(h *Hdr) { h.CsumStart = 30 }), false, GSO{}},
		{"csum_start in the ethernet header", v4, with(h4, func(h *Hdr) { h.CsumStart = 14 }), false, GSO{}},
		{"csum_start past the end", v4, with(h4, func(h *Hdr) { h.CsumStart = uint16(len(v4)) }), false, GSO{}},
		{"tcp csum_offset", v4, with(h4, func(h *Hdr) { h.CsumOffset = 6 }), false, GSO{}},
		{"udp csum_offset", u4, with(hu4, func(h *Hdr) { h.CsumOffset = 16 }), false, GSO{}},
		{"runt", v4[:12], h4, false, GSO{}},
	} {
		g, ok := ParseGSO(c.d, c.h)
		if ok != c.ok || ok && g != c.want {
			t.Errorf("%s: %+v, %v; want %+v, %v", c.name, g, ok, c.want, c.ok)
		}
		if ok && g.HdrLen() != g.L2+g.L3+g.L4 {
			t.Errorf("%s: HdrLen %d", c.name, g.HdrLen())
		}
	}
}

// TestPatchSegment cuts GSO frames as a driver does in software (a copy
// of the headers per segment, patched) and checks every packet: lengths,
// IPv4 id and header checksum, sequence numbers, flags, the L4 checksum,
// and that the payloads add up to the frame's.
func TestPatchSegment(t *testing.T) {
	payload := pattern(10000)
	for _, c := range []struct {
		name  string
		v6    bool
		proto uint8
		mss   int
		tags  []uint16
	}{
		{"tcpv4", false, ProtoTCP, 1448, nil},
		{"tcpv6", true, ProtoTCP, 1440, nil},
		{"tcpv4 vlan", false, ProtoTCP, 1448, []uint16{0x8100}},
		{"tcpv4 odd mss", false, ProtoTCP, 1001, nil},
		{"udpv4", false, ProtoUDP, 1472, nil},
		{"udpv6", true, ProtoUDP, 1233, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, h := frame(c.v6, c.proto, payload, c.mss, c.tags...)
			g, ok := ParseGSO(d, h)
			if !ok {
				t.Fatal("ParseGSO refused the frame")
			}
			hl := g.HdrLen()
			n := (len(payload) + c.mss - 1) / c.mss
			var got []byte
			for i := 0; i < n; i++ {
				chunk := payload[i*c.mss : min((i+1)*c.mss, len(payload))]
				hdr := append([]byte(nil), d[:hl]...)
				last := i == n-1
				g.PatchSegment(hdr, i, chunk, last)
				pkt := append(hdr, chunk...)
				ip, l4 := pkt[g.L2:g.L2+g.L3], pkt[g.L2+g.L3:]
				if c.v6 {
					if int(binary.BigEndian.Uint16(ip[4:])) != len(l4) {
						t.Errorf("segment %d: payload length %d, have %d", i, binary.BigEndian.Uint16(ip[4:]), len(l4))
					}
					if !checksum.VerifyUDPTCPIPv6(ip, l4) {
						t.Errorf("segment %d: bad L4 checksum", i)
					}
				} else {
					if int(binary.BigEndian.Uint16(ip[2:])) != len(ip)+len(l4) || binary.BigEndian.Uint16(ip[4:]) != 0x1234+uint16(i) || !checksum.VerifyIPv4Header(ip) {
						t.Errorf("segment %d: IPv4 header % x", i, ip)
					}
					if !checksum.VerifyUDPTCPIPv4(ip, l4) {
						t.Errorf("segment %d: bad L4 checksum", i)
					}
				}
				if c.proto == ProtoTCP {
					if seq := binary.BigEndian.Uint32(l4[4:]); seq != 0xfffff000+uint32(i*c.mss) {
						t.Errorf("segment %d: seq %#x", i, seq)
					}
					if fl := l4[13]; (fl&(TCPFIN|TCPPSH) != 0) != last || (fl&TCPCWR != 0) != (i == 0) || fl&0x10 == 0 {
						t.Errorf("segment %d: flags %#x", i, fl)
					}
				} else if int(binary.BigEndian.Uint16(l4[4:])) != len(l4) {
					t.Errorf("segment %d: UDP length %d, have %d", i, binary.BigEndian.Uint16(l4[4:]), len(l4))
				}
				got = append(got, l4[g.L4:]...)
			}
			if !bytes.Equal(got, payload) {
				t.Error("payloads differ from the frame's")
			}
		})
	}
}

// TestLRO marks GSO frames delivered whole: DPDK's TSO pseudo-header sum
// in the TCP checksum field, and the flags and lengths of a coalesced
// packet that a TSO port sends as the original segments.
func TestLRO(t *testing.T) {
	mp := newPool(t, "vnet_lro")
	p := pattern(3000)
	for _, c := range []struct {
		name  string
		v6    bool
		shift int
		ip    uint64
	}{
		{"ipv4", false, 0, mbuf.FlagTxIPv4 | mbuf.FlagTxIPCksum},
		{"ipv6", true, 0, mbuf.FlagTxIPv6},
		{"ipv4 tag put back", false, 4, mbuf.FlagTxIPv4 | mbuf.FlagTxIPCksum},
	} {
		d, h := frame(c.v6, ProtoTCP, p, 1448)
		g, ok := ParseGSO(d, h)
		if !ok {
			t.Fatalf("%s: ParseGSO refused the frame", c.name)
		}
		var want uint16
		if c.v6 {
			want = checksum.Fold(checksum.PseudoHeaderIPv6([16]byte(d[22:38]), [16]byte(d[38:54]), ProtoTCP, 0))
		} else {
			want = checksum.Fold(checksum.PseudoHeaderIPv4([4]byte(d[26:30]), [4]byte(d[30:34]), ProtoTCP, 0))
		}
		if got := g.LROChecksum(d); got != want {
			t.Errorf("%s: LROChecksum %#04x, want %#04x", c.name, got, want)
		}
		m, err := mbuf.Alloc(mp, eal.LcoreIDAny)
		if err != nil {
			t.Fatal(err)
		}
		m.OlFlags = mbuf.FlagRxRSSHash
		g.LROFlags(m, c.shift)
		fl := mbuf.FlagRxRSSHash | mbuf.FlagRxLRO | mbuf.FlagRxL4CksumGood | mbuf.FlagRxL4CksumBad | mbuf.FlagTxTCPSeg | mbuf.FlagTxTCPCksum | c.ip
		if m.OlFlags != fl {
			t.Errorf("%s: ol_flags %#x, want %#x", c.name, m.OlFlags, fl)
		}
		if m.L2Len() != uint32(14+c.shift) || m.L3Len() != uint32(g.L3) || m.L4Len() != 20 || m.TSOSegsz() != 1448 {
			t.Errorf("%s: lengths %d %d %d %d", c.name, m.L2Len(), m.L3Len(), m.L4Len(), m.TSOSegsz())
		}
		m.Free(eal.LcoreIDAny)
	}
}
