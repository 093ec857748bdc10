package lpm

import (
	"fmt"
	"os"
	"testing"

	"dpk/eal"
)

// TestMain starts the EAL (no hugepages, a file prefix of its own) for the
// tables' memzones, and stops it afterwards.
func TestMain(m *testing.M) {
	prefix := fmt.Sprintf("lpmtest%d", os.Getpid())
	args := []string{"lpm.test", "--no-huge", "-l", "0", "--file-prefix", prefix, "--log-level", "*:error"}
	if _, err := eal.Init(args); err != nil {
		fmt.Fprintf(os.Stderr, "lpm tests: eal.Init: %v\n", err)
		os.Exit(1)
	}
	code := m.Run()
	eal.Cleanup()
	os.Exit(code)
}

// newTable creates a table freed at the end of the test.
func newTable(t testing.TB, maxRules, tbl8s uint32) *LPM {
	t.Helper()
	l, err := Create(fmt.Sprintf("t%d", seq()), eal.SocketIDAny, Config{MaxRules: maxRules, NumberTbl8s: tbl8s})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	t.Cleanup(func() {
		if err := l.Free(); err != nil {
			t.Errorf("Free: %v", err)
		}
	})
	return l
}

var seqN int

func seq() int { seqN++; return seqN }

// ip4 builds an address from its four bytes (RTE_IPV4).
func ip4(a, b, c, d uint32) uint32 { return a<<24 | b<<16 | c<<8 | d }
