package fib6

import (
	"errors"
	"testing"
)

// The cases of DPDK 22.11's app/test/test_fib6.c.

const (
	maxRoutes = 1 << 16
	maxTbl8   = 1 << 15
)

func TestDPDKCreateInvalid(t *testing.T) {
	ok := Config{Type: Dummy, MaxRoutes: maxRoutes}
	trie := Config{Type: Trie, MaxRoutes: maxRoutes, NHSize: NH8B, NumTbl8: maxTbl8}
	with := func(c Config, f func(*Config)) Config { f(&c); return c }
	for _, c := range []struct {
		what   string
		name   string
		socket int
		cfg    Config
	}{
		{"empty name", "", -1, ok},
		{"socket -2", "test_create_invalid", -2, ok},
		{"max routes 0", "test_create_invalid", -1, with(ok, func(c *Config) { c.MaxRoutes = 0 })},
		{"type Trie+1", "test_create_invalid", -1, with(ok, func(c *Config) { c.Type = Trie + 1 })},
		{"nh size 8B+1", "test_create_invalid", -1, with(trie, func(c *Config) { c.NHSize = NH8B + 1 })},
		{"nh size 1B", "test_create_invalid", -1, with(trie, func(c *Config) { c.NHSize = 0 })},
		{"0 tbl8s", "test_create_invalid", -1, with(trie, func(c *Config) { c.NumTbl8 = 0 })},
		{"32768 tbl8s of 2B", "test_create_invalid", -1, with(trie, func(c *Config) { c.NHSize, c.NumTbl8 = NH2B, 32768 })},
	} {
		if f, err := Create(c.name, c.socket, c.cfg); !errors.Is(err, ErrInvalid) {
			f.Free()
			t.Errorf("%s: Create = %v, want ErrInvalid", c.what, err)
		}
	}
}

func TestDPDKMultipleCreate(t *testing.T) { // fib6_slow_autotest, test_free_null
	for i := range 100 {
		f, err := Create("test_multiple_create", -1, Config{Type: Dummy, MaxRoutes: maxRoutes - i})
		if err != nil {
			t.Fatal(err)
		}
		f.Free()
	}
	var nilFIB *FIB
	nilFIB.Free()
	f := newFIB(t, Config{Type: Dummy, MaxRoutes: 10})
	if _, err := Create(f.Name(), -1, Config{Type: Dummy, MaxRoutes: 10}); !errors.Is(err, ErrExist) {
		t.Errorf("Create of a taken name = %v, want ErrExist", err)
	}
	if g, err := FindExisting(f.Name()); g != f || err != nil {
		t.Errorf("FindExisting = %p, %v; want %p", g, err, f)
	}
	if _, err := FindExisting("no such fib"); !errors.Is(err, ErrNotFound) {
		t.Errorf("FindExisting of an unknown name = %v, want ErrNotFound", err)
	}
}

func TestDPDKAddDelInvalid(t *testing.T) {
	for _, cfg := range []Config{
		{Type: Dummy, MaxRoutes: 2},
		{Type: Trie, MaxRoutes: 2, NHSize: NH2B, NumTbl8: 100},
	} {
		f := newFIB(t, cfg)
		var ip [AddrSize]byte
		if err := f.Add(ip, MaxDepth+1, 100); !errors.Is(err, ErrInvalid) {
			t.Errorf("%v: Add /129 = %v, want ErrInvalid", cfg.Type, err)
		}
		if err := f.Delete(ip, MaxDepth+1); !errors.Is(err, ErrInvalid) {
			t.Errorf("%v: Delete /129 = %v, want ErrInvalid", cfg.Type, err)
		}
		if err := f.Delete(ip, 24); !errors.Is(err, ErrNotFound) {
			t.Errorf("%v: Delete of a missing route = %v, want ErrNotFound", cfg.Type, err)
		}
		if cfg.Type == Trie {
			if err := f.Add(ip, 24, 32768); !errors.Is(err, ErrInvalid) {
				t.Errorf("Add of next hop 32768 with 2-byte cells = %v, want ErrInvalid", err)
			}
		}
		f.Add(ip, 8, 1)
		f.Add(ip, 16, 1)
		if err := f.Add(ip, 24, 1); !errors.Is(err, ErrNoSpace) {
			t.Errorf("%v: third route with MaxRoutes 2 = %v, want ErrNoSpace", cfg.Type, err)
		}
	}
}

func maskPart(depth, b int) byte { // rte_rib6.h's get_msk_part
	part := min(max(min(depth, 128)-b*8, 0), 8)
	return byte(uint16(0xff00) >> part)
}

// checkFIB is test_fib6.c's check_fib: routes 8000::/1../128 with next
// hop = depth, added and deleted in both orders, looked up after each step
// at the last address of each prefix.
func checkFIB(t *testing.T, f *FIB) {
	const def = 100
	ipAdd, missing := [AddrSize]byte{128}, [AddrSize]byte{127}
	ips := make([][AddrSize]byte, MaxDepth)
	for i := range ips {
		for j := range ips[i] {
			ips[i][j] = ipAdd[j] | ^maskPart(MaxDepth-i, j)
		}
	}
	nhs := make([]uint64, MaxDepth)
	asc := func(n uint64) {
		t.Helper()
		f.LookupBulk(ips, nhs)
		i := 0
		for ; i <= MaxDepth-int(n); i++ {
			if nhs[i] != n {
				t.Fatalf("asc %d: next hop %d is %d", n, i, nhs[i])
			}
		}
		for ; i < MaxDepth; i++ {
			n--
			if nhs[i] != n {
				t.Fatalf("asc: next hop %d is %d, want %d", i, nhs[i], n)
			}
		}
		if nh := f.Lookup(&missing); nh != def {
			t.Fatalf("missing address: %d", nh)
		}
	}
	desc := func(n int) {
		t.Helper()
		f.LookupBulk(ips, nhs)
		for i := range MaxDepth {
			want := uint64(def)
			if i < n {
				want = uint64(MaxDepth - i)
			}
			if nhs[i] != want {
				t.Fatalf("desc %d: next hop %d is %d, want %d", n, i, nhs[i], want)
			}
		}
		if nh := f.Lookup(&missing); nh != def {
			t.Fatalf("missing address: %d", nh)
		}
	}
	desc(0)
	for i := 1; i <= MaxDepth; i++ {
		if err := f.Add(ipAdd, uint8(i), uint64(i)); err != nil {
			t.Fatal(err)
		}
		asc(uint64(i))
	}
	for i := MaxDepth; i > 1; i-- {
		if err := f.Delete(ipAdd, uint8(i)); err != nil {
			t.Fatal(err)
		}
		asc(uint64(i - 1))
	}
	if err := f.Delete(ipAdd, 1); err != nil {
		t.Fatal(err)
	}
	desc(0)
	for i := 0; i < MaxDepth; i++ {
		if err := f.Add(ipAdd, uint8(MaxDepth-i), uint64(MaxDepth-i)); err != nil {
			t.Fatal(err)
		}
		desc(i + 1)
	}
	for i := 1; i <= MaxDepth; i++ {
		if err := f.Delete(ipAdd, uint8(i)); err != nil {
			t.Fatal(err)
		}
		desc(MaxDepth - i)
	}
}

func TestDPDKLookup(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  Config
	}{
		{"dummy", Config{Type: Dummy}},
		{"2B", Config{Type: Trie, NHSize: NH2B, NumTbl8: maxTbl8 - 1}},
		{"4B", Config{Type: Trie, NHSize: NH4B, NumTbl8: maxTbl8}},
		{"8B", Config{Type: Trie, NHSize: NH8B, NumTbl8: maxTbl8}},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.cfg.MaxRoutes, c.cfg.DefaultNH = maxRoutes, 100
			f := newFIB(t, c.cfg)
			checkFIB(t, f)
			if f.Tbl8sInUse() != 0 || f.Routes() != 0 {
				t.Errorf("empty FIB: %d tbl8 groups, %d routes", f.Tbl8sInUse(), f.Routes())
			}
		})
	}
}

// TestTbl8Exhaustion: a route takes a tbl8 group for each byte beyond the
// third that no other route has opened; Add fails with ErrNoSpace,
// changing nothing, when they are not free.
func TestTbl8Exhaustion(t *testing.T) {
	f := newFIB(t, Config{Type: Trie, MaxRoutes: 100, NHSize: NH2B, NumTbl8: 16})
	var z [AddrSize]byte
	if err := f.Add(z, 128, 1); err != nil { // 13 groups
		t.Fatal(err)
	}
	one := [AddrSize]byte{1}
	if err := f.Add(one, 41, 2); err != nil { // 3 more
		t.Fatal(err)
	}
	if err := f.Add(one, 49, 3); !errors.Is(err, ErrNoSpace) {
		t.Fatalf("a /49 needing a 17th group: %v, want ErrNoSpace", err)
	}
	if f.Routes() != 2 || f.Lookup(&one) != 2 || f.Tbl8sInUse() != 16 {
		t.Fatal("a failed Add changed the FIB")
	}
	if err := f.Delete(one, 41); err != nil {
		t.Fatal(err)
	}
	if err := f.Add(one, 49, 3); !errors.Is(err, ErrNoSpace) {
		t.Fatalf("a /49 needing 4 groups with 3 free: %v, want ErrNoSpace", err)
	}
	if err := f.Add(one, 41, 3); err != nil {
		t.Fatalf("after a delete gave 3 groups back: %v", err)
	}
}
