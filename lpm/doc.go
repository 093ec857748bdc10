// Package lpm is DPDK's rte_lpm in Go: an IPv4 longest prefix match table
// in the DIR-24-8 layout, for looking up routes (or any prefix-keyed
// value) on the packet path in one or two memory reads.
//
// # Layout
//
// tbl24 has an entry for every /24 (2^24 entries of 32 bits, 64 MiB).
// A /24 covered only by prefixes of 24 bits or less holds the next hop of
// the longest of them in its tbl24 entry; a lookup reads that one entry.
// A /24 that holds a longer prefix points to a tbl8 group of 256 entries,
// one per address, and a lookup reads one more entry there. Entries pack
// a 24-bit next hop, a valid bit, the valid_group bit that marks an
// extended tbl24 entry, and the depth of the rule the entry comes from, as
// DPDK's struct rte_lpm_tbl_entry (see Entry). Next hops therefore have
// 24 bits (MaxNextHop).
//
// Beside the tables, a rule table remembers every prefix added, so that
// deleting a prefix restores, in the addresses it covered, the longest
// remaining prefix that covers them: deleting a /25 brings its /24 back,
// deleting the /24 leaves the /25. A tbl8 group whose 256 entries become
// equal again is given back and its /24 returns to a single tbl24 entry.
//
// # Memory and processes
//
// Create reserves one memzone, "LPM_"+name, holding tbl24, the tbl8
// groups, the rule table and the bookkeeping; nothing in it is a pointer,
// so another process of the same --file-prefix finds the table with Find.
// An *LPM is a process-local handle on it. Find in the process that
// created the table returns the same handle.
//
// # Concurrency
//
// Lookup, LookupBulk and LookupX4 take no lock, do not allocate and read
// each entry with one atomic 32-bit load. Any number of goroutines may
// look up while one goroutine changes the table with Add, Delete or
// DeleteAll (changes must be serialised by the caller, as in DPDK). The
// writer stores each entry with one 32-bit store, fills a new tbl8 group
// before publishing it in tbl24, and unlinks a group from tbl24 before
// giving it back. A lookup that overlaps a change therefore returns the
// result from before or after it, for a prefix that covers the address.
//
// What the table cannot know alone is when a reader that loaded a tbl24
// entry pointing to a group has finished reading the group: without help,
// a group given back can be reused for another /24 while a slow reader
// still reads it, and that reader may get a next hop of a route that does
// not cover its address. Attach an RCU variable (RCUQsbrAdd with a
// rcu.QSBR, as rte_lpm_rcu_qsbr_add) whenever lookups run concurrently
// with deletes: groups are then reused only after every reader registered
// on the variable has reported a quiescent state, either through a defer
// queue that the writer polls without blocking (RCUModeDQ, the default)
// or by waiting in Delete (RCUModeSync). The readers' side is:
//
//	v.ThreadRegister(id)
//	v.ThreadOnline(id)
//	for running {
//		n := rxBurst(pkts)
//		for _, p := range pkts[:n] {
//			hop, ok := table.Lookup(dstIP(p))
//			...
//		}
//		v.Quiescent(id) // no lookup result held past here
//	}
//	v.ThreadOffline(id)
//
// # Results and errors
//
// Lookup returns (next hop, true) or (0, false) where DPDK returns 0 or
// -ENOENT. LookupBulk stores, as DPDK, the table entry of each address:
// LookupSuccess says whether a rule matched and the low 24 bits
// (MaxNextHop) are then its next hop; Hits counts the matches of a bulk.
// LookupX4 stores a default value for misses, as DPDK.
//
// Add and Delete return errors wrapping ErrInvalid (depth outside 1..32,
// next hop above 24 bits), ErrNoSpace (rule table full, or no free tbl8
// group: the table is then unchanged) and ErrNotFound (Delete of a rule
// that is not there). Create returns ErrInvalid, ErrExist or ErrNoMem.
//
// # Differences from DPDK
//
// Rules live in a hash table rather than an array sorted by depth, so Add
// and Delete cost the table writes they make instead of a scan of every
// rule of the same depth (DPDK's lpm_perf_autotest: about 100,000 cycles
// per add there). Free tbl8 groups are kept on a stack, lowest index first
// at creation, so a freed group is the next one taken, as test_lpm.c
// expects. A next hop above 24 bits is an error rather than silently
// truncated. DeleteAll sends tbl8 groups through the RCU variable like
// Delete does, and clears only the parts of tbl24 that were written.
//
// Lookup and LookupBulk are inlined into the caller's loop and cost about
// what DPDK's do. LookupX4 is a call: Go passes the [4]uint32 on the stack
// and does not inline a function that size, where DPDK's is an inline
// SSE function taking the addresses in a register; it costs about 1.2 to
// 1.5 times DPDK's per address, so prefer LookupBulk.
//
// Package lpm/lpmtest has a reference matcher and DPDK's perf test route
// generator; cmd/dpk-test runs lpm_autotest and lpm_perf_autotest.
package lpm
