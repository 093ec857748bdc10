// Package multibit is the multibit trie behind package fib's DIR24_8
// dataplane and package fib6's trie: tbl24, 2^24 cells indexed by the
// first three bytes of an address, and tbl8 groups of 256 cells indexed
// by one further byte each, as DPDK's lib/fib builds them. IPv4 uses one
// tbl8 level (DIR-24-8), IPv6 up to thirteen.
//
// A cell is an unsigned integer of 1, 2, 4 or 8 bytes. Its low bit says
// whether it points at a tbl8 group (the rest is the group's index) or
// holds a result (the rest is the next hop, or the default next hop where
// no route covers the cell): the lookup reads a cell, and while its low
// bit is set reads the cell of the next group that the next byte of the
// address indexes.
//
// Beside the cells, on the Go heap, the table keeps the depth of the
// route that owns each result cell (1 + the prefix length; 0 for none;
// 0xff for a cell that points at a group),
// so that a route only overwrites cells of shorter routes whatever the
// order of adds, and for each group the cell that points at it and a
// count of the routes that end in it and the groups that hang from it.
// When a delete brings the count to zero the group goes back to the pool
// and the cell that pointed at it takes the covering route's result.
package multibit
