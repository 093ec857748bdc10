// Package checksum computes the checksums of the Internet protocols: the
// 16-bit one's-complement Internet checksum of IPv4, TCP, UDP, ICMP and
// ICMPv6 (RFC 1071), its incremental update (RFC 1624), and the CRC32C of
// SCTP (RFC 4960 appendix B). It is DPDK's rte_ip.h / rte_cksum.h checksum
// API (rte_raw_cksum, rte_ipv4_cksum, rte_ipv4_udptcp_cksum and their
// _verify forms, rte_ipv4_phdr_cksum) as a leaf package: it imports only the
// standard library and golang.org/x/sys/cpu, works on byte slices, never
// allocates and never panics, whatever the lengths it is given.
//
// # Sums and checksums
//
// [Partial] is the running sum, 32 bits wide like DPDK's, that everything
// else is built on: it continues from an initial sum, so a packet can be
// summed header by header or buffer by buffer, a pseudo-header sum
// ([PseudoHeaderIPv4], [PseudoHeaderIPv6]) can be the starting point, and
// [Combine] joins the sum of a piece that starts at an odd offset, as in an
// mbuf chain. [Fold] reduces a sum to 16 bits; [Checksum] is the complement
// of the fold, the value a checksum field holds. Sums from this package are
// always folded to at most 0xffff and are 0 only for all-zero data; every
// implementation returns the same value, bit for bit.
//
// # Protocol helpers
//
// [IPv4Header] and [VerifyIPv4Header] cover the IPv4 header checksum.
// [UDPTCPIPv4], [UDPTCPIPv6] and their Verify forms compute the TCP or UDP
// checksum of a packet from its IP header, pseudo-header included, the
// checksum field taken as zero whatever it holds, and UDP's "0 is sent as
// 0xffff" rule applied. [Transport] does the same from a pseudo-header sum,
// for packets with IPv6 extension headers. [ICMPv4] (no pseudo-header) and
// [ICMPv6] (IPv6 pseudo-header) cover ICMP. [SCTP] and [VerifySCTP] compute
// SCTP's CRC32C, stored least significant byte first.
//
// [Update16], [Update32] and [Update128] patch a checksum field after a 16-bit
// word, a 32-bit value (an IPv4 address) or an IPv6 address changes, by RFC
// 1624 equation 3, which keeps the right sign of zero: a router decrements
// the TTL and a NAT rewrites addresses and ports without summing the packet
// again. Remember that the TCP and UDP checksums cover the IP addresses
// through the pseudo-header.
//
// # Speed
//
// The one's-complement sum does not depend on byte order (RFC 1071), so the
// kernels read the data as little-endian words and swap the result once. On
// amd64 Partial runs assembly (partial_amd64.s): with AVX2, 32-byte loads are
// added in 32-bit vector lanes alongside their high 16-bit halves, from which
// the exact sum is rebuilt, about 16 ns for a 1500-byte packet (90 GB/s) on a
// 3.5 GHz AMD EPYC; below 128 bytes and on CPUs without AVX2, an ADC chain
// over 8-byte words. Elsewhere, or built with the purego tag, a portable Go
// kernel adds 64-bit words with carry (about 20 GB/s). IPv4Header sums a
// 20-byte header inline in about 2 ns. SCTP uses hash/crc32, which has its
// own CRC32C instructions.
package checksum
