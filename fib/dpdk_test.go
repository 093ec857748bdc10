package fib

import (
	"errors"
	"testing"
)

// The cases of DPDK 22.11's app/test/test_fib.c.

const (
	maxRoutes = 1 << 16
	maxTbl8   = 1 << 15
)

func TestDPDKCreateInvalid(t *testing.T) {
	ok := Config{Type: Dummy, MaxRoutes: maxRoutes}
	dir := Config{Type: DIR24_8, MaxRoutes: maxRoutes, NHSize: NH8B, NumTbl8: maxTbl8}
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
		{"type DIR24_8+1", "test_create_invalid", -1, with(ok, func(c *Config) { c.Type = DIR24_8 + 1 })},
		{"nh size 8B+1", "test_create_invalid", -1, with(dir, func(c *Config) { c.NHSize = NH8B + 1 })},
		{"0 tbl8s", "test_create_invalid", -1, with(dir, func(c *Config) { c.NumTbl8 = 0 })},
		{"128 tbl8s of 1B", "test_create_invalid", -1, with(dir, func(c *Config) { c.NHSize, c.NumTbl8 = NH1B, 128 })},
		{"default next hop over 1B", "test_create_invalid", -1, with(dir, func(c *Config) { c.NHSize, c.NumTbl8, c.DefaultNH = NH1B, 100, 128 })},
	} {
		if f, err := Create(c.name, c.socket, c.cfg); !errors.Is(err, ErrInvalid) {
			f.Free()
			t.Errorf("%s: Create = %v, want ErrInvalid", c.what, err)
		}
	}
}

func TestDPDKMultipleCreate(t *testing.T) { // fib_slow_autotest, test_free_null
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
		{Type: Dummy, MaxRoutes: maxRoutes},
		{Type: DIR24_8, MaxRoutes: maxRoutes, NHSize: NH1B, NumTbl8: 127},
	} {
		f := newFIB(t, cfg)
		if err := f.Add(0, MaxDepth+1, 100); !errors.Is(err, ErrInvalid) {
			t.Errorf("%v: Add /33 = %v, want ErrInvalid", cfg.Type, err)
		}
		if err := f.Delete(0, MaxDepth+1); !errors.Is(err, ErrInvalid) {
			t.Errorf("%v: Delete /33 = %v, want ErrInvalid", cfg.Type, err)
		}
		if err := f.Delete(0, 24); !errors.Is(err, ErrNotFound) {
			t.Errorf("%v: Delete of a missing route = %v, want ErrNotFound", cfg.Type, err)
		}
		if cfg.Type == DIR24_8 {
			if err := f.Add(0, 24, 128); !errors.Is(err, ErrInvalid) {
				t.Errorf("Add of next hop 128 with 1-byte cells = %v, want ErrInvalid", err)
			}
		}
	}
}

// checkFIBAsc and checkFIBDesc are lookup_and_check_asc and _desc.
func checkFIBAsc(t *testing.T, f *FIB, ips []uint32, missing uint32, def uint64, n uint64) {
	t.Helper()
	nhs := make([]uint64, MaxDepth)
	f.LookupBulk(ips, nhs)
	i := 0
	for ; i <= MaxDepth-int(n); i++ {
		if nhs[i] != n {
			t.Fatalf("asc %d: next hop %d of %#08x is %d, want %d", n, i, ips[i], nhs[i], n)
		}
	}
	for ; i < MaxDepth; i++ {
		n--
		if nhs[i] != n {
			t.Fatalf("asc: next hop %d of %#08x is %d, want %d", i, ips[i], nhs[i], n)
		}
	}
	if nh := f.Lookup(missing); nh != def {
		t.Fatalf("missing address: %d, want %d", nh, def)
	}
}

func checkFIBDesc(t *testing.T, f *FIB, ips []uint32, missing uint32, def uint64, n int) {
	t.Helper()
	nhs := make([]uint64, MaxDepth)
	f.LookupBulk(ips, nhs)
	i := 0
	for ; i < n; i++ {
		if nhs[i] != uint64(MaxDepth-i) {
			t.Fatalf("desc %d: next hop %d is %d, want %d", n, i, nhs[i], MaxDepth-i)
		}
	}
	for ; i < MaxDepth; i++ {
		if nhs[i] != def {
			t.Fatalf("desc %d: next hop %d is %d, want the default %d", n, i, nhs[i], def)
		}
	}
	if nh := f.Lookup(missing); nh != def {
		t.Fatalf("missing address: %d, want %d", nh, def)
	}
}

// checkFIB is test_fib.c's check_fib: routes 128.0.0.0/1../32 with next
// hop = depth, added and deleted in both orders, looked up after each
// step at 128.0.0.0 + 2^i - 1.
func checkFIB(t *testing.T, f *FIB) {
	const def = 100
	ipAdd, missing := uint32(128<<24), uint32(127<<24|255<<16|255<<8|255)
	ips := make([]uint32, MaxDepth)
	for i := range ips {
		ips[i] = ipAdd + uint32(1<<i) - 1
	}
	checkFIBDesc(t, f, ips, missing, def, 0)
	for i := uint8(1); i <= MaxDepth; i++ {
		if err := f.Add(ipAdd, i, uint64(i)); err != nil {
			t.Fatal(err)
		}
		checkFIBAsc(t, f, ips, missing, def, uint64(i))
	}
	for i := uint8(MaxDepth); i > 1; i-- {
		if err := f.Delete(ipAdd, i); err != nil {
			t.Fatal(err)
		}
		checkFIBAsc(t, f, ips, missing, def, uint64(i-1))
	}
	if err := f.Delete(ipAdd, 1); err != nil {
		t.Fatal(err)
	}
	checkFIBDesc(t, f, ips, missing, def, 0)
	for i := 0; i < MaxDepth; i++ {
		if err := f.Add(ipAdd, uint8(MaxDepth-i), uint64(MaxDepth-i)); err != nil {
			t.Fatal(err)
		}
		checkFIBDesc(t, f, ips, missing, def, i+1)
	}
	for i := 1; i <= MaxDepth; i++ {
		if err := f.Delete(ipAdd, uint8(i)); err != nil {
			t.Fatal(err)
		}
		checkFIBDesc(t, f, ips, missing, def, MaxDepth-i)
	}
}

func TestDPDKLookup(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  Config
	}{
		{"dummy", Config{Type: Dummy}},
		{"1B", Config{Type: DIR24_8, NHSize: NH1B, NumTbl8: 127}},
		{"2B", Config{Type: DIR24_8, NHSize: NH2B, NumTbl8: maxTbl8 - 1}},
		{"4B", Config{Type: DIR24_8, NHSize: NH4B, NumTbl8: maxTbl8}},
		{"8B", Config{Type: DIR24_8, NHSize: NH8B, NumTbl8: maxTbl8}},
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
