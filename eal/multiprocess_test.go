package eal_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"dpk/eal"
	"dpk/internal/testutil"
)

const childEnv = "DPK_EAL_CHILD_ARGS"

// TestMain runs the test binary as a child EAL process when asked: it
// initialises with the arguments in DPK_EAL_CHILD_ARGS and prints its
// process type, or the error.
func TestMain(m *testing.M) {
	if a := os.Getenv(childEnv); a != "" {
		_, err := eal.Init(append([]string{"child"}, strings.Fields(a)...))
		if err != nil {
			os.Stdout.WriteString("error: " + err.Error() + "\n")
			os.Exit(3)
		}
		mz, err := eal.MemzoneLookup("parent_zone")
		if err == nil {
			os.Stdout.WriteString("found " + string(mz.Bytes()[:6]) + "\n")
		}
		os.Stdout.WriteString(eal.ProcessType().String() + "\n")
		eal.Cleanup()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func child(t *testing.T, args string) (string, int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+args)
	out, err := cmd.Output()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), code
}

func TestProcTypes(t *testing.T) {
	prefix := testutil.Prefix(t)
	// A secondary with no primary is refused.
	out, code := child(t, "--no-huge -l 0 --proc-type secondary --file-prefix "+prefix)
	if code == 0 || !strings.Contains(out, "no primary process") {
		t.Fatalf("secondary without primary: %q (exit %d)", out, code)
	}
	if _, err := eal.Init([]string{"t", "--no-huge", "-l", "0", "--file-prefix", prefix}); err != nil {
		t.Fatal(err)
	}
	defer eal.Cleanup()
	if !eal.IsPrimary() || eal.ProcessType() != eal.ProcPrimary {
		t.Fatal("not primary")
	}
	if eal.RunDir() == "" || eal.FilePrefix() != prefix {
		t.Fatalf("run dir %q prefix %q", eal.RunDir(), eal.FilePrefix())
	}
	if _, err := os.Stat(eal.RunDir() + "/config"); err != nil {
		t.Fatal(err)
	}
	mz, _ := eal.MemzoneReserve("parent_zone", 64, -1, 0)
	copy(mz.Bytes(), "parent")
	// A second primary is refused; auto becomes secondary and sees the zone.
	out, code = child(t, "--no-huge -l 1 --file-prefix "+prefix)
	if code == 0 || !strings.Contains(out, "already running") {
		t.Errorf("second primary: %q (exit %d)", out, code)
	}
	out, code = child(t, "--no-huge -l 1 --proc-type auto --file-prefix "+prefix)
	if code != 0 || !strings.Contains(out, "found parent") || !strings.Contains(out, "secondary") {
		t.Errorf("auto: %q (exit %d)", out, code)
	}
	// --in-memory processes are independent even with the same prefix.
	out, code = child(t, "--no-huge -l 1 --in-memory --file-prefix "+prefix)
	if code != 0 || !strings.Contains(out, "primary") || strings.Contains(out, "found") {
		t.Errorf("in-memory: %q (exit %d)", out, code)
	}
}

func TestCleanupRemovesRuntimeFiles(t *testing.T) {
	prefix := testutil.Prefix(t)
	if _, err := eal.Init([]string{"t", "--no-huge", "-l", "0", "--file-prefix", prefix}); err != nil {
		t.Fatal(err)
	}
	dir := eal.RunDir()
	eal.Cleanup()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("runtime dir %s left behind: %v", dir, err)
	}
}
