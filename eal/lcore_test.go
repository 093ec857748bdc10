package eal_test

import (
	"errors"
	"sync/atomic"
	"testing"

	"dpk/eal"
	"dpk/internal/sys"
	"dpk/internal/testutil"
)

func TestLcoreLaunch(t *testing.T) {
	testutil.InitEAL(t)
	main := eal.MainLcore()
	if main == nil || !main.IsMain() {
		t.Fatal("no main lcore")
	}
	if eal.LcoreCount() != len(eal.Lcores()) || eal.LcoreCount() != len(eal.Workers())+1 {
		t.Fatalf("count %d lcores %d workers %d", eal.LcoreCount(), len(eal.Lcores()), len(eal.Workers()))
	}
	cpus, _ := sys.ThreadAffinity()
	if len(cpus) != 1 || cpus[0] != main.CPUs()[0] {
		t.Errorf("main thread affinity %v, want %v", cpus, main.CPUs())
	}
	if len(eal.Workers()) == 0 {
		t.Skip("one CPU: no worker lcore")
	}
	w := eal.Workers()[0]
	var ran atomic.Uint32
	errBoom := errors.New("boom")
	err := eal.RemoteLaunch(func(lc *eal.Lcore) error {
		got, err := sys.ThreadAffinity()
		if err != nil || len(got) != 1 || got[0] != lc.CPUs()[0] {
			t.Errorf("worker affinity %v (%v), want %v", got, err, lc.CPUs())
		}
		ran.Store(lc.ID())
		return errBoom
	}, w.ID())
	if err != nil {
		t.Fatal(err)
	}
	if err := eal.WaitLcore(w.ID()); !errors.Is(err, errBoom) {
		t.Errorf("wait: %v, want boom", err)
	}
	if ran.Load() != w.ID() || w.State() != eal.Wait {
		t.Errorf("ran on %d, state %v", ran.Load(), w.State())
	}
	// Busy lcore refuses a second launch.
	block := make(chan struct{})
	if err := eal.RemoteLaunch(func(*eal.Lcore) error { <-block; return nil }, w.ID()); err != nil {
		t.Fatal(err)
	}
	if err := eal.RemoteLaunch(func(*eal.Lcore) error { return nil }, w.ID()); !errors.Is(err, eal.ErrBusy) {
		t.Errorf("second launch: %v, want ErrBusy", err)
	}
	close(block)
	if err := eal.WaitLcore(w.ID()); err != nil {
		t.Error(err)
	}
	// A panic in a launched function becomes an error.
	eal.RemoteLaunch(func(*eal.Lcore) error { panic("oops") }, w.ID())
	if err := eal.WaitLcore(w.ID()); err == nil {
		t.Error("panic not reported")
	}
	// MpRemoteLaunch with the main lcore.
	var count atomic.Int32
	if err := eal.MpRemoteLaunch(func(lc *eal.Lcore) error { count.Add(1); return nil }, true); err != nil {
		t.Fatal(err)
	}
	if err := eal.MpWaitLcore(); err != nil {
		t.Fatal(err)
	}
	if int(count.Load()) != eal.LcoreCount() {
		t.Errorf("ran on %d lcores, want %d", count.Load(), eal.LcoreCount())
	}
	if err := eal.RemoteLaunch(func(*eal.Lcore) error { return nil }, main.ID()); err == nil {
		t.Error("launch on main lcore succeeded")
	}
	if err := eal.RemoteLaunch(func(*eal.Lcore) error { return nil }, 127); err == nil {
		t.Error("launch on disabled lcore succeeded")
	}
}

func TestInitErrors(t *testing.T) {
	for _, args := range [][]string{
		{"x", "--bogus"},
		{"x", "-l", "0", "--main-lcore", "5"},
		{"x", "-l", "1000@(1023)"},
		{"x", "--iova-mode", "pa"},
	} {
		if _, err := eal.Init(args); err == nil {
			eal.Cleanup()
			t.Errorf("Init(%q) succeeded", args)
		} else {
			t.Logf("Init(%q): %v", args, err)
		}
	}
	testutil.InitEAL(t, "--in-memory")
	if _, err := eal.Init([]string{"x", "--in-memory", "--no-huge"}); !errors.Is(err, eal.ErrAlready) {
		t.Errorf("second Init: %v", err)
	}
}
