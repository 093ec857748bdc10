package ring

import (
	"fmt"
	"unsafe"
)

// MemSize returns the bytes a ring of count slots of esize bytes needs
// (rte_ring_get_memsize_elem): the header plus the slots, rounded up to a
// cache line. count must be a power of two no larger than MaxSize and
// esize a non-zero multiple of 4. For a FlagExactSize ring pass the slot
// count it will get: the next power of two above the requested count.
func MemSize(count, esize uint32) (uint64, error) {
	if esize == 0 || esize%4 != 0 {
		return 0, fmt.Errorf("%w: element size %d is not a non-zero multiple of 4", ErrInvalid, esize)
	}
	if count == 0 || count&(count-1) != 0 || count > MaxSize {
		return 0, fmt.Errorf("%w: count %d is not a power of 2 in [1, %d]", ErrInvalid, count, uint32(MaxSize))
	}
	sz := uint64(headerSize) + uint64(count)*uint64(esize)
	return (sz + 63) &^ 63, nil
}

// slotCount returns the slot count and capacity for a requested count.
func slotCount(count uint32, flags Flags) (size, capacity uint32, err error) {
	if flags&FlagExactSize != 0 {
		if count == 0 || count >= MaxSize {
			return 0, 0, fmt.Errorf("%w: exact count %d is not in [1, %d]", ErrInvalid, count, uint32(MaxSize-1))
		}
		size = 1
		for size < count+1 {
			size <<= 1
		}
		return size, count, nil
	}
	if count == 0 || count&(count-1) != 0 || count > MaxSize {
		return 0, 0, fmt.Errorf("%w: count %d is not a power of 2 in [1, %d]", ErrInvalid, count, uint32(MaxSize))
	}
	return count, count - 1, nil
}

// Init makes a ring in caller memory (rte_ring_init): mem must hold
// MemSize(size, esize) bytes, where size is the slot count (count, or the
// next power of two above it with FlagExactSize), and be 8-byte aligned
// (64 is best). The memory must not move and must outlive the ring; it may
// be Go memory (the handle keeps it alive) or memory the garbage collector
// does not see, such as a memzone. Free does not apply to such a ring.
func Init(mem unsafe.Pointer, name string, count, esize uint32, flags Flags) (*Ring, error) {
	if mem == nil || uintptr(mem)%8 != 0 {
		return nil, fmt.Errorf("%w: ring %q: memory %p is not 8-byte aligned", ErrInvalid, name, mem)
	}
	if flags&^flagsMask != 0 {
		return nil, fmt.Errorf("%w: ring %q: unsupported flags %#x", ErrInvalid, name, uint32(flags))
	}
	if len(name) >= NameSize {
		return nil, fmt.Errorf("%w: ring %q: at most %d bytes", ErrNameTooLong, name, NameSize-1)
	}
	prodSync, consSync, err := syncTypes(flags)
	if err != nil {
		return nil, fmt.Errorf("ring %q: %w", name, err)
	}
	size, capacity, err := slotCount(count, flags)
	if err != nil {
		return nil, fmt.Errorf("ring %q: %w", name, err)
	}
	if _, err := MemSize(size, esize); err != nil {
		return nil, fmt.Errorf("ring %q: %w", name, err)
	}
	clear(unsafe.Slice((*byte)(mem), headerSize))
	h := (*header)(mem)
	copy(h.name[:], name)
	h.flags = uint32(flags)
	h.size = size
	h.mask = size - 1
	h.capacity = capacity
	h.esize = esize
	(*headtail)(unsafe.Add(mem, prodOff)).sync = prodSync
	(*headtail)(unsafe.Add(mem, consOff)).sync = consSync
	if prodSync == syncMTRTS {
		(*rtsHeadtail)(unsafe.Add(mem, prodOff)).htdMax = capacity / htdMaxDiv
	}
	if consSync == syncMTRTS {
		(*rtsHeadtail)(unsafe.Add(mem, consOff)).htdMax = capacity / htdMaxDiv
	}
	h.magic = magic
	return attach(mem, 0)
}

// attach returns a new handle on the ring at mem, checking its header.
// length, if not 0, is the size of the memory region, which must hold the
// whole ring.
func attach(mem unsafe.Pointer, length uint64) (*Ring, error) {
	if mem == nil || uintptr(mem)%8 != 0 || (length != 0 && length < headerSize) {
		return nil, fmt.Errorf("%w: no ring at %p", ErrInvalid, mem)
	}
	h := (*header)(mem)
	n := 0
	for n < NameSize && h.name[n] != 0 {
		n++
	}
	name := string(h.name[:n])
	need, err := MemSize(h.size, h.esize)
	if h.magic != magic || err != nil || h.mask != h.size-1 || h.capacity > h.mask ||
		(h.flags&^uint32(flagsMask)) != 0 || (length != 0 && length < need) {
		return nil, fmt.Errorf("%w: memory at %p holds no valid ring", ErrInvalid, mem)
	}
	prodSync, consSync, err := syncTypes(Flags(h.flags))
	if err != nil {
		return nil, err
	}
	prod := unsafe.Add(mem, prodOff)
	cons := unsafe.Add(mem, consOff)
	return &Ring{
		prod:     (*headtail)(prod),
		cons:     (*headtail)(cons),
		slots:    (*byte)(unsafe.Add(mem, headerSize)),
		mask:     h.mask,
		size:     h.size,
		capacity: h.capacity,
		esize:    h.esize,
		prodSync: prodSync,
		consSync: consSync,
		prodHTS:  (*htsHeadtail)(prod),
		consHTS:  (*htsHeadtail)(cons),
		prodRTS:  (*rtsHeadtail)(prod),
		consRTS:  (*rtsHeadtail)(cons),
		hdr:      h,
		name:     name,
		flags:    Flags(h.flags),
	}, nil
}
