package main

// mempool_perf_autotest is DPDK 22.11's app/test/test_mempool_perf.c in Go:
// same pools, same sections, same parameter loops, same rate definition and
// the same output lines, so that bench/vs-dpdk.sh reads both.
//
// Each lcore taking part gets n_keep objects in bulks of n_get_bulk, then
// puts them back in bulks of n_put_bulk, N (65536) objects per round, for
// TIME_S seconds measured with the TSC. Workers spin on a shared flag that
// the main lcore raises after launching them, then every lcore runs the loop
// itself. rate_persec is the sum over lcores of (objects got / TIME_S): the
// count is of objects taken (each is also put back), and is divided by the
// nominal TIME_S, not the slightly longer time really spent (the last round
// overshoots), exactly as DPDK does.
//
// Sections, each run with 1 core, 2 cores and all lcores (DPDK prints the
// "all" block even when it equals 2):
//
//	start performance test (without cache)                perf_test_nocache, no cache
//	start performance test for ring_mp_mc (without cache)  default_pool, no cache
//	start performance test (with cache)                   perf_test_cache, lcore caches of 512
//	start performance test (with user-owned cache)        perf_test_nocache, a user cache of 512 per lcore
//
// For each: n_get_bulk and n_put_bulk in {1, 4, 8, 32}, n_keep in {32, 128,
// 512}, and when n_get_bulk == n_put_bulk the line again with constant_n=1,
// where the bulk size is a compile-time constant of the loop: 60 lines per
// core count, 720 in all, about an hour at the default TIME_S of 5 seconds.
//
// The full run is long, so three environment variables shorten it (they
// are dpk's, DPDK has no such knobs):
//
//	DPK_PERF_TIME_S=1            seconds per line instead of 5 (may be fractional: 0.5)
//	DPK_MEMPOOL_PERF_SECTIONS=cache,user
//	                             run only these sections: nocache, ring_mp_mc, cache, user
//	DPK_MEMPOOL_PERF_FILTER="cores=1 n_get_bulk=1,32"
//	                             run only the lines whose parameters match every term; a term
//	                             is key=value or key=v1,v2,... with the keys of the output line
//	                             (cache, cores, n_get_bulk, n_put_bulk, n_keep, constant_n)
//
// Lines filtered out are not printed; section headers are printed only for
// the sections that run. The pools' dumps (rte_mempool_list_dump) end the
// output.

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"unsafe"

	"dpk/eal"
	"dpk/internal/sys"
	"dpk/mempool"
)

func init() {
	register("mempool_perf_autotest", testMempoolPerf)
}

const (
	mpPerfN              = 65536 // objects got (and put) per round of the loop
	mpPerfTimeS          = 5     // default seconds per measurement
	mpPerfEltSize        = 2048
	mpPerfMaxKeep        = 512
	mpPerfCacheLineBurst = eal.CacheLineSize / (strconv.IntSize / 8) // CACHE_LINE_BURST: pointers per cache line
)

// mpPerfPoolSize is MEMPOOL_SIZE: room for every lcore's kept objects and a
// full cache, minus one so that the central ring (a power of two) holds all.
func mpPerfPoolSize() uint32 {
	return uint32(eal.LcoreCount())*(mpPerfMaxKeep+mempool.CacheMaxSize) - 1
}

// mpPerfLcore is one lcore's private state, a multiple of cache lines so
// that lcores do not share a line: its object table, preallocated so the
// measured loop allocates nothing, and its object count.
type mpPerfLcore struct {
	objs     [mpPerfMaxKeep]unsafe.Pointer
	enqCount uint64
	_        [eal.CacheLineSize - 8]byte
}

// mempoolPerf holds what DPDK keeps in file-scope variables.
type mempoolPerf struct {
	useExternalCache  bool
	externalCacheSize uint32
	synchro           atomic.Uint32
	nGetBulk          uint32
	nPutBulk          uint32
	nKeep             uint32
	constant          bool

	timeS      float64 // TIME_S
	timeCycles uint64  // TIME_S in TSC cycles
	filter     []mpPerfTerm
	lcores     []mpPerfLcore // indexed by lcore id
}

// mpPerfTerm is one term of DPK_MEMPOOL_PERF_FILTER: key and accepted values.
type mpPerfTerm struct {
	key    string
	values []string
}

func parseMpPerfFilter(s string) ([]mpPerfTerm, error) {
	var terms []mpPerfTerm
	for _, f := range strings.Fields(s) {
		k, v, ok := strings.Cut(f, "=")
		switch k {
		case "cache", "cores", "n_get_bulk", "n_put_bulk", "n_keep", "constant_n":
		default:
			ok = false
		}
		if !ok || v == "" {
			return nil, fmt.Errorf("DPK_MEMPOOL_PERF_FILTER: bad term %q (want key=value[,value...] with key one of cache, cores, n_get_bulk, n_put_bulk, n_keep, constant_n)", f)
		}
		terms = append(terms, mpPerfTerm{key: k, values: strings.Split(v, ",")})
	}
	return terms, nil
}

// selected reports whether a line with these parameters passes the filter.
func (t *mempoolPerf) selected(params map[string]uint32) bool {
	for _, term := range t.filter {
		want := strconv.FormatUint(uint64(params[term.key]), 10)
		hit := false
		for _, v := range term.values {
			if v == want {
				hit = true
				break
			}
		}
		if !hit {
			return false
		}
	}
	return true
}

// mpPerfSections are the sections in DPDK's order, with the names
// DPK_MEMPOOL_PERF_SECTIONS takes.
var mpPerfSections = []string{"nocache", "ring_mp_mc", "cache", "user"}

func parseMpPerfSections(s string) (map[string]bool, error) {
	run := map[string]bool{}
	if strings.TrimSpace(s) == "" {
		for _, n := range mpPerfSections {
			run[n] = true
		}
		return run, nil
	}
	for _, n := range strings.Split(s, ",") {
		n = strings.TrimSpace(n)
		ok := false
		for _, known := range mpPerfSections {
			ok = ok || n == known
		}
		if !ok {
			return nil, fmt.Errorf("DPK_MEMPOOL_PERF_SECTIONS: unknown section %q (want a comma-separated list of %s)", n, strings.Join(mpPerfSections, ", "))
		}
		run[n] = true
	}
	return run, nil
}

func parseMpPerfTime() (float64, error) {
	s := os.Getenv("DPK_PERF_TIME_S")
	if s == "" {
		return mpPerfTimeS, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || !(v > 0 && v <= 3600) {
		return 0, fmt.Errorf("DPK_PERF_TIME_S=%q: want seconds, more than 0 and at most 3600", s)
	}
	return v, nil
}

// myObjInit writes the object's index in its first 4 bytes and zeroes the
// rest (my_obj_init).
func myObjInit(mp *mempool.Mempool, obj unsafe.Pointer, i uint32) {
	clear(unsafe.Slice((*byte)(obj), mp.EltSize()))
	*(*uint32)(obj) = i
}

// mpPerfBulk lists the object-table shapes of the constant_n loops: Go
// compiles one copy of mpTestLoopConst per array length (arrays of different
// lengths have different GC shapes), in which the bulk size is a constant,
// as DPDK gets from calling an always-inline function with constant
// arguments.
type mpPerfBulk interface {
	[1]unsafe.Pointer | [4]unsafe.Pointer | [mpPerfCacheLineBurst]unsafe.Pointer | [32]unsafe.Pointer
}

// mpTestLoop is DPDK's test_loop with variable bulk sizes: N/keep rounds of
// getting keep objects by bulks of getBulk and putting them back by bulks
// of putBulk, through cache (nil: the central ring).
func mpTestLoop(mp *mempool.Mempool, cache *mempool.Cache, objs *[mpPerfMaxKeep]unsafe.Pointer, keep, getBulk, putBulk uint32) error {
	for i := uint32(0); i < mpPerfN/keep; i++ {
		for idx := uint32(0); idx < keep; idx += getBulk {
			if err := mp.GenericGet(objs[idx:idx+getBulk], cache); err != nil {
				mp.Dump(os.Stdout)
				return err
			}
		}
		for idx := uint32(0); idx < keep; idx += putBulk {
			mp.GenericPut(objs[idx:idx+putBulk], cache)
		}
	}
	return nil
}

// mpTestLoopConst is mpTestLoop with get and put bulk sizes both len(B), a
// compile-time constant in each instantiation.
func mpTestLoopConst[B mpPerfBulk](mp *mempool.Mempool, cache *mempool.Cache, objs *[mpPerfMaxKeep]unsafe.Pointer, keep uint32) error {
	var b B
	n := uint32(len(b))
	for i := uint32(0); i < mpPerfN/keep; i++ {
		for idx := uint32(0); idx < keep; idx += n {
			if err := mp.GenericGet(objs[idx:idx+n], cache); err != nil {
				mp.Dump(os.Stdout)
				return err
			}
		}
		for idx := uint32(0); idx < keep; idx += n {
			mp.GenericPut(objs[idx:idx+n], cache)
		}
	}
	return nil
}

var errMpPerfParams = errors.New("bad test parameters")

// perLcore is per_lcore_mempool_test: it runs on every lcore taking part,
// the main one included.
func (t *mempoolPerf) perLcore(mp *mempool.Mempool, lc *eal.Lcore) (err error) {
	id := lc.ID()
	var cache *mempool.Cache
	if t.useExternalCache {
		cache, err = mempool.NewCache(t.externalCacheSize)
		if err != nil {
			return fmt.Errorf("lcore %d: user-owned cache: %w", id, err)
		}
		defer mp.CacheFlush(cache)
	} else {
		cache = mp.DefaultCache(id) // nil when the pool has no caches
	}
	// n_get_bulk and n_put_bulk must divide n_keep; with constant n they
	// must be equal.
	if t.nKeep%t.nGetBulk != 0 || t.nKeep%t.nPutBulk != 0 || (t.constant && t.nGetBulk != t.nPutBulk) {
		return fmt.Errorf("lcore %d: %w", id, errMpPerfParams)
	}
	st := &t.lcores[id]
	st.enqCount = 0
	objs := &st.objs

	if !lc.IsMain() {
		for t.synchro.Load() != 1 {
			sys.Pause()
		}
	}
	start := sys.Rdtsc()
	var diff uint64
	for diff < t.timeCycles {
		switch {
		case !t.constant:
			err = mpTestLoop(mp, cache, objs, t.nKeep, t.nGetBulk, t.nPutBulk)
		case t.nGetBulk == 1:
			err = mpTestLoopConst[[1]unsafe.Pointer](mp, cache, objs, t.nKeep)
		case t.nGetBulk == 4:
			err = mpTestLoopConst[[4]unsafe.Pointer](mp, cache, objs, t.nKeep)
		case t.nGetBulk == mpPerfCacheLineBurst:
			err = mpTestLoopConst[[mpPerfCacheLineBurst]unsafe.Pointer](mp, cache, objs, t.nKeep)
		case t.nGetBulk == 32:
			err = mpTestLoopConst[[32]unsafe.Pointer](mp, cache, objs, t.nKeep)
		default:
			err = errMpPerfParams
		}
		if err != nil {
			return fmt.Errorf("lcore %d: %w", id, err)
		}
		diff = sys.Rdtsc() - start
		st.enqCount += mpPerfN
	}
	return nil
}

// launchCores is launch_cores: it runs the test on cores lcores (the main
// one and cores-1 workers) and prints the line.
func (t *mempoolPerf) launchCores(mp *mempool.Mempool, cores uint32) error {
	cacheSize := mp.CacheSize()
	if t.useExternalCache {
		cacheSize = t.externalCacheSize
	}
	constN := uint32(0)
	if t.constant {
		constN = 1
	}
	if !t.selected(map[string]uint32{"cache": cacheSize, "cores": cores, "n_get_bulk": t.nGetBulk,
		"n_put_bulk": t.nPutBulk, "n_keep": t.nKeep, "constant_n": constN}) {
		return nil
	}
	t.synchro.Store(0)
	for i := range t.lcores {
		t.lcores[i].enqCount = 0
	}
	fmt.Printf("mempool_autotest cache=%d cores=%d n_get_bulk=%d n_put_bulk=%d n_keep=%d constant_n=%d ",
		cacheSize, cores, t.nGetBulk, t.nPutBulk, t.nKeep, constN)
	if mp.AvailCount() != mpPerfPoolSize() {
		fmt.Println("mempool is not full")
		return fmt.Errorf("mempool %s is not full before the test: %d of %d objects free", mp.Name(), mp.AvailCount(), mpPerfPoolSize())
	}

	fn := func(lc *eal.Lcore) error { return t.perLcore(mp, lc) }
	var launched []uint32
	var err error
	left := cores
	for _, w := range eal.Workers() {
		if left == 1 {
			break
		}
		left--
		if e := eal.RemoteLaunch(fn, w.ID()); e != nil {
			err = e
			break
		}
		launched = append(launched, w.ID())
	}
	// Start the workers and run the test on the main lcore.
	t.synchro.Store(1)
	if err == nil {
		err = t.perLcore(mp, eal.MainLcore())
	}
	for _, id := range launched {
		if e := eal.WaitLcore(id); e != nil && err == nil {
			err = e
		}
	}
	if err != nil {
		fmt.Println("per-lcore test returned -1")
		return err
	}

	var rate uint64
	for i := range t.lcores {
		rate += t.perLcoreRate(t.lcores[i].enqCount)
	}
	fmt.Printf("rate_persec=%d\n", rate)
	return nil
}

// perLcoreRate is enq_count / TIME_S, in integers as DPDK when TIME_S is
// a whole number of seconds.
func (t *mempoolPerf) perLcoreRate(n uint64) uint64 {
	if t.timeS == float64(uint64(t.timeS)) {
		return n / uint64(t.timeS)
	}
	return uint64(float64(n) / t.timeS)
}

// doOne is do_one_mempool_test: every parameter combination on cores lcores.
func (t *mempoolPerf) doOne(mp *mempool.Mempool, cores uint32) error {
	bulks := []uint32{1, 4, mpPerfCacheLineBurst, 32}
	keeps := []uint32{32, 128, 512}
	for _, g := range bulks {
		for _, p := range bulks {
			for _, k := range keeps {
				t.constant = false
				t.nGetBulk, t.nPutBulk, t.nKeep = g, p, k
				if err := t.launchCores(mp, cores); err != nil {
					return err
				}
				// Replay with constant values.
				if g == p {
					t.constant = true
					if err := t.launchCores(mp, cores); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

func testMempoolPerf() (err error) {
	t := &mempoolPerf{externalCacheSize: mempool.CacheMaxSize}
	if t.timeS, err = parseMpPerfTime(); err != nil {
		return err
	}
	if t.filter, err = parseMpPerfFilter(os.Getenv("DPK_MEMPOOL_PERF_FILTER")); err != nil {
		return err
	}
	run, err := parseMpPerfSections(os.Getenv("DPK_MEMPOOL_PERF_SECTIONS"))
	if err != nil {
		return err
	}
	t.timeCycles = uint64(t.timeS * float64(sys.TimerHz()))
	t.lcores = make([]mpPerfLcore, eal.MaxLcore)

	size := mpPerfPoolSize()
	var pools []*mempool.Mempool
	defer func() {
		for _, mp := range pools {
			if e := mp.Free(); e != nil && err == nil {
				err = e
			}
		}
	}()
	create := func(name string, cacheSize uint32, objInit mempool.ObjInit) (*mempool.Mempool, error) {
		mp, err := mempool.CreateConfig(mempool.Config{Name: name, N: size, EltSize: mpPerfEltSize,
			CacheSize: cacheSize, Socket: eal.SocketIDAny, ObjInit: objInit})
		if err != nil {
			return nil, fmt.Errorf("cannot create mempool %s: %w", name, err)
		}
		pools = append(pools, mp)
		return mp, nil
	}
	mpNocache, err := create("perf_test_nocache", 0, myObjInit)
	if err != nil {
		return err
	}
	mpCache, err := create("perf_test_cache", mempool.CacheMaxSize, myObjInit)
	if err != nil {
		return err
	}
	// DPDK creates default_pool empty, sets the best ops (ring_mp_mc, the
	// only one dpk has), populates it and then runs my_obj_init on every
	// object.
	defaultOps := "ring_mp_mc"
	defaultPool, err := create("default_pool", 0, nil)
	if err != nil {
		return err
	}
	defaultPool.ObjIter(func(obj unsafe.Pointer, i uint32) { myObjInit(defaultPool, obj, i) })

	all := uint32(eal.LcoreCount())
	sections := []struct {
		name, header string
		mp           *mempool.Mempool
		external     bool
	}{
		{"nocache", "start performance test (without cache)", mpNocache, false},
		{"ring_mp_mc", "start performance test for " + defaultOps + " (without cache)", defaultPool, false},
		{"cache", "start performance test (with cache)", mpCache, false},
		{"user", "start performance test (with user-owned cache)", mpNocache, true},
	}
	for _, s := range sections {
		if !run[s.name] {
			continue
		}
		fmt.Println(s.header)
		t.useExternalCache = s.external
		// Performance test with 1, 2 and all lcores.
		for _, cores := range []uint32{1, 2, all} {
			if err := t.doOne(s.mp, cores); err != nil {
				return err
			}
		}
	}
	for _, mp := range pools {
		mp.Dump(os.Stdout)
	}
	return nil
}
