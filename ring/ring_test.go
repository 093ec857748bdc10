package ring

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"unsafe"

	"dpk/eal"
)

var modes = []struct {
	name  string
	flags Flags
}{
	{"MPMC", 0},
	{"SPSC", FlagSPEnq | FlagSCDeq},
	{"SPMC", FlagSPEnq},
	{"MPSC", FlagSCDeq},
	{"HTS", FlagMPHTSEnq | FlagMCHTSDeq},
	{"RTS", FlagMPRTSEnq | FlagMCRTSDeq},
	{"RTS-HTS", FlagMPRTSEnq | FlagMCHTSDeq},
	{"SP-RTS", FlagSPEnq | FlagMCRTSDeq},
}

var esizes = []uint32{4, 8, 16, 20}

// fill returns n elements of esize bytes whose every 4-byte word is distinct
// and derived from the element number base+i.
func fill(n int, esize uint32, base int) []byte {
	b := make([]byte, n*int(esize))
	for i := 0; i < n; i++ {
		for w := 0; w < int(esize)/4; w++ {
			v := uint32((base+i)*64 + w + 1)
			copy(b[i*int(esize)+4*w:], unsafe.Slice((*byte)(unsafe.Pointer(&v)), 4))
		}
	}
	return b
}

func elemPtr(b []byte) unsafe.Pointer {
	if len(b) == 0 {
		return nil
	}
	return unsafe.Pointer(&b[0])
}

func checkCounts(t *testing.T, r *Ring, used uint32) {
	t.Helper()
	if got := r.Count(); got != used {
		t.Fatalf("Count = %d, want %d", got, used)
	}
	if got := r.FreeCount(); got != r.Capacity()-used {
		t.Fatalf("FreeCount = %d, want %d", got, r.Capacity()-used)
	}
	if got := r.Empty(); got != (used == 0) {
		t.Fatalf("Empty = %v with %d used", got, used)
	}
	if got := r.Full(); got != (used == r.Capacity()) {
		t.Fatalf("Full = %v with %d used of %d", got, used, r.Capacity())
	}
}

// TestBulkBurst checks all-or-nothing bulk and partial burst operations,
// counts and data, for every mode and element size, through wrap-around.
func TestBulkBurst(t *testing.T) {
	for _, m := range modes {
		for _, es := range esizes {
			t.Run(fmt.Sprintf("%s/esize%d", m.name, es), func(t *testing.T) {
				r := newHeapRing(t, "bulkburst", 64, es, m.flags)
				if r.Size() != 64 || r.Capacity() != 63 || r.ElemSize() != es {
					t.Fatalf("size %d capacity %d esize %d", r.Size(), r.Capacity(), r.ElemSize())
				}
				checkCounts(t, r, 0)
				next, want := 0, 0 // element numbers enqueued and dequeued so far
				// Many rounds with odd sizes, so the positions wrap the
				// slot array many times at every offset.
				for round := 0; round < 200; round++ {
					k := 1 + round%40
					src := fill(k, es, next)
					free := r.FreeCount()
					n, left := r.EnqueueBulkElem(elemPtr(src), uint32(k))
					if uint32(k) > free {
						if n != 0 || left != free {
							t.Fatalf("round %d: bulk enqueue %d with %d free = %d, %d; want 0, %d", round, k, free, n, left, free)
						}
						n, left = r.EnqueueBurstElem(elemPtr(src), uint32(k))
						if n != free || left != 0 {
							t.Fatalf("round %d: burst enqueue %d with %d free = %d, %d; want %d, 0", round, k, free, n, left, free)
						}
					} else if n != uint32(k) || left != free-uint32(k) {
						t.Fatalf("round %d: bulk enqueue %d = %d, %d", round, k, n, left)
					}
					next += int(n)
					checkCounts(t, r, uint32(next-want))

					d := 1 + (round*7)%50
					dst := make([]byte, d*int(es))
					used := r.Count()
					var got uint32
					if round%2 == 0 {
						got, left = r.DequeueBulkElem(elemPtr(dst), uint32(d))
						if uint32(d) > used {
							if got != 0 || left != used {
								t.Fatalf("round %d: bulk dequeue %d of %d = %d, %d", round, d, used, got, left)
							}
							continue
						}
					} else {
						got, left = r.DequeueBurstElem(elemPtr(dst), uint32(d))
					}
					exp := min(uint32(d), used)
					if got != exp || left != used-exp {
						t.Fatalf("round %d: dequeue %d of %d = %d, %d; want %d, %d", round, d, used, got, left, exp, used-exp)
					}
					if w := fill(int(got), es, want); !bytes.Equal(dst[:len(w)], w) {
						t.Fatalf("round %d: dequeued wrong data", round)
					}
					want += int(got)
					checkCounts(t, r, uint32(next-want))
				}
			})
		}
	}
}

// TestPositionWrap starts the positions just below 2^32 so that they wrap
// around during the test.
func TestPositionWrap(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			r := newHeapRing(t, "wrap", 16, 8, m.flags)
			start := uint32(0xffffffff - 20)
			setPos := func(ht *headtail, st syncType, hts *htsHeadtail, rts *rtsHeadtail) {
				switch st {
				case syncMTHTS:
					hts.ht = pack(start, start)
				case syncMTRTS:
					rts.head = pack(0, start)
					rts.tail = pack(0, start)
				default:
					ht.head, ht.tail = start, start
				}
			}
			setPos(r.prod, r.prodSync, r.prodHTS, r.prodRTS)
			setPos(r.cons, r.consSync, r.consHTS, r.consRTS)
			checkCounts(t, r, 0)
			in := make([]uint64, 7)
			out := make([]uint64, 7)
			for i := uint64(0); i < 20; i++ {
				for j := range in {
					in[j] = i*100 + uint64(j)
				}
				if n, _ := r.EnqueueBulkU64(in); n != 7 {
					t.Fatalf("step %d: enqueue = %d", i, n)
				}
				checkCounts(t, r, 7)
				if n, _ := r.DequeueBulkU64(out); n != 7 {
					t.Fatalf("step %d: dequeue = %d", i, n)
				}
				for j := range out {
					if out[j] != in[j] {
						t.Fatalf("step %d: got %v want %v", i, out, in)
					}
				}
			}
			if tailLoad(r.prod) >= start {
				t.Fatalf("positions did not wrap: prod tail %#x", tailLoad(r.prod))
			}
		})
	}
}

// TestExactSize checks FlagExactSize: the ring holds exactly count
// elements, one more than a power-of-two ring of the same count.
func TestExactSize(t *testing.T) {
	for _, es := range esizes {
		std := newHeapRing(t, "std", 16, es, FlagSPEnq|FlagSCDeq)
		exact := newHeapRing(t, "exact", 16, es, FlagSPEnq|FlagSCDeq|FlagExactSize)
		if exact.Capacity() != 16 || exact.Size() != 32 || std.Capacity() != 15 {
			t.Fatalf("esize %d: exact capacity %d size %d, std capacity %d", es, exact.Capacity(), exact.Size(), std.Capacity())
		}
		// Unaligned source and destination, as DPDK's test does.
		src := fill(17, es, 0)
		buf := make([]byte, len(src)+1)
		copy(buf[1:], src)
		for i := 0; i < 15; i++ {
			p := unsafe.Pointer(&buf[1+i*int(es)])
			if std.EnqueueElem(p) != nil || exact.EnqueueElem(p) != nil {
				t.Fatalf("esize %d: enqueue %d failed", es, i)
			}
		}
		p := unsafe.Pointer(&buf[1+15*int(es)])
		if err := std.EnqueueElem(p); !errors.Is(err, ErrNoBufs) {
			t.Fatalf("esize %d: 16th enqueue on std ring = %v, want ErrNoBufs", es, err)
		}
		if err := exact.EnqueueElem(p); err != nil {
			t.Fatalf("esize %d: 16th enqueue on exact ring = %v", es, err)
		}
		if !exact.Full() {
			t.Fatalf("esize %d: exact ring not full", es)
		}
		out := make([]byte, 16*int(es)+1)
		if n, _ := exact.DequeueBurstElem(unsafe.Pointer(&out[1]), 17); n != 16 {
			t.Fatalf("esize %d: dequeued %d, want 16", es, n)
		}
		if !bytes.Equal(out[1:], src[:16*int(es)]) {
			t.Fatalf("esize %d: wrong data", es)
		}
	}
}

// TestPointerAPI checks the pointer functions, including single ones.
func TestPointerAPI(t *testing.T) {
	// Pointers into memory the garbage collector does not manage, as
	// the pointer API requires: a memzone.
	mz, err := eal.MemzoneReserve("ring_ptr_test", 4096, eal.SocketIDAny, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer eal.MemzoneFree(mz)
	ptr := func(i int) unsafe.Pointer { return unsafe.Add(mz.Addr(), i) }
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			r := newHeapRing(t, "ptr", 8, 8, m.flags)
			for i := 0; i < 7; i++ {
				if err := r.Enqueue(ptr(i)); err != nil {
					t.Fatalf("Enqueue %d: %v", i, err)
				}
			}
			if err := r.Enqueue(ptr(7)); !errors.Is(err, ErrNoBufs) {
				t.Fatalf("Enqueue on full ring = %v", err)
			}
			for i := 0; i < 7; i++ {
				p, err := r.Dequeue()
				if err != nil || p != ptr(i) {
					t.Fatalf("Dequeue %d = %p, %v; want %p", i, p, err, ptr(i))
				}
			}
			if _, err := r.Dequeue(); !errors.Is(err, ErrNoEnt) {
				t.Fatalf("Dequeue on empty ring = %v", err)
			}
			objs := []unsafe.Pointer{ptr(10), ptr(11), ptr(12), ptr(13), ptr(14)}
			if n, free := r.EnqueueBulk(objs); n != 5 || free != 2 {
				t.Fatalf("EnqueueBulk = %d, %d", n, free)
			}
			if n, free := r.EnqueueBulk(objs); n != 0 || free != 2 {
				t.Fatalf("EnqueueBulk past capacity = %d, %d", n, free)
			}
			if n, free := r.EnqueueBurst(objs); n != 2 || free != 0 {
				t.Fatalf("EnqueueBurst = %d, %d", n, free)
			}
			out := make([]unsafe.Pointer, 8)
			if n, avail := r.DequeueBulk(out); n != 0 || avail != 7 {
				t.Fatalf("DequeueBulk of 8 = %d, %d", n, avail)
			}
			if n, avail := r.DequeueBurst(out); n != 7 || avail != 0 {
				t.Fatalf("DequeueBurst = %d, %d", n, avail)
			}
			want := append(append([]unsafe.Pointer{}, objs...), ptr(10), ptr(11))
			for i := range want {
				if out[i] != want[i] {
					t.Fatalf("out[%d] = %p, want %p", i, out[i], want[i])
				}
			}
		})
	}
}

// TestBadInput checks that bad arguments move nothing and do not panic.
func TestBadInput(t *testing.T) {
	r := newHeapRing(t, "bad", 16, 8, 0)
	r16 := newHeapRing(t, "bad16", 16, 16, 0)
	big := make([]unsafe.Pointer, 100)
	cases := []struct {
		name string
		f    func() uint32
	}{
		{"bulk longer than capacity", func() uint32 { n, _ := r.EnqueueBulk(big); return n }},
		{"nil slice", func() uint32 { n, _ := r.EnqueueBurst(nil); return n }},
		{"nil dequeue slice", func() uint32 { n, _ := r.DequeueBurst(nil); return n }},
		{"nil src", func() uint32 { n, _ := r.EnqueueBurstElem(nil, 4); return n }},
		{"nil dst", func() uint32 { n, _ := r.DequeueBurstElem(nil, 4); return n }},
		{"pointer API on 16-byte ring", func() uint32 { n, _ := r16.EnqueueBurst(big[:2]); return n }},
		{"U64 API on 16-byte ring", func() uint32 { n, _ := r16.EnqueueBurstU64([]uint64{1}); return n }},
		{"huge elem count", func() uint32 {
			n, _ := r.EnqueueBulkElem(unsafe.Pointer(&big[0]), 1<<31+5)
			return n
		}},
	}
	for _, c := range cases {
		if n := c.f(); n != 0 {
			t.Errorf("%s: moved %d", c.name, n)
		}
	}
	if r.Count() != 0 {
		t.Fatalf("ring not empty: %d", r.Count())
	}
	if err := r16.Enqueue(nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("Enqueue on 16-byte ring = %v", err)
	}
	if _, err := r16.Dequeue(); !errors.Is(err, ErrInvalid) {
		t.Errorf("Dequeue on 16-byte ring = %v", err)
	}
	if err := r16.EnqueueElem(nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("EnqueueElem(nil) = %v", err)
	}
	if err := r16.DequeueElem(nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("DequeueElem(nil) = %v", err)
	}
}

// TestCreateErrors checks argument validation (DPDK's negative tests).
func TestCreateErrors(t *testing.T) {
	cases := []struct {
		name  string
		ring  string
		esize uint32
		count uint32
		flags Flags
		want  error
	}{
		{"esize not multiple of 4", "e", 23, 1024, 0, ErrInvalid},
		{"esize 0", "e", 0, 1024, 0, ErrInvalid},
		{"count not power of 2", "e", 8, 1025, 0, ErrInvalid},
		{"count 0", "e", 8, 0, 0, ErrInvalid},
		{"count too big", "e", 8, MaxSize + 1, 0, ErrInvalid},
		{"exact count too big", "e", 8, MaxSize, FlagExactSize, ErrInvalid},
		{"unknown flag", "e", 8, 1024, 0x80, ErrInvalid},
		{"two producer modes", "e", 8, 1024, FlagSPEnq | FlagMPHTSEnq, ErrInvalid},
		{"two consumer modes", "e", 8, 1024, FlagMCRTSDeq | FlagMCHTSDeq, ErrInvalid},
		{"name too long", strings.Repeat("n", 29), 8, 1024, 0, ErrNameTooLong},
	}
	for _, c := range cases {
		if _, err := CreateElem(c.ring, c.esize, c.count, eal.SocketIDAny, c.flags); !errors.Is(err, c.want) {
			t.Errorf("%s: CreateElem = %v, want %v", c.name, err, c.want)
		}
	}
	if _, err := Lookup("ring_not_found"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Lookup of missing ring = %v", err)
	}
	if _, err := MemSize(1024, 6); !errors.Is(err, ErrInvalid) {
		t.Errorf("MemSize(1024, 6) = %v", err)
	}
	if sz, err := MemSize(1024, 8); err != nil || sz != headerSize+8192 {
		t.Errorf("MemSize(1024, 8) = %d, %v", sz, err)
	}
	var buf [64]uint64
	if _, err := Init(unsafe.Pointer(&buf[0]), strings.Repeat("x", NameSize), 4, 8, 0); !errors.Is(err, ErrNameTooLong) {
		t.Errorf("Init with long name = %v", err)
	}
	if _, err := Init(unsafe.Add(unsafe.Pointer(&buf[0]), 4), "x", 4, 8, 0); !errors.Is(err, ErrInvalid) {
		t.Errorf("Init on unaligned memory = %v", err)
	}
	r := newHeapRing(t, "noMZ", 4, 8, 0)
	if err := r.Free(); !errors.Is(err, ErrInvalid) {
		t.Errorf("Free of an Init ring = %v", err)
	}
}

// TestCreateLookup makes rings in memzones and finds them by name.
func TestCreateLookup(t *testing.T) {
	for _, es := range esizes {
		name := fmt.Sprintf("test_lookup_%d", es)
		r, err := CreateElem(name, es, 1024, eal.SocketIDAny, FlagSPEnq|FlagSCDeq)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := CreateElem(name, es, 1024, eal.SocketIDAny, 0); !errors.Is(err, ErrExist) {
			t.Fatalf("second CreateElem = %v, want ErrExist", err)
		}
		if r.Memzone() == nil || r.Memzone().Name() != MemzonePrefix+name {
			t.Fatalf("memzone %v", r.Memzone())
		}
		l, err := Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		if l.Name() != name || l.ElemSize() != es || l.Capacity() != 1023 || l.Flags() != FlagSPEnq|FlagSCDeq {
			t.Fatalf("looked-up ring: %v", l)
		}
		src := fill(10, es, 5)
		if n, _ := r.EnqueueBulkElem(elemPtr(src), 10); n != 10 {
			t.Fatalf("enqueue %d", n)
		}
		if l.Count() != 10 {
			t.Fatalf("looked-up ring count %d", l.Count())
		}
		dst := make([]byte, len(src))
		if n, _ := l.DequeueBulkElem(elemPtr(dst), 10); n != 10 || !bytes.Equal(dst, src) {
			t.Fatalf("dequeue through looked-up handle: %d", n)
		}
		var b bytes.Buffer
		l.Dump(&b)
		if !strings.Contains(b.String(), "ring <"+name+">") || !strings.Contains(b.String(), "ct=10") {
			t.Fatalf("Dump:\n%s", b.String())
		}
		if err := r.Free(); err != nil {
			t.Fatal(err)
		}
		if _, err := Lookup(name); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Lookup after Free = %v", err)
		}
	}
}

// TestReset checks that Reset empties a ring in every mode.
func TestReset(t *testing.T) {
	for _, m := range modes {
		r := newHeapRing(t, "reset", 32, 8, m.flags)
		r.EnqueueBurstU64(make([]uint64, 20))
		r.DequeueBurstU64(make([]uint64, 5))
		r.Reset()
		checkCounts(t, r, 0)
		if n, _ := r.EnqueueBulkU64(make([]uint64, 31)); n != 31 {
			t.Fatalf("%s: enqueue after reset = %d", m.name, n)
		}
	}
}

// TestHTDMax checks the RTS head/tail distance setters.
func TestHTDMax(t *testing.T) {
	r := newHeapRing(t, "htd", 1024, 8, FlagMPRTSEnq|FlagMCRTSDeq)
	if r.ProdHTDMax() != 1023/8 || r.ConsHTDMax() != 1023/8 {
		t.Fatalf("defaults %d %d", r.ProdHTDMax(), r.ConsHTDMax())
	}
	if r.SetProdHTDMax(5) != nil || r.SetConsHTDMax(6) != nil || r.ProdHTDMax() != 5 || r.ConsHTDMax() != 6 {
		t.Fatalf("set: %d %d", r.ProdHTDMax(), r.ConsHTDMax())
	}
	m := newHeapRing(t, "htd2", 1024, 8, 0)
	if !errors.Is(m.SetProdHTDMax(5), ErrInvalid) || !errors.Is(m.SetConsHTDMax(5), ErrInvalid) || m.ProdHTDMax() != 0 {
		t.Fatal("HTD max on an MT ring")
	}
}

// TestFlagsString checks the flag names.
func TestFlagsString(t *testing.T) {
	for f, want := range map[Flags]string{
		0:                           "MP/MC",
		FlagSPEnq | FlagSCDeq:       "SP_ENQ|SC_DEQ",
		FlagExactSize | 0x100:       "EXACT_SZ|0x100",
		FlagMPRTSEnq | FlagMCHTSDeq: "MP_RTS_ENQ|MC_HTS_DEQ",
	} {
		if got := f.String(); got != want {
			t.Errorf("%#x: %q, want %q", uint32(f), got, want)
		}
	}
}
