package tap

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"dpk/eal"
	"dpk/ethdev"
	"dpk/mbuf"

	"golang.org/x/sys/unix"
)

// BenchmarkEchoRxTx sends bursts of 32 ICMP echo requests from a tap port
// to the kernel behind its interface and receives the replies: the cost of
// a packet through TxBurst, the kernel's stack both ways and RxBurst.
// ns/pkt counts each direction's packet once (a request and its reply are
// two packets); cpu-ns/pkt is the CPU time of the calling thread, which
// includes the kernel's work done in its write and read calls.
func BenchmarkEchoRxTx(b *testing.B) {
	for _, size := range []int{64, 1500} {
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			e := newEchoPeer(b, "net_tap_bench", "", 1)
			f := echoFrame(e.kmac, e.mac, e.ip, e.kip, 1, size-42)
			tx, rx := make([]*mbuf.Mbuf, 32), make([]*mbuf.Mbuf, 32)
			var sent, got int
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			cpu := threadCPU()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i += 32 {
				if mbuf.AllocBulk(e.pool, tx, eal.LcoreIDAny) == nil {
					for _, m := range tx {
						m.SetLen(uint16(len(f)))
						copy(m.Data(), f)
					}
					n := ethdev.TxBurst(e.port, 0, tx)
					mbuf.FreeBulk(tx[n:], eal.LcoreIDAny)
					sent += n
				}
				for got < sent-256 {
					n := ethdev.RxBurst(e.port, 0, rx)
					mbuf.FreeBulk(rx[:n], eal.LcoreIDAny)
					got += n
				}
			}
			for end := time.Now().Add(100 * time.Millisecond); got < sent && time.Now().Before(end); {
				n := ethdev.RxBurst(e.port, 0, rx)
				mbuf.FreeBulk(rx[:n], eal.LcoreIDAny)
				got += n
			}
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(max(sent+got, 1)), "ns/pkt")
			b.ReportMetric(float64((threadCPU()-cpu).Nanoseconds())/float64(max(sent+got, 1)), "cpu-ns/pkt")
			if s, _ := ethdev.StatsGet(e.port); s.IMissed > 0 || got < sent {
				b.Logf("%d sent, %d received, %d missed", sent, got, s.IMissed)
			}
		})
	}
}

// threadCPU returns the CPU time the calling thread has used.
func threadCPU() time.Duration {
	var ru unix.Rusage
	unix.Getrusage(unix.RUSAGE_THREAD, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
