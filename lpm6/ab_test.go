package lpm6

import "testing"

func (l *LPM) lookupPtr(ip *[AddrSize]byte) (uint32, bool) {
	e := l.tbl24[(uint32(ip[0])<<16|uint32(ip[1])<<8|uint32(ip[2]))&(tbl24Entries-1)]
	tbl8 := l.tbl8
	for b := 3; e&extBit != 0 && b < AddrSize; b++ {
		e = tbl8[uint32(e&lowMask)<<8|uint32(ip[b])]
	}
	return uint32(e & lowMask), e&validBit != 0
}

func BenchmarkAB(b *testing.B) {
	l, ips := perfTable(b)
	for _, v := range []string{"value", "ptr", "value", "ptr"} {
		b.Run(v, func(b *testing.B) {
			n := 0
			for i := 0; i < b.N; i++ {
				if v == "value" {
					for j := range ips {
						if _, ok := l.Lookup(ips[j]); !ok {
							n++
						}
					}
				} else {
					for j := range ips {
						if _, ok := l.lookupPtr(&ips[j]); !ok {
							n++
						}
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(ips)), "ns/lookup")
		})
	}
}
