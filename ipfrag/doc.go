// Package ipfrag is DPDK's lib/ip_frag: IPv4 and IPv6 fragmentation
// without copying payload, and reassembly in a fixed-size table that
// allocates nothing and frees nothing on the packet path.
//
// # Fragmentation
//
// FragmentIPv4 and FragmentIPv6 cut a packet that starts at its IP header
// (the caller strips the L2 header first, as with DPDK) into fragments for
// an MTU. Each fragment is a direct mbuf holding a copy of the header,
// adjusted, followed by indirect mbufs attached to the input's buffers and
// windowed onto the fragment's share of the payload (mbuf.Attach, Adj,
// Trim). The input is not consumed: the caller frees it, and its buffers
// stay alive through their reference counts until the last fragment that
// shares them is freed, typically by the driver after transmission.
//
// # Reassembly
//
// A Table (NewTable, as rte_ip_frag_table_create) holds the datagrams being
// reassembled, keyed by source, destination and identification (and the
// protocol for IPv4). A key hashes (jhash, seeded at random) to two
// buckets of BucketEntries entries; a new datagram takes a free entry in
// either, or an expired one. The table holds at most MaxEntries datagrams;
// when full, the oldest (the head of its LRU list) is reused if it has
// expired, and otherwise the new fragment fails (FailNoSpace), unless
// TableConfig.EvictLRU allows dropping the oldest anyway. A datagram
// expires MaxCycles TSC cycles after its first fragment: the caller passes
// the arrival time, tms, usually sys.Rdtsc() once per burst, and chooses
// MaxCycles from sys.TimerHz (for example TimerHz/1000 * 100 for 100 ms).
//
// ReassembleIPv4 and ReassembleIPv6 take one fragment each and return the
// datagram when the fragment completes it: the first fragment's mbuf with
// the others chained behind, their headers cut off with Adj, and the header
// fixed. Fragments are checked as DPDK's later releases do and more, each
// rejection counted in Stats:
//
//   - an exact duplicate is dropped alone (Duplicate);
//   - a fragment overlapping another drops its whole datagram (Overlap:
//     teardrop and its kin, RFC 5722 for IPv6, applied to IPv4 as Linux
//     does);
//   - fragments disagreeing on the end drop the datagram (Inconsistent);
//   - more than MaxFrags fragments drop the datagram (TooManyFrags);
//   - a fragment reaching beyond 65,535 bytes is dropped (Oversize: the
//     ping of death);
//   - a first fragment too short for the upper-layer header, or an IPv4
//     TCP fragment at offset 8, is dropped (TinyFragment: RFC 1858, RFC
//     7112; DPDK has no such check, TableConfig.AllowTinyFragments removes
//     it);
//   - a fragment with no data, a length beyond the mbuf, a non-last
//     length not a multiple of 8, or headers outside the first segment is
//     dropped (Malformed);
//   - a datagram still incomplete after MaxCycles is dropped when its
//     entry is next looked at, or by DelExpiredEntries (Timeout).
//
// # Ownership and the death row
//
// A fragment handed to ReassembleIPv4/IPv6 belongs to the table from then
// on. It comes back as part of a reassembled datagram, which the caller
// then owns, or it goes to the DeathRow, with the reason returned as an
// error. The reassembly functions never free: a drop costs a store, and
// the caller frees the row with FreeDeathRow once per burst, through the
// mempool cache of the row's lcore (DeathRow.SetLcore; Go has no
// thread-local lcore id, so the row carries it). Functions that free on
// their own take an lcore id: the fragmentation functions (on error),
// Table.Destroy.
//
// A Table and its DeathRow belong to one lcore and are not safe for
// concurrent use; give each RX lcore its own, as DPDK's ip_reassembly
// example does. The table's memory is allocated once by NewTable; neither
// fragmentation nor reassembly allocates.
//
// # Differences from DPDK 22.11
//
// Reassembly adds the checks listed above that 22.11 lacks (duplicates,
// overlaps, oversize datagrams and the protocol in the IPv4 key came in
// later DPDK releases; the tiny-fragment, non-multiple-of-8 and
// consistency checks are dpk's), recomputes the IPv4 header checksum where
// DPDK leaves 0 for the NIC, drops a fragment shorter than its IP length
// says where DPDK would read beyond it, returns a packet that is not a
// fragment unchanged, takes IPv6 per-fragment headers before the fragment
// header, and sets L2Len/L3Len on the result. Fragmentation sends no
// padding beyond the IPv4 total length, copies the IPv6 unfragmentable
// part, takes the IPv6 fragment identification as an argument where DPDK
// writes 0, and on running out of mbufs frees everything it built. The
// table hashes keys with jhash and a random seed on every machine (DPDK
// uses CRC32C on x86, with a fixed seed in 22.11), keeps its counters
// always (DPDK needs RTE_LIBRTE_IP_FRAG_TBL_STAT), can take more than 8
// fragments per datagram (TableConfig.MaxFrags) and can evict unexpired
// datagrams (TableConfig.EvictLRU). A full death row is freed early rather
// than overrun.
package ipfrag
