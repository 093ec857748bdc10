package mempool

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"unsafe"

	"dpk/eal"
	"dpk/ring"
)

// Flags given to Create (RTE_MEMPOOL_F_*).
type Flags uint32

// Mempool flags.
const (
	// FlagNoCacheAlign packs objects without aligning them to cache lines.
	FlagNoCacheAlign Flags = 1 << 0
	// FlagSPPut makes the central ring single-producer (one putter at a time).
	FlagSPPut Flags = 1 << 2
	// FlagSCGet makes the central ring single-consumer.
	FlagSCGet Flags = 1 << 3
	// FlagDebug keeps a cookie per object that each get and put checks, so a
	// double free is refused and counted at once (RTE_LIBRTE_MEMPOOL_DEBUG).
	FlagDebug Flags = 1 << 16
	// FlagZeroOnPut clears an object's bytes when it returns to the pool, so
	// nothing of its previous use can leak to its next user.
	FlagZeroOnPut Flags = 1 << 17
)

// CacheMaxSize is the largest per-lcore cache (RTE_MEMPOOL_CACHE_MAX_SIZE).
const CacheMaxSize = 512

// ErrNoObjects is returned when a get cannot be served (ENOENT).
var ErrNoObjects = errors.New("mempool: no free objects")

const (
	headerMagic  = 0x4c4f4f504d4b5044 // "DPKMPOOL"
	nameSize     = 32                 // RTE_MEMPOOL_NAMESIZE
	objHdrSize   = 16
	cookieFree   = 0xbadbadbadadd2e55 // RTE_MEMPOOL_HEADER_COOKIE2
	cookieInUse  = 0xf2eef2eedadd2e55 // RTE_MEMPOOL_HEADER_COOKIE1
	maxPoolIndex = 1 << 16
)

// header is the pool's shared description at the start of its memzone.
type header struct {
	magic       uint64
	name        [nameSize]byte
	size        uint32
	cacheSize   uint32
	eltSize     uint32
	hdrSize     uint32 // bytes before each object (object header, padded)
	trailerSize uint32
	totalSize   uint32 // hdrSize + eltSize + trailerSize
	privSize    uint32
	flags       uint32
	socket      int32
	populated   uint32
	objsOff     uint64 // window offset of the first object's header
	privOff     uint64 // window offset of the private area
	cachesOff   uint64 // window offset of the cache array (0: no caches)
	getFails    atomic.Uint64
	doubleFree  atomic.Uint64
}

// objHdr precedes every object (rte_mempool_objhdr): its index and cookie.
type objHdr struct {
	cookie uint64
	index  uint32
	_      uint32
}

// Cache is a per-lcore object cache (rte_mempool_cache). It holds pointers
// valid in the process that owns its lcore.
type Cache struct {
	size        uint32
	flushThresh uint32
	len         uint32
	_           [13]uint32
	objs        [CacheMaxSize * 2]uintptr
}

// Len returns the number of objects in the cache.
func (c *Cache) Len() uint32 { return c.len }

// Size returns the cache's nominal size.
func (c *Cache) Size() uint32 { return c.size }

func flushThresh(size uint32) uint32 { return size * 3 / 2 }

// NewCache creates a user-owned cache (rte_mempool_cache_create) for
// GenericGet/GenericPut, for threads that are not lcores. It lives on the Go
// heap, which is fine: it holds only addresses of off-heap objects.
func NewCache(size uint32) (*Cache, error) {
	if size == 0 || size > CacheMaxSize {
		return nil, fmt.Errorf("mempool: cache size %d out of range 1..%d", size, CacheMaxSize)
	}
	return &Cache{size: size, flushThresh: flushThresh(size)}, nil
}

// Mempool is a process-local handle to a pool of objects (rte_mempool).
type Mempool struct {
	hdr     *header
	mz      *eal.Memzone
	r       *ring.Ring
	base    uintptr // EAL window base in this process
	objBase uintptr // address of the first object (not its header)
	stride  uintptr
	caches  *[eal.MaxLcore]Cache
	priv    unsafe.Pointer
	name    string
	id      uint16
	debug   bool
	zero    bool
	slowPut bool // debug || zero: puts take the checked path
}

var (
	regMu sync.Mutex
	reg   [maxPoolIndex]atomic.Pointer[Mempool]
)

func init() {
	eal.OnCleanup(resetRegistry)
}

func resetRegistry() {
	regMu.Lock()
	defer regMu.Unlock()
	for i := range reg {
		reg[i].Store(nil)
	}
	eal.OnCleanup(resetRegistry)
}

// ObjInit is called once per object when a pool is created (rte_mempool_obj_cb_t).
type ObjInit func(mp *Mempool, obj unsafe.Pointer, idx uint32)

// Config describes a pool to create.
type Config struct {
	Name      string
	N         uint32 // number of objects
	EltSize   uint32 // object size in bytes
	CacheSize uint32 // per-lcore cache size (0: no caches)
	PrivSize  uint32 // private area after the header (rte_mempool_get_priv)
	Socket    int
	Flags     Flags
	// PrivInit runs once on the private area before the objects are initialised.
	PrivInit func(mp *Mempool)
	ObjInit  ObjInit
}

// Create creates a pool (rte_mempool_create). The name must be unique
// among pools of the --file-prefix.
func Create(name string, n, eltSize, cacheSize, privSize uint32, socket int, flags Flags) (*Mempool, error) {
	return CreateConfig(Config{Name: name, N: n, EltSize: eltSize, CacheSize: cacheSize, PrivSize: privSize, Socket: socket, Flags: flags})
}

// CreateConfig creates a pool from a Config, with optional init callbacks.
func CreateConfig(c Config) (*Mempool, error) {
	if c.Name == "" || len(c.Name) >= nameSize-3 {
		return nil, fmt.Errorf("mempool: name %q: must be 1 to %d bytes", c.Name, nameSize-4)
	}
	if c.N == 0 || c.N > 1<<30 {
		return nil, fmt.Errorf("mempool %s: object count %d out of range", c.Name, c.N)
	}
	if c.EltSize == 0 || c.EltSize > 1<<24 {
		return nil, fmt.Errorf("mempool %s: element size %d out of range", c.Name, c.EltSize)
	}
	if c.CacheSize > CacheMaxSize || c.CacheSize*3/2 > c.N {
		return nil, fmt.Errorf("mempool %s: cache size %d too large (at most %d and 2/3 of %d objects)", c.Name, c.CacheSize, CacheMaxSize, c.N)
	}
	hdrSize := uint32(objHdrSize)
	elt := c.EltSize
	if c.Flags&FlagNoCacheAlign == 0 {
		hdrSize = uint32(eal.CacheLineSize)
		elt = alignUp32(elt, eal.CacheLineSize)
	} else {
		elt = alignUp32(elt, 8)
	}
	total := hdrSize + elt
	hsz := alignUp64(uint64(unsafe.Sizeof(header{})), eal.CacheLineSize)
	privOff := hsz
	cachesOff := alignUp64(privOff+uint64(c.PrivSize), eal.CacheLineSize)
	objsOff := cachesOff
	if c.CacheSize > 0 {
		objsOff += uint64(unsafe.Sizeof([eal.MaxLcore]Cache{}))
	}
	size := objsOff + uint64(total)*uint64(c.N)
	mz, err := eal.MemzoneReserveAligned("MP_"+c.Name, size, c.Socket, 0, eal.CacheLineSize)
	if err != nil {
		if errors.Is(err, eal.ErrExist) {
			return nil, fmt.Errorf("mempool %s: %w", c.Name, eal.ErrExist)
		}
		return nil, fmt.Errorf("mempool %s: %w", c.Name, err)
	}
	rflags := ring.Flags(0)
	if c.Flags&FlagSPPut != 0 {
		rflags |= ring.FlagSPEnq
	}
	if c.Flags&FlagSCGet != 0 {
		rflags |= ring.FlagSCDeq
	}
	r, err := ring.CreateElem("MP_"+c.Name, 8, nextPow2(c.N+1), c.Socket, rflags)
	if err != nil {
		eal.MemzoneFree(mz)
		return nil, fmt.Errorf("mempool %s: central ring: %w", c.Name, err)
	}
	h := (*header)(mz.Addr())
	copy(h.name[:], c.Name)
	h.size = c.N
	h.cacheSize = c.CacheSize
	h.eltSize = c.EltSize
	h.hdrSize = hdrSize
	h.totalSize = total
	h.privSize = c.PrivSize
	h.flags = uint32(c.Flags)
	h.socket = int32(c.Socket)
	h.privOff = mz.Offset() + privOff
	if c.CacheSize > 0 {
		h.cachesOff = mz.Offset() + cachesOff
	}
	h.objsOff = mz.Offset() + objsOff
	mp := newHandle(mz, r)
	if mp.caches != nil {
		for i := range mp.caches {
			mp.caches[i].size = c.CacheSize
			mp.caches[i].flushThresh = flushThresh(c.CacheSize)
		}
	}
	if c.PrivInit != nil {
		c.PrivInit(mp)
	}
	// Populate: initialise every object and put it in the central ring.
	var batch [64]uint64
	nb := 0
	for i := uint32(0); i < c.N; i++ {
		obj := mp.objAt(i)
		oh := mp.objHdr(obj)
		oh.index = i
		oh.cookie = cookieFree
		if c.ObjInit != nil {
			c.ObjInit(mp, obj, i)
		}
		batch[nb] = uint64(uintptr(obj) - mp.base)
		nb++
		if nb == len(batch) || i == c.N-1 {
			if got, _ := r.EnqueueBulkU64(batch[:nb]); got != uint32(nb) {
				mp.Free()
				return nil, fmt.Errorf("mempool %s: populate: central ring refused objects", c.Name)
			}
			nb = 0
		}
	}
	h.populated = c.N
	h.magic = headerMagic
	mp.register()
	return mp, nil
}

func newHandle(mz *eal.Memzone, r *ring.Ring) *Mempool {
	h := (*header)(mz.Addr())
	base := uintptr(eal.MemBase())
	mp := &Mempool{hdr: h, mz: mz, r: r, base: base, name: mz.Name()[3:], id: uint16(mz.Index()),
		objBase: base + uintptr(h.objsOff) + uintptr(h.hdrSize), stride: uintptr(h.totalSize),
		debug: Flags(h.flags)&FlagDebug != 0, zero: Flags(h.flags)&FlagZeroOnPut != 0}
	mp.slowPut = mp.debug || mp.zero
	mp.priv = eal.OffsetToVirt(h.privOff)
	if h.cachesOff != 0 {
		mp.caches = (*[eal.MaxLcore]Cache)(eal.OffsetToVirt(h.cachesOff))
	}
	return mp
}

func (mp *Mempool) register() {
	regMu.Lock()
	reg[mp.id].Store(mp)
	regMu.Unlock()
}

// Lookup finds a pool by name, also one created by another process
// (rte_mempool_lookup).
func Lookup(name string) (*Mempool, error) {
	mz, err := eal.MemzoneLookup("MP_" + name)
	if err != nil {
		return nil, fmt.Errorf("mempool %s: %w", name, err)
	}
	if mp := reg[mz.Index()].Load(); mp != nil && mp.mz.Offset() == mz.Offset() {
		return mp, nil
	}
	h := (*header)(mz.Addr())
	if h.magic != headerMagic {
		return nil, fmt.Errorf("mempool %s: memzone holds no initialised pool", name)
	}
	r, err := ring.Lookup("MP_" + name)
	if err != nil {
		return nil, fmt.Errorf("mempool %s: central ring: %w", name, err)
	}
	mp := newHandle(mz, r)
	mp.register()
	return mp, nil
}

// ByIndex returns the pool whose Index is i, attaching to it if it was
// created by another process; nil if there is none. Mbufs record their
// pool this way.
func ByIndex(i uint16) *Mempool {
	if mp := reg[i].Load(); mp != nil {
		return mp
	}
	mz, err := eal.MemzoneByIndex(int(i))
	if err != nil || len(mz.Name()) < 4 || mz.Name()[:3] != "MP_" {
		return nil
	}
	mp, err := Lookup(mz.Name()[3:])
	if err != nil {
		return nil
	}
	return mp
}

// Index returns the pool's index, the same in every process.
func (mp *Mempool) Index() uint16 { return mp.id }

// Free destroys the pool (rte_mempool_free). No process may use it after.
func (mp *Mempool) Free() error {
	regMu.Lock()
	reg[mp.id].CompareAndSwap(mp, nil)
	regMu.Unlock()
	mp.hdr.magic = 0
	var first error
	if err := mp.r.Free(); err != nil {
		first = err
	}
	if err := eal.MemzoneFree(mp.mz); err != nil && first == nil {
		first = err
	}
	return first
}

// Name returns the pool's name.
func (mp *Mempool) Name() string { return mp.name }

// Size returns the number of objects.
func (mp *Mempool) Size() uint32 { return mp.hdr.size }

// EltSize returns the object size given at creation.
func (mp *Mempool) EltSize() uint32 { return mp.hdr.eltSize }

// CacheSize returns the per-lcore cache size.
func (mp *Mempool) CacheSize() uint32 { return mp.hdr.cacheSize }

// Flags returns the creation flags.
func (mp *Mempool) Flags() Flags { return Flags(mp.hdr.flags) }

// Socket returns the socket given at creation.
func (mp *Mempool) Socket() int { return int(mp.hdr.socket) }

// Priv returns the private area (rte_mempool_get_priv).
func (mp *Mempool) Priv() unsafe.Pointer { return mp.priv }

// PrivSize returns the private area's size.
func (mp *Mempool) PrivSize() uint32 { return mp.hdr.privSize }

// GetFails returns how many gets failed for want of objects.
func (mp *Mempool) GetFails() uint64 { return mp.hdr.getFails.Load() }

// DoubleFrees returns how many puts of an object already free were refused (FlagDebug).
func (mp *Mempool) DoubleFrees() uint64 { return mp.hdr.doubleFree.Load() }

func (mp *Mempool) objAt(i uint32) unsafe.Pointer {
	return eal.OffsetToVirt(mp.hdr.objsOff + uint64(i)*uint64(mp.hdr.totalSize) + uint64(mp.hdr.hdrSize))
}

func (mp *Mempool) objHdr(obj unsafe.Pointer) *objHdr {
	return (*objHdr)(unsafe.Add(obj, -int(mp.hdr.hdrSize)))
}

// ObjIndex returns the index of an object of this pool and whether obj
// really is the start of one of its objects.
func (mp *Mempool) ObjIndex(obj unsafe.Pointer) (uint32, bool) {
	return mp.objIndexAddr(uintptr(obj))
}

func (mp *Mempool) objIndexAddr(a uintptr) (uint32, bool) {
	if a < mp.objBase {
		return 0, false
	}
	d := a - mp.objBase
	i := d / mp.stride
	if d%mp.stride != 0 || i >= uintptr(mp.hdr.size) {
		return 0, false
	}
	return uint32(i), true
}

// Contains reports whether obj is one of the pool's objects.
func (mp *Mempool) Contains(obj unsafe.Pointer) bool {
	_, ok := mp.ObjIndex(obj)
	return ok
}

// ObjIter calls fn for every object of the pool, free or not (rte_mempool_obj_iter).
func (mp *Mempool) ObjIter(fn func(obj unsafe.Pointer, idx uint32)) uint32 {
	for i := uint32(0); i < mp.hdr.populated; i++ {
		fn(mp.objAt(i), i)
	}
	return mp.hdr.populated
}

// DefaultCache returns the cache of an lcore, or nil if the pool has no
// caches or lcore is eal.LcoreIDAny (rte_mempool_default_cache).
func (mp *Mempool) DefaultCache(lcore uint32) *Cache {
	if mp.caches == nil || lcore >= eal.MaxLcore {
		return nil
	}
	return &mp.caches[lcore]
}

// AvailCount returns the number of free objects, in the ring and in every
// cache (rte_mempool_avail_count).
func (mp *Mempool) AvailCount() uint32 {
	n := mp.r.Count()
	if mp.caches != nil {
		for i := range mp.caches {
			n += atomic.LoadUint32(&mp.caches[i].len)
		}
	}
	if n > mp.hdr.size {
		n = mp.hdr.size
	}
	return n
}

// InUseCount returns the number of objects taken (rte_mempool_in_use_count).
func (mp *Mempool) InUseCount() uint32 { return mp.hdr.size - mp.AvailCount() }

// Full reports whether every object is free.
func (mp *Mempool) Full() bool { return mp.AvailCount() == mp.hdr.size }

// Empty reports whether no object is free.
func (mp *Mempool) Empty() bool { return mp.AvailCount() == 0 }

// Dump writes the pool's description as rte_mempool_dump does.
func (mp *Mempool) Dump(w io.Writer) {
	h := mp.hdr
	fmt.Fprintf(w, "mempool <%s>@%p\n", mp.name, unsafe.Pointer(h))
	fmt.Fprintf(w, "  flags=%x\n  socket_id=%d\n  size=%d\n  populated_size=%d\n", h.flags, h.socket, h.size, h.populated)
	fmt.Fprintf(w, "  header_size=%d\n  elt_size=%d\n  trailer_size=%d\n  total_obj_size=%d\n  private_data_size=%d\n",
		h.hdrSize, h.eltSize, h.trailerSize, h.totalSize, h.privSize)
	fmt.Fprintf(w, "  ops_name: <%s>\n", mp.opsName())
	fmt.Fprintf(w, "  internal cache infos:\n    cache_size=%d\n", h.cacheSize)
	if mp.caches != nil {
		var tot uint32
		for i := range mp.caches {
			l := atomic.LoadUint32(&mp.caches[i].len)
			if l != 0 {
				fmt.Fprintf(w, "    cache_count[%d]=%d\n", i, l)
			}
			tot += l
		}
		fmt.Fprintf(w, "    total_cache_count=%d\n", tot)
	}
	fmt.Fprintf(w, "  common_pool_count=%d\n", mp.r.Count())
	fmt.Fprintf(w, "  get_fails=%d double_frees=%d\n", h.getFails.Load(), h.doubleFree.Load())
}

func (mp *Mempool) opsName() string {
	s := "ring_"
	if Flags(mp.hdr.flags)&FlagSPPut != 0 {
		s += "sp_"
	} else {
		s += "mp_"
	}
	if Flags(mp.hdr.flags)&FlagSCGet != 0 {
		return s + "sc"
	}
	return s + "mc"
}

func alignUp32(v, a uint32) uint32 { return (v + a - 1) &^ (a - 1) }
func alignUp64(v, a uint64) uint64 { return (v + a - 1) &^ (a - 1) }

func nextPow2(v uint32) uint32 {
	p := uint32(1)
	for p < v {
		p <<= 1
	}
	return p
}
