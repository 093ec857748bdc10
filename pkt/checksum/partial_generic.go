package checksum

import (
	"encoding/binary"
	"math/bits"
)

// sumGeneric is the portable kernel, which Partial runs wherever the assembly
// one does not; tests and benchmarks call it on every machine. It returns the
// one's-complement sum of b read as little-endian 16-bit words (a trailing
// odd byte is the low byte of its word), folded to 16 bits. It adds 8-byte
// little-endian loads with carry (bits.Add64 chains compile to ADC where the
// machine has one) and adds the final carry back around: 2^64 is 1 modulo
// 0xffff, so a 64-bit end-around sum keeps the 16-bit one.
func sumGeneric(b []byte) uint16 {
	var s, c uint64
	for len(b) >= 64 {
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(b[0:8]), c)
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(b[8:16]), c)
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(b[16:24]), c)
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(b[24:32]), c)
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(b[32:40]), c)
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(b[40:48]), c)
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(b[48:56]), c)
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(b[56:64]), c)
		b = b[64:]
	}
	if len(b) >= 32 {
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(b[0:8]), c)
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(b[8:16]), c)
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(b[16:24]), c)
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(b[24:32]), c)
		b = b[32:]
	}
	if len(b) >= 16 {
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(b[0:8]), c)
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(b[8:16]), c)
		b = b[16:]
	}
	if len(b) >= 8 {
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(b[0:8]), c)
		b = b[8:]
	}
	// Fewer than 8 bytes left: add them up in t (< 2^34, no carry out). A
	// word may sit in any 16-bit lane, since 2^16 is 1 modulo 0xffff.
	var t uint64
	if len(b) >= 4 {
		t = uint64(binary.LittleEndian.Uint32(b))
		b = b[4:]
	}
	if len(b) >= 2 {
		t += uint64(binary.LittleEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) >= 1 {
		t += uint64(b[0])
	}
	s, c = bits.Add64(s, t, c)
	s, c = bits.Add64(s, c, 0)
	return fold64(s + c) // a second carry leaves s == 0
}
