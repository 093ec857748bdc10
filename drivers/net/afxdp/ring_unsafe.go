package afxdp

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// This file holds the driver's views of memory shared with the kernel:
// the rings' indices and entries, and mbufs addressed by UMEM offsets.

// xdpDesc is struct xdp_desc, an RX or TX ring entry.
type xdpDesc = unix.XDPDesc

const (
	addrEntrySize = 8  // fill and completion rings: a __u64 address
	descEntrySize = 16 // RX and TX rings: struct xdp_desc
)

var _ [descEntrySize - unsafe.Sizeof(xdpDesc{})]byte

// mapRing builds a ring view over mem, a mapping of a ring whose layout
// the kernel gave in off (XDP_MMAP_OFFSETS), with size entries of esize
// bytes. It checks that everything lies inside mem.
func mapRing(mem []byte, off unix.XDPRingOffset, size, esize uint32) (xskRing, error) {
	need := off.Desc + uint64(size)*uint64(esize)
	if need > uint64(len(mem)) || off.Producer+4 > uint64(len(mem)) || off.Consumer+4 > uint64(len(mem)) || off.Flags+4 > uint64(len(mem)) ||
		off.Producer%4 != 0 || off.Consumer%4 != 0 || off.Flags%4 != 0 || off.Desc%8 != 0 {
		return xskRing{}, fmt.Errorf("ring layout %+v does not fit a %d-byte mapping of %d entries", off, len(mem), size)
	}
	return xskRing{
		prod:    (*uint32)(unsafe.Pointer(&mem[off.Producer])),
		cons:    (*uint32)(unsafe.Pointer(&mem[off.Consumer])),
		flags:   (*uint32)(unsafe.Pointer(&mem[off.Flags])),
		size:    size,
		mask:    size - 1,
		entries: mem[off.Desc:need:need],
	}, nil
}

// addr returns the address entry at index i of a fill or completion ring.
func (r *xskRing) addr(i uint32) *uint64 {
	return (*uint64)(unsafe.Pointer(&r.entries[(i&r.mask)*addrEntrySize]))
}

// desc returns the descriptor at index i of an RX or TX ring.
func (r *xskRing) desc(i uint32) *xdpDesc {
	return (*xdpDesc)(unsafe.Pointer(&r.entries[(i&r.mask)*descEntrySize]))
}

// umemView turns UMEM offsets into mbufs and back. The UMEM starts at
// base; every mbuf of the pool is a chunk whose address is the mbuf
// header's offset from base.
type umemView struct {
	base unsafe.Pointer
	size uint64
}

// mbufAt returns the mbuf header at UMEM offset off.
func (v umemView) mbufAt(off uint64) unsafe.Pointer { return unsafe.Add(v.base, uintptr(off)) }

// offsetOf returns p's offset in the UMEM.
func (v umemView) offsetOf(p unsafe.Pointer) uint64 { return uint64(uintptr(p) - uintptr(v.base)) }

// start returns the UMEM's address, for XDP_UMEM_REG.
func (v umemView) start() uint64 { return uint64(uintptr(v.base)) }
