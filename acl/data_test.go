package acl_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dpk/acl"
	"dpk/acl/classbench"
	"dpk/internal/testutil"
)

// dataDir returns the directory of the shared ACL data sets (see
// SOURCES.md there).
func dataDir(t testing.TB) string { return testutil.SharedData(t, "acl") }

func dataFiles(t *testing.T, pattern string) []string {
	t.Helper()
	dir := dataDir(t)
	files, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no data files %s in %s", pattern, dir)
	}
	return files
}

func loadRules(t testing.TB, path string, f classbench.Format) []acl.Rule {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	rules, err := classbench.ParseRules(fh, f, 0)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rules
}

func loadTrace(t testing.TB, path string, f classbench.Format) *classbench.Trace {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	tr, err := classbench.ParseTraces(fh, f, 0)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return tr
}

var ctxSeq int

// newBuilt returns a context built from rules.
func newBuilt(t testing.TB, defs []acl.FieldDef, nfields int, rules []acl.Rule, cfg acl.Config) *acl.Context {
	t.Helper()
	ctxSeq++
	c, err := acl.NewContext(acl.Params{Name: fmt.Sprintf("test%d", ctxSeq), MaxRules: len(rules), NumFields: nfields})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Free)
	if err := c.AddRules(rules); err != nil {
		t.Fatal(err)
	}
	cfg.Defs = defs
	if err := c.Build(cfg); err != nil {
		t.Fatal(err)
	}
	return c
}

// tuples splits a flat buffer into inputs.
func tuples(buf []byte, size int) [][]byte {
	out := make([][]byte, len(buf)/size)
	for i := range out {
		out[i] = buf[i*size : (i+1)*size]
	}
	return out
}

// checkOracle classifies data with c and with the oracle and reports every
// difference (up to a few).
func checkOracle(t *testing.T, c *acl.Context, o *oracle, data [][]byte, cats int) {
	t.Helper()
	got := make([]uint32, len(data)*cats)
	if err := c.Classify(data, got, cats); err != nil {
		t.Fatal(err)
	}
	want := make([]uint32, cats)
	bad := 0
	for i, in := range data {
		o.classify(in, want)
		for k := 0; k < cats; k++ {
			if got[i*cats+k] != want[k] {
				bad++
				if bad <= 5 {
					t.Errorf("input %d %x category %d: got %d, want %d", i, in, k, got[i*cats+k], want[k])
				}
			}
		}
	}
	if bad > 5 {
		t.Errorf("%d differences in all", bad)
	}
}

// TestDPDKTestACLInputs runs dpdk-test-acl's own rule and trace files,
// whose traces carry the expected results.
func TestDPDKTestACLInputs(t *testing.T) {
	for _, rf := range dataFiles(t, "dpdk-test-acl/*_rule") {
		name := filepath.Base(rf)
		f := classbench.IPv4
		if strings.Contains(name, "v6") {
			f = classbench.IPv6
		}
		for _, format := range []classbench.Format{f, classbench.IPv6U64} {
			if f == classbench.IPv4 && format != f {
				continue
			}
			t.Run(name+"/"+format.String(), func(t *testing.T) {
				rules := loadRules(t, rf, format)
				tr := loadTrace(t, strings.TrimSuffix(rf, "_rule")+"_trace", format)
				if !tr.HasExpect {
					t.Fatal("trace has no expected results")
				}
				c := newBuilt(t, format.Defs(), format.NumFields(), rules, acl.Config{NumCategories: 3})
				data := tuples(tr.Tuples, format.TupleSize())
				got := make([]uint32, len(data))
				if err := c.Classify(data, got, 1); err != nil {
					t.Fatal(err)
				}
				for i := range data {
					if got[i]-1 != tr.Expect[i] {
						t.Errorf("trace %d: got rule %d, want %d", i, got[i]-1, tr.Expect[i])
					}
				}
				checkOracle(t, c, newOracle(format.Defs(), rules, 3), data, 4)
				gen := classbench.Generate(format.Defs(), rules, format.TupleSize(), 2000, 1)
				checkOracle(t, c, newOracle(format.Defs(), rules, 3), tuples(gen, format.TupleSize()), 1)
			})
		}
	}
}

// TestClassBench checks every ClassBench set against the oracle on
// generated traces.
func TestClassBench(t *testing.T) {
	n := 20000
	if testing.Short() || raceEnabled {
		n = 2000
	}
	for _, rf := range dataFiles(t, "classbench/*_1k") {
		t.Run(filepath.Base(rf), func(t *testing.T) {
			f := classbench.IPv4
			rules := loadRules(t, rf, f)
			o := newOracle(f.Defs(), rules, 4)
			c := newBuilt(t, f.Defs(), f.NumFields(), rules, acl.Config{NumCategories: 4})
			data := tuples(classbench.Generate(f.Defs(), rules, f.TupleSize(), n, 7), f.TupleSize())
			checkOracle(t, c, o, data, 1)
			checkOracle(t, c, o, data[:n/10], 8)
			res := make([]uint32, len(data))
			if err := c.Classify(data, res, 1); err != nil {
				t.Fatal(err)
			}
			hit := map[uint32]bool{}
			for _, r := range res {
				hit[r] = true
			}
			t.Logf("%d rules, %d tuples equal to the oracle, %d distinct results; %d tries, %d bytes",
				len(rules), len(data), len(hit), c.NumTries(), c.Size())
		})
	}
}
