package lpm6

import (
	"errors"
	"testing"

	"dpk/eal"
	"dpk/internal/testutil"
)

// With the EAL running the tables live in a memzone named after the
// table, which Free releases.
func TestMemzone(t *testing.T) {
	testutil.InitEAL(t, "-m", "512", "--log-level", "*:error")
	l, err := Create("mz", eal.SocketIDAny, Config{MaxRules: 16, NumberTbl8s: 16})
	if err != nil {
		t.Fatal(err)
	}
	mz, err := eal.MemzoneLookup(MemzonePrefix + "mz")
	if err != nil {
		t.Fatalf("no memzone for the table: %v", err)
	}
	if want := uint64(tbl24Entries+16*groupEntries) * 4; mz.Len() < want {
		t.Errorf("memzone of %d bytes, want %d", mz.Len(), want)
	}
	ip := addr("2001:db8::1")
	if err := l.Add(ip, 128, 7); err != nil {
		t.Fatal(err)
	}
	if nh, ok := l.Lookup(&ip); !ok || nh != 7 {
		t.Fatalf("Lookup = %d, %v", nh, ok)
	}
	if _, err := Create("a_name_too_long_for_its_zone", eal.SocketIDAny, Config{MaxRules: 16, NumberTbl8s: 16}); !errors.Is(err, ErrNameTooLong) {
		t.Errorf("Create with a 28-byte name = %v, want ErrNameTooLong", err)
	}
	l.Free()
	if _, err := eal.MemzoneLookup(MemzonePrefix + "mz"); err == nil {
		t.Error("memzone still there after Free")
	}
}
