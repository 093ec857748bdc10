package ipfrag

import (
	"errors"
	"fmt"

	"dpk/mbuf"
	"dpk/mempool"
	"dpk/pkt"
)

// Errors of fragmentation. Each is a sentinel (made once, so returning it
// does not allocate); test with errors.Is.
var (
	// ErrNotSupported means the packet is of a kind this package does not
	// fragment: an IPv6 jumbogram or an IPv6 packet that is already a
	// fragment. ErrDontFragment wraps it.
	ErrNotSupported = errors.New("ipfrag: not supported")
	// ErrDontFragment means the IPv4 packet has DF set (DPDK: -ENOTSUP).
	ErrDontFragment = fmt.Errorf("ipfrag: don't fragment flag set: %w", ErrNotSupported)
	// ErrOutTooSmall means out has fewer entries than the packet needs
	// fragments (DPDK returns -EINVAL, as for its other argument errors).
	// Nothing was allocated.
	ErrOutTooSmall = errors.New("ipfrag: output array too small for the fragments")
	// ErrMTU means the MTU is below the protocol's minimum (68 for IPv4,
	// 1280 for IPv6) or leaves no room for 8 bytes of payload after the
	// headers (DPDK: -EINVAL).
	ErrMTU = errors.New("ipfrag: MTU too small")
	// ErrNoMbufs means a mempool ran out while fragmenting (DPDK:
	// -ENOMEM); every mbuf taken so far was freed. It matches
	// mempool.ErrNoObjects.
	ErrNoMbufs = fmt.Errorf("ipfrag: %w", mempool.ErrNoObjects)
	// ErrHeaderRoom means a direct mbuf has no room for the copied
	// header. It matches mbuf.ErrNoTailroom.
	ErrHeaderRoom = fmt.Errorf("ipfrag: direct mbuf too small for the header: %w", mbuf.ErrNoTailroom)
	// ErrBadConfig means NewTable's parameters are invalid (bucket
	// entries not a power of two, too many or no entries, max entries
	// above the table size, fragments per packet out of range).
	ErrBadConfig = errors.New("ipfrag: invalid table parameters")
)

// Errors of reassembly. When ReassembleIPv4 or ReassembleIPv6 returns one
// of them the fragment (and, where said, the rest of its datagram) is on
// the death row and has been counted in the table's Stats; the caller
// must not touch the mbuf again.
var (
	// ErrMalformed means the fragment itself is invalid: a header that
	// does not parse or lies outside the first segment, a total or payload
	// length with no data or beyond the mbuf, a non-last fragment whose
	// length is not a multiple of 8. It matches pkt.ErrMalformed.
	// Counted in Stats.Malformed; only this fragment is dropped.
	ErrMalformed = fmt.Errorf("ipfrag: malformed fragment: %w", pkt.ErrMalformed)
	// ErrOversize means offset plus length would make the datagram longer
	// than 65,535 bytes (the ping of death). Stats.Oversize; only this
	// fragment is dropped.
	ErrOversize = errors.New("ipfrag: reassembled datagram would exceed 65535 bytes")
	// ErrTinyFragment means a first fragment too short to hold the
	// upper-layer header (RFC 1858, RFC 7112), or an IPv4 TCP fragment at
	// offset 8 (RFC 1858's FO=1 rule). Stats.TinyFragment; only this
	// fragment is dropped. TableConfig.AllowTinyFragments turns the check
	// off, as in DPDK.
	ErrTinyFragment = errors.New("ipfrag: tiny fragment")
	// ErrDuplicate means a fragment with the offset and length of one
	// already held. Stats.Duplicate; only the new copy is dropped and the
	// datagram's reassembly goes on.
	ErrDuplicate = errors.New("ipfrag: duplicate fragment")
	// ErrOverlap means a fragment overlapping one already held (teardrop).
	// Stats.Overlap; the whole datagram is dropped (RFC 5722).
	ErrOverlap = errors.New("ipfrag: overlapping fragment")
	// ErrInconsistent means fragments that disagree on the datagram's
	// end: a second last fragment, a last fragment ending before data
	// already held, or a fragment beyond the known end.
	// Stats.Inconsistent; the whole datagram is dropped.
	ErrInconsistent = errors.New("ipfrag: fragments disagree on the datagram's length")
	// ErrTooManyFrags means the datagram has more fragments than the
	// table allows (TableConfig.MaxFrags, DPDK's
	// RTE_LIBRTE_IP_FRAG_MAX_FRAG). Stats.TooManyFrags; the whole datagram
	// is dropped.
	ErrTooManyFrags = errors.New("ipfrag: too many fragments")
	// ErrTableFull means the table holds MaxEntries datagrams and the
	// oldest has not expired (DPDK's fail_nospace). Stats.FailNoSpace and
	// FailTotal; the fragment is dropped.
	ErrTableFull = errors.New("ipfrag: table full")
	// ErrBucketFull means both buckets the key hashes to are full of
	// live datagrams (DPDK's hash-collision failure). Stats.FailTotal; the
	// fragment is dropped.
	ErrBucketFull = errors.New("ipfrag: both hash buckets full")
)
