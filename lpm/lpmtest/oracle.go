// Package lpmtest holds helpers for testing and measuring package lpm: a
// reference longest-prefix matcher to compare a table with, and the route
// table generator of DPDK's lpm_perf_autotest.
package lpmtest

// Oracle is a plain longest-prefix matcher: one map of prefixes per depth,
// searched from the longest. It is slow and obviously right.
type Oracle struct {
	rules [33]map[uint32]uint32
}

// NewOracle returns an empty oracle.
func NewOracle() *Oracle {
	o := &Oracle{}
	for d := range o.rules {
		o.rules[d] = map[uint32]uint32{}
	}
	return o
}

// Mask returns the netmask of depth (0 to 32).
func Mask(depth uint8) uint32 {
	if depth == 0 {
		return 0
	}
	return ^uint32(0) << (32 - depth)
}

// Add adds or updates rule ip/depth.
func (o *Oracle) Add(ip uint32, depth uint8, hop uint32) {
	o.rules[depth][ip&Mask(depth)] = hop
}

// Delete removes rule ip/depth and reports whether it was there.
func (o *Oracle) Delete(ip uint32, depth uint8) bool {
	m := o.rules[depth]
	if _, ok := m[ip&Mask(depth)]; !ok {
		return false
	}
	delete(m, ip&Mask(depth))
	return true
}

// Has returns the next hop of rule ip/depth, if present.
func (o *Oracle) Has(ip uint32, depth uint8) (uint32, bool) {
	h, ok := o.rules[depth][ip&Mask(depth)]
	return h, ok
}

// Lookup returns the next hop of the longest rule matching ip.
func (o *Oracle) Lookup(ip uint32) (uint32, bool) {
	for d := 32; d >= 1; d-- {
		if len(o.rules[d]) == 0 {
			continue
		}
		if h, ok := o.rules[d][ip&Mask(uint8(d))]; ok {
			return h, true
		}
	}
	return 0, false
}

// Len returns the number of rules.
func (o *Oracle) Len() int {
	n := 0
	for _, m := range o.rules {
		n += len(m)
	}
	return n
}

// Rule is a prefix.
type Rule struct {
	IP    uint32
	Depth uint8
	Hop   uint32
}

// Rules returns every rule, in no particular order.
func (o *Oracle) Rules() []Rule {
	var out []Rule
	for d, m := range o.rules {
		for ip, h := range m {
			out = append(out, Rule{ip, uint8(d), h})
		}
	}
	return out
}

// DeepBlocks returns the number of /24 blocks that hold a rule longer than
// 24 bits: the tbl8 groups an LPM table with the same rules has in use.
func (o *Oracle) DeepBlocks() int {
	blocks := map[uint32]bool{}
	for d := 25; d <= 32; d++ {
		for ip := range o.rules[d] {
			blocks[ip>>8] = true
		}
	}
	return len(blocks)
}
