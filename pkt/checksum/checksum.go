package checksum

import "math/bits"

// Partial returns the running one's-complement sum of b, read as big-endian
// 16-bit words (an odd trailing byte is padded with a zero low byte), added
// to initial. It is DPDK's __rte_raw_cksum(b, len, initial), whose sums are
// 32 bits wide too.
//
// b is taken to start at an even offset of the data being summed: to continue
// a sum over a buffer split into pieces, pass the sum of the pieces before it
// as initial when they have an even total length, and use [Combine] when
// they do not.
//
// initial may be any uint32 (a sum from this package or one built by hand).
// The result is always folded to at most 0xffff, so a few results can be added
// in a uint32 without overflow; it is 0 only when initial is 0 and every byte
// of b is 0, otherwise it lies in [1, 0xffff]. Every implementation in this
// package returns exactly the same value.
func Partial(b []byte, initial uint32) uint32 {
	if useAVX2 {
		return finish(sumAVX2(b), initial)
	}
	return finish(sumScalar(b), initial)
}

// Combine adds next, the [Partial] sum of a piece of data, to sum, the
// partial sum of the data before it. nextStartsAtOddOffset says whether that
// piece begins at an odd byte offset of the whole, that is whether the data
// summed into sum so far has an odd length. Its bytes then pair with their
// neighbours the other way round, which for a one's-complement sum is the
// same as swapping the two bytes of its folded sum (RFC 1071 section 2(B)),
// as DPDK's rte_raw_cksum_mbuf does for odd segment offsets:
//
//	s := checksum.Partial(a, 0)
//	s = checksum.Combine(s, checksum.Partial(b, 0), len(a)%2 == 1)
//	// s == checksum.Partial(append(a, b...), 0)
//
// The result follows the rules of Partial's result.
func Combine(sum, next uint32, nextStartsAtOddOffset bool) uint32 {
	n := fold32(next)
	if nextStartsAtOddOffset {
		n = bits.ReverseBytes16(n)
	}
	return uint32(fold64(uint64(sum) + uint64(n)))
}

// Fold folds a 32-bit one's-complement sum to 16 bits with end-around carry.
// It does not complement: it is DPDK's __rte_raw_cksum_reduce. Fold(0) is 0;
// a non-zero sum folds into [1, 0xffff].
func Fold(sum uint32) uint16 {
	return fold32(sum)
}

// Checksum returns the Internet checksum of b continuing from initial:
// ^Fold(Partial(b, initial)), the value to store in a checksum field that was
// zero while b was summed (DPDK's rte_raw_cksum with an initial sum, then
// complemented). A received packet whose checksum field is included in b is
// intact when Checksum returns 0.
func Checksum(b []byte, initial uint32) uint16 {
	return ^fold32(Partial(b, initial))
}

// finish turns le, the folded sum of data read as little-endian words, into
// the big-endian sum and adds initial. The one's-complement sum commutes with
// byte swapping (RFC 1071 section 2(B)), so the kernels read little-endian
// words, which amd64 loads without swapping, and the result is swapped once.
func finish(le uint16, initial uint32) uint32 {
	s, c := bits.Add32(initial, uint32(bits.ReverseBytes16(le)), 0)
	return uint32(fold32(s + c)) // s+c cannot carry: a carry leaves s <= 0xfffffffe
}

// fold64 folds x with end-around carry to 16 bits. Each step keeps the value
// modulo 0xffff and keeps it non-zero when it was non-zero, so the result is 0
// only for 0 and otherwise the representative in [1, 0xffff].
func fold64(x uint64) uint16 {
	s, c := bits.Add32(uint32(x), uint32(x>>32), 0)
	return fold32(s + c) // s+c cannot carry: a carry leaves s <= 0xfffffffe
}

func fold32(x uint32) uint16 {
	x = x&0xffff + x>>16 // <= 0x1fffe
	x = x&0xffff + x>>16 // <= 0xffff
	return uint16(x)
}
