// Package pkt holds typed, zero-copy views of packet headers (DPDK's
// lib/net: rte_ether.h, rte_ip.h, rte_tcp.h, rte_udp.h, rte_gre.h,
// rte_vxlan.h, rte_geneve.h, rte_gtp.h, rte_mpls.h, ...), the protocol
// numbers they use, a packet-type parser, and builders that write whole
// test packets into mbufs. Checksum arithmetic lives in the sibling
// package pkt/checksum.
//
// # Views
//
// A view is a byte slice with a header's name: IPv4, TCP, GRE, Geneve and
// so on are all []byte, and their methods read and write the header's
// fields in place, in network byte order, through offset constants that
// sit under the RFC's diagram in each file (the habit of gVisor's
// tcpip/header). Nothing is decoded into a struct; a field is read when it
// is asked for, so a forwarding loop pays only for the fields it uses.
//
// The way in is a checked constructor:
//
//	ip, err := pkt.ParseIPv4(b)
//
// ParseX checks that b holds the whole header: its fixed part and, for
// variable-length headers, what its length fields announce (the IPv4 IHL,
// the TCP data offset, an IPv6 extension header's length, the optional
// words of GRE, Geneve's option length, the GTP-U extension chain, NSH's
// length). A short buffer gives ErrTruncated and an impossible field
// ErrMalformed, each wrapped with the header's name ("pkt: TCP: data
// offset below 5: malformed header"); test them with errors.Is. The
// constructors and accessors never allocate and never panic on what the
// constructor accepted: fixed fields are covered by the constructor's
// check, and accessors of optional parts (GRE's key, GTP-U's sequence
// number, an SRH segment, a TCP option) report ok=false rather than read
// past the view. Converting a slice directly (pkt.IPv4(b)) skips the
// checks; do it only on bytes already validated or about to be written.
//
// A view spans from its header to the end of the slice it was made from:
// Payload returns what follows the header, bounded by the header's own
// length field where it has one (IPv4 total length, IPv6 payload length,
// UDP length), so Ethernet padding stays out. Iterators (IPv6ExtIter,
// TCPOptionIter, NDOptionIter, GeneveOptionIter, GTPUExtIter, ...) walk
// chained or TLV-coded parts with a bounded number of steps and report a
// bad element through Err.
//
// Setters write fields in place. Those of IPv4 keep the header checksum
// right with an RFC 1624 incremental update, so a router's
// ip.DecTTL() leaves a valid header valid; L4 checksums, which cover the
// addresses through the pseudo-header, are the caller's to update
// (TCP.UpdateChecksumAddr, UDP.UpdateChecksumAddr) or recompute
// (CalculateChecksum with PseudoHeaderSum). Encode methods write a whole
// header from a fields struct.
//
// # Lifetimes
//
// A view aliases the buffer it was made from; it copies nothing and owns
// nothing. A view into an mbuf's data (m.Data()) lives in off-heap memory
// that the garbage collector does not track: it is valid only while the
// caller owns the mbuf, and must not be kept after the mbuf is freed or
// transmitted (TxBurst hands the buffer to the driver). The same holds
// for slices returned by accessors (Options, Payload, NDOption, ...).
// Addresses come back as values (netip.Addr, MAC, [4]byte), which may be
// kept.
//
// # Builders
//
// EncodeUDP and EncodeTCP write an Ethernet (optionally VLAN-tagged),
// IPv4 or IPv6, and UDP or TCP frame described by a PacketSpec into a
// byte slice, with correct lengths and checksums; BuildUDP and BuildTCP
// append it to an empty mbuf and set its TX offload fields, as testpmd's
// txonly engine does. None of them allocates.
package pkt
