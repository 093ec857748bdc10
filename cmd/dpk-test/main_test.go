package main

import (
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"dpk/eal"
	"dpk/mempool"
)

// ealArgs are the EAL options of every run here: no hugepages and no
// runtime files, so the tests never meet another process's --file-prefix.
var ealArgs = []string{"dpk-test", "--no-huge", "--in-memory", "-l", "0-1"}

// captureMu serialises the swaps of os.Stdout and os.Stderr.
var captureMu sync.Mutex

// runCaptured calls run(args) and returns its status and what it wrote to
// stdout and stderr.
func runCaptured(t *testing.T, args ...string) (status int, stdout, stderr string) {
	t.Helper()
	captureMu.Lock()
	defer captureMu.Unlock()
	read := func(r *os.File, dst *string, wg *sync.WaitGroup) {
		defer wg.Done()
		b, _ := io.ReadAll(r)
		*dst = string(b)
	}
	or, ow, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	er, ew, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go read(or, &stdout, &wg)
	go read(er, &stderr, &wg)
	saveOut, saveErr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = ow, ew
	func() {
		defer func() { os.Stdout, os.Stderr = saveOut, saveErr }()
		status = run(args)
	}()
	ow.Close()
	ew.Close()
	wg.Wait()
	or.Close()
	er.Close()
	return status, stdout, stderr
}

func withEAL(names ...string) []string {
	return append(append([]string(nil), ealArgs...), names...)
}

func TestBadCommandLines(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"unknown option", []string{"dpk-test", "--bogus", "mempool_autotest"}, `invalid option "--bogus"`},
		{"bad lcore list", []string{"dpk-test", "--no-huge", "--in-memory", "-l", "0-x", "mempool_autotest"}, "-l"},
		{"unknown test", withEAL("no_such_autotest"), `unknown test "no_such_autotest"`},
		{"unknown test after a good one", withEAL("mbuf_autotest", "mbuf_autotst"), `unknown test "mbuf_autotst"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, stdout, stderr := runCaptured(t, c.args...)
			if status == 0 {
				t.Fatalf("run(%q) = 0, want non-zero; stdout:\n%s", c.args, stdout)
			}
			if !strings.Contains(stderr, c.want) || !strings.HasPrefix(stderr, "dpk-test: ") {
				t.Errorf("run(%q): stderr %q, want a \"dpk-test: \" message containing %q", c.args, stderr, c.want)
			}
			if strings.Contains(stdout, "RTE>>") {
				t.Errorf("run(%q) started a test although the command line is bad:\n%s", c.args, stdout)
			}
		})
	}
}

func TestListTests(t *testing.T) {
	status, stdout, stderr := runCaptured(t, ealArgs...)
	if status != 0 {
		t.Fatalf("run without a test name = %d, want 0; stderr: %s", status, stderr)
	}
	for _, n := range []string{"mempool_autotest", "mbuf_autotest", "mempool_perf_autotest"} {
		if !strings.Contains(stdout, "\t"+n+"\n") {
			t.Errorf("test list lacks %s:\n%s", n, stdout)
		}
	}
}

func TestFunctionalAutotests(t *testing.T) {
	for _, n := range []string{"mempool_autotest", "mbuf_autotest"} {
		t.Run(n, func(t *testing.T) {
			status, stdout, stderr := runCaptured(t, withEAL(n)...)
			if status != 0 || !strings.Contains(stdout, "RTE>>"+n+"\n") || !strings.HasSuffix(stdout, "Test OK\n") {
				t.Fatalf("%s: status %d\nstdout:\n%s\nstderr:\n%s", n, status, stdout, stderr)
			}
		})
	}
	// Both in one run, as dpdk-test takes several commands.
	status, stdout, stderr := runCaptured(t, withEAL("mempool_autotest", "mbuf_autotest")...)
	if status != 0 || strings.Count(stdout, "Test OK\n") != 2 {
		t.Fatalf("two tests in one run: status %d\nstdout:\n%s\nstderr:\n%s", status, stdout, stderr)
	}
}

var rateLine = regexp.MustCompile(`^mempool_autotest cache=512 cores=([12]) n_get_bulk=32 n_put_bulk=32 n_keep=128 constant_n=0 rate_persec=([0-9]+)$`)

func TestMempoolPerfShort(t *testing.T) {
	t.Setenv("DPK_PERF_TIME_S", "0.2")
	t.Setenv("DPK_MEMPOOL_PERF_SECTIONS", "cache")
	t.Setenv("DPK_MEMPOOL_PERF_FILTER", "n_get_bulk=32 n_put_bulk=32 n_keep=128 constant_n=0")
	status, stdout, stderr := runCaptured(t, withEAL("mempool_perf_autotest")...)
	if status != 0 {
		t.Fatalf("status %d\nstdout:\n%s\nstderr:\n%s", status, stdout, stderr)
	}
	var cores []string
	for _, l := range strings.Split(stdout, "\n") {
		if !strings.HasPrefix(l, "mempool_autotest ") {
			continue
		}
		m := rateLine.FindStringSubmatch(l)
		if m == nil {
			t.Errorf("unexpected rate line %q", l)
			continue
		}
		if m[2] == "0" {
			t.Errorf("rate 0 in %q", l)
		}
		cores = append(cores, m[1])
	}
	// Cores 1, 2 and all (2 here), as DPDK prints them.
	if strings.Join(cores, ",") != "1,2,2" {
		t.Errorf("rate lines for cores %v, want 1,2,2:\n%s", cores, stdout)
	}
	for _, want := range []string{"start performance test (with cache)\n", "mempool <perf_test_cache>@", "Test OK\n"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "(without cache)") {
		t.Errorf("sections not asked for ran:\n%s", stdout)
	}
}

func TestMempoolPerfBadEnv(t *testing.T) {
	for _, env := range [][2]string{
		{"DPK_PERF_TIME_S", "zero"},
		{"DPK_PERF_TIME_S", "-1"},
		{"DPK_MEMPOOL_PERF_SECTIONS", "cache,bogus"},
		{"DPK_MEMPOOL_PERF_FILTER", "cores"},
		{"DPK_MEMPOOL_PERF_FILTER", "color=red"},
	} {
		t.Run(env[0]+"="+env[1], func(t *testing.T) {
			t.Setenv(env[0], env[1])
			status, stdout, _ := runCaptured(t, withEAL("mempool_perf_autotest")...)
			if status == 0 || !strings.Contains(stdout, env[0]) || !strings.HasSuffix(stdout, "Test Failed\n") {
				t.Errorf("status %d, want non-zero with a message naming %s:\n%s", status, env[0], stdout)
			}
		})
	}
}

// TestMempoolPerfLoopAllocs checks that the measured loops and the whole
// per-lcore function allocate nothing on the Go heap.
func TestMempoolPerfLoopAllocs(t *testing.T) {
	if _, err := eal.Init(ealArgs); err != nil {
		t.Fatal(err)
	}
	defer eal.Cleanup()
	mp, err := mempool.Create("alloc_test", mpPerfPoolSize(), mpPerfEltSize, mempool.CacheMaxSize, 0, eal.SocketIDAny, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer mp.Free()
	main := eal.MainLcore()
	c := mp.DefaultCache(main.ID())
	objs := new([mpPerfMaxKeep]unsafe.Pointer)
	loops := map[string]func() error{
		"mpTestLoop":      func() error { return mpTestLoop(mp, c, objs, 128, 4, 32) },
		"testLoopConst1":  func() error { return mpTestLoopConst[[1]unsafe.Pointer](mp, c, objs, 32) },
		"testLoopConst8":  func() error { return mpTestLoopConst[[mpPerfCacheLineBurst]unsafe.Pointer](mp, c, objs, 512) },
		"testLoopConst32": func() error { return mpTestLoopConst[[32]unsafe.Pointer](mp, c, objs, 128) },
	}
	for name, fn := range loops {
		var err error
		if a := testing.AllocsPerRun(3, func() { err = fn() }); a != 0 || err != nil {
			t.Errorf("%s: %v allocations per run, error %v", name, a, err)
		}
	}
	p := &mempoolPerf{timeS: 1, timeCycles: 1, lcores: make([]mpPerfLcore, eal.MaxLcore),
		nGetBulk: 32, nPutBulk: 32, nKeep: 128, constant: true}
	if a := testing.AllocsPerRun(3, func() { err = p.perLcore(mp, main) }); a != 0 || err != nil {
		t.Errorf("perLcore: %v allocations per run, error %v", a, err)
	}
	if p.lcores[main.ID()].enqCount != mpPerfN {
		t.Errorf("perLcore with a 1-cycle budget counted %d objects, want one round of %d", p.lcores[main.ID()].enqCount, mpPerfN)
	}
	mp.CacheFlush(c)
	if !mp.Full() {
		t.Errorf("pool not full after the loops: %d of %d", mp.AvailCount(), mp.Size())
	}
}

// BenchmarkMempoolPerfLoop runs one round of the measured loop (65536
// objects got and put) through the main lcore's cache of a 512-object
// cache pool, for profiling: go test -bench MempoolPerfLoop -cpuprofile.
func BenchmarkMempoolPerfLoop(b *testing.B) {
	if _, err := eal.Init(ealArgs); err != nil {
		b.Fatal(err)
	}
	defer eal.Cleanup()
	mp, err := mempool.Create("bench_loop", mpPerfPoolSize(), mpPerfEltSize, mempool.CacheMaxSize, 0, eal.SocketIDAny, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer mp.Free()
	c := mp.DefaultCache(eal.MainLcore().ID())
	objs := new([mpPerfMaxKeep]unsafe.Pointer)
	for _, bulk := range []uint32{1, 4, 32} {
		b.Run(fmt.Sprintf("bulk=%d/keep=128", bulk), func(b *testing.B) {
			b.SetBytes(0)
			for b.Loop() {
				if err := mpTestLoop(mp, c, objs, 128, bulk, bulk); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/mpPerfN, "ns/obj")
		})
	}
}
