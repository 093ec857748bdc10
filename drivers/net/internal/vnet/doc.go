// Package vnet holds what the kernel-facing drivers (af_packet and tap)
// share about struct virtio_net_hdr, the header the kernel puts before
// every frame of a packet socket with PACKET_VNET_HDR and of a tun device
// with IFF_VNET_HDR: the skb's checksum state (CHECKSUM_PARTIAL as
// NEEDS_CSUM with csum_start and csum_offset, CHECKSUM_UNNECESSARY as
// DATA_VALID) and its segmentation state (gso_type, gso_size, hdr_len).
//
// On receive, Decode reads a header, ParseGSO locates the headers of a GSO
// frame, PartialCsum (flat) or CompleteCsum (mbuf chain) finish a partial
// checksum, PatchSegment fixes the headers of each packet cut from a GSO
// frame in software, and LROChecksum and LROFlags mark a GSO frame
// delivered whole as DPDK marks a coalesced packet. On transmit, TxOffload
// turns an mbuf's offload requests into a header and Encode writes it.
// SetIov points an iovec at a buffer for the readv, writev and sendmmsg
// calls that carry the header and the frame.
//
// Everything here works on memory the caller owns: the functions keep no
// state, allocate nothing (they run on the packet path) and are safe for
// concurrent use on distinct buffers. The header's 16-bit fields are in
// the host's byte order: a packet socket uses the kernel's vio_le() (host
// order) and a tun device is a legacy virtio device, native endian unless
// TUNSETVNETLE or TUNSETVNETBE was used.
//
// The package is internal to the drivers: its names follow the kernel's
// (include/uapi/linux/virtio_net.h) rather than ethdev's.
package vnet
