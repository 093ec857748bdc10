package main

// fib_autotest and fib_slow_autotest: DPDK 22.11's app/test/test_fib.c in
// Go, run by the same suite runner output. test_get_invalid checks
// rte_fib_get_dp and rte_fib_get_rib with NULL, which dpk does not have:
// it passes with nothing to check.

import (
	"errors"

	"dpk/eal"
	"dpk/fib"
)

func init() {
	register("fib_autotest", func() error {
		return fibSuiteRunner("fib autotest", []fibTestCase{
			{"test_create_invalid", fibTestCreateInvalid},
			{"test_free_null", fibTestFreeNull},
			{"test_add_del_invalid", fibTestAddDelInvalid},
			{"test_get_invalid", func() error { return nil }},
			{"test_lookup", fibTestLookup},
		})
	})
	register("fib_slow_autotest", func() error {
		return fibSuiteRunner("fib slow autotest", []fibTestCase{
			{"test_multiple_create", fibTestMultipleCreate},
		})
	})
}

const (
	fibMaxRoutes = 1 << 16
	fibMaxTbl8   = 1 << 15
)

func fibTestCreateInvalid() error {
	cfg := fib.Config{Type: fib.Dummy, MaxRoutes: fibMaxRoutes}
	try := func(name string, socket int, c fib.Config) error {
		f, err := fib.Create(name, socket, c)
		if err == nil {
			f.Free()
		}
		return fibAssert(err != nil, "Call succeeded with invalid parameters: %q %d %+v", name, socket, c)
	}
	if err := try("", eal.SocketIDAny, cfg); err != nil {
		return err
	}
	if err := try("test_create_invalid", -2, cfg); err != nil {
		return err
	}
	c := cfg
	c.MaxRoutes = 0
	if err := try("test_create_invalid", eal.SocketIDAny, c); err != nil {
		return err
	}
	c = cfg
	c.Type = fib.DIR24_8 + 1
	if err := try("test_create_invalid", eal.SocketIDAny, c); err != nil {
		return err
	}
	c = cfg
	c.Type, c.NumTbl8, c.NHSize = fib.DIR24_8, fibMaxTbl8, fib.NH8B+1
	if err := try("test_create_invalid", eal.SocketIDAny, c); err != nil {
		return err
	}
	c.NHSize, c.NumTbl8 = fib.NH8B, 0
	return try("test_create_invalid", eal.SocketIDAny, c)
}

func fibTestMultipleCreate() error {
	for i := range 100 {
		f, err := fib.Create("test_multiple_create", eal.SocketIDAny, fib.Config{Type: fib.Dummy, MaxRoutes: fibMaxRoutes - i})
		if err != nil {
			return fibAssert(false, "Failed to create FIB: %v", err)
		}
		f.Free()
	}
	return nil
}

func fibTestFreeNull() error {
	f, err := fib.Create("test_free_null", eal.SocketIDAny, fib.Config{Type: fib.Dummy, MaxRoutes: fibMaxRoutes})
	if err != nil {
		return fibAssert(false, "Failed to create FIB: %v", err)
	}
	f.Free()
	(*fib.FIB)(nil).Free()
	return nil
}

func fibTestAddDelInvalid() error {
	f, err := fib.Create("test_add_del_invalid", eal.SocketIDAny, fib.Config{Type: fib.Dummy, MaxRoutes: fibMaxRoutes})
	if err != nil {
		return fibAssert(false, "Failed to create FIB: %v", err)
	}
	defer f.Free()
	if err := f.Add(0, fib.MaxDepth+1, 100); !errors.Is(err, fib.ErrInvalid) {
		return fibAssert(false, "Call succeeded with invalid parameters: add /33: %v", err)
	}
	if err := f.Delete(0, fib.MaxDepth+1); !errors.Is(err, fib.ErrInvalid) {
		return fibAssert(false, "Call succeeded with invalid parameters: delete /33: %v", err)
	}
	return nil
}

// fibLookupAndCheckAsc is lookup_and_check_asc.
func fibLookupAndCheckAsc(f *fib.FIB, ips []uint32, missing uint32, def uint64, n uint64) error {
	nhs := make([]uint64, fib.MaxDepth)
	f.LookupBulk(ips, nhs)
	i := 0
	for ; i <= fib.MaxDepth-int(n); i++ {
		if nhs[i] != n {
			return fibAssert(false, "Failed to get proper nexthop: %d of %d is %d, want %d", i, n, nhs[i], n)
		}
	}
	for ; i < fib.MaxDepth; i++ {
		n--
		if nhs[i] != n {
			return fibAssert(false, "Failed to get proper nexthop: %d is %d, want %d", i, nhs[i], n)
		}
	}
	f.LookupBulk([]uint32{missing}, nhs)
	return fibAssert(nhs[0] == def, "Failed to get proper nexthop: missing address gives %d", nhs[0])
}

// fibLookupAndCheckDesc is lookup_and_check_desc.
func fibLookupAndCheckDesc(f *fib.FIB, ips []uint32, missing uint32, def uint64, n int) error {
	nhs := make([]uint64, fib.MaxDepth)
	f.LookupBulk(ips, nhs)
	i := 0
	for ; i < n; i++ {
		if nhs[i] != uint64(fib.MaxDepth-i) {
			return fibAssert(false, "Failed to get proper nexthop: %d is %d, want %d", i, nhs[i], fib.MaxDepth-i)
		}
	}
	for ; i < fib.MaxDepth; i++ {
		if nhs[i] != def {
			return fibAssert(false, "Failed to get proper nexthop: %d is %d, want %d", i, nhs[i], def)
		}
	}
	f.LookupBulk([]uint32{missing}, nhs)
	return fibAssert(nhs[0] == def, "Failed to get proper nexthop: missing address gives %d", nhs[0])
}

// fibCheck is check_fib.
func fibCheck(f *fib.FIB) error {
	const def = 100
	ipAdd := uint32(128 << 24)
	missing := uint32(127<<24 | 255<<16 | 255<<8 | 255)
	ips := make([]uint32, fib.MaxDepth)
	for i := range ips {
		ips[i] = ipAdd + uint32(uint64(1)<<i) - 1
	}
	if err := fibLookupAndCheckDesc(f, ips, missing, def, 0); err != nil {
		return err
	}
	for i := uint8(1); i <= fib.MaxDepth; i++ {
		if err := f.Add(ipAdd, i, uint64(i)); err != nil {
			return fibAssert(false, "Failed to add a route: %v", err)
		}
		if err := fibLookupAndCheckAsc(f, ips, missing, def, uint64(i)); err != nil {
			return err
		}
	}
	for i := uint8(fib.MaxDepth); i > 1; i-- {
		if err := f.Delete(ipAdd, i); err != nil {
			return fibAssert(false, "Failed to delete a route: %v", err)
		}
		if err := fibLookupAndCheckAsc(f, ips, missing, def, uint64(i-1)); err != nil {
			return err
		}
	}
	if err := f.Delete(ipAdd, 1); err != nil {
		return fibAssert(false, "Failed to delete a route: %v", err)
	}
	if err := fibLookupAndCheckDesc(f, ips, missing, def, 0); err != nil {
		return err
	}
	for i := 0; i < fib.MaxDepth; i++ {
		if err := f.Add(ipAdd, uint8(fib.MaxDepth-i), uint64(fib.MaxDepth-i)); err != nil {
			return fibAssert(false, "Failed to add a route: %v", err)
		}
		if err := fibLookupAndCheckDesc(f, ips, missing, def, i+1); err != nil {
			return err
		}
	}
	for i := 1; i <= fib.MaxDepth; i++ {
		if err := f.Delete(ipAdd, uint8(i)); err != nil {
			return fibAssert(false, "Failed to delete a route: %v", err)
		}
		if err := fibLookupAndCheckDesc(f, ips, missing, def, fib.MaxDepth-i); err != nil {
			return err
		}
	}
	return nil
}

func fibTestLookup() error {
	for _, c := range []struct {
		what string
		cfg  fib.Config
	}{
		{"DUMMY", fib.Config{Type: fib.Dummy}},
		{"DIR24_8_1B", fib.Config{Type: fib.DIR24_8, NHSize: fib.NH1B, NumTbl8: 127}},
		{"DIR24_8_2B", fib.Config{Type: fib.DIR24_8, NHSize: fib.NH2B, NumTbl8: fibMaxTbl8 - 1}},
		{"DIR24_8_4B", fib.Config{Type: fib.DIR24_8, NHSize: fib.NH4B, NumTbl8: fibMaxTbl8}},
		{"DIR24_8_8B", fib.Config{Type: fib.DIR24_8, NHSize: fib.NH8B, NumTbl8: fibMaxTbl8}},
	} {
		c.cfg.MaxRoutes, c.cfg.DefaultNH = fibMaxRoutes, 100
		f, err := fib.Create("test_lookup", eal.SocketIDAny, c.cfg)
		if err != nil {
			return fibAssert(false, "Failed to create FIB: %v", err)
		}
		err = fibCheck(f)
		f.Free()
		if err != nil {
			return fibAssert(false, "Check_fib fails for %s type: %v", c.what, err)
		}
	}
	return nil
}
