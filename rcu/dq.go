package rcu

import (
	"fmt"
	"sync"
)

// DQFlags control a defer queue's behaviour (RTE_RCU_QSBR_DQ_*).
type DQFlags uint32

// DQMTUnsafe makes a defer queue single-writer (RTE_RCU_QSBR_DQ_MT_UNSAFE):
// it takes no lock, and only one goroutine at a time may call its methods.
const DQMTUnsafe DQFlags = 1

// DQConfig describes a defer queue (struct rte_rcu_qsbr_dq_parameters).
// The element type T is what the queue holds, typically an index into the
// data structure, as DPDK's esize-byte elements.
type DQConfig[T any] struct {
	// Name names the queue in error messages.
	Name string
	// Flags: DQMTUnsafe or 0.
	Flags DQFlags
	// Size is how many resources the queue holds, typically the number of
	// entries of the lock-free data structure.
	Size uint32
	// TriggerReclaimLimit starts a reclamation in Enqueue when more than
	// this many resources wait. Above Size, Enqueue never reclaims; 0
	// reclaims on every Enqueue that finds the queue non-empty.
	TriggerReclaimLimit uint32
	// MaxReclaimSize is how many resources an automatic reclamation frees
	// at most. It must be non-zero when TriggerReclaimLimit is at most
	// Size.
	MaxReclaimSize uint32
	// Free releases one resource whose grace period is over (free_fn). It
	// is called by Enqueue, Reclaim and Delete, from the calling goroutine,
	// without the queue's lock held.
	Free func(e T)
	// V is the QSBR variable whose readers the grace periods wait for.
	V *QSBR
}

// dqElem is one queued resource and the token of its grace period.
type dqElem[T any] struct {
	token uint64
	e     T
}

// DeferQueue holds resources that a writer removed from a lock-free data
// structure until every reader has stopped using them, then frees them
// (struct rte_rcu_qsbr_dq). It is writer-side, control-path code; the
// readers only report quiescent states on the QSBR variable.
type DeferQueue[T any] struct {
	cfg  DQConfig[T]
	mu   sync.Mutex
	lock bool
	buf  []dqElem[T]
	head uint32 // index of the oldest element
	n    uint32 // elements queued
}

// NewDeferQueue makes a defer queue (rte_rcu_qsbr_dq_create).
func NewDeferQueue[T any](cfg DQConfig[T]) (*DeferQueue[T], error) {
	switch {
	case cfg.V == nil:
		return nil, fmt.Errorf("rcu: defer queue %q: %w: no QSBR variable", cfg.Name, ErrInvalid)
	case cfg.Free == nil:
		return nil, fmt.Errorf("rcu: defer queue %q: %w: no free function", cfg.Name, ErrInvalid)
	case cfg.Size == 0:
		return nil, fmt.Errorf("rcu: defer queue %q: %w: size 0", cfg.Name, ErrInvalid)
	case cfg.TriggerReclaimLimit <= cfg.Size && cfg.MaxReclaimSize == 0:
		return nil, fmt.Errorf("rcu: defer queue %q: %w: automatic reclamation (limit %d, size %d) needs a max reclaim size",
			cfg.Name, ErrInvalid, cfg.TriggerReclaimLimit, cfg.Size)
	case cfg.Flags&^DQMTUnsafe != 0:
		return nil, fmt.Errorf("rcu: defer queue %q: %w: unknown flags %#x", cfg.Name, ErrInvalid, uint32(cfg.Flags))
	}
	return &DeferQueue[T]{cfg: cfg, lock: cfg.Flags&DQMTUnsafe == 0, buf: make([]dqElem[T], cfg.Size)}, nil
}

func (dq *DeferQueue[T]) acquire() {
	if dq.lock {
		dq.mu.Lock()
	}
}

func (dq *DeferQueue[T]) release() {
	if dq.lock {
		dq.mu.Unlock()
	}
}

// Len returns the number of resources waiting.
func (dq *DeferQueue[T]) Len() uint32 {
	dq.acquire()
	defer dq.release()
	return dq.n
}

// Enqueue starts a grace period for e and queues it to be freed once the
// period is over (rte_rcu_qsbr_dq_enqueue). The caller must already have
// removed e from the data structure, so that no new reader can find it.
// When more than TriggerReclaimLimit resources wait it first reclaims up to
// MaxReclaimSize of them. It returns ErrNoSpace if the queue is full.
func (dq *DeferQueue[T]) Enqueue(e T) error {
	t := dq.cfg.V.Start()
	if dq.Len() > dq.cfg.TriggerReclaimLimit {
		dq.Reclaim(dq.cfg.MaxReclaimSize)
	}
	dq.acquire()
	defer dq.release()
	if dq.n == uint32(len(dq.buf)) {
		return fmt.Errorf("rcu: defer queue %q: %w (%d resources)", dq.cfg.Name, ErrNoSpace, dq.n)
	}
	i := dq.head + dq.n
	if i >= uint32(len(dq.buf)) {
		i -= uint32(len(dq.buf))
	}
	dq.buf[i] = dqElem[T]{token: t, e: e}
	dq.n++
	return nil
}

// pop removes the oldest resource if its grace period is over.
func (dq *DeferQueue[T]) pop() (e T, ok bool) {
	dq.acquire()
	defer dq.release()
	if dq.n == 0 {
		return e, false
	}
	el := &dq.buf[dq.head]
	if !dq.cfg.V.Check(el.token, false) {
		return e, false
	}
	e = el.e
	*el = dqElem[T]{}
	dq.head++
	if dq.head == uint32(len(dq.buf)) {
		dq.head = 0
	}
	dq.n--
	return e, true
}

// Reclaim frees up to n resources whose grace period is over, oldest
// first, without waiting for readers (rte_rcu_qsbr_dq_reclaim). It returns
// how many it freed, how many still wait and how many more the queue has
// room for. n must not be 0.
func (dq *DeferQueue[T]) Reclaim(n uint32) (freed, pending, available uint32, err error) {
	if n == 0 {
		return 0, 0, 0, fmt.Errorf("rcu: defer queue %q: reclaim: %w: n is 0", dq.cfg.Name, ErrInvalid)
	}
	for freed < n {
		e, ok := dq.pop()
		if !ok {
			break
		}
		dq.cfg.Free(e)
		freed++
	}
	dq.acquire()
	pending = dq.n
	available = uint32(len(dq.buf)) - dq.n
	dq.release()
	return freed, pending, available, nil
}

// Delete frees every resource whose grace period is over
// (rte_rcu_qsbr_dq_delete). It returns ErrAgain if some still wait: the
// queue stays usable and Delete can be called again later.
func (dq *DeferQueue[T]) Delete() error {
	if dq == nil {
		return nil
	}
	_, pending, _, _ := dq.Reclaim(^uint32(0))
	if pending != 0 {
		return fmt.Errorf("rcu: defer queue %q: %w: %d resources", dq.cfg.Name, ErrAgain, pending)
	}
	return nil
}
