package lpm

import (
	"fmt"

	"dpk/rcu"
)

// RCUMode selects how a table with an RCU variable reclaims tbl8 groups
// (enum rte_lpm_qsbr_mode).
type RCUMode int

const (
	// RCUModeDQ queues unlinked groups in a defer queue and reuses them
	// once readers have quiesced, without blocking the writer
	// (RTE_LPM_QSBR_MODE_DQ).
	RCUModeDQ RCUMode = iota
	// RCUModeSync blocks the writer in rcu.QSBR.Synchronize each time it
	// unlinks a group (RTE_LPM_QSBR_MODE_SYNC).
	RCUModeSync
)

// DefaultReclaimMax is how many groups a defer queue reclamation frees at
// most by default (RTE_LPM_RCU_DQ_RECLAIM_MAX).
const DefaultReclaimMax = 16

// RCUConfig attaches an RCU variable to a table (struct
// rte_lpm_rcu_config).
type RCUConfig struct {
	// V is the QSBR variable the table's readers report to.
	V *rcu.QSBR
	// Mode is RCUModeDQ (the default) or RCUModeSync.
	Mode RCUMode
	// DQSize is the defer queue's size (default: the number of tbl8
	// groups, so that it never fills).
	DQSize uint32
	// ReclaimThreshold starts a reclamation when more than this many
	// groups wait (default 0: at every unlink).
	ReclaimThreshold uint32
	// ReclaimMax is the most groups one reclamation frees (default
	// DefaultReclaimMax).
	ReclaimMax uint32
}

// rcuState is a table's RCU attachment. It is process-local: the handle
// that attached it must be the one that writes.
type rcuState struct {
	v    *rcu.QSBR
	mode RCUMode
	dq   *rcu.DeferQueue[uint32]
	max  uint32
}

// RCUQsbrAdd attaches a QSBR variable to the table
// (rte_lpm_rcu_qsbr_add). From then on a tbl8 group that Delete or
// DeleteAll unlinks is reused only after every reader registered on cfg.V
// has reported a quiescent state, so readers that follow the protocol
// (see the package documentation) may look up while the table changes. It
// returns an error wrapping ErrExist if the table has a variable already
// and ErrInvalid for a nil variable or an unknown mode.
func (l *LPM) RCUQsbrAdd(cfg RCUConfig) error {
	if cfg.V == nil {
		return fmt.Errorf("lpm: %q: RCU: %w: no QSBR variable", l.name, ErrInvalid)
	}
	if l.rcu != nil {
		return fmt.Errorf("lpm: %q: RCU: %w", l.name, ErrExist)
	}
	st := &rcuState{v: cfg.V, mode: cfg.Mode}
	switch cfg.Mode {
	case RCUModeSync:
	case RCUModeDQ:
		size := cfg.DQSize
		if size == 0 {
			size = max(l.hdr.numberTbl8s, 1)
		}
		st.max = cfg.ReclaimMax
		if st.max == 0 {
			st.max = DefaultReclaimMax
		}
		dq, err := rcu.NewDeferQueue(rcu.DQConfig[uint32]{
			Name:                "LPM_RCU_" + l.name,
			Flags:               rcu.DQMTUnsafe, // one writer at a time
			Size:                size,
			TriggerReclaimLimit: cfg.ReclaimThreshold,
			MaxReclaimSize:      st.max,
			Free:                l.tbl8Release,
			V:                   cfg.V,
		})
		if err != nil {
			return fmt.Errorf("lpm: %q: RCU: %w", l.name, err)
		}
		st.dq = dq
	default:
		return fmt.Errorf("lpm: %q: RCU: %w: mode %d", l.name, ErrInvalid, cfg.Mode)
	}
	l.rcu = st
	return nil
}

// tbl8Alloc takes a free tbl8 group (tbl8_alloc). When none is free and a
// defer queue holds groups whose grace period is over, it reclaims them
// first. The group's entries are the caller's to fill.
func (l *LPM) tbl8Alloc() (uint32, error) {
	if l.hdr.freeTop == 0 && l.rcu != nil && l.rcu.dq != nil {
		l.rcu.dq.Reclaim(l.rcu.max)
	}
	if l.hdr.freeTop == 0 {
		return 0, fmt.Errorf("%w: all %d tbl8 groups used", ErrNoSpace, l.hdr.numberTbl8s)
	}
	l.hdr.freeTop--
	g := l.free[l.hdr.freeTop]
	l.state[g] = groupInUse
	return g, nil
}

// tbl8Release puts a group whose readers are gone back on the free stack.
func (l *LPM) tbl8Release(g uint32) {
	if l.state[g] == groupFree {
		panic(fmt.Sprintf("lpm: %q: tbl8 group %d freed twice", l.name, g))
	}
	l.state[g] = groupFree
	l.free[l.hdr.freeTop] = g
	l.hdr.freeTop++
}

// tbl8Free gives back a group that tbl24 no longer points to (tbl8_free):
// at once without RCU, after a grace period with it.
func (l *LPM) tbl8Free(g uint32) {
	l.state[g] = groupPending
	st := l.rcu
	switch {
	case st == nil:
		l.tbl8Release(g)
	case st.mode == RCUModeSync:
		st.v.Synchronize(rcu.ThreadIDInvalid)
		l.tbl8Release(g)
	default:
		if st.dq.Enqueue(g) != nil {
			// The queue is full (a DQSize below the group count): wait
			// instead of leaking the group.
			st.v.Synchronize(rcu.ThreadIDInvalid)
			l.tbl8Release(g)
		}
	}
}

// tbl8FreeAll gives back several unlinked groups with one grace period.
func (l *LPM) tbl8FreeAll(gs []uint32) {
	if len(gs) == 0 {
		return
	}
	if l.rcu != nil && l.rcu.mode == RCUModeSync {
		for _, g := range gs {
			l.state[g] = groupPending
		}
		l.rcu.v.Synchronize(rcu.ThreadIDInvalid)
		for _, g := range gs {
			l.tbl8Release(g)
		}
		return
	}
	for _, g := range gs {
		l.tbl8Free(g)
	}
}
