package fib6

import (
	"net/netip"
	"testing"

	"dpk/eal"
	"dpk/internal/testutil"
)

// With the EAL running a trie FIB's cells live in a memzone named after
// it, which Free releases.
func TestMemzone(t *testing.T) {
	testutil.InitEAL(t, "-m", "512", "--log-level", "*:error")
	f, err := Create("mz", eal.SocketIDAny, Config{Type: Trie, MaxRoutes: 16, NHSize: NH2B, NumTbl8: 64, DefaultNH: 9})
	if err != nil {
		t.Fatal(err)
	}
	mz, err := eal.MemzoneLookup(MemzonePrefix + "mz")
	if err != nil {
		t.Fatalf("no memzone for the FIB: %v", err)
	}
	if want := uint64(1<<24+64*256) * 2; mz.Len() < want {
		t.Errorf("memzone of %d bytes, want %d", mz.Len(), want)
	}
	a := netip.MustParseAddr("2001:db8::1").As16()
	if err := f.Add(a, 128, 7); err != nil {
		t.Fatal(err)
	}
	if nh := f.Lookup(&a); nh != 7 {
		t.Fatalf("Lookup = %d, want 7", nh)
	}
	b := netip.MustParseAddr("2001:db8::2").As16()
	if nh := f.Lookup(&b); nh != 9 {
		t.Fatalf("Lookup = %d, want the default 9", nh)
	}
	f.Free()
	if _, err := eal.MemzoneLookup(MemzonePrefix + "mz"); err == nil {
		t.Error("memzone still there after Free")
	}
}
