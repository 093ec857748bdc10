package acl_test

import (
	"path/filepath"
	"testing"

	"dpk/acl"
	"dpk/acl/classbench"
)

// BenchmarkClassify measures Classify on ClassBench sets with generated
// traces, in bursts of 256 as dpdk-test-acl's default --tracestep, and
// reports ns per packet.
func BenchmarkClassify(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join(dataDir(b), "classbench/*_1k"))
	if len(files) == 0 {
		b.Skip("no ClassBench data")
	}
	for _, rf := range files {
		b.Run(filepath.Base(rf), func(b *testing.B) {
			f := classbench.IPv4
			rules := loadRules(b, rf, f)
			c := newBuilt(b, f.Defs(), f.NumFields(), rules, acl.Config{NumCategories: 1})
			const n = 1 << 14
			data := tuples(classbench.Generate(f.Defs(), rules, f.TupleSize(), n, 1), f.TupleSize())
			res := make([]uint32, 256)
			b.ResetTimer()
			pkts := 0
			for i := 0; i < b.N; i++ {
				o := (i * 256) % n
				if err := c.Classify(data[o:o+256], res, 1); err != nil {
					b.Fatal(err)
				}
				pkts += 256
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(pkts), "ns/pkt")
		})
	}
}
