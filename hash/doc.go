// Package hash is DPDK's lib/hash in Go: rte_hash, a cuckoo hash table of
// fixed-length keys for the packet path (flow tables, ARP and neighbour
// caches, exact-match classification), the hash functions it uses, jhash
// and CRC32C, and rte_fbk_hash, a small table of four-byte keys.
//
// # Table
//
// A table (Create, Params) holds up to Entries keys of KeyLen bytes each,
// any length from 1, and an 8-byte data word per key. Each key gets a
// position, 0 to MaxKeyID()-1, that stays its own while it is in the
// table, so an application may keep its per-key state in an array indexed
// by position (Add, Lookup) or store it in the data word (AddKeyData,
// LookupData).
//
// The layout is DPDK's. Keys and data live in a key store of fixed-size
// entries. The table proper is an array of 64-byte buckets of 8 entries;
// an entry holds a 16-bit short signature of its key (the high half of its
// 32-bit hash) and the index of the key in the key store. A key may live in
// two buckets: its primary bucket (the hash's low bits) and its secondary
// one (the primary XOR the signature, so that either gives the other). A
// lookup compares the 8 signatures of each bucket at once and reads the
// key store only for the entries whose signature matches. When both
// buckets of a new key are full, Add looks breadth-first for a path of
// keys that can each move to their other bucket and shifts them along it
// (cuckoo displacement): tables fill to 95% and more before an add fails
// with ErrNoSpace. With FlagExtTable, a key that still finds no room goes
// to a chain of extendable buckets hung from its secondary bucket, so that
// every one of Entries keys fits whatever the hash values.
//
// LookupBulk and LookupBulkData look up to LookupBulkMax (64) keys at once
// in two passes, signatures then keys, prefetching the buckets and the key
// entries, as rte_hash_lookup_bulk. The searches are written out for each
// usual key length (4, 8, 9 to 15, 16, 32, 48 and 64 bytes) by
// gen_lookup.go, so that the comparison of a key is inline code. The ...WithHash methods take hashes
// computed beforehand by Hash, for callers that have them already (a NIC's
// RSS hash computed with the same function, say).
//
// # Hash functions
//
// JHash is Bob Jenkins' lookup3 hashlittle as DPDK's rte_jhash, with its
// word variants (JHash32b, JHash1Word, JHash2Words, JHash3Words). CRC32C
// is DPDK's rte_hash_crc: the CPU's CRC32 instruction chained from the
// initial value with no inversion before or after, which is not the
// checksum of hash/crc32 (see CRC32C). Both give the values DPDK's tests
// expect, so a table built with the same function and initial value puts
// a key in the same buckets as DPDK. A table's default function is CRC32C,
// as DPDK's on x86.
//
// # Memory
//
// Buckets and key store are allocated on the Go heap as pointer-free,
// cache-aligned memory that the garbage collector does not scan, not in an
// EAL memzone: a table needs no EAL, and nothing in it is meant to be
// shared with another process (DPDK's is not either: it holds pointers).
// Tables have process-wide unique names (FindExisting). No lookup, add,
// delete or iteration allocates.
//
// # Concurrency
//
// The flags of Params choose, as DPDK's extra flags:
//
//   - none: one goroutine at a time, readers and writers alike.
//   - FlagRWConcurrency: lookups take the read side of a reader-writer
//     lock, updates the write side; any goroutines at once.
//   - FlagRWConcurrencyLF: lookups take no lock and run beside one writer.
//     The writer publishes each entry with atomic stores (signature and key
//     first, key index last), and counts the cuckoo moves and chain
//     compactions that could hide a key from a reader halfway through its
//     search; a lookup that misses while that count changed searches again
//     (DPDK's tbl_chng_cnt). A deleted key's position, key and data stay
//     until FreeKeyWithPosition: call it once no reader can still hold what
//     it found there (after an RCU grace period). Add, Delete and
//     FreeKeyWithPosition are the writer's: one goroutine at a time.
//   - FlagMultiWriterAdd: several goroutines may add and delete at once;
//     they take a mutex (DPDK uses its rwlock and per-lcore caches of free
//     slots: here the control path takes a lock). With FlagRWConcurrencyLF
//     too, readers stay lock-free.
//   - FlagNoFreeOnDel: as with FlagRWConcurrencyLF, positions of deleted
//     keys wait for FreeKeyWithPosition.
//   - FlagTransMemSupport is accepted and does nothing: Go has no hardware
//     transactional memory.
//
// Reset, Free and SetCmpFunc need the table to themselves.
//
// # Differences from DPDK
//
// A key passed to a method must be exactly KeyLen bytes long: other
// lengths are ErrInvalid (a miss for the bulk and Data lookups), where C
// would read KeyLen bytes from a pointer. Positions of misses in bulk
// lookups are -1 rather than -ENOENT. There is no RCU integration
// (rte_hash_rcu_qsbr_add): callers of a lock-free table free deleted
// positions themselves. FlagNoFreeOnDel with FlagExtTable recycles an
// emptied extendable bucket when the position is freed, with or without
// FlagRWConcurrencyLF (DPDK only keeps the record in lock-free mode).
// FreeKeyWithPosition refuses a position that was not deleted.
//
// # Four-byte keys
//
// FBK (CreateFBK) is rte_fbk_hash: 32-bit keys to 16-bit values in
// buckets of a fixed number of entries and no second bucket, for small
// and simple lookups.
package hash
