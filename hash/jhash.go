package hash

import (
	"encoding/binary"
	"math/bits"
)

// jhashGoldenRatio is lookup3's arbitrary initial value (RTE_JHASH_GOLDEN_RATIO).
const jhashGoldenRatio = 0xdeadbeef

func jhashMix(a, b, c uint32) (uint32, uint32, uint32) {
	a -= c
	a ^= bits.RotateLeft32(c, 4)
	c += b
	b -= a
	b ^= bits.RotateLeft32(a, 6)
	a += c
	c -= b
	c ^= bits.RotateLeft32(b, 8)
	b += a
	a -= c
	a ^= bits.RotateLeft32(c, 16)
	c += b
	b -= a
	b ^= bits.RotateLeft32(a, 19)
	a += c
	c -= b
	c ^= bits.RotateLeft32(b, 4)
	b += a
	return a, b, c
}

func jhashFinal(a, b, c uint32) (uint32, uint32, uint32) {
	c ^= b
	c -= bits.RotateLeft32(b, 14)
	a ^= c
	a -= bits.RotateLeft32(c, 11)
	b ^= a
	b -= bits.RotateLeft32(a, 25)
	c ^= b
	c -= bits.RotateLeft32(b, 16)
	a ^= c
	a -= bits.RotateLeft32(c, 4)
	b ^= a
	b -= bits.RotateLeft32(a, 14)
	c ^= b
	c -= bits.RotateLeft32(b, 24)
	return a, b, c
}

// le32 reads the n (1 to 4) bytes of p as a little-endian word, the bytes
// beyond n as zero: lookup3's last partial word.
func le32(p []byte, n int) uint32 {
	switch n {
	case 4:
		return binary.LittleEndian.Uint32(p)
	case 3:
		return uint32(p[0]) | uint32(p[1])<<8 | uint32(p[2])<<16
	case 2:
		return uint32(p[0]) | uint32(p[1])<<8
	default:
		return uint32(p[0])
	}
}

// JHash2Hashes is JHash with two seeds and two results, as rte_jhash_2hashes
// (lookup3's hashlittle2): c and b are the seeds in and the hashes out.
// With b = 0 in, c out equals JHash(key, c).
func JHash2Hashes(key []byte, c, b uint32) (uint32, uint32) {
	n := len(key)
	a := jhashGoldenRatio + uint32(n) + c
	bb := a
	cc := a + b
	k := key
	for len(k) > 12 {
		a += binary.LittleEndian.Uint32(k[0:4])
		bb += binary.LittleEndian.Uint32(k[4:8])
		cc += binary.LittleEndian.Uint32(k[8:12])
		a, bb, cc = jhashMix(a, bb, cc)
		k = k[12:]
	}
	switch r := len(k); {
	case r == 0:
		// Only for an empty key: lookup3 does not mix zero bytes.
		return cc, bb
	case r > 8:
		a += binary.LittleEndian.Uint32(k[0:4])
		bb += binary.LittleEndian.Uint32(k[4:8])
		cc += le32(k[8:], r-8)
	case r > 4:
		a += binary.LittleEndian.Uint32(k[0:4])
		bb += le32(k[4:], r-4)
	default:
		a += le32(k, r)
	}
	_, bb, cc = jhashFinal(a, bb, cc)
	return cc, bb
}

// JHash returns Bob Jenkins' lookup3 hashlittle of key from initval, as
// DPDK's rte_jhash: the key's bytes are read as little-endian 32-bit words
// whatever the CPU.
func JHash(key []byte, initval uint32) uint32 {
	n := len(key)
	a := jhashGoldenRatio + uint32(n) + initval
	b, c := a, a
	k := key
	for len(k) > 12 {
		a += binary.LittleEndian.Uint32(k[0:4])
		b += binary.LittleEndian.Uint32(k[4:8])
		c += binary.LittleEndian.Uint32(k[8:12])
		a, b, c = jhashMix(a, b, c)
		k = k[12:]
	}
	switch r := len(k); {
	case r == 0:
		return c
	case r > 8:
		a += binary.LittleEndian.Uint32(k[0:4])
		b += binary.LittleEndian.Uint32(k[4:8])
		c += le32(k[8:], r-8)
	case r > 4:
		a += binary.LittleEndian.Uint32(k[0:4])
		b += le32(k[4:], r-4)
	default:
		a += le32(k, r)
	}
	_, _, c = jhashFinal(a, b, c)
	return c
}

// JHash32b returns the lookup3 hash of the 32-bit words k from initval,
// as rte_jhash_32b (lookup3's hashword). It equals JHash of the words'
// little-endian bytes on a little-endian CPU.
func JHash32b(k []uint32, initval uint32) uint32 {
	a := jhashGoldenRatio + uint32(len(k))<<2 + initval
	b, c := a, a
	for len(k) > 3 {
		a += k[0]
		b += k[1]
		c += k[2]
		a, b, c = jhashMix(a, b, c)
		k = k[3:]
	}
	switch len(k) {
	case 3:
		c += k[2]
		b += k[1]
		a += k[0]
	case 2:
		b += k[1]
		a += k[0]
	case 1:
		a += k[0]
	default:
		return c
	}
	_, _, c = jhashFinal(a, b, c)
	return c
}

func jhash3Words(a, b, c, initval uint32) uint32 {
	a += jhashGoldenRatio + initval
	b += jhashGoldenRatio + initval
	c += jhashGoldenRatio + initval
	_, _, c = jhashFinal(a, b, c)
	return c
}

// JHash3Words hashes exactly three words (rte_jhash_3words); it equals
// JHash of their 12 little-endian bytes.
func JHash3Words(a, b, c, initval uint32) uint32 {
	return jhash3Words(a+12, b+12, c+12, initval)
}

// JHash2Words hashes exactly two words (rte_jhash_2words); it equals
// JHash of their 8 little-endian bytes.
func JHash2Words(a, b, initval uint32) uint32 {
	return jhash3Words(a+8, b+8, 8, initval)
}

// JHash1Word hashes exactly one word (rte_jhash_1word); it equals JHash of
// its 4 little-endian bytes.
func JHash1Word(a, initval uint32) uint32 {
	return jhash3Words(a+4, 4, 4, initval)
}
