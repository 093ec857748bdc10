package acl

import (
	"math/rand/v2"
	"testing"
)

// TestRangePieces checks that the pieces of a range cover exactly the
// range, do not overlap and are at most 2*size-1, as DPDK's range tries.
func TestRangePieces(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	type tc struct {
		lo, hi uint64
		size   int
		pieces int // expected count, -1: do not check
	}
	tests := []tc{
		{0, 65535, 2, 1},
		{1000, 2000, 2, 3},
		{0, 0, 2, 1},
		{0x0100, 0x01ff, 2, 1},
		{0x0100, 0x02ff, 2, 1},
		{0x0101, 0x02ff, 2, 2},
		{0x0100, 0x02fe, 2, 2},
		{5, 5, 1, 1},
		{0, 0xffffffff, 4, 1},
		{1, 0xfffffffe, 4, 7},
	}
	for i := 0; i < 300; i++ {
		lo, hi := uint64(rng.IntN(1<<16)), uint64(rng.IntN(1<<16))
		if lo > hi {
			lo, hi = hi, lo
		}
		tests = append(tests, tc{lo, hi, 2, -1})
	}
	for _, tt := range tests {
		cover := make([]int, 1<<(8*min(tt.size, 2)))
		n := 0
		rangePieces(tt.lo, tt.hi, tt.size, func(lo, hi []uint8) {
			n++
			if tt.size > 2 {
				return
			}
			var rec func(j int, v uint64)
			rec = func(j int, v uint64) {
				if j == tt.size {
					cover[v]++
					return
				}
				for b := int(lo[j]); b <= int(hi[j]); b++ {
					rec(j+1, v<<8|uint64(b))
				}
			}
			rec(0, 0)
		})
		if n > 2*tt.size-1 || tt.pieces >= 0 && n != tt.pieces {
			t.Errorf("%#x..%#x (%d bytes): %d pieces, want %d (at most %d)", tt.lo, tt.hi, tt.size, n, tt.pieces, 2*tt.size-1)
		}
		if tt.size > 2 {
			continue
		}
		for v, c := range cover {
			want := 0
			if uint64(v) >= tt.lo && uint64(v) <= tt.hi {
				want = 1
			}
			if c != want {
				t.Fatalf("%#x..%#x: value %#x covered %d times, want %d", tt.lo, tt.hi, v, c, want)
			}
		}
	}
}

func TestByteSetNext(t *testing.T) {
	var s byteSet
	for _, v := range []int{0, 63, 64, 200, 255} {
		s.add(v)
	}
	tests := []struct{ from, want int }{
		{0, 0}, {1, 63}, {63, 63}, {64, 64}, {65, 200}, {201, 255}, {255, 255}, {256, 256},
	}
	for _, tt := range tests {
		if got := s.next(tt.from); got != tt.want {
			t.Errorf("next(%d) = %d, want %d", tt.from, got, tt.want)
		}
	}
	var e byteSet
	if got := e.next(0); got != 256 {
		t.Errorf("empty next(0) = %d, want 256", got)
	}
}

func TestSetsIntern(t *testing.T) {
	s := newSets()
	if id := s.interval(0, 255); id != 0 {
		t.Errorf("full interval id %d, want 0", id)
	}
	if id := s.masked(0x12, 0); id != 0 {
		t.Errorf("mask 0 id %d, want 0 (full)", id)
	}
	a := s.interval(10, 20)
	if b := s.interval(10, 20); a != b {
		t.Errorf("same interval, ids %d and %d", a, b)
	}
	inf := s.info[a]
	if !inf.interval || inf.lo != 10 || inf.hi != 20 {
		t.Errorf("interval info %+v", inf)
	}
	m := s.masked(0x06, 0xff)
	if inf := s.info[m]; !inf.interval || inf.lo != 6 || inf.hi != 6 {
		t.Errorf("6/0xff info %+v", inf)
	}
	odd := s.masked(0x01, 0x01)
	if s.info[odd].interval {
		t.Error("odd numbers form an interval")
	}
}

// TestNext checks the transition encoding: range nodes of 1 to 5
// intervals and DFA nodes.
func TestNext(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for iter := 0; iter < 500; iter++ {
		n := 1 + rng.IntN(12)
		his := map[int]bool{}
		for len(his) < n-1 {
			his[rng.IntN(255)] = true
		}
		var iv []ival
		for v := 0; v < 255; v++ {
			if his[v] {
				iv = append(iv, ival{hi: uint8(v), child: uint32(len(iv)) | matchBit})
			}
		}
		iv = append(iv, ival{hi: 255, child: uint32(len(iv)) | matchBit})
		b := &builder{ncat: 1}
		for range iv {
			b.matches = append(b.matches, [MaxCategories]uint32{noRank})
		}
		tr := &trieOut{root: 0, nodes: []tnode{{0, int32(len(iv))}}, ivals: iv}
		rt, err := b.gen([]*trieOut{tr})
		if err != nil {
			t.Fatal(err)
		}
		want := expand(iv)
		for v := 0; v < 256; v++ {
			got := next(rt.trans, rt.tries[0].root, byte(v))
			if got&matchFlag == 0 || uint32(got)&addrMask != want[v]&^matchBit {
				t.Fatalf("%d intervals %v: byte %d -> %#x, want match %d", len(iv), iv, v, got, want[v]&^matchBit)
			}
			// A match stays a match.
			if again := next(rt.trans, got, byte(rng.Uint32())); again != got {
				t.Fatalf("match %#x moved to %#x", got, again)
			}
		}
	}
}
