package multibit

// Rules is the set of routes of a FIB and their next hops (DPDK keeps
// them in a RIB): one map per prefix length, of addresses masked to it.
// K is uint32 for IPv4, [16]byte for IPv6. Looking for the route that
// covers another skips the lengths that have no route.
type Rules[K comparable] struct {
	byDepth []map[K]uint64
	n       int
	mask    func(K, uint8) K
}

// NewRules makes an empty set of routes of 0 to maxDepth bits; mask clears
// the bits of a key beyond a depth.
func NewRules[K comparable](maxDepth uint8, mask func(K, uint8) K) *Rules[K] {
	return &Rules[K]{byDepth: make([]map[K]uint64, int(maxDepth)+1), mask: mask}
}

// Len returns the number of routes.
func (r *Rules[K]) Len() int { return r.n }

// Get returns the next hop of route k/depth (k masked to depth).
func (r *Rules[K]) Get(k K, depth uint8) (nextHop uint64, ok bool) {
	nextHop, ok = r.byDepth[depth][k]
	return nextHop, ok
}

// Set adds route k/depth (isNew: Get did not find it) or changes its
// next hop.
func (r *Rules[K]) Set(k K, depth uint8, nextHop uint64, isNew bool) {
	m := r.byDepth[depth]
	if m == nil {
		m = make(map[K]uint64)
		r.byDepth[depth] = m
	}
	if isNew {
		r.n++
	}
	m[k] = nextHop
}

// Delete removes route k/depth and reports whether it was there.
func (r *Rules[K]) Delete(k K, depth uint8) bool {
	m := r.byDepth[depth]
	if _, ok := m[k]; !ok {
		return false
	}
	delete(m, k)
	r.n--
	if len(m) == 0 {
		// Start afresh: a map emptied by deletes keeps its deleted
		// slots, which lengthen the probes of every later miss.
		r.byDepth[depth] = nil
	}
	return true
}

// Covering returns the longest route shorter than depth that covers
// k/depth, or depth -1 if none does (the parent in DPDK's RIB).
func (r *Rules[K]) Covering(k K, depth uint8) (nextHop uint64, coverDepth int) {
	for d := int(depth) - 1; d >= 0; d-- {
		if len(r.byDepth[d]) == 0 {
			continue
		}
		if nh, ok := r.byDepth[d][r.mask(k, uint8(d))]; ok {
			return nh, d
		}
	}
	return 0, -1
}

// Match returns the next hop of the longest route that matches address k
// (the RIB lookup of DPDK's dummy FIB).
func (r *Rules[K]) Match(k K) (nextHop uint64, ok bool) {
	for d := len(r.byDepth) - 1; d >= 0; d-- {
		if len(r.byDepth[d]) == 0 {
			continue
		}
		if nh, ok := r.byDepth[d][r.mask(k, uint8(d))]; ok {
			return nh, true
		}
	}
	return 0, false
}

// Mask clears the bits of an IPv6 address beyond depth.
func Mask(ip [16]byte, depth uint8) [16]byte {
	d := int(depth)
	for i := range ip {
		switch {
		case d <= 0:
			ip[i] = 0
		case d < 8:
			ip[i] &= ^byte(0xff >> d)
		}
		d -= 8
	}
	return ip
}

// Mask4 clears the bits of an IPv4 address beyond depth.
func Mask4(ip uint32, depth uint8) uint32 {
	if depth == 0 {
		return 0
	}
	return ip &^ (1<<(32-depth) - 1)
}
