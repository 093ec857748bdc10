package ring

import (
	"os"
	"os/exec"
	"testing"

	"dpk/eal"
)

// TestLookupOtherProcess creates a ring, starts this test binary again as a
// secondary process of the same --file-prefix, and passes values both ways:
// the secondary finds the ring with Lookup over its own mapping of the
// memzone (at another address), dequeues what the primary enqueued and
// enqueues an answer.
func TestLookupOtherProcess(t *testing.T) {
	if os.Getenv(childEnv) != "" {
		secondary(t)
		return
	}
	if testing.Short() {
		t.Skip("starts a process")
	}
	r, err := Create("xproc", 64, eal.SocketIDAny, FlagSPEnq|FlagSCDeq)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Free()
	if n, _ := r.EnqueueBulkU64([]uint64{10, 11, 12}); n != 3 {
		t.Fatal("enqueue")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestLookupOtherProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+eal.FilePrefix())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("secondary: %v\n%s", err, out)
	}
	got := make([]uint64, 4)
	if n, _ := r.DequeueBurstU64(got); n != 3 || got[0] != 20 || got[1] != 21 || got[2] != 33 {
		t.Fatalf("primary got %d: %v\nsecondary said:\n%s", n, got, out)
	}
}

func secondary(t *testing.T) {
	r, err := Lookup("xproc")
	if err != nil {
		t.Fatal(err)
	}
	vals := make([]uint64, 8)
	n, _ := r.DequeueBurstU64(vals)
	if n != 3 || vals[0] != 10 || vals[1] != 11 || vals[2] != 12 {
		t.Fatalf("secondary got %d: %v", n, vals[:n])
	}
	if n, _ := r.EnqueueBulkU64([]uint64{20, 21, vals[0] + vals[1] + vals[2]}); n != 3 {
		t.Fatal("secondary enqueue")
	}
}
