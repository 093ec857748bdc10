package mempool

import (
	"unsafe"
)

// ptrs reinterprets a slice of object pointers as addresses. The pool
// copies addresses without write barriers: objects live outside the Go
// heap, so the garbage collector has nothing to learn from them.
func ptrs(objs []unsafe.Pointer) []uintptr {
	return unsafe.Slice((*uintptr)(unsafe.Pointer(unsafe.SliceData(objs))), len(objs))
}

// GetBulk takes len(objs) objects, all or none (rte_mempool_get_bulk),
// through the cache of lcore (eal.LcoreIDAny: no cache). It returns
// ErrNoObjects, and counts it, when the pool cannot serve them all.
func (mp *Mempool) GetBulk(objs []unsafe.Pointer, lcore uint32) error {
	return mp.GenericGet(objs, mp.DefaultCache(lcore))
}

// PutBulk returns objects to the pool (rte_mempool_put_bulk) through the
// cache of lcore (eal.LcoreIDAny: no cache).
func (mp *Mempool) PutBulk(objs []unsafe.Pointer, lcore uint32) {
	mp.GenericPut(objs, mp.DefaultCache(lcore))
}

// Get takes one object.
func (mp *Mempool) Get(lcore uint32) (unsafe.Pointer, error) {
	var o [1]unsafe.Pointer
	if err := mp.GenericGet(o[:], mp.DefaultCache(lcore)); err != nil {
		return nil, err
	}
	return o[0], nil
}

// Put returns one object.
func (mp *Mempool) Put(obj unsafe.Pointer, lcore uint32) {
	o := [1]unsafe.Pointer{obj}
	mp.GenericPut(o[:], mp.DefaultCache(lcore))
}

// GenericGet takes len(objs) objects through cache c (nil: straight from
// the central ring), all or none (rte_mempool_generic_get). The cache must
// belong to the calling goroutine.
func (mp *Mempool) GenericGet(objs []unsafe.Pointer, c *Cache) error {
	n := uint32(len(objs))
	if c == nil || n > c.len || n >= c.size || mp.debug {
		return mp.genericGetSlow(objs, c)
	}
	// Hand out the most recently cached objects (the warmest); a loop
	// beats a call to memmove for the few objects of a small bulk.
	l := c.len - n
	c.len = l
	src := c.objs[l:]
	if n > 8 {
		copy(ptrs(objs), src[:n])
		return nil
	}
	for i := range objs {
		*(*uintptr)(unsafe.Pointer(&objs[i])) = src[i]
	}
	return nil
}

func (mp *Mempool) genericGetSlow(objs []unsafe.Pointer, c *Cache) error {
	n := uint32(len(objs))
	if c == nil || n >= c.size {
		return mp.ringGetChecked(objs)
	}
	if c.len < n {
		// Refill: enough for this request plus a full cache behind it.
		// When the ring cannot give that much, take just what is missing,
		// so that objects resting in the cache are never stranded (DPDK
		// 22.11 fails the get in that case).
		req := n + c.size - c.len
		if !mp.ringDequeue(c.objs[c.len : c.len+req]) {
			req = n - c.len
			if !mp.ringDequeue(c.objs[c.len : c.len+req]) {
				mp.hdr.getFails.Add(1)
				return ErrNoObjects
			}
		}
		c.len += req
	}
	c.len -= n
	copy(ptrs(objs), c.objs[c.len:c.len+n])
	if mp.debug {
		mp.checkGet(objs)
	}
	return nil
}

func (mp *Mempool) ringGetChecked(objs []unsafe.Pointer) error {
	if err := mp.ringGet(ptrs(objs)); err != nil {
		return err
	}
	if mp.debug {
		mp.checkGet(objs)
	}
	return nil
}

// GenericPut returns objects through cache c (nil: straight to the central
// ring) (rte_mempool_generic_put). With FlagDebug, objects refused as double
// frees are dropped and the survivors are compacted at the front of objs.
func (mp *Mempool) GenericPut(objs []unsafe.Pointer, c *Cache) {
	n := uint32(len(objs))
	if c == nil || c.len+n > c.flushThresh || mp.slowPut {
		mp.genericPutSlow(objs, c)
		return
	}
	dst := c.objs[c.len:]
	c.len += n
	if n > 8 {
		copy(dst, ptrs(objs))
		return
	}
	for i, o := range objs {
		dst[i] = uintptr(o)
	}
}

func (mp *Mempool) genericPutSlow(objs []unsafe.Pointer, c *Cache) {
	if mp.slowPut {
		objs = mp.checkPut(objs)
	}
	n := uint32(len(objs))
	if c == nil || n > c.flushThresh {
		mp.ringPut(ptrs(objs))
		return
	}
	if c.len+n > c.flushThresh {
		mp.ringEnqueueCache(c.objs[:c.len])
		c.len = 0
	}
	copy(c.objs[c.len:], ptrs(objs))
	c.len += n
}

// CacheFlush returns every object of cache c to the central ring
// (rte_mempool_cache_flush).
func (mp *Mempool) CacheFlush(c *Cache) {
	if c == nil {
		return
	}
	mp.ringEnqueueCache(c.objs[:c.len])
	c.len = 0
}

// ringDequeue fills dst from the central ring, all or nothing, converting
// window offsets to addresses in place.
func (mp *Mempool) ringDequeue(dst []uintptr) bool {
	u := unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(dst))), len(dst))
	if got, _ := mp.r.DequeueBulkU64(u); int(got) != len(dst) {
		return false
	}
	for i := range u {
		u[i] += uint64(mp.base)
	}
	return true
}

// ringEnqueueCache moves cached addresses to the central ring, converting
// them to offsets in place (the cache is being emptied).
func (mp *Mempool) ringEnqueueCache(src []uintptr) {
	u := unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(src))), len(src))
	for i := range u {
		u[i] -= uint64(mp.base)
	}
	mp.r.EnqueueBulkU64(u) // the ring holds every object: it cannot be full
}

// ringGet serves a get from the central ring alone, all or nothing.
func (mp *Mempool) ringGet(dst []uintptr) error {
	var buf [128]uint64
	done := 0
	for done < len(dst) {
		k := min(len(dst)-done, len(buf))
		if got, _ := mp.r.DequeueBulkU64(buf[:k]); int(got) != k {
			if done > 0 {
				mp.ringPut(dst[:done])
			}
			mp.hdr.getFails.Add(1)
			return ErrNoObjects
		}
		for i := 0; i < k; i++ {
			dst[done+i] = uintptr(buf[i] + uint64(mp.base))
		}
		done += k
	}
	return nil
}

// ringPut returns addresses to the central ring.
func (mp *Mempool) ringPut(src []uintptr) {
	var buf [128]uint64
	for len(src) > 0 {
		k := min(len(src), len(buf))
		for i := 0; i < k; i++ {
			buf[i] = uint64(src[i] - mp.base)
		}
		mp.r.EnqueueBulkU64(buf[:k])
		src = src[k:]
	}
}

// checkGet marks objects in use (FlagDebug).
func (mp *Mempool) checkGet(objs []unsafe.Pointer) {
	for _, o := range objs {
		mp.objHdr(o).cookie = cookieInUse
	}
}

// checkPut refuses objects that are not the pool's or are free already
// (FlagDebug), clears objects (FlagZeroOnPut) and returns the objects to
// put, compacted in place.
func (mp *Mempool) checkPut(objs []unsafe.Pointer) []unsafe.Pointer {
	k := 0
	for _, o := range objs {
		if mp.debug {
			if !mp.Contains(o) {
				mp.hdr.doubleFree.Add(1)
				continue
			}
			oh := mp.objHdr(o)
			if oh.cookie != cookieInUse {
				mp.hdr.doubleFree.Add(1)
				continue
			}
			oh.cookie = cookieFree
		}
		if mp.zero {
			clear(unsafe.Slice((*byte)(o), mp.hdr.eltSize))
		}
		objs[k] = o
		k++
	}
	return objs[:k]
}

// Init prepares a cache embedded in another structure (a zero Cache has
// size 0 and caches nothing) for objects of any pool; size is clamped to
// 1..CacheMaxSize. It empties the cache without returning its objects.
func (c *Cache) Init(size uint32) {
	size = max(1, min(size, CacheMaxSize))
	c.size = size
	c.flushThresh = flushThresh(size)
	c.len = 0
}
