package fib

// LookupBulk sets nextHops[i] to the next hop of the longest route that
// covers ips[i], or to the default next hop (rte_fib_lookup_bulk).
// Addresses are host-order uint32s, as DPDK's. nextHops must be at least
// as long as ips. It does not allocate.
func (f *FIB) LookupBulk(ips []uint32, nextHops []uint64) {
	switch {
	case f.t4 != nil:
		f.t4.LookupBulk4(ips, nextHops)
	case f.t2 != nil:
		f.t2.LookupBulk4(ips, nextHops)
	case f.t1 != nil:
		f.t1.LookupBulk4(ips, nextHops)
	case f.t8 != nil:
		f.t8.LookupBulk4(ips, nextHops)
	default:
		nextHops = nextHops[:len(ips)]
		for i, ip := range ips {
			nextHops[i] = f.dummyLookup(ip)
		}
	}
}

// Lookup returns the next hop of ip: LookupBulk for one address. It does
// not allocate.
func (f *FIB) Lookup(ip uint32) uint64 {
	if f.t4 != nil {
		return uint64(f.t4.Lookup4(ip) >> 1)
	}
	return f.lookupOther(ip)
}

func (f *FIB) lookupOther(ip uint32) uint64 {
	switch {
	case f.t2 != nil:
		return uint64(f.t2.Lookup4(ip) >> 1)
	case f.t1 != nil:
		return uint64(f.t1.Lookup4(ip) >> 1)
	case f.t8 != nil:
		return f.t8.Lookup4(ip) >> 1
	}
	return f.dummyLookup(ip)
}

func (f *FIB) dummyLookup(ip uint32) uint64 {
	if nh, ok := f.rules.Match(ip); ok {
		return nh
	}
	return f.defNH
}
