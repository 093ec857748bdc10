package checksum

import (
	"math/rand/v2"
	"testing"
)

// randInitial returns an initial sum, often one of the edge values.
func randInitial(r *rand.Rand) uint32 {
	switch r.IntN(8) {
	case 0:
		return 0
	case 1:
		return 0xffff
	case 2:
		return 0xffffffff
	case 3:
		return r.Uint32() & 0xffff
	default:
		return r.Uint32()
	}
}

// fill fills b with random bytes, sometimes all 0x00 or all 0xff, the
// values that stress the carries and the zero representations.
func fill(r *rand.Rand, b []byte) {
	switch r.IntN(10) {
	case 0:
		clear(b)
	case 1:
		for i := range b {
			b[i] = 0xff
		}
	default:
		for i := range b {
			b[i] = byte(r.Uint32())
		}
	}
}

func checkAll(t *testing.T, b []byte, initial uint32, what string, args ...any) {
	t.Helper()
	want := refPartial(b, initial)
	if got := Partial(b, initial); got != want {
		t.Fatalf("Partial "+what+": got %#x, want %#x", append(args, got, want)...)
	}
	for _, k := range kernels() {
		if got := partialWith(k, b, initial); got != want {
			t.Fatalf("%s "+what+": got %#x, want %#x", append(append([]any{k.name}, args...), got, want)...)
		}
	}
}

// TestPartialEveryLength runs every length 0..9000 at every alignment 0..63
// with random initial sums. The reference sum grows a byte at a time as the
// length does, so the test costs what the kernels cost, not what the naive
// reference costs; it is spot-checked against refPartial itself.
func TestPartialEveryLength(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	maxLen := 9000
	if testing.Short() || raceEnabled {
		maxLen = 2000
	}
	buf := make([]byte, 64+maxLen)
	ks := kernels()
	for off := range 64 {
		b := buf[off:]
		fill(r, b)
		var data uint16 // reference sum of b[:n]
		for n := 0; n <= maxLen; n++ {
			initial := randInitial(r)
			want := uint32(refAdd(refAdd(uint16(initial>>16), uint16(initial)), data))
			if n%997 == 0 {
				if ref := refPartial(b[:n], initial); ref != want {
					t.Fatalf("len %d off %d: incremental reference %#x, refPartial %#x", n, off, want, ref)
				}
			}
			if got := Partial(b[:n], initial); got != want {
				t.Fatalf("Partial len %d off %d initial %#x: got %#x, want %#x", n, off, initial, got, want)
			}
			for _, k := range ks {
				if got := partialWith(k, b[:n], initial); got != want {
					t.Fatalf("%s len %d off %d initial %#x: got %#x, want %#x", k.name, n, off, initial, got, want)
				}
			}
			if n < maxLen {
				w := uint16(b[n])
				if n%2 == 0 {
					w <<= 8
				}
				data = refAdd(data, w)
			}
		}
	}
}

// TestPartialLarge crosses the AVX2 kernel's 1 MiB block boundary with
// all-0xff data, the worst case for lane overflow.
func TestPartialLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("large buffers")
	}
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1<<20 + 96 + 31, 2<<20 - 1, 2 << 20, 2<<20 + 128 + 33, 5<<20 + 7} {
		b := make([]byte, n)
		for i := range b {
			b[i] = 0xff
		}
		checkAll(t, b, 0, "all-ones len %d", n)
		fill(r, b)
		checkAll(t, b, randInitial(r), "random len %d", n)
	}
}

func TestPartialKnown(t *testing.T) {
	tests := []struct {
		name    string
		b       []byte
		initial uint32
		want    uint32
	}{
		{"empty", nil, 0, 0},
		{"empty with initial", nil, 0x12345, 0x2346},
		{"zeros", make([]byte, 100), 0, 0},
		{"one byte", []byte{0xab}, 0, 0xab00},
		{"ffff", []byte{0xff, 0xff}, 0, 0xffff},
		{"ffff+1", []byte{0xff, 0xff, 0x00, 0x01}, 0, 0x0001},
		// RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2.
		{"rfc1071", []byte{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7}, 0, 0xddf2},
		{"initial ffffffff", nil, 0xffffffff, 0xffff},
	}
	for _, tt := range tests {
		if got := Partial(tt.b, tt.initial); got != tt.want {
			t.Errorf("%s: Partial = %#x, want %#x", tt.name, got, tt.want)
		}
		if got := refPartial(tt.b, tt.initial); got != tt.want {
			t.Errorf("%s: refPartial = %#x, want %#x", tt.name, got, tt.want)
		}
	}
	if got := Checksum([]byte{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7}, 0); got != 0x220d {
		t.Errorf("Checksum(rfc1071) = %#x, want 0x220d", got)
	}
}

func TestFold(t *testing.T) {
	tests := []struct {
		in   uint32
		want uint16
	}{
		{0, 0}, {1, 1}, {0xffff, 0xffff}, {0x10000, 1}, {0x1fffe, 0xffff}, {0xffffffff, 0xffff},
		{0xfffeffff, 0xfffe}, {0x12345678, 0x68ac},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%#x) = %#x, want %#x", tt.in, got, tt.want)
		}
	}
}

// TestCombine splits random buffers at every offset and joins the pieces'
// sums with Combine.
func TestCombine(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 2, 3, 17, 64, 99, 300} {
		b := make([]byte, n)
		for range 4 {
			fill(r, b)
			initial := randInitial(r)
			want := refPartial(b, initial)
			for i := 0; i <= n; i++ {
				s := Partial(b[:i], initial)
				if got := Combine(s, Partial(b[i:], 0), i%2 == 1); got != want {
					t.Fatalf("len %d split %d: got %#x, want %#x", n, i, got, want)
				}
				// Three pieces.
				for j := i; j <= n && j < i+5; j++ {
					s := Partial(b[:i], initial)
					s = Combine(s, Partial(b[i:j], 0), i%2 == 1)
					s = Combine(s, Partial(b[j:], 0), j%2 == 1)
					if s != want {
						t.Fatalf("len %d split %d,%d: got %#x, want %#x", n, i, j, s, want)
					}
				}
			}
			// An even split may also continue with initial.
			for i := 0; i <= n; i += 2 {
				if got := Partial(b[i:], Partial(b[:i], initial)); got != want {
					t.Fatalf("len %d chained at %d: got %#x, want %#x", n, i, got, want)
				}
			}
		}
	}
}

func TestNoAllocs(t *testing.T) {
	b := make([]byte, 1500)
	var sink uint32
	if n := testing.AllocsPerRun(100, func() { sink += Partial(b, sink) }); n != 0 {
		t.Errorf("Partial allocates %v times", n)
	}
}
