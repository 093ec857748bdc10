// Package mbuf is DPDK's rte_mbuf: the packet buffer. An Mbuf is a 128-byte
// header in two cache lines followed, in the same mempool object, by a
// private area, headroom (RTE_PKTMBUF_HEADROOM, 128 bytes) and the data
// room. Mbufs live outside the Go heap, in EAL memory, so *Mbuf values cost
// the garbage collector nothing and can be handed between lcores, and
// (through ring element APIs) between processes.
//
// # Layout
//
// The first cache line holds what RX and forwarding touch: the buffer
// position, the next segment, refcount, data offset, segment count, offload
// flags, packet type, packet and data lengths, VLAN TCI, RSS hash, buffer
// length, port and pool. The second holds TX offload lengths
// (l2/l3/l4/tso_segsz/outer), the private size and dynamic fields.
//
// Unlike DPDK the buffer and next-segment positions are stored as offsets
// relative to the mbuf itself, not as absolute addresses: an mbuf, its
// chain and the buffer it is attached to all lie in the one EAL memory
// window, whose base differs between processes, so self-relative offsets
// are valid everywhere. An mbuf's IOVA is its virtual address (IOVA as VA).
//
// # Ownership
//
// An mbuf has one owner at a time, except that attached (indirect) mbufs
// share their direct mbuf's buffer through its reference count. Freeing
// takes the lcore id whose mempool cache receives the mbuf; eal.LcoreIDAny
// bypasses caches. The allocation and free paths make no heap allocations.
package mbuf
