package lpm

import "unsafe"

// The lookup functions read each entry with one atomic 32-bit load
// (load32: a plain MOV on amd64), so a reader sees an entry either before
// or after a writer's store, never torn. Entries are addressed through unsafe
// pointer arithmetic: a tbl24 index has 24 bits, and a tbl8 index comes
// from a tbl24 entry that only the writer stores, always naming a group
// below NumberTbl8s, so bounds and nil checks would never fail and cost
// loads, compares and branches per lookup.
//
// In tbl24 the valid_group bit alone marks an extended entry: dpk never
// stores a tbl24 entry with valid_group set and valid clear (DPDK's
// delete can leave one; its lookup tests both bits).

// tbl24At returns the address of the tbl24 entry of ip. Through an
// unsafe.Pointer base it is one shift and one load: indexing l.tbl24 (a
// pointer to an array) costs an extra nil-check load per lookup.
func (l *LPM) tbl24At(ip uint32) *uint32 {
	return (*uint32)(unsafe.Add(l.tbl24p, uintptr(ip>>8)*4))
}

// tbl8At returns the address of tbl8 entry (group of e)*256 + (ip & 255).
func (l *LPM) tbl8At(e, ip uint32) *uint32 {
	idx := uintptr(e&hopMask)<<8 | uintptr(ip&0xff)
	return (*uint32)(unsafe.Add(l.tbl8p, idx*4))
}

// Lookup returns the next hop of the longest rule that matches ip, and
// whether there is one (rte_lpm_lookup; DPDK's -ENOENT is false). It does
// not allocate, lock or write, and may run concurrently with a writer.
func (l *LPM) Lookup(ip uint32) (uint32, bool) {
	e := load32(l.tbl24At(ip))
	if e&groupBit != 0 {
		e = load32(l.tbl8At(e, ip))
	}
	return e & hopMask, e&validBit != 0
}

// LookupBulk looks up every address of ips and stores in hops[i] the next
// hop of ips[i] with LookupSuccess set, or 0 when no rule matches
// (rte_lpm_lookup_bulk). hops must be at least as long as ips. Like
// Lookup, it may run concurrently with a writer and does not allocate.
//
// DPDK stores the raw table entry, whose depth and valid_group bits the
// caller masks off; dpk stores only the next hop and LookupSuccess, so
// hops[i]&^LookupSuccess is the next hop.
func (l *LPM) LookupBulk(ips []uint32, hops []uint32) {
	hops = hops[:len(ips)]
	t24 := l.tbl24p
	i := 0
	// Eight at a time, with one test for extended entries: the fewer
	// instructions per lookup, the more of these cache-missing loads the
	// CPU keeps in flight (as DPDK's loops, unrolled by the C compiler).
	for ; i+8 <= len(ips); i += 8 {
		p := (*[8]uint32)(ips[i : i+8])
		h := (*[8]uint32)(hops[i : i+8])
		e0 := load32((*uint32)(unsafe.Add(t24, uintptr(p[0]>>8)*4)))
		e1 := load32((*uint32)(unsafe.Add(t24, uintptr(p[1]>>8)*4)))
		e2 := load32((*uint32)(unsafe.Add(t24, uintptr(p[2]>>8)*4)))
		e3 := load32((*uint32)(unsafe.Add(t24, uintptr(p[3]>>8)*4)))
		e4 := load32((*uint32)(unsafe.Add(t24, uintptr(p[4]>>8)*4)))
		e5 := load32((*uint32)(unsafe.Add(t24, uintptr(p[5]>>8)*4)))
		e6 := load32((*uint32)(unsafe.Add(t24, uintptr(p[6]>>8)*4)))
		e7 := load32((*uint32)(unsafe.Add(t24, uintptr(p[7]>>8)*4)))
		h[0] = e0 & resultMask
		h[1] = e1 & resultMask
		h[2] = e2 & resultMask
		h[3] = e3 & resultMask
		h[4] = e4 & resultMask
		h[5] = e5 & resultMask
		h[6] = e6 & resultMask
		h[7] = e7 & resultMask
		if (e0|e1|e2|e3|e4|e5|e6|e7)&groupBit != 0 {
			l.bulkExt(p, h, &[8]uint32{e0, e1, e2, e3, e4, e5, e6, e7})
		}
	}
	for ; i < len(ips); i++ {
		e := load32(l.tbl24At(ips[i]))
		if e&groupBit != 0 {
			e = load32(l.tbl8At(e, ips[i]))
		}
		hops[i] = e & resultMask
	}
}

// bulkExt redoes the lookups of LookupBulk whose tbl24 entries e are
// extended.
func (l *LPM) bulkExt(ips, hops, e *[8]uint32) {
	for k, ek := range e {
		if ek&groupBit != 0 {
			hops[k] = load32(l.tbl8At(ek, ips[k])) & resultMask
		}
	}
}

// LookupX4 looks up four addresses and stores their next hops in hops, or
// defv for those no rule matches (rte_lpm_lookupx4). It may run
// concurrently with a writer and does not allocate.
//
// DPDK's x86 version returns early when all four tbl24 entries are valid
// next hops, a branch that goes either way when some addresses miss;
// here the only branch is the one, rarely taken, for extended entries,
// and misses are resolved with conditional moves.
func (l *LPM) LookupX4(ips [4]uint32, hops *[4]uint32, defv uint32) {
	t := l.tbl24p
	e0 := load32((*uint32)(unsafe.Add(t, uintptr(ips[0]>>8)*4)))
	e1 := load32((*uint32)(unsafe.Add(t, uintptr(ips[1]>>8)*4)))
	e2 := load32((*uint32)(unsafe.Add(t, uintptr(ips[2]>>8)*4)))
	e3 := load32((*uint32)(unsafe.Add(t, uintptr(ips[3]>>8)*4)))
	if (e0|e1|e2|e3)&groupBit != 0 {
		if e0&groupBit != 0 {
			e0 = load32(l.tbl8At(e0, ips[0]))
		}
		if e1&groupBit != 0 {
			e1 = load32(l.tbl8At(e1, ips[1]))
		}
		if e2&groupBit != 0 {
			e2 = load32(l.tbl8At(e2, ips[2]))
		}
		if e3&groupBit != 0 {
			e3 = load32(l.tbl8At(e3, ips[3]))
		}
	}
	hops[0] = pick(e0, defv)
	hops[1] = pick(e1, defv)
	hops[2] = pick(e2, defv)
	hops[3] = pick(e3, defv)
}

// pick returns e's next hop if e is valid, else defv (a conditional move).
func pick(e, defv uint32) uint32 {
	if e&validBit != 0 {
		return e & hopMask
	}
	return defv
}
