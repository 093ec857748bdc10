package sys

import (
	"reflect"
	"testing"
	"time"
)

func TestParseCPUList(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []int
		ok   bool
	}{
		{"0", []int{0}, true},
		{"0-3", []int{0, 1, 2, 3}, true},
		{"0-1,4,6-7", []int{0, 1, 4, 6, 7}, true},
		{"", nil, true},
		{"3-1", nil, false},
		{"a", nil, false},
		{"-1", nil, false},
		{"0-100000", nil, false},
	} {
		got, err := ParseCPUList(tc.in)
		if (err == nil) != tc.ok || (tc.ok && !reflect.DeepEqual(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0)) {
			t.Errorf("ParseCPUList(%q) = %v, %v; want %v ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]uint64{"4096": 4096, "2M": 2 << 20, "1G": 1 << 30, "2048k": 2 << 20, "2MB": 2 << 20} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "x", "1T", "99999999999999G"} {
		if _, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) succeeded", in)
		}
	}
}

func TestTopology(t *testing.T) {
	cpus, err := Topology()
	if err != nil {
		t.Fatal(err)
	}
	if len(cpus) == 0 {
		t.Fatal("no cpus")
	}
	for i, c := range cpus {
		if i > 0 && c.ID <= cpus[i-1].ID {
			t.Errorf("cpus not in order: %v", cpus)
		}
		if c.Node < 0 {
			t.Errorf("cpu %d on node %d", c.ID, c.Node)
		}
	}
}

func TestRdtscAndTimerHz(t *testing.T) {
	a := Rdtsc()
	time.Sleep(time.Millisecond)
	b := Rdtsc()
	if b <= a {
		t.Fatalf("Rdtsc went from %d to %d", a, b)
	}
	hz := TimerHz()
	if hz < 1e8 || hz > 1e10 {
		t.Fatalf("TimerHz = %d, not a plausible clock rate", hz)
	}
	Pause()
}

func TestPinThread(t *testing.T) {
	old, err := ThreadAffinity()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() {
		if err := PinThread([]int{old[0]}); err != nil {
			done <- err
			return
		}
		got, err := ThreadAffinity()
		if err == nil && (len(got) != 1 || got[0] != old[0]) {
			t.Errorf("affinity %v after pinning to %d", got, old[0])
		}
		done <- err
	}()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := PinThread([]int{5000}); err == nil {
		t.Error("pinning to cpu 5000 succeeded")
	}
}
