package eal_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unsafe"

	"dpk/eal"
	"dpk/internal/testutil"
)

func TestMemzoneLifecycle(t *testing.T) {
	for _, mode := range []struct {
		name string
		args []string
		huge bool
	}{
		{"nohuge", nil, false},
		{"nohuge-inmemory", []string{"--in-memory"}, false},
		{"hugepages", []string{}, true},
	} {
		t.Run(mode.name, func(t *testing.T) {
			args := append([]string{}, mode.args...)
			if mode.huge {
				testutil.SkipWithoutHugepages(t)
				args = []string{"test", "--file-prefix", testutil.Prefix(t), "-l", "0"}
				if _, err := eal.Init(args); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { eal.Cleanup() })
				if eal.HugepageSize() < 2<<20 {
					t.Fatalf("hugepage size %d with hugepages free", eal.HugepageSize())
				}
			} else {
				testutil.InitEAL(t, args...)
			}
			checkMemzones(t, mode.huge)
		})
	}
}

func checkMemzones(t *testing.T, huge bool) {
	z1, err := eal.MemzoneReserve("mz_one", 1000, eal.SocketIDAny, 0)
	if err != nil {
		t.Fatal(err)
	}
	if uintptr(z1.Addr())%eal.CacheLineSize != 0 {
		t.Errorf("memzone at %p not cache aligned", z1.Addr())
	}
	b := z1.Bytes()
	if len(b) != 1000 {
		t.Fatalf("len %d", len(b))
	}
	for i, c := range b {
		if c != 0 {
			t.Fatalf("byte %d of a new memzone is %#x, want 0", i, c)
		}
	}
	copy(b, "hello")
	if _, err := eal.MemzoneReserve("mz_one", 10, eal.SocketIDAny, 0); !errors.Is(err, eal.ErrExist) {
		t.Errorf("duplicate reserve: %v, want ErrExist", err)
	}
	z2, err := eal.MemzoneReserveAligned("mz_two", 4096, 0, 0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if uintptr(z2.Addr())%(1<<20) != 0 {
		t.Errorf("1 MiB aligned memzone at %p", z2.Addr())
	}
	if z2.Socket() != 0 {
		t.Errorf("socket %d", z2.Socket())
	}
	l, err := eal.MemzoneLookup("mz_one")
	if err != nil {
		t.Fatal(err)
	}
	if l.Addr() != z1.Addr() || !bytes.HasPrefix(l.Bytes(), []byte("hello")) {
		t.Errorf("lookup gave %v", l)
	}
	if l.Offset() != eal.VirtToOffset(l.Addr()) || eal.OffsetToVirt(l.Offset()) != l.Addr() {
		t.Errorf("offset conversions disagree")
	}
	if huge && z1.HugepageSize() < 2<<20 {
		t.Errorf("memzone on page size %d with hugepages", z1.HugepageSize())
	}
	var dump strings.Builder
	eal.MemzoneDump(&dump)
	if !strings.Contains(dump.String(), "name:<mz_one>") || !strings.Contains(dump.String(), "name:<mz_two>") {
		t.Errorf("dump lacks zones:\n%s", dump.String())
	}
	stats := eal.MemoryStats()
	if len(stats) == 0 || stats[0].AllocBytes < 1000+4096 {
		t.Errorf("stats %+v", stats)
	}
	alloc := stats[0].AllocBytes
	if err := eal.MemzoneFree(z1); err != nil {
		t.Fatal(err)
	}
	if err := eal.MemzoneFree(z1); err == nil {
		t.Error("double free of a memzone succeeded")
	}
	if _, err := eal.MemzoneLookup("mz_one"); !errors.Is(err, eal.ErrNotFound) {
		t.Errorf("lookup after free: %v", err)
	}
	if s := eal.MemoryStats(); s[0].AllocBytes >= alloc {
		t.Errorf("alloc bytes %d after free, was %d", s[0].AllocBytes, alloc)
	}
	// Reused memory is zeroed.
	z3, err := eal.MemzoneReserve("mz_three", 1000, eal.SocketIDAny, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range z3.Bytes() {
		if c != 0 {
			t.Fatalf("byte %d of a reused memzone is %#x", i, c)
		}
	}
	// Growth beyond one chunk and many zones.
	big, err := eal.MemzoneReserve("mz_big", 100<<20, eal.SocketIDAny, 0)
	if err != nil {
		t.Fatal(err)
	}
	p := (*[1 << 20]byte)(unsafe.Add(big.Addr(), 99<<20))
	p[len(p)-1] = 7
	for i := 0; i < 200; i++ {
		if _, err := eal.MemzoneReserve("mz_small_"+string(rune('a'+i%26))+string(rune('a'+i/26)), 64, eal.SocketIDAny, 0); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	eal.MemzoneWalk(func(*eal.Memzone) { n++ })
	if n != 203 {
		t.Errorf("walk saw %d zones, want 203", n)
	}
}

func TestMemzoneBadInput(t *testing.T) {
	testutil.InitEAL(t, "--in-memory")
	for _, tc := range []struct {
		name  string
		size  uint64
		align uint64
		sock  int
	}{
		{"", 10, 64, -1},
		{strings.Repeat("x", 40), 10, 64, -1},
		{"zero", 0, 64, -1},
		{"badalign", 10, 100, -1},
		{"badsock", 10, 64, 99},
		{"huge", 1 << 50, 64, -1},
	} {
		if _, err := eal.MemzoneReserveAligned(tc.name, tc.size, tc.sock, 0, tc.align); err == nil {
			t.Errorf("reserve(%q, %d, align %d, socket %d) succeeded", tc.name, tc.size, tc.align, tc.sock)
		}
	}
	if err := eal.MemzoneFree(nil); err == nil {
		t.Error("free(nil) succeeded")
	}
}

func TestNotInitialised(t *testing.T) {
	if _, err := eal.MemzoneReserve("x", 10, -1, 0); !errors.Is(err, eal.ErrNotInit) {
		t.Errorf("reserve before init: %v", err)
	}
	if err := eal.Cleanup(); !errors.Is(err, eal.ErrNotInit) {
		t.Errorf("cleanup before init: %v", err)
	}
}
