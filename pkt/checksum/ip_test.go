package checksum

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// refL4 is the naive L4 checksum: the pseudo-header written out as bytes in
// front of l4, the checksum field zeroed, summed a word at a time.
func refL4(ipHdr, l4 []byte) uint16 {
	var ph []byte
	var proto uint8
	if ipHdr[0]>>4 == 4 {
		proto = ipHdr[9]
		if proto != protoICMP {
			ph = append(ph, ipHdr[12:20]...)
			ph = append(ph, 0, proto, byte(len(l4)>>8), byte(len(l4)))
		}
	} else {
		proto = ipHdr[6]
		ph = append(ph, ipHdr[8:40]...)
		ph = binary.BigEndian.AppendUint32(ph, uint32(len(l4)))
		ph = append(ph, 0, 0, 0, proto)
	}
	c := refChecksum(append(ph, l4...), len(ph)+fieldOffset(proto), 0)
	if c == 0 && proto == protoUDP {
		c = 0xffff
	}
	return c
}

func l4Checksum(p packet) uint16 {
	if p.ipv6 {
		return UDPTCPIPv6(p.ipHdr, p.l4)
	}
	return UDPTCPIPv4(p.ipHdr, p.l4)
}

func verifyL4(ipv6 bool, ipHdr, l4 []byte) bool {
	if ipv6 {
		return VerifyUDPTCPIPv6(ipHdr, l4)
	}
	return VerifyUDPTCPIPv4(ipHdr, l4)
}

func TestIPv4HeaderWikipedia(t *testing.T) {
	// https://en.wikipedia.org/wiki/Internet_checksum#Calculating_the_IPv4_header_checksum
	hdr := []byte{0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
		0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7}
	if got := IPv4Header(hdr); got != 0xb861 {
		t.Errorf("IPv4Header = %#04x, want 0xb861", got)
	}
	if got := refChecksum(hdr, 10, 0); got != 0xb861 {
		t.Errorf("reference = %#04x, want 0xb861", got)
	}
	if !VerifyIPv4Header(hdr) {
		t.Error("VerifyIPv4Header = false on a good header")
	}
	if got := Checksum(hdr, 0); got != 0 {
		t.Errorf("Checksum over the whole header = %#04x, want 0", got)
	}
	hdr[8]-- // TTL
	if VerifyIPv4Header(hdr) {
		t.Error("VerifyIPv4Header = true after the TTL changed")
	}
}

// TestIPv4HeaderAnyInput checks IPv4Header against the reference for every
// IHL and every length up to 64 bytes, including the malformed ones (which
// must not panic), and VerifyIPv4Header's length rules.
func TestIPv4HeaderAnyInput(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	buf := make([]byte, 64)
	for n := 0; n <= 64; n++ {
		for ihl := range 16 {
			for range 8 {
				b := buf[:n]
				fill(r, b)
				if n > 0 {
					b[0] = 0x40 | byte(ihl)
				}
				hl := min(ihl*4, n)
				var want uint16
				if hl <= 12 {
					want = refChecksum(b[:min(hl, 10)], -1, 0)
				} else {
					want = refChecksum(b[:hl], 10, 0)
				}
				if got := IPv4Header(b); got != want {
					t.Fatalf("len %d IHL %d: IPv4Header = %#04x, want %#04x", n, ihl, got, want)
				}
				if ihl >= 5 && n >= ihl*4 {
					binary.BigEndian.PutUint16(b[10:], want)
					if !VerifyIPv4Header(b) {
						t.Fatalf("len %d IHL %d: VerifyIPv4Header = false", n, ihl)
					}
				} else if VerifyIPv4Header(b) {
					t.Fatalf("len %d IHL %d: VerifyIPv4Header = true on a malformed header", n, ihl)
				}
			}
		}
	}
}

func TestKnownPackets(t *testing.T) {
	for _, p := range testPackets() {
		t.Run(p.name, func(t *testing.T) {
			want := knownSums[p.name]
			if !p.ipv6 {
				if got := IPv4Header(p.ipHdr); got != want.ip {
					t.Errorf("IPv4Header = %#04x, want %#04x", got, want.ip)
				}
				binary.BigEndian.PutUint16(p.ipHdr[10:], want.ip)
				if !VerifyIPv4Header(p.ipHdr) {
					t.Error("VerifyIPv4Header = false")
				}
			}
			if p.proto == 132 {
				testKnownSCTP(t, p.l4, want.l4)
				return
			}
			if got := refL4(p.ipHdr, p.l4); uint32(got) != want.l4 {
				t.Errorf("reference = %#04x, want %#04x", got, want.l4)
			}
			off := fieldOffset(p.proto)
			// The field is taken as zero whatever it holds.
			for _, junk := range []uint16{0, 0xffff, 0x1234, uint16(want.l4)} {
				binary.BigEndian.PutUint16(p.l4[off:], junk)
				if got := l4Checksum(p); uint32(got) != want.l4 {
					t.Errorf("field %#04x: L4 checksum = %#04x, want %#04x", junk, got, want.l4)
				}
			}
			switch {
			case p.proto == protoICMP:
				if got := ICMPv4(p.l4); uint32(got) != want.l4 {
					t.Errorf("ICMPv4 = %#04x, want %#04x", got, want.l4)
				}
			case p.proto == protoICMPv6:
				if got := ICMPv6(v6src, v6dst, p.l4); uint32(got) != want.l4 {
					t.Errorf("ICMPv6 = %#04x, want %#04x", got, want.l4)
				}
			case p.ipv6:
				ph := PseudoHeaderIPv6(v6src, v6dst, p.proto, uint32(len(p.l4)))
				if got := Transport(ph, p.proto, p.l4); uint32(got) != want.l4 {
					t.Errorf("Transport = %#04x, want %#04x", got, want.l4)
				}
			default:
				ph := PseudoHeaderIPv4(v4src, v4dst, p.proto, uint16(len(p.l4)))
				if got := Transport(ph, p.proto, p.l4); uint32(got) != want.l4 {
					t.Errorf("Transport = %#04x, want %#04x", got, want.l4)
				}
			}
			// Stored, it verifies, even with Ethernet padding after it.
			binary.BigEndian.PutUint16(p.l4[off:], uint16(want.l4))
			padded := append(append([]byte(nil), p.l4...), make([]byte, 13)...)
			for _, l4 := range [][]byte{p.l4, padded} {
				if !verifyL4(p.ipv6, p.ipHdr, l4) {
					t.Errorf("verify(len %d) = false", len(l4))
				}
				if got := l4Checksum(packet{ipv6: p.ipv6, proto: p.proto, ipHdr: p.ipHdr, l4: l4}); uint32(got) != want.l4 {
					t.Errorf("len %d: L4 checksum = %#04x, want %#04x", len(l4), got, want.l4)
				}
			}
			if p.proto == protoICMP && Checksum(p.l4, 0) != 0 {
				t.Error("Checksum over the stored ICMP message is not 0")
			}
			// A flipped bit or a truncated message does not verify.
			p.l4[len(p.l4)-1] ^= 0x10
			if verifyL4(p.ipv6, p.ipHdr, p.l4) {
				t.Error("verify = true after a bit flip")
			}
			p.l4[len(p.l4)-1] ^= 0x10
			if verifyL4(p.ipv6, p.ipHdr, p.l4[:len(p.l4)-1]) {
				t.Error("verify = true on a truncated message")
			}
		})
	}
}

// randPacket builds a random TCP, UDP or ICMP packet over IPv4 or IPv6 with
// an l4 of n bytes.
func randPacket(r *rand.Rand, n int) packet {
	v6 := r.IntN(2) == 1
	protos := []uint8{protoTCP, protoUDP, protoICMP}
	if v6 {
		protos[2] = protoICMPv6
	}
	proto := protos[r.IntN(3)]
	minLen := fieldOffset(proto) + 2
	n = max(n, minLen)
	l4 := make([]byte, n)
	fill(r, l4)
	var h []byte
	if v6 {
		h = ipv6Hdr(proto, n)
		fill(r, h[8:40])
	} else {
		h = ipv4Hdr(proto, n, uint16(r.Uint32()))
		fill(r, h[12:20])
	}
	return packet{ipv6: v6, proto: proto, ipHdr: h, l4: l4}
}

func TestL4Random(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for i := range 3000 {
		p := randPacket(r, r.IntN(300))
		want := refL4(p.ipHdr, p.l4)
		if got := l4Checksum(p); got != want {
			t.Fatalf("packet %d (v6 %v proto %d len %d): got %#04x, want %#04x", i, p.ipv6, p.proto, len(p.l4), got, want)
		}
		binary.BigEndian.PutUint16(p.l4[fieldOffset(p.proto):], want)
		if !verifyL4(p.ipv6, p.ipHdr, p.l4) {
			t.Fatalf("packet %d: verify = false", i)
		}
	}
}

// TestUDPZero forces UDP datagrams whose checksum computes to 0: it is sent
// as 0xffff, which verifies, and a 0 field verifies over IPv4 (no checksum)
// but not over IPv6.
func TestUDPZero(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	for i := range 200 {
		v6 := i%2 == 1
		l4 := udpMsg(uint16(r.Uint32()), uint16(r.Uint32()), "xxpayload")
		var h []byte
		if v6 {
			h = ipv6Hdr(protoUDP, len(l4))
		} else {
			h = ipv4Hdr(protoUDP, len(l4), uint16(r.Uint32()))
		}
		// Choose bytes 8-9 so that the whole sum is 0xffff (checksum 0).
		l4[8], l4[9] = 0, 0
		p := packet{ipv6: v6, proto: protoUDP, ipHdr: h, l4: l4}
		c := ^l4Checksum(p) // the sum so far, as the checksum is its complement
		binary.BigEndian.PutUint16(l4[8:], ^c)
		if got, want := l4Checksum(p), refL4(h, l4); got != 0xffff || want != 0xffff {
			t.Fatalf("UDP checksum = %#04x (reference %#04x), want 0xffff", got, want)
		}
		binary.BigEndian.PutUint16(l4[6:], 0xffff)
		if !verifyL4(v6, h, l4) {
			t.Fatal("0xffff does not verify")
		}
		binary.BigEndian.PutUint16(l4[6:], 0)
		if got := verifyL4(v6, h, l4); got != !v6 {
			t.Fatalf("v6 %v: a zero UDP checksum verifies %v", v6, got)
		}
		if VerifyTransport(PseudoHeaderIPv4(v4src, v4dst, protoUDP, uint16(len(l4))), protoUDP, l4) {
			t.Fatal("VerifyTransport accepts a zero UDP checksum")
		}
	}
}

// TestICMPAllZero is the case Transport cannot take the field back out of the
// sum: an ICMP message that is zero but for its checksum field.
func TestICMPAllZero(t *testing.T) {
	for _, n := range []int{4, 8, 9, 64} {
		msg := make([]byte, n)
		for _, field := range []uint16{0, 1, 0xffff, 0x8000} {
			binary.BigEndian.PutUint16(msg[2:], field)
			if got := ICMPv4(msg); got != 0xffff {
				t.Errorf("len %d field %#04x: ICMPv4 = %#04x, want 0xffff", n, field, got)
			}
		}
	}
}

func TestShortInputs(t *testing.T) {
	// Nothing here may panic, whatever the lengths.
	r := rand.New(rand.NewPCG(17, 18))
	for ipLen := range 42 {
		for l4Len := range 24 {
			ip := make([]byte, ipLen)
			l4 := make([]byte, l4Len)
			fill(r, ip)
			fill(r, l4)
			if ipLen > 0 {
				ip[0] = 0x45
			}
			UDPTCPIPv4(ip, l4)
			UDPTCPIPv6(ip, l4)
			VerifyUDPTCPIPv4(ip, l4)
			VerifyUDPTCPIPv6(ip, l4)
			IPv4Header(ip)
			VerifyIPv4Header(ip)
			ICMPv4(l4)
			ICMPv6(v6src, v6dst, l4)
			SCTP(l4)
			VerifySCTP(l4)
			for _, proto := range []uint8{0, protoICMP, protoTCP, protoUDP, protoICMPv6, 132} {
				Transport(0, proto, l4)
				Transport(1, proto, l4)
				VerifyTransport(1, proto, l4)
			}
		}
	}
	if UDPTCPIPv4(nil, nil) != 0 || UDPTCPIPv6(nil, nil) != 0 {
		t.Error("a missing IP header does not give 0")
	}
}

func TestPseudoHeader(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 20))
	for range 1000 {
		var s4, d4 [4]byte
		var s6, d6 [16]byte
		fill(r, s4[:])
		fill(r, d4[:])
		fill(r, s6[:])
		fill(r, d6[:])
		proto := uint8(r.Uint32())
		l := r.Uint32()
		ph := append(append(append([]byte(nil), s4[:]...), d4[:]...), 0, proto, byte(l>>8), byte(l))
		if got, want := PseudoHeaderIPv4(s4, d4, proto, uint16(l)), refPartial(ph, 0); got != want {
			t.Fatalf("PseudoHeaderIPv4 = %#x, want %#x", got, want)
		}
		ph = append(append([]byte(nil), s6[:]...), d6[:]...)
		ph = binary.BigEndian.AppendUint32(ph, l)
		ph = append(ph, 0, 0, 0, proto)
		if got, want := PseudoHeaderIPv6(s6, d6, proto, l), refPartial(ph, 0); got != want {
			t.Fatalf("PseudoHeaderIPv6 = %#x, want %#x", got, want)
		}
	}
	if got := PseudoHeaderIPv4([4]byte{}, [4]byte{}, 0, 0); got != 0 {
		t.Errorf("all-zero IPv4 pseudo-header = %#x, want 0", got)
	}
}
