// Package fib6 is DPDK's rte_fib6 in Go: an IPv6 forwarding table that
// maps an address to the next hop of the longest route (prefix/depth,
// depth 0 to 128) that covers it, or to a default next hop.
//
// # Dataplanes
//
// A FIB keeps its routes in a rule set (DPDK's RIB6) and, for lookups,
// one of two dataplanes chosen by Config.Type:
//
//   - Trie: tbl24, 2^24 cells indexed by an address's first three bytes,
//     and tbl8 groups of 256 cells indexed by each further byte, as many
//     levels as the longest route needs. A cell of 2, 4 or 8 bytes
//     (Config.NHSize) holds a next hop shifted left by one, or with its
//     low bit set the index of a group; a lookup reads one cell per level
//     until it finds a next hop. A route longer than 24 bits takes one
//     group of Config.NumTbl8 for each byte beyond the third that no other
//     route has opened yet; Add fails with ErrNoSpace, changing nothing,
//     when they are not free.
//   - Dummy: lookups search the rule set itself, prefix length by prefix
//     length; no tables, any 64-bit next hop, slow.
//
// Updates work as in package fib: a route only overwrites cells of
// shorter routes, a deleted route's cells go to the longest shorter route
// that covers it or to the default, and unused groups go back to the
// pool.
//
// # Memory and concurrency
//
// When the EAL is initialised the trie's cells live in an EAL memzone
// named MemzonePrefix+name on the socket given to Create; otherwise they
// are Go memory. The rule set, the route depth of each cell and the group
// bookkeeping are Go memory. FIBs are found by name only in the process
// that made them (FindExisting).
//
// Lookup and LookupBulk do not allocate or lock and may run on many
// lcores at once. Add and Delete must be serialised by the caller, and no
// lookup may run while they do.
package fib6
