package lpm6

// Lookup returns the next hop of the longest rule that matches ip, and
// whether one does (rte_lpm6_lookup). It takes the address by pointer, as
// DPDK does, which saves copying it; it does not keep the pointer or
// allocate.
func (l *LPM) Lookup(ip *[AddrSize]byte) (nextHop uint32, ok bool) {
	e := l.tbl24[(uint32(ip[0])<<16|uint32(ip[1])<<8|uint32(ip[2]))&(tbl24Entries-1)]
	tbl8 := l.tbl8
	for b := 3; e&extBit != 0 && b < AddrSize; b++ {
		e = tbl8[uint32(e&lowMask)<<8|uint32(ip[b])]
	}
	return uint32(e & lowMask), e&validBit != 0
}

// LookupBulk looks up each of ips and sets nextHops[i] to the next hop
// for ips[i], or to -1 when no rule matches (rte_lpm6_lookup_bulk_func).
// nextHops must be at least as long as ips. It does not allocate.
func (l *LPM) LookupBulk(ips [][AddrSize]byte, nextHops []int32) {
	nextHops = nextHops[:len(ips)]
	tbl24 := l.tbl24
	tbl8 := l.tbl8
	for i := range ips {
		ip := &ips[i]
		e := tbl24[(uint32(ip[0])<<16|uint32(ip[1])<<8|uint32(ip[2]))&(tbl24Entries-1)]
		for b := 3; e&extBit != 0 && b < AddrSize; b++ {
			e = tbl8[uint32(e&lowMask)<<8|uint32(ip[b])]
		}
		nh := int32(e & lowMask)
		if e&validBit == 0 {
			nh = -1
		}
		nextHops[i] = nh
	}
}
