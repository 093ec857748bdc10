package eal

import (
	"fmt"
	"io"
	"unsafe"

	"dpk/internal/sys"
)

// Memzone flags (RTE_MEMZONE_*).
const (
	// MemzoneHugeOnly asks for memory on hugepages only (RTE_MEMZONE_SIZE_HINT_ONLY is not set).
	MemzoneHugeOnly uint32 = 1 << 0
)

// Memzone is a named, aligned region of EAL memory (rte_memzone). The
// handle is process-local; the region and its name are shared by every
// process of the same --file-prefix.
type Memzone struct {
	idx    int
	name   string
	addr   unsafe.Pointer
	off    uint64
	length uint64
	pageSz uint64
	socket int
	flags  uint32
}

// Name returns the memzone's name.
func (z *Memzone) Name() string { return z.name }

// Addr returns the memzone's address in this process.
func (z *Memzone) Addr() unsafe.Pointer { return z.addr }

// Len returns the memzone's length in bytes.
func (z *Memzone) Len() uint64 { return z.length }

// Offset returns the memzone's offset in the EAL memory window, the same in every process.
func (z *Memzone) Offset() uint64 { return z.off }

// IOVA returns the memzone's IO address (its virtual address: IOVA as VA).
func (z *Memzone) IOVA() uint64 { return uint64(uintptr(z.addr)) }

// Socket returns the NUMA socket of the memzone's memory.
func (z *Memzone) Socket() int { return z.socket }

// HugepageSize returns the page size of the memory behind the memzone.
func (z *Memzone) HugepageSize() uint64 { return z.pageSz }

// Bytes returns the memzone's memory as a byte slice. The slice aliases
// memory outside the Go heap; it stays valid until the memzone is freed.
func (z *Memzone) Bytes() []byte { return unsafe.Slice((*byte)(z.addr), z.length) }

func (z *Memzone) String() string {
	return fmt.Sprintf("memzone %q: off %#x len %d socket %d page %d", z.name, z.off, z.length, z.socket, z.pageSz)
}

// MemzoneReserve reserves a cache-line aligned memzone (rte_memzone_reserve).
// Its memory is zeroed: new pages come zeroed from the kernel and a freed
// memzone is cleared before its memory is reused, as DPDK's heap does.
func MemzoneReserve(name string, size uint64, socket int, flags uint32) (*Memzone, error) {
	return MemzoneReserveAligned(name, size, socket, flags, CacheLineSize)
}

// MemzoneReserveAligned reserves a memzone whose start is aligned to align,
// a power of two (rte_memzone_reserve_aligned). It returns ErrExist if the
// name is taken and ErrNoMem when no memory is left.
func MemzoneReserveAligned(name string, size uint64, socket int, flags uint32, align uint64) (*Memzone, error) {
	st := state()
	if st == nil {
		return nil, ErrNotInit
	}
	if name == "" || len(name) >= memzoneNameLen {
		return nil, fmt.Errorf("eal: memzone name %q: must be 1 to %d bytes", name, memzoneNameLen-1)
	}
	if size == 0 {
		return nil, fmt.Errorf("eal: memzone %q: size 0", name)
	}
	if align == 0 {
		align = CacheLineSize
	}
	if align&(align-1) != 0 {
		return nil, fmt.Errorf("eal: memzone %q: alignment %d is not a power of two", name, align)
	}
	if align < CacheLineSize {
		align = CacheLineSize
	}
	if socket != SocketIDAny && (socket < 0 || socket >= maxSockets) {
		return nil, fmt.Errorf("eal: memzone %q: bad socket %d", name, socket)
	}
	m := st.mem
	m.lock()
	defer m.unlock()
	if err := m.syncSegs(); err != nil {
		return nil, err
	}
	if m.findZone(name) >= 0 {
		return nil, fmt.Errorf("eal: memzone %q: %w", name, ErrExist)
	}
	slot := -1
	for i := 0; i < int(m.cfg.nzones); i++ {
		if m.cfg.zones[i].used == 0 {
			slot = i
			break
		}
	}
	if slot < 0 {
		if m.cfg.nzones >= maxMemzones {
			return nil, fmt.Errorf("%w: all %d memzones in use", ErrNoMem, maxMemzones)
		}
		slot = int(m.cfg.nzones)
	}
	off, ext, err := m.alloc(size, align, socket, flags&MemzoneHugeOnly != 0)
	if err != nil {
		return nil, fmt.Errorf("eal: memzone %q (%d bytes): %w", name, size, err)
	}
	si := m.segOf(off)
	z := &m.cfg.zones[slot]
	*z = shMemzone{off: off, len: size, extOff: ext.off, extLen: ext.len,
		pageSz: m.cfg.segs[si].pageSz, socket: m.cfg.segs[si].socket, flags: flags, used: 1}
	copy(z.name[:], name)
	if slot == int(m.cfg.nzones) {
		m.cfg.nzones++
	}
	return m.handle(slot), nil
}

// findZone returns the slot of a live memzone by name. Entries written by
// another process are checked to lie inside a mapped memseg before they are
// handed out: a corrupt directory must not lead anyone outside the window.
func (m *memory) findZone(name string) int {
	for i := 0; i < min(int(m.cfg.nzones), maxMemzones); i++ {
		z := &m.cfg.zones[i]
		if z.used != 0 && cstring(z.name[:]) == name && m.zoneValid(z) {
			return i
		}
	}
	return -1
}

func (m *memory) zoneValid(z *shMemzone) bool {
	si := m.segOf(z.off)
	if si < 0 || si >= m.mapped {
		return false
	}
	s := &m.cfg.segs[si]
	return z.len <= s.len && z.off+z.len <= s.off+s.len
}

func (m *memory) handle(i int) *Memzone {
	z := &m.cfg.zones[i]
	return &Memzone{idx: i, name: cstring(z.name[:]), addr: unsafe.Add(m.base, z.off), off: z.off,
		length: z.len, pageSz: z.pageSz, socket: int(z.socket), flags: z.flags}
}

// MemzoneLookup finds a memzone by name, also one reserved by another
// process (rte_memzone_lookup). It returns ErrNotFound if there is none.
func MemzoneLookup(name string) (*Memzone, error) {
	st := state()
	if st == nil {
		return nil, ErrNotInit
	}
	m := st.mem
	m.lock()
	defer m.unlock()
	if err := m.syncSegs(); err != nil {
		return nil, err
	}
	i := m.findZone(name)
	if i < 0 {
		return nil, fmt.Errorf("eal: memzone %q: %w", name, ErrNotFound)
	}
	return m.handle(i), nil
}

// MemzoneFree releases a memzone (rte_memzone_free). Its memory returns to
// the free list; every process must stop using it first.
func MemzoneFree(z *Memzone) error {
	st := state()
	if st == nil {
		return ErrNotInit
	}
	if z == nil {
		return fmt.Errorf("eal: free of nil memzone")
	}
	m := st.mem
	m.lock()
	defer m.unlock()
	if z.idx < 0 || z.idx >= int(m.cfg.nzones) {
		return fmt.Errorf("eal: memzone %q: %w", z.name, ErrNotFound)
	}
	sz := &m.cfg.zones[z.idx]
	if sz.used == 0 || cstring(sz.name[:]) != z.name || sz.off != z.off {
		return fmt.Errorf("eal: memzone %q: already freed: %w", z.name, ErrNotFound)
	}
	si := m.segOf(sz.extOff)
	if si >= 0 {
		m.cfg.sockAlloc[m.cfg.segs[si].socket] -= sz.extLen
	}
	clear(unsafe.Slice((*byte)(unsafe.Add(m.base, sz.extOff)), sz.extLen))
	m.freeExtent(extent{sz.extOff, sz.extLen})
	*sz = shMemzone{}
	return nil
}

// MemzoneWalk calls fn for every memzone in reservation slot order (rte_memzone_walk).
func MemzoneWalk(fn func(*Memzone)) {
	st := state()
	if st == nil {
		return
	}
	m := st.mem
	m.lock()
	var zs []*Memzone
	if m.syncSegs() == nil {
		for i := 0; i < min(int(m.cfg.nzones), maxMemzones); i++ {
			if m.cfg.zones[i].used != 0 && m.zoneValid(&m.cfg.zones[i]) {
				zs = append(zs, m.handle(i))
			}
		}
	}
	m.unlock()
	for _, z := range zs {
		fn(z)
	}
}

// MemzoneDump writes every memzone as rte_memzone_dump does.
func MemzoneDump(w io.Writer) {
	i := 0
	var total uint64
	MemzoneWalk(func(z *Memzone) {
		fmt.Fprintf(w, "Zone %d: name:<%s>, len:0x%x, virt:%p, socket_id:%d, flags:%x\n",
			i, z.name, z.length, z.addr, z.socket, z.flags)
		fmt.Fprintf(w, "physical segments used:\n  addr: %p iova: 0x%x len: 0x%x pagesz: 0x%x\n",
			z.addr, z.IOVA(), z.length, z.pageSz)
		total += z.length
		i++
	})
	fmt.Fprintf(w, "Total: %d zones, %d bytes (page size %d)\n", i, total, max(HugepageSize(), sys.PageSize))
}

// Index returns the memzone's slot in the shared directory: a small number,
// the same in every process, unique among live memzones.
func (z *Memzone) Index() int { return z.idx }

// MemzoneByIndex returns the live memzone in directory slot i, as Index
// reported it in any process of the same --file-prefix.
func MemzoneByIndex(i int) (*Memzone, error) {
	st := state()
	if st == nil {
		return nil, ErrNotInit
	}
	m := st.mem
	m.lock()
	defer m.unlock()
	if err := m.syncSegs(); err != nil {
		return nil, err
	}
	if i < 0 || i >= min(int(m.cfg.nzones), maxMemzones) || m.cfg.zones[i].used == 0 || !m.zoneValid(&m.cfg.zones[i]) {
		return nil, fmt.Errorf("eal: memzone slot %d: %w", i, ErrNotFound)
	}
	return m.handle(i), nil
}
