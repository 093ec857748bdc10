// Package afxdp is DPDK's net_af_xdp poll-mode driver: a port on a Linux
// network interface through AF_XDP sockets, one per queue pair, whose
// frames are the mbufs of the RX queue's pool. No cgo and no clang: system
// calls go through golang.org/x/sys/unix, and the XDP program is built in
// Go with github.com/cilium/ebpf's asm package.
//
// Devargs (DPDK 22.11's names and defaults):
//
//	iface=NAME       the interface (required), in the process's network
//	                 namespace
//	start_queue=N    the first of the interface's queues the port drives
//	                 (default 0)
//	queue_count=N    how many (default 1): RX and TX queue i use socket i,
//	                 bound to queue start_queue+i
//	shared_umem=0|1  queues (and ports) with the same mbuf pool share one
//	                 UMEM (XDP_SHARED_UMEM) instead of registering one each
//	xdp_prog=PATH    an ELF object with the XDP program to attach instead
//	                 of dpk's; it must have an XSKMAP named xsks_map, with
//	                 more entries than start_queue+queue_count-1, into
//	                 which the driver puts each socket at its queue id
//	busy_budget=N    busy polling (SO_PREFER_BUSY_POLL, SO_BUSY_POLL 20 us,
//	                 SO_BUSY_POLL_BUDGET N); default 64, 0 turns it off;
//	                 best effort: refused, it is logged and left off
//	force_copy=0|1   bind in copy mode (XDP_COPY) even where the driver
//	                 offers zero copy
//
//	dpk-testpmd --vdev net_af_xdp0,iface=eth0,queue_count=2 -- --forward-mode=io
//
// # Memory: the UMEM is the mempool
//
// An RX queue registers its mbuf pool's memory as the socket's UMEM, with
// XDP_UMEM_UNALIGNED_CHUNK_FLAG, as DPDK's af_xdp does: every mbuf is a
// chunk whose address is its header's offset in the UMEM, and the UMEM
// frame headroom covers the mbuf header, its private area and the mbuf
// headroom. The kernel writes a packet into the mbuf's data room, 256
// bytes (XDP_PACKET_HEADROOM) after the usual data offset; the RX
// descriptor's address names the mbuf and the data offset, so RxBurst
// hands the very mbuf up: no copy. A frame holds data room - 128 - 256
// bytes: 1792 with mbuf.DefaultBufSize, so MTUs up to 1778; longer packets
// are dropped by the kernel (imissed, rx_xsk_dropped).
//
// TxBurst sends an mbuf of the UMEM's pool (the pool of RX queue i, for TX
// queue i) from where it lies: its address goes on the TX ring, and the
// mbuf is freed when the kernel hands the address back on the completion
// ring. Mbufs of other pools, chains, indirect mbufs and mbufs with more
// than one reference are copied into a fresh mbuf of the UMEM's pool
// first (tx_copied). Ports sharing a pool forward between them with no
// copy in user space.
//
// Each queue keeps nb_desc mbufs in the kernel's hands on the fill ring and
// marks them in a bitmap, as the TX queue marks what it sent: at Stop the
// sockets are closed (after the kernel completed what was sent, 200 ms at
// most) and every marked mbuf goes back to its pool, so a stopped port
// holds no mbuf. Start opens the sockets again.
//
// # Rings and wakeups
//
// The fill, completion, RX and TX rings are mapped from the socket
// (XDP_MMAP_OFFSETS). dpk produces into fill and TX and consumes from RX
// and completion; the other side's index is read with an atomic load
// (acquire) only when the cached copy says full or empty, and ours is
// published with an atomic store (release) once the entries are written.
// Sockets are bound with XDP_USE_NEED_WAKEUP: RxBurst makes a non-blocking
// recvfrom only when the fill ring asks for it and TxBurst a non-blocking
// sendto only when the TX ring does (in copy mode it always does: the
// kernel sends in sendto, 32 frames per call). With busy polling both kick
// on every call, which drives the device's NAPI from the lcore.
//
// # Zero copy, copy mode, native and generic XDP
//
// Without force_copy the driver binds with XDP_ZEROCOPY and, when the
// driver cannot (veth and most virtual interfaces), binds again with
// XDP_COPY and logs it. The XDP program is attached in native mode first
// and in generic mode (XDP_FLAGS_SKB_MODE) where the driver has none. The
// program is DPDK's default, bpf_redirect_map(&xsks_map,
// ctx->rx_queue_index, XDP_PASS): queues without a socket, and a stopped
// port's, pass packets to the kernel's stack.
//
// # Stale programs
//
// The program is attached through rtnetlink, so it outlives a process that
// crashes. dpk names its program dpk_xsk_<pid>; Start looks at what the
// interface has: a program of dpk's whose process is gone (or this
// process's, held by no port) is stale and is replaced, atomically with
// XDP_FLAGS_REPLACE in native mode, else detached first; with xdp_prog, a
// program of the same name as the object's is taken to be left over from
// an earlier run. Anything else (another live dpk process's, a foreign
// program) makes Start fail with a message that names it. Close takes the
// port's program off (only if it is still the one attached) and frees it
// and its map.
//
// # Veth
//
// veth has native XDP and no zero copy: ports run in copy mode. An XDP
// program on one end makes the peer stop sending GSO frames, so packets
// arrive at most MTU-sized; but a frame reaches an AF_XDP socket as bytes
// only, so a checksum the peer left to its device (veth's TX checksum
// offload, CHECKSUM_PARTIAL) would cross unfinished and be dropped where
// it lands: turn the peer's offload off (ethtool -K PEER tx off), as the
// tests do. Frames sent from a socket on a veth reach its peer with no XDP
// program or GRO on the peer (checked on Linux 6.18). A veth has as many
// queues as it was created with: ip link add A numrxqueues 2 numtxqueues 2
// type veth peer name B numrxqueues 2 numtxqueues 2; a packet arrives on
// the queue its sender's stack chose to send on.
//
// # Link and statistics
//
// The link is up when the interface is up and has a carrier; a removed
// interface's port receives nothing, keeps its TX ring full, reports the
// link down, and stops and closes cleanly; Start fails with ErrNoInterface.
// MTUSet and promiscuous and all-multicast modes change the interface
// (SIOCSIFMTU, IFF_PROMISC, IFF_ALLMULTI), as DPDK does. The kernel's
// socket counters (XDP_STATISTICS) feed imissed (rx_dropped + rx_ring_full;
// rx_fill_ring_empty_descs counts the same packets again in copy mode, so
// it is an xstat only), ierrors and oerrors (invalid descriptors).
// Extended statistics:
//
//	rx_xsk_dropped          packets the sockets dropped: no frame, frame
//	                        too short (XDP_STATISTICS rx_dropped)
//	rx_xsk_invalid_descs    invalid fill ring entries
//	rx_xsk_ring_full        packets dropped for a full RX ring
//	rx_xsk_fill_ring_empty  times the kernel found the fill ring empty
//	tx_xsk_invalid_descs    invalid TX descriptors
//	tx_xsk_ring_empty       kicks that found the TX ring empty
//	rx_bad_descs            RX descriptors naming no mbuf the queue posted
//	tx_bad_completions      completions naming no mbuf the queue sent
//	tx_copied               packets copied into the UMEM on TX
//	rx_wakeups, tx_wakeups  recvfrom and sendto calls made to kick the kernel
//
// The burst functions make no heap allocation and take no lock; the tests
// prove it with testing.AllocsPerRun. RLIMIT_MEMLOCK is left alone: on
// Linux 5.11 and later BPF memory is charged to the memory cgroup, and the
// UMEM needs CAP_IPC_LOCK or enough RLIMIT_MEMLOCK to pin the pool.
package afxdp
