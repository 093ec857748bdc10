package hash

import (
	"errors"
	"math/rand/v2"
	"testing"
)

func TestFBK(t *testing.T) {
	bad := []FBKParams{
		{Name: "b1", Entries: 1<<15 + 1, EntriesPerBucket: 4},
		{Name: "b2", Entries: 4, EntriesPerBucket: 3},
		{Name: "b3", Entries: 0, EntriesPerBucket: 4},
		{Name: "b4", Entries: 1 << 15, EntriesPerBucket: 0},
		{Name: "b5", Entries: 4, EntriesPerBucket: 8},
		{Name: "b6", Entries: FBKEntriesMax * 2, EntriesPerBucket: 4},
		{Name: "b7", Entries: FBKEntriesMax, EntriesPerBucket: FBKEntriesPerBucketMax * 2},
		{Name: "b8", Entries: 1024, EntriesPerBucket: 4, Socket: 9},
		{Name: "", Entries: 1024, EntriesPerBucket: 4},
	}
	for _, p := range bad {
		if f, err := CreateFBK(p); !errors.Is(err, ErrInvalid) {
			f.Free()
			t.Errorf("%+v: %v", p, err)
		}
	}
	for _, hf := range []FBKHashFunc{nil, JHash1Word} {
		f, err := CreateFBK(FBKParams{Name: "fbk", Entries: 1 << 12, EntriesPerBucket: 4, HashFunc: hf})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := CreateFBK(FBKParams{Name: "fbk", Entries: 4, EntriesPerBucket: 4}); !errors.Is(err, ErrExist) {
			t.Fatalf("same name: %v", err)
		}
		if g, err := FindExistingFBK("fbk"); err != nil || g != f {
			t.Fatalf("FindExistingFBK: %v", err)
		}
		r := rand.New(rand.NewPCG(1, 1))
		m := map[uint32]uint16{}
		for i := 0; i < 20000; i++ {
			k := r.Uint32() % 3000
			switch r.IntN(3) {
			case 0:
				v := uint16(r.Uint32())
				err := f.Add(k, v)
				if errors.Is(err, ErrNoSpace) {
					if _, in := m[k]; in {
						t.Fatal("ErrNoSpace for a present key")
					}
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				m[k] = v
			case 1:
				err := f.Delete(k)
				if _, in := m[k]; in != (err == nil) {
					t.Fatalf("Delete(%d): %v, in=%v", k, err, in)
				}
				delete(m, k)
			default:
				v, ok := f.Lookup(k)
				w, in := m[k]
				if ok != in || v != w {
					t.Fatalf("Lookup(%d): %d %v, want %d %v", k, v, ok, w, in)
				}
			}
		}
		if got := f.LoadFactor(); got != float64(len(m))/(1<<12) {
			t.Fatalf("LoadFactor %v with %d keys", got, len(m))
		}
		f.ClearAll()
		if f.LoadFactor() != 0 {
			t.Fatal("LoadFactor after ClearAll")
		}
		for k := range m {
			if _, ok := f.Lookup(k); ok {
				t.Fatal("key after ClearAll")
			}
		}
		f.Free()
		if _, err := FindExistingFBK("fbk"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("FindExistingFBK after Free: %v", err)
		}
	}
}
