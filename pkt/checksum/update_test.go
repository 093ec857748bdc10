package checksum

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// updateUDP applies the UDP rules on top of an incremental update.
func updateUDP(old uint16, update func(uint16) uint16) uint16 {
	if old == 0 {
		return 0 // no checksum (IPv4); tests use IPv6 only with a checksum
	}
	c := update(old)
	if c == 0 {
		c = 0xffff
	}
	return c
}

// TestUpdateIPv4Header decrements the TTL and rewrites the addresses of
// random headers, incrementally and from scratch.
func TestUpdateIPv4Header(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	zeros := 0 // updates whose result is 0x0000
	for i := range 20000 {
		h := make([]byte, 20)
		fill(r, h)
		h[0] = 0x45
		if i%3 == 0 {
			// Make the checksum 0x0000 (sum 0xffff) through the ID field.
			h[4], h[5], h[10], h[11] = 0, 0, 0, 0
			binary.BigEndian.PutUint16(h[4:], ^Fold(Partial(h, 0)))
		}
		c := IPv4Header(h)
		if i%3 == 0 && c != 0 {
			t.Fatalf("header % x: checksum %#04x, want 0", h, c)
		}
		binary.BigEndian.PutUint16(h[10:], c)

		// TTL decrement (the word is TTL | protocol).
		oldWord := binary.BigEndian.Uint16(h[8:])
		h[8]--
		c = Update16(c, oldWord, binary.BigEndian.Uint16(h[8:]))
		if want := IPv4Header(h); c != want {
			t.Fatalf("TTL: incremental %#04x, recomputed %#04x (header % x)", c, want, h)
		}
		binary.BigEndian.PutUint16(h[10:], c)

		// NAT: a new source address, sometimes chosen to make the new
		// checksum 0x0000.
		oldAddr := binary.BigEndian.Uint32(h[12:])
		newAddr := r.Uint32()
		if i%3 == 1 {
			binary.BigEndian.PutUint32(h[12:], 0)
			h[10], h[11] = 0, 0
			newAddr = uint32(^Fold(Partial(h, 0)))
		}
		binary.BigEndian.PutUint32(h[12:], newAddr)
		c = Update32(c, oldAddr, newAddr)
		binary.BigEndian.PutUint16(h[10:], 0)
		if want := IPv4Header(h); c != want {
			t.Fatalf("address: incremental %#04x, recomputed %#04x (header % x)", c, want, h)
		}
		if c == 0 {
			zeros++
		}
		binary.BigEndian.PutUint16(h[10:], c)
		if !VerifyIPv4Header(h) {
			t.Fatal("updated header does not verify")
		}
	}
	if zeros < 1000 {
		t.Errorf("only %d updates gave 0x0000", zeros)
	}
}

// TestUpdateL4 rewrites addresses and ports of random TCP and UDP packets
// (NAT), updating the L4 checksum through the pseudo-header.
func TestUpdateL4(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	edges := 0
	for i := range 5000 {
		p := randPacket(r, r.IntN(100))
		if p.proto != protoTCP && p.proto != protoUDP {
			continue
		}
		off := fieldOffset(p.proto)
		c := l4Checksum(p)
		binary.BigEndian.PutUint16(p.l4[off:], c)
		update := func(f func(uint16) uint16) {
			if p.proto == protoUDP {
				c = updateUDP(c, f)
			} else {
				c = f(c)
			}
		}
		if p.ipv6 {
			var oldAddr, newAddr [16]byte
			copy(oldAddr[:], p.ipHdr[24:40])
			fill(r, newAddr[:])
			copy(p.ipHdr[24:40], newAddr[:])
			update(func(c uint16) uint16 { return Update128(c, oldAddr, newAddr) })
		} else {
			oldAddr := binary.BigEndian.Uint32(p.ipHdr[16:])
			newAddr := r.Uint32()
			binary.BigEndian.PutUint32(p.ipHdr[16:], newAddr)
			update(func(c uint16) uint16 { return Update32(c, oldAddr, newAddr) })
		}
		oldPort := binary.BigEndian.Uint16(p.l4[2:])
		newPort := uint16(r.Uint32())
		if i%4 == 0 {
			// Choose the port that makes the checksum 0x0000 (0xffff for UDP).
			binary.BigEndian.PutUint16(p.l4[2:], 0)
			newPort = l4Checksum(p) // minus the sum so far
			edges++
		}
		binary.BigEndian.PutUint16(p.l4[2:], newPort)
		update(func(c uint16) uint16 { return Update16(c, oldPort, newPort) })
		want := l4Checksum(p)
		if c != want {
			t.Fatalf("packet %d (v6 %v proto %d): incremental %#04x, recomputed %#04x", i, p.ipv6, p.proto, c, want)
		}
		if i%4 == 0 && want != 0 && want != 0xffff {
			t.Fatalf("packet %d: the chosen port gave %#04x", i, want)
		}
		binary.BigEndian.PutUint16(p.l4[off:], c)
		if !verifyL4(p.ipv6, p.ipHdr, p.l4) {
			t.Fatalf("packet %d: updated packet does not verify", i)
		}
	}
	if edges < 500 {
		t.Errorf("only %d packets got a 0 checksum", edges)
	}
}

// TestUpdateEdges covers RFC 1624's boundary cases: the field 0x0000 (a sum
// of 0xffff, -0) must come out of equation 3 where equation 2 gave 0xffff,
// and an update that changes nothing must change nothing (RFC 1624 erratum
// 4782 claims 0x0000 turns into 0xffff then; it does not).
func TestUpdateEdges(t *testing.T) {
	tests := []struct {
		old, m, m2, want uint16
	}{
		{0x0000, 0x5555, 0x5555, 0x0000}, // erratum 4782's example
		{0x1234, 0x5555, 0x5555, 0x1234},
		{0xfffe, 0x0000, 0x0000, 0xfffe},
		{0x0000, 0x0000, 0x0000, 0x0000},
		{0x0001, 0x0000, 0x0001, 0x0000}, // the sum reaches 0xffff: 0x0000, not 0xffff
		{0x0000, 0x0001, 0x0000, 0x0001},
		{0x0000, 0xffff, 0x0000, 0x0000}, // 0xffff and 0 are the same number
	}
	for _, tt := range tests {
		if got := Update16(tt.old, tt.m, tt.m2); got != tt.want {
			t.Errorf("Update16(%#04x, %#04x, %#04x) = %#04x, want %#04x", tt.old, tt.m, tt.m2, got, tt.want)
		}
	}
	// Equation 2 (RFC 1141), HC + m + ~m', gives -0 for the fifth case.
	if eqn2 := uint16(Fold(0x0001 + 0x0000 + 0xfffe)); eqn2 != 0xffff {
		t.Errorf("equation 2 = %#04x; the test no longer shows its flaw", eqn2)
	}
	// Update32 and Update128 agree with chains of Update16, but for the
	// zero representation where a step of the chain meets field 0xffff
	// (which no correct checksum of non-zero data holds).
	r := rand.New(rand.NewPCG(25, 26))
	for range 10000 {
		c := uint16(r.Uint32())
		var o, n [16]byte
		fill(r, o[:])
		fill(r, n[:])
		want := c
		for i := 0; i < 16; i += 2 {
			want = Update16(want, binary.BigEndian.Uint16(o[i:]), binary.BigEndian.Uint16(n[i:]))
		}
		if got := Update128(c, o, n); got != want && !(got^want == 0xffff && (got == 0 || want == 0)) {
			t.Fatalf("Update128(%#04x, % x, % x) = %#04x, want %#04x", c, o, n, got, want)
		}
		o32, n32 := binary.BigEndian.Uint32(o[:]), binary.BigEndian.Uint32(n[:])
		want = Update16(Update16(c, uint16(o32>>16), uint16(n32>>16)), uint16(o32), uint16(n32))
		if got := Update32(c, o32, n32); got != want && !(got^want == 0xffff && (got == 0 || want == 0)) {
			t.Fatalf("Update32(%#04x, %#08x, %#08x) = %#04x, want %#04x", c, o32, n32, got, want)
		}
	}
}
