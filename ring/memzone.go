package ring

import (
	"fmt"

	"dpk/eal"
)

// Create makes a ring of pointers (8-byte elements) in a new memzone named
// MemzonePrefix+name (rte_ring_create). count is the number of slots, a
// power of two (the ring holds count-1), or with FlagExactSize the number of
// elements to hold. socket is a NUMA socket or eal.SocketIDAny. It returns
// an error wrapping ErrInvalid, ErrNameTooLong, ErrExist or ErrNoMem.
func Create(name string, count uint32, socket int, flags Flags) (*Ring, error) {
	return CreateElem(name, 8, count, socket, flags)
}

// CreateElem makes a ring of esize-byte elements (a multiple of 4) in a new
// memzone (rte_ring_create_elem); see Create.
func CreateElem(name string, esize, count uint32, socket int, flags Flags) (*Ring, error) {
	if len(MemzonePrefix)+len(name) >= memzoneNameSize {
		return nil, fmt.Errorf("ring: create %q: %w (at most %d bytes)", name, ErrNameTooLong, memzoneNameSize-1-len(MemzonePrefix))
	}
	if flags&^flagsMask != 0 {
		return nil, fmt.Errorf("ring: create %q: %w: unsupported flags %#x", name, ErrInvalid, uint32(flags))
	}
	if _, _, err := syncTypes(flags); err != nil {
		return nil, fmt.Errorf("ring: create %q: %w", name, err)
	}
	size, _, err := slotCount(count, flags)
	if err != nil {
		return nil, fmt.Errorf("ring: create %q: %w", name, err)
	}
	sz, err := MemSize(size, esize)
	if err != nil {
		return nil, fmt.Errorf("ring: create %q: %w", name, err)
	}
	mz, err := eal.MemzoneReserveAligned(MemzonePrefix+name, sz, socket, 0, eal.CacheLineSize)
	if err != nil {
		return nil, fmt.Errorf("ring: create %q: %w", name, err)
	}
	r, err := Init(mz.Addr(), name, count, esize, flags)
	if err != nil {
		eal.MemzoneFree(mz)
		return nil, fmt.Errorf("ring: create: %w", err)
	}
	r.mz = mz
	return r, nil
}

// Lookup returns a new handle on the ring called name, made by Create in
// this process or in another one of the same --file-prefix
// (rte_ring_lookup). It returns an error wrapping ErrNotFound if there is
// none.
func Lookup(name string) (*Ring, error) {
	if len(MemzonePrefix)+len(name) >= memzoneNameSize {
		return nil, fmt.Errorf("ring: lookup %q: %w", name, ErrNotFound)
	}
	mz, err := eal.MemzoneLookup(MemzonePrefix + name)
	if err != nil {
		return nil, fmt.Errorf("ring: lookup %q: %w", name, err)
	}
	r, err := attach(mz.Addr(), mz.Len())
	if err != nil {
		return nil, fmt.Errorf("ring: lookup %q: %w", name, err)
	}
	r.mz = mz
	return r, nil
}

// Free releases the memzone of a ring made by Create or found by Lookup
// (rte_ring_free). Every handle on the ring, in every process, must be
// out of use: the memory is reused. A ring made by Init has no memzone and
// Free returns ErrInvalid for it.
func (r *Ring) Free() error {
	if r == nil || r.mz == nil {
		return fmt.Errorf("ring: free: %w: not created with Create", ErrInvalid)
	}
	if err := eal.MemzoneFree(r.mz); err != nil {
		return fmt.Errorf("ring: free %q: %w", r.name, err)
	}
	r.mz = nil
	return nil
}
