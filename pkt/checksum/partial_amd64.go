//go:build !purego

package checksum

import "golang.org/x/sys/cpu"

// useAVX2 selects the AVX2 kernel for every length; cpu.X86.HasAVX2 also
// checks that the OS saves the YMM registers. Below 128 bytes sumAVX2 runs the
// scalar code of sumADC, which is faster than sumGeneric there too.
var useAVX2 = cpu.X86.HasAVX2

// sumADC is the scalar kernel in partial_amd64.s: one ADC chain, 64 bytes an
// iteration, about 25% faster than the ADC loop Go compiles sumGeneric to.
//
//go:noescape
func sumADC(b []byte) uint16

// sumAVX2 is the AVX2 kernel in partial_amd64.s. It requires AVX2.
//
//go:noescape
func sumAVX2(b []byte) uint16

// sumScalar is the kernel for amd64 machines without AVX2.
func sumScalar(b []byte) uint16 { return sumADC(b) }
