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

// LookupBulk looks up every address of ips and stores in hops[i] the
// table entry that decides it (rte_lpm_lookup_bulk): hops[i]&LookupSuccess
// is set when a rule matches ips[i], and hops[i]&MaxNextHop is then its
// next hop; the other bits (the rule's depth, valid_group) are not part
// of the result. hops must be at least as long as ips. Like Lookup, it may
// run concurrently with a writer and does not allocate.
func (l *LPM) LookupBulk(ips []uint32, hops []uint32) {
	hops = hops[:len(ips)]
	t24, t8 := l.tbl24p, l.tbl8p
	for i, ip := range ips {
		e := load32((*uint32)(unsafe.Add(t24, uintptr(ip>>8)*4)))
		if e&groupBit != 0 {
			e = load32((*uint32)(unsafe.Add(t8, (uintptr(e&hopMask)<<8|uintptr(ip&0xff))*4)))
		}
		hops[i] = e
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
