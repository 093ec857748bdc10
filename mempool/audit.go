package mempool

import (
	"fmt"
	"sync/atomic"
)

// AuditError describes what Audit found wrong.
type AuditError struct {
	Pool        string
	Duplicates  []uint32 // indices of objects free more than once
	Foreign     int      // entries that are not objects of the pool
	Free, InUse uint32
	DoubleFrees uint64 // refused at put time (FlagDebug)
}

func (e *AuditError) Error() string {
	return fmt.Sprintf("mempool %s: audit failed: %d objects free more than once %v, %d foreign entries, %d double frees refused (free %d, in use %d)",
		e.Pool, len(e.Duplicates), e.Duplicates, e.Foreign, e.DoubleFrees, e.Free, e.InUse)
}

// Audit checks the pool's consistency (rte_mempool_audit): every free
// object, in the central ring or in a cache, must be one of the pool's
// objects and must be free only once. It also reports double frees refused
// earlier under FlagDebug. Audit drains the central ring and puts the
// objects back, so no other lcore may use the pool while it runs.
func (mp *Mempool) Audit() error {
	seen := make([]uint8, mp.hdr.size)
	e := &AuditError{Pool: mp.name, DoubleFrees: mp.hdr.doubleFree.Load()}
	note := func(a uintptr) {
		i, ok := mp.objIndexAddr(a)
		if !ok {
			e.Foreign++
			return
		}
		if seen[i] == 1 {
			e.Duplicates = append(e.Duplicates, i)
		}
		seen[i]++
	}
	if mp.caches != nil {
		for c := range mp.caches {
			ca := &mp.caches[c]
			l := min(atomic.LoadUint32(&ca.len), uint32(len(ca.objs)))
			for _, a := range ca.objs[:l] {
				note(a)
			}
		}
	}
	n := mp.r.Count()
	buf := make([]uint64, n)
	got, _ := mp.r.DequeueBurstU64(buf)
	for _, off := range buf[:got] {
		note(uintptr(off) + mp.base)
	}
	mp.r.EnqueueBulkU64(buf[:got])
	free := uint32(0)
	for _, s := range seen {
		if s > 0 {
			free++
		}
	}
	e.Free, e.InUse = free, mp.hdr.size-free
	if len(e.Duplicates) > 0 || e.Foreign > 0 || e.DoubleFrees > 0 {
		return e
	}
	return nil
}
