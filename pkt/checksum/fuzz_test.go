package checksum

import "testing"

// FuzzPartial compares every kernel, Partial and the naive reference on
// arbitrary bytes at an arbitrary alignment, and joins the two sides of an
// arbitrary split with Combine.
func FuzzPartial(f *testing.F) {
	f.Add([]byte{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7}, uint16(3), uint32(0))
	buf := make([]byte, 64+1<<16)
	f.Fuzz(func(t *testing.T, data []byte, split uint16, initial uint32) {
		want := refPartial(data, initial)
		// Any alignment: copy data behind split%64 bytes.
		off := int(split % 64)
		b := buf[off : off+copy(buf[off:], data)]
		if got := Partial(b, initial); got != want {
			t.Fatalf("Partial = %#x, want %#x", got, want)
		}
		for _, k := range kernels() {
			if got := partialWith(k, b, initial); got != want {
				t.Fatalf("%s = %#x, want %#x", k.name, got, want)
			}
		}
		i := int(split) % (len(data) + 1)
		if got := Combine(Partial(data[:i], initial), Partial(data[i:], 0), i%2 == 1); got != want {
			t.Fatalf("split at %d: Combine = %#x, want %#x", i, got, want)
		}
	})
}

// FuzzTransport compares Transport and VerifyTransport with the naive
// reference for any pseudo-header sum, protocol and message.
func FuzzTransport(f *testing.F) {
	f.Add(uint32(0x1234), uint8(protoUDP), []byte("\x04\xd2\x00\x35\x00\x0d\x00\x00hello"))
	f.Fuzz(func(t *testing.T, pseudo uint32, proto uint8, l4 []byte) {
		off := fieldOffset(proto)
		want := refChecksum(l4, off, pseudo)
		if want == 0 && proto == protoUDP {
			want = 0xffff
		}
		got := Transport(pseudo, proto, l4)
		if got != want {
			t.Fatalf("Transport = %#04x, want %#04x", got, want)
		}
		if off >= 0 && off+2 <= len(l4) {
			c := append([]byte(nil), l4...)
			c[off], c[off+1] = byte(got>>8), byte(got)
			if !VerifyTransport(pseudo, proto, c) {
				t.Fatalf("VerifyTransport = false on its own checksum %#04x", got)
			}
		}
	})
}

// FuzzIPv4Header checks IPv4Header against the reference on any bytes, and
// that headers it fills in verify.
func FuzzIPv4Header(f *testing.F) {
	f.Add([]byte{0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
		0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7})
	f.Fuzz(func(t *testing.T, hdr []byte) {
		got := IPv4Header(hdr)
		var want uint16 = 0xffff
		if len(hdr) > 0 {
			hl := min(int(hdr[0]&0x0f)*4, len(hdr))
			if hl <= 12 {
				want = refChecksum(hdr[:min(hl, 10)], -1, 0)
			} else {
				want = refChecksum(hdr[:hl], 10, 0)
			}
		}
		if got != want {
			t.Fatalf("IPv4Header = %#04x, want %#04x", got, want)
		}
		if len(hdr) >= 20 && hdr[0]&0x0f >= 5 && len(hdr) >= int(hdr[0]&0x0f)*4 {
			c := append([]byte(nil), hdr...)
			c[10], c[11] = byte(got>>8), byte(got)
			if !VerifyIPv4Header(c) {
				t.Fatal("VerifyIPv4Header = false on its own checksum")
			}
		}
	})
}
