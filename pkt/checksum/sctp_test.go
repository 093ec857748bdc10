package checksum

import (
	"encoding/binary"
	"hash/crc32"
	"testing"
)

// TestCRC32C checks the table against the CRC32C vectors of RFC 3720
// appendix B.4 (iSCSI), which list the CRC's bytes least significant first.
func TestCRC32C(t *testing.T) {
	zeros := make([]byte, 32)
	ones := make([]byte, 32)
	inc := make([]byte, 32)
	dec := make([]byte, 32)
	for i := range 32 {
		ones[i] = 0xff
		inc[i] = byte(i)
		dec[i] = byte(31 - i)
	}
	tests := []struct {
		name string
		b    []byte
		want [4]byte
	}{
		{"zeros", zeros, [4]byte{0xaa, 0x36, 0x91, 0x8a}},
		{"ones", ones, [4]byte{0x43, 0xab, 0xa8, 0x62}},
		{"incrementing", inc, [4]byte{0x4e, 0x79, 0xdd, 0x46}},
		{"decrementing", dec, [4]byte{0x5c, 0xdb, 0x3f, 0x11}},
	}
	for _, tt := range tests {
		var got [4]byte
		binary.LittleEndian.PutUint32(got[:], crc32.Checksum(tt.b, castagnoli))
		if got != tt.want {
			t.Errorf("%s: CRC32C bytes % x, want % x", tt.name, got, tt.want)
		}
	}
	// With bytes 8-11 already zero, SCTP is the plain CRC.
	if got := SCTP(zeros); got != 0x8a9136aa {
		t.Errorf("SCTP(zeros) = %#08x, want 0x8a9136aa", got)
	}
}

func testKnownSCTP(t *testing.T, l4 []byte, want uint32) {
	t.Helper()
	if got := SCTP(l4); got != want {
		t.Errorf("SCTP = %#08x, want %#08x", got, want)
	}
	if VerifySCTP(l4) {
		t.Error("VerifySCTP = true with a zero field")
	}
	binary.LittleEndian.PutUint32(l4[8:], SCTP(l4))
	if got := [4]byte(l4[8:12]); got != [4]byte{0x93, 0x7f, 0xee, 0xd3} {
		t.Errorf("stored field % x, want 93 7f ee d3", got)
	}
	if got := SCTP(l4); got != want {
		t.Errorf("SCTP with the field filled = %#08x, want %#08x", got, want)
	}
	if !VerifySCTP(l4) {
		t.Error("VerifySCTP = false")
	}
	l4[len(l4)-1] ^= 1
	if VerifySCTP(l4) {
		t.Error("VerifySCTP = true after a bit flip")
	}
	l4[len(l4)-1] ^= 1
}

func TestSCTPShort(t *testing.T) {
	b := []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	for n := 0; n <= len(b); n++ {
		c := append([]byte(nil), b[:n]...)
		for i := 8; i < n; i++ {
			c[i] = 0
		}
		if got, want := SCTP(b[:n]), crc32.Checksum(c, castagnoli); got != want {
			t.Errorf("len %d: SCTP = %#08x, want %#08x", n, got, want)
		}
		if n < 12 && VerifySCTP(b[:n]) {
			t.Errorf("len %d: VerifySCTP = true", n)
		}
	}
}
