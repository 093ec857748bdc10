package checksum

import (
	"encoding/binary"
	"math/rand/v2"
	"strconv"
	"testing"
)

var sink uint32

// benchKernels names the implementations BenchmarkPartial compares: "asm" is
// the fastest assembly kernel here, "generic" the portable one, "dispatch"
// Partial itself, which picks one by length and CPU.
func benchKernels() []kernel {
	ks := []kernel{{"generic", sumGeneric}}
	for _, k := range kernels() {
		switch k.name {
		case "avx2":
			ks = append(ks, kernel{"asm", k.sum})
		case "adc":
			ks = append(ks, k)
		}
	}
	return ks
}

func BenchmarkPartial(b *testing.B) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{20, 64, 256, 1500, 9000} {
		buf := make([]byte, n)
		fill(r, buf)
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			b.Run("dispatch", func(b *testing.B) {
				b.SetBytes(int64(n))
				b.ReportAllocs()
				for b.Loop() {
					sink = Partial(buf, sink)
				}
			})
			for _, k := range benchKernels() {
				b.Run(k.name, func(b *testing.B) {
					b.SetBytes(int64(n))
					b.ReportAllocs()
					for b.Loop() {
						sink = partialWith(k, buf, sink)
					}
				})
			}
		})
	}
}

// BenchmarkIPv4Header sums 20-byte headers, 16 different ones in turn.
func BenchmarkIPv4Header(b *testing.B) {
	var hdrs [16][]byte
	for i := range hdrs {
		hdrs[i] = ipv4Hdr(protoUDP, 100+i, uint16(i))
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		sink += uint32(IPv4Header(hdrs[i%16]))
		i++
	}
}

// BenchmarkUDPTCPIPv4 is the whole L4 checksum of a TCP segment over IPv4,
// pseudo-header included.
func BenchmarkUDPTCPIPv4(b *testing.B) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, n := range []int{64, 1500, 9000} {
		l4 := make([]byte, n-20)
		fill(r, l4)
		ip := ipv4Hdr(protoTCP, len(l4), 1)
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			b.SetBytes(int64(len(l4)))
			b.ReportAllocs()
			for b.Loop() {
				sink += uint32(UDPTCPIPv4(ip, l4))
			}
		})
	}
}

func BenchmarkSCTP(b *testing.B) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, n := range []int{64, 1500} {
		buf := make([]byte, n)
		fill(r, buf)
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				sink += SCTP(buf)
			}
		})
	}
}

func BenchmarkUpdate(b *testing.B) {
	var old, new [16]byte
	binary.BigEndian.PutUint64(new[8:], 0x0123456789abcdef)
	b.Run("16", func(b *testing.B) {
		for b.Loop() {
			sink = uint32(Update16(uint16(sink), 0x4011, 0x3f11))
		}
	})
	b.Run("128", func(b *testing.B) {
		for b.Loop() {
			sink = uint32(Update128(uint16(sink), old, new))
		}
	})
}
