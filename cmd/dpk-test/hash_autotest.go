package main

// hash_autotest and hash_functions_autotest: ports of DPDK 22.11's
// app/test/test_hash.c and test_hash_functions.c for the hash package,
// with the same output lines.
//
// hash_autotest runs test_hash.c's functional cases on the cuckoo table
// (add, lookup, update, delete, free with position, five keys, a full
// bucket, extendable buckets, creation parameters, table utilisation,
// iteration, the jhash word variants as hash functions) and on the
// four-byte-key table, and the CRC32 equivalence test (CRC32C with the CPU
// instruction against the table code). It leaves out the RCU QSBR cases:
// dpk has no rte_hash_rcu_qsbr_add (see the hash package documentation).
//
// hash_functions_autotest checks jhash and the CRC against the values
// DPDK stores, the word variants of jhash against jhash, then prints the
// cost of each function in TSC cycles for each key length and initial
// value, 1,000,000 calls each.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"

	"dpk/hash"
	"dpk/internal/sys"
)

func init() {
	register("hash_autotest", testHashAutotest)
	register("hash_functions_autotest", testHashFunctions)
}

// htFlowKey is test_hash.c's packed struct flow_key (16 bytes, host order).
func htFlowKey(ipSrc, ipDst uint32, portSrc, portDst uint16, proto uint32) []byte {
	k := make([]byte, 16)
	binary.LittleEndian.PutUint32(k[0:], ipSrc)
	binary.LittleEndian.PutUint32(k[4:], ipDst)
	binary.LittleEndian.PutUint16(k[8:], portSrc)
	binary.LittleEndian.PutUint16(k[10:], portDst)
	binary.LittleEndian.PutUint32(k[12:], proto)
	return k
}

// htKeys are test_hash.c's keys[5].
func htKeys() [][]byte {
	ks := make([][]byte, 5)
	for i := range ks {
		b := uint32(i) * 0x10
		ks[i] = htFlowKey((b+3)<<24|(b+2)<<16|(b+1)<<8|b, (b+7)<<24|(b+6)<<16|(b+5)<<8|(b+4),
			uint16((b+9)<<8|(b+8)), uint16((b+0xb)<<8|(b+0xa)), b+0xc)
	}
	return ks
}

// htParams is ut_params.
func htParams(name string) hash.Params {
	return hash.Params{Name: name, Entries: 64, KeyLen: 16, HashFunc: hash.JHash, Socket: 0}
}

// htCheck fails the test with DPDK's "ERROR" line format when bad.
type htCheck struct{ h *hash.Hash }

func (c *htCheck) fail(bad bool, format string, args ...any) error {
	if !bad {
		return nil
	}
	if c.h != nil {
		c.h.Free()
		c.h = nil
	}
	return fmt.Errorf("ERROR: "+format, args...)
}

func htCreate(p hash.Params) (*hash.Hash, error) {
	h, err := hash.Create(p)
	if err != nil {
		return nil, fmt.Errorf("ERROR: hash creation failed: %v", err)
	}
	return h, nil
}

// htAddDelete is test_add_delete: add, lookup, delete, lookup, then the same
// with precomputed hashes and FlagNoFreeOnDel.
func htAddDelete() error {
	keys := htKeys()
	h, err := htCreate(htParams("test1"))
	if err != nil {
		return err
	}
	c := &htCheck{h}
	pos0, err := h.Add(keys[0])
	if e := c.fail(err != nil, "failed to add key (pos0=%d)", pos0); e != nil {
		return e
	}
	want := pos0
	pos0, err = h.Lookup(keys[0])
	if e := c.fail(err != nil || pos0 != want, "failed to find key (pos0=%d)", pos0); e != nil {
		return e
	}
	pos0, err = h.Delete(keys[0])
	if e := c.fail(err != nil || pos0 != want, "failed to delete key (pos0=%d)", pos0); e != nil {
		return e
	}
	pos0, err = h.Lookup(keys[0])
	if e := c.fail(!errors.Is(err, hash.ErrNotFound), "fail: found key after deleting! (pos0=%d)", pos0); e != nil {
		return e
	}
	h.Free()

	p := htParams("test1")
	p.ExtraFlags = hash.FlagNoFreeOnDel
	if h, err = htCreate(p); err != nil {
		return err
	}
	c.h = h
	sig := h.Hash(keys[0])
	pos1, err := h.AddWithHash(keys[0], sig)
	if e := c.fail(err != nil, "failed to add key (pos1=%d)", pos1); e != nil {
		return e
	}
	want = pos1
	pos1, err = h.LookupWithHash(keys[0], sig)
	if e := c.fail(err != nil || pos1 != want, "failed to find key (pos1=%d)", pos1); e != nil {
		return e
	}
	pos1, err = h.DeleteWithHash(keys[0], sig)
	if e := c.fail(err != nil || pos1 != want, "failed to delete key (pos1=%d)", pos1); e != nil {
		return e
	}
	pos1, err = h.LookupWithHash(keys[0], sig)
	if e := c.fail(!errors.Is(err, hash.ErrNotFound), "fail: found key after deleting! (pos1=%d)", pos1); e != nil {
		return e
	}
	err = h.FreeKeyWithPosition(want)
	if e := c.fail(err != nil, "failed to free key (pos1=%d)", want); e != nil {
		return e
	}
	h.Free()
	return nil
}

// htAddUpdateDelete is test_add_update_delete and, with free, test_add_update_delete_free.
func htAddUpdateDelete(noFree bool) error {
	keys := htKeys()
	p := htParams("test2")
	if noFree {
		p.ExtraFlags = hash.FlagNoFreeOnDel
	}
	h, err := htCreate(p)
	if err != nil {
		return err
	}
	c := &htCheck{h}
	pos0, err := h.Delete(keys[0])
	if e := c.fail(!errors.Is(err, hash.ErrNotFound), "fail: found non-existent key (pos0=%d)", pos0); e != nil {
		return e
	}
	pos0, err = h.Add(keys[0])
	if e := c.fail(err != nil, "failed to add key (pos0=%d)", pos0); e != nil {
		return e
	}
	want := pos0
	steps := []struct {
		op   func([]byte) (int32, error)
		want int32
		msg  string
	}{
		{h.Lookup, want, "failed to find key (pos0=%d)"},
		{h.Add, want, "failed to re-add key (pos0=%d)"},
		{h.Lookup, want, "failed to find key (pos0=%d)"},
		{h.Delete, want, "failed to delete key (pos0=%d)"},
		{h.Delete, -1, "fail: deleted already deleted key (pos0=%d)"},
		{h.Lookup, -1, "fail: found key after deleting! (pos0=%d)"},
	}
	for _, s := range steps {
		pos0, err = s.op(keys[0])
		bad := err != nil || pos0 != s.want
		if s.want < 0 {
			bad = !errors.Is(err, hash.ErrNotFound)
		}
		if e := c.fail(bad, s.msg, pos0); e != nil {
			return e
		}
	}
	if noFree {
		err = h.FreeKeyWithPosition(want)
		if e := c.fail(err != nil, "failed to free key (pos1=%d)", want); e != nil {
			return e
		}
		pos0, err = h.Lookup(keys[0])
		if e := c.fail(!errors.Is(err, hash.ErrNotFound), "fail: found key after deleting! (pos0=%d)", pos0); e != nil {
			return e
		}
	}
	h.Free()
	return nil
}

// htAddDeleteFreeLF is test_add_delete_free_lf: more add/delete/free rounds
// than the table has slots, lock-free, then with multi-writer too.
func htAddDeleteFreeLF() error {
	keys := htKeys()
	for _, flags := range []hash.Flags{hash.FlagRWConcurrencyLF, hash.FlagRWConcurrencyLF | hash.FlagMultiWriterAdd} {
		p := htParams("test2")
		p.ExtraFlags = flags
		h, err := htCreate(p)
		if err != nil {
			return err
		}
		c := &htCheck{h}
		k := append([]byte(nil), keys[0]...)
		for i := uint32(0); i < 4*p.Entries+1; i++ {
			binary.LittleEndian.PutUint32(k, binary.LittleEndian.Uint32(keys[0])+i+1)
			sig := h.Hash(k)
			pos, err := h.AddWithHash(k, sig)
			if e := c.fail(err != nil, "failed to add key (pos=%d)", pos); e != nil {
				return e
			}
			want := pos
			pos, err = h.DeleteWithHash(k, sig)
			if e := c.fail(err != nil || pos != want, "failed to delete key (pos=%d)", pos); e != nil {
				return e
			}
			err = h.FreeKeyWithPosition(pos)
			if e := c.fail(err != nil, "failed to free key (pos=%d)", pos); e != nil {
				return e
			}
		}
		h.Free()
	}
	return nil
}

// htGetKeyWithPosition is test_hash_get_key_with_position.
func htGetKeyWithPosition() error {
	keys := htKeys()
	for _, noFree := range []bool{false, true} {
		p := htParams("hash_get_key_w_pos")
		if noFree {
			p.ExtraFlags = hash.FlagNoFreeOnDel
		}
		h, err := htCreate(p)
		if err != nil {
			return err
		}
		c := &htCheck{h}
		pos, err := h.Add(keys[0])
		if e := c.fail(err != nil, "failed to add key (pos0=%d)", pos); e != nil {
			return e
		}
		want := pos
		k, err := h.GetKeyWithPosition(pos)
		if e := c.fail(err != nil || string(k) != string(keys[0]), "error retrieving a key"); e != nil {
			return e
		}
		pos, err = h.Delete(keys[0])
		if e := c.fail(err != nil || pos != want, "failed to delete key (pos0=%d)", pos); e != nil {
			return e
		}
		_, err = h.GetKeyWithPosition(pos)
		if e := c.fail(!errors.Is(err, hash.ErrNotFound), "non valid key retrieved"); e != nil {
			return e
		}
		if noFree {
			err = h.FreeKeyWithPosition(pos)
			if e := c.fail(err != nil, "failed to free key (pos1=%d)", pos); e != nil {
				return e
			}
			_, err = h.GetKeyWithPosition(pos)
			if e := c.fail(!errors.Is(err, hash.ErrNotFound), "non valid key retrieved"); e != nil {
				return e
			}
		}
		h.Free()
	}
	return nil
}

// htFindExisting is test_hash_find_existing.
func htFindExisting() error {
	h, err := htCreate(htParams("hash_find_existing"))
	if err != nil {
		return err
	}
	c := &htCheck{h}
	r, err := hash.FindExisting("hash_find_existing")
	if e := c.fail(err != nil || r != h, "could not find existing hash table"); e != nil {
		return e
	}
	_, err = hash.FindExisting("hash_find_non_existing")
	if e := c.fail(err == nil, "found table that shouldn't exist"); e != nil {
		return e
	}
	h.Free()
	return nil
}

// htFiveKeys is test_five_keys.
func htFiveKeys() error {
	keys := htKeys()
	h, err := htCreate(htParams("test3"))
	if err != nil {
		return err
	}
	c := &htCheck{h}
	want := make([]int32, 5)
	for i, k := range keys {
		p, err := h.Add(k)
		if e := c.fail(err != nil, "failed to add key (pos[%d]=%d)", i, p); e != nil {
			return e
		}
		want[i] = p
	}
	pos := make([]int32, 5)
	if err := h.LookupBulk(keys, pos); err == nil {
		for i := range keys {
			if e := c.fail(pos[i] != want[i], "failed to find key (pos[%d]=%d)", i, pos[i]); e != nil {
				return e
			}
		}
	}
	for i, k := range keys {
		p, err := h.Add(k)
		if e := c.fail(err != nil || p != want[i], "failed to add key (pos[%d]=%d)", i, p); e != nil {
			return e
		}
	}
	for i, k := range keys {
		p, err := h.Lookup(k)
		if e := c.fail(err != nil || p != want[i], "failed to find key (pos[%d]=%d)", i, p); e != nil {
			return e
		}
	}
	for i, k := range keys {
		p, err := h.Delete(k)
		if e := c.fail(err != nil || p != want[i], "failed to delete key (pos[%d]=%d)", i, p); e != nil {
			return e
		}
	}
	for i, k := range keys {
		p, err := h.Lookup(k)
		if e := c.fail(!errors.Is(err, hash.ErrNotFound), "found non-existent key (pos[%d]=%d)", i, p); e != nil {
			return e
		}
	}
	if err := h.LookupBulk(keys, pos); err == nil {
		for i := range keys {
			if e := c.fail(pos[i] >= 0, "found not-existent key (pos[%d]=%d)", i, pos[i]); e != nil {
				return e
			}
		}
	}
	h.Free()
	return nil
}

func htPseudoHash([]byte, uint32) uint32 { return 3 }

// htFullBucket is test_full_bucket (ext false) and test_extendable_bucket
// (ext true): a hash that always answers 3.
func htFullBucket(ext bool) error {
	p := htParams("test4")
	p.HashFunc = htPseudoHash
	keys := htKeys()
	del, look := 1, 3
	if ext {
		p.Name = "test5"
		p.ExtraFlags = hash.FlagExtTable
		keys = make([][]byte, 64)
		for i := range keys {
			keys[i] = htFlowKey(0, 0, uint16(i+1), uint16(i), 0)
		}
		del, look = 35, 20
	}
	h, err := htCreate(p)
	if err != nil {
		return err
	}
	c := &htCheck{h}
	want := make([]int32, len(keys))
	for i, k := range keys {
		pos, err := h.Add(k)
		if e := c.fail(err != nil, "failed to add key (pos[%d]=%d)", i, pos); e != nil {
			return e
		}
		want[i] = pos
	}
	for round := 0; round < 2; round++ {
		for i, k := range keys {
			pos, err := h.Lookup(k)
			if e := c.fail(err != nil || pos != want[i], "failed to find key (pos[%d]=%d)", i, pos); e != nil {
				return e
			}
		}
		if round == 0 {
			for i, k := range keys {
				pos, err := h.Add(k)
				if e := c.fail(err != nil || pos != want[i], "failed to add key (pos[%d]=%d)", i, pos); e != nil {
					return e
				}
			}
		}
	}
	pos, err := h.Delete(keys[del])
	if e := c.fail(err != nil || pos != want[del], "failed to delete key (pos[1]=%d)", pos); e != nil {
		return e
	}
	pos, err = h.Lookup(keys[look])
	if e := c.fail(err != nil || pos != want[look], "failed lookup after deleting key from same bucket (pos[%d]=%d)", look, pos); e != nil {
		return e
	}
	want[del], err = h.Add(keys[del])
	if e := c.fail(err != nil, "failed to add key (pos[1]=%d)", want[del]); e != nil {
		return e
	}
	for i, k := range keys {
		pos, err := h.Delete(k)
		if e := c.fail(err != nil || pos != want[i], "failed to delete key (pos[%d]=%d)", i, pos); e != nil {
			return e
		}
	}
	for i, k := range keys {
		pos, err := h.Lookup(k)
		if e := c.fail(!errors.Is(err, hash.ErrNotFound), "fail: found non-existent key (pos[%d]=%d)", i, pos); e != nil {
			return e
		}
	}
	if ext {
		for i, k := range keys {
			pos, err := h.Add(k)
			if e := c.fail(err != nil, "failed to add key (pos[%d]=%d)", i, pos); e != nil {
				return e
			}
		}
	}
	h.Free()
	var nilHash *hash.Hash
	nilHash.Free() // cover the nil case
	return nil
}

// htFBKFindExisting is test_fbk_hash_find_existing.
func htFBKFindExisting() error {
	f, err := hash.CreateFBK(hash.FBKParams{Name: "fbk_hash_find_existing", Entries: 1 << 15, EntriesPerBucket: 4})
	if err != nil {
		return fmt.Errorf("ERROR: fbk hash creation failed: %v", err)
	}
	defer f.Free()
	if r, err := hash.FindExistingFBK("fbk_hash_find_existing"); err != nil || r != f {
		return errors.New("ERROR: could not find existing fbk hash table")
	}
	if _, err := hash.FindExistingFBK("fbk_hash_find_non_existing"); err == nil {
		return errors.New("ERROR: found fbk table that shouldn't exist")
	}
	return nil
}

// htFBKUnit is fbk_hash_unit_test.
func htFBKUnit() error {
	const local = 1 << 15 // LOCAL_FBK_HASH_ENTRIES_MAX
	fmt.Printf("# Testing hash creation with invalid parameters - expect error msgs\n")
	invalid := []hash.FBKParams{
		{Name: "invalid_1", Entries: local + 1, EntriesPerBucket: 4},
		{Name: "invalid_2", Entries: 4, EntriesPerBucket: 3},
		{Name: "invalid_3", Entries: 0, EntriesPerBucket: 4},
		{Name: "invalid_4", Entries: local, EntriesPerBucket: 0},
		{Name: "invalid_5", Entries: 4, EntriesPerBucket: 8},
		{Name: "invalid_6", Entries: hash.FBKEntriesMax * 2, EntriesPerBucket: 4},
		{Name: "invalid_7", Entries: hash.FBKEntriesMax, EntriesPerBucket: hash.FBKEntriesPerBucketMax * 2},
		{Name: "invalid_7", Entries: hash.FBKEntriesMax, EntriesPerBucket: 4, Socket: 8 + 1},
	}
	for _, p := range invalid {
		if f, err := hash.CreateFBK(p); err == nil {
			f.Free()
			return errors.New("ERROR: fbk hash creation should have failed")
		}
	}
	h, err := hash.CreateFBK(hash.FBKParams{Name: "same_name", Entries: 4, EntriesPerBucket: 2})
	if err != nil {
		return errors.New("ERROR: fbk hash creation should have succeeded")
	}
	if tmp, err := hash.CreateFBK(hash.FBKParams{Name: "same_name", Entries: hash.FBKEntriesMax, EntriesPerBucket: 4}); err == nil {
		tmp.Free()
		h.Free()
		return errors.New("ERROR: fbk hash creation should have failed")
	}
	tmp, err := hash.CreateFBK(hash.FBKParams{Name: "different_name", Entries: local, EntriesPerBucket: 4})
	if err != nil {
		h.Free()
		return errors.New("ERROR: fbk hash creation should have succeeded")
	}
	h.Free()
	tmp.Free()
	for _, p := range []hash.FBKParams{
		{Name: "valid", Entries: local, EntriesPerBucket: 4, HashFunc: hash.JHash1Word, InitVal: hash.FBKInitValDefault},
		{Name: "valid nohash", Entries: local, EntriesPerBucket: 4, InitVal: hash.FBKInitValDefault},
	} {
		f, err := hash.CreateFBK(p)
		if err != nil {
			return fmt.Errorf("ERROR: fbk %s hash creation failed", p.Name)
		}
		f.Free()
	}
	f, err := hash.CreateFBK(hash.FBKParams{Name: "fbk_hash_test", Entries: local, EntriesPerBucket: 4})
	if err != nil {
		return errors.New("ERROR: fbk hash creation failed")
	}
	defer f.Free()
	keys := []uint32{0xc6e18639, 0xe67c201c, 0xd4c8cffd, 0x44728691, 0xd5430fa9}
	vals := []uint16{28108, 5699, 38490, 2166, 61571}
	used := func() uint32 { return uint32(f.LoadFactor() * local) }
	if used() != 0 {
		return errors.New("ERROR: load factor right after creation is not zero but it should be")
	}
	for i := range keys {
		if f.Add(keys[i], vals[i]) != nil {
			return errors.New("ERROR: fbk hash add failed")
		}
	}
	if used() != 5 {
		return errors.New("ERROR: load factor now is not as expected")
	}
	for i := range keys {
		if v, ok := f.Lookup(keys[i]); !ok || v != vals[i] {
			return errors.New("ERROR: fbk hash lookup failed")
		}
	}
	for i := range keys {
		if f.Add(keys[i], vals[4-i]) != nil {
			return errors.New("ERROR: fbk hash update failed")
		}
	}
	for i := range keys {
		if v, ok := f.Lookup(keys[i]); !ok || v != vals[4-i] {
			return errors.New("ERROR: fbk hash lookup failed")
		}
	}
	for i := range keys {
		if f.Delete(keys[i]) != nil {
			return errors.New("ERROR: fbk hash delete failed")
		}
	}
	if used() != 0 {
		return errors.New("ERROR: load factor right after deletion is not zero but it should be")
	}
	for i := range keys {
		if _, ok := f.Lookup(keys[i]); ok {
			return errors.New("ERROR: fbk hash lookup should have failed")
		}
	}
	for i := range keys {
		if f.Add(keys[i], vals[i]) != nil {
			return errors.New("ERROR: fbk hash add failed")
		}
	}
	for i := range keys {
		if v, ok := f.Lookup(keys[i]); !ok || v != vals[i] {
			return errors.New("ERROR: fbk hash lookup failed")
		}
	}
	f.ClearAll()
	for i := range keys {
		if _, ok := f.Lookup(keys[i]); ok {
			return errors.New("ERROR: fbk hash lookup should have failed")
		}
	}
	for i := uint32(0); i < hash.FBKEntriesMax+1; i++ {
		f.Add(i, uint16(i))
	}
	if _, ok := f.Lookup(hash.FBKEntriesMax + 1); ok {
		return errors.New("ERROR: fbk hash lookup succeeded")
	}
	if f.Delete(hash.FBKEntriesMax+1) == nil {
		return errors.New("ERROR: fbk hash delete succeeded")
	}
	if f.Delete(1) != nil {
		return errors.New("ERROR: fbk hash delete failed")
	}
	f.ClearAll()
	return nil
}

// htCreateBadParameters is test_hash_creation_with_bad_parameters.
func htCreateBadParameters() error {
	bad := []struct {
		name string
		set  func(p *hash.Params)
		msg  string
	}{
		{"creation_with_bad_parameters_0", func(p *hash.Params) { p.Entries = hash.EntriesMax + 1 },
			"Impossible creating hash successfully with entries in parameter exceeded"},
		{"creation_with_bad_parameters_2", func(p *hash.Params) { p.Entries = hash.BucketEntries - 1 },
			"Impossible creating hash successfully if entries less than bucket_entries in parameter"},
		{"creation_with_bad_parameters_3", func(p *hash.Params) { p.KeyLen = 0 },
			"Impossible creating hash successfully if key_len in parameter is zero"},
		{"creation_with_bad_parameters_4", func(p *hash.Params) { p.Socket = 8 + 1 },
			"Impossible creating hash successfully with invalid socket"},
	}
	for _, b := range bad {
		p := htParams(b.name)
		b.set(&p)
		if h, err := hash.Create(p); err == nil {
			h.Free()
			fmt.Println(b.msg)
			return errors.New("hash creation with bad parameters succeeded")
		}
	}
	h, err := hash.Create(htParams("same_name"))
	if err != nil {
		fmt.Printf("Cannot create first hash table with 'same_name'\n")
		return err
	}
	if tmp, err := hash.Create(htParams("same_name")); err == nil {
		fmt.Printf("Creation of hash table with same name should fail\n")
		h.Free()
		tmp.Free()
		return errors.New("same name")
	}
	h.Free()
	fmt.Printf("# Test successful. No more errors expected\n")
	return nil
}

// htCreateGoodParameters is test_hash_creation_with_good_parameters.
func htCreateGoodParameters() error {
	p := htParams("name")
	p.HashFunc = nil
	h, err := hash.Create(p)
	if err != nil {
		fmt.Printf("Creating hash with null hash_func failed\n")
		return err
	}
	h.Free()
	return nil
}

// htAverageUtilization is test_average_table_utilization: random keys until
// one cannot be added, three times.
func htAverageUtilization(ext bool, rnd *rand.Rand) error {
	const iterations = 3
	fmt.Printf("\n# Running test to determine average utilization\n  before adding elements begins to fail\n")
	if ext {
		fmt.Printf("ext table is enabled\n")
	} else {
		fmt.Printf("ext table is disabled\n")
	}
	fmt.Printf("Measuring performance, please wait")
	p := htParams("test_average_utilization")
	p.Entries = 1 << 16
	if ext {
		p.ExtraFlags = hash.FlagExtTable
	}
	h, err := htCreate(p)
	if err != nil {
		return err
	}
	defer h.Free()
	key := make([]byte, p.KeyLen)
	var avg uint32
	for j := 0; j < iterations; j++ {
		var added uint32
		for ; ; added++ {
			for i := range key {
				key[i] = byte(rnd.Uint64() % 255)
			}
			if _, err = h.Add(key); err != nil {
				break
			}
		}
		if !errors.Is(err, hash.ErrNoSpace) {
			fmt.Printf("Unexpected error when adding keys\n")
			return err
		}
		cnt := uint32(h.Count())
		if cnt != added || (ext && cnt != p.Entries) {
			fmt.Printf("rte_hash_count returned wrong value %d, %d,%d\n", j, added, cnt)
			return errors.New("wrong count")
		}
		avg += added
		h.Reset()
		fmt.Printf(".")
	}
	avg /= iterations
	fmt.Printf("\nAverage table utilization = %.2f%% (%d/%d)\n", float64(avg)/float64(p.Entries)*100, avg, p.Entries)
	return nil
}

// htIteration is test_hash_iteration.
func htIteration(ext bool, rnd *rand.Rand) error {
	const numEntries = 256
	p := htParams("test_hash_iteration")
	p.Entries = numEntries
	p.KeyLen = 16
	if ext {
		p.ExtraFlags = hash.FlagExtTable
	}
	h, err := htCreate(p)
	if err != nil {
		return err
	}
	defer h.Free()
	keys := make([][]byte, numEntries)
	data := make([]uint64, numEntries)
	added := 0
	for ; added < numEntries; added++ {
		data[added] = rnd.Uint64()
		keys[added] = make([]byte, p.KeyLen)
		for i := range keys[added] {
			keys[added][i] = byte(rnd.Uint64() % 255)
		}
		if err := h.AddKeyData(keys[added], data[added]); err != nil {
			if ext {
				fmt.Printf("Insertion failed for ext table\n")
				return err
			}
			break
		}
	}
	var next uint32
	for {
		k, d, ok := h.Iterate(&next)
		if !ok {
			break
		}
		i := 0
		for ; i < numEntries; i++ {
			if keys[i] != nil && string(keys[i]) == string(k) {
				if d != data[i] {
					fmt.Printf("Data found in the hash table isnot the data added with the key\n")
					return errors.New("iteration data")
				}
				added--
				break
			}
		}
		if i == numEntries {
			fmt.Printf("Key found in the hash table was not added\n")
			return errors.New("iteration key")
		}
	}
	if added != 0 {
		fmt.Printf("There were still %d keys to iterate\n", added)
		return errors.New("iteration count")
	}
	return nil
}

// htJHashWords are the test_hash_add_delete_jhash* cases: the word
// variants of jhash as table hash functions, add then delete.
func htJHashWords() error {
	key := []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
	w := func(k []byte, i int) uint32 { return binary.LittleEndian.Uint32(k[4*i:]) }
	jhash32b := func(k []byte, iv uint32) uint32 {
		words := make([]uint32, len(k)/4)
		for i := range words {
			words[i] = w(k, i)
		}
		return hash.JHash32b(words, iv)
	}
	cases := []struct {
		name string
		n    uint32
		f    hash.HashFunc
	}{
		{"hash_test_jhash2", 4, jhash32b},
		{"hash_test_2_jhash2", 8, jhash32b},
		{"hash_test_jhash_1word", 4, func(k []byte, iv uint32) uint32 { return hash.JHash1Word(w(k, 0), iv) }},
		{"hash_test_jhash_2word", 8, func(k []byte, iv uint32) uint32 { return hash.JHash2Words(w(k, 0), w(k, 1), iv) }},
		{"hash_test_jhash_3word", 12, func(k []byte, iv uint32) uint32 { return hash.JHash3Words(w(k, 0), w(k, 1), w(k, 2), iv) }},
	}
	for _, c := range cases {
		h, err := hash.Create(hash.Params{Name: c.name, Entries: 64, KeyLen: c.n, HashFunc: c.f})
		if err != nil {
			return fmt.Errorf("%s fail to create hash: %v", c.name, err)
		}
		p1, err := h.Add(key[:c.n])
		if err != nil {
			h.Free()
			return fmt.Errorf("%s fail to add hash key", c.name)
		}
		p2, err := h.Delete(key[:c.n])
		h.Free()
		if err != nil || p1 != p2 {
			return fmt.Errorf("%s delete different key from being added", c.name)
		}
	}
	return nil
}

// htCRC32Equiv is test_crc32_hash_alg_equiv: the CRC with the CPU's
// instruction (when there is one) against the table code of hash/crc32.
func htCRC32Equiv(rnd *rand.Rand) error {
	const iterations, dwords = 1 << 10, 1 << 6
	fmt.Printf("\n# CRC32 implementations equivalence test\n")
	buf := make([]byte, 8*dwords)
	for i := 0; i < iterations; i++ {
		n := int(rnd.Uint64()%uint64(len(buf))) + 1
		init := uint32(rnd.Uint64())
		for j := 0; j < dwords; j++ {
			binary.LittleEndian.PutUint64(buf[8*j:], rnd.Uint64())
		}
		if hash.CRC32C(buf[:n], init) != hash.CRC32CSoftware(buf[:n], init) {
			fmt.Printf("Failed checking CRC32_SW against CRC32_SSE42_x64\n")
			fmt.Printf("Failed test data (hex, %d bytes total):\n", n)
			for j := 0; j < n; j++ {
				sep := " "
				if (j+1)%16 == 0 || j == n-1 {
					sep = "\n"
				}
				fmt.Printf("%02X%s", buf[j], sep)
			}
			return errors.New("CRC32 implementations differ")
		}
	}
	return nil
}

func testHashAutotest() error {
	rnd := rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	steps := []func() error{
		htAddDelete,
		htJHashWords,
		htGetKeyWithPosition,
		htFindExisting,
		func() error { return htAddUpdateDelete(false) },
		func() error { return htAddUpdateDelete(true) },
		htAddDeleteFreeLF,
		htFiveKeys,
		func() error { return htFullBucket(false) },
		func() error { return htFullBucket(true) },
		htFBKFindExisting,
		htFBKUnit,
		htCreateBadParameters,
		htCreateGoodParameters,
		func() error { return htAverageUtilization(false, rnd) },
		func() error { return htIteration(false, rnd) },
		func() error { return htAverageUtilization(true, rnd) },
		func() error { return htIteration(true, rnd) },
		func() error { hfRunQuick(rnd); return nil },
		func() error { return htCRC32Equiv(rnd) },
	}
	for _, s := range steps {
		if err := s(); err != nil {
			return err
		}
	}
	return nil
}

// hfRunQuick is test_hash.c's run_hash_func_tests: every function on a
// random key of each of its lengths, for coverage.
func hfRunQuick(rnd *rand.Rand) {
	key := make([]byte, 64)
	for _, f := range []hash.HashFunc{hash.JHash, hash.CRC32C} {
		for _, n := range []int{0, 2, 4, 5, 6, 7, 8, 10, 11, 15, 16, 21, 31, 32, 33, 63, 64} {
			for i := 0; i < n; i++ {
				key[i] = byte(rnd.Uint64())
			}
			f(key[:n], 0)
		}
	}
}

// test_hash_functions.c's expected values: for key lengths hfKeyLens and
// initial values 0 and 0xdeadbeef, of the key 0x00, 0x01, 0x02...
var (
	hfKeyLens   = []int{1, 2, 4, 8, 16, 32, 48, 64, 9, 13, 37, 40}
	hfInitVals  = []uint32{0, 0xdeadbeef}
	hfJHashVals = [2][12]uint32{
		{0x8ba9414b, 0xdf0d39c9, 0xe4cf1d42, 0xd4ccb93c, 0x5e84eafc, 0x21362cfe,
			0x2f4775ab, 0x9ff036cc, 0xeca51474, 0xbc9d6816, 0x12926a31, 0x1c9fa888},
		{0x5c62c303, 0x1b8cf784, 0x8270ac65, 0x05fa6668, 0x762df861, 0xda088f2f,
			0x59614cd4, 0x7a94f690, 0xdc1e4993, 0x30825494, 0x91d0e462, 0x768087fc},
	}
	hfCRCVals = [2][12]uint32{
		{0x00000000, 0xf26b8303, 0x91545164, 0x06040eb1, 0x9bb99201, 0xcc4c4fe4,
			0x14a90993, 0xf8a5dd8c, 0xcaa1ad0b, 0x7ac1e03e, 0x43f44466, 0x4a11475e},
		{0xbdfd3980, 0x70204542, 0x98cd4c70, 0xd52c702f, 0x41fc0e1c, 0x3905f65c,
			0x94bff47f, 0x1bab102d, 0xf4a2c645, 0xbf441539, 0x789c104f, 0x53028d3e},
	}
)

// hfVerifyPrecalculated is verify_precalculated_hash_func_tests.
func hfVerifyPrecalculated() error {
	key := make([]byte, 64)
	for i := range key {
		key[i] = byte(i)
	}
	for i, n := range hfKeyLens {
		for j, iv := range hfInitVals {
			if h := hash.JHash(key[:n], iv); h != hfJHashVals[j][i] {
				fmt.Printf("jhash for %d bytes with initial value 0x%x.Expected 0x%x, but got 0x%x\n", n, iv, hfJHashVals[j][i], h)
				return errors.New("jhash mismatch")
			}
			if h := hash.CRC32C(key[:n], iv); h != hfCRCVals[j][i] {
				fmt.Printf("CRC for %d bytes with initial value 0x%x.Expected 0x%x, but got 0x%x\n", n, iv, hfCRCVals[j][i], h)
				return errors.New("CRC mismatch")
			}
		}
	}
	return nil
}

// hfVerifyJHash32bits is verify_jhash_32bits.
func hfVerifyJHash32bits(rnd *rand.Rand) error {
	key := make([]byte, 64)
	for i := range key {
		key[i] = byte(rnd.Uint32())
	}
	for _, n := range hfKeyLens {
		if n&3 != 0 {
			continue
		}
		words := make([]uint32, n/4)
		for i := range words {
			words[i] = binary.LittleEndian.Uint32(key[4*i:])
		}
		for _, iv := range hfInitVals {
			h, h32 := hash.JHash(key[:n], iv), hash.JHash32b(words, iv)
			if h != h32 {
				fmt.Printf("rte_jhash returns different value (0x%x)than rte_jhash_32b (0x%x)\n", h, h32)
				return errors.New("jhash_32b mismatch")
			}
		}
	}
	return nil
}

// hfVerifyJHashWords is verify_jhash_words.
func hfVerifyJHashWords(rnd *rand.Rand) error {
	var k [3]uint32
	var b [12]byte
	for i := range k {
		k[i] = rnd.Uint32()
		binary.LittleEndian.PutUint32(b[4*i:], k[i])
	}
	checks := []struct {
		name string
		h, w uint32
	}{
		{"rte_jhash_1word", hash.JHash(b[:4], 0), hash.JHash1Word(k[0], 0)},
		{"rte_jhash_2words", hash.JHash(b[:8], 0), hash.JHash2Words(k[0], k[1], 0)},
		{"rte_jhash_3words", hash.JHash(b[:12], 0), hash.JHash3Words(k[0], k[1], k[2], 0)},
	}
	for _, c := range checks {
		if c.h != c.w {
			fmt.Printf("rte_jhash returns different value (0x%x)than %s (0x%x)\n", c.h, c.name, c.w)
			return errors.New(c.name + " mismatch")
		}
	}
	return nil
}

// hfPerf is run_hash_func_perf_tests.
func hfPerf(rnd *rand.Rand) {
	const iterations = 1000000
	const maxKey = 64
	funcs := []struct {
		name string
		f    hash.HashFunc
	}{{"jhash", hash.JHash}, {"rte_hash_crc", hash.CRC32C}}
	fmt.Printf(" *** Hash function performance test results ***\n")
	fmt.Printf(" Number of iterations for each test = %d\n", iterations)
	fmt.Printf("Hash Func.  , Key Length (bytes), Initial value, Ticks/Op.\n")
	keys := make([]byte, iterations*maxKey)
	var sink uint32
	for _, iv := range hfInitVals {
		for _, n := range hfKeyLens {
			for _, f := range funcs {
				for i := 0; i < iterations; i++ {
					k := keys[i*maxKey : i*maxKey+n]
					for j := range k {
						k[j] = byte(rnd.Uint64())
					}
				}
				fn := f.f
				start := sys.Rdtsc()
				for i := 0; i < iterations; i++ {
					sink += fn(keys[i*maxKey:i*maxKey+n], iv)
				}
				ticks := sys.Rdtsc() - start
				fmt.Printf("%-12s, %-18d, %-13d, %.02f\n", f.name, n, iv, float64(ticks)/iterations)
			}
		}
	}
	runtime.KeepAlive(sink)
}

func testHashFunctions() error {
	rnd := rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	if err := hfVerifyPrecalculated(); err != nil {
		return err
	}
	if err := hfVerifyJHash32bits(rnd); err != nil {
		return err
	}
	if err := hfVerifyJHashWords(rnd); err != nil {
		return err
	}
	hfPerf(rnd)
	return nil
}
