package main

import (
	"strings"
	"testing"
)

const ringOut = `RTE>>ring_perf_autotest

### Testing single element enq/deq ###
legacy APIs: SP/SC: single: 14.75

### Testing bulk enq/deq ###
legacy APIs: SP/SC: bulk (size: 8): 32.24
legacy APIs: MP/MC: bulk (size: 32): 77.42

### Testing empty bulk deq ###
legacy APIs: SP/SC: bulk (size: 8): 7.51

### Testing using two physical cores ###
legacy APIs: SP/SC: bulk (size: 8): 25.55

### Testing using all worker nodes ###

Bulk enq/dequeue count on size 8
Core [0] count = 109149
Total count (size: 8): 238507

### Testing bulk enq/deq ###
elem APIs: element size 16B: SP/SC: bulk (size: 8): 31.48

### Testing using all worker nodes ###
Total count (size: 8): 221552
Test OK
`

func TestParseRing(t *testing.T) {
	es, err := parseRing(strings.NewReader(ringOut))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		key   string
		value float64
		count bool
	}{
		{"Testing single element enq/deq | legacy APIs: SP/SC: single", 14.75, false},
		{"Testing bulk enq/deq | legacy APIs: SP/SC: bulk (size: 8)", 32.24, false},
		{"Testing bulk enq/deq | legacy APIs: MP/MC: bulk (size: 32)", 77.42, false},
		{"Testing empty bulk deq | legacy APIs: SP/SC: bulk (size: 8)", 7.51, false},
		{"Testing using two physical cores | legacy APIs: SP/SC: bulk (size: 8)", 25.55, false},
		{"Testing using all worker nodes | legacy APIs | Total count (size: 8)", 238507, true},
		{"Testing bulk enq/deq | elem APIs: element size 16B: SP/SC: bulk (size: 8)", 31.48, false},
		{"Testing using all worker nodes | elem APIs: element size 16B | Total count (size: 8)", 221552, true},
	}
	if len(es) != len(want) {
		t.Fatalf("%d entries, want %d: %+v", len(es), len(want), es)
	}
	for i, w := range want {
		if es[i].key != w.key || es[i].value != w.value || es[i].count != w.count {
			t.Errorf("entry %d = %q %v %v, want %q %v %v", i, es[i].key, es[i].value, es[i].count, w.key, w.value, w.count)
		}
	}
	// Targets: bulk lines 1.3, two-core bulk 1.5, none for single, empty and totals.
	targets := []float64{0, 1.3, 1.3, 0, 1.5, 0, 1.3, 0}
	for i, e := range es {
		if got := ringTarget(e); got != targets[i] {
			t.Errorf("target of %q = %v, want %v", e.key, got, targets[i])
		}
	}
}

const mempoolOut = `start performance test (with cache)
mempool_autotest cache=512 cores=1 n_get_bulk=1 n_put_bulk=1 n_keep=32 constant_n=0 rate_persec=100
mempool_autotest cache=512 cores=2 n_get_bulk=1 n_put_bulk=1 n_keep=32 constant_n=0 rate_persec=200
mempool_autotest cache=512 cores=2 n_get_bulk=1 n_put_bulk=1 n_keep=32 constant_n=0 rate_persec=210
start performance test (with user-owned cache)
mempool_autotest cache=512 cores=1 n_get_bulk=1 n_put_bulk=1 n_keep=32 constant_n=0 rate_persec=90
`

func TestParseMempoolDuplicates(t *testing.T) {
	es, err := parseMempool(strings.NewReader(mempoolOut))
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]float64{}
	for _, e := range es {
		if _, dup := keys[e.key]; dup {
			t.Errorf("duplicate key %q", e.key)
		}
		keys[e.key] = e.value
	}
	if len(keys) != 4 {
		t.Fatalf("%d distinct keys, want 4: %v", len(keys), keys)
	}
	p := "cache=512 cores=2 n_get_bulk=1 n_put_bulk=1 n_keep=32 constant_n=0"
	if keys["start performance test (with cache) | "+p] != 200 || keys["start performance test (with cache) | "+p+" #2"] != 210 {
		t.Errorf("cores=2 lines not told apart by order: %v", keys)
	}
	p1 := "cache=512 cores=1 n_get_bulk=1 n_put_bulk=1 n_keep=32 constant_n=0"
	if keys["start performance test (with cache) | "+p1] != 100 || keys["start performance test (with user-owned cache) | "+p1] != 90 {
		t.Errorf("sections not told apart: %v", keys)
	}
}

func TestReportMempoolPairsPartialRun(t *testing.T) {
	base, _ := parseMempool(strings.NewReader(mempoolOut))
	// dpk ran only the "with cache" section, cores=2 lines.
	dpk, _ := parseMempool(strings.NewReader(`start performance test (with cache)
mempool_autotest cache=512 cores=2 n_get_bulk=1 n_put_bulk=1 n_keep=32 constant_n=0 rate_persec=100
mempool_autotest cache=512 cores=2 n_get_bulk=1 n_put_bulk=1 n_keep=32 constant_n=0 rate_persec=210
`))
	var b strings.Builder
	if err := reportMempool(&b, base, dpk); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"0.50  << below 0.7", "1.00  ok", "1 of 2 with a target meet it", "vs stored DPDK 22.11 baseline"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

func TestReportRingNothingInCommon(t *testing.T) {
	a, _ := parseRing(strings.NewReader(ringOut))
	b, _ := parseRing(strings.NewReader("### Testing other ###\nlegacy APIs: SP/SC: other: 1.0\n"))
	if err := reportRing(&strings.Builder{}, a, b); err == nil {
		t.Error("no error when the outputs share no line")
	}
}
