// Package tap is DPDK's net_tap poll-mode driver: a port whose wire is a
// Linux TAP interface. What the port sends, the kernel receives on the
// interface; what the kernel sends out of the interface, the port
// receives. No cgo: system calls go through golang.org/x/sys/unix.
//
// Devargs (DPDK's names):
//
//	iface=NAME     the kernel interface (default: the first free dtapN);
//	               created as a multi-queue tap, or attached to when a
//	               multi-queue tap of that name exists
//	mac=fixed      the port's MAC is 02:64:74:61:70:NN ("dtap" and a
//	               counter), as DPDK's
//	mac=ADDR       the port's MAC is ADDR (default: a random locally
//	               administered address); the kernel interface keeps its own
//	persist[=0|1]  the interface outlives the port (TUNSETPERSIST); without
//	               it, closing the port removes the interface
//	remote=IFACE   DPDK's redirection to a remote interface: refused, not
//	               supported
//
//	dpk-testpmd --vdev net_tap0,iface=tap0 --vdev net_tap1,iface=tap1 -- --forward-mode=io
//
// Probe opens /dev/net/tun with IFF_TAP|IFF_NO_PI|IFF_MULTI_QUEUE|
// IFF_VNET_HDR; creating or attaching an interface needs CAP_NET_ADMIN,
// and the error says so (and is os.ErrPermission). Each RX queue has a tun
// file descriptor of its own (a queue of the interface, nonblocking); TX
// queue i writes to fd i modulo the number of RX queues. The kernel picks
// the queue of each frame it sends by flow hash, and remembers which queue
// a flow's frames were written on, so a flow, and both directions of a
// connection, stay on one queue. Configure opens and closes fds to match
// the number of RX queues (at most 16, DPDK's RTE_PMD_TAP_MAX_QUEUES).
//
// The interface may be moved into another network namespace after probe:
// the driver finds it there (TUNGETDEVNETNS) and opens its control sockets
// in that namespace. Start sets the interface up (IFF_UP), Stop sets it
// down; SetLinkUp/Down, promiscuous and all-multicast modes (IFF_PROMISC,
// IFF_ALLMULTI) and the MTU are the interface's. The link is up when the
// interface is up and running, at 10 Gbps (DPDK's tap's figure). When the
// interface is deleted under a port, the queues' fds are detached: RX gets
// nothing, TX drops (counted in oerrors), the link is down, Start fails
// with ErrRemoved, and Stop and Close work.
//
// # Receiving
//
// RxBurst reads frames with one readv each, until the kernel has none
// (EAGAIN) or the burst is full: the virtio_net_hdr into the queue, the
// frame straight into an mbuf, or a chain of mbufs when it is longer than
// one data room; there is no copy in user space. The longest frame taken
// is the MTU plus 22 bytes (Ethernet header, two VLAN tags), or 64 KiB
// with LRO; a longer one (the MTU was raised behind the port's back) is
// counted in ierrors and the xstat rx_truncated.
//
// Offloads: the driver tells the kernel (TUNSETOFFLOAD) that it takes
// partial checksums, so locally generated TCP and UDP frames arrive with
// VIRTIO_NET_HDR_F_NEEDS_CSUM and are completed in software, at
// csum_start/csum_offset, so the packet is right wherever it goes; such
// frames and those the kernel checked (DATA_VALID) get RX_L4_CKSUM_GOOD.
// TSO is only offered to the kernel when the application asks for
// ethdev.RxOffloadTCPLRO: TCP GSO frames of up to 64 KiB then arrive whole
// and are delivered as DPDK delivers a coalesced packet (RX_LRO,
// tso_segsz, RX_L4_CKSUM_NONE, and the TX_TCP_SEG requests that make a
// TSO-capable port, such as another tap port, send them on as they are).
// Without LRO the kernel segments in software before the frames reach the
// queue, so the port never sees a frame longer than the MTU. A GSO frame
// the driver cannot take is dropped and counted in ierrors.
//
// # Sending
//
// TxBurst writes each packet with one writev: a virtio_net_hdr built from
// the mbuf's offload requests, then the mbuf's segments (a chain longer
// than 64 segments is gathered first). TX_TCP_SEG becomes a GSO request
// (the kernel segments; the driver sets the IP length of the whole packet
// and the TCP pseudo-header sum the kernel wants), TX_TCP_CKSUM and
// TX_UDP_CKSUM a partial checksum, TX_IP_CKSUM is computed here, TX_VLAN
// inserts the tag. A request the driver cannot carry out (SCTP checksum,
// missing lengths) drops the packet and counts it in oerrors. When the
// kernel has no room (EAGAIN, ENOBUFS) TxBurst returns what it took.
//
// # Statistics
//
// ipackets, ibytes, opackets, obytes, ierrors and oerrors are counted by
// the queues and agree with the interface's counters (its tx is the
// port's rx). imissed is the interface's tx_dropped since the last reset:
// frames the kernel dropped because a queue was full (or it had no queue
// to send them to). Extended statistics:
//
//	rx_kernel_drops    the interface's tx_dropped (also in imissed)
//	rx_lro_frames      TCP GSO frames delivered whole (LRO)
//	rx_csum_completed  partial checksums completed in software
//	rx_truncated       frames longer than the queue's buffers, dropped
//	tx_tso_frames      packets sent with TSO (the kernel segments them)
//	tx_dropped         packets dropped on TX (also in oerrors)
//
// The burst functions make no heap allocation and take no lock.
package tap
