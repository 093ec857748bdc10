package mbuf_test

import (
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"dpk/eal"
	"dpk/internal/testutil"
	"dpk/mbuf"
	"dpk/mempool"
	"dpk/ring"
)

// The two-process test: a primary creates an mbuf pool and two rings; a
// secondary (this test binary run again) attaches by name, receives mbufs
// through one ring, checks their data, allocates mbufs of its own from the
// same pool and sends them back through the other. Both free to the shared
// pool, and at the end every mbuf is back.

const (
	mpCount     = 4096
	mpRoleEnv   = "DPK_MP_ROLE"
	mpPrefixEnv = "DPK_MP_PREFIX"
	mpHugeEnv   = "DPK_MP_HUGE"
)

func TestMain(m *testing.M) {
	if os.Getenv(mpRoleEnv) == "secondary" {
		if err := secondary(os.Getenv(mpPrefixEnv), os.Getenv(mpHugeEnv) != ""); err != nil {
			fmt.Fprintln(os.Stderr, "secondary:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestTwoProcesses(t *testing.T) {
	for _, huge := range []bool{false, true} {
		name := "nohuge"
		if huge {
			name = "hugepages"
		}
		t.Run(name, func(t *testing.T) {
			if huge {
				testutil.SkipWithoutHugepages(t)
			}
			twoProcesses(t, huge)
		})
	}
}

func twoProcesses(t *testing.T, huge bool) {
	prefix := testutil.Prefix(t)
	args := []string{"primary", "-l", "0", "--file-prefix", prefix, "--proc-type", "primary"}
	if !huge {
		args = append(args, "--no-huge")
	}
	if _, err := eal.Init(args); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eal.Cleanup() })
	if huge && eal.HugepageSize() == 4096 {
		t.Fatal("hugepages free but EAL uses ordinary pages")
	}
	mp, err := mbuf.PoolCreate("mp_pool", 8191, 128, 0, mbuf.DefaultBufSize, 0)
	if err != nil {
		t.Fatal(err)
	}
	toSec, err := ring.CreateElem("to_sec", 8, 8192, 0, ring.FlagSPEnq|ring.FlagSCDeq)
	if err != nil {
		t.Fatal(err)
	}
	toPri, err := ring.CreateElem("to_pri", 8, 8192, 0, ring.FlagSPEnq|ring.FlagSCDeq)
	if err != nil {
		t.Fatal(err)
	}
	lc := eal.MainLcore().ID()
	// Start the secondary first: it waits for the rings to fill.
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), mpRoleEnv+"=secondary", mpPrefixEnv+"="+prefix)
	if huge {
		cmd.Env = append(cmd.Env, mpHugeEnv+"=1")
	}
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	offs := make([]uint64, 1)
	for i := 0; i < mpCount; i++ {
		m, err := mbuf.Alloc(mp, lc)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := m.Append(64)
		binary.LittleEndian.PutUint64(b, uint64(i))
		binary.LittleEndian.PutUint64(b[8:], 0xfeedface)
		offs[0] = m.Offset()
		for {
			if n, _ := toSec.EnqueueBulkU64(offs); n == 1 {
				break
			}
			time.Sleep(time.Microsecond)
		}
	}
	// Receive the secondary's mbufs: they carry the sequence numbers negated.
	got := 0
	deadline := time.Now().Add(60 * time.Second)
	buf := make([]uint64, 64)
	for got < mpCount {
		if time.Now().After(deadline) {
			t.Fatalf("received %d of %d mbufs from the secondary", got, mpCount)
		}
		n, _ := toPri.DequeueBurstU64(buf)
		if n == 0 {
			time.Sleep(100 * time.Microsecond)
			continue
		}
		for _, off := range buf[:n] {
			m := mbuf.FromOffset(off)
			if !mp.Contains(m.Pointer()) {
				t.Fatalf("offset %#x is not an mbuf of the pool", off)
			}
			d := m.Data()
			if len(d) != 32 || binary.LittleEndian.Uint64(d) != ^uint64(got) {
				t.Fatalf("mbuf %d from secondary holds %x", got, d)
			}
			m.Free(lc)
			got++
		}
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("secondary failed: %v", err)
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("secondary did not exit")
	}
	mp.CacheFlush(mp.DefaultCache(lc))
	if mp.AvailCount() != mp.Size() {
		t.Errorf("%d of %d mbufs back in the pool", mp.AvailCount(), mp.Size())
	}
	if err := mp.Audit(); err != nil {
		t.Error(err)
	}
}

func secondary(prefix string, huge bool) error {
	args := []string{"secondary", "-l", testutil.LcoreList()[len(testutil.LcoreList())-1:], "--file-prefix", prefix, "--proc-type", "secondary"}
	if !huge {
		args = append(args, "--no-huge")
	}
	if _, err := eal.Init(args); err != nil {
		return err
	}
	defer eal.Cleanup()
	if eal.IsPrimary() {
		return fmt.Errorf("secondary became primary")
	}
	lc := eal.MainLcore().ID()
	mp, err := mempool.Lookup("mp_pool")
	if err != nil {
		return err
	}
	toSec, err := ring.Lookup("to_sec")
	if err != nil {
		return err
	}
	toPri, err := ring.Lookup("to_pri")
	if err != nil {
		return err
	}
	buf := make([]uint64, 64)
	out := make([]uint64, 1)
	got := 0
	deadline := time.Now().Add(60 * time.Second)
	for got < mpCount {
		if time.Now().After(deadline) {
			return fmt.Errorf("received %d of %d mbufs", got, mpCount)
		}
		n, _ := toSec.DequeueBurstU64(buf)
		if n == 0 {
			time.Sleep(100 * time.Microsecond)
			continue
		}
		for _, off := range buf[:n] {
			m := mbuf.FromOffset(off)
			d := m.Data()
			if len(d) != 64 || binary.LittleEndian.Uint64(d) != uint64(got) || binary.LittleEndian.Uint64(d[8:]) != 0xfeedface {
				return fmt.Errorf("mbuf %d holds %x", got, d)
			}
			if m.Pool() != mp {
				return fmt.Errorf("mbuf %d: pool %v, want %v", got, m.Pool(), mp)
			}
			m.Free(lc)
			// Answer with an mbuf of our own from the same pool.
			r, err := mbuf.Alloc(mp, lc)
			if err != nil {
				return err
			}
			b, _ := r.Append(32)
			binary.LittleEndian.PutUint64(b, ^uint64(got))
			out[0] = r.Offset()
			for {
				if k, _ := toPri.EnqueueBulkU64(out); k == 1 {
					break
				}
				time.Sleep(time.Microsecond)
			}
			got++
		}
	}
	mp.CacheFlush(mp.DefaultCache(lc))
	return nil
}
