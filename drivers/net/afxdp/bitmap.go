package afxdp

import "math/bits"

// bitmap marks the mbufs of a pool (by index) that a queue has handed to
// the kernel and not had back. Its owner is the queue's lcore; at stop,
// once the socket is closed, the marked mbufs are the ones to return to
// the pool, wherever the kernel kept them (fill ring, its own free list,
// TX ring). It also catches a kernel address handed back twice or never
// handed out.
type bitmap []uint64

func newBitmap(n uint32) bitmap { return make(bitmap, (n+63)/64) }

// set marks i and reports whether it was clear.
func (b bitmap) set(i uint32) bool {
	w, m := i/64, uint64(1)<<(i%64)
	if w >= uint32(len(b)) || b[w]&m != 0 {
		return false
	}
	b[w] |= m
	return true
}

// take clears i and reports whether it was marked.
func (b bitmap) take(i uint32) bool {
	w, m := i/64, uint64(1)<<(i%64)
	if w >= uint32(len(b)) || b[w]&m == 0 {
		return false
	}
	b[w] &^= m
	return true
}

// drain calls fn for every marked index, then clears the bitmap.
func (b bitmap) drain(fn func(i uint32)) {
	for w, v := range b {
		for v != 0 {
			bit := bits.TrailingZeros64(v)
			v &^= 1 << bit
			fn(uint32(w)*64 + uint32(bit))
		}
		b[w] = 0
	}
}
