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
func (t *Table[E]) LookupBulk4(ips []uint32, nextHops []uint64) {
	nextHops = nextHops[:len(ips)]
	tbl24, tbl8 := t.Tbl24, t.Tbl8
	for i, ip := range ips {
		e := tbl24[ip>>8]
		if e&1 != 0 {
			e = tbl8[uint(e>>1)<<8|uint(ip&0xff)]
		}
		nextHops[i] = uint64(e >> 1)
	}
}

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
