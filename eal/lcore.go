package eal

import (
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"

	"dpk/internal/sys"
)

// MaxLcore is the highest number of lcores (RTE_MAX_LCORE).
const MaxLcore = 128

// LcoreIDAny is the lcore id of a thread that is not an EAL lcore
// (LCORE_ID_ANY): code running there uses no per-lcore cache.
const LcoreIDAny = ^uint32(0)

// SocketIDAny asks for memory on any NUMA socket (SOCKET_ID_ANY).
const SocketIDAny = -1

// LcoreState is the state of a worker lcore, as DPDK's rte_lcore_state_t.
type LcoreState int32

// Lcore states.
const (
	Wait     LcoreState = iota // waiting for a function
	Running                    // running a launched function
	Finished                   // finished; WaitLcore collects its result (kept for DPDK's vocabulary)
)

func (s LcoreState) String() string {
	switch s {
	case Wait:
		return "WAIT"
	case Running:
		return "RUNNING"
	default:
		return "FINISHED"
	}
}

// LcoreFunc is a function launched on an lcore. It receives the lcore it
// runs on: that is how code learns its lcore id and socket (Go has no
// thread-local storage).
type LcoreFunc func(lc *Lcore) error

// ErrBusy is returned by RemoteLaunch when the lcore is already running a function.
var ErrBusy = errors.New("eal: lcore busy")

// Lcore is one logical core: a goroutine locked to an OS thread pinned to its CPU set.
type Lcore struct {
	id     uint32
	cpus   []int
	socket int
	main   bool

	state  atomic.Int32
	launch chan LcoreFunc
	done   chan error
	ret    error
}

// ID returns the lcore id (rte_lcore_id as seen from code running on it).
func (lc *Lcore) ID() uint32 { return lc.id }

// Socket returns the NUMA socket of the lcore's first CPU.
func (lc *Lcore) Socket() int { return lc.socket }

// CPUs returns the CPUs the lcore's thread may run on.
func (lc *Lcore) CPUs() []int { return append([]int(nil), lc.cpus...) }

// IsMain reports whether this is the main lcore.
func (lc *Lcore) IsMain() bool { return lc.main }

// State returns the lcore's launch state.
func (lc *Lcore) State() LcoreState { return LcoreState(lc.state.Load()) }

func (lc *Lcore) String() string {
	return fmt.Sprintf("lcore %d (cpus %v, socket %d)", lc.id, lc.cpus, lc.socket)
}

// worker is the loop of a worker lcore's goroutine.
func (lc *Lcore) worker(ready chan<- error, launch <-chan LcoreFunc) {
	err := sys.PinThread(lc.cpus)
	ready <- err
	if err != nil {
		runtime.UnlockOSThread()
		return
	}
	for fn := range launch {
		lc.done <- runFunc(fn, lc)
	}
}

func runFunc(fn LcoreFunc, lc *Lcore) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("eal: lcore %d: function panicked: %v", lc.id, r)
		}
	}()
	return fn(lc)
}

// Lcore returns the lcore with the given id, or nil if it is not enabled.
func GetLcore(id uint32) *Lcore {
	st := state()
	if st == nil || id >= MaxLcore {
		return nil
	}
	return st.lcores[id]
}

// MainLcore returns the main lcore (the thread that called Init).
func MainLcore() *Lcore {
	st := state()
	if st == nil {
		return nil
	}
	return st.lcores[st.mainID]
}

// LcoreCount returns the number of enabled lcores (rte_lcore_count).
func LcoreCount() int {
	st := state()
	if st == nil {
		return 0
	}
	return len(st.order)
}

// Lcores returns the enabled lcores in id order.
func Lcores() []*Lcore {
	st := state()
	if st == nil {
		return nil
	}
	out := make([]*Lcore, 0, len(st.order))
	for _, id := range st.order {
		out = append(out, st.lcores[id])
	}
	return out
}

// Workers returns the worker lcores (all but the main one) in id order, as
// RTE_LCORE_FOREACH_WORKER.
func Workers() []*Lcore {
	var out []*Lcore
	for _, lc := range Lcores() {
		if !lc.main {
			out = append(out, lc)
		}
	}
	return out
}

// RemoteLaunch runs fn on worker lcore id (rte_eal_remote_launch). It returns
// ErrBusy if that lcore is running a function and an error if id is not a
// worker lcore.
func RemoteLaunch(fn LcoreFunc, id uint32) error {
	lc := GetLcore(id)
	if lc == nil {
		return fmt.Errorf("eal: lcore %d is not enabled", id)
	}
	if lc.main {
		return fmt.Errorf("eal: lcore %d is the main lcore; call the function directly", id)
	}
	if !lc.state.CompareAndSwap(int32(Wait), int32(Running)) {
		return fmt.Errorf("eal: lcore %d: %w", id, ErrBusy)
	}
	lc.launch <- fn
	return nil
}

// WaitLcore waits for the function launched on worker lcore id to return and
// returns its error (rte_eal_wait_lcore). It returns nil at once if nothing
// was launched.
func WaitLcore(id uint32) error {
	lc := GetLcore(id)
	if lc == nil || lc.main {
		return nil
	}
	if lc.State() == Wait {
		return nil
	}
	err := <-lc.done
	lc.state.Store(int32(Wait))
	return err
}

// MpRemoteLaunch runs fn on every worker lcore and, if callMain, on the main
// lcore too from the calling goroutine (rte_eal_mp_remote_launch with
// CALL_MAIN). It returns after launching; the main lcore's result is returned
// by MpWaitLcore.
func MpRemoteLaunch(fn LcoreFunc, callMain bool) error {
	ws := Workers()
	for _, lc := range ws {
		if lc.State() != Wait {
			return fmt.Errorf("eal: lcore %d: %w", lc.id, ErrBusy)
		}
	}
	for _, lc := range ws {
		if err := RemoteLaunch(fn, lc.id); err != nil {
			return err
		}
	}
	if callMain {
		m := MainLcore()
		m.ret = runFunc(fn, m)
	}
	return nil
}

// MpWaitLcore waits for every worker lcore and returns the first error any
// of them (or the main lcore, after MpRemoteLaunch with callMain) returned.
func MpWaitLcore() error {
	var first error
	for _, lc := range Workers() {
		if err := WaitLcore(lc.id); err != nil && first == nil {
			first = err
		}
	}
	if m := MainLcore(); m != nil && m.ret != nil {
		if first == nil {
			first = m.ret
		}
		m.ret = nil
	}
	return first
}
