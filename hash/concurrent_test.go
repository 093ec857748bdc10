package hash

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// qsbr is a minimal quiescent-state tracker for the tests: each reader
// counts its lookups; a writer frees a deleted position only after every
// reader counted one more lookup (or stopped), as an RCU grace period.
type qsbr struct {
	cnt  []atomic.Uint64
	done []atomic.Bool
}

func newQSBR(n int) *qsbr {
	return &qsbr{cnt: make([]atomic.Uint64, n), done: make([]atomic.Bool, n)}
}

func (q *qsbr) synchronize() {
	snap := make([]uint64, len(q.cnt))
	for i := range q.cnt {
		snap[i] = q.cnt[i].Load()
	}
	for i := range q.cnt {
		for q.cnt[i].Load() == snap[i] && !q.done[i].Load() {
			runtime.Gosched()
		}
	}
}

func lfKey(i int) []byte {
	k := make([]byte, 16)
	binary.LittleEndian.PutUint64(k, uint64(i)*0x9e3779b97f4a7c15)
	binary.LittleEndian.PutUint64(k[8:], uint64(i))
	return k
}

// lfData encodes the key number and a version: a reader that finds key i
// must read data whose key number is i.
func lfData(i int, version uint32) uint64 { return uint64(i)<<32 | uint64(version) }

// TestLockFreeReaders runs lock-free readers beside one writer that adds,
// updates and deletes keys (with cuckoo moves and extendable-bucket
// chains), and checks that a reader never gets another key's data and
// never misses a key that stays in the table.
func TestLockFreeReaders(t *testing.T) {
	cases := []struct {
		name  string
		flags Flags
		hf    HashFunc
		keys  int
	}{
		{"crc", FlagRWConcurrencyLF, nil, 900},
		{"crc-ext", FlagRWConcurrencyLF | FlagExtTable, nil, 1024},
		{"weak-ext", FlagRWConcurrencyLF | FlagExtTable, weakHash, 600},
		{"weak-multiwriter", FlagRWConcurrencyLF | FlagExtTable | FlagMultiWriterAdd, weakHash, 600},
	}
	dur := 300 * time.Millisecond
	if testing.Short() {
		dur = 100 * time.Millisecond
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			runLockFree(t, c.flags, c.hf, c.keys, dur)
		})
	}
}

func runLockFree(t *testing.T, flags Flags, hf HashFunc, nkeys int, dur time.Duration) {
	h := newTable(t, Params{Entries: 1024, KeyLen: 16, HashFunc: hf, ExtraFlags: flags})
	keys := make([][]byte, nkeys)
	for i := range keys {
		keys[i] = lfKey(i)
	}
	// The first quarter of the keys stay in the table all along.
	stable := nkeys / 4
	for i := 0; i < stable; i++ {
		if err := h.AddKeyData(keys[i], lfData(i, 0)); err != nil {
			t.Fatalf("stable key %d: %v", i, err)
		}
	}
	const readers = 2
	q := newQSBR(readers)
	var stop atomic.Bool
	var wg sync.WaitGroup
	errs := make(chan error, readers+1)
	for r := 0; r < readers; r++ {
		wg.Add(1)
		go func(r int) {
			defer wg.Done()
			defer q.done[r].Store(true)
			rnd := rand.New(rand.NewPCG(uint64(r), 1))
			bk := make([][]byte, 16)
			bi := make([]int, 16)
			data := make([]uint64, 16)
			var lookups int
			for !stop.Load() {
				lookups++
				if rnd.IntN(4) == 0 {
					for j := range bk {
						bi[j] = rnd.IntN(nkeys)
						bk[j] = keys[bi[j]]
					}
					var mask uint64
					if _, err := h.LookupBulkData(bk, &mask, data); err != nil {
						errs <- err
						return
					}
					for j := range bk {
						hit := mask&(1<<j) != 0
						if hit && int(data[j]>>32) != bi[j] {
							errs <- fmt.Errorf("bulk: key %d has data of key %d", bi[j], data[j]>>32)
							return
						}
						if !hit && bi[j] < stable {
							errs <- fmt.Errorf("bulk: stable key %d missed", bi[j])
							return
						}
					}
				} else {
					i := rnd.IntN(nkeys)
					d, ok := h.LookupData(keys[i])
					if ok && int(d>>32) != i {
						errs <- fmt.Errorf("key %d has data of key %d", i, d>>32)
						return
					}
					if !ok && i < stable {
						errs <- fmt.Errorf("stable key %d missed", i)
						return
					}
				}
				q.cnt[r].Add(1)
			}
			t.Logf("reader %d: %d lookups", r, lookups)
		}(r)
	}
	writers := 1
	if flags&FlagMultiWriterAdd != 0 {
		writers = 2
	}
	// Writers own disjoint ranges of the non-stable keys; stable keys are
	// only updated.
	var wwg sync.WaitGroup
	var ops atomic.Int64
	deadline := time.Now().Add(dur)
	for w := 0; w < writers; w++ {
		wwg.Add(1)
		go func(w int) {
			defer wwg.Done()
			rnd := rand.New(rand.NewPCG(uint64(w), 99))
			in := map[int]bool{}
			var version uint32
			var pending []int32
			free := func() {
				q.synchronize()
				for _, p := range pending {
					if err := h.FreeKeyWithPosition(p); err != nil {
						errs <- err
						return
					}
				}
				pending = pending[:0]
			}
			lo := stable + w*(nkeys-stable)/writers
			hi := stable + (w+1)*(nkeys-stable)/writers
			for n := 0; time.Now().Before(deadline); n++ {
				version++
				i := lo + rnd.IntN(hi-lo)
				switch r := rnd.IntN(10); {
				case r == 0 && w == 0:
					s := rnd.IntN(stable)
					if err := h.AddKeyData(keys[s], lfData(s, version)); err != nil {
						errs <- err
						return
					}
				case r < 6:
					if err := h.AddKeyData(keys[i], lfData(i, version)); err == nil {
						in[i] = true
					}
				default:
					if in[i] {
						p, err := h.Delete(keys[i])
						if err != nil {
							errs <- fmt.Errorf("delete of key %d: %v", i, err)
							return
						}
						delete(in, i)
						pending = append(pending, p)
					}
				}
				if len(pending) >= 32 {
					free()
				}
				ops.Add(1)
			}
			free()
		}(w)
	}
	wwg.Wait()
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	t.Logf("%d writer operations, %d table changes", ops.Load(), h.tblChngCnt.Load())
	for i := 0; i < stable; i++ {
		if d, ok := h.LookupData(keys[i]); !ok || int(d>>32) != i {
			t.Fatalf("stable key %d: %#x %v", i, d, ok)
		}
	}
}

// TestMultiWriter adds and deletes from several goroutines at once and
// checks the result.
func TestMultiWriter(t *testing.T) {
	for _, flags := range []Flags{FlagMultiWriterAdd, FlagMultiWriterAdd | FlagExtTable, FlagMultiWriterAdd | FlagRWConcurrency} {
		h := newTable(t, Params{Entries: 4096, KeyLen: 8, ExtraFlags: flags})
		const writers, per = 4, 800
		var wg sync.WaitGroup
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				k := make([]byte, 8)
				for i := 0; i < per; i++ {
					binary.LittleEndian.PutUint64(k, uint64(w*per+i))
					if err := h.AddKeyData(k, uint64(w*per+i)); err != nil {
						t.Error(err)
						return
					}
					// The same shared key from every writer: one position.
					if _, err := h.Add([]byte("shared!!")); err != nil {
						t.Error(err)
						return
					}
					if i%3 == 0 {
						if _, err := h.Delete(k); err != nil {
							t.Error(err)
							return
						}
					}
					if flags&FlagRWConcurrency != 0 {
						// Readers take the read lock beside the writers.
						if _, ok := h.LookupData(k); ok != (i%3 != 0) {
							t.Errorf("lookup of key %d: %v", w*per+i, ok)
						}
					}
				}
			}(w)
		}
		wg.Wait()
		want := 1
		k := make([]byte, 8)
		for i := 0; i < writers*per; i++ {
			binary.LittleEndian.PutUint64(k, uint64(i))
			d, ok := h.LookupData(k)
			if i%per%3 == 0 {
				if ok {
					t.Fatalf("flags %#x: deleted key %d found", flags, i)
				}
				continue
			}
			want++
			if !ok || d != uint64(i) {
				t.Fatalf("flags %#x: key %d: %d %v", flags, i, d, ok)
			}
		}
		if h.Count() != want {
			t.Fatalf("flags %#x: Count %d, want %d", flags, h.Count(), want)
		}
	}
}
