package rcu

import (
	"errors"
	"fmt"
	"io"
	"math/bits"
	"sync/atomic"

	"dpk/internal/sys"
)

// ThreadIDInvalid tells Synchronize that the calling thread is not a
// reader (RTE_QSBR_THRID_INVALID).
const ThreadIDInvalid = ^uint32(0)

// Counter values of a reader thread (__RTE_QSBR_CNT_*).
const (
	cntOffline = 0 // the thread is offline: the writer does not wait for it
	cntInit    = 1 // the first token
)

var (
	// ErrInvalid reports a bad argument: a thread id at or above the
	// variable's maximum, a zero size, a defer queue without a free
	// function or QSBR variable.
	ErrInvalid = errors.New("rcu: invalid argument")
	// ErrNoSpace is returned by DeferQueue.Enqueue when the queue is full
	// (ENOSPC).
	ErrNoSpace = errors.New("rcu: defer queue full")
	// ErrAgain is returned by DeferQueue.Delete when resources are still
	// waiting for their grace period (EAGAIN).
	ErrAgain = errors.New("rcu: resources still pending")
)

const cacheLine = 64

// threadCnt is one reader's quiescent state counter, alone on its cache
// line so that readers never share a line (struct rte_rcu_qsbr_cnt).
type threadCnt struct {
	cnt atomic.Uint64 // token last acknowledged; cntOffline when offline
	_   [cacheLine - 8]byte
}

// QSBR is a quiescent state based reclamation variable (struct
// rte_rcu_qsbr). Writers ask it when every registered reader has passed
// through a quiescent state since a point in time; readers report those
// states. See the package documentation for the protocol.
type QSBR struct {
	token atomic.Uint64 // grace period counter, bumped by Start
	_     [cacheLine - 8]byte
	acked atomic.Uint64 // least token every reader had acknowledged at the last full check
	_     [cacheLine - 8]byte

	numThreads atomic.Uint32 // registered readers
	maxThreads uint32
	cnt        []threadCnt     // one per thread id
	reg        []atomic.Uint64 // bitmap of registered thread ids
}

// NewQSBR returns a variable for readers with thread ids 0 to
// maxThreads-1 (rte_rcu_qsbr_get_memsize + rte_rcu_qsbr_init). Its memory
// is ordinary Go memory: a QSBR variable is shared by goroutines of one
// process, not between processes.
func NewQSBR(maxThreads uint32) (*QSBR, error) {
	if maxThreads == 0 {
		return nil, fmt.Errorf("rcu: new QSBR: %w: max threads 0", ErrInvalid)
	}
	v := &QSBR{
		maxThreads: maxThreads,
		cnt:        make([]threadCnt, maxThreads),
		reg:        make([]atomic.Uint64, (maxThreads+63)/64),
	}
	v.token.Store(cntInit)
	v.acked.Store(cntInit - 1)
	return v, nil
}

// MaxThreads returns the number of thread ids the variable has room for.
func (v *QSBR) MaxThreads() uint32 { return v.maxThreads }

// NumThreads returns the number of registered reader threads.
func (v *QSBR) NumThreads() uint32 { return v.numThreads.Load() }

// ThreadRegister adds reader id to the threads the variable reports on
// (rte_rcu_qsbr_thread_register). Registering twice is harmless. A new
// reader starts offline: call ThreadOnline before it reads shared data.
// Any goroutine may register any id; ids are the caller's to hand out.
func (v *QSBR) ThreadRegister(id uint32) error {
	if id >= v.maxThreads {
		return fmt.Errorf("rcu: register thread %d: %w: max threads %d", id, ErrInvalid, v.maxThreads)
	}
	w, bit := &v.reg[id/64], uint64(1)<<(id%64)
	for {
		old := w.Load()
		if old&bit != 0 {
			return nil
		}
		if w.CompareAndSwap(old, old|bit) {
			v.numThreads.Add(1)
			return nil
		}
	}
}

// ThreadUnregister removes reader id (rte_rcu_qsbr_thread_unregister). The
// reader must not hold references to shared data any more; call
// ThreadOffline first.
func (v *QSBR) ThreadUnregister(id uint32) error {
	if id >= v.maxThreads {
		return fmt.Errorf("rcu: unregister thread %d: %w: max threads %d", id, ErrInvalid, v.maxThreads)
	}
	w, bit := &v.reg[id/64], uint64(1)<<(id%64)
	for {
		old := w.Load()
		if old&bit == 0 {
			return nil
		}
		if w.CompareAndSwap(old, old&^bit) {
			v.numThreads.Add(^uint32(0))
			return nil
		}
	}
}

// ThreadOnline tells writers that reader id is about to read shared data
// and must be waited for (rte_rcu_qsbr_thread_online). It is a reader-side
// call: lock-free, no allocation. id must be below MaxThreads.
func (v *QSBR) ThreadOnline(id uint32) {
	// The store is sequentially consistent (XCHG on amd64): the loads of
	// shared data that follow cannot be done before it, so a writer that
	// does not see this reader online cannot be racing with those loads.
	v.cnt[id].cnt.Store(v.token.Load())
}

// ThreadOffline tells writers that reader id holds no references to
// shared data and need not be waited for until it comes online again
// (rte_rcu_qsbr_thread_offline). Reader-side, lock-free.
func (v *QSBR) ThreadOffline(id uint32) {
	v.cnt[id].cnt.Store(cntOffline)
}

// Quiescent reports that reader id holds no references to shared data
// read before this call (rte_rcu_qsbr_quiescent). Readers call it between
// units of work, for example once per burst of lookups. Reader-side,
// lock-free; it writes only when a writer has started a grace period since
// the reader's last report.
func (v *QSBR) Quiescent(id uint32) {
	c := &v.cnt[id].cnt
	if t := v.token.Load(); t != c.Load() {
		c.Store(t)
	}
}

// Start begins a grace period and returns its token (rte_rcu_qsbr_start).
// Changes the writer made to shared data before Start are visible to a
// reader once it has reported a quiescent state after the token; Check
// tells when every registered online reader has.
func (v *QSBR) Start() uint64 {
	return v.token.Add(1)
}

// Check reports whether every registered reader has gone through a
// quiescent state (or offline) since Start returned t
// (rte_rcu_qsbr_check). With wait it spins until they have, and returns
// true. Several writers may call it at once.
func (v *QSBR) Check(t uint64, wait bool) bool {
	if t <= v.acked.Load() {
		return true
	}
	acked := ^uint64(0)
	for i := range v.reg {
		bmap := v.reg[i].Load()
		for bmap != 0 {
			j := uint32(bits.TrailingZeros64(bmap))
			id := uint32(i)*64 + j
			c := v.cnt[id].cnt.Load()
			if c != cntOffline && c < t {
				if !wait {
					return false
				}
				sys.Pause()
				// The thread may have unregistered meanwhile.
				bmap = v.reg[i].Load() & (^uint64(0) << j)
				continue
			}
			if c != cntOffline && c < acked {
				acked = c
			}
			bmap &^= 1 << j
		}
	}
	// Every reader was checked: remember the least token acknowledged so
	// that later checks of older tokens return at once. Writers racing
	// here may store a slightly smaller value than the truth, which only
	// costs a later check a scan.
	if acked != ^uint64(0) {
		v.acked.Store(acked)
	}
	return true
}

// Synchronize starts a grace period and waits for its end
// (rte_rcu_qsbr_synchronize). If the caller is itself a registered reader,
// pass its id so that its own quiescent state is reported first;
// otherwise pass ThreadIDInvalid.
func (v *QSBR) Synchronize(id uint32) {
	t := v.Start()
	if id != ThreadIDInvalid {
		v.Quiescent(id)
	}
	v.Check(t, true)
}

// Dump writes the variable's state as rte_rcu_qsbr_dump does.
func (v *QSBR) Dump(w io.Writer) error {
	var ids []uint32
	for i := range v.reg {
		bmap := v.reg[i].Load()
		for bmap != 0 {
			j := uint32(bits.TrailingZeros64(bmap))
			ids = append(ids, uint32(i)*64+j)
			bmap &^= 1 << j
		}
	}
	if _, err := fmt.Fprintf(w, "\nQuiescent State Variable @%p\n", v); err != nil {
		return err
	}
	fmt.Fprintf(w, "  Given # max threads = %d\n", v.maxThreads)
	fmt.Fprintf(w, "  Current # threads = %d\n", v.numThreads.Load())
	fmt.Fprintf(w, "  Registered thread IDs = ")
	for _, id := range ids {
		fmt.Fprintf(w, "%d ", id)
	}
	fmt.Fprintf(w, "\n  Token = %d\n", v.token.Load())
	fmt.Fprintf(w, "  Least Acknowledged Token = %d\n", v.acked.Load())
	fmt.Fprintf(w, "Quiescent State Counts for readers:\n")
	for _, id := range ids {
		if _, err := fmt.Fprintf(w, "thread ID = %d, count = %d\n", id, v.cnt[id].cnt.Load()); err != nil {
			return err
		}
	}
	return nil
}
