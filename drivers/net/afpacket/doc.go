// Package afpacket is DPDK's net_af_packet poll-mode driver: a port on a
// Linux network interface through AF_PACKET sockets, one per queue pair,
// with a memory-mapped TPACKET_V3 RX ring each. No cgo: system calls go
// through golang.org/x/sys/unix.
//
// Devargs (DPDK's names and defaults):
//
//	iface=NAME       the interface (required), in the process's network
//	                 namespace
//	qpairs=N         queue pairs (default 1, at most 256): RX and TX queue i
//	                 share socket i; with N > 1 the sockets of the RX queues
//	                 form a PACKET_FANOUT hash group
//	blocksz=BYTES    ring block size (default the page size, 4096)
//	framesz=BYTES    frame size (default 2048)
//	framecnt=N       frames per ring (default 512): each RX ring has
//	                 framesz*framecnt bytes (1 MiB by default)
//	qdisc_bypass=0|1 PACKET_QDISC_BYPASS: send without the interface's
//	                 queueing discipline (default 1, as DPDK)
//
//	dpk-testpmd --vdev net_af_packet0,iface=eth0,qpairs=2 -- --forward-mode=io
//
// Probe checks the arguments as DPDK does (framesz <= blocksz, at least
// one block of frames) and fails with an error naming the device and the
// interface: ErrNoInterface when it does not exist ("interface missing"),
// an error that is os.ErrPermission and says CAP_NET_RAW is needed when
// the process may not open packet sockets. An interface that is down is
// not an error: the link is reported down until it comes up, sending drops
// (counted in oerrors) and nothing is received. The MAC address and MTU are
// the interface's; MTUSet and MACAddrSet change the interface's.
//
// # Receiving
//
// Each RX queue reads its socket's TPACKET_V3 ring: the kernel fills blocks
// of variable-sized frames and hands a block over when it is full or 1 ms
// (a jiffy, at least) after its first frame; RxBurst looks at the status of
// the next block only, never blocks, copies each frame into an mbuf (a
// chain of mbufs when it does not fit one data room) and gives the block
// back once every frame of it is read. A TPACKET_V3 frame must fit in a
// block, and the kernel hands packet sockets GRO and TSO frames of up to
// 64 KiB, so RX blocks are at least 128 KiB: the ring keeps DPDK's size,
// framesz*framecnt, in fewer, larger blocks (default: 8 blocks of 128 KiB).
// That is small for 64 KiB frames, and at low packet rates, where each
// block is handed over nearly empty after 1 ms, it covers a reader that
// stalls for only 8 ms: give framecnt=4096 or more (8 MiB, 64 blocks) under
// bulk TCP or on a busy machine, or the kernel drops frames (imissed).
// Frames the kernel had to cut (longer than a block) are dropped and
// counted in ierrors.
//
// The sockets ignore outgoing packets (PACKET_IGNORE_OUTGOING): a port
// never receives what it or the host's stack sends. A stopped port's
// sockets drop everything (a drop-all socket filter); Start drops what is
// left in the rings from before. The fanout hash is the kernel's symmetric
// flow hash: a flow, and both directions of a connection, stay on one
// queue; it is also the mbuf's RSS hash (RX_RSS_HASH). Unlike DPDK, dpk
// sets neither PACKET_FANOUT_FLAG_ROLLOVER (a full queue would spill flows
// onto others, out of order) nor PACKET_FANOUT_FLAG_DEFRAG (the kernel would
// hand over reassembled datagrams larger than the MTU, which cannot be sent
// on: the reason DPDK's af_packet fails a 4000-byte ping through l2fwd);
// the fragments of a datagram stay on one queue anyway, as the kernel
// hashes fragments on addresses and protocol only.
//
// # Offloads: PACKET_VNET_HDR
//
// Both directions carry a virtio_net_hdr, the kernel's checksum and
// segmentation state of each packet. On RX:
//
//   - a partial checksum (VIRTIO_NET_HDR_F_NEEDS_CSUM: the sender, a veth
//     peer or a local socket, left it to the device) is completed in
//     software at csum_start/csum_offset, so the packet is right wherever it
//     is sent; the mbuf gets RX_L4_CKSUM_GOOD, as it does when the kernel
//     says the checksum was checked (DATA_VALID);
//   - a GSO frame (TCP over IPv4 or IPv6, or UDP_L4) is, by default, cut in
//     software into packets of gso_size payload bytes with complete headers
//     and checksums (RxBurst then returns them over as many bursts as it
//     takes): an application that did not ask for LRO never sees a packet
//     longer than the MTU;
//   - with ethdev.RxOffloadTCPLRO, a TCP GSO frame is delivered whole, as
//     virtio's and vhost's receive paths do: RX_LRO with tso_segsz,
//     RX_L4_CKSUM_NONE (checksum not computed, data intact), and the TX
//     offload requests that make a TSO-capable port send the original
//     segments again (TX_TCP_SEG, TX_IPV4 with TX_IP_CKSUM or TX_IPV6,
//     l2/l3/l4 lengths; the TCP checksum field holds DPDK's TSO
//     pseudo-header sum). l2fwd between two af_packet ports then moves 64
//     KiB frames and the kernel segments them where it must.
//
// On TX, the mbuf's requests become the virtio_net_hdr: TX_TCP_SEG (TSO:
// the kernel segments; the driver sets the IP length of the whole packet
// and the TCP pseudo-header sum the kernel wants), TX_TCP_CKSUM and
// TX_UDP_CKSUM (partial checksum), TX_IP_CKSUM (computed here), TX_VLAN
// (the tag is inserted). A request the driver cannot carry out (SCTP
// checksum, missing lengths, headers beyond the first segment) drops the
// packet and counts it in oerrors.
//
// # Sending
//
// TxBurst sends with sendmmsg(MSG_DONTWAIT), one message per packet: the
// virtio_net_hdr and the mbuf's segments as an iovec list, which the kernel
// copies; the mbufs are freed when the call returns. DPDK copies packets
// into the frames of a TPACKET_V2 TX ring instead and kicks the kernel with
// sendto(MSG_DONTWAIT). BenchmarkTxMethod measures both, bursts of 32 on a
// veth: the ring used 5-10% less CPU per packet (about 1.7 against 1.8 us
// at 64 bytes, 2.0 against 2.1 us at 1500 bytes, on a busy 2-CPU VM), and
// wall time was the same within the noise. dpk sends with sendmmsg all the
// same: it carries every packet (a ring frame would have to be 64 KiB long
// for a TSO frame, where DPDK's are 2 KiB), gathers chains without a copy in
// user space and needs no frame bookkeeping. When the kernel has no room
// (EAGAIN, ENOBUFS) TxBurst returns what it took and never blocks (DPDK
// polls). Packets the kernel refuses for good (interface down or gone, too
// long) are dropped and counted.
//
// # Link, events, statistics
//
// The link is up when the interface is up and has a carrier (IFF_UP and
// IFF_RUNNING), at the interface's speed; the port watches rtnetlink and
// raises EventIntrLSC (when Conf.IntrLSC asked for it) when that changes,
// and EventIntrRmv when the interface is deleted or leaves the namespace.
// A removed interface's port receives nothing, drops what it sends, and
// stops and closes cleanly; Start fails. Promiscuous and all-multicast
// modes are PACKET_ADD_MEMBERSHIP memberships, which the kernel drops when
// the process ends (DPDK sets IFF_PROMISC, which outlives it). The kernel's
// drop counters (PACKET_STATISTICS) are in imissed. Extended statistics:
//
//	rx_kernel_drops          packets the kernel dropped for want of room in
//	                         an RX ring (also in imissed)
//	rx_kernel_queue_freezes  times an RX ring was full (tp_freeze_q_cnt)
//	rx_gso_frames            GSO frames received (whole with LRO, else cut)
//	rx_gso_segments          packets cut from them in software
//	rx_csum_completed        partial checksums completed in software
//	rx_truncated             frames longer than a ring block, dropped
//	tx_tso_frames            packets sent with TSO (the kernel segments them)
//	tx_dropped               packets dropped on TX (also in oerrors)
//
// The burst functions make no heap allocation and take no lock.
package afpacket
