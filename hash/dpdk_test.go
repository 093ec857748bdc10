package hash

// Cases of DPDK 22.11's app/test/test_hash.c.

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"testing"

	"dpk/eal"
)

// flowKey is test_hash.c's packed struct flow_key: two IPv4 addresses,
// two ports and a 32-bit protocol, 16 bytes in host (little-endian) order.
func flowKey(ipSrc, ipDst uint32, portSrc, portDst uint16, proto uint32) []byte {
	k := make([]byte, 16)
	binary.LittleEndian.PutUint32(k[0:], ipSrc)
	binary.LittleEndian.PutUint32(k[4:], ipDst)
	binary.LittleEndian.PutUint16(k[8:], portSrc)
	binary.LittleEndian.PutUint16(k[10:], portDst)
	binary.LittleEndian.PutUint32(k[12:], proto)
	return k
}

// fiveKeys are test_hash.c's keys[5]: key i has bytes 0x10*i + 0 to
// 0x10*i + 12, then zeros (ip_src = RTE_IPV4(0x03, 0x02, 0x01, 0x00), ...).
func fiveKeys() [][]byte {
	ks := make([][]byte, 5)
	for i := range ks {
		b := uint32(i) * 0x10
		ks[i] = flowKey((b+3)<<24|(b+2)<<16|(b+1)<<8|b, (b+7)<<24|(b+6)<<16|(b+5)<<8|(b+4),
			uint16((b+9)<<8|(b+8)), uint16((b+0xb)<<8|(b+0xa)), b+0xc)
	}
	return ks
}

func pseudoHash([]byte, uint32) uint32 { return 3 }

func utParams(name string) Params {
	return Params{Name: name, Entries: 64, KeyLen: 16, HashFunc: JHash, Socket: 0}
}

func mustCreate(t *testing.T, p Params) *Hash {
	t.Helper()
	h, err := Create(p)
	if err != nil {
		t.Fatalf("Create(%q): %v", p.Name, err)
	}
	t.Cleanup(h.Free)
	return h
}

func expect(t *testing.T, what string, got int32, err error, want int32) {
	t.Helper()
	if want < 0 {
		if !errors.Is(err, ErrNotFound) {
			t.Fatalf("%s: %d, %v; want ErrNotFound", what, got, err)
		}
		return
	}
	if err != nil || got != want {
		t.Fatalf("%s: %d, %v; want %d", what, got, err, want)
	}
}

func TestDPDKAddDelete(t *testing.T) {
	keys := fiveKeys()
	for _, flags := range []Flags{0, FlagNoFreeOnDel} {
		p := utParams("test1")
		p.ExtraFlags = flags
		h := mustCreate(t, p)
		sig := h.Hash(keys[0])
		pos, err := h.AddWithHash(keys[0], sig)
		if err != nil {
			t.Fatal(err)
		}
		got, err := h.LookupWithHash(keys[0], sig)
		expect(t, "lookup", got, err, pos)
		got, err = h.DeleteWithHash(keys[0], sig)
		expect(t, "delete", got, err, pos)
		got, err = h.LookupWithHash(keys[0], sig)
		expect(t, "lookup after delete", got, err, -1)
		got, err = h.Delete(keys[0])
		expect(t, "second delete", got, err, -1)
		if flags&FlagNoFreeOnDel != 0 {
			if h.Count() != 1 {
				t.Fatalf("Count before free: %d", h.Count())
			}
			if err := h.FreeKeyWithPosition(pos); err != nil {
				t.Fatal(err)
			}
		}
		if h.Count() != 0 {
			t.Fatalf("Count: %d", h.Count())
		}
		h.Free()
	}
}

// test_add_delete_free_lf: as many add/delete/free rounds as there are
// slots, to catch slots that are not returned.
func TestDPDKAddDeleteFreeLF(t *testing.T) {
	keys := fiveKeys()
	for _, flags := range []Flags{FlagRWConcurrencyLF, FlagRWConcurrencyLF | FlagMultiWriterAdd} {
		p := utParams("test_lf")
		p.ExtraFlags = flags
		h := mustCreate(t, p)
		k := append([]byte(nil), keys[0]...)
		for i := 0; i < 2*int(p.Entries)+1; i++ {
			k[0]++
			sig := h.Hash(k)
			pos, err := h.AddWithHash(k, sig)
			if err != nil {
				t.Fatalf("round %d: add: %v", i, err)
			}
			got, err := h.DeleteWithHash(k, sig)
			expect(t, "delete", got, err, pos)
			if err := h.FreeKeyWithPosition(pos); err != nil {
				t.Fatalf("round %d: free: %v", i, err)
			}
		}
		h.Free()
	}
}

func TestDPDKGetKeyWithPosition(t *testing.T) {
	keys := fiveKeys()
	for _, flags := range []Flags{0, FlagNoFreeOnDel} {
		p := utParams("hash_get_key_w_pos")
		p.ExtraFlags = flags
		h := mustCreate(t, p)
		pos, err := h.Add(keys[0])
		if err != nil {
			t.Fatal(err)
		}
		k, err := h.GetKeyWithPosition(pos)
		if err != nil || string(k) != string(keys[0]) {
			t.Fatalf("GetKeyWithPosition: %x, %v", k, err)
		}
		if _, err := h.Delete(keys[0]); err != nil {
			t.Fatal(err)
		}
		if _, err := h.GetKeyWithPosition(pos); !errors.Is(err, ErrNotFound) {
			t.Fatalf("GetKeyWithPosition after delete: %v", err)
		}
		if flags != 0 {
			if err := h.FreeKeyWithPosition(pos); err != nil {
				t.Fatal(err)
			}
			if _, err := h.GetKeyWithPosition(pos); !errors.Is(err, ErrNotFound) {
				t.Fatalf("GetKeyWithPosition after free: %v", err)
			}
		}
		h.Free()
	}
}

func TestDPDKFindExisting(t *testing.T) {
	h := mustCreate(t, utParams("hash_find_existing"))
	if got, err := FindExisting("hash_find_existing"); err != nil || got != h {
		t.Fatalf("FindExisting: %v, %v", got, err)
	}
	if _, err := FindExisting("hash_find_non_existing"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("FindExisting of a missing table: %v", err)
	}
	h.Free()
	if _, err := FindExisting("hash_find_existing"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("FindExisting after Free: %v", err)
	}
}

func TestDPDKFiveKeys(t *testing.T) {
	keys := fiveKeys()
	h := mustCreate(t, utParams("test3"))
	want := make([]int32, 5)
	for i, k := range keys {
		p, err := h.Add(k)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = p
	}
	pos := make([]int32, 5)
	if err := h.LookupBulk(keys, pos); err != nil {
		t.Fatal(err)
	}
	for i := range keys {
		expect(t, "bulk", pos[i], nil, want[i])
		p, err := h.Add(keys[i])
		expect(t, "re-add", p, err, want[i])
		p, err = h.Lookup(keys[i])
		expect(t, "lookup", p, err, want[i])
	}
	for i := range keys {
		p, err := h.Delete(keys[i])
		expect(t, "delete", p, err, want[i])
		p, err = h.Lookup(keys[i])
		expect(t, "lookup after delete", p, err, -1)
	}
	if err := h.LookupBulk(keys, pos); err != nil {
		t.Fatal(err)
	}
	for i := range pos {
		if pos[i] >= 0 {
			t.Fatalf("bulk after delete: key %d at %d", i, pos[i])
		}
	}
}

// test_full_bucket and test_extendable_bucket: a hash function that
// always answers 3 puts every key in bucket 3, whose alternative is
// itself.
func TestDPDKFullBucket(t *testing.T) {
	keys := fiveKeys()
	p := utParams("test4")
	p.HashFunc = pseudoHash
	h := mustCreate(t, p)
	want := make([]int32, 5)
	for i, k := range keys {
		pos, err := h.Add(k)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = pos
	}
	for i, k := range keys {
		pos, err := h.Lookup(k)
		expect(t, "lookup", pos, err, want[i])
		pos, err = h.Add(k)
		expect(t, "re-add", pos, err, want[i])
	}
	pos, err := h.Delete(keys[1])
	expect(t, "delete 1", pos, err, want[1])
	pos, err = h.Lookup(keys[3])
	expect(t, "lookup 3", pos, err, want[3])
	if want[1], err = h.Add(keys[1]); err != nil {
		t.Fatal(err)
	}
	for i, k := range keys {
		pos, err := h.Delete(k)
		expect(t, "delete", pos, err, want[i])
		pos, err = h.Lookup(k)
		expect(t, "lookup after delete", pos, err, -1)
	}
	// Nine keys in a bucket that is its own alternative: no room.
	for i := 0; i < BucketEntries; i++ {
		if _, err := h.Add(flowKey(uint32(i), 0, 0, 0, 0)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.Add(flowKey(99, 0, 0, 0, 0)); !errors.Is(err, ErrNoSpace) {
		t.Fatalf("ninth key in a full bucket: %v", err)
	}
}

func TestDPDKExtendableBucket(t *testing.T) {
	p := utParams("test5")
	p.HashFunc = pseudoHash
	p.ExtraFlags = FlagExtTable
	h := mustCreate(t, p)
	keys := make([][]byte, 64)
	for i := range keys {
		keys[i] = flowKey(0, 0, uint16(i+1), uint16(i), 0)
	}
	want := make([]int32, 64)
	for round := 0; round < 2; round++ {
		for i, k := range keys {
			pos, err := h.Add(k)
			if err != nil {
				t.Fatalf("round %d add %d: %v", round, i, err)
			}
			want[i] = pos
		}
		if _, err := h.Add(flowKey(1, 0, 0, 0, 0)); !errors.Is(err, ErrNoSpace) {
			t.Fatalf("65th key: %v", err)
		}
		for i, k := range keys {
			pos, err := h.Lookup(k)
			expect(t, "lookup", pos, err, want[i])
			pos, err = h.Add(k)
			expect(t, "re-add", pos, err, want[i])
		}
		pos, err := h.Delete(keys[35])
		expect(t, "delete 35", pos, err, want[35])
		pos, err = h.Lookup(keys[20])
		expect(t, "lookup 20", pos, err, want[20])
		if want[35], err = h.Add(keys[35]); err != nil {
			t.Fatal(err)
		}
		for i, k := range keys {
			pos, err := h.Delete(k)
			expect(t, "delete", pos, err, want[i])
			pos, err = h.Lookup(k)
			expect(t, "lookup after delete", pos, err, -1)
		}
		// Every extendable bucket went back to the free list.
		if h.freeExt.tail-h.freeExt.head != h.numBuckets {
			t.Fatalf("%d free extendable buckets, want %d", h.freeExt.tail-h.freeExt.head, h.numBuckets)
		}
	}
}

func TestDPDKCreateBadParameters(t *testing.T) {
	base := utParams("")
	bad := map[string]func(p *Params){
		"entries over max":  func(p *Params) { p.Entries = EntriesMax + 1 },
		"entries < bucket":  func(p *Params) { p.Entries = BucketEntries - 1 },
		"key_len 0":         func(p *Params) { p.KeyLen = 0 },
		"bad socket":        func(p *Params) { p.Socket = maxSockets + 1 },
		"bad flags":         func(p *Params) { p.ExtraFlags = 0x40 },
		"both rw modes":     func(p *Params) { p.ExtraFlags = FlagRWConcurrency | FlagRWConcurrencyLF },
		"no name":           func(p *Params) { p.Name = "" },
		"name too long":     func(p *Params) { p.Name = "0123456789012345678901234567890123" },
		"socket below -1":   func(p *Params) { p.Socket = -2 },
		"negative socket 0": func(p *Params) { p.Socket = -3 },
	}
	for name, f := range bad {
		p := base
		p.Name = "creation_with_bad_parameters"
		f(&p)
		if h, err := Create(p); !errors.Is(err, ErrInvalid) {
			h.Free()
			t.Errorf("%s: %v", name, err)
		}
	}
	p := base
	p.Name = "same_name"
	h := mustCreate(t, p)
	if _, err := Create(p); !errors.Is(err, ErrExist) {
		t.Errorf("same name: %v", err)
	}
	h.Free()
	// Good: nil hash function (CRC32C), any socket.
	p.HashFunc = nil
	p.Socket = eal.SocketIDAny
	h = mustCreate(t, p)
	if _, err := h.Add(fiveKeys()[0]); err != nil {
		t.Fatal(err)
	}
}

// test_average_table_utilization: random 16-byte keys until an add fails.
func TestDPDKAverageUtilization(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, flags := range []Flags{0, FlagExtTable} {
		p := utParams("test_average_utilization")
		p.Entries = 1 << 14
		p.ExtraFlags = flags
		h := mustCreate(t, p)
		total := 0
		const iters = 3
		for j := 0; j < iters; j++ {
			key := make([]byte, p.KeyLen)
			added := 0
			for {
				for i := range key {
					key[i] = byte(r.IntN(255))
				}
				if _, err := h.Add(key); err != nil {
					if !errors.Is(err, ErrNoSpace) {
						t.Fatal(err)
					}
					break
				}
				added++
			}
			if h.Count() != added {
				t.Fatalf("Count %d, added %d", h.Count(), added)
			}
			if flags != 0 && added != int(p.Entries) {
				t.Fatalf("ext table: %d added, want %d", added, p.Entries)
			}
			total += added
			h.Reset()
		}
		avg := total / iters
		t.Logf("flags %#x: average table utilization = %.2f%% (%d/%d)", flags, float64(avg)/float64(p.Entries)*100, avg, p.Entries)
		if avg < int(p.Entries)*90/100 {
			t.Errorf("utilization %d/%d below 90%%", avg, p.Entries)
		}
		h.Free()
	}
}

// test_hash_add_delete_jhash2 and friends: the word variants of jhash as
// table hash functions.
func TestDPDKJHashWordFuncs(t *testing.T) {
	key := []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
	words := func(k []byte) []uint32 {
		w := make([]uint32, len(k)/4)
		for i := range w {
			w[i] = binary.LittleEndian.Uint32(k[4*i:])
		}
		return w
	}
	funcs := []struct {
		n uint32
		f HashFunc
	}{
		{4, func(k []byte, iv uint32) uint32 { return JHash32b(words(k), iv) }},
		{8, func(k []byte, iv uint32) uint32 { return JHash32b(words(k), iv) }},
		{4, func(k []byte, iv uint32) uint32 { return JHash1Word(binary.LittleEndian.Uint32(k), iv) }},
		{8, func(k []byte, iv uint32) uint32 {
			return JHash2Words(binary.LittleEndian.Uint32(k), binary.LittleEndian.Uint32(k[4:]), iv)
		}},
		{12, func(k []byte, iv uint32) uint32 {
			return JHash3Words(binary.LittleEndian.Uint32(k), binary.LittleEndian.Uint32(k[4:]), binary.LittleEndian.Uint32(k[8:]), iv)
		}},
	}
	for _, f := range funcs {
		h := mustCreate(t, Params{Name: "hash_test_jhash", Entries: 64, KeyLen: f.n, HashFunc: f.f})
		p1, err := h.Add(key[:f.n])
		if err != nil {
			t.Fatal(err)
		}
		p2, err := h.Delete(key[:f.n])
		expect(t, "delete", p2, err, p1)
		h.Free()
	}
}
