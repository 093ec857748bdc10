package main

// fib6_autotest and fib6_slow_autotest: DPDK 22.11's app/test/test_fib6.c
// in Go, run by the same suite runner output. test_get_invalid checks
// rte_fib6_get_dp and rte_fib6_get_rib with NULL, which dpk does not
// have: it passes with nothing to check.

import (
	"errors"

	"dpk/eal"
	"dpk/fib/fib6"
)

func init() {
	register("fib6_autotest", func() error {
		return fibSuiteRunner("fib6 autotest", []fibTestCase{
			{"test_create_invalid", fib6TestCreateInvalid},
			{"test_free_null", fib6TestFreeNull},
			{"test_add_del_invalid", fib6TestAddDelInvalid},
			{"test_get_invalid", func() error { return nil }},
			{"test_lookup", fib6TestLookup},
		})
	})
	register("fib6_slow_autotest", func() error {
		return fibSuiteRunner("fib6 slow autotest", []fibTestCase{
			{"test_multiple_create", fib6TestMultipleCreate},
		})
	})
}

func fib6TestCreateInvalid() error {
	cfg := fib6.Config{Type: fib6.Dummy, MaxRoutes: fibMaxRoutes}
	try := func(name string, socket int, c fib6.Config) error {
		f, err := fib6.Create(name, socket, c)
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
	c.Type = fib6.Trie + 1
	if err := try("test_create_invalid", eal.SocketIDAny, c); err != nil {
		return err
	}
	c = cfg
	c.Type, c.NumTbl8, c.NHSize = fib6.Trie, fibMaxTbl8, fib6.NH8B+1
	if err := try("test_create_invalid", eal.SocketIDAny, c); err != nil {
		return err
	}
	c.NHSize, c.NumTbl8 = fib6.NH8B, 0
	return try("test_create_invalid", eal.SocketIDAny, c)
}

func fib6TestMultipleCreate() error {
	for i := range 100 {
		f, err := fib6.Create("test_multiple_create", eal.SocketIDAny, fib6.Config{Type: fib6.Dummy, MaxRoutes: fibMaxRoutes - i})
		if err != nil {
			return fibAssert(false, "Failed to create FIB: %v", err)
		}
		f.Free()
	}
	return nil
}

func fib6TestFreeNull() error {
	f, err := fib6.Create("test_free_null", eal.SocketIDAny, fib6.Config{Type: fib6.Dummy, MaxRoutes: fibMaxRoutes})
	if err != nil {
		return fibAssert(false, "Failed to create FIB: %v", err)
	}
	f.Free()
	(*fib6.FIB)(nil).Free()
	return nil
}

func fib6TestAddDelInvalid() error {
	f, err := fib6.Create("test_add_del_invalid", eal.SocketIDAny, fib6.Config{Type: fib6.Dummy, MaxRoutes: fibMaxRoutes})
	if err != nil {
		return fibAssert(false, "Failed to create FIB: %v", err)
	}
	defer f.Free()
	var ip [16]byte
	if err := f.Add(ip, fib6.MaxDepth+1, 100); !errors.Is(err, fib6.ErrInvalid) {
		return fibAssert(false, "Call succeeded with invalid parameters: add /129: %v", err)
	}
	if err := f.Delete(ip, fib6.MaxDepth+1); !errors.Is(err, fib6.ErrInvalid) {
		return fibAssert(false, "Call succeeded with invalid parameters: delete /129: %v", err)
	}
	return nil
}

// fib6LookupAndCheckAsc is test_fib6.c's lookup_and_check_asc.
func fib6LookupAndCheckAsc(f *fib6.FIB, ips [][16]byte, missing [16]byte, def uint64, n uint64) error {
	nhs := make([]uint64, fib6.MaxDepth)
	f.LookupBulk(ips, nhs)
	i := 0
	for ; i <= fib6.MaxDepth-int(n); i++ {
		if nhs[i] != n {
			return fibAssert(false, "Failed to get proper nexthop: %d of %d is %d", i, n, nhs[i])
		}
	}
	for ; i < fib6.MaxDepth; i++ {
		n--
		if nhs[i] != n {
			return fibAssert(false, "Failed to get proper nexthop: %d is %d, want %d", i, nhs[i], n)
		}
	}
	f.LookupBulk([][16]byte{missing}, nhs)
	return fibAssert(nhs[0] == def, "Failed to get proper nexthop: missing address gives %d", nhs[0])
}

// fib6LookupAndCheckDesc is test_fib6.c's lookup_and_check_desc.
func fib6LookupAndCheckDesc(f *fib6.FIB, ips [][16]byte, missing [16]byte, def uint64, n int) error {
	nhs := make([]uint64, fib6.MaxDepth)
	f.LookupBulk(ips, nhs)
	i := 0
	for ; i < n; i++ {
		if nhs[i] != uint64(fib6.MaxDepth-i) {
			return fibAssert(false, "Failed to get proper nexthop: %d is %d, want %d", i, nhs[i], fib6.MaxDepth-i)
		}
	}
	for ; i < fib6.MaxDepth; i++ {
		if nhs[i] != def {
			return fibAssert(false, "Failed to get proper nexthop: %d is %d, want %d", i, nhs[i], def)
		}
	}
	f.LookupBulk([][16]byte{missing}, nhs)
	return fibAssert(nhs[0] == def, "Failed to get proper nexthop: missing address gives %d", nhs[0])
}

// fib6MaskPart is rte_rib6.h's get_msk_part: the mask of byte b of a
// depth-bit prefix.
func fib6MaskPart(depth, b int) byte {
	part := min(max(min(depth, 128)-b*8, 0), 8)
	return byte(uint16(0xff00) >> part)
}

// fib6Check is test_fib6.c's check_fib: routes 8000::/1../128 with next
// hop = depth, added and deleted in both orders, looked up after each step
// at the last address of each prefix.
func fib6Check(f *fib6.FIB) error {
	const def = 100
	ipAdd := [16]byte{128}
	missing := [16]byte{127}
	ips := make([][16]byte, fib6.MaxDepth)
	for i := range ips {
		for j := range ips[i] {
			ips[i][j] = ipAdd[j] | ^fib6MaskPart(fib6.MaxDepth-i, j)
		}
	}
	if err := fib6LookupAndCheckDesc(f, ips, missing, def, 0); err != nil {
		return err
	}
	for i := 1; i <= fib6.MaxDepth; i++ {
		if err := f.Add(ipAdd, uint8(i), uint64(i)); err != nil {
			return fibAssert(false, "Failed to add a route: %v", err)
		}
		if err := fib6LookupAndCheckAsc(f, ips, missing, def, uint64(i)); err != nil {
			return err
		}
	}
	for i := fib6.MaxDepth; i > 1; i-- {
		if err := f.Delete(ipAdd, uint8(i)); err != nil {
			return fibAssert(false, "Failed to delete a route: %v", err)
		}
		if err := fib6LookupAndCheckAsc(f, ips, missing, def, uint64(i-1)); err != nil {
			return err
		}
	}
	if err := f.Delete(ipAdd, 1); err != nil {
		return fibAssert(false, "Failed to delete a route: %v", err)
	}
	if err := fib6LookupAndCheckDesc(f, ips, missing, def, 0); err != nil {
		return err
	}
	for i := 0; i < fib6.MaxDepth; i++ {
		if err := f.Add(ipAdd, uint8(fib6.MaxDepth-i), uint64(fib6.MaxDepth-i)); err != nil {
			return fibAssert(false, "Failed to add a route: %v", err)
		}
		if err := fib6LookupAndCheckDesc(f, ips, missing, def, i+1); err != nil {
			return err
		}
	}
	for i := 1; i <= fib6.MaxDepth; i++ {
		if err := f.Delete(ipAdd, uint8(i)); err != nil {
			return fibAssert(false, "Failed to delete a route: %v", err)
		}
		if err := fib6LookupAndCheckDesc(f, ips, missing, def, fib6.MaxDepth-i); err != nil {
			return err
		}
	}
	return nil
}

func fib6TestLookup() error {
	for _, c := range []struct {
		what string
		cfg  fib6.Config
	}{
		{"DUMMY", fib6.Config{Type: fib6.Dummy}},
		{"TRIE_2B", fib6.Config{Type: fib6.Trie, NHSize: fib6.NH2B, NumTbl8: fibMaxTbl8 - 1}},
		{"TRIE_4B", fib6.Config{Type: fib6.Trie, NHSize: fib6.NH4B, NumTbl8: fibMaxTbl8}},
		{"TRIE_8B", fib6.Config{Type: fib6.Trie, NHSize: fib6.NH8B, NumTbl8: fibMaxTbl8}},
	} {
		c.cfg.MaxRoutes, c.cfg.DefaultNH = fibMaxRoutes, 100
		f, err := fib6.Create("test_lookup", eal.SocketIDAny, c.cfg)
		if err != nil {
			return fibAssert(false, "Failed to create FIB: %v", err)
		}
		err = fib6Check(f)
		f.Free()
		if err != nil {
			return fibAssert(false, "Check_fib fails for %s type: %v", c.what, err)
		}
	}
	return nil
}
