// Package lpm6 is DPDK's rte_lpm6 in Go: a longest-prefix-match table for
// IPv6 routes that maps an address to the 21-bit next hop of the longest
// rule (prefix/depth) that covers it.
//
// # Structure
//
// A table is DPDK's multi-stride trie. tbl24, 2^24 cells, is indexed by
// an address's first three bytes; a cell either holds a result (the next
// hop and depth of the rule that covers it) or points at a tbl8 group of
// 256 cells indexed by the next byte, and so on down to the sixteenth
// byte. A lookup reads one cell per level it needs: one for a rule of 24
// bits or less, up to fourteen for a /128. A rule longer than 24 bits
// needs one group for each byte beyond the third that no other rule has
// opened yet; Config.NumberTbl8s bounds them, and Add fails with
// ErrNoSpace, changing nothing, when they or Config.MaxRules run out.
//
// Every result cell records its rule's depth, so a rule only overwrites
// cells of shorter rules, in whatever order rules come. Delete gives the
// cells of the deleted rule to the longest shorter rule that covers it
// (or empties them) and returns to the pool the groups nothing uses any
// more; DeleteBulk deletes several rules and rebuilds the table from the
// rules left, as DPDK does. The rules themselves (prefix, depth, next
// hop) are kept in a Go map beside the tables, for IsRulePresent and for
// finding the covering rule on delete.
//
// # Memory and concurrency
//
// When the EAL is initialised the tbl24 and the tbl8 groups (64 MiB plus
// 1 KiB a group) live in an EAL memzone named MemzonePrefix+name, on the
// socket given to Create, hugepage-backed when the EAL has hugepages;
// otherwise they are Go memory. The rule map and the group bookkeeping are
// Go memory. Free releases both. Tables are found by name only in the
// process that made them (FindExisting).
//
// Lookup and LookupBulk do not allocate or lock and may run on many
// lcores at once. Add, Delete, DeleteBulk and DeleteAll are control-path
// work: they allocate and must be serialised by the caller, and no lookup
// may run while they do (DPDK's rte_lpm6 has no RCU either).
//
// # Errors
//
// Control functions return errors wrapping ErrInvalid (bad depth, next
// hop or configuration), ErrNoSpace (rule table full, tbl8 groups used
// up), ErrNotFound (no such rule or table), ErrExist and ErrNameTooLong.
// Lookups report a miss by their ok result (Lookup) or -1 (LookupBulk).
package lpm6
