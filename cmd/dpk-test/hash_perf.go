package main

// hash_perf_autotest is DPDK 22.11's app/test/test_hash_perf.c in Go: the
// same tables, keys, operations and output lines, so that one parser reads
// both.
//
// For each key length (4, 8, 16, 32, 48, 64, 9, 13, 37, 40 bytes) and
// without then with 8-byte data, it makes a table of MAX_ENTRIES (1<<19)
// entries with jhash, finds KEYS_TO_ADD*75% keys (all of them with
// extendable buckets) that fit, then times, in TSC cycles per operation:
// adding them all, looking each up five times in shuffled order, looking
// them up in bursts of 16 with the bulk lookup, and deleting them all;
// each without and with the hashes precomputed. The sections:
//
//	Without locks in the code / ALL ELEMENTS IN PRIMARY LOCATION
//	                                     keys whose primary bucket is full are skipped
//	Without locks in the code / ELEMENTS IN PRIMARY OR SECONDARY LOCATION
//	With locks in the code / ...         the same two with FlagRWConcurrency
//	                                     (and FlagTransMemSupport, which changes nothing)
//	EXTENDABLE BUCKETS PERFORMANCE       every key, FlagExtTable
//	*** FBK Hash function performance test results ***
//	                                     lookups in a four-byte-key table
//
// The full run takes a few minutes (DPDK's too), so environment variables,
// dpk's own (DPDK has no such knobs), shorten it:
//
//	DPK_HASH_PERF_ENTRIES=65536       MAX_ENTRIES (and KEYS_TO_ADD), a power of two from 1024,
//	                                  instead of 524288
//	DPK_HASH_PERF_KEYLENS=16,64       only these key lengths (in DPDK's order), rows of the
//	                                  others are not printed
//	DPK_HASH_PERF_SECTIONS=nolock-primary,ext
//	                                  only these sections: nolock-primary, nolock-secondary,
//	                                  lock-primary, lock-secondary, ext, fbk
//
// A section that does not run prints nothing, its headers included.

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"

	"dpk/hash"
	"dpk/internal/sys"
)

func init() {
	register("hash_perf_autotest", testHashPerf)
}

const (
	hpMaxEntriesDefault = 1 << 19
	hpAddPercent        = 0.75
	hpBucketSize        = 8
	hpMaxKeySize        = 64
	hpNumShuffles       = 10
	hpBurstSize         = 16
)

// Operations, in the columns' order.
const (
	hpOpAdd = iota
	hpOpLookup
	hpOpLookupMulti
	hpOpDelete
	hpNumOps
)

// hpKeyLens are hashtest_key_lens.
var hpKeyLens = []uint32{
	4, 8, 16, 32, 48, 64, // standard key sizes
	9,  // IPv4 SRC + DST + protocol, unpadded
	13, // IPv4 5-tuple, unpadded
	37, // IPv6 5-tuple, unpadded
	40, // IPv6 5-tuple, padded to 8-byte boundary
}

// hashPerf is the test's global state (the static arrays of
// test_hash_perf.c).
type hashPerf struct {
	maxEntries uint32
	keysToAdd  uint32
	numLookups uint32
	lens       []int // indices into hpKeyLens that run

	h          []*hash.Hash
	params     hash.Params
	slotTaken  []bool
	cycles     [][hpNumOps][2][2]uint64
	keys       []byte // keysToAdd keys of hpMaxKeySize bytes
	signatures []uint32
	buckets    []uint8
	positions  []int32
	rnd        *rand.Rand
}

func (t *hashPerf) key(i uint32, n uint32) []byte {
	o := i * hpMaxKeySize
	return t.keys[o : o+n : o+n]
}

func (t *hashPerf) createTable(withData bool, ti int, withLocks, ext bool) error {
	n := hpKeyLens[ti]
	name := fmt.Sprintf("test_hash%d", n)
	if withData {
		name += "_data"
	}
	var flags hash.Flags
	if withLocks {
		flags = hash.FlagTransMemSupport | hash.FlagRWConcurrency
	}
	if ext {
		flags |= hash.FlagExtTable
	}
	t.params = hash.Params{
		Name:       name,
		Entries:    t.maxEntries,
		KeyLen:     n,
		HashFunc:   hash.JHash,
		Socket:     0,
		ExtraFlags: flags,
	}
	if old, err := hash.FindExisting(name); err == nil {
		old.Free()
	}
	h, err := hash.Create(t.params)
	if err != nil {
		fmt.Printf("Error creating table\n")
		return err
	}
	t.h[ti] = h
	return nil
}

func (t *hashPerf) keysFor(ext bool) uint32 {
	if ext {
		return t.keysToAdd
	}
	return uint32(float64(t.keysToAdd) * hpAddPercent)
}

// shuffleInputKeys shuffles the keys added with their signatures and
// positions, so that lookups are random.
func (t *hashPerf) shuffleInputKeys(ti int, ext bool) {
	n := hpKeyLens[ti]
	var tmp [hpMaxKeySize]byte
	for i := t.keysFor(ext) - 1; i > 0; i-- {
		s := uint32(t.rnd.Uint64() % uint64(i))
		copy(tmp[:n], t.key(i, n))
		copy(t.key(i, n), t.key(s, n))
		copy(t.key(s, n), tmp[:n])
		t.signatures[i], t.signatures[s] = t.signatures[s], t.signatures[i]
		t.positions[i], t.positions[s] = t.positions[s], t.positions[i]
	}
}

// getInputKeys looks for keys that all fit in the table: keys made by
// counting up from zero, skipping the ones whose primary bucket is full
// when withPushes is false, and the ones that fail. Then it makes the
// table anew, empty, to time the adds.
func (t *hashPerf) getInputKeys(withPushes bool, ti int, ext bool) error {
	n := hpKeyLens[ti]
	keysToAdd := t.keysFor(ext)
	bucketMask := t.maxEntries/hpBucketSize - 1
	clear(t.slotTaken)
	clear(t.buckets)
	clear(t.key(0, n))
	h := t.h[ti]
	var k uint8
	success := true
	for i := uint32(0); i < keysToAdd; {
		if i != 0 {
			cur, prev := t.key(i, n), t.key(i-1, n)
			k++
			cur[0] = k
			incr := cur[0] == 0 // overflow: increment the next byte
			for j := uint32(1); j < n; j++ {
				if !incr {
					if success {
						cur[j] = prev[j]
					}
					continue
				}
				if success {
					cur[j] = prev[j] + 1
				} else {
					cur[j]++
				}
				incr = cur[j] == 0
			}
		}
		success = false
		key := t.key(i, n)
		t.signatures[i] = h.Hash(key)
		b := t.signatures[i] & bucketMask
		// Without pushes, do not try a key whose primary bucket is full.
		if !withPushes && t.buckets[b] == hpBucketSize {
			continue
		}
		pos, err := h.AddWithHash(key, t.signatures[i])
		if err != nil || t.slotTaken[pos] {
			continue // no room, or a duplicate
		}
		t.slotTaken[pos] = true
		t.positions[i] = pos
		t.buckets[b]++
		success = true
		i++
	}
	h.Free()
	var err error
	if t.h[ti], err = hash.Create(t.params); err != nil {
		return err
	}
	return nil
}

func (t *hashPerf) timedAdds(withHash, withData bool, ti int, ext bool) error {
	n := hpKeyLens[ti]
	h := t.h[ti]
	keysToAdd := t.keysFor(ext)
	start := sys.Rdtsc()
	for i := uint32(0); i < keysToAdd; i++ {
		key := t.key(i, n)
		data := uint64(t.signatures[i])
		switch {
		case withHash && withData:
			if err := h.AddKeyWithHashData(key, t.signatures[i], data); err != nil {
				fmt.Printf("H+D: Failed to add key number %d\n", i)
				return err
			}
		case withHash:
			pos, err := h.AddWithHash(key, t.signatures[i])
			if err != nil {
				fmt.Printf("H: Failed to add key number %d\n", i)
				return err
			}
			t.positions[i] = pos
		case withData:
			if err := h.AddKeyData(key, data); err != nil {
				fmt.Printf("D: Failed to add key number %d\n", i)
				return err
			}
		default:
			pos, err := h.Add(key)
			if err != nil {
				fmt.Printf("Failed to add key number %d\n", i)
				return err
			}
			t.positions[i] = pos
		}
	}
	t.cycles[ti][hpOpAdd][b2i(withHash)][b2i(withData)] = (sys.Rdtsc() - start) / uint64(keysToAdd)
	return nil
}

var errHashPerf = errors.New("hash_perf_autotest failed")

func (t *hashPerf) timedLookups(withHash, withData bool, ti int, ext bool) error {
	n := hpKeyLens[ti]
	h := t.h[ti]
	keysToAdd := t.keysFor(ext)
	numLookups := t.numLookups
	if !ext {
		numLookups = uint32(float64(t.numLookups) * hpAddPercent)
	}
	start := sys.Rdtsc()
	for i := uint32(0); i < numLookups/keysToAdd; i++ {
		for j := uint32(0); j < keysToAdd; j++ {
			key := t.key(j, n)
			switch {
			case withData:
				var d uint64
				var ok bool
				if withHash {
					d, ok = h.LookupWithHashData(key, t.signatures[j])
				} else {
					d, ok = h.LookupData(key)
				}
				if !ok {
					fmt.Printf("Key number %d was not found\n", j)
					return errHashPerf
				}
				if want := uint64(t.signatures[j]); d != want {
					fmt.Printf("Data returned for key number %d is %#x, but should be %#x\n", j, d, want)
					return errHashPerf
				}
			default:
				var pos int32
				if withHash {
					pos, _ = h.LookupWithHash(key, t.signatures[j])
				} else {
					pos, _ = h.Lookup(key)
				}
				if pos < 0 || pos != t.positions[j] {
					fmt.Printf("Key looked up in %d, should be in %d\n", pos, t.positions[j])
					return errHashPerf
				}
			}
		}
	}
	t.cycles[ti][hpOpLookup][b2i(withHash)][b2i(withData)] = (sys.Rdtsc() - start) / uint64(numLookups)
	return nil
}

func (t *hashPerf) timedLookupsMulti(withHash, withData bool, ti int, ext bool) error {
	n := hpKeyLens[ti]
	h := t.h[ti]
	keysToAdd := t.keysFor(ext)
	numLookups := t.numLookups
	if !ext {
		numLookups = uint32(float64(t.numLookups) * hpAddPercent)
	}
	var burst [hpBurstSize][]byte
	var positions [hpBurstSize]int32
	var data [hpBurstSize]uint64
	var hitMask uint64
	start := sys.Rdtsc()
	for i := uint32(0); i < numLookups/keysToAdd; i++ {
		for j := uint32(0); j < keysToAdd/hpBurstSize; j++ {
			for k := uint32(0); k < hpBurstSize; k++ {
				burst[k] = t.key(j*hpBurstSize+k, n)
			}
			sigs := t.signatures[j*hpBurstSize : (j+1)*hpBurstSize]
			if withData {
				var hits int
				var err error
				if withHash {
					hits, err = h.LookupBulkWithHashData(burst[:], sigs, &hitMask, data[:])
				} else {
					hits, err = h.LookupBulkData(burst[:], &hitMask, data[:])
				}
				if err != nil || hits != hpBurstSize {
					fmt.Printf("Expect to find %d keys, but found %d\n", hpBurstSize, hits)
					return errHashPerf
				}
				for k := uint32(0); k < hpBurstSize; k++ {
					if hitMask&(1<<k) == 0 {
						fmt.Printf("Key number %d not found\n", j*hpBurstSize+k)
						return errHashPerf
					}
					if want := uint64(sigs[k]); data[k] != want {
						fmt.Printf("Data returned for key number %d is %#x, but should be %#x\n",
							j*hpBurstSize+k, data[k], want)
						return errHashPerf
					}
				}
				continue
			}
			var err error
			if withHash {
				err = h.LookupBulkWithHash(burst[:], sigs, positions[:])
			} else {
				err = h.LookupBulk(burst[:], positions[:])
			}
			if err != nil {
				fmt.Printf("rte_hash_lookup_bulk failed with %v\n", err)
				return err
			}
			for k := uint32(0); k < hpBurstSize; k++ {
				if want := t.positions[j*hpBurstSize+k]; positions[k] != want {
					fmt.Printf("Key looked up in %d, should be in %d\n", positions[k], want)
					return errHashPerf
				}
			}
		}
	}
	t.cycles[ti][hpOpLookupMulti][b2i(withHash)][b2i(withData)] = (sys.Rdtsc() - start) / uint64(numLookups)
	return nil
}

func (t *hashPerf) timedDeletes(withHash, withData bool, ti int, ext bool) error {
	n := hpKeyLens[ti]
	h := t.h[ti]
	keysToAdd := t.keysFor(ext)
	start := sys.Rdtsc()
	for i := uint32(0); i < keysToAdd; i++ {
		var pos int32
		var err error
		if withHash {
			pos, err = h.DeleteWithHash(t.key(i, n), t.signatures[i])
		} else {
			pos, err = h.Delete(t.key(i, n))
		}
		if err != nil {
			fmt.Printf("Failed to delete key number %d\n", i)
			return err
		}
		t.positions[i] = pos
	}
	t.cycles[ti][hpOpDelete][b2i(withHash)][b2i(withData)] = (sys.Rdtsc() - start) / uint64(keysToAdd)
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (t *hashPerf) runAllTblPerfTests(withPushes, withLocks, ext bool) error {
	fmt.Printf("Measuring performance, please wait")
	for wd := 0; wd <= 1; wd++ {
		withData := wd == 1
		for _, ti := range t.lens {
			if err := t.createTable(withData, ti, withLocks, ext); err != nil {
				return err
			}
			if err := t.getInputKeys(withPushes, ti, ext); err != nil {
				return err
			}
			for wh := 0; wh <= 1; wh++ {
				withHash := wh == 1
				if err := t.timedAdds(withHash, withData, ti, ext); err != nil {
					return err
				}
				for j := 0; j < hpNumShuffles; j++ {
					t.shuffleInputKeys(ti, ext)
				}
				if err := t.timedLookups(withHash, withData, ti, ext); err != nil {
					return err
				}
				if err := t.timedLookupsMulti(withHash, withData, ti, ext); err != nil {
					return err
				}
				if err := t.timedDeletes(withHash, withData, ti, ext); err != nil {
					return err
				}
				fmt.Printf(".")
				t.h[ti].Reset()
			}
			t.h[ti].Free()
			t.h[ti] = nil
		}
	}
	fmt.Printf("\nResults (in CPU cycles/operation)\n")
	fmt.Printf("-----------------------------------\n")
	for wd := 0; wd <= 1; wd++ {
		if wd == 1 {
			fmt.Printf("\n Operations with 8-byte data\n")
		} else {
			fmt.Printf("\n Operations without data\n")
		}
		for wh := 0; wh <= 1; wh++ {
			if wh == 1 {
				fmt.Printf("\nWith pre-computed hash values\n")
			} else {
				fmt.Printf("\nWithout pre-computed hash values\n")
			}
			fmt.Printf("\n%-18s%-18s%-18s%-18s%-18s\n", "Keysize", "Add", "Lookup", "Lookup_bulk", "Delete")
			for _, ti := range t.lens {
				var b strings.Builder
				fmt.Fprintf(&b, "%-18d", hpKeyLens[ti])
				for op := 0; op < hpNumOps; op++ {
					fmt.Fprintf(&b, "%-18d", t.cycles[ti][op][wh][wd])
				}
				fmt.Println(b.String())
			}
		}
	}
	return nil
}

// Parameters of the four-byte-key hash test.
const (
	fbkLoadFactor     = 0.667   // how full to make the table
	fbkTestSize       = 1000000 // operations to time
	fbkTestIterations = 30      // measurements to take
	fbkEntries        = 1 << 15
)

func (t *hashPerf) fbkHashPerfTest() error {
	f, err := hash.CreateFBK(hash.FBKParams{
		Name:             "fbk_hash_test",
		Entries:          fbkEntries,
		EntriesPerBucket: 4,
		Socket:           0,
	})
	if err != nil {
		fmt.Printf("Error creating table\n")
		return err
	}
	defer f.Free()
	keys := make([]uint32, fbkEntries)
	added := 0
	for i := 0; i < fbkEntries; i++ {
		// DPDK shifts a uint32 key by 32 into a uint64 and truncates it
		// back: the key is the second random number's low 32 bits.
		_ = t.rnd.Uint64()
		key := uint32(t.rnd.Uint64())
		val := uint16(t.rnd.Uint64())
		if f.Add(key, val) == nil {
			keys[added] = key
			added++
		}
		if float64(added) > fbkLoadFactor*fbkEntries {
			break
		}
	}
	indexes := make([]uint32, fbkTestSize)
	var lookupTime float64
	var value uint32
	for i := 0; i < fbkTestIterations; i++ {
		for j := range indexes {
			indexes[j] = uint32(t.rnd.Uint64() % uint64(added))
		}
		begin := sys.Rdtsc()
		for _, ix := range indexes {
			// rte_fbk_hash_lookup returns the value or -ENOENT, summed.
			if v, ok := f.Lookup(keys[ix]); ok {
				value += uint32(v)
			} else {
				value -= 2
			}
		}
		lookupTime += float64(sys.Rdtsc() - begin)
	}
	fmt.Printf("\n\n *** FBK Hash function performance test results ***\n")
	if value != 0 {
		fmt.Printf("Number of ticks per lookup = %s\n",
			strconv.FormatFloat(lookupTime/(fbkTestIterations*fbkTestSize), 'g', 6, 64))
	}
	return nil
}

// hpEnv reads the DPK_HASH_PERF_* variables.
func hpEnv() (entries uint32, lens []int, sections map[string]bool, err error) {
	entries = hpMaxEntriesDefault
	if s := os.Getenv("DPK_HASH_PERF_ENTRIES"); s != "" {
		v, perr := strconv.ParseUint(s, 0, 32)
		if perr != nil || v < 1024 || v&(v-1) != 0 || v > hash.EntriesMax {
			return 0, nil, nil, fmt.Errorf("DPK_HASH_PERF_ENTRIES=%q: want a power of two from 1024", s)
		}
		entries = uint32(v)
	}
	want := map[uint32]bool{}
	if s := os.Getenv("DPK_HASH_PERF_KEYLENS"); s != "" {
		for _, f := range strings.Split(s, ",") {
			v, perr := strconv.ParseUint(strings.TrimSpace(f), 10, 32)
			if perr != nil {
				return 0, nil, nil, fmt.Errorf("DPK_HASH_PERF_KEYLENS=%q: %v", s, perr)
			}
			want[uint32(v)] = true
		}
	}
	all := len(want) == 0
	for i, n := range hpKeyLens {
		if all || want[n] {
			lens = append(lens, i)
			delete(want, n)
		}
	}
	if len(want) != 0 {
		return 0, nil, nil, fmt.Errorf("DPK_HASH_PERF_KEYLENS: lengths not in the test: %v (have %v)", want, hpKeyLens)
	}
	names := []string{"nolock-primary", "nolock-secondary", "lock-primary", "lock-secondary", "ext", "fbk"}
	sections = map[string]bool{}
	if s := os.Getenv("DPK_HASH_PERF_SECTIONS"); s != "" {
		for _, f := range strings.Split(s, ",") {
			f = strings.TrimSpace(f)
			ok := false
			for _, a := range names {
				ok = ok || a == f
			}
			if !ok {
				return 0, nil, nil, fmt.Errorf("DPK_HASH_PERF_SECTIONS: unknown section %q (have %s)", f, strings.Join(names, ","))
			}
			sections[f] = true
		}
	} else {
		for _, a := range names {
			sections[a] = true
		}
	}
	return entries, lens, sections, nil
}

func testHashPerf() error {
	entries, lens, sections, err := hpEnv()
	if err != nil {
		return err
	}
	t := &hashPerf{
		maxEntries: entries,
		keysToAdd:  entries,
		numLookups: entries * 5,
		lens:       lens,
		h:          make([]*hash.Hash, len(hpKeyLens)),
		slotTaken:  make([]bool, entries),
		cycles:     make([][hpNumOps][2][2]uint64, len(hpKeyLens)),
		keys:       make([]byte, entries*hpMaxKeySize),
		signatures: make([]uint32, entries),
		buckets:    make([]uint8, entries/hpBucketSize),
		positions:  make([]int32, entries),
		rnd:        rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())),
	}
	for _, withLocks := range []bool{false, true} {
		lockName := "nolock"
		if withLocks {
			lockName = "lock"
		}
		if !sections[lockName+"-primary"] && !sections[lockName+"-secondary"] {
			continue
		}
		if withLocks {
			fmt.Printf("\nWith locks in the code\n")
		} else {
			fmt.Printf("\nWithout locks in the code\n")
		}
		for _, withPushes := range []bool{false, true} {
			if withPushes {
				if !sections[lockName+"-secondary"] {
					continue
				}
				fmt.Printf("\nELEMENTS IN PRIMARY OR SECONDARY LOCATION\n")
			} else {
				if !sections[lockName+"-primary"] {
					continue
				}
				fmt.Printf("\nALL ELEMENTS IN PRIMARY LOCATION\n")
			}
			if err := t.runAllTblPerfTests(withPushes, withLocks, false); err != nil {
				return err
			}
		}
	}
	if sections["ext"] {
		fmt.Printf("\n EXTENDABLE BUCKETS PERFORMANCE\n")
		if err := t.runAllTblPerfTests(true, false, true); err != nil {
			return err
		}
	}
	if sections["fbk"] {
		if err := t.fbkHashPerfTest(); err != nil {
			return err
		}
	}
	return nil
}
