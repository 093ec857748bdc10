// Package testutil holds helpers shared by dpk's tests: EAL set-up with a
// unique file prefix, and skips that say why a test cannot run here.
package testutil

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"dpk/eal"
	"dpk/internal/sys"
)

var seq atomic.Uint32

// Prefix returns a --file-prefix unique to this test and process.
func Prefix(t testing.TB) string {
	name := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())
	if len(name) > 40 {
		name = name[:40]
	}
	return fmt.Sprintf("dpkt_%s_%d_%d", name, os.Getpid(), seq.Add(1))
}

// InitEAL initialises the EAL for a test with the given extra options
// (default: --no-huge -l 0-1 and a unique --file-prefix) and cleans it up
// when the test ends.
func InitEAL(t testing.TB, extra ...string) {
	t.Helper()
	args := []string{"test", "--no-huge", "--file-prefix", Prefix(t)}
	hasL := false
	for _, a := range extra {
		if a == "-l" || a == "--lcores" || a == "-c" || strings.HasPrefix(a, "--lcores=") {
			hasL = true
		}
	}
	if !hasL {
		args = append(args, "-l", LcoreList())
	}
	args = append(args, extra...)
	if _, err := eal.Init(args); err != nil {
		t.Fatalf("eal.Init(%q): %v", args, err)
	}
	t.Cleanup(func() {
		if err := eal.Cleanup(); err != nil {
			t.Errorf("eal.Cleanup: %v", err)
		}
	})
}

// LcoreList returns "0-1" when the machine has two CPUs or more, else "0".
func LcoreList() string {
	cpus, err := sys.Topology()
	if err != nil || len(cpus) < 2 {
		return "0"
	}
	return fmt.Sprintf("%d,%d", cpus[0].ID, cpus[1].ID)
}

// SkipUnlessRoot skips a test that needs root, unless running in CI where
// root is expected: there it fails instead.
func SkipUnlessRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatalf("test needs root and CI is expected to run as root")
		}
		t.Skip("needs root")
	}
}

// HugepagesFree returns the number of free default-size hugepages and
// whether a hugetlbfs is mounted.
func HugepagesFree() (uint64, bool) {
	mounts, _ := sys.HugeMounts()
	return sys.FreeHugepages(sys.DefaultHugepageSize()), len(mounts) > 0
}

// SkipWithoutHugepages skips a test when no hugepages are reserved and
// mounted; with DPK_REQUIRE_HUGEPAGES=1 (set by CI after reserving them) it
// fails instead.
func SkipWithoutHugepages(t testing.TB) {
	t.Helper()
	n, mounted := HugepagesFree()
	if n > 0 && mounted {
		return
	}
	msg := fmt.Sprintf("no hugepages: %d free, hugetlbfs mounted: %v (reserve with: echo 256 > /proc/sys/vm/nr_hugepages; mount -t hugetlbfs nodev /dev/hugepages)", n, mounted)
	if os.Getenv("DPK_REQUIRE_HUGEPAGES") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// SharedData returns the path of rel (a file or directory) under the
// project's shared data directory, shared/data, found by walking up from
// the test's working directory (the repository sits beside shared/, as in
// CI). Without it the test is skipped, or fails when CI is set: there the
// data must be present.
func SharedData(t testing.TB, rel string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		p := filepath.Join(dir, "shared", "data", rel)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("shared/data/%s not found above the working directory, and CI is set", rel)
	}
	t.Skipf("shared/data/%s not found above the working directory", rel)
	return ""
}

// SyncBuffer is a bytes.Buffer that a writer (an app's output, lcores) and
// the test may use at once. Its zero value is ready to use.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p to the buffer.
func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what the buffer holds so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
