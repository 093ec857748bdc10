package vnet

import (
	"encoding/binary"
	"testing"
)

func TestDecodeEncode(t *testing.T) {
	ne := binary.NativeEndian
	for _, c := range []struct {
		name string
		h    Hdr
	}{
		{"zero", Hdr{}},
		{"tcpv6 gso", Hdr{Flags: FlagNeedsCsum, GSOType: GSOTCPv6, HdrLen: 74, GSOSize: 1428, CsumStart: 54, CsumOffset: 16}},
		{"tcpv4 gso ecn", Hdr{Flags: FlagNeedsCsum, GSOType: GSOTCPv4 | GSOECN, HdrLen: 54, GSOSize: 1448, CsumStart: 34, CsumOffset: 16}},
		{"udp checksum", Hdr{Flags: FlagNeedsCsum, HdrLen: 42, CsumStart: 34, CsumOffset: 6}},
		{"data valid", Hdr{Flags: FlagDataValid}},
		{"all ones", Hdr{0xff, 0xff, 0xffff, 0xffff, 0xffff, 0xffff}},
		{"byte order", Hdr{1, 2, 0x0304, 0x0506, 0x0708, 0x090a}},
	} {
		var b [Size]byte
		c.h.Encode(&b)
		if b[0] != c.h.Flags || b[1] != c.h.GSOType || ne.Uint16(b[2:]) != c.h.HdrLen || ne.Uint16(b[4:]) != c.h.GSOSize ||
			ne.Uint16(b[6:]) != c.h.CsumStart || ne.Uint16(b[8:]) != c.h.CsumOffset {
			t.Errorf("%s: %+v encoded as % x", c.name, c.h, b)
		}
		if got := Decode(&b); got != c.h {
			t.Errorf("%s: round trip %+v -> % x -> %+v", c.name, c.h, b, got)
		}
		if c.h.IsGSO() != (c.h.GSOType != GSONone) {
			t.Errorf("%s: IsGSO %v", c.name, c.h.IsGSO())
		}
	}
	// The layout of struct virtio_net_hdr (little-endian host shown).
	if ne.Uint16([]byte{1, 0}) == 1 {
		b := [Size]byte{1, 4, 74, 0, 0x94, 5, 54, 0, 16, 0}
		want := Hdr{Flags: FlagNeedsCsum, GSOType: GSOTCPv6, HdrLen: 74, GSOSize: 1428, CsumStart: 54, CsumOffset: 16}
		if got := Decode(&b); got != want {
			t.Errorf("Decode(% x) = %+v, want %+v", b, got, want)
		}
	}
}

func TestL2Len(t *testing.T) {
	for _, c := range []struct {
		name string
		d    []byte
		l2   int
		et   uint16
	}{
		{"untagged ipv4", []byte{12: 0x08, 0x00, 0x45}, 14, EtherTypeIPv4},
		{"untagged ipv6", []byte{12: 0x86, 0xdd}, 14, EtherTypeIPv6},
		{"802.1q", []byte{12: 0x81, 0x00, 0, 5, 0x08, 0x00}, 18, EtherTypeIPv4},
		{"qinq", []byte{12: 0x88, 0xa8, 0, 5, 0x81, 0x00, 0, 6, 0x86, 0xdd}, 22, EtherTypeIPv6},
		{"old qinq", []byte{12: 0x91, 0x00, 0, 5, 0x08, 0x06}, 18, 0x0806},
		{"short", make([]byte, 13), 0, 0},
		{"empty", nil, 0, 0},
		{"tag without ethertype", []byte{12: 0x81, 0x00, 0, 5}, 0, 0},
		{"tag cut", []byte{12: 0x81, 0x00, 0, 5, 0x08}, 0, 0},
	} {
		l2, et := L2Len(c.d)
		if l2 != c.l2 || et != c.et {
			t.Errorf("%s: %d, %#04x; want %d, %#04x", c.name, l2, et, c.l2, c.et)
		}
	}
}
