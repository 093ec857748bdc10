//go:build !purego

package checksum

import (
	"math/rand/v2"
	"testing"
)

// kernels lists every implementation of the 16-bit sum that runs here, for
// the tests and benchmarks that compare them.
func kernels() []kernel {
	ks := []kernel{
		{"generic", sumGeneric},
		{"adc", sumADC},
	}
	if useAVX2 {
		ks = append(ks, kernel{"avx2", sumAVX2})
	}
	return ks
}

// TestPartialWithoutAVX2 runs Partial down the path of amd64 machines
// without AVX2.
func TestPartialWithoutAVX2(t *testing.T) {
	defer func(v bool) { useAVX2 = v }(useAVX2)
	useAVX2 = false
	r := rand.New(rand.NewPCG(31, 32))
	buf := make([]byte, 3000)
	for n := range len(buf) {
		b := buf[:n]
		fill(r, b)
		initial := randInitial(r)
		if got, want := Partial(b, initial), refPartial(b, initial); got != want {
			t.Fatalf("len %d: Partial = %#x, want %#x", n, got, want)
		}
	}
}
