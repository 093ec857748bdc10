// Package ring is DPDK's rte_ring in Go: a fixed-size, lock-free FIFO of
// fixed-size elements that lives in shared memory, so that goroutines,
// lcores and processes can pass objects to each other in bulk without
// locks or allocation.
//
// # Modes
//
// Each side of a ring, producer and consumer, has a synchronisation mode
// chosen by flags at creation, as in DPDK:
//
//   - multi-thread (MP/MC, the default): any number of goroutines enqueue
//     (dequeue) at once. A thread reserves slots by moving the head with a
//     compare-and-swap, copies, then publishes by moving the tail once the
//     threads that reserved before it have published theirs.
//   - single-thread (FlagSPEnq, FlagSCDeq): one goroutine at a time uses the
//     side, which then needs no atomic read-modify-write and is fastest.
//   - relaxed tail sync (FlagMPRTSEnq, FlagMCRTSDeq) and head/tail sync
//     (FlagMPHTSEnq, FlagMCHTSDeq): multi-thread modes in which a thread
//     preempted in the middle of an operation does not stall the others as
//     long (RTS), or in which only one operation per side is in flight
//     (HTS). Prefer them when lcores can be preempted, as goroutines that are
//     not locked to their own CPU can.
//
// The methods are the same in every mode: EnqueueBulk and DequeueBulk move
// all the requested elements or none, EnqueueBurst and DequeueBurst move as
// many as they can; both return the number moved and the free space or the
// entries left. Without FlagExactSize a ring of count slots (a power of
// two) holds count-1 elements; with it, exactly count.
//
// # Memory and processes
//
// A ring is a header (name, flags, size), the producer's and the
// consumer's head and tail each on its own cache line, and the slots, as
// struct rte_ring. Create reserves it in an EAL memzone named "RG_"+name;
// Init lays it out in memory the caller provides (see MemSize). The shared
// memory holds no pointers and no addresses, only 32-bit positions that
// wrap around, so it is valid in every process that maps it, wherever the
// mapping lands. A *Ring is a process-local handle on it: Lookup gives a
// new handle on a ring made by Create in this process or in another
// process of the same --file-prefix.
//
// The element API (EnqueueBulkElem and friends, and the typed
// EnqueueBulkU64 ones for 8-byte values) copies the bytes of each element
// as they are. What crosses processes must mean the same in each one:
// indices, offsets from a memseg base, small descriptors.
//
// The pointer API (EnqueueBulk, Enqueue and friends, on rings of 8-byte
// elements as Create makes) moves unsafe.Pointer values, copied raw
// without conversion, as DPDK's void * functions do. A pointer means
// something only in the process that enqueued it. While it sits in the ring
// the garbage collector does not see it, and the copies do not run the
// collector's write barriers: put only pointers to memory the collector
// does not manage (memzones, mempool objects, mbufs, mmap), never pointers
// to Go-allocated objects, and dequeue into slices that hold only such
// pointers.
//
// # Cost
//
// No enqueue or dequeue allocates, takes a lock or makes a system call.
// The functions are about as fast as DPDK's (cmd/dpk-test's
// ring_perf_autotest measures them the same way): one call, an atomic
// compare-and-swap per side in the multi-thread modes, and a copy that is
// inline for up to 128 bytes. On amd64 the tail is published with a plain
// store, which x86's memory model makes a release (see store_amd64.go).
//
// Bad arguments do not panic: a request larger than the ring, a nil or
// empty slice, a nil element pointer or a pointer-API call on a ring of
// another element size moves nothing. Using a ring after Free is undefined,
// as in DPDK.
package ring
