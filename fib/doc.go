// Package fib is DPDK's rte_fib in Go: an IPv4 forwarding table that maps
// an address to the next hop of the longest route (prefix/depth, depth 0
// to 32) that covers it, or to a default next hop. Package fib/fib6 is
// its IPv6 sibling, rte_fib6.
//
// # Dataplanes
//
// A FIB keeps its routes in a rule set (DPDK's RIB) and, for lookups, one
// of two dataplanes chosen by Config.Type:
//
//   - DIR24_8: tbl24, 2^24 cells indexed by an address's first 24 bits,
//     and tbl8 groups of 256 cells for the /24s that hold longer routes.
//     A cell of 1, 2, 4 or 8 bytes (Config.NHSize) holds a next hop
//     shifted left by one, or with its low bit set the index of a group.
//     A lookup is one memory read, or two for addresses under a route
//     longer than 24 bits. Every /24 holding such routes takes one group
//     of Config.NumTbl8; Add fails with ErrNoSpace when none is left.
//   - Dummy: lookups search the rule set itself, prefix length by prefix
//     length; no tables, any 64-bit next hop, slow.
//
// Add writes a route's next hop into the cells it covers that no longer
// route holds, whatever the order of adds (a control-plane copy of each
// cell's route depth says which); Delete gives those cells to the longest
// shorter route that covers the deleted one, or to the default, and
// returns to the pool the groups no route needs any more. The next hop of
// every cell is thus always that of the longest matching route, as DPDK's.
//
// # Memory and concurrency
//
// When the EAL is initialised the DIR24_8 cells live in an EAL memzone
// named MemzonePrefix+name on the socket given to Create (hugepages when
// the EAL has them); otherwise they are Go memory. The rule set, the
// route depths of the cells (a byte per cell) and the group bookkeeping
// are Go memory. Free releases everything. FIBs are found by name only in
// the process that made them (FindExisting).
//
// Lookup and LookupBulk do not allocate or lock and may run on many
// lcores at once. Add and Delete are control-path work: they allocate and
// must be serialised by the caller, and no lookup may run while they do.
//
// # Errors
//
// Add, Delete and Create return errors wrapping ErrInvalid, ErrNoSpace,
// ErrNotFound, ErrExist or ErrNameTooLong. Lookups cannot fail: an
// address no route covers gets Config.DefaultNH.
package fib
