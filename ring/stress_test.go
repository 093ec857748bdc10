package ring

import (
	"flag"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"
)

// stressTime makes TestStress run longer:
//
//	go test -race -run Stress ./ring/ -ring.stress=30s
var stressTime = flag.Duration("ring.stress", 0, "run each ring stress test this long (default 300ms, 50ms with -short)")

// TestStress runs several producers and consumers on one ring and checks
// conservation: every value enqueued is dequeued exactly once, and each
// consumer sees each producer's values in the order they were produced.
// Values carry producer id and sequence number. Over Go memory (as here)
// the race detector checks the ring's synchronisation too.
func TestStress(t *testing.T) {
	cases := []struct {
		name       string
		flags      Flags
		prod, cons int
		esize      uint32
	}{
		{"MPMC", 0, 4, 4, 8},
		{"SPSC", FlagSPEnq | FlagSCDeq, 1, 1, 8},
		{"SPMC", FlagSPEnq, 1, 3, 8},
		{"MPSC", FlagSCDeq, 3, 1, 8},
		{"HTS", FlagMPHTSEnq | FlagMCHTSDeq, 4, 4, 8},
		{"RTS", FlagMPRTSEnq | FlagMCRTSDeq, 4, 4, 8},
		{"MPMC-elem20", 0, 3, 3, 20},
		{"RTS-elem16", FlagMPRTSEnq | FlagMCRTSDeq, 3, 3, 16},
	}
	d := *stressTime
	if d == 0 {
		d = 300 * time.Millisecond
		if testing.Short() {
			d = 50 * time.Millisecond
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stress(t, c.flags, c.prod, c.cons, c.esize, d)
		})
	}
}

// putElem fills the element b with v: v in the first 8 bytes and a value
// derived from it in every following 4-byte word, so that getElem can tell
// an element that was not copied whole.
func putElem(b []byte, v uint64) {
	*(*uint64)(unsafe.Pointer(&b[0])) = v
	for o := 8; o+4 <= len(b); o += 4 {
		*(*uint32)(unsafe.Pointer(&b[o])) = ^uint32(v) + uint32(o)
	}
}

// getElem returns the value in element b and whether b is whole.
func getElem(b []byte) (uint64, bool) {
	v := *(*uint64)(unsafe.Pointer(&b[0]))
	for o := 8; o+4 <= len(b); o += 4 {
		if *(*uint32)(unsafe.Pointer(&b[o])) != ^uint32(v)+uint32(o) {
			return v, false
		}
	}
	return v, true
}

func stress(t *testing.T, flags Flags, nprod, ncons int, esize uint32, d time.Duration) {
	r := newHeapRing(t, "stress", 256, esize, flags)
	var stop atomic.Bool
	produced := make([]uint64, nprod)
	var wg sync.WaitGroup
	for p := 0; p < nprod; p++ {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			buf := make([]byte, 64*int(esize))
			vals := make([]uint64, 64)
			var seq uint64
			for i := 0; !stop.Load(); i++ {
				k := 1 + (i*7+p)%40 // vary sizes: 1 to 40
				for j := 0; j < k; j++ {
					v := uint64(p)<<40 | (seq + uint64(j))
					if esize == 8 {
						vals[j] = v
					} else {
						putElem(buf[j*int(esize):(j+1)*int(esize)], v)
					}
				}
				var n uint32
				switch {
				case esize == 8 && i%2 == 0:
					n, _ = r.EnqueueBulkU64(vals[:k])
				case esize == 8:
					n, _ = r.EnqueueBurstU64(vals[:k])
				case i%2 == 0:
					n, _ = r.EnqueueBulkElem(unsafe.Pointer(&buf[0]), uint32(k))
				default:
					n, _ = r.EnqueueBurstElem(unsafe.Pointer(&buf[0]), uint32(k))
				}
				seq += uint64(n)
				if n == 0 {
					runtime.Gosched()
				}
			}
			produced[p] = seq
		}(p)
	}
	type result struct {
		seen []map[uint64]bool
		err  error
	}
	results := make([]result, ncons)
	var done atomic.Int32
	var cwg sync.WaitGroup
	for c := 0; c < ncons; c++ {
		cwg.Add(1)
		go func(c int) {
			defer cwg.Done()
			res := &results[c]
			res.seen = make([]map[uint64]bool, nprod)
			last := make([]int64, nprod)
			for p := range last {
				last[p] = -1
				res.seen[p] = map[uint64]bool{}
			}
			buf := make([]byte, 64*int(esize))
			vals := make([]uint64, 64)
			for i := 0; ; i++ {
				k := 1 + (i*5+c)%50
				var n uint32
				switch {
				case esize == 8 && i%2 == 0:
					n, _ = r.DequeueBulkU64(vals[:k])
				case esize == 8:
					n, _ = r.DequeueBurstU64(vals[:k])
				case i%2 == 0:
					n, _ = r.DequeueBulkElem(unsafe.Pointer(&buf[0]), uint32(k))
				default:
					n, _ = r.DequeueBurstElem(unsafe.Pointer(&buf[0]), uint32(k))
				}
				for j := 0; j < int(n); j++ {
					v := vals[j]
					if esize != 8 {
						var ok bool
						if v, ok = getElem(buf[j*int(esize) : (j+1)*int(esize)]); !ok && res.err == nil {
							res.err = fmt.Errorf("consumer %d: torn element %#x", c, v)
						}
					}
					p, seq := int(v>>40), int64(v&(1<<40-1))
					if p >= nprod {
						if res.err == nil {
							res.err = fmt.Errorf("consumer %d: bad value %#x", c, v)
						}
						continue
					}
					if seq <= last[p] && res.err == nil {
						res.err = fmt.Errorf("consumer %d: producer %d's %d after %d", c, p, seq, last[p])
					}
					last[p] = seq
					res.seen[p][uint64(seq)] = true
				}
				if n == 0 {
					if done.Load() == 1 && r.Empty() {
						return
					}
					runtime.Gosched()
				}
			}
		}(c)
	}
	time.Sleep(d)
	stop.Store(true)
	wg.Wait()
	done.Store(1)
	cwg.Wait()
	var total uint64
	for p := 0; p < nprod; p++ {
		total += produced[p]
		var got uint64
		for c := range results {
			for seq := range results[c].seen[p] {
				if seq >= produced[p] {
					t.Errorf("producer %d: value %d dequeued but never enqueued", p, seq)
				}
				for c2 := 0; c2 < c; c2++ {
					if results[c2].seen[p][seq] {
						t.Errorf("producer %d: value %d dequeued twice", p, seq)
					}
				}
			}
			got += uint64(len(results[c].seen[p]))
		}
		if got != produced[p] {
			t.Errorf("producer %d: enqueued %d, dequeued %d", p, produced[p], got)
		}
	}
	for c := range results {
		if results[c].err != nil {
			t.Error(results[c].err)
		}
	}
	if total == 0 {
		t.Fatal("nothing moved")
	}
	t.Logf("%d values through %d producers and %d consumers", total, nprod, ncons)
}
