package multibit

import "testing"

func TestMask(t *testing.T) {
	ip := [16]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	for _, c := range []struct {
		depth uint8
		want  [16]byte
	}{
		{0, [16]byte{}},
		{1, [16]byte{0x80}},
		{12, [16]byte{0xff, 0xf0}},
		{127, [16]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe}},
		{128, ip},
	} {
		if got := Mask(ip, c.depth); got != c.want {
			t.Errorf("Mask(/%d) = %x, want %x", c.depth, got, c.want)
		}
	}
	for d, want := range map[uint8]uint32{0: 0, 1: 0x80000000, 24: 0xffffff00, 31: 0xfffffffe, 32: 0xffffffff} {
		if got := Mask4(0xffffffff, d); got != want {
			t.Errorf("Mask4(/%d) = %#x, want %#x", d, got, want)
		}
	}
}

func TestRules(t *testing.T) {
	r := NewRules(32, Mask4)
	r.Set(0, 0, 1, true)
	r.Set(0x0a000000, 8, 2, true)
	r.Set(0x0a010000, 16, 3, true)
	r.Set(0x0a010000, 16, 4, false)
	if r.Len() != 3 {
		t.Fatalf("Len = %d, want 3", r.Len())
	}
	for _, c := range []struct {
		ip    uint32
		depth uint8
		nh    uint64
		cover int
	}{
		{0x0a010100, 24, 4, 16},
		{0x0a010000, 16, 2, 8},
		{0x0a000000, 8, 1, 0},
		{0, 0, 0, -1},
	} {
		if nh, d := r.Covering(c.ip, c.depth); nh != c.nh || d != c.cover {
			t.Errorf("Covering(%#x/%d) = %d, /%d; want %d, /%d", c.ip, c.depth, nh, d, c.nh, c.cover)
		}
	}
	if nh, ok := r.Match(0x0a0101ff); !ok || nh != 4 {
		t.Errorf("Match = %d, %v; want 4", nh, ok)
	}
	if !r.Delete(0, 0) || r.Delete(0, 0) {
		t.Error("Delete of the default route: want true, then false")
	}
	if nh, ok := r.Match(0x0b000000); ok {
		t.Errorf("Match with no covering route = %d, true", nh)
	}
}

func TestFill(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 255, 256, 1000} {
		s := make([]uint16, n)
		fill(s, 7)
		for i, v := range s {
			if v != 7 {
				t.Fatalf("fill of %d: s[%d] = %d", n, i, v)
			}
		}
	}
}
