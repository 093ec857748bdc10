package main

import (
	"regexp"
	"strings"
	"testing"
)

// TestRingAutotest runs ring_autotest as dpk-test would.
func TestRingAutotest(t *testing.T) {
	status, out, errOut := runCaptured(t, append(append([]string{}, ealArgs...), "ring_autotest")...)
	if status != 0 || !strings.Contains(out, "Test OK") {
		t.Fatalf("status %d\nstdout (tail): %s\nstderr: %s", status, ringOutTail(out, 2000), errOut)
	}
}

// ringPerfLabels are the lines of DPDK 22.11's ring_perf_autotest on two
// lcores of two physical cores, with the figures cut off: dpk's must be
// the same, in the same order.
const ringPerfLabels = `### Testing single element enq/deq ###
legacy APIs: SP/SC: single:
legacy APIs: MP/MC: single:
### Testing burst enq/deq ###
legacy APIs: SP/SC: burst (size: 8):
legacy APIs: SP/SC: burst (size: 32):
legacy APIs: MP/MC: burst (size: 8):
legacy APIs: MP/MC: burst (size: 32):
### Testing bulk enq/deq ###
legacy APIs: SP/SC: bulk (size: 8):
legacy APIs: SP/SC: bulk (size: 32):
legacy APIs: MP/MC: bulk (size: 8):
legacy APIs: MP/MC: bulk (size: 32):
### Testing empty bulk deq ###
legacy APIs: SP/SC: bulk (size: 8):
legacy APIs: MP/MC: bulk (size: 8):
### Testing using two physical cores ###
legacy APIs: SP/SC: bulk (size: 8):
legacy APIs: MP/MC: bulk (size: 8):
legacy APIs: SP/SC: bulk (size: 32):
legacy APIs: MP/MC: bulk (size: 32):
### Testing using all worker nodes ###
Bulk enq/dequeue count on size
Core [0] count =
Core [1] count =
Total count (size: 8):
Bulk enq/dequeue count on size
Core [0] count =
Core [1] count =
Total count (size: 32):
### Testing single element enq/deq ###
elem APIs: element size 16B: SP/SC: single:
elem APIs: element size 16B: MP/MC: single:
### Testing burst enq/deq ###
elem APIs: element size 16B: SP/SC: burst (size: 8):
elem APIs: element size 16B: SP/SC: burst (size: 32):
elem APIs: element size 16B: MP/MC: burst (size: 8):
elem APIs: element size 16B: MP/MC: burst (size: 32):
### Testing bulk enq/deq ###
elem APIs: element size 16B: SP/SC: bulk (size: 8):
elem APIs: element size 16B: SP/SC: bulk (size: 32):
elem APIs: element size 16B: MP/MC: bulk (size: 8):
elem APIs: element size 16B: MP/MC: bulk (size: 32):
### Testing empty bulk deq ###
elem APIs: element size 16B: SP/SC: bulk (size: 8):
elem APIs: element size 16B: MP/MC: bulk (size: 8):
### Testing using two physical cores ###
elem APIs: element size 16B: SP/SC: bulk (size: 8):
elem APIs: element size 16B: MP/MC: bulk (size: 8):
elem APIs: element size 16B: SP/SC: bulk (size: 32):
elem APIs: element size 16B: MP/MC: bulk (size: 32):
### Testing using all worker nodes ###
Bulk enq/dequeue count on size
Core [0] count =
Core [1] count =
Total count (size: 8):
Bulk enq/dequeue count on size
Core [0] count =
Core [1] count =
Total count (size: 32):
Test OK`

// TestRingPerfAutotestOutput runs ring_perf_autotest with 1/256 of DPDK's
// iteration counts (a second; minutes with them under -race) and checks
// that its lines are DPDK's.
func TestRingPerfAutotestOutput(t *testing.T) {
	if testing.Short() {
		t.Skip("takes seconds")
	}
	ringPerfShift = 8
	defer func() { ringPerfShift = 0 }()
	status, out, errOut := runCaptured(t, append(append([]string{}, ealArgs...), "ring_perf_autotest")...)
	if status != 0 {
		t.Fatalf("status %d\n%s\n%s", status, out, errOut)
	}
	figure := regexp.MustCompile(` ?[0-9]+(\.[0-9]+)?$`)
	var got []string
	for _, l := range strings.Split(out, "\n") {
		if l == "" || strings.HasPrefix(l, "RTE>>") {
			continue
		}
		got = append(got, figure.ReplaceAllString(l, ""))
	}
	if g := strings.Join(got, "\n"); g != ringPerfLabels {
		t.Fatalf("lines differ from DPDK's:\n%s", g)
	}
	t.Logf("\n%s", out)
}

func ringOutTail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
