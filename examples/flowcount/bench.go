package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"dpk/hash"
	"dpk/internal/sys"
)

const (
	// defaultL3 is the L3 size assumed when sysfs does not give one (as
	// in many virtual machines).
	defaultL3 = 32 << 20
	// benchBurst is the number of keys of one bulk lookup: a burst.
	benchBurst = defaultBurst
	// benchLargeMin is the least number of flows of the DRAM-resident
	// table.
	benchLargeMin = 4 << 20
)

var (
	// cacheRoot is where l3Size looks; tests point it elsewhere.
	cacheRoot = "/sys/devices/system/cpu/cpu0/cache"
	// benchMinOps is the least number of lookups timed per measure; tests
	// lower it.
	benchMinOps = 2 << 20
)

// l3Size returns the size in bytes of the L3 cache of CPU 0 as sysfs
// gives it, and false with defaultL3 when sysfs gives none.
func l3Size() (uint64, bool) {
	dirs, _ := filepath.Glob(filepath.Join(cacheRoot, "index*"))
	for _, d := range dirs {
		lv, err := os.ReadFile(filepath.Join(d, "level"))
		if err != nil || strings.TrimSpace(string(lv)) != "3" {
			continue
		}
		sz, err := os.ReadFile(filepath.Join(d, "size"))
		if err != nil {
			continue
		}
		if v, err := parseCacheSize(string(sz)); err == nil && v > 0 {
			return v, true
		}
	}
	return defaultL3, false
}

// parseCacheSize reads a sysfs cache size: a number with an optional K,
// M or G suffix ("32768K").
func parseCacheSize(s string) (uint64, error) {
	s = strings.TrimSpace(s)
	mult := uint64(1)
	if n := len(s); n > 0 {
		switch s[n-1] {
		case 'K', 'k':
			mult = 1 << 10
		case 'M', 'm':
			mult = 1 << 20
		case 'G', 'g':
			mult = 1 << 30
		}
		if mult != 1 {
			s = s[:n-1]
		}
	}
	v, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("cache size %q: %w", s, err)
	}
	return v * mult, nil
}

// benchEntries is the table size used for n flows: a load of 75% or less
// of the bucket entries.
func benchEntries(n uint32) uint32 { return n + n/3 }

// tableBytes estimates the memory a lookup may touch in a table of
// entries keys of keyLen bytes: the buckets (64 bytes per 8 entries, a
// power of two of them) and the key store (an 8-byte data word and the
// key, padded to 16 bytes, per entry).
func tableBytes(entries, keyLen uint32) uint64 {
	b := uint64(1)
	for b < uint64(entries) {
		b <<= 1
	}
	kv := (8 + uint64(keyLen) + 15) &^ 15
	return b/hash.BucketEntries*64 + uint64(entries+1)*kv
}

// benchSizes returns the default table sizes for an L3 of l3 bytes: the
// largest multiple of 1024 flows whose table fits in a quarter of it (the
// rest of the cache holds other data, and other cores share it), and a
// size whose table is at least four times the L3 (benchLargeMin flows at
// least).
func benchSizes(l3 uint64) []uint32 {
	fits := func(n uint32) bool { return tableBytes(benchEntries(n), keyLen4) <= l3/4 }
	small := uint32(1024)
	for lo, hi := uint32(1), uint32(1<<16); lo <= hi; {
		mid := (lo + hi) / 2
		if fits(mid * 1024) {
			small, lo = mid*1024, mid+1
		} else {
			hi = mid - 1
		}
	}
	large := uint32(benchLargeMin)
	for tableBytes(benchEntries(large), keyLen4) < 4*l3 && large < hash.EntriesMax/4 {
		large *= 2
	}
	return []uint32{small, large}
}

// benchResult is one table size's measures, in TSC cycles per operation.
type benchResult struct {
	flows, entries uint32
	bytes          uint64
	add, lookup    float64
	bulk           float64
}

// benchLookup runs the lookup benchmark for each size (default:
// benchSizes) and prints the results, DPDK's hash_perf_autotest style.
func benchLookup(w io.Writer, sizes []uint32) error {
	l3, known := l3Size()
	if len(sizes) == 0 {
		sizes = benchSizes(l3)
	}
	hz := sys.TimerHz()
	fmt.Fprintf(w, "flowcount lookup benchmark: IPv4 5-tuple keys (%d bytes), CRC32C, lock-free readers, extendable buckets\n", keyLen4)
	src := "from " + cacheRoot
	if !known {
		src = "assumed: " + cacheRoot + " gives none"
	}
	fmt.Fprintf(w, "TSC frequency: %d Hz; L3 cache: %d KiB (%s)\n", hz, l3>>10, src)
	fmt.Fprintf(w, "Each key is looked up in a random order and hits; bulk: LookupBulk of %d keys.\n", benchBurst)
	var res []benchResult
	for _, n := range sizes {
		fmt.Fprintf(w, "Filling a table with %d flows...\n", n)
		r, err := benchOne(n, rand.New(rand.NewPCG(uint64(n), 0x666c6f77)))
		if err != nil {
			return err
		}
		res = append(res, r)
	}
	where := func(r benchResult) string {
		if r.bytes <= l3 {
			return "L3"
		}
		return "DRAM"
	}
	for _, unit := range []struct {
		name  string
		scale float64
		prec  int
	}{{"CPU cycles", 1, 1}, {"ns", 1e9 / float64(hz), 2}} {
		fmt.Fprintf(w, "\nResults (in %s/operation)\n", unit.name)
		fmt.Fprintf(w, "-----------------------------------\n")
		fmt.Fprintf(w, "%-10s %-10s %-10s %-9s %-12s %-12s %s\n", "Flows", "Entries", "Table MiB", "Resident", "add", "lookup", "lookup_bulk")
		for _, r := range res {
			fmt.Fprintf(w, "%-10d %-10d %-10.1f %-9s %-12.*f %-12.*f %.*f\n", r.flows, r.entries,
				float64(r.bytes)/(1<<20), where(r), unit.prec, r.add*unit.scale, unit.prec, r.lookup*unit.scale, unit.prec, r.bulk*unit.scale)
		}
	}
	return nil
}

// benchOne fills a table with n random flows, timing the adds, and times
// single and bulk lookups of them all in a random order.
func benchOne(n uint32, rng *rand.Rand) (benchResult, error) {
	r := benchResult{flows: n, entries: benchEntries(n)}
	r.bytes = tableBytes(r.entries, keyLen4)
	t, err := createTable("bench", keyLen4, r.entries)
	if err != nil {
		return r, err
	}
	defer t.Free()
	const kl = keyLen4
	keys := make([]byte, int(n)*kl)
	for i := range keys {
		keys[i] = byte(rng.Uint32())
	}
	c0 := sys.Rdtsc()
	for i := 0; i < int(n); i++ {
		if _, err := t.Add(keys[i*kl : (i+1)*kl]); err != nil {
			return r, fmt.Errorf("add flow %d of %d: %w", i, n, err)
		}
	}
	r.add = float64(sys.Rdtsc()-c0) / float64(n)

	// The lookup sequence: every key once in a random order, stored in
	// that order so that reading the keys is sequential and only the table
	// is accessed at random.
	seq := make([]byte, len(keys))
	for i, j := range rng.Perm(int(n)) {
		copy(seq[i*kl:(i+1)*kl], keys[j*kl:(j+1)*kl])
	}
	keys = nil
	passes := max(1, (benchMinOps+int(n)-1)/int(n))
	ops := float64(passes) * float64(n)

	var miss int
	c0 = sys.Rdtsc()
	for range passes {
		for off := 0; off < len(seq); off += kl {
			if _, err := t.Lookup(seq[off : off+kl]); err != nil {
				miss++
			}
		}
	}
	r.lookup = float64(sys.Rdtsc()-c0) / ops

	var kb [benchBurst][]byte
	var pos [benchBurst]int32
	c0 = sys.Rdtsc()
	for range passes {
		for off := 0; off < len(seq); {
			m := min(benchBurst, (len(seq)-off)/kl)
			for i := range m {
				kb[i] = seq[off : off+kl]
				off += kl
			}
			t.LookupBulk(kb[:m], pos[:m])
			for _, p := range pos[:m] {
				if p < 0 {
					miss++
				}
			}
		}
	}
	r.bulk = float64(sys.Rdtsc()-c0) / ops
	if miss != 0 {
		return r, fmt.Errorf("%d lookups of %d flows missed", miss, n)
	}
	return r, nil
}
