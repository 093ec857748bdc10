package hash

import (
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"dpk/internal/testutil"
)

const vectorsPath = "hash/dpdk_hash_func_vectors.json"

// TestHashFuncVectors checks JHash and CRC32C against DPDK's
// test_hash_functions.c values.
func TestHashFuncVectors(t *testing.T) {
	raw, err := os.ReadFile(testutil.SharedData(t, vectorsPath))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var lens []int
	var inits []string
	if err := json.Unmarshal(doc["key_lens"], &lens); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(doc["initvals"], &inits); err != nil {
		t.Fatal(err)
	}
	key := make([]byte, 64)
	for i := range key {
		key[i] = byte(i)
	}
	funcs := map[string]HashFunc{"rte_jhash": JHash, "rte_hash_crc": CRC32C}
	checked := 0
	for name, raw := range doc {
		var fn HashFunc
		for prefix, f := range funcs {
			if strings.HasPrefix(name, prefix+" ") {
				fn = f
			}
		}
		if fn == nil {
			continue
		}
		var vals map[string][]string
		if err := json.Unmarshal(raw, &vals); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, iv := range inits {
			init, err := strconv.ParseUint(iv, 0, 32)
			if err != nil {
				t.Fatal(err)
			}
			want := vals[iv]
			if len(want) != len(lens) {
				t.Fatalf("%s %s: %d values for %d lengths", name, iv, len(want), len(lens))
			}
			for i, n := range lens {
				w, err := strconv.ParseUint(want[i], 0, 32)
				if err != nil {
					t.Fatal(err)
				}
				if got := fn(key[:n], uint32(init)); got != uint32(w) {
					t.Errorf("%s len %d init %s: got %#08x, want %#08x", name, n, iv, got, w)
				}
				checked++
			}
		}
	}
	if checked != 2*len(inits)*len(lens) {
		t.Fatalf("checked %d vectors, want %d: file layout changed?", checked, 2*len(inits)*len(lens))
	}
}

// TestCRC32CSemantics checks CRC32C against the standard library: DPDK's
// rte_hash_crc is the register without inversions.
func TestCRC32CSemantics(t *testing.T) {
	tab := crc32.MakeTable(crc32.Castagnoli)
	r := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 600)
	for i := range buf {
		buf[i] = byte(r.Uint32())
	}
	for n := 0; n <= len(buf); n++ {
		init := r.Uint32()
		p := buf[:n]
		want := ^crc32.Update(^init, tab, p)
		if got := CRC32C(p, init); got != want {
			t.Fatalf("len %d: CRC32C %#x, want %#x", n, got, want)
		}
		if got := crc32cGeneric(init, p); got != want {
			t.Fatalf("len %d: generic %#x, want %#x", n, got, want)
		}
		// Unaligned starts.
		if n > 3 {
			if got, want := CRC32C(p[3:], init), ^crc32.Update(^init, tab, p[3:]); got != want {
				t.Fatalf("len %d off 3: %#x, want %#x", n, got, want)
			}
		}
	}
	// The RFC 3720 check value is the inverted form.
	if got := ^CRC32C([]byte("123456789"), ^uint32(0)); got != 0xe3069283 {
		t.Fatalf("check value %#x", got)
	}
	for i := 0; i < 1000; i++ {
		v, init := r.Uint64(), r.Uint32()
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], v)
		if got, want := CRC32CUint64(v, init), CRC32C(b[:], init); got != want {
			t.Fatalf("CRC32CUint64 %#x", got)
		}
		if got, want := CRC32CUint32(uint32(v), init), CRC32C(b[:4], init); got != want {
			t.Fatalf("CRC32CUint32 %#x", got)
		}
		if got, want := crc32cUint32Table(uint32(v), init), CRC32C(b[:4], init); got != want {
			t.Fatalf("crc32cUint32Table %#x, want %#x", got, want)
		}
		if got, want := CRC32CUint16(uint16(v), init), CRC32C(b[:2], init); got != want {
			t.Fatalf("CRC32CUint16 %#x", got)
		}
		if got, want := CRC32CUint8(uint8(v), init), CRC32C(b[:1], init); got != want {
			t.Fatalf("CRC32CUint8 %#x", got)
		}
	}
}

// TestJHashVariants checks the word variants against JHash, as
// test_hash_functions.c's verify_jhash_32bits and verify_jhash_words, and
// JHash against a byte-at-a-time reference of lookup3's hashlittle.
func TestJHashVariants(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	key := make([]byte, 200)
	for i := range key {
		key[i] = byte(r.Uint32())
	}
	for _, init := range []uint32{0, 0xdeadbeef, r.Uint32()} {
		for n := 0; n <= len(key); n++ {
			want := refHashlittle(key[:n], init)
			if got := JHash(key[:n], init); got != want {
				t.Fatalf("JHash len %d: %#x, want %#x", n, got, want)
			}
			if c, _ := JHash2Hashes(key[:n], init, 0); c != want {
				t.Fatalf("JHash2Hashes len %d: %#x, want %#x", n, c, want)
			}
			if n%4 == 0 {
				w := make([]uint32, n/4)
				for i := range w {
					w[i] = binary.LittleEndian.Uint32(key[4*i:])
				}
				if got := JHash32b(w, init); got != want {
					t.Fatalf("JHash32b len %d: %#x, want %#x", n, got, want)
				}
			}
		}
		w := [3]uint32{r.Uint32(), r.Uint32(), r.Uint32()}
		var b [12]byte
		for i, v := range w {
			binary.LittleEndian.PutUint32(b[4*i:], v)
		}
		if JHash1Word(w[0], init) != JHash(b[:4], init) ||
			JHash2Words(w[0], w[1], init) != JHash(b[:8], init) ||
			JHash3Words(w[0], w[1], w[2], init) != JHash(b[:12], init) {
			t.Fatal("JHashNWords differ from JHash")
		}
	}
}

// refHashlittle is lookup3.c's hashlittle, byte-wise path.
func refHashlittle(k []byte, initval uint32) uint32 {
	rot := func(x uint32, n uint) uint32 { return x<<n | x>>(32-n) }
	length := uint32(len(k))
	a := 0xdeadbeef + length + initval
	b, c := a, a
	for length > 12 {
		a += uint32(k[0]) + uint32(k[1])<<8 + uint32(k[2])<<16 + uint32(k[3])<<24
		b += uint32(k[4]) + uint32(k[5])<<8 + uint32(k[6])<<16 + uint32(k[7])<<24
		c += uint32(k[8]) + uint32(k[9])<<8 + uint32(k[10])<<16 + uint32(k[11])<<24
		a -= c
		a ^= rot(c, 4)
		c += b
		b -= a
		b ^= rot(a, 6)
		a += c
		c -= b
		c ^= rot(b, 8)
		b += a
		a -= c
		a ^= rot(c, 16)
		c += b
		b -= a
		b ^= rot(a, 19)
		a += c
		c -= b
		c ^= rot(b, 4)
		b += a
		length -= 12
		k = k[12:]
	}
	switch length {
	case 12:
		c += uint32(k[11]) << 24
		fallthrough
	case 11:
		c += uint32(k[10]) << 16
		fallthrough
	case 10:
		c += uint32(k[9]) << 8
		fallthrough
	case 9:
		c += uint32(k[8])
		fallthrough
	case 8:
		b += uint32(k[7]) << 24
		fallthrough
	case 7:
		b += uint32(k[6]) << 16
		fallthrough
	case 6:
		b += uint32(k[5]) << 8
		fallthrough
	case 5:
		b += uint32(k[4])
		fallthrough
	case 4:
		a += uint32(k[3]) << 24
		fallthrough
	case 3:
		a += uint32(k[2]) << 16
		fallthrough
	case 2:
		a += uint32(k[1]) << 8
		fallthrough
	case 1:
		a += uint32(k[0])
	case 0:
		return c
	}
	c ^= b
	c -= rot(b, 14)
	a ^= c
	a -= rot(c, 11)
	b ^= a
	b -= rot(a, 25)
	c ^= b
	c -= rot(b, 16)
	a ^= c
	a -= rot(c, 4)
	b ^= a
	b -= rot(a, 14)
	c ^= b
	c -= rot(b, 24)
	return c
}
