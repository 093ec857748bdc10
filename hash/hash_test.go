package hash

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"
)

var tableSeq atomic.Uint32

// newTable creates a table with a unique name and frees it at the end of
// the test.
func newTable(t testing.TB, p Params) *Hash {
	t.Helper()
	if p.Name == "" {
		p.Name = fmt.Sprintf("t%d", tableSeq.Add(1))
	}
	h, err := Create(p)
	if err != nil {
		t.Fatalf("Create(%+v): %v", p, err)
	}
	t.Cleanup(h.Free)
	return h
}

// weakHash gives few distinct buckets and signatures, to force cuckoo
// moves, extendable-bucket chains and signature collisions.
func weakHash(key []byte, init uint32) uint32 {
	return JHash(key, init) & 0x0003_0007
}

// oracle checks a table against a Go map through random operations.
type oracle struct {
	t    *testing.T
	h    *Hash
	r    *rand.Rand
	m    map[string]uint64
	pos  map[string]int32
	pool [][]byte
	full int // adds refused with ErrNoSpace
}

func newOracle(t *testing.T, h *Hash, seed uint64, poolSize int) *oracle {
	o := &oracle{t: t, h: h, r: rand.New(rand.NewPCG(seed, 7)), m: map[string]uint64{}, pos: map[string]int32{}}
	seen := map[string]bool{}
	n := h.KeyLen()
	// Short keys have few values: the pool holds at most all of them.
	for tries := 0; len(o.pool) < poolSize && tries < 4*poolSize; tries++ {
		k := make([]byte, n)
		for i := range k {
			k[i] = byte(o.r.Uint32())
		}
		if !seen[string(k)] {
			seen[string(k)] = true
			o.pool = append(o.pool, k)
		}
	}
	return o
}

func (o *oracle) key() []byte { return o.pool[o.r.IntN(len(o.pool))] }

func (o *oracle) add() {
	t, h := o.t, o.h
	k := o.key()
	d := o.r.Uint64()
	var err error
	var pos int32
	switch o.r.IntN(3) {
	case 0:
		err = h.AddKeyData(k, d)
	case 1:
		err = h.AddKeyWithHashData(k, h.Hash(k), d)
	default:
		pos, err = h.Add(k)
		d = 0
		if err == nil {
			if p, ok := o.pos[string(k)]; ok && p != pos {
				t.Fatalf("Add of a present key moved it from %d to %d", p, pos)
			}
		}
	}
	if errors.Is(err, ErrNoSpace) {
		o.full++
		if _, ok := o.m[string(k)]; ok {
			t.Fatalf("ErrNoSpace for a key in the table")
		}
		if h.extTable && h.Count() != int(h.entries) {
			t.Fatalf("ErrNoSpace with extendable buckets and %d of %d entries", h.Count(), h.entries)
		}
		return
	}
	if err != nil {
		t.Fatalf("add: %v", err)
	}
	o.m[string(k)] = d
	p, err := h.Lookup(k)
	if err != nil {
		t.Fatalf("Lookup after add: %v", err)
	}
	o.pos[string(k)] = p
}

func (o *oracle) del() {
	t, h := o.t, o.h
	k := o.key()
	var pos int32
	var err error
	if o.r.IntN(2) == 0 {
		pos, err = h.Delete(k)
	} else {
		pos, err = h.DeleteWithHash(k, h.Hash(k))
	}
	want, ok := o.pos[string(k)]
	if !ok {
		if !errors.Is(err, ErrNotFound) {
			t.Fatalf("Delete of an absent key: %d, %v", pos, err)
		}
		return
	}
	if err != nil || pos != want {
		t.Fatalf("Delete: %d, %v; want %d", pos, err, want)
	}
	delete(o.m, string(k))
	delete(o.pos, string(k))
	if h.noFreeOnDel {
		if err := h.FreeKeyWithPosition(pos); err != nil {
			t.Fatalf("FreeKeyWithPosition(%d): %v", pos, err)
		}
		if err := h.FreeKeyWithPosition(pos); !errors.Is(err, ErrInvalid) {
			t.Fatalf("second FreeKeyWithPosition(%d): %v", pos, err)
		}
	}
}

func (o *oracle) lookup() {
	t, h := o.t, o.h
	k := o.key()
	wantD, in := o.m[string(k)]
	pos, err := h.Lookup(k)
	d, ok := h.LookupData(k)
	p2, d2, err2 := h.LookupPosData(k)
	p3, err3 := h.LookupWithHash(k, h.Hash(k))
	d4, ok4 := h.LookupWithHashData(k, h.Hash(k))
	if !in {
		if !errors.Is(err, ErrNotFound) || ok || !errors.Is(err2, ErrNotFound) || !errors.Is(err3, ErrNotFound) || ok4 {
			t.Fatalf("lookup of an absent key: %d %v / %v / %v / %v / %v", pos, err, ok, err2, err3, ok4)
		}
		return
	}
	wantP := o.pos[string(k)]
	if err != nil || pos != wantP || !ok || d != wantD || err2 != nil || p2 != wantP || d2 != wantD ||
		err3 != nil || p3 != wantP || !ok4 || d4 != wantD {
		t.Fatalf("lookup: pos %d/%d/%d want %d, data %#x/%#x/%#x want %#x, errs %v %v %v",
			pos, p2, p3, wantP, d, d2, d4, wantD, err, err2, err3)
	}
}

func (o *oracle) bulk() {
	t, h := o.t, o.h
	n := 1 + o.r.IntN(LookupBulkMax)
	keys := make([][]byte, n)
	sigs := make([]uint32, n)
	for i := range keys {
		keys[i] = o.key()
		sigs[i] = h.Hash(keys[i])
	}
	pos := make([]int32, n)
	pos2 := make([]int32, n)
	data := make([]uint64, n)
	data2 := make([]uint64, n)
	var mask, mask2 uint64
	if err := h.LookupBulk(keys, pos); err != nil {
		t.Fatal(err)
	}
	if err := h.LookupBulkWithHash(keys, sigs, pos2); err != nil {
		t.Fatal(err)
	}
	hits, err := h.LookupBulkData(keys, &mask, data)
	if err != nil {
		t.Fatal(err)
	}
	hits2, err := h.LookupBulkWithHashData(keys, sigs, &mask2, data2)
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for i, k := range keys {
		p, in := o.pos[string(k)]
		if !in {
			p = -1
		} else {
			want++
		}
		hit := mask&(1<<i) != 0
		if pos[i] != p || pos2[i] != p || hit != in || (mask2&(1<<i) != 0) != in ||
			(in && (data[i] != o.m[string(k)] || data2[i] != o.m[string(k)])) {
			t.Fatalf("bulk key %d of %d: pos %d/%d want %d, hit %v want %v, data %#x/%#x want %#x",
				i, n, pos[i], pos2[i], p, hit, in, data[i], data2[i], o.m[string(k)])
		}
	}
	if hits != want || hits2 != want {
		t.Fatalf("bulk hits %d/%d, want %d", hits, hits2, want)
	}
}

// check compares the whole table with the oracle: count, iteration, and
// unique positions.
func (o *oracle) check() {
	t, h := o.t, o.h
	if h.Count() != len(o.m) {
		t.Fatalf("Count %d, oracle %d", h.Count(), len(o.m))
	}
	seen := map[string]bool{}
	var next uint32
	for {
		pos, k, d, ok := h.IteratePos(&next)
		if !ok {
			break
		}
		want, in := o.m[string(k)]
		if !in || seen[string(k)] || d != want || pos != o.pos[string(k)] {
			t.Fatalf("Iterate: key %x in=%v dup=%v data %#x want %#x pos %d want %d",
				k, in, seen[string(k)], d, want, pos, o.pos[string(k)])
		}
		seen[string(k)] = true
		gk, err := h.GetKeyWithPosition(pos)
		if err != nil || string(gk) != string(k) {
			t.Fatalf("GetKeyWithPosition(%d): %x, %v; want %x", pos, gk, err, k)
		}
	}
	if len(seen) != len(o.m) {
		t.Fatalf("Iterate saw %d keys, want %d", len(seen), len(o.m))
	}
	used := map[int32]bool{}
	for _, p := range o.pos {
		if p < 0 || p >= h.MaxKeyID() || used[p] {
			t.Fatalf("position %d out of range or shared", p)
		}
		used[p] = true
	}
}

func (o *oracle) run(ops int) {
	for i := 0; i < ops; i++ {
		switch r := o.r.IntN(100); {
		case r < 45:
			o.add()
		case r < 70:
			o.del()
		case r < 95:
			o.lookup()
		default:
			o.bulk()
		}
		if i%500 == 0 {
			o.check()
		}
	}
	o.check()
}

// TestOracle runs random adds, deletes and lookups on tables of every key
// length from 1 to 64 (and two longer ones) with and without extendable
// buckets, and checks every answer against a Go map.
func TestOracle(t *testing.T) {
	lens := []uint32{100, 200}
	for n := uint32(1); n <= 64; n++ {
		lens = append(lens, n)
	}
	ops := 3000
	funcs := []struct {
		name string
		f    HashFunc
	}{{"crc", nil}, {"jhash", JHash}, {"weak", weakHash}}
	if testing.Short() || raceEnabled {
		ops = 600
		lens = []uint32{1, 2, 3, 4, 5, 7, 8, 9, 12, 13, 15, 16, 17, 24, 31, 32, 33, 37, 40, 48, 63, 64, 100}
		funcs = []struct {
			name string
			f    HashFunc
		}{{"crc", nil}, {"weak", weakHash}}
	}
	for _, n := range lens {
		for _, flags := range []Flags{0, FlagExtTable, FlagNoFreeOnDel, FlagExtTable | FlagRWConcurrencyLF} {
			for _, hf := range funcs {
				if hf.name == "weak" && n < 3 {
					continue
				}
				t.Run(fmt.Sprintf("len%d/flags%#x/%s", n, flags, hf.name), func(t *testing.T) {
					h := newTable(t, Params{Entries: 128, KeyLen: n, HashFunc: hf.f, ExtraFlags: flags})
					o := newOracle(t, h, uint64(n)<<8|uint64(flags), 300)
					o.run(ops)
				})
			}
		}
	}
}

// TestFull fills tables until an add fails: without extendable buckets at
// a high load, with them at exactly Entries keys.
func TestFull(t *testing.T) {
	for _, flags := range []Flags{0, FlagExtTable, FlagExtTable | FlagRWConcurrencyLF} {
		for _, hf := range []HashFunc{nil, weakHash} {
			h := newTable(t, Params{Entries: 1024, KeyLen: 16, HashFunc: hf, ExtraFlags: flags})
			o := newOracle(t, h, 99, 4000)
			for _, k := range o.pool {
				if err := h.AddKeyData(k, uint64(len(o.m))); err != nil {
					if !errors.Is(err, ErrNoSpace) {
						t.Fatal(err)
					}
					break
				}
				o.m[string(k)] = uint64(len(o.m))
				p, _ := h.Lookup(k)
				o.pos[string(k)] = p
			}
			n := len(o.m)
			switch {
			case flags&FlagExtTable != 0 && n != 1024:
				t.Errorf("flags %#x: %d keys fit, want 1024", flags, n)
			case flags == 0 && hf == nil && n < 1024*85/100:
				t.Errorf("only %d of 1024 keys fit", n)
			}
			t.Logf("flags %#x weak=%v: %d of 1024 keys fit", flags, hf != nil, n)
			o.check()
			// Full: delete one, add another.
			for k := range o.m {
				if _, err := h.Delete([]byte(k)); err != nil {
					t.Fatal(err)
				}
				if h.noFreeOnDel {
					p := o.pos[k]
					if err := h.FreeKeyWithPosition(p); err != nil {
						t.Fatal(err)
					}
				}
				delete(o.m, k)
				delete(o.pos, k)
				break
			}
			o.check()
			h.Reset()
			if h.Count() != 0 {
				t.Fatalf("Count after Reset: %d", h.Count())
			}
			var next uint32
			if _, _, ok := h.Iterate(&next); ok {
				t.Fatal("Iterate after Reset found a key")
			}
			for k := range o.m {
				if _, err := h.Lookup([]byte(k)); !errors.Is(err, ErrNotFound) {
					t.Fatalf("Lookup after Reset: %v", err)
				}
			}
			// The table is whole again.
			o2 := newOracle(t, h, 5, 300)
			o2.run(2000)
		}
	}
}

func TestBadArgs(t *testing.T) {
	h := newTable(t, Params{Entries: 64, KeyLen: 8})
	short := []byte{1, 2, 3}
	if _, err := h.Add(short); !errors.Is(err, ErrInvalid) {
		t.Errorf("Add short key: %v", err)
	}
	if _, err := h.Lookup(short); !errors.Is(err, ErrInvalid) {
		t.Errorf("Lookup short key: %v", err)
	}
	if _, ok := h.LookupData(short); ok {
		t.Error("LookupData short key found")
	}
	if _, err := h.Delete(short); !errors.Is(err, ErrInvalid) {
		t.Errorf("Delete short key: %v", err)
	}
	pos := make([]int32, 65)
	keys := make([][]byte, 65)
	if err := h.LookupBulk(keys, pos); !errors.Is(err, ErrInvalid) {
		t.Errorf("LookupBulk of 65: %v", err)
	}
	if err := h.LookupBulk(nil, pos); !errors.Is(err, ErrInvalid) {
		t.Errorf("LookupBulk of 0: %v", err)
	}
	if err := h.LookupBulk(keys[:4], pos[:3]); !errors.Is(err, ErrInvalid) {
		t.Errorf("LookupBulk short positions: %v", err)
	}
	// A key of the wrong length in a bulk is a miss.
	k := []byte("12345678")
	if _, err := h.Add(k); err != nil {
		t.Fatal(err)
	}
	if err := h.LookupBulk([][]byte{short, k}, pos); err != nil || pos[0] != -1 || pos[1] < 0 {
		t.Errorf("LookupBulk with a short key: %v %v", err, pos[:2])
	}
	if err := h.FreeKeyWithPosition(0); !errors.Is(err, ErrInvalid) {
		t.Errorf("FreeKeyWithPosition of a used slot: %v", err)
	}
	if err := h.FreeKeyWithPosition(-1); !errors.Is(err, ErrInvalid) {
		t.Errorf("FreeKeyWithPosition(-1): %v", err)
	}
	if _, err := h.GetKeyWithPosition(1 << 20); !errors.Is(err, ErrInvalid) {
		t.Errorf("GetKeyWithPosition out of range: %v", err)
	}
}

func TestCustomCmp(t *testing.T) {
	h := newTable(t, Params{Entries: 64, KeyLen: 4, HashFunc: func([]byte, uint32) uint32 { return 0 }})
	// Compare only the first byte.
	h.SetCmpFunc(func(a, b []byte) bool { return a[0] == b[0] })
	if err := h.AddKeyData([]byte("abcd"), 7); err != nil {
		t.Fatal(err)
	}
	if d, ok := h.LookupData([]byte("axxx")); !ok || d != 7 {
		t.Fatalf("custom compare: %d %v", d, ok)
	}
	h.SetCmpFunc(nil)
	if _, ok := h.LookupData([]byte("axxx")); ok {
		t.Fatal("default compare matched a different key")
	}
}
