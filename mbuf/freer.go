package mbuf

import (
	"unsafe"

	"dpk/mempool"
)

// freerSlots is how many pools a Freer keeps a private cache for.
const freerSlots = 4

// Freer frees mbufs through private mempool caches, one per pool it has
// seen (up to four; others go straight to their pool). It suits a queue
// with one owner: a TX queue freeing what it sent, or an RX queue dropping,
// which needs no lcore id to find a cache. Its zero value is ready to use;
// it must not be copied after first use, and Flush must run before the
// objects it holds are counted (for example when the queue stops).
type Freer struct {
	ids    [freerSlots]uint16
	pools  [freerSlots]*mempool.Mempool
	caches [freerSlots]mempool.Cache
	n      int
	batch  [64]unsafe.Pointer
}

// freerCacheSize is the size of each private cache of a Freer.
const freerCacheSize = 256

func (f *Freer) slot(id uint16) int {
	for i := 0; i < f.n; i++ {
		if f.ids[i] == id {
			return i
		}
	}
	if f.n == freerSlots {
		return -1
	}
	mp := mempool.ByIndex(id)
	if mp == nil {
		return -1
	}
	i := f.n
	f.ids[i], f.pools[i] = id, mp
	f.caches[i].Init(freerCacheSize)
	f.n++
	return i
}

// FreeBulk frees every chain in ms (nil entries skipped), as FreeBulk does,
// but into the Freer's private caches.
func (f *Freer) FreeBulk(ms []*Mbuf) {
	n := 0
	cur := -1
	flush := func() {
		if n == 0 {
			return
		}
		c := &f.caches[cur]
		mp := f.pools[cur]
		if priv(mp).flags&PoolFlagZeroOnFree != 0 {
			for _, p := range f.batch[:n] {
				clear((*Mbuf)(p).Buf())
			}
		}
		mp.GenericPut(f.batch[:n], c)
		n = 0
	}
	for _, m := range ms {
		for m != nil {
			next := m.Next()
			if s := m.prefreeSeg(^uint32(0)); s != nil {
				i := f.slot(s.poolID)
				if i < 0 {
					s.putRaw(^uint32(0))
				} else {
					if n == len(f.batch) || (n > 0 && i != cur) {
						flush()
					}
					cur = i
					f.batch[n] = unsafe.Pointer(s)
					n++
				}
			}
			m = next
		}
	}
	flush()
}

// Flush returns every cached mbuf to its pool.
func (f *Freer) Flush() {
	for i := 0; i < f.n; i++ {
		f.pools[i].CacheFlush(&f.caches[i])
	}
}
