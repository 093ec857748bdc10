// Package rcu is DPDK's rte_rcu_qsbr in Go: quiescent state based
// reclamation, the way a writer of a lock-free data structure learns when
// the readers have stopped using memory it has unlinked, so that it can
// free or reuse that memory safely.
//
// # Protocol
//
// A QSBR variable tracks reader threads by small ids (0 to MaxThreads-1,
// handed out by the application, typically lcore ids):
//
//   - a reader calls ThreadRegister and ThreadOnline once, then reads the
//     shared structure in a loop and calls Quiescent between units of work
//     (for example every burst of lookups), at a point where it holds no
//     reference into the structure. Before it blocks or stops it calls
//     ThreadOffline (and ThreadUnregister), so that writers stop waiting
//     for it;
//   - a writer unlinks an element (makes it unreachable for new readers),
//     then either calls Synchronize, which waits until every registered
//     online reader has reported a quiescent state, or takes a token with
//     Start and later asks Check(token, false) whether the grace period is
//     over. After that no reader can still hold the element.
//
// The reader side (ThreadOnline, ThreadOffline, Quiescent) is lock-free,
// wait-free and allocates nothing: each reader writes only its own counter,
// on its own cache line. The writer side polls the counters.
//
// # Defer queue
//
// A DeferQueue does the bookkeeping for writers that do not want to block:
// Enqueue records an unlinked element with a fresh token, Reclaim frees the
// elements whose grace period is over by calling the queue's Free
// function. Enqueue reclaims by itself once more than a threshold of
// elements wait. Package lpm uses one to recycle tbl8 groups
// (lpm.RCUConfig).
//
// # Differences from DPDK
//
// A QSBR variable lives in Go memory (NewQSBR), not in memory the caller
// sizes with rte_rcu_qsbr_get_memsize: it is shared by the goroutines of
// one process. A defer queue is a Go FIFO behind a mutex (none with
// DQMTUnsafe) rather than an rte_ring; its elements are typed (T) instead
// of esize bytes, and Free is a Go function value that may capture what
// DPDK passes as the p pointer. The debug-only rte_rcu_qsbr_lock/unlock
// are not provided.
//
// Errors wrap ErrInvalid (bad thread id, bad parameters), ErrNoSpace (a full
// defer queue) and ErrAgain (Delete with resources still in their grace
// period).
package rcu
