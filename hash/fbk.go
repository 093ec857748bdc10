package hash

import (
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"

	"dpk/eal"
)

// FBK limits, as rte_fbk_hash.h.
const (
	FBKEntriesMax          = 1 << 20 // RTE_FBK_HASH_ENTRIES_MAX
	FBKEntriesPerBucketMax = 256     // RTE_FBK_HASH_ENTRIES_PER_BUCKET_MAX
	FBKInitValDefault      = 0xffffffff
)

// FBKHashFunc hashes a 4-byte key (rte_fbk_hash_fn).
type FBKHashFunc func(key, initVal uint32) uint32

// FBKParams are the parameters of CreateFBK (struct rte_fbk_hash_params).
type FBKParams struct {
	Name             string
	Entries          uint32      // a power of two up to FBKEntriesMax
	EntriesPerBucket uint32      // a power of two up to FBKEntriesPerBucketMax and Entries
	Socket           int         // checked, otherwise unused (see Create)
	HashFunc         FBKHashFunc // nil for CRC32CUint32 with FBKInitValDefault
	InitVal          uint32      // ignored when HashFunc is nil
}

// FBK is a four-byte-key hash table (rte_fbk_hash): 32-bit keys map to
// 16-bit values in buckets of a fixed number of entries, with no second
// bucket; an add fails when the key's bucket is full. Each entry is one
// 64-bit word (key, value, in-use flag) written and read atomically, so
// lookups may run beside one writer; two writers need a lock of the
// caller's.
type FBK struct {
	t          []uint64
	bucketMask uint32
	shift      uint32
	perBucket  uint32
	hashFunc   FBKHashFunc
	initVal    uint32
	crc        bool // hashFunc is CRC32CUint32: computed inline
	fast       bool // crc and 4 entries a bucket: Lookup's fast path
	used       atomic.Uint32
	name       string
	entries    uint32
}

var fbkRegistry struct {
	sync.Mutex
	m map[string]*FBK
}

func isPow2(n uint32) bool { return n != 0 && n&(n-1) == 0 }

// CreateFBK makes a four-byte-key table (rte_fbk_hash_create), on the Go
// heap as Create does. It returns an error wrapping ErrInvalid or ErrExist.
func CreateFBK(p FBKParams) (*FBK, error) {
	switch {
	case p.Name == "" || len(p.Name) >= NameSize:
		return nil, fmt.Errorf("hash: create fbk %q: %w: name must have 1 to %d bytes", p.Name, ErrInvalid, NameSize-1)
	case !isPow2(p.Entries) || !isPow2(p.EntriesPerBucket) || p.EntriesPerBucket > p.Entries ||
		p.Entries > FBKEntriesMax || p.EntriesPerBucket > FBKEntriesPerBucketMax:
		return nil, fmt.Errorf("hash: create fbk %q: %w: entries %d, per bucket %d", p.Name, ErrInvalid, p.Entries, p.EntriesPerBucket)
	case p.Socket != eal.SocketIDAny && (p.Socket < 0 || p.Socket >= maxSockets):
		return nil, fmt.Errorf("hash: create fbk %q: %w: socket %d", p.Name, ErrInvalid, p.Socket)
	}
	f := &FBK{
		t:          make([]uint64, p.Entries),
		bucketMask: p.Entries/p.EntriesPerBucket - 1,
		perBucket:  p.EntriesPerBucket,
		hashFunc:   p.HashFunc,
		initVal:    p.InitVal,
		name:       p.Name,
		entries:    p.Entries,
	}
	for f.shift = 0; p.EntriesPerBucket&(1<<f.shift) == 0; f.shift++ {
	}
	if f.hashFunc == nil {
		f.hashFunc = CRC32CUint32
		f.initVal = FBKInitValDefault
	}
	f.crc = reflect.ValueOf(f.hashFunc).Pointer() == reflect.ValueOf(CRC32CUint32).Pointer()
	f.fast = f.crc && f.perBucket == 4
	fbkRegistry.Lock()
	defer fbkRegistry.Unlock()
	if fbkRegistry.m == nil {
		fbkRegistry.m = map[string]*FBK{}
	}
	if _, dup := fbkRegistry.m[p.Name]; dup {
		return nil, fmt.Errorf("hash: create fbk %q: %w", p.Name, ErrExist)
	}
	fbkRegistry.m[p.Name] = f
	return f, nil
}

// FindExistingFBK returns the four-byte-key table called name
// (rte_fbk_hash_find_existing), or ErrNotFound.
func FindExistingFBK(name string) (*FBK, error) {
	fbkRegistry.Lock()
	defer fbkRegistry.Unlock()
	if f, ok := fbkRegistry.m[name]; ok {
		return f, nil
	}
	return nil, fmt.Errorf("hash: find fbk %q: %w", name, ErrNotFound)
}

// Free removes the table from the registry (rte_fbk_hash_free); it must
// not be used afterwards. Free of nil does nothing.
func (f *FBK) Free() {
	if f == nil {
		return
	}
	fbkRegistry.Lock()
	if fbkRegistry.m[f.name] == f {
		delete(fbkRegistry.m, f.name)
	}
	fbkRegistry.Unlock()
	f.t = nil
}

// Bucket returns the index of key's bucket's first entry
// (rte_fbk_hash_get_bucket), for the ...WithBucket methods.
func (f *FBK) Bucket(key uint32) uint32 {
	var h uint32
	if f.crc {
		h = crc32cUint32Table(key, f.initVal)
	} else {
		h = f.hashFunc(key, f.initVal)
	}
	return (h & f.bucketMask) << f.shift
}

func fbkEntry(key uint32, value uint16) uint64 {
	return uint64(key)<<32 | uint64(value)<<16 | 1
}

// Add adds key with value, or changes the value of key
// (rte_fbk_hash_add_key); ErrNoSpace when key's bucket is full.
func (f *FBK) Add(key uint32, value uint16) error {
	return f.AddWithBucket(key, value, f.Bucket(key))
}

// AddWithBucket is Add with the bucket computed beforehand by Bucket.
func (f *FBK) AddWithBucket(key uint32, value uint16, bucket uint32) error {
	t := f.t[bucket : bucket+f.perBucket]
	for i := range t {
		e := t[i]
		if e&0xffff == 0 {
			atomic.StoreUint64(&t[i], fbkEntry(key, value))
			f.used.Add(1)
			return nil
		}
		if uint32(e>>32) == key {
			atomic.StoreUint64(&t[i], fbkEntry(key, value))
			return nil
		}
	}
	return ErrNoSpace
}

// Delete removes key (rte_fbk_hash_delete_key); ErrNotFound if it is
// absent. The bucket's last entry moves to the freed one, so that the
// used entries of a bucket stay first.
func (f *FBK) Delete(key uint32) error {
	return f.DeleteWithBucket(key, f.Bucket(key))
}

// DeleteWithBucket is Delete with a precomputed bucket.
func (f *FBK) DeleteWithBucket(key uint32, bucket uint32) error {
	t := f.t[bucket : bucket+f.perBucket]
	for i := range t {
		e := t[i]
		if e&0xffff == 0 {
			break
		}
		if uint32(e>>32) != key {
			continue
		}
		last := i
		for last+1 < len(t) && t[last+1]&0xffff != 0 {
			last++
		}
		atomic.StoreUint64(&t[i], t[last])
		atomic.StoreUint64(&t[last], 0)
		f.used.Add(^uint32(0))
		return nil
	}
	return ErrNotFound
}

// Lookup returns the value of key and true, or 0 and false
// (rte_fbk_hash_lookup).
func (f *FBK) Lookup(key uint32) (uint16, bool) {
	if f.fast {
		// The default hash and DPDK's usual 4 entries a bucket: no call,
		// and no branch on where the key is, so that the CPU overlaps
		// lookups.
		b := (crc32cUint32Table(key, f.initVal) & f.bucketMask) << 2
		return lookup4(key, (*[4]uint64)(f.t[b:b+4]))
	}
	return f.LookupWithBucket(key, f.Bucket(key))
}

// lookup4 looks key up in a bucket of 4 entries. The used entries of a
// bucket come first and hold a key at most once, so every entry can be
// checked, each with one comparison (key and in-use flag 1, as entries
// are written) and a conditional move.
func lookup4(key uint32, t *[4]uint64) (uint16, bool) {
	const mask = 0xffffffff_0000ffff // key and in-use flag
	k := uint64(key)<<32 | 1
	x0, x1 := atomic.LoadUint64(&t[0]), atomic.LoadUint64(&t[1])
	x2, x3 := atomic.LoadUint64(&t[2]), atomic.LoadUint64(&t[3])
	var e uint64
	if (x0^k)&mask == 0 {
		e = x0
	}
	if (x1^k)&mask == 0 {
		e = x1
	}
	if (x2^k)&mask == 0 {
		e = x2
	}
	if (x3^k)&mask == 0 {
		e = x3
	}
	return uint16(e >> 16), e != 0
}

// LookupWithBucket is Lookup with a precomputed bucket.
func (f *FBK) LookupWithBucket(key uint32, bucket uint32) (uint16, bool) {
	if f.perBucket == 4 {
		return lookup4(key, (*[4]uint64)(f.t[bucket:bucket+4]))
	}
	t := f.t[bucket : bucket+f.perBucket]
	for i := range t {
		e := atomic.LoadUint64(&t[i])
		if e&0xffff == 0 {
			return 0, false
		}
		if uint32(e>>32) == key {
			return uint16(e >> 16), true
		}
	}
	return 0, false
}

// ClearAll empties the table (rte_fbk_hash_clear_all).
func (f *FBK) ClearAll() {
	for i := range f.t {
		atomic.StoreUint64(&f.t[i], 0)
	}
	f.used.Store(0)
}

// LoadFactor returns the share of entries in use (rte_fbk_hash_get_load_factor).
func (f *FBK) LoadFactor() float64 { return float64(f.used.Load()) / float64(f.entries) }
