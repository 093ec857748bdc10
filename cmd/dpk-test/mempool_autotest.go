package main

// mempool_autotest is a functional self-check of package mempool in the
// spirit of DPDK's app/test/test_mempool.c: creation and lookup (and the
// creations that must fail), get and put of one, two and all objects with
// no cache, the lcore's cache and a user-owned cache, checking that object
// contents survive; exhaustion and the all-or-nothing rule; full/empty and
// the counters; audit, double free and FlagDebug; FlagZeroOnPut; a single
// producer / single consumer pool shared by two lcores; and every lcore
// hammering one pool through its cache, which must come back full.

import (
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"unsafe"

	"dpk/eal"
	"dpk/internal/sys"
	"dpk/mempool"
)

func init() {
	register("mempool_autotest", testMempool)
}

const (
	mpTestEltSize = 2048
	mpTestMaxKeep = 16
)

// mpTestSize is test_mempool.c's MEMPOOL_SIZE.
func mpTestSize() uint32 {
	return uint32(eal.LcoreCount())*(mpTestMaxKeep+mempool.CacheMaxSize) - 1
}

func testMempool() (err error) {
	size := mpTestSize()
	var pools []*mempool.Mempool
	defer func() {
		for _, mp := range pools {
			if e := mp.Free(); e != nil && err == nil {
				err = fmt.Errorf("free mempool %s: %w", mp.Name(), e)
			}
		}
	}()
	create := func(c mempool.Config) (*mempool.Mempool, error) {
		mp, err := mempool.CreateConfig(c)
		if err != nil {
			return nil, fmt.Errorf("cannot create mempool %s: %w", c.Name, err)
		}
		pools = append(pools, mp)
		return mp, nil
	}

	mpNocache, err := create(mempool.Config{Name: "test_nocache", N: size, EltSize: mpTestEltSize,
		Socket: eal.SocketIDAny, ObjInit: myObjInit})
	if err != nil {
		return err
	}
	mpCache, err := create(mempool.Config{Name: "test_cache", N: size, EltSize: mpTestEltSize,
		CacheSize: mempool.CacheMaxSize, Socket: eal.SocketIDAny, ObjInit: myObjInit})
	if err != nil {
		return err
	}

	steps := []struct {
		name string
		fn   func() error
	}{
		{"creation", func() error { return mpTestCreation(mpNocache, mpCache) }},
		{"basic without cache", func() error { return mpTestBasic(mpNocache, false) }},
		{"basic with cache", func() error { return mpTestBasic(mpCache, false) }},
		{"basic with user-owned cache", func() error { return mpTestBasic(mpNocache, true) }},
		{"basic_ex without cache", func() error { return mpTestBasicEx(mpNocache) }},
		{"basic_ex with cache", func() error { return mpTestBasicEx(mpCache) }},
		{"exhaustion", func() error { return mpTestExhaustion(mpNocache) }},
		{"cache flush", func() error { return mpTestCacheFlush(mpCache) }},
		{"object iteration", func() error { return mpTestObjIter(mpCache) }},
		{"audit and double free", mpTestAudit},
		{"debug cookies", mpTestDebug},
		{"zero on put", mpTestZeroOnPut},
		{"single producer / single consumer", mpTestSPSC},
		{"all lcores", func() error { return mpTestAllLcores(mpCache) }},
	}
	for _, s := range steps {
		fmt.Printf("mempool test: %s\n", s.name)
		if err := s.fn(); err != nil {
			return fmt.Errorf("mempool test %q failed: %w", s.name, err)
		}
	}
	fmt.Println("Walk into mempools:")
	for _, mp := range pools {
		fmt.Printf("\t%s\n", mp.Name())
	}
	return nil
}

// mpTestCreation checks lookup and the creations that must fail.
func mpTestCreation(mpNocache, mpCache *mempool.Mempool) error {
	for _, mp := range []*mempool.Mempool{mpNocache, mpCache} {
		got, err := mempool.Lookup(mp.Name())
		if err != nil {
			return fmt.Errorf("cannot lookup mempool %s from its name: %w", mp.Name(), err)
		}
		if got != mp {
			return fmt.Errorf("lookup %s returned another handle", mp.Name())
		}
		if mempool.ByIndex(mp.Index()) != mp {
			return fmt.Errorf("ByIndex(%d) is not mempool %s", mp.Index(), mp.Name())
		}
	}
	if _, err := mempool.Lookup("no_such_pool"); err == nil {
		return errors.New("lookup of a pool that does not exist succeeded")
	}
	if mpCache.CacheSize() != mempool.CacheMaxSize || mpNocache.CacheSize() != 0 {
		return fmt.Errorf("cache sizes %d and %d, want %d and 0", mpCache.CacheSize(), mpNocache.CacheSize(), mempool.CacheMaxSize)
	}
	if mpNocache.Size() != mpTestSize() || mpNocache.EltSize() != mpTestEltSize {
		return fmt.Errorf("size %d elt_size %d, want %d and %d", mpNocache.Size(), mpNocache.EltSize(), mpTestSize(), mpTestEltSize)
	}
	if mpNocache.DefaultCache(eal.MainLcore().ID()) != nil {
		return errors.New("a pool without cache has a default cache")
	}
	if mpCache.DefaultCache(eal.LcoreIDAny) != nil {
		return errors.New("LcoreIDAny has a default cache")
	}
	bad := []struct {
		what string
		c    mempool.Config
	}{
		{"cache size above the maximum", mempool.Config{Name: "test_cache_too_big", N: mpTestSize(), EltSize: mpTestEltSize, CacheSize: mempool.CacheMaxSize + 32}},
		{"cache larger than 2/3 of the pool", mempool.Config{Name: "test_cache_too_big2", N: 64, EltSize: 64, CacheSize: 64}},
		{"no objects", mempool.Config{Name: "test_empty", N: 0, EltSize: 64}},
		{"element size 0", mempool.Config{Name: "test_elt0", N: 64, EltSize: 0}},
		{"empty name", mempool.Config{Name: "", N: 64, EltSize: 64}},
		{"name too long", mempool.Config{Name: "a_mempool_name_far_too_long_for_dpk", N: 64, EltSize: 64}},
		{"duplicate name", mempool.Config{Name: mpNocache.Name(), N: 64, EltSize: 64}},
	}
	for _, b := range bad {
		mp, err := mempool.CreateConfig(b.c)
		if err == nil {
			mp.Free()
			return fmt.Errorf("creation with %s succeeded", b.what)
		}
	}
	if _, err := mempool.CreateConfig(mempool.Config{Name: mpNocache.Name(), N: 64, EltSize: 64}); !errors.Is(err, eal.ErrExist) {
		return fmt.Errorf("duplicate name: error %v, want one wrapping eal.ErrExist", err)
	}
	for _, n := range []uint32{0, mempool.CacheMaxSize + 1} {
		if _, err := mempool.NewCache(n); err == nil {
			return fmt.Errorf("NewCache(%d) succeeded", n)
		}
	}
	return nil
}

// checkObj checks that obj is an object of mp whose content is untouched
// since myObjInit: its index, then zeroes.
func checkObj(mp *mempool.Mempool, obj unsafe.Pointer) error {
	idx, ok := mp.ObjIndex(obj)
	if !ok {
		return fmt.Errorf("%p is not an object of mempool %s", obj, mp.Name())
	}
	if n := *(*uint32)(obj); n != idx {
		return fmt.Errorf("object %d holds object number %d", idx, n)
	}
	b := unsafe.Slice((*byte)(obj), mp.EltSize())
	for j := 4; j < len(b); j++ {
		if b[j] != 0 {
			return fmt.Errorf("object %d was modified at byte %d", idx, j)
		}
	}
	return nil
}

// mpTestBasic is test_mempool_basic: one object, two objects, then as many
// as the pool gives one at a time, checking their contents.
func mpTestBasic(mp *mempool.Mempool, external bool) (err error) {
	var cache *mempool.Cache
	if external {
		if cache, err = mempool.NewCache(mempool.CacheMaxSize); err != nil {
			return err
		}
		defer func() {
			mp.CacheFlush(cache)
			if err == nil && !mp.Full() {
				err = fmt.Errorf("pool not full after flushing the user cache: %d of %d free", mp.AvailCount(), mp.Size())
			}
		}()
	} else {
		cache = mp.DefaultCache(eal.MainLcore().ID())
	}
	mp.Dump(os.Stdout)
	// Objects in a user-owned cache are not counted by AvailCount.
	extra := func() uint32 {
		if external {
			return cache.Len()
		}
		return 0
	}

	var o1, o2 [1]unsafe.Pointer
	if err := mp.GenericGet(o1[:], cache); err != nil {
		return fmt.Errorf("get an object: %w", err)
	}
	if got := mp.AvailCount() + extra(); got != mp.Size()-1 {
		mp.GenericPut(o1[:], cache)
		return fmt.Errorf("after getting one object: %d free, want %d", got, mp.Size()-1)
	}
	if mp.InUseCount() != mp.Size()-mp.AvailCount() {
		mp.GenericPut(o1[:], cache)
		return fmt.Errorf("in use %d + free %d != size %d", mp.InUseCount(), mp.AvailCount(), mp.Size())
	}
	if err := checkObj(mp, o1[0]); err != nil {
		mp.GenericPut(o1[:], cache)
		return err
	}
	mp.GenericPut(o1[:], cache)

	if err := mp.GenericGet(o1[:], cache); err != nil {
		return fmt.Errorf("get 2 objects: %w", err)
	}
	if err := mp.GenericGet(o2[:], cache); err != nil {
		mp.GenericPut(o1[:], cache)
		return fmt.Errorf("get 2 objects: %w", err)
	}
	same := o1[0] == o2[0]
	mp.GenericPut(o1[:], cache)
	mp.GenericPut(o2[:], cache)
	if same {
		return errors.New("two gets returned the same object")
	}

	// Get many objects: maybe not all, other lcores' caches may hold some.
	table := make([]unsafe.Pointer, mp.Size())
	n := 0
	for ; n < len(table); n++ {
		if mp.GenericGet(table[n:n+1], cache) != nil {
			break
		}
	}
	var first error
	seen := make(map[unsafe.Pointer]bool, n)
	for i := n - 1; i >= 0; i-- {
		if first == nil {
			first = checkObj(mp, table[i])
		}
		if first == nil && seen[table[i]] {
			first = fmt.Errorf("object %p handed out twice", table[i])
		}
		seen[table[i]] = true
		mp.GenericPut(table[i:i+1], cache)
	}
	if first != nil {
		return first
	}
	if n == 0 {
		return errors.New("could not get any object one by one")
	}
	if !external && !mp.Full() {
		return fmt.Errorf("pool not full after putting everything back: %d of %d free", mp.AvailCount(), mp.Size())
	}
	return nil
}

// mpTestBasicEx is test_mempool_basic_ex: empty the pool one object at a
// time through the main lcore's cache, check Empty, one more get fails,
// then fill it again.
func mpTestBasicEx(mp *mempool.Mempool) error {
	lcore := eal.MainLcore().ID()
	if !mp.Full() || mp.InUseCount() != 0 {
		return fmt.Errorf("pool %s should be full: %d in use", mp.Name(), mp.InUseCount())
	}
	objs := make([]unsafe.Pointer, mp.Size())
	for i := range objs {
		o, err := mp.Get(lcore)
		if err != nil {
			mp.PutBulk(objs[:i], lcore)
			return fmt.Errorf("get object %d of %d: %w", i, len(objs), err)
		}
		objs[i] = o
	}
	if _, err := mp.Get(lcore); !errors.Is(err, mempool.ErrNoObjects) {
		mp.PutBulk(objs, lcore)
		return fmt.Errorf("get from an empty pool: error %v, want ErrNoObjects", err)
	}
	if !mp.Empty() || mp.AvailCount() != 0 || mp.InUseCount() != mp.Size() {
		mp.PutBulk(objs, lcore)
		return fmt.Errorf("pool should be empty: %d free, %d in use", mp.AvailCount(), mp.InUseCount())
	}
	for _, o := range objs {
		mp.Put(o, lcore)
	}
	if !mp.Full() {
		return fmt.Errorf("pool should be full again: %d of %d free", mp.AvailCount(), mp.Size())
	}
	return nil
}

// mpTestExhaustion checks bulk gets: all objects at once, a failing get
// changes nothing and is counted.
func mpTestExhaustion(mp *mempool.Mempool) error {
	all := make([]unsafe.Pointer, mp.Size())
	fails := mp.GetFails()
	if err := mp.GetBulk(all, eal.LcoreIDAny); err != nil {
		return fmt.Errorf("get all %d objects in one bulk: %w", len(all), err)
	}
	var one [1]unsafe.Pointer
	if err := mp.GetBulk(one[:], eal.LcoreIDAny); !errors.Is(err, mempool.ErrNoObjects) {
		mp.PutBulk(all, eal.LcoreIDAny)
		return fmt.Errorf("get from an exhausted pool: error %v, want ErrNoObjects", err)
	}
	if mp.GetFails() != fails+1 {
		mp.PutBulk(all, eal.LcoreIDAny)
		return fmt.Errorf("get_fails %d, want %d", mp.GetFails(), fails+1)
	}
	// All or nothing: with 10 free, a get of 11 takes nothing.
	mp.PutBulk(all[:10], eal.LcoreIDAny)
	if err := mp.GetBulk(all[:11], eal.LcoreIDAny); !errors.Is(err, mempool.ErrNoObjects) {
		return fmt.Errorf("get 11 of 10 free objects: error %v, want ErrNoObjects", err)
	}
	if mp.AvailCount() != 10 {
		mp.PutBulk(all[10:], eal.LcoreIDAny)
		return fmt.Errorf("a failed get changed the pool: %d free, want 10", mp.AvailCount())
	}
	mp.PutBulk(all[10:], eal.LcoreIDAny)
	if !mp.Full() {
		return fmt.Errorf("pool should be full again: %d of %d free", mp.AvailCount(), mp.Size())
	}
	return mp.Audit()
}

// mpTestCacheFlush checks that puts stay in the lcore's cache and that
// CacheFlush moves them to the central ring.
func mpTestCacheFlush(mp *mempool.Mempool) error {
	lcore := eal.MainLcore().ID()
	c := mp.DefaultCache(lcore)
	if c == nil || c.Size() != mp.CacheSize() {
		return errors.New("no default cache of the pool's size")
	}
	mp.CacheFlush(c)
	var objs [32]unsafe.Pointer
	if err := mp.GenericGet(objs[:], c); err != nil {
		return err
	}
	mp.GenericPut(objs[:], c)
	if c.Len() == 0 {
		return errors.New("objects put through the cache are not in it")
	}
	if !mp.Full() {
		return fmt.Errorf("free count %d ignores the cache (size %d)", mp.AvailCount(), mp.Size())
	}
	mp.CacheFlush(c)
	if c.Len() != 0 || !mp.Full() {
		return fmt.Errorf("after flush: cache holds %d, %d of %d free", c.Len(), mp.AvailCount(), mp.Size())
	}
	// A bulk larger than the cache goes straight to the ring.
	big := make([]unsafe.Pointer, mp.CacheSize()+1)
	if err := mp.GenericGet(big, c); err != nil {
		return err
	}
	mp.GenericPut(big, c)
	mp.CacheFlush(c)
	return mp.Audit()
}

// mpTestObjIter checks that ObjIter visits every object once, in index order.
func mpTestObjIter(mp *mempool.Mempool) error {
	next := uint32(0)
	var bad error
	n := mp.ObjIter(func(obj unsafe.Pointer, idx uint32) {
		if bad != nil {
			return
		}
		if idx != next {
			bad = fmt.Errorf("object %d visited in place %d", idx, next)
		}
		if i, ok := mp.ObjIndex(obj); !ok || i != idx {
			bad = fmt.Errorf("object %d: ObjIndex says %d, %v", idx, i, ok)
		}
		next++
	})
	if bad != nil {
		return bad
	}
	if n != mp.Size() || next != n {
		return fmt.Errorf("ObjIter visited %d objects and returned %d, want %d", next, n, mp.Size())
	}
	if mp.Contains(unsafe.Add(mp.Priv(), -1)) {
		return errors.New("mp.Contains accepts an address before the objects")
	}
	var o [1]unsafe.Pointer
	if err := mp.GetBulk(o[:], eal.LcoreIDAny); err != nil {
		return err
	}
	defer mp.PutBulk(o[:], eal.LcoreIDAny)
	if mp.Contains(unsafe.Add(o[0], 8)) {
		return errors.New("mp.Contains accepts an address inside an object")
	}
	return nil
}

// mpTestAudit makes a double free in a pool without FlagDebug and checks
// that Audit reports it, then repairs the pool.
func mpTestAudit() (err error) {
	mp, err := mempool.Create("test_audit", 16, 64, 0, 0, eal.SocketIDAny, 0)
	if err != nil {
		return err
	}
	defer func() {
		if e := mp.Free(); e != nil && err == nil {
			err = e
		}
	}()
	if err := mp.Audit(); err != nil {
		return fmt.Errorf("audit of a fresh pool: %w", err)
	}
	var two [2]unsafe.Pointer
	if err := mp.GetBulk(two[:], eal.LcoreIDAny); err != nil {
		return err
	}
	if err := mp.Audit(); err != nil {
		return fmt.Errorf("audit with 2 objects in use: %w", err)
	}
	idx, _ := mp.ObjIndex(two[0])
	mp.Put(two[0], eal.LcoreIDAny)
	mp.Put(two[0], eal.LcoreIDAny) // double free
	err = mp.Audit()
	var ae *mempool.AuditError
	if !errors.As(err, &ae) {
		return fmt.Errorf("audit after a double free: %v, want an *AuditError", err)
	}
	if len(ae.Duplicates) != 1 || ae.Duplicates[0] != idx {
		return fmt.Errorf("audit found duplicates %v, want [%d]", ae.Duplicates, idx)
	}
	// Repair: drain the ring and put back each object once.
	all := make([]unsafe.Pointer, 16)
	if err := mp.GetBulk(all, eal.LcoreIDAny); err != nil {
		return fmt.Errorf("drain: %w", err)
	}
	uniq := all[:0]
	seen := map[unsafe.Pointer]bool{}
	for _, o := range all {
		if !seen[o] {
			seen[o] = true
			uniq = append(uniq, o)
		}
	}
	uniq = append(uniq, two[1])
	mp.PutBulk(uniq, eal.LcoreIDAny)
	if !mp.Full() {
		return fmt.Errorf("repaired pool: %d of 16 free", mp.AvailCount())
	}
	return mp.Audit()
}

// mpTestDebug checks that FlagDebug refuses a double free and a foreign
// object, counts them, and that Audit reports them.
func mpTestDebug() (err error) {
	mp, err := mempool.Create("test_debug", 64, 64, 8, 0, eal.SocketIDAny, mempool.FlagDebug)
	if err != nil {
		return err
	}
	defer func() {
		if e := mp.Free(); e != nil && err == nil {
			err = e
		}
	}()
	lcore := eal.MainLcore().ID()
	o, err := mp.Get(lcore)
	if err != nil {
		return err
	}
	mp.Put(o, lcore)
	mp.Put(o, lcore) // refused
	var local [64]byte
	mp.Put(unsafe.Pointer(&local[0]), lcore) // not the pool's: refused
	if mp.DoubleFrees() != 2 {
		return fmt.Errorf("double_frees %d, want 2", mp.DoubleFrees())
	}
	if !mp.Full() {
		return fmt.Errorf("refused puts changed the pool: %d of %d free", mp.AvailCount(), mp.Size())
	}
	var ae *mempool.AuditError
	if err := mp.Audit(); !errors.As(err, &ae) || ae.DoubleFrees != 2 || len(ae.Duplicates) != 0 {
		return fmt.Errorf("audit: %v, want an *AuditError with 2 double frees and no duplicates", err)
	}
	return nil
}

// mpTestZeroOnPut checks that FlagZeroOnPut clears objects when they return.
func mpTestZeroOnPut() (err error) {
	const n, elt = 8, 200
	mp, err := mempool.Create("test_zero", n, elt, 0, 0, eal.SocketIDAny, mempool.FlagZeroOnPut)
	if err != nil {
		return err
	}
	defer func() {
		if e := mp.Free(); e != nil && err == nil {
			err = e
		}
	}()
	objs := make([]unsafe.Pointer, n)
	if err := mp.GetBulk(objs, eal.LcoreIDAny); err != nil {
		return err
	}
	for _, o := range objs {
		b := unsafe.Slice((*byte)(o), elt)
		for i := range b {
			b[i] = 0xa5
		}
	}
	mp.PutBulk(objs, eal.LcoreIDAny)
	if err := mp.GetBulk(objs, eal.LcoreIDAny); err != nil {
		return err
	}
	defer mp.PutBulk(objs, eal.LcoreIDAny)
	for _, o := range objs {
		for i, v := range unsafe.Slice((*byte)(o), elt) {
			if v != 0 {
				return fmt.Errorf("object %p byte %d is %#x after a put, want 0", o, i, v)
			}
		}
	}
	return nil
}

// mpTestSPSC is test_mempool_sp_sc: a pool with a single-producer,
// single-consumer ring; a worker lcore gets objects for 1/8 s and leaves
// them in a table, the main lcore puts them back for 1/4 s.
func mpTestSPSC() (err error) {
	ws := eal.Workers()
	if len(ws) == 0 {
		fmt.Println("single producer / single consumer: needs 2 lcores, skipped")
		return nil
	}
	mp, err := mempool.CreateConfig(mempool.Config{Name: "test_mempool_sp_sc", N: mpTestSize(), EltSize: mpTestEltSize,
		Socket: eal.SocketIDAny, Flags: mempool.FlagNoCacheAlign | mempool.FlagSPPut | mempool.FlagSCGet,
		PrivInit: func(mp *mempool.Mempool) { fmt.Printf("mempool name is %s\n", mp.Name()) },
		ObjInit:  myObjInit})
	if err != nil {
		return err
	}
	defer func() {
		if e := mp.Free(); e != nil && err == nil {
			err = e
		}
	}()
	if got, err := mempool.Lookup("test_mempool_sp_sc"); err != nil || got != mp {
		return fmt.Errorf("cannot lookup mempool from its name: %v", err)
	}
	var table [mpTestMaxKeep]atomic.Pointer[byte]
	hz := sys.TimerHz()
	var got atomic.Uint64
	consumer := func(lc *eal.Lcore) error {
		start := sys.Rdtsc()
		for sys.Rdtsc()-start < hz/8 {
			i := 0
			for i < len(table) && table[i].Load() != nil {
				i++
			}
			if i == len(table) {
				continue
			}
			o, err := mp.Get(lc.ID())
			if err != nil {
				return fmt.Errorf("consumer: %w", err)
			}
			got.Add(1)
			table[i].Store((*byte)(o))
		}
		return nil
	}
	if err := eal.RemoteLaunch(consumer, ws[0].ID()); err != nil {
		return err
	}
	var put uint64
	var perr error
	lcore := eal.MainLcore().ID()
	start := sys.Rdtsc()
	for sys.Rdtsc()-start < hz/4 {
		for i := range table {
			o := table[i].Load()
			if o == nil {
				continue
			}
			if !mp.Contains(unsafe.Pointer(o)) && perr == nil {
				perr = fmt.Errorf("producer: object %p not owned by this mempool", o)
			}
			table[i].Store(nil)
			mp.Put(unsafe.Pointer(o), lcore)
			put++
			break
		}
	}
	if err := eal.WaitLcore(ws[0].ID()); err != nil {
		return err
	}
	for i := range table {
		if o := table[i].Swap(nil); o != nil {
			mp.Put(unsafe.Pointer(o), lcore)
			put++
		}
	}
	if perr != nil {
		return perr
	}
	fmt.Printf("single consumer got %d objects, single producer put back %d\n", got.Load(), put)
	if put != got.Load() || got.Load() == 0 {
		return fmt.Errorf("got %d objects but put back %d", got.Load(), put)
	}
	if !mp.Full() {
		return fmt.Errorf("pool not full at the end: %d of %d free", mp.AvailCount(), mp.Size())
	}
	return mp.Audit()
}

// mpTestAllLcores has every lcore get and put bulks of varying sizes
// through its own cache, keeping up to mpTestMaxKeep objects and writing
// its id in them; the pool must end full and pass audit.
func mpTestAllLcores(mp *mempool.Mempool) error {
	const rounds = 20000
	fn := func(lc *eal.Lcore) error {
		c := mp.DefaultCache(lc.ID())
		var objs [mpTestMaxKeep]unsafe.Pointer
		seed := uint32(lc.ID())*2654435761 + 1
		for r := 0; r < rounds; r++ {
			seed = seed*1664525 + 1013904223
			n := 1 + (seed>>28)%mpTestMaxKeep
			if err := mp.GenericGet(objs[:n], c); err != nil {
				return fmt.Errorf("lcore %d: get %d: %w", lc.ID(), n, err)
			}
			for _, o := range objs[:n] {
				p := (*uint32)(unsafe.Add(o, 4))
				if *p != 0 {
					return fmt.Errorf("lcore %d: object %p in use by lcore %d", lc.ID(), o, *p-1)
				}
				*p = lc.ID() + 1
			}
			for _, o := range objs[:n] {
				*(*uint32)(unsafe.Add(o, 4)) = 0
			}
			mp.GenericPut(objs[:n], c)
		}
		return nil
	}
	if err := eal.MpRemoteLaunch(fn, true); err != nil {
		return err
	}
	if err := eal.MpWaitLcore(); err != nil {
		return err
	}
	if !mp.Full() {
		return fmt.Errorf("pool not full after the run: %d of %d free", mp.AvailCount(), mp.Size())
	}
	if err := mp.Audit(); err != nil {
		return err
	}
	for _, lc := range eal.Lcores() {
		mp.CacheFlush(mp.DefaultCache(lc.ID()))
	}
	return nil
}
