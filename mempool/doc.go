// Package mempool is DPDK's rte_mempool: a fixed number of fixed-size
// objects in a memzone, a lock-free central ring of free objects and a
// cache per lcore, so that most gets and puts touch only memory private to
// the calling lcore.
//
// # Ownership and lcores
//
// A Mempool handle is process-local; the pool itself (header, objects,
// central ring, caches) lives in EAL memory and is found by name from any
// process of the same --file-prefix with Lookup. The central ring holds the
// objects' offsets in the EAL memory window, valid in every process. A
// per-lcore cache holds plain pointers: it belongs to one lcore, which
// belongs to one process.
//
// Go has no thread-local storage, so the caller names its lcore: GetBulk and
// PutBulk take the lcore id (eal.LcoreIDAny for a goroutine that is not an
// lcore, which bypasses the caches), and a worker that wants the fastest path
// fetches its cache once with DefaultCache and calls GenericGet/GenericPut.
// A cache must only ever be used by one goroutine at a time.
//
// # Semantics
//
// Get is all-or-nothing (DPDK's bulk semantics): on exhaustion it returns
// ErrNoObjects, counts the failure and leaves the pool unchanged; it never
// blocks. Put never fails. Objects passed in and out are pointers to
// off-heap memory; slices handed to the pool must hold nothing else.
//
// Caches follow DPDK 22.11: a cache of size S is refilled from the ring by
// enough objects to serve the request and leave S behind, and flushed to
// the ring in full when a put would take it above its flush threshold of
// 1.5 S.
//
// Audit checks that no object is free twice (a double free) and that free
// plus in-use objects add up; with FlagDebug every put also checks the
// object's cookie, refuses a double free and counts it.
package mempool
