package ring

import (
	"fmt"
	"os"
	"testing"

	"dpk/eal"
)

// childEnv, when set, makes the test binary a secondary process of the EAL
// whose --file-prefix it holds (see TestLookupOtherProcess).
const childEnv = "DPK_RING_TEST_PREFIX"

// TestMain starts the EAL (no hugepages, a file prefix of its own) for the
// tests that use memzones, and stops it afterwards.
func TestMain(m *testing.M) {
	prefix := fmt.Sprintf("ringtest%d", os.Getpid())
	args := []string{"ring.test", "--no-huge", "-m", "64", "-l", "0", "--file-prefix", prefix, "--log-level", "*:error"}
	if p := os.Getenv(childEnv); p != "" {
		args = []string{"ring.test", "--no-huge", "-l", "0", "--file-prefix", p, "--proc-type", "secondary", "--log-level", "*:error"}
	}
	if _, err := eal.Init(args); err != nil {
		fmt.Fprintf(os.Stderr, "ring tests: eal.Init: %v\n", err)
		os.Exit(1)
	}
	code := m.Run()
	eal.Cleanup()
	os.Exit(code)
}
