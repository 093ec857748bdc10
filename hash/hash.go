package hash

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"

	"dpk/eal"
)

// Errors. Operations return them as they are on the lookup and update
// paths (no wrapping, no allocation) and wrapped with %w by Create.
var (
	// ErrInvalid: a bad argument (parameters, a key of the wrong length,
	// a position out of range or not waiting to be freed).
	ErrInvalid = errors.New("hash: invalid argument")
	// ErrNoSpace: the table is full; the key was not added (ENOSPC).
	ErrNoSpace = errors.New("hash: no space in table")
	// ErrNotFound: no such key, or no table of that name (ENOENT).
	ErrNotFound = errors.New("hash: not found")
	// ErrExist: a table of that name exists already (EEXIST).
	ErrExist = errors.New("hash: table exists")
)

// Limits, as rte_hash.h.
const (
	EntriesMax    = 1 << 30 // RTE_HASH_ENTRIES_MAX
	NameSize      = 32      // RTE_HASH_NAMESIZE: a name has at most NameSize-1 bytes
	LookupBulkMax = 64      // RTE_HASH_LOOKUP_BULK_MAX

	maxSockets = 8 // RTE_MAX_NUMA_NODES of the EAL
)

// Flags are the extra options of a table (rte_hash_parameters.extra_flag),
// with DPDK's values.
type Flags uint32

const (
	// FlagTransMemSupport asks DPDK to use hardware transactional memory
	// for its locks. Go has none: it is accepted and changes nothing.
	FlagTransMemSupport Flags = 0x01
	// FlagMultiWriterAdd lets several goroutines add and delete at once.
	// Writers take a mutex (DPDK takes its rwlock); lookups stay lock-free
	// when FlagRWConcurrencyLF is set too.
	FlagMultiWriterAdd Flags = 0x02
	// FlagRWConcurrency makes lookups take the read side of a
	// reader-writer lock and updates the write side, so that they may run
	// at once.
	FlagRWConcurrency Flags = 0x04
	// FlagExtTable adds a table of extendable buckets, chained to a full
	// bucket when the cuckoo displacement finds no room: every one of
	// Entries keys fits, whatever the hash values.
	FlagExtTable Flags = 0x08
	// FlagNoFreeOnDel keeps a deleted key's slot in the key store until
	// FreeKeyWithPosition returns it, so that a reader that found the
	// position still reads the key and data it found.
	FlagNoFreeOnDel Flags = 0x10
	// FlagRWConcurrencyLF makes lookups lock-free beside one writer (or
	// several with FlagMultiWriterAdd): entries are published with atomic
	// stores, a reader retries when a cuckoo move may have hidden its key
	// (the table change counter), and FlagNoFreeOnDel is implied.
	FlagRWConcurrencyLF Flags = 0x20

	flagsMask = FlagTransMemSupport | FlagMultiWriterAdd | FlagRWConcurrency |
		FlagExtTable | FlagNoFreeOnDel | FlagRWConcurrencyLF
)

// HashFunc computes the 32-bit hash of a key from an initial value
// (rte_hash_function). JHash and CRC32C are two; a table calls them
// directly. A HashFunc must not keep key, which may be on the caller's
// stack, after it returns.
type HashFunc func(key []byte, initVal uint32) uint32

// CmpFunc reports whether two keys of the table's key length are equal
// (rte_hash_cmp_eq_t, which answers 0 for equal). Like a HashFunc, it must
// not keep its arguments.
type CmpFunc func(a, b []byte) bool

// Params are the parameters of Create (struct rte_hash_parameters).
type Params struct {
	Name       string   // unique among the process's tables, at most NameSize-1 bytes
	Entries    uint32   // number of keys the table holds, 8 to EntriesMax
	KeyLen     uint32   // length of every key in bytes, at least 1
	HashFunc   HashFunc // nil for CRC32C (DPDK's default on x86)
	InitVal    uint32   // initial value of HashFunc
	Socket     int      // NUMA socket, or eal.SocketIDAny; checked, see Create
	ExtraFlags Flags
}

// hashKind says which function a table hashes with: the package's own
// are called directly, which is cheaper than through a function value.
type hashKind uint8

const (
	hashCRC hashKind = iota
	hashJHash
	hashCustom
)

func chooseHash(f HashFunc) hashKind {
	switch {
	case f == nil || sameFunc(f, CRC32C):
		return hashCRC
	case sameFunc(f, JHash):
		return hashJHash
	}
	return hashCustom
}

// sameFunc reports whether two function values run the same code; it
// tells a top-level function from any other.
func sameFunc(a, b HashFunc) bool {
	return reflect.ValueOf(a).Pointer() == reflect.ValueOf(b).Pointer()
}

type cmpKind uint8

const (
	cmpBytes cmpKind = iota
	cmpCustom
	cmp1
	cmp2to3
	cmp4
	cmp5to7
	cmp8
	cmp9to15
	cmp16
	cmp32
	cmp48
	cmp64
	cmpWords
)

func chooseCmp(n uint32) cmpKind {
	if !unalignedOK {
		return cmpBytes
	}
	switch {
	case n == 1:
		return cmp1
	case n <= 3:
		return cmp2to3
	case n == 4:
		return cmp4
	case n <= 7:
		return cmp5to7
	case n == 8:
		return cmp8
	case n == 16:
		return cmp16
	case n < 16:
		return cmp9to15
	case n == 32:
		return cmp32
	case n == 48:
		return cmp48
	case n == 64:
		return cmp64
	case n <= 128:
		return cmpWords
	default:
		return cmpBytes
	}
}

// Hash is a cuckoo hash table (struct rte_hash). Its methods are safe for
// the concurrency its flags allow: by default one goroutine at a time, see
// the package documentation.
type Hash struct {
	// Read by every lookup.
	buckets    []bucket
	ext        []bucket // extendable buckets, FlagExtTable
	keys       keyStore
	keyLen     uintptr
	bucketMask uint32
	initVal    uint32
	hashFunc   HashFunc
	customCmp  CmpFunc
	cmp        cmpKind
	hashKind   hashKind
	lf         bool // FlagRWConcurrencyLF
	rwLock     bool // FlagRWConcurrency
	_          [cacheLine]byte

	// tblChngCnt counts cuckoo moves and chain compactions in lock-free
	// mode (tbl_chng_cnt): a lookup that misses retries when it changed.
	tblChngCnt atomic.Uint32
	_          [cacheLine - 4]byte

	// Writer state.
	rw          sync.RWMutex // FlagRWConcurrency
	wmu         sync.Mutex   // FlagMultiWriterAdd
	multiWriter bool
	extTable    bool
	noFreeOnDel bool
	used        int32       // key-store slots not free; atomic when lf
	free        slotRing    // free key-store slots (1-based)
	freeExt     slotRing    // free extendable buckets (1-based)
	extToFree   []uint32    // by position: ext bucket to recycle on FreeKeyWithPosition
	slotState   []uint8     // by key index
	queue       []queueNode // cuckoo BFS, bfsQueueMax

	name       string
	entries    uint32
	numBuckets uint32
	flags      Flags
}

// Slot states, for FreeKeyWithPosition's checks.
const (
	slotFree    = 0
	slotUsed    = 1
	slotDeleted = 2 // deleted with FlagNoFreeOnDel, waiting for FreeKeyWithPosition
)

// slotRing is a FIFO of 1-based indices (DPDK's rings of free slots and
// free extendable buckets). Only a writer uses it.
type slotRing struct {
	s          []uint32
	head, tail uint32
	mask       uint32
}

func newSlotRing(n uint32) slotRing {
	c := nextPow2(n)
	return slotRing{s: make([]uint32, c), mask: c - 1}
}

func (r *slotRing) put(v uint32) {
	r.s[r.tail&r.mask] = v
	r.tail++
}

func (r *slotRing) get() (uint32, bool) {
	if r.head == r.tail {
		return 0, false
	}
	v := r.s[r.head&r.mask]
	r.head++
	return v, true
}

// fill empties the ring and puts 1 to n in it.
func (r *slotRing) fill(n uint32) {
	r.head, r.tail = 0, 0
	for i := uint32(1); i <= n; i++ {
		r.put(i)
	}
}

func nextPow2(n uint32) uint32 {
	p := uint32(1)
	for p < n {
		p <<= 1
	}
	return p
}

var registry struct {
	sync.Mutex
	m map[string]*Hash
}

// Create makes a table (rte_hash_create). Its buckets and key store are
// allocated on the Go heap as pointer-free memory that the garbage
// collector does not scan, not in an EAL memzone: a table works without
// the EAL, and its contents are not shared with other processes (DPDK's
// are not usable from another process either: they hold pointers).
// Params.Socket is checked as DPDK does (eal.SocketIDAny or a socket
// number) and otherwise unused.
//
// It returns an error wrapping ErrInvalid for bad parameters and ErrExist
// when a table of that name exists.
func Create(p Params) (*Hash, error) {
	if err := checkParams(&p); err != nil {
		return nil, fmt.Errorf("hash: create %q: %w", p.Name, err)
	}
	h := newHash(p)
	registry.Lock()
	defer registry.Unlock()
	if registry.m == nil {
		registry.m = map[string]*Hash{}
	}
	if _, dup := registry.m[p.Name]; dup {
		return nil, fmt.Errorf("hash: create %q: %w", p.Name, ErrExist)
	}
	registry.m[p.Name] = h
	return h, nil
}

func checkParams(p *Params) error {
	switch {
	case p.Name == "" || len(p.Name) >= NameSize:
		return fmt.Errorf("%w: name must have 1 to %d bytes", ErrInvalid, NameSize-1)
	case p.Entries > EntriesMax || p.Entries < BucketEntries:
		return fmt.Errorf("%w: entries %d not in [%d, %d]", ErrInvalid, p.Entries, BucketEntries, EntriesMax)
	case p.KeyLen == 0:
		return fmt.Errorf("%w: key length 0", ErrInvalid)
	case p.Socket != eal.SocketIDAny && (p.Socket < 0 || p.Socket >= maxSockets):
		return fmt.Errorf("%w: socket %d", ErrInvalid, p.Socket)
	case p.ExtraFlags&^flagsMask != 0:
		return fmt.Errorf("%w: unsupported extra flags %#x", ErrInvalid, uint32(p.ExtraFlags&^flagsMask))
	case p.ExtraFlags&FlagRWConcurrency != 0 && p.ExtraFlags&FlagRWConcurrencyLF != 0:
		return fmt.Errorf("%w: choose FlagRWConcurrency or FlagRWConcurrencyLF", ErrInvalid)
	}
	return nil
}

func newHash(p Params) *Hash {
	f := p.ExtraFlags
	slots := p.Entries + 1 // slot 0 is a dummy: index 0 marks an empty entry
	nb := nextPow2(p.Entries) / BucketEntries
	h := &Hash{
		buckets:     allocBuckets(nb),
		keys:        newKeyStore(slots, p.KeyLen),
		keyLen:      uintptr(p.KeyLen),
		bucketMask:  nb - 1,
		initVal:     p.InitVal,
		hashFunc:    p.HashFunc,
		hashKind:    chooseHash(p.HashFunc),
		cmp:         chooseCmp(p.KeyLen),
		lf:          f&FlagRWConcurrencyLF != 0,
		rwLock:      f&FlagRWConcurrency != 0,
		multiWriter: f&FlagMultiWriterAdd != 0,
		extTable:    f&FlagExtTable != 0,
		noFreeOnDel: f&(FlagNoFreeOnDel|FlagRWConcurrencyLF) != 0,
		free:        newSlotRing(slots),
		slotState:   make([]uint8, slots),
		queue:       make([]queueNode, bfsQueueMax),
		name:        p.Name,
		entries:     p.Entries,
		numBuckets:  nb,
		flags:       f,
	}
	h.free.fill(p.Entries)
	if h.extTable {
		h.ext = allocBuckets(nb)
		h.freeExt = newSlotRing(nb + 1)
		h.freeExt.fill(nb)
		if h.noFreeOnDel {
			h.extToFree = make([]uint32, slots)
		}
	}
	return h
}

// FindExisting returns the table called name (rte_hash_find_existing),
// or ErrNotFound.
func FindExisting(name string) (*Hash, error) {
	registry.Lock()
	defer registry.Unlock()
	if h, ok := registry.m[name]; ok {
		return h, nil
	}
	return nil, fmt.Errorf("hash: find %q: %w", name, ErrNotFound)
}

// Free removes the table from the registry and drops its memory
// (rte_hash_free). The table must not be used afterwards. Free of nil does
// nothing.
func (h *Hash) Free() {
	if h == nil {
		return
	}
	registry.Lock()
	if registry.m[h.name] == h {
		delete(registry.m, h.name)
	}
	registry.Unlock()
	h.buckets, h.ext, h.keys = nil, nil, keyStore{}
}

// Name returns the table's name.
func (h *Hash) Name() string { return h.name }

// KeyLen returns the length of the table's keys.
func (h *Hash) KeyLen() int { return int(h.keyLen) }

// Flags returns the table's extra flags.
func (h *Hash) Flags() Flags { return h.flags }

// Count returns the number of keys in the table (rte_hash_count), counting
// the deleted ones whose position waits for FreeKeyWithPosition.
func (h *Hash) Count() int {
	if h.lf {
		return int(atomic.LoadInt32(&h.used))
	}
	h.lockW()
	defer h.unlockW()
	return int(h.used)
}

// addUsed counts slots taken (d = 1) or freed (d = -1).
func (h *Hash) addUsed(d int32) {
	if h.lf {
		atomic.AddInt32(&h.used, d)
	} else {
		h.used += d
	}
}

// MaxKeyID returns the highest position a key can have plus one
// (rte_hash_max_key_id): positions are 0 to MaxKeyID()-1.
func (h *Hash) MaxKeyID() int32 { return int32(h.entries) }

// SetCmpFunc replaces the key comparison (rte_hash_set_cmp_func). Call it
// before the table is used.
func (h *Hash) SetCmpFunc(f CmpFunc) {
	if f == nil {
		h.cmp = chooseCmp(uint32(h.keyLen))
	} else {
		h.cmp = cmpCustom
	}
	h.customCmp = f
}

// Hash returns the hash of key with the table's function and initial value
// (rte_hash_hash): the signature for the ...WithHash methods.
func (h *Hash) Hash(key []byte) uint32 {
	switch h.hashKind {
	case hashCRC:
		return CRC32C(key, h.initVal)
	case hashJHash:
		return JHash(key, h.initVal)
	}
	return h.hashFunc(noescapeBytes(key), h.initVal)
}

// Reset empties the table (rte_hash_reset). No other goroutine may use
// the table meanwhile, readers included.
func (h *Hash) Reset() {
	h.lockW()
	defer h.unlockW()
	clear(h.buckets)
	clear(h.ext)
	h.keys.clear()
	h.tblChngCnt.Store(0)
	h.free.fill(h.entries)
	if h.extTable {
		h.freeExt.fill(h.numBuckets)
		clear(h.extToFree)
	}
	clear(h.slotState)
	atomic.StoreInt32(&h.used, 0)
}

func (h *Hash) lockW() {
	if h.rwLock {
		h.rw.Lock()
	} else if h.multiWriter {
		h.wmu.Lock()
	}
}

func (h *Hash) unlockW() {
	if h.rwLock {
		h.rw.Unlock()
	} else if h.multiWriter {
		h.wmu.Unlock()
	}
}

// bucketsOf returns the short signature and the primary and secondary
// bucket indices of a hash (get_short_sig, get_prim_bucket_index,
// get_alt_bucket_index): the high 16 bits are the signature, the low bits
// the primary bucket, and the secondary is the primary XOR the signature,
// so that either bucket gives the other (MemC3's partial-key cuckoo).
func (h *Hash) bucketsOf(sig uint32) (short uint16, prim, sec uint32) {
	short = uint16(sig >> 16)
	prim = sig & h.bucketMask
	sec = (prim ^ uint32(short)) & h.bucketMask
	return
}

// nextBucket returns the bucket after b in its chain of extendable
// buckets, or nil.
func (h *Hash) nextBucket(b *bucket) *bucket {
	if n := b.nextIdx(); n != 0 {
		return &h.ext[n-1]
	}
	return nil
}
