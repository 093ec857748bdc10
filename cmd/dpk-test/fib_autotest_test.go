package main

import (
	"strings"
	"testing"
)

// lpm6_autotest, fib_autotest and fib6_autotest pass, with DPDK's output
// lines.
func TestLpm6FibAutotests(t *testing.T) {
	names := []string{"fib_autotest", "fib6_autotest", "lpm6_autotest"}
	if testing.Short() || fibRaceOn {
		names = names[:1] // each takes seconds: big tables, brute force
	}
	for _, n := range names {
		t.Run(n, func(t *testing.T) {
			status, stdout, stderr := runCaptured(t, withEAL(n)...)
			if status != 0 || !strings.Contains(stdout, "RTE>>"+n+"\n") || !strings.HasSuffix(stdout, "Test OK\n") {
				t.Fatalf("%s: status %d\nstdout:\n%s\nstderr:\n%s", n, status, stdout, stderr)
			}
			switch n {
			case "lpm6_autotest":
				if !strings.Contains(stdout, "# test 00\n") || !strings.Contains(stdout, "# test 28\n") || strings.Contains(stdout, "ERROR") {
					t.Errorf("lpm6_autotest output:\n%s", stdout)
				}
			default:
				if !strings.Contains(stdout, " + Tests Passed :       5\n") || !strings.Contains(stdout, " + Tests Failed :       0\n") {
					t.Errorf("%s summary:\n%s", n, stdout)
				}
			}
		})
	}
}
