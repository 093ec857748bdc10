package mempool_test

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"unsafe"

	"dpk/eal"
	"dpk/internal/testutil"
	"dpk/mempool"
)

const any = eal.LcoreIDAny

func TestCreateGetPut(t *testing.T) {
	testutil.InitEAL(t, "--in-memory")
	for _, tc := range []struct {
		name  string
		cache uint32
		flags mempool.Flags
	}{
		{"nocache", 0, 0},
		{"cache", 32, 0},
		{"spsc", 32, mempool.FlagSPPut | mempool.FlagSCGet},
		{"packed", 0, mempool.FlagNoCacheAlign},
		{"debug", 16, mempool.FlagDebug},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var inits atomic.Uint32
			mp, err := mempool.CreateConfig(mempool.Config{Name: "p_" + tc.name, N: 255, EltSize: 100, CacheSize: tc.cache,
				PrivSize: 24, Socket: eal.SocketIDAny, Flags: tc.flags,
				ObjInit: func(mp *mempool.Mempool, obj unsafe.Pointer, i uint32) {
					*(*uint32)(obj) = i
					inits.Add(1)
				}})
			if err != nil {
				t.Fatal(err)
			}
			defer mp.Free()
			if inits.Load() != 255 || mp.Size() != 255 || mp.AvailCount() != 255 || !mp.Full() {
				t.Fatalf("inits %d size %d avail %d", inits.Load(), mp.Size(), mp.AvailCount())
			}
			if l, err := mempool.Lookup("p_" + tc.name); err != nil || l != mp {
				t.Fatalf("lookup: %v %v", l, err)
			}
			lc := eal.MainLcore().ID()
			objs := make([]unsafe.Pointer, 255)
			seen := map[unsafe.Pointer]bool{}
			// Take everything in uneven bulks, through the cache.
			for got := 0; got < 255; {
				k := min(7, 255-got)
				if err := mp.GetBulk(objs[got:got+k], lc); err != nil {
					t.Fatalf("get at %d: %v", got, err)
				}
				for _, o := range objs[got : got+k] {
					if seen[o] || !mp.Contains(o) {
						t.Fatalf("object %p duplicated or foreign", o)
					}
					seen[o] = true
					if tc.flags&mempool.FlagNoCacheAlign == 0 && uintptr(o)%64 != 0 {
						t.Fatalf("object %p not cache aligned", o)
					}
					idx, _ := mp.ObjIndex(o)
					if *(*uint32)(o) != idx {
						t.Fatalf("object %d not initialised", idx)
					}
				}
				got += k
			}
			if mp.AvailCount() != 0 || mp.InUseCount() != 255 || !mp.Empty() {
				t.Fatalf("avail %d in use %d", mp.AvailCount(), mp.InUseCount())
			}
			if err := mp.GetBulk(objs[:1], lc); !errors.Is(err, mempool.ErrNoObjects) {
				t.Fatalf("get from empty pool: %v", err)
			}
			if _, err := mp.Get(any); !errors.Is(err, mempool.ErrNoObjects) || mp.GetFails() < 2 {
				t.Fatalf("get from empty pool: %v (fails %d)", err, mp.GetFails())
			}
			mp.PutBulk(objs[:100], lc)
			mp.PutBulk(objs[100:], any)
			if mp.AvailCount() != 255 {
				t.Fatalf("avail %d after putting all back", mp.AvailCount())
			}
			// Bulk get is all or nothing.
			big := make([]unsafe.Pointer, 256)
			if err := mp.GetBulk(big, lc); err == nil || mp.AvailCount() != 255 {
				t.Fatalf("oversized bulk: %v, avail %d", err, mp.AvailCount())
			}
			if err := mp.Audit(); err != nil {
				t.Fatal(err)
			}
			n := mp.ObjIter(func(obj unsafe.Pointer, i uint32) {
				if idx, ok := mp.ObjIndex(obj); !ok || idx != i {
					t.Fatalf("iter %d", i)
				}
			})
			if n != 255 {
				t.Fatalf("iterated %d", n)
			}
			var sb strings.Builder
			mp.Dump(&sb)
			if !strings.Contains(sb.String(), "mempool <p_"+tc.name+">") {
				t.Errorf("dump: %s", sb.String())
			}
		})
	}
}

func TestCacheFlushThreshold(t *testing.T) {
	testutil.InitEAL(t, "--in-memory")
	mp, err := mempool.Create("flush", 1023, 64, 32, 0, -1, 0)
	if err != nil {
		t.Fatal(err)
	}
	lc := eal.MainLcore().ID()
	c := mp.DefaultCache(lc)
	if c == nil || c.Size() != 32 {
		t.Fatal("no cache")
	}
	objs := make([]unsafe.Pointer, 60)
	// A get of 4 refills the cache with 4+32 and hands out 4.
	if err := mp.GenericGet(objs[:4], c); err != nil {
		t.Fatal(err)
	}
	if c.Len() != 32 {
		t.Errorf("cache len %d after first get, want 32", c.Len())
	}
	if err := mp.GenericGet(objs[4:44], c); err != nil { // 40 >= size: straight from ring
		t.Fatal(err)
	}
	if c.Len() != 32 {
		t.Errorf("cache len %d after large get, want 32", c.Len())
	}
	mp.GenericPut(objs[:16], c) // 48 = threshold: stays
	if c.Len() != 48 {
		t.Errorf("cache len %d, want 48", c.Len())
	}
	mp.GenericPut(objs[16:17], c) // 49 > 48: flush all, then cache the put
	if c.Len() != 1 {
		t.Errorf("cache len %d after flush, want 1", c.Len())
	}
	mp.GenericPut(objs[17:44], c)
	mp.CacheFlush(c)
	if c.Len() != 0 || mp.AvailCount() != 1023 {
		t.Errorf("after flush: cache %d avail %d", c.Len(), mp.AvailCount())
	}
	if mp.DefaultCache(any) != nil {
		t.Error("LcoreIDAny has a cache")
	}
	uc, err := mempool.NewCache(16)
	if err != nil {
		t.Fatal(err)
	}
	mp.GenericGet(objs[:3], uc)
	mp.GenericPut(objs[:3], uc)
	mp.CacheFlush(uc)
	if mp.AvailCount() != 1023 {
		t.Errorf("user cache lost objects: avail %d", mp.AvailCount())
	}
	if _, err := mempool.NewCache(0); err == nil {
		t.Error("cache of size 0")
	}
}

func TestAuditDoubleFree(t *testing.T) {
	testutil.InitEAL(t, "--in-memory")
	// Without FlagDebug the double free gets in and Audit finds it.
	mp, _ := mempool.Create("plain", 60, 32, 0, 0, -1, 0) // ring capacity 63: room for the duplicate
	o, _ := mp.Get(any)
	mp.Put(o, any)
	mp.Put(o, any)
	var ae *mempool.AuditError
	if err := mp.Audit(); !errors.As(err, &ae) || len(ae.Duplicates) != 1 {
		t.Fatalf("audit after double free: %v", err)
	}
	// With FlagDebug the second put is refused and counted.
	dp, _ := mempool.Create("debug", 63, 32, 16, 0, -1, mempool.FlagDebug)
	lc := eal.MainLcore().ID()
	o, _ = dp.Get(lc)
	dp.Put(o, lc)
	dp.Put(o, lc)
	dp.Put(unsafe.Add(o, 8), lc) // not an object
	if dp.DoubleFrees() != 2 || dp.AvailCount() != 63 {
		t.Fatalf("double frees %d avail %d", dp.DoubleFrees(), dp.AvailCount())
	}
	if err := dp.Audit(); !errors.As(err, &ae) || ae.DoubleFrees != 2 || len(ae.Duplicates) != 0 {
		t.Fatalf("audit: %v", err)
	}
}

func TestCreateErrors(t *testing.T) {
	testutil.InitEAL(t, "--in-memory")
	if _, err := mempool.Create("dup", 10, 8, 0, 0, -1, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := mempool.Create("dup", 10, 8, 0, 0, -1, 0); !errors.Is(err, eal.ErrExist) {
		t.Errorf("duplicate: %v", err)
	}
	for _, c := range []mempool.Config{
		{Name: "", N: 10, EltSize: 8},
		{Name: "zero", N: 0, EltSize: 8},
		{Name: "nosize", N: 10, EltSize: 0},
		{Name: "bigcache", N: 10, EltSize: 8, CacheSize: 600},
		{Name: "cachetoobigforn", N: 10, EltSize: 8, CacheSize: 8},
		{Name: "huge", N: 1 << 29, EltSize: 1 << 20},
	} {
		if _, err := mempool.CreateConfig(c); err == nil {
			t.Errorf("Create(%+v) succeeded", c)
		}
	}
	if _, err := mempool.Lookup("nope"); !errors.Is(err, eal.ErrNotFound) {
		t.Errorf("lookup of missing pool: %v", err)
	}
}

// TestConcurrentConservation has every lcore take and return objects
// through its cache while the others do the same; at the end every object
// is back exactly once.
func TestConcurrentConservation(t *testing.T) {
	testutil.InitEAL(t, "--in-memory")
	if eal.LcoreCount() < 2 {
		t.Skip("needs two lcores")
	}
	mp, err := mempool.Create("stress", 4095, 64, 64, 0, -1, 0)
	if err != nil {
		t.Fatal(err)
	}
	iters := 200000
	if testing.Short() {
		iters = 20000
	}
	var total atomic.Uint64
	err = eal.MpRemoteLaunch(func(lc *eal.Lcore) error {
		c := mp.DefaultCache(lc.ID())
		objs := make([]unsafe.Pointer, 48)
		var n uint64
		for i := 0; i < iters; i++ {
			k := 1 + i%len(objs)
			if err := mp.GenericGet(objs[:k], c); err != nil {
				continue
			}
			for _, o := range objs[:k] {
				*(*uint64)(o) = uint64(lc.ID()) // touch it: a shared object would show in Audit
			}
			mp.GenericPut(objs[:k], c)
			n += uint64(k)
		}
		mp.CacheFlush(c)
		total.Add(n)
		return nil
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := eal.MpWaitLcore(); err != nil {
		t.Fatal(err)
	}
	if mp.AvailCount() != 4095 {
		t.Errorf("avail %d, want 4095", mp.AvailCount())
	}
	if err := mp.Audit(); err != nil {
		t.Error(err)
	}
	t.Logf("%d objects moved", total.Load())
}

func TestZeroAllocs(t *testing.T) {
	testutil.InitEAL(t, "--in-memory")
	mp, _ := mempool.Create("za", 2047, 64, 256, 0, -1, 0)
	lc := eal.MainLcore().ID()
	c := mp.DefaultCache(lc)
	objs := make([]unsafe.Pointer, 32)
	big := make([]unsafe.Pointer, 600)
	for name, fn := range map[string]func(){
		"cache":   func() { mp.GenericGet(objs, c); mp.GenericPut(objs, c) },
		"nocache": func() { mp.GenericGet(objs, nil); mp.GenericPut(objs, nil) },
		"big":     func() { mp.GenericGet(big, c); mp.GenericPut(big, c) },
		"single":  func() { o, _ := mp.Get(lc); mp.Put(o, lc) },
	} {
		if n := testing.AllocsPerRun(1000, fn); n != 0 {
			t.Errorf("%s: %v allocs per run", name, n)
		}
	}
}

func BenchmarkGetPutBulk32Cache(b *testing.B) {
	testutil.InitEAL(b, "--in-memory")
	mp, _ := mempool.Create("b", 8191, 2048, 512, 0, -1, 0)
	c := mp.DefaultCache(eal.MainLcore().ID())
	objs := make([]unsafe.Pointer, 32)
	b.ReportAllocs()
	for b.Loop() {
		mp.GenericGet(objs, c)
		mp.GenericPut(objs, c)
	}
}

func BenchmarkGetPutCache(b *testing.B) {
	testutil.InitEAL(b, "--in-memory")
	mp, _ := mempool.Create("bn", 8191, 2048, 512, 0, -1, 0)
	c := mp.DefaultCache(eal.MainLcore().ID())
	for _, n := range []int{1, 4, 32} {
		objs := make([]unsafe.Pointer, n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				mp.GenericGet(objs, c)
				mp.GenericPut(objs, c)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/obj")
		})
	}
}
