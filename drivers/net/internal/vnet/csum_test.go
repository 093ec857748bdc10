package vnet

import (
	"encoding/binary"
	"testing"

	"dpk/eal"
	"dpk/pkt/checksum"
)

// partialFrames returns frames whose L4 checksum is partial (the
// pseudo-header sum in the field), with the checksum field's offset, the
// header lengths and the checksum a full computation gives.
func partialFrames() []struct {
	name      string
	f         []byte
	start     uint16
	offset    uint16
	wantField uint16
} {
	type pf = struct {
		name      string
		f         []byte
		start     uint16
		offset    uint16
		wantField uint16
	}
	var out []pf
	for _, c := range []struct {
		name  string
		v6    bool
		proto uint8
		n     int
	}{
		{"tcpv4", false, ProtoTCP, 1500},
		{"tcpv4 odd", false, ProtoTCP, 1001},
		{"tcpv6", true, ProtoTCP, 777},
		{"udpv4", false, ProtoUDP, 38},
		{"udpv6", true, ProtoUDP, 1200},
		{"udpv4 empty", false, ProtoUDP, 0},
	} {
		f, h := frame(c.v6, c.proto, pattern(c.n), 0)
		l3 := f[14:h.CsumStart]
		l4 := append([]byte(nil), f[h.CsumStart:]...)
		l4[h.CsumOffset], l4[h.CsumOffset+1] = 0, 0
		var want uint16
		if c.v6 {
			want = checksum.UDPTCPIPv6(l3, l4)
		} else {
			want = checksum.UDPTCPIPv4(l3, l4)
		}
		out = append(out, pf{c.name, f, h.CsumStart, h.CsumOffset, want})
	}
	// A UDP datagram whose checksum comes out as 0 is sent as 0xffff: make
	// one by choosing two payload bytes.
	f, h := frame(false, ProtoUDP, make([]byte, 10), 0)
	s := checksum.Fold(checksum.Partial(f[h.CsumStart:], 0))
	binary.BigEndian.PutUint16(f[len(f)-2:], ^s)
	if ^checksum.Fold(checksum.Partial(f[h.CsumStart:], 0)) != 0 {
		panic("no zero checksum")
	}
	return append(out, pf{"udp zero", f, h.CsumStart, h.CsumOffset, 0xffff})
}

func TestPartialCsum(t *testing.T) {
	for _, c := range partialFrames() {
		got, ok := PartialCsum(c.f, c.start, c.offset)
		if !ok || got != c.wantField {
			t.Errorf("%s: %#04x, %v; want %#04x", c.name, got, ok, c.wantField)
		}
	}
	f := partialFrames()[0].f
	for _, c := range []struct {
		name          string
		start, offset uint16
		ok            bool
	}{
		{"field at the end", uint16(len(f) - 20), 18, true},
		{"field across the end", uint16(len(f) - 20), 19, false},
		{"field outside", 34, uint16(len(f)), false},
		{"start past the end", uint16(len(f) + 1), 0, false},
		{"start at the end", uint16(len(f)), 0, false},
	} {
		if _, ok := PartialCsum(f, c.start, c.offset); ok != c.ok {
			t.Errorf("%s: ok %v, want %v", c.name, ok, c.ok)
		}
	}
}

// TestCompleteCsum completes partial checksums of frames in chains cut at
// odd and even places and checks them against a checksum of the whole.
func TestCompleteCsum(t *testing.T) {
	mp := newPool(t, "vnet_csum")
	for _, c := range partialFrames() {
		for _, cuts := range [][]int{nil, {100}, {53}, {52, 7}, {101, 999}, {55, 1}, {71, 1, 1, 1}, {72, 1}, {700, 701}} {
			if len(cuts) > 0 && cuts[0] < int(c.start+c.offset)+2 {
				continue // the field must lie in the first segment
			}
			m := chainOf(t, mp, c.f, cuts...)
			CompleteCsum(m, c.start, c.offset)
			if got := binary.BigEndian.Uint16(m.Data()[c.start+c.offset:]); got != c.wantField {
				t.Errorf("%s cut at %v: checksum %#04x, want %#04x", c.name, cuts, got, c.wantField)
			}
			m.Free(eal.LcoreIDAny)
		}
	}
}
