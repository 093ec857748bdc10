package main

import "math/bits"

// Latency histogram: log-linear buckets, as HdrHistogram does. Values below
// histSub are exact; above, every power of two is split into histSub equal
// buckets, so a bucket is at most 1/histSub (6.25%) of its value wide. The
// top bucket collects everything from 2^histMaxExp ns (18 minutes) up.
const (
	histSubBits = 4
	histSub     = 1 << histSubBits
	histMaxExp  = 40
	histBuckets = (histMaxExp-histSubBits+1)*histSub + histSub
)

// hist is a latency histogram in nanoseconds. It is a plain value with no
// pointers: Add never allocates, and copying it is a snapshot.
type hist struct {
	counts   [histBuckets]uint64
	n        uint64
	sum      uint64
	min, max uint64
}

// bucketOf returns the bucket index of v.
func bucketOf(v uint64) int {
	if v < histSub {
		return int(v)
	}
	e := bits.Len64(v) - 1 // v is in [2^e, 2^(e+1))
	if e > histMaxExp {
		return histBuckets - 1
	}
	return (e-histSubBits+1)*histSub + int(v>>(e-histSubBits)&(histSub-1))
}

// bucketHigh returns the largest value that falls in bucket i.
func bucketHigh(i int) uint64 {
	if i < histSub {
		return uint64(i)
	}
	e := i/histSub + histSubBits - 1
	m := uint64(i % histSub)
	w := uint64(1) << (e - histSubBits)
	return 1<<e + (m+1)*w - 1
}

// Add records one value.
func (h *hist) Add(v uint64) {
	h.counts[bucketOf(v)]++
	if h.n == 0 || v < h.min {
		h.min = v
	}
	if v > h.max {
		h.max = v
	}
	h.n++
	h.sum += v
}

// Merge adds every value recorded in o.
func (h *hist) Merge(o *hist) {
	if o.n == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if h.n == 0 || o.min < h.min {
		h.min = o.min
	}
	if o.max > h.max {
		h.max = o.max
	}
	h.n += o.n
	h.sum += o.sum
}

// Reset forgets every value.
func (h *hist) Reset() { *h = hist{} }

// Count returns how many values were recorded.
func (h *hist) Count() uint64 { return h.n }

// Min returns the smallest value (0 when empty).
func (h *hist) Min() uint64 { return h.min }

// Max returns the largest value (0 when empty).
func (h *hist) Max() uint64 { return h.max }

// Mean returns the average value (0 when empty).
func (h *hist) Mean() float64 {
	if h.n == 0 {
		return 0
	}
	return float64(h.sum) / float64(h.n)
}

// Quantile returns an upper bound of the q-quantile (0 < q <= 1): the top of
// the bucket holding it, never above Max. It returns 0 when empty.
func (h *hist) Quantile(q float64) uint64 {
	if h.n == 0 {
		return 0
	}
	rank := uint64(q*float64(h.n) + 0.9999999)
	if rank < 1 {
		rank = 1
	}
	if rank > h.n {
		rank = h.n
	}
	var cum uint64
	for i, c := range h.counts {
		cum += c
		if cum >= rank {
			v := bucketHigh(i)
			if i == histBuckets-1 || v > h.max {
				v = h.max
			}
			if v < h.min {
				v = h.min
			}
			return v
		}
	}
	return h.max
}
