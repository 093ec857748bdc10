package checksum

// kernel is one implementation of the little-endian 16-bit sum.
type kernel struct {
	name string
	sum  func([]byte) uint16
}

// partialWith is Partial computed with kernel k.
func partialWith(k kernel, b []byte, initial uint32) uint32 {
	return finish(k.sum(b), initial)
}

// refAdd is one's-complement 16-bit addition with end-around carry.
func refAdd(a, b uint16) uint16 {
	s := uint32(a) + uint32(b)
	if s > 0xffff {
		s -= 0xffff
	}
	return uint16(s)
}

// refPartial is the naive reference for Partial: initial folded a bit at a
// time, then one big-endian word at a time with end-around carry, the last
// odd byte padded with a zero.
func refPartial(b []byte, initial uint32) uint32 {
	s := refAdd(uint16(initial>>16), uint16(initial))
	for i := 0; i < len(b); i += 2 {
		w := uint16(b[i]) << 8
		if i+1 < len(b) {
			w |= uint16(b[i+1])
		}
		s = refAdd(s, w)
	}
	return uint32(s)
}

// refChecksum is the naive Internet checksum of b with the 16-bit field at
// off (if off >= 0) read as zero.
func refChecksum(b []byte, off int, initial uint32) uint16 {
	c := append([]byte(nil), b...)
	if off >= 0 && off+2 <= len(c) {
		c[off], c[off+1] = 0, 0
	}
	return ^uint16(refPartial(c, initial))
}
