package main

// ring_perf_autotest: a port of DPDK 22.11's app/test/test_ring_perf.c. It
// measures, in TSC cycles, the cost of ring operations with the legacy
// (pointer) API and with the element API on 16-byte elements, and prints
// the same lines as DPDK so one parser reads both:
//
//   - single element enq/deq: cycles per enqueue+dequeue of one element;
//   - burst and bulk enq/deq: cycles per enqueue+dequeue of 8 or 32;
//   - empty bulk deq: cycles per failing dequeue of 8 from an empty ring;
//   - two cores: one lcore enqueues, another dequeues, in bulks of 8 or 32;
//     the figure is the sum of both sides' cycles per element;
//   - all worker nodes: every lcore enqueues and dequeues a bulk for 100 ms
//     on the same ring; the figure is the number of rounds per lcore.
//
// DPDK makes one MP/MC ring and calls the sp_/sc_ or mp_/mc_ function the
// test names; dpk picks a ring's modes at creation, so the port makes an
// SP/SC ring and an MP/MC ring of the same size and uses the one the test
// names.

import (
	"fmt"
	"strings"
	"sync/atomic"
	"unsafe"

	"dpk/eal"
	"dpk/internal/sys"
	"dpk/ring"
)

func init() {
	register("ring_perf_autotest", ringPerfAutotest)
}

const (
	perfRingName = "RING_PERF"
	perfRingSize = 4096
	perfMaxBurst = 32
	perfTimeMS   = 100
)

// ringPerfShift divides the iteration counts of ring_perf_autotest by a
// power of two. It is 0 (DPDK's counts) except in this command's tests,
// which run the whole autotest to check its output, also under the race
// detector, where DPDK's counts take minutes.
var ringPerfShift uint

// perfBulkSizes are the sizes to enqueue and dequeue. A variable, as DPDK's
// volatile array, so the compiler sees no constant.
var perfBulkSizes = []uint32{8, 32}

// API type bits, as test_ring.h's TEST_RING_*.
const (
	apiThreadDef  = 1
	apiThreadSPSC = 2
	apiThreadMPMC = 4
	apiSingle     = 8
	apiBulk       = 16
	apiBurst      = 32
)

// perfPrint prints one result line as test_ring_print_test_string.
func perfPrint(api uint32, esize int, bsz uint32, v float64) {
	var b strings.Builder
	if esize == -1 {
		b.WriteString("legacy APIs")
	} else {
		fmt.Fprintf(&b, "elem APIs: element size %dB", esize)
	}
	switch {
	case api&apiThreadDef != 0:
		b.WriteString(": default enqueue/dequeue: ")
	case api&apiThreadSPSC != 0:
		b.WriteString(": SP/SC: ")
	case api&apiThreadMPMC != 0:
		b.WriteString(": MP/MC: ")
	}
	switch {
	case api&apiSingle != 0:
		b.WriteString("single: ")
	case api&apiBulk != 0:
		fmt.Fprintf(&b, "bulk (size: %d): ", bsz)
	case api&apiBurst != 0:
		fmt.Fprintf(&b, "burst (size: %d): ", bsz)
	}
	fmt.Fprintf(&b, "%.2f\n", v)
	fmt.Print(b.String())
}

// perfRings is the test's ring: one per producer/consumer mode.
type perfRings struct {
	spsc, mpmc *ring.Ring
	esize      int // -1 for the legacy API
}

func (p *perfRings) pick(api uint32) *ring.Ring {
	if api&apiThreadSPSC != 0 {
		return p.spsc
	}
	return p.mpmc
}

func (p *perfRings) free() {
	if p.spsc != nil {
		p.spsc.Free()
	}
	if p.mpmc != nil {
		p.mpmc.Free()
	}
}

// perfBuf is a burst buffer of perfMaxBurst elements (test_ring_calloc).
type perfBuf struct {
	ptrs []unsafe.Pointer // legacy API
	raw  []byte           // element API
	elem unsafe.Pointer   // &raw[0]
}

func newPerfBuf(esize int) *perfBuf {
	if esize == -1 {
		return &perfBuf{ptrs: make([]unsafe.Pointer, perfMaxBurst)}
	}
	raw := make([]byte, perfMaxBurst*esize)
	return &perfBuf{raw: raw, elem: unsafe.Pointer(&raw[0])}
}

// lcorePair is two lcores for the paired tests.
type lcorePair struct{ c1, c2 uint32 }

// coreOf returns the core id of each lcore's first cpu (rte_lcore_to_cpu_id).
func coreOf() map[uint32]int {
	topo, _ := sys.Topology()
	core := map[int]int{}
	for _, c := range topo {
		core[c.ID] = c.Core
	}
	out := map[uint32]int{}
	for _, lc := range eal.Lcores() {
		cpus := lc.CPUs()
		if len(cpus) > 0 {
			out[lc.ID()] = core[cpus[0]]
		} else {
			out[lc.ID()] = -1
		}
	}
	return out
}

// findPair returns the first pair of distinct lcores that ok accepts.
func findPair(ok func(a, b *eal.Lcore) bool) (lcorePair, bool) {
	lcs := eal.Lcores()
	for _, a := range lcs {
		for _, b := range lcs {
			if a.ID() != b.ID() && ok(a, b) {
				return lcorePair{a.ID(), b.ID()}, true
			}
		}
	}
	return lcorePair{}, false
}

func twoHyperthreads(core map[uint32]int) (lcorePair, bool) {
	return findPair(func(a, b *eal.Lcore) bool {
		return core[a.ID()] == core[b.ID()] && a.Socket() == b.Socket()
	})
}

func twoCores(core map[uint32]int) (lcorePair, bool) {
	return findPair(func(a, b *eal.Lcore) bool {
		return core[a.ID()] != core[b.ID()] && a.Socket() == b.Socket()
	})
}

func twoSockets() (lcorePair, bool) {
	return findPair(func(a, b *eal.Lcore) bool { return a.Socket() != b.Socket() })
}

// testEmptyDequeue times bulk dequeues of 8 from an empty ring.
func testEmptyDequeue(p *perfRings, api uint32) {
	iterations := 1 << 26 >> ringPerfShift
	r := p.pick(api)
	b := newPerfBuf(p.esize)
	bsz := perfBulkSizes[0]
	var start, end uint64
	if p.esize == -1 {
		objs := b.ptrs[:bsz]
		start = sys.Rdtsc()
		for i := 0; i < iterations; i++ {
			r.DequeueBulk(objs)
		}
		end = sys.Rdtsc()
	} else {
		start = sys.Rdtsc()
		for i := 0; i < iterations; i++ {
			r.DequeueBulkElem(b.elem, bsz)
		}
		end = sys.Rdtsc()
	}
	perfPrint(api, p.esize, bsz, float64(end-start)/float64(iterations))
}

// threadParams is one side of a paired test: the burst size in, the
// cycles per element of the SP/SC and MP/MC runs out.
type threadParams struct {
	rings      *perfRings
	size       uint32
	spsc, mpmc float64
}

var lcoreCount atomic.Uint32

// enqueueDequeueBulk is one side of the paired test
// (enqueue_dequeue_bulk_helper): enq selects the producer side.
func enqueueDequeueBulk(enq bool, p *threadParams) error {
	iterations := 1 << 15 >> ringPerfShift
	if lcoreCount.Add(1) != 2 {
		for lcoreCount.Load() != 2 {
			sys.Pause()
		}
	}
	b := newPerfBuf(p.rings.esize)
	bsz := p.size
	run := func(r *ring.Ring) uint64 {
		start := sys.Rdtsc()
		switch {
		case p.rings.esize == -1 && enq:
			objs := b.ptrs[:bsz]
			for i := 0; i < iterations; i++ {
				for n, _ := r.EnqueueBulk(objs); n == 0; n, _ = r.EnqueueBulk(objs) {
					sys.Pause()
				}
			}
		case p.rings.esize == -1:
			objs := b.ptrs[:bsz]
			for i := 0; i < iterations; i++ {
				for n, _ := r.DequeueBulk(objs); n == 0; n, _ = r.DequeueBulk(objs) {
					sys.Pause()
				}
			}
		case enq:
			for i := 0; i < iterations; i++ {
				for n, _ := r.EnqueueBulkElem(b.elem, bsz); n == 0; n, _ = r.EnqueueBulkElem(b.elem, bsz) {
					sys.Pause()
				}
			}
		default:
			for i := 0; i < iterations; i++ {
				for n, _ := r.DequeueBulkElem(b.elem, bsz); n == 0; n, _ = r.DequeueBulkElem(b.elem, bsz) {
					sys.Pause()
				}
			}
		}
		return sys.Rdtsc() - start
	}
	sp := run(p.rings.spsc)
	mp := run(p.rings.mpmc)
	p.spsc = float64(sp) / float64(iterations*int(bsz))
	p.mpmc = float64(mp) / float64(iterations*int(bsz))
	return nil
}

// runOnCorePair runs the producer on one lcore and the consumer on the other.
func runOnCorePair(cores lcorePair, p *perfRings) error {
	for _, bsz := range perfBulkSizes {
		lcoreCount.Store(0)
		p1 := &threadParams{rings: p, size: bsz}
		p2 := &threadParams{rings: p, size: bsz}
		f1 := func(*eal.Lcore) error { return enqueueDequeueBulk(true, p1) }
		f2 := func(*eal.Lcore) error { return enqueueDequeueBulk(false, p2) }
		if m := eal.MainLcore(); m != nil && cores.c1 == m.ID() {
			if err := eal.RemoteLaunch(f2, cores.c2); err != nil {
				return err
			}
			err1 := f1(m)
			if err := eal.WaitLcore(cores.c2); err != nil {
				return err
			}
			if err1 != nil {
				return err1
			}
		} else {
			if err := eal.RemoteLaunch(f1, cores.c1); err != nil {
				return err
			}
			if err := eal.RemoteLaunch(f2, cores.c2); err != nil {
				return err
			}
			if err := eal.WaitLcore(cores.c1); err != nil {
				return err
			}
			if err := eal.WaitLcore(cores.c2); err != nil {
				return err
			}
		}
		perfPrint(apiThreadSPSC|apiBulk, p.esize, bsz, p1.spsc+p2.spsc)
		perfPrint(apiThreadMPMC|apiBulk, p.esize, bsz, p1.mpmc+p2.mpmc)
	}
	return nil
}

var (
	synchro    atomic.Uint32
	queueCount [eal.MaxLcore]uint64
)

// loadLoop enqueues and dequeues a bulk on the MP/MC ring for perfTimeMS
// and records the number of rounds (load_loop_fn_helper).
func loadLoop(lc *eal.Lcore, p *perfRings, size uint32) error {
	hz := sys.TimerHz()
	r := p.mpmc
	b := newPerfBuf(p.esize)
	if !lc.IsMain() {
		for synchro.Load() != 1 {
			sys.Pause()
		}
	}
	limit := hz * perfTimeMS / 1000
	var lcount uint64
	begin := sys.Rdtsc()
	if p.esize == -1 {
		objs := b.ptrs[:size]
		for sys.Rdtsc()-begin < limit {
			r.EnqueueBulk(objs)
			r.DequeueBulk(objs)
			lcount++
		}
	} else {
		for sys.Rdtsc()-begin < limit {
			r.EnqueueBulkElem(b.elem, size)
			r.DequeueBulkElem(b.elem, size)
			lcount++
		}
	}
	queueCount[lc.ID()] = lcount
	return nil
}

// runOnAllCores runs loadLoop on every lcore at once.
func runOnAllCores(p *perfRings) error {
	for _, bsz := range perfBulkSizes {
		fmt.Printf("\nBulk enq/dequeue count on size %d\n", bsz)
		synchro.Store(0)
		fn := func(lc *eal.Lcore) error { return loadLoop(lc, p, bsz) }
		if err := eal.MpRemoteLaunch(fn, false); err != nil {
			return err
		}
		synchro.Store(1)
		err := fn(eal.MainLcore())
		if werr := eal.MpWaitLcore(); err == nil {
			err = werr
		}
		if err != nil {
			return err
		}
		var total uint64
		for _, lc := range eal.Lcores() {
			fmt.Printf("Core [%d] count = %d\n", lc.ID(), queueCount[lc.ID()])
			total += queueCount[lc.ID()]
		}
		fmt.Printf("Total count (size: %d): %d\n", bsz, total)
	}
	return nil
}

// testSingleEnqueueDequeue times an enqueue and a dequeue of one element.
func testSingleEnqueueDequeue(p *perfRings, api uint32) {
	iterations := 1 << 24 >> ringPerfShift
	r := p.pick(api)
	b := newPerfBuf(p.esize)
	var start, end uint64
	if p.esize == -1 {
		obj := b.ptrs[0]
		start = sys.Rdtsc()
		for i := 0; i < iterations; i++ {
			r.Enqueue(obj)
			obj, _ = r.Dequeue()
		}
		end = sys.Rdtsc()
	} else {
		start = sys.Rdtsc()
		for i := 0; i < iterations; i++ {
			r.EnqueueElem(b.elem)
			r.DequeueElem(b.elem)
		}
		end = sys.Rdtsc()
	}
	perfPrint(api, p.esize, 1, float64(end-start)/float64(iterations))
}

// testBurstBulkEnqueueDequeue times an enqueue and a dequeue of a burst or
// bulk of each size on one lcore.
func testBurstBulkEnqueueDequeue(p *perfRings, api uint32) {
	iterations := 1 << 23 >> ringPerfShift
	r := p.pick(api)
	b := newPerfBuf(p.esize)
	burst := api&apiBurst != 0
	for _, bsz := range perfBulkSizes {
		var start, end uint64
		switch {
		case p.esize == -1 && burst:
			objs := b.ptrs[:bsz]
			start = sys.Rdtsc()
			for i := 0; i < iterations; i++ {
				r.EnqueueBurst(objs)
				r.DequeueBurst(objs)
			}
			end = sys.Rdtsc()
		case p.esize == -1:
			objs := b.ptrs[:bsz]
			start = sys.Rdtsc()
			for i := 0; i < iterations; i++ {
				r.EnqueueBulk(objs)
				r.DequeueBulk(objs)
			}
			end = sys.Rdtsc()
		case burst:
			start = sys.Rdtsc()
			for i := 0; i < iterations; i++ {
				r.EnqueueBurstElem(b.elem, bsz)
				r.DequeueBurstElem(b.elem, bsz)
			}
			end = sys.Rdtsc()
		default:
			start = sys.Rdtsc()
			for i := 0; i < iterations; i++ {
				r.EnqueueBulkElem(b.elem, bsz)
				r.DequeueBulkElem(b.elem, bsz)
			}
			end = sys.Rdtsc()
		}
		perfPrint(api, p.esize, bsz, float64(end-start)/float64(iterations))
	}
}

// ringPerfEsize runs every test for one element size (-1: legacy API).
func ringPerfEsize(esize int) error {
	p := &perfRings{esize: esize}
	defer p.free()
	create := func(name string, flags ring.Flags) (*ring.Ring, error) {
		if esize == -1 {
			return ring.Create(name, perfRingSize, eal.SocketIDAny, flags)
		}
		return ring.CreateElem(name, uint32(esize), perfRingSize, eal.SocketIDAny, flags)
	}
	var err error
	if p.mpmc, err = create(perfRingName, 0); err != nil {
		return err
	}
	if p.spsc, err = create(perfRingName+"_SPSC", ring.FlagSPEnq|ring.FlagSCDeq); err != nil {
		return err
	}

	fmt.Printf("\n### Testing single element enq/deq ###\n")
	testSingleEnqueueDequeue(p, apiThreadSPSC|apiSingle)
	testSingleEnqueueDequeue(p, apiThreadMPMC|apiSingle)

	fmt.Printf("\n### Testing burst enq/deq ###\n")
	testBurstBulkEnqueueDequeue(p, apiThreadSPSC|apiBurst)
	testBurstBulkEnqueueDequeue(p, apiThreadMPMC|apiBurst)

	fmt.Printf("\n### Testing bulk enq/deq ###\n")
	testBurstBulkEnqueueDequeue(p, apiThreadSPSC|apiBulk)
	testBurstBulkEnqueueDequeue(p, apiThreadMPMC|apiBulk)

	fmt.Printf("\n### Testing empty bulk deq ###\n")
	testEmptyDequeue(p, apiThreadSPSC|apiBulk)
	testEmptyDequeue(p, apiThreadMPMC|apiBulk)

	core := coreOf()
	if cores, ok := twoHyperthreads(core); ok {
		fmt.Printf("\n### Testing using two hyperthreads ###\n")
		if err := runOnCorePair(cores, p); err != nil {
			return err
		}
	}
	if cores, ok := twoCores(core); ok {
		fmt.Printf("\n### Testing using two physical cores ###\n")
		if err := runOnCorePair(cores, p); err != nil {
			return err
		}
	}
	if cores, ok := twoSockets(); ok {
		fmt.Printf("\n### Testing using two NUMA nodes ###\n")
		if err := runOnCorePair(cores, p); err != nil {
			return err
		}
	}

	fmt.Printf("\n### Testing using all worker nodes ###\n")
	return runOnAllCores(p)
}

func ringPerfAutotest() error {
	if err := ringPerfEsize(-1); err != nil {
		return err
	}
	return ringPerfEsize(16)
}
