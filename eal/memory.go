package eal

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"unsafe"

	"dpk/internal/sys"

	"golang.org/x/sys/unix"
)

// Sentinel errors of the memory subsystem.
var (
	// ErrNoMem means no memory was left to satisfy a reservation (ENOMEM).
	ErrNoMem = errors.New("eal: out of memory")
	// ErrExist means a memzone, ring or pool of that name exists already (EEXIST).
	ErrExist = errors.New("eal: name exists")
	// ErrNotFound means no object of that name exists (ENOENT).
	ErrNotFound = errors.New("eal: not found")
	// ErrNotInit means the EAL was not initialised.
	ErrNotInit = errors.New("eal: not initialised")
)

const (
	configMagic    = 0x3130_4d45_4d4b_5044 // "DPKMEM01" little-endian
	maxMemsegs     = 64
	maxMemzones    = 2560 // RTE_MAX_MEMZONE
	maxFreeExts    = 8192
	maxSockets     = 8
	memzoneNameLen = 32 // RTE_MEMZONE_NAMESIZE
	// windowSize is the address space each process reserves for EAL memory.
	windowSize = 64 << 30
	// growChunk is the least a memseg grows memory by.
	growChunk = 64 << 20
	// CacheLineSize is the cache line size assumed for alignment (RTE_CACHE_LINE_SIZE).
	CacheLineSize = 64
)

const (
	segHugeFile = 1 // a file in a hugetlbfs mount
	segMemfd    = 2 // a memfd of the primary (opened through /proc/<pid>/fd/<fd>)
)

// shMemseg is a memory segment as recorded in the shared configuration.
type shMemseg struct {
	off    uint64 // offset of the segment in the memory window
	len    uint64
	pageSz uint64
	socket int32
	kind   int32
	pid    int32
	fd     int32
	path   [128]byte
}

// shMemzone is a memzone as recorded in the shared configuration.
type shMemzone struct {
	name   [memzoneNameLen]byte
	off    uint64 // start of the zone in the window
	len    uint64
	extOff uint64 // extent taken from the free list (covers alignment padding)
	extLen uint64
	pageSz uint64
	socket int32
	flags  uint32
	used   uint32
	_      uint32
}

type extent struct{ off, len uint64 }

// shConfig is the shared memory configuration (DPDK's rte_mem_config): the
// memsegs, the memzone directory and the free extents. It lives in the file
// <runtime dir>/config, mapped by every process, and holds offsets only.
type shConfig struct {
	magic      uint64
	primaryPid int32
	_          int32
	windowSize uint64
	nsegs      uint32
	nzones     uint32 // high-water mark of zones[]
	nfree      uint32
	_          uint32
	sockTotal  [maxSockets]uint64
	sockAlloc  [maxSockets]uint64
	segs       [maxMemsegs]shMemseg
	zones      [maxMemzones]shMemzone
	free       [maxFreeExts]extent
}

// memory is this process's view of EAL memory.
type memory struct {
	mu           sync.Mutex // serialises memory operations within this process
	lockFd       int        // flock'ed file serialising them across processes (-1 in memory)
	cfgFd        int
	cfg          *shConfig
	cfgMap       []byte
	base         unsafe.Pointer // start of this process's window
	winRaw       unsafe.Pointer // the reservation as mapped (base is aligned up inside it)
	winLen       uint64
	mapped       int // memsegs mapped into the window
	segFds       []int
	primary      bool
	runDir       string
	prefix       string
	hugeDir      string
	hugePage     uint64 // 0: ordinary pages
	useHugeMemfd bool
	inMemory     bool
	log          *logger
}

func (m *memory) lock() {
	m.mu.Lock()
	if m.lockFd >= 0 {
		for {
			err := unix.Flock(m.lockFd, unix.LOCK_EX)
			if err != unix.EINTR {
				break
			}
		}
	}
}

func (m *memory) unlock() {
	if m.lockFd >= 0 {
		unix.Flock(m.lockFd, unix.LOCK_UN)
	}
	m.mu.Unlock()
}

// RuntimeDir returns the runtime directory of a file prefix, as DPDK:
// /var/run/dpdk/<prefix> for root, else $XDG_RUNTIME_DIR/dpdk/<prefix> or
// /tmp/dpdk/<prefix>.
func RuntimeDir(prefix string) string {
	if prefix == "" {
		prefix = "rte"
	}
	base := "/var/run"
	if os.Geteuid() != 0 {
		base = os.Getenv("XDG_RUNTIME_DIR")
		if base == "" {
			base = "/tmp"
		}
	}
	return filepath.Join(base, "dpdk", prefix)
}

// reserveWindow reserves the window, aligned to 1 GiB so that any page size fits.
func (m *memory) reserveWindow(size uint64) error {
	const align = 1 << 30
	raw, err := sys.ReserveVA(size + align)
	if err != nil {
		return err
	}
	m.winRaw = raw
	m.winLen = size + align
	pad := (align - uint64(uintptr(raw))%align) % align
	m.base = unsafe.Add(raw, pad)
	return nil
}

// openConfig creates (primary) or attaches to (secondary) the shared
// configuration. It returns whether this process is the primary.
func (m *memory) openConfig(pt ProcType) error {
	size := uint64(unsafe.Sizeof(shConfig{}))
	size = (size + sys.PageSize - 1) &^ (sys.PageSize - 1)
	if m.inMemory {
		if pt == ProcSecondary {
			return errors.New("eal: --proc-type secondary cannot be used with --in-memory")
		}
		b, err := unix.Mmap(-1, 0, int(size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
		if err != nil {
			return fmt.Errorf("eal: map config: %w", err)
		}
		m.cfgMap = b
		m.cfg = (*shConfig)(unsafe.Pointer(&b[0]))
		m.cfgFd, m.lockFd = -1, -1
		m.primary = true
		m.cfg.magic = configMagic
		m.cfg.windowSize = windowSize
		m.cfg.primaryPid = int32(os.Getpid())
		return nil
	}
	if err := os.MkdirAll(m.runDir, 0o700); err != nil {
		return fmt.Errorf("eal: create runtime dir: %w", err)
	}
	path := filepath.Join(m.runDir, "config")
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_CREAT|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return fmt.Errorf("eal: open %s: %w", path, err)
	}
	m.cfgFd = fd
	locked, err := lockConfig(fd)
	if err != nil {
		return fmt.Errorf("eal: lock %s: %w", path, err)
	}
	switch pt {
	case ProcPrimary:
		if !locked {
			return fmt.Errorf("eal: a primary process is already running with --file-prefix %s (%s is locked); use --proc-type secondary or another --file-prefix", m.prefix, path)
		}
		m.primary = true
	case ProcSecondary:
		if locked {
			unlockConfig(fd)
			return fmt.Errorf("eal: no primary process runs with --file-prefix %s: start the primary first", m.prefix)
		}
	default:
		m.primary = locked
	}
	lpath := filepath.Join(m.runDir, "mem.lock")
	m.lockFd, err = unix.Open(lpath, unix.O_RDWR|unix.O_CREAT|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return fmt.Errorf("eal: open %s: %w", lpath, err)
	}
	if m.primary {
		// A stale configuration of a dead primary is replaced.
		m.removeStaleSegments()
		if err := unix.Ftruncate(fd, 0); err != nil {
			return fmt.Errorf("eal: truncate config: %w", err)
		}
		if err := unix.Ftruncate(fd, int64(size)); err != nil {
			return fmt.Errorf("eal: size config: %w", err)
		}
	} else {
		var st unix.Stat_t
		if err := unix.Fstat(fd, &st); err != nil || uint64(st.Size) < size {
			return fmt.Errorf("eal: %s is not a dpk configuration of this version (size %d, want %d): the primary of --file-prefix %s is not a dpk process of this version (a DPDK primary, perhaps); use another --file-prefix", path, st.Size, size, m.prefix)
		}
	}
	b, err := unix.Mmap(fd, 0, int(size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return fmt.Errorf("eal: map %s: %w", path, err)
	}
	m.cfgMap = b
	m.cfg = (*shConfig)(unsafe.Pointer(&b[0]))
	if m.primary {
		m.cfg.windowSize = windowSize
		m.cfg.primaryPid = int32(os.Getpid())
		m.cfg.magic = configMagic
		return nil
	}
	if m.cfg.magic != configMagic {
		return fmt.Errorf("eal: %s has no valid dpk configuration (bad magic): the primary of --file-prefix %s is not a dpk process of this version (a DPDK primary, perhaps); use another --file-prefix", path, m.prefix)
	}
	if unix.Kill(int(m.cfg.primaryPid), 0) == unix.ESRCH {
		return fmt.Errorf("eal: the primary process (pid %d) of --file-prefix %s is gone", m.cfg.primaryPid, m.prefix)
	}
	return nil
}

// lockConfig tries to take the primary's lock on the configuration file
// and reports whether it got it. The lock is the one DPDK's primary takes:
// a write lock on the file's first bytes with fcntl. dpk takes it as an
// open file description lock over the whole file, which conflicts with
// DPDK's record lock (and DPDK's with it) but, unlike a record lock, is
// held by the descriptor, not the process, so that closing another
// descriptor of the file does not drop it. A dpk process and a DPDK
// process given the same --file-prefix thus see each other as the primary
// and neither overwrites the other's configuration.
func lockConfig(fd int) (bool, error) {
	lk := unix.Flock_t{Type: unix.F_WRLCK, Whence: io.SeekStart}
	for {
		err := unix.FcntlFlock(uintptr(fd), unix.F_OFD_SETLK, &lk)
		switch err {
		case nil:
			return true, nil
		case unix.EAGAIN, unix.EACCES:
			return false, nil
		case unix.EINTR:
			continue
		}
		return false, err
	}
}

// unlockConfig drops the lock taken by lockConfig.
func unlockConfig(fd int) {
	lk := unix.Flock_t{Type: unix.F_UNLCK, Whence: io.SeekStart}
	unix.FcntlFlock(uintptr(fd), unix.F_OFD_SETLK, &lk)
}

func (m *memory) removeStaleSegments() {
	if m.hugeDir == "" {
		return
	}
	old, _ := filepath.Glob(filepath.Join(m.hugeDir, m.prefix+"map_*"))
	for _, f := range old {
		os.Remove(f)
	}
}

// syncSegs maps memsegs another process added. Called with the lock held.
func (m *memory) syncSegs() error {
	if m.cfg.nsegs > maxMemsegs {
		return fmt.Errorf("eal: shared configuration claims %d memsegs (max %d): corrupt", m.cfg.nsegs, maxMemsegs)
	}
	for m.mapped < int(m.cfg.nsegs) {
		s := &m.cfg.segs[m.mapped]
		var path string
		switch s.kind {
		case segHugeFile:
			path = cstring(s.path[:])
		case segMemfd:
			path = fmt.Sprintf("/proc/%d/fd/%d", s.pid, s.fd)
		default:
			return fmt.Errorf("eal: memseg %d has unknown kind %d", m.mapped, s.kind)
		}
		fd, err := unix.Open(path, unix.O_RDWR|unix.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("eal: open memseg %d (%s): %w", m.mapped, path, err)
		}
		if s.off+s.len > m.cfg.windowSize {
			unix.Close(fd)
			return fmt.Errorf("eal: memseg %d lies outside the memory window", m.mapped)
		}
		if err := sys.MapFixed(unsafe.Add(m.base, s.off), s.len, fd, 0, false); err != nil {
			unix.Close(fd)
			return fmt.Errorf("eal: map memseg %d: %w", m.mapped, err)
		}
		m.segFds = append(m.segFds, fd)
		m.mapped++
	}
	return nil
}

// grow adds a memseg of at least size bytes. Called with the lock held.
func (m *memory) grow(size uint64, socket int) error {
	n := m.cfg.nsegs
	if n >= maxMemsegs {
		return fmt.Errorf("%w: all %d memsegs in use", ErrNoMem, maxMemsegs)
	}
	var end uint64
	if n > 0 {
		end = m.cfg.segs[n-1].off + m.cfg.segs[n-1].len
	}
	if socket < 0 || socket >= maxSockets {
		socket = 0
	}
	seg := shMemseg{socket: int32(socket), pid: int32(os.Getpid())}
	fd := -1
	if m.hugePage != 0 {
		pg := m.hugePage
		seg.len = roundUp(max(size, growChunk), pg)
		seg.off = roundUp(end, pg)
		var err error
		fd, err = m.hugeSegment(n, seg.len, &seg)
		if err != nil {
			m.log.logf(LogWarning, "eal", "hugepages exhausted (%v): falling back to ordinary pages for memseg %d", err, n)
			fd = -1
		} else {
			seg.pageSz = pg
		}
	}
	if fd < 0 {
		seg.len = roundUp(max(size, growChunk), sys.PageSize)
		seg.off = roundUp(end, sys.PageSize)
		var err error
		fd, err = sys.MemfdCreate(fmt.Sprintf("dpk_%s_seg%d", m.prefix, n), seg.len, 0)
		if err != nil {
			return err
		}
		seg.kind = segMemfd
		seg.fd = int32(fd)
		seg.pageSz = sys.PageSize
	}
	if seg.off+seg.len > m.cfg.windowSize {
		unix.Close(fd)
		return fmt.Errorf("%w: memory window of %d GiB is full", ErrNoMem, m.cfg.windowSize>>30)
	}
	addr := unsafe.Add(m.base, seg.off)
	if err := sys.MapFixed(addr, seg.len, fd, 0, seg.pageSz != sys.PageSize); err != nil {
		unix.Close(fd)
		return err
	}
	if seg.pageSz != sys.PageSize {
		if err := sys.Mlock(addr, seg.len); err != nil {
			m.log.logf(LogDebug, "eal", "mlock memseg %d: %v", n, err)
		}
	}
	m.segFds = append(m.segFds, fd)
	m.cfg.segs[n] = seg
	m.cfg.nsegs = n + 1
	m.mapped = int(n + 1)
	m.cfg.sockTotal[socket] += seg.len
	m.freeExtent(extent{seg.off, seg.len})
	m.log.logf(LogDebug, "eal", "memseg %d: %d MiB at window offset %#x, page size %d", n, seg.len>>20, seg.off, seg.pageSz)
	return nil
}

// hugeSegment creates the backing of a hugepage memseg: a file in the
// hugetlbfs mount, or a hugetlb memfd when none is mounted.
func (m *memory) hugeSegment(n uint32, size uint64, seg *shMemseg) (int, error) {
	if m.useHugeMemfd {
		shift := uint(0)
		for p := m.hugePage; p > 1; p >>= 1 {
			shift++
		}
		fd, err := sys.MemfdCreate(fmt.Sprintf("dpk_%s_seg%d", m.prefix, n), size, shift)
		if err != nil {
			return -1, err
		}
		if err := sys.Fallocate(fd, size); err != nil {
			unix.Close(fd)
			return -1, err
		}
		seg.kind = segMemfd
		seg.fd = int32(fd)
		return fd, nil
	}
	path := filepath.Join(m.hugeDir, fmt.Sprintf("%smap_%d", m.prefix, n))
	if len(path) >= len(seg.path) {
		return -1, fmt.Errorf("hugepage file path %q too long", path)
	}
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_CREAT|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return -1, err
	}
	if err := sys.Fallocate(fd, size); err != nil {
		unix.Close(fd)
		os.Remove(path)
		return -1, err
	}
	seg.kind = segHugeFile
	copy(seg.path[:], path)
	return fd, nil
}

// freeExtent returns an extent to the free list, merging neighbours. Called
// with the lock held.
func (m *memory) freeExtent(e extent) {
	c := m.cfg
	fl := c.free[:c.nfree]
	// Keep the list sorted by offset.
	i := 0
	for i < len(fl) && fl[i].off < e.off {
		i++
	}
	if i > 0 && fl[i-1].off+fl[i-1].len == e.off && m.sameSeg(fl[i-1].off, e.off) {
		fl[i-1].len += e.len
		if i < len(fl) && e.off+e.len == fl[i].off && m.sameSeg(e.off, fl[i].off) {
			fl[i-1].len += fl[i].len
			copy(fl[i:], fl[i+1:])
			c.nfree--
		}
		return
	}
	if i < len(fl) && e.off+e.len == fl[i].off && m.sameSeg(e.off, fl[i].off) {
		fl[i].off = e.off
		fl[i].len += e.len
		return
	}
	if c.nfree >= maxFreeExts {
		m.log.logf(LogErr, "eal", "free list full: %d bytes at %#x leaked", e.len, e.off)
		return
	}
	fl = c.free[:c.nfree+1]
	copy(fl[i+1:], fl[i:])
	fl[i] = e
	c.nfree++
}

// sameSeg reports whether two window offsets lie in the same memseg: extents
// never span memsegs, as they may differ in page size and socket.
func (m *memory) sameSeg(a, b uint64) bool { return m.segOf(a) == m.segOf(b) }

func (m *memory) segOf(off uint64) int {
	for i := 0; i < min(int(m.cfg.nsegs), maxMemsegs); i++ {
		s := &m.cfg.segs[i]
		if off >= s.off && off < s.off+s.len {
			return i
		}
	}
	return -1
}

// alloc takes size bytes aligned to align from the free list, growing memory
// if this process may. Called with the lock held.
func (m *memory) alloc(size, align uint64, socket int, needHuge bool) (off uint64, ext extent, err error) {
	for attempt := 0; attempt < 2; attempt++ {
		c := m.cfg
		for i := 0; i < int(c.nfree); i++ {
			e := c.free[i]
			si := m.segOf(e.off)
			if si < 0 {
				continue
			}
			seg := &c.segs[si]
			if socket >= 0 && int(seg.socket) != socket {
				continue
			}
			if needHuge && seg.pageSz == sys.PageSize {
				continue
			}
			start := roundUp(e.off, align)
			if start+size > e.off+e.len {
				continue
			}
			// Take [e.off, start+size) rounded to a cache line; return the tail.
			end := roundUp(start+size, CacheLineSize)
			if end > e.off+e.len {
				end = e.off + e.len
			}
			ext = extent{e.off, end - e.off}
			if end == e.off+e.len {
				copy(c.free[i:], c.free[i+1:c.nfree])
				c.nfree--
			} else {
				c.free[i] = extent{end, e.off + e.len - end}
			}
			c.sockAlloc[seg.socket] += ext.len
			return start, ext, nil
		}
		if attempt == 1 || !m.primary {
			break
		}
		if err := m.grow(size+align, socket); err != nil {
			return 0, extent{}, err
		}
	}
	if !m.primary {
		return 0, extent{}, fmt.Errorf("%w: %d bytes not free in the primary's memory (a secondary cannot add memory: give the primary more with -m)", ErrNoMem, size)
	}
	return 0, extent{}, fmt.Errorf("%w: %d bytes", ErrNoMem, size)
}

func (m *memory) close() {
	if m.cfg != nil && m.primary && m.hugeDir != "" && !m.useHugeMemfd {
		for i := 0; i < int(m.cfg.nsegs); i++ {
			if m.cfg.segs[i].kind == segHugeFile {
				os.Remove(cstring(m.cfg.segs[i].path[:]))
			}
		}
	}
	if m.winRaw != nil {
		sys.ReleaseVA(m.winRaw, m.winLen)
		m.winRaw, m.base = nil, nil
	}
	for _, fd := range m.segFds {
		unix.Close(fd)
	}
	m.segFds = nil
	if m.cfgMap != nil {
		unix.Munmap(m.cfgMap)
		m.cfgMap, m.cfg = nil, nil
	}
	if m.primary && !m.inMemory && m.runDir != "" {
		os.Remove(filepath.Join(m.runDir, "config"))
		os.Remove(filepath.Join(m.runDir, "mem.lock"))
		os.Remove(m.runDir) // only if empty: other files belong to others
	}
	if m.lockFd >= 0 {
		unix.Close(m.lockFd)
		m.lockFd = -1
	}
	if m.cfgFd >= 0 {
		unix.Close(m.cfgFd)
		m.cfgFd = -1
	}
}

func roundUp(v, a uint64) uint64 {
	if a == 0 {
		return v
	}
	return (v + a - 1) / a * a
}

func cstring(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// MemBase returns the start of this process's EAL memory window. Every
// memzone lies at a fixed offset from it, the same offset in every process
// of the same --file-prefix; shared structures store such offsets.
func MemBase() unsafe.Pointer {
	st := state()
	if st == nil {
		return nil
	}
	return st.mem.base
}

// VirtToOffset returns the window offset of p, which must point into EAL memory.
func VirtToOffset(p unsafe.Pointer) uint64 {
	return uint64(uintptr(p) - uintptr(state().mem.base))
}

// OffsetToVirt returns this process's address of a window offset.
func OffsetToVirt(off uint64) unsafe.Pointer {
	return unsafe.Add(state().mem.base, off)
}

// VirtToIOVA returns the IO address of p. dpk runs in IOVA-as-VA mode, so it
// is the virtual address (rte_mem_virt2iova).
func VirtToIOVA(p unsafe.Pointer) uint64 { return uint64(uintptr(p)) }

// SocketStats is the memory accounting of one NUMA socket (as
// rte_malloc_socket_stats).
type SocketStats struct {
	Socket     int
	TotalBytes uint64 // memory mapped for this socket
	AllocBytes uint64 // reserved by memzones (with alignment padding)
	FreeBytes  uint64
}

// MemoryStats returns the accounting of every socket that has memory.
func MemoryStats() []SocketStats {
	st := state()
	if st == nil {
		return nil
	}
	m := st.mem
	m.lock()
	defer m.unlock()
	var out []SocketStats
	for s := 0; s < maxSockets; s++ {
		if m.cfg.sockTotal[s] == 0 {
			continue
		}
		out = append(out, SocketStats{s, m.cfg.sockTotal[s], m.cfg.sockAlloc[s], m.cfg.sockTotal[s] - m.cfg.sockAlloc[s]})
	}
	return out
}

// HugepageSize returns the page size of EAL memory: the hugepage size in
// use, or the base page size with --no-huge.
func HugepageSize() uint64 {
	st := state()
	if st == nil || st.mem.hugePage == 0 {
		return sys.PageSize
	}
	return st.mem.hugePage
}

// IsPrimary reports whether this process is the primary (rte_eal_process_type).
func IsPrimary() bool {
	st := state()
	return st != nil && st.mem.primary
}
