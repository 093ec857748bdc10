package multibit

// Lookup4 returns the result cell for IPv4 address ip (a next hop shifted
// left by one).
func (t *Table[E]) Lookup4(ip uint32) E {
	e := t.Tbl24[ip>>8]
	if e&1 != 0 {
		e = t.Tbl8[uint(e>>1)<<8|uint(ip&0xff)]
	}
	return e
}

// LookupBulk4 sets nextHops[i] to the next hop of ips[i]; nextHops must
// be at least as long as ips.
//
// It works in chunks of bulkChunk addresses and two passes, as DPDK's
// dir24_8 bulk lookup prefetches tbl24 ahead of its loop: first the
// chunk's tbl24 cells, loads that depend on nothing but the addresses, so
// the CPU has all their cache misses in flight at once; then the tbl8
// cells of the extended ones. A single pass would stall the misses of the
// following addresses behind every mispredicted extended-entry branch.
func (t *Table[E]) LookupBulk4(ips []uint32, nextHops []uint64) {
	nextHops = nextHops[:len(ips)]
	tbl24, tbl8 := t.Tbl24, t.Tbl8
	var cells [bulkChunk]E
	for len(ips) > 0 {
		n := min(len(ips), bulkChunk)
		chunk, hops := ips[:n], nextHops[:n]
		var ext E
		for i, ip := range chunk {
			e := tbl24[ip>>8]
			cells[i] = e
			ext |= e
		}
		if ext&1 == 0 {
			for i := range hops {
				hops[i] = uint64(cells[i] >> 1)
			}
		} else {
			for i, ip := range chunk {
				e := cells[i]
				if e&1 != 0 {
					e = tbl8[uint(e>>1)<<8|uint(ip&0xff)]
				}
				hops[i] = uint64(e >> 1)
			}
		}
		ips, nextHops = ips[n:], nextHops[n:]
	}
}

// bulkChunk is how many addresses LookupBulk4 reads tbl24 for before it
// resolves any: DPDK's burst size.
const bulkChunk = 32

// Lookup6 returns the result cell for IPv6 address ip.
func (t *Table[E]) Lookup6(ip *[16]byte) E {
	e := t.Tbl24[(uint32(ip[0])<<16|uint32(ip[1])<<8|uint32(ip[2]))&(Tbl24Entries-1)]
	tbl8 := t.Tbl8
	for b := 3; e&1 != 0 && b < 16; b++ {
		e = tbl8[uint(e>>1)<<8|uint(ip[b])]
	}
	return e
}

// LookupBulk6 sets nextHops[i] to the next hop of ips[i]; nextHops must
// be at least as long as ips.
func (t *Table[E]) LookupBulk6(ips [][16]byte, nextHops []uint64) {
	nextHops = nextHops[:len(ips)]
	tbl24, tbl8 := t.Tbl24, t.Tbl8
	for i := range ips {
		ip := &ips[i]
		e := tbl24[(uint32(ip[0])<<16|uint32(ip[1])<<8|uint32(ip[2]))&(Tbl24Entries-1)]
		for b := 3; e&1 != 0 && b < 16; b++ {
			e = tbl8[uint(e>>1)<<8|uint(ip[b])]
		}
		nextHops[i] = uint64(e >> 1)
	}
}
