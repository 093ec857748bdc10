package main

// ring_autotest: a functional self-check in the spirit of DPDK 22.11's
// app/test/test_ring.c. It covers the same ground for the legacy (pointer)
// API and element sizes 4, 8, 16 and 20: negative cases, single-element
// operations, exact-size rings, and bulk and burst enqueue/dequeue in the
// MP/MC, SP/SC, RTS and HTS modes (random full/empty cycles, simple
// sequences, covering the whole ring, filling it and emptying it), checking
// the data dequeued against what was enqueued. The zero-copy cases are not
// ported (dpk has no zero-copy API).

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"unsafe"

	"dpk/eal"
	"dpk/ring"
)

func init() {
	register("ring_autotest", ringAutotest)
}

const (
	autoRingSize      = 4096
	autoMaxBulk       = 32
	autoFullEmptyIter = 8
)

var autoEsizes = []int{-1, 4, 8, 16, 20}

// autoImpl is one row of test_enqdeq_impl: a creation mode and bulk or
// burst operations.
type autoImpl struct {
	desc  string
	api   uint32
	flags ring.Flags
}

var autoImpls = []autoImpl{
	{"MP/MC sync mode", apiBulk | apiThreadDef, 0},
	{"SP/SC sync mode", apiBulk | apiThreadSPSC, ring.FlagSPEnq | ring.FlagSCDeq},
	{"MP/MC sync mode", apiBulk | apiThreadMPMC, 0},
	{"MP_RTS/MC_RTS sync mode", apiBulk | apiThreadDef, ring.FlagMPRTSEnq | ring.FlagMCRTSDeq},
	{"MP_HTS/MC_HTS sync mode", apiBulk | apiThreadDef, ring.FlagMPHTSEnq | ring.FlagMCHTSDeq},
	{"MP/MC sync mode", apiBurst | apiThreadDef, 0},
	{"SP/SC sync mode", apiBurst | apiThreadSPSC, ring.FlagSPEnq | ring.FlagSCDeq},
	{"MP/MC sync mode", apiBurst | apiThreadMPMC, 0},
	{"MP_RTS/MC_RTS sync mode", apiBurst | apiThreadDef, ring.FlagMPRTSEnq | ring.FlagMCRTSDeq},
	{"MP_HTS/MC_HTS sync mode", apiBurst | apiThreadDef, ring.FlagMPHTSEnq | ring.FlagMCHTSDeq},
}

// autoBuf is a buffer of elements: pointers for the legacy API (esize -1),
// bytes otherwise.
type autoBuf struct {
	esize int
	ptrs  []unsafe.Pointer
	raw   []byte
}

// newAutoBuf makes a buffer of n elements, filled as test_ring_mem_init
// does when fill is set. Legacy "objects" are addresses in base, memory
// the garbage collector does not manage, as the pointer API requires.
func newAutoBuf(n, esize int, fill bool, base unsafe.Pointer) *autoBuf {
	b := &autoBuf{esize: esize}
	if esize == -1 {
		b.ptrs = make([]unsafe.Pointer, n)
		if fill {
			for i := range b.ptrs {
				b.ptrs[i] = unsafe.Add(base, i)
			}
		}
		return b
	}
	b.raw = make([]byte, n*esize)
	if fill {
		for i := 0; i < len(b.raw)/4; i++ {
			*(*uint32)(unsafe.Pointer(&b.raw[4*i])) = uint32(i)
		}
	}
	return b
}

// enq enqueues n elements from element i on, with bulk or burst semantics.
func (b *autoBuf) enq(r *ring.Ring, i, n int, api uint32) uint32 {
	var k uint32
	switch {
	case b.esize == -1 && api&apiBulk != 0:
		k, _ = r.EnqueueBulk(b.ptrs[i : i+n])
	case b.esize == -1:
		k, _ = r.EnqueueBurst(b.ptrs[i : i+n])
	case api&apiBulk != 0:
		k, _ = r.EnqueueBulkElem(unsafe.Pointer(&b.raw[i*b.esize]), uint32(n))
	default:
		k, _ = r.EnqueueBurstElem(unsafe.Pointer(&b.raw[i*b.esize]), uint32(n))
	}
	return k
}

// deq dequeues up to n elements into element i on.
func (b *autoBuf) deq(r *ring.Ring, i, n int, api uint32) uint32 {
	var k uint32
	switch {
	case b.esize == -1 && api&apiBulk != 0:
		k, _ = r.DequeueBulk(b.ptrs[i : i+n])
	case b.esize == -1:
		k, _ = r.DequeueBurst(b.ptrs[i : i+n])
	case api&apiBulk != 0:
		k, _ = r.DequeueBulkElem(unsafe.Pointer(&b.raw[i*b.esize]), uint32(n))
	default:
		k, _ = r.DequeueBurstElem(unsafe.Pointer(&b.raw[i*b.esize]), uint32(n))
	}
	return k
}

// single enqueues or dequeues element i alone.
func (b *autoBuf) single(r *ring.Ring, i int, enq bool) error {
	switch {
	case b.esize == -1 && enq:
		return r.Enqueue(b.ptrs[i])
	case b.esize == -1:
		p, err := r.Dequeue()
		b.ptrs[i] = p
		return err
	case enq:
		return r.EnqueueElem(unsafe.Pointer(&b.raw[i*b.esize]))
	default:
		return r.DequeueElem(unsafe.Pointer(&b.raw[i*b.esize]))
	}
}

// equal reports whether the first n elements of a and b are the same.
func (b *autoBuf) equal(o *autoBuf, n int) bool {
	if b.esize == -1 {
		for i := 0; i < n; i++ {
			if b.ptrs[i] != o.ptrs[i] {
				return false
			}
		}
		return true
	}
	return bytes.Equal(b.raw[:n*b.esize], o.raw[:n*b.esize])
}

func createAuto(name string, esize int, count uint32, flags ring.Flags) (*ring.Ring, error) {
	if esize == -1 {
		return ring.Create(name, count, eal.SocketIDAny, flags)
	}
	return ring.CreateElem(name, uint32(esize), count, eal.SocketIDAny, flags)
}

func printAutoString(istr string, api uint32, esize int) {
	fmt.Printf("\n%s: ", istr)
	if esize == -1 {
		fmt.Print("legacy APIs: ")
	} else {
		fmt.Printf("elem APIs: element size %dB ", esize)
	}
	if api == ^uint32(0) {
		return
	}
	switch {
	case api&apiThreadDef != 0:
		fmt.Print(": default enqueue/dequeue: ")
	case api&apiThreadSPSC != 0:
		fmt.Print(": SP/SC: ")
	case api&apiThreadMPMC != 0:
		fmt.Print(": MP/MC: ")
	}
	switch {
	case api&apiSingle != 0:
		fmt.Println("single")
	case api&apiBulk != 0:
		fmt.Println("bulk")
	case api&apiBurst != 0:
		fmt.Println("burst")
	}
}

// verify is TEST_RING_VERIFY: on failure it dumps the ring and returns an
// error naming the check.
func verify(ok bool, r *ring.Ring, what string) error {
	if ok {
		return nil
	}
	fmt.Printf("error: condition %s failed\n", what)
	if r != nil {
		r.Dump(os.Stdout)
	}
	return fmt.Errorf("ring_autotest: %s failed", what)
}

func ringNegativeTests() error {
	if _, err := createAuto("test_bad_element_size", 23, autoRingSize+1, 0); err == nil {
		return errors.New("failed to detect invalid element size")
	}
	for _, es := range autoEsizes {
		if _, err := createAuto("test_bad_ring_size", es, autoRingSize+1, 0); err == nil {
			return errors.New("failed to detect odd count")
		}
		if _, err := createAuto("test_bad_ring_size", es, ring.MaxSize+1, 0); err == nil {
			return errors.New("failed to detect limits")
		}
		if _, err := ring.Lookup("ring_not_found"); !errors.Is(err, ring.ErrNotFound) {
			return errors.New("failed to detect NULL ring lookup")
		}
		if _, err := createAuto("test_ring_count", es, 4097, 0); err == nil {
			return errors.New("failed to detect non-power-of-2 count")
		}
		rp, err := createAuto("test_ring_negative", es, autoRingSize, ring.FlagSPEnq|ring.FlagSCDeq)
		if err != nil {
			return fmt.Errorf("test_ring_negative fail to create ring: %w", err)
		}
		l, err := ring.Lookup("test_ring_negative")
		if err := verify(err == nil && l.Name() == rp.Name() && l.Memzone().Addr() == rp.Memzone().Addr(), rp, "lookup(test_ring_negative) == rp"); err != nil {
			rp.Free()
			return err
		}
		if err := verify(rp.Empty(), rp, "empty(rp)"); err != nil {
			rp.Free()
			return err
		}
		if _, err := createAuto("test_ring_negative", es, autoRingSize, 0); !errors.Is(err, ring.ErrExist) {
			rp.Free()
			return errors.New("created a ring with a used name")
		}
		if err := rp.Free(); err != nil {
			return err
		}
	}
	return nil
}

func ringBasicEx(base unsafe.Pointer) error {
	for _, es := range autoEsizes {
		rp, err := createAuto("test_ring_basic_ex", es, autoRingSize, ring.FlagSPEnq|ring.FlagSCDeq)
		if err != nil {
			return fmt.Errorf("basic_ex: failed to create ring: %w", err)
		}
		err = func() error {
			src := newAutoBuf(autoRingSize, es, true, base)
			dst := newAutoBuf(autoRingSize, es, false, base)
			if l, err := ring.Lookup("test_ring_basic_ex"); err != nil || l.Name() != rp.Name() {
				return verify(false, rp, "lookup(test_ring_basic_ex) == rp")
			}
			if err := verify(rp.Empty(), rp, "empty(rp)"); err != nil {
				return err
			}
			fmt.Printf("%d ring entries are now free\n", rp.FreeCount())
			for j := 0; j < autoRingSize-1; j++ {
				if err := verify(src.single(rp, j, true) == nil, rp, "single enqueue"); err != nil {
					return err
				}
			}
			if err := verify(rp.Full(), rp, "full(rp)"); err != nil {
				return err
			}
			for j := 0; j < autoRingSize-1; j++ {
				if err := verify(dst.single(rp, j, false) == nil, rp, "single dequeue"); err != nil {
					return err
				}
			}
			if err := verify(rp.Empty() && src.equal(dst, autoRingSize-1), rp, "empty(rp) and data"); err != nil {
				return err
			}
			dst = newAutoBuf(autoRingSize, es, false, base)
			if err := verify(src.enq(rp, 0, 2, apiBurst) == 2, rp, "burst enqueue of 2"); err != nil {
				return err
			}
			if err := verify(dst.deq(rp, 0, 2, apiBurst) == 2, rp, "burst dequeue of 2"); err != nil {
				return err
			}
			if err := verify(src.enq(rp, 2, 2, apiBulk) == 2, rp, "bulk enqueue of 2"); err != nil {
				return err
			}
			if err := verify(dst.deq(rp, 2, 2, apiBulk) == 2, rp, "bulk dequeue of 2"); err != nil {
				return err
			}
			return verify(src.equal(dst, 4), rp, "data after burst and bulk")
		}()
		rp.Free()
		if err != nil {
			return err
		}
	}
	return nil
}

func ringWithExactSize(base unsafe.Pointer) error {
	const ringSz = 16
	for _, es := range autoEsizes {
		printAutoString("Test exact size ring", ^uint32(0), es)
		std, err := createAuto("std", es, ringSz, ring.FlagSPEnq|ring.FlagSCDeq)
		if err != nil {
			return fmt.Errorf("exact size: can't create std ring: %w", err)
		}
		exact, err := createAuto("exact sz", es, ringSz, ring.FlagSPEnq|ring.FlagSCDeq|ring.FlagExactSize)
		if err != nil {
			std.Free()
			return fmt.Errorf("exact size: can't create exact size ring: %w", err)
		}
		err = func() error {
			src := newAutoBuf(ringSz+1, es, true, base)
			dst := newAutoBuf(ringSz+1, es, false, base)
			if err := verify(std.Size() <= exact.Size(), std, "std size <= exact size"); err != nil {
				return err
			}
			for j := 0; j < ringSz-1; j++ {
				if err := verify(src.single(std, j, true) == nil && src.single(exact, j, true) == nil, exact, "enqueue"); err != nil {
					return err
				}
			}
			if err := verify(errors.Is(src.single(std, ringSz-1, true), ring.ErrNoBufs), std, "std ring full at 15"); err != nil {
				return err
			}
			if err := verify(src.single(exact, ringSz-1, true) == nil, exact, "exact ring takes a 16th"); err != nil {
				return err
			}
			if err := verify(dst.deq(exact, 0, ringSz+1, apiBurst) == ringSz, exact, "dequeue 16 from exact ring"); err != nil {
				return err
			}
			if err := verify(exact.Capacity() == ringSz, exact, "capacity(exact) == 16"); err != nil {
				return err
			}
			return verify(src.equal(dst, ringSz), exact, "data")
		}()
		std.Free()
		exact.Free()
		if err != nil {
			return err
		}
	}
	return nil
}

// ringBurstBulkTests runs test_ring_burst_bulk_tests1 to 4 for one impl.
func ringBurstBulkTests(impl autoImpl, base unsafe.Pointer) error {
	const rsz = autoRingSize - 1
	bulk := impl.api&apiBulk != 0
	tests := []func(r *ring.Ring, src, dst *autoBuf) error{
		// 1: random full/empty test.
		func(r *ring.Ring, src, dst *autoBuf) error {
			fmt.Println("Random full/empty test")
			for j := 0; j < autoFullEmptyIter; j++ {
				n := max(rand.IntN(autoRingSize), 1)
				if err := verify(src.enq(r, 0, n, impl.api) != 0, r, "enqueue random"); err != nil {
					return err
				}
				if err := verify(dst.deq(r, 0, n, impl.api) == uint32(n), r, "dequeue random"); err != nil {
					return err
				}
				if err := verify(src.enq(r, 0, rsz, impl.api) != 0, r, "fill the ring"); err != nil {
					return err
				}
				if err := verify(r.FreeCount() == 0 && r.Count() == rsz && r.Full() && !r.Empty(), r, "full counts"); err != nil {
					return err
				}
				if err := verify(dst.deq(r, 0, rsz, impl.api) == rsz, r, "empty the ring"); err != nil {
					return err
				}
				if err := verify(r.FreeCount() == rsz && r.Count() == 0 && !r.Full() && r.Empty(), r, "empty counts"); err != nil {
					return err
				}
				if err := verify(src.equal(dst, rsz), r, "data"); err != nil {
					return err
				}
			}
			return nil
		},
		// 2: a sequence of simple enqueues and dequeues.
		func(r *ring.Ring, src, dst *autoBuf) error {
			i, o := 0, 0
			for _, n := range []int{1, 2, autoMaxBulk} {
				fmt.Printf("enqueue %d objs\n", n)
				if err := verify(src.enq(r, i, n, impl.api) == uint32(n), r, "enqueue"); err != nil {
					return err
				}
				i += n
			}
			for _, n := range []int{1, 2, autoMaxBulk} {
				fmt.Printf("dequeue %d objs\n", n)
				if err := verify(dst.deq(r, o, n, impl.api) == uint32(n), r, "dequeue"); err != nil {
					return err
				}
				o += n
			}
			return verify(src.equal(dst, o), r, "data")
		},
		// 3: enqueue and dequeue to cover the entire ring length.
		func(r *ring.Ring, src, dst *autoBuf) error {
			fmt.Println("fill and empty the ring")
			for j := 0; j < autoRingSize/autoMaxBulk; j++ {
				if err := verify(src.enq(r, j*autoMaxBulk, autoMaxBulk, impl.api) == autoMaxBulk, r, "enqueue"); err != nil {
					return err
				}
				if err := verify(dst.deq(r, j*autoMaxBulk, autoMaxBulk, impl.api) == autoMaxBulk, r, "dequeue"); err != nil {
					return err
				}
			}
			return verify(src.equal(dst, autoRingSize), r, "data")
		},
		// 4: enqueue until full and dequeue until empty.
		func(r *ring.Ring, src, dst *autoBuf) error {
			fmt.Println("Test enqueue without enough memory space")
			i, o := 0, 0
			for j := 0; j < autoRingSize/autoMaxBulk-1; j++ {
				if err := verify(src.enq(r, i, autoMaxBulk, impl.api) == autoMaxBulk, r, "enqueue"); err != nil {
					return err
				}
				i += autoMaxBulk
			}
			fmt.Println("Enqueue 2 objects, free entries = MAX_BULK - 2")
			if err := verify(src.enq(r, i, 2, impl.api) == 2, r, "enqueue 2"); err != nil {
				return err
			}
			i += 2
			fmt.Println("Enqueue the remaining entries = MAX_BULK - 3")
			n := autoMaxBulk
			if bulk {
				n = autoMaxBulk - 3
			}
			if err := verify(src.enq(r, i, n, impl.api) == autoMaxBulk-3, r, "enqueue the rest"); err != nil {
				return err
			}
			i += autoMaxBulk - 3
			fmt.Println("Test if ring is full")
			if err := verify(r.Full(), r, "full(r)"); err != nil {
				return err
			}
			fmt.Println("Test enqueue for a full entry")
			if err := verify(src.enq(r, i, autoMaxBulk, impl.api) == 0, r, "enqueue on full ring"); err != nil {
				return err
			}
			fmt.Println("Test dequeue without enough objects")
			for j := 0; j < autoRingSize/autoMaxBulk-1; j++ {
				if err := verify(dst.deq(r, o, autoMaxBulk, impl.api) == autoMaxBulk, r, "dequeue"); err != nil {
					return err
				}
				o += autoMaxBulk
			}
			if err := verify(dst.deq(r, o, 2, impl.api) == 2, r, "dequeue 2"); err != nil {
				return err
			}
			o += 2
			if err := verify(dst.deq(r, o, n, impl.api) == autoMaxBulk-3, r, "dequeue the rest"); err != nil {
				return err
			}
			o += autoMaxBulk - 3
			fmt.Println("Test if ring is empty")
			if err := verify(r.Empty(), r, "empty(r)"); err != nil {
				return err
			}
			return verify(src.equal(dst, o), r, "data")
		},
	}
	for _, test := range tests {
		for _, es := range autoEsizes {
			printAutoString(impl.desc, impl.api, es)
			r, err := createAuto("test_ring_burst_bulk_tests", es, autoRingSize, impl.flags)
			if err != nil {
				return err
			}
			src := newAutoBuf(autoRingSize*2, es, true, base)
			dst := newAutoBuf(autoRingSize*2, es, false, base)
			err = test(r, src, dst)
			r.Free()
			if err != nil {
				return err
			}
		}
	}
	return nil
}

func ringAutotest() error {
	// The legacy API's "objects": addresses in a memzone, which the
	// garbage collector does not manage.
	mz, err := eal.MemzoneReserve("ring_autotest_objs", 2*autoRingSize, eal.SocketIDAny, 0)
	if err != nil {
		return err
	}
	defer eal.MemzoneFree(mz)
	base := mz.Addr()
	if err := ringNegativeTests(); err != nil {
		return err
	}
	if err := ringBasicEx(base); err != nil {
		return err
	}
	if err := ringWithExactSize(base); err != nil {
		return err
	}
	for _, impl := range autoImpls {
		if err := ringBurstBulkTests(impl, base); err != nil {
			return err
		}
	}
	return nil
}
