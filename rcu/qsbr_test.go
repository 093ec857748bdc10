package rcu

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestNewQSBRInvalid(t *testing.T) {
	if _, err := NewQSBR(0); !errors.Is(err, ErrInvalid) {
		t.Fatalf("NewQSBR(0) = %v, want ErrInvalid", err)
	}
}

func TestRegister(t *testing.T) {
	v, err := NewQSBR(130)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []uint32{0, 63, 64, 129, 129} {
		if err := v.ThreadRegister(id); err != nil {
			t.Fatalf("register %d: %v", id, err)
		}
	}
	if n := v.NumThreads(); n != 4 {
		t.Fatalf("NumThreads = %d, want 4 (double registration counted once)", n)
	}
	if err := v.ThreadRegister(130); !errors.Is(err, ErrInvalid) {
		t.Fatalf("register 130 of 130: %v, want ErrInvalid", err)
	}
	if err := v.ThreadUnregister(130); !errors.Is(err, ErrInvalid) {
		t.Fatalf("unregister 130 of 130: %v, want ErrInvalid", err)
	}
	for _, id := range []uint32{63, 63, 5} {
		if err := v.ThreadUnregister(id); err != nil {
			t.Fatalf("unregister %d: %v", id, err)
		}
	}
	if n := v.NumThreads(); n != 3 {
		t.Fatalf("NumThreads = %d, want 3", n)
	}
	var b bytes.Buffer
	if err := v.Dump(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "Registered thread IDs = 0 64 129 ") {
		t.Fatalf("dump:\n%s", b.String())
	}
}

// TestCheckSingleThread drives the protocol from one goroutine, as DPDK's
// test_rcu_qsbr functional tests do.
func TestCheckSingleThread(t *testing.T) {
	v, _ := NewQSBR(4)
	// No readers: every grace period is over at once.
	if !v.Check(v.Start(), false) {
		t.Fatal("check with no readers: false")
	}
	v.ThreadRegister(1)
	v.ThreadRegister(2)
	// Registered but offline readers are not waited for.
	if !v.Check(v.Start(), false) {
		t.Fatal("check with offline readers: false")
	}
	v.ThreadOnline(1)
	v.ThreadOnline(2)
	tok := v.Start()
	if v.Check(tok, false) {
		t.Fatal("check before any quiescent state: true")
	}
	v.Quiescent(1)
	if v.Check(tok, false) {
		t.Fatal("check with reader 2 not quiescent: true")
	}
	v.Quiescent(2)
	if !v.Check(tok, false) {
		t.Fatal("check after both quiescent: false")
	}
	// An older token is acknowledged too, without a scan.
	if !v.Check(tok-1, false) {
		t.Fatal("older token not acknowledged")
	}
	// Going offline ends the reader's part in grace periods.
	tok = v.Start()
	v.Quiescent(1)
	v.ThreadOffline(2)
	if !v.Check(tok, true) {
		t.Fatal("check with reader 2 offline: false")
	}
	// Unregistering too.
	v.ThreadOnline(2)
	tok = v.Start()
	v.Quiescent(1)
	v.ThreadUnregister(2)
	if !v.Check(tok, false) {
		t.Fatal("check with reader 2 unregistered: false")
	}
	// A reader synchronizing on its own behalf does not wait for itself.
	v.Synchronize(1)
}

// TestSynchronizeWaits checks that Synchronize returns only after an online
// reader has reported a quiescent state.
func TestSynchronizeWaits(t *testing.T) {
	v, _ := NewQSBR(2)
	v.ThreadRegister(0)
	v.ThreadOnline(0)
	var reported atomic.Bool
	done := make(chan struct{})
	go func() {
		v.Synchronize(ThreadIDInvalid)
		if !reported.Load() {
			t.Error("Synchronize returned before the reader was quiescent")
		}
		close(done)
	}()
	time.Sleep(20 * time.Millisecond)
	select {
	case <-done:
		t.Fatal("Synchronize did not wait")
	default:
	}
	reported.Store(true)
	v.Quiescent(0)
	<-done
}

// TestStress runs readers that follow a pointer to a shared object while a
// writer keeps replacing it and recycles old objects only after their
// grace period, through a defer queue. A recycled object is poisoned
// before reuse: a reader that still held it would see the poison.
func TestStress(t *testing.T) {
	const readers = 3
	dur := 300 * time.Millisecond
	if testing.Short() {
		dur = 50 * time.Millisecond
	}
	type obj struct {
		gen  atomic.Uint64
		live atomic.Bool
	}
	v, _ := NewQSBR(readers)
	var cur atomic.Pointer[obj]
	first := &obj{}
	first.gen.Store(1)
	first.live.Store(true)
	cur.Store(first)
	var pool []*obj
	dq, err := NewDeferQueue(DQConfig[*obj]{
		Name: "stress", Size: 64, TriggerReclaimLimit: 8, MaxReclaimSize: 4,
		Free: func(o *obj) {
			o.live.Store(false) // poison
			pool = append(pool, o)
		},
		V: v,
	})
	if err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var bad, reads atomic.Uint64
	var wg sync.WaitGroup
	for r := uint32(0); r < readers; r++ {
		v.ThreadRegister(r)
		wg.Add(1)
		go func() {
			defer wg.Done()
			v.ThreadOnline(r)
			for !stop.Load() {
				for i := 0; i < 64; i++ {
					o := cur.Load()
					g := o.gen.Load()
					if !o.live.Load() || o.gen.Load() != g {
						bad.Add(1)
					}
				}
				reads.Add(64)
				v.Quiescent(r)
			}
			v.ThreadOffline(r)
			v.ThreadUnregister(r)
		}()
	}
	gen := uint64(1)
	deadline := time.Now().Add(dur)
	swaps := 0
	for time.Now().Before(deadline) {
		var o *obj
		if n := len(pool); n > 0 {
			o, pool = pool[n-1], pool[:n-1]
		} else {
			o = &obj{}
		}
		gen++
		o.gen.Store(gen)
		o.live.Store(true)
		old := cur.Swap(o)
		if err := dq.Enqueue(old); err != nil {
			// Full: wait for the readers instead.
			v.Synchronize(ThreadIDInvalid)
			dq.Reclaim(^uint32(0))
			if err := dq.Enqueue(old); err != nil {
				t.Fatalf("enqueue after synchronize: %v", err)
			}
		}
		swaps++
	}
	stop.Store(true)
	wg.Wait()
	if err := dq.Delete(); err != nil {
		t.Fatalf("delete after readers left: %v", err)
	}
	if b := bad.Load(); b != 0 {
		t.Fatalf("%d of %d reads saw a recycled object", b, reads.Load())
	}
	t.Logf("%d swaps, %d reads, %d objects allocated", swaps, reads.Load(), len(pool)+1)
}

func BenchmarkQuiescent(b *testing.B) {
	v, _ := NewQSBR(1)
	v.ThreadRegister(0)
	v.ThreadOnline(0)
	for b.Loop() {
		v.Quiescent(0)
	}
}

func BenchmarkQuiescentNewToken(b *testing.B) {
	v, _ := NewQSBR(1)
	v.ThreadRegister(0)
	v.ThreadOnline(0)
	for b.Loop() {
		v.Start()
		v.Quiescent(0)
	}
}

func TestReaderAllocs(t *testing.T) {
	v, _ := NewQSBR(1)
	v.ThreadRegister(0)
	if n := testing.AllocsPerRun(100, func() {
		v.ThreadOnline(0)
		v.Quiescent(0)
		v.ThreadOffline(0)
	}); n != 0 {
		t.Fatalf("reader side allocates %v times", n)
	}
}
