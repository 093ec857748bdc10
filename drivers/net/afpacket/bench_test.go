package afpacket

import (
	"fmt"
	"net"
	"runtime"
	"testing"
	"time"

	"dpk/eal"
	"dpk/ethdev"
	"dpk/internal/drivertest"
	"dpk/internal/netns"
	"dpk/mbuf"

	"golang.org/x/sys/unix"
)

// BenchmarkTxRx sends bursts of 32 packets from one dpk port and receives
// them on another, on the two ends of a veth pair: the cost of a packet
// through TxBurst, the kernel and RxBurst.
func BenchmarkTxRx(b *testing.B) {
	for _, size := range []int{64, 1500} {
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			v, x, y := newPair(b, ",framecnt=4096", ",framecnt=4096", false)
			mp := drivertest.NewPool(b, "afp_bench", 8191)
			startPort(b, x, 1, mp, nil)
			startPort(b, y, 1, mp, nil)
			f := drivertest.UDPFrame(netns.Host.MAC(b, v.Peer), netns.Host.MAC(b, v.Name), net.IPv4(10, 97, 0, 1), net.IPv4(10, 97, 0, 2), 1, 9, make([]byte, size-42))
			tx, rx := make([]*mbuf.Mbuf, 32), make([]*mbuf.Mbuf, 32)
			var sent, got int
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			cpu := threadCPU()
			b.ResetTimer()
			for i := 0; i < b.N; i += 32 {
				if mbuf.AllocBulk(mp, tx, eal.LcoreIDAny) == nil {
					for _, m := range tx {
						m.SetLen(uint16(len(f)))
						copy(m.Data(), f)
					}
					n := ethdev.TxBurst(x, 0, tx)
					mbuf.FreeBulk(tx[n:], eal.LcoreIDAny)
					sent += n
				}
				for got < sent-4096 {
					n := ethdev.RxBurst(y, 0, rx)
					mbuf.FreeBulk(rx[:n], eal.LcoreIDAny)
					got += n
				}
			}
			for end := time.Now().Add(100 * time.Millisecond); got < sent && time.Now().Before(end); {
				n := ethdev.RxBurst(y, 0, rx)
				mbuf.FreeBulk(rx[:n], eal.LcoreIDAny)
				got += n
			}
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(max(got, 1)), "ns/pkt")
			b.ReportMetric(float64((threadCPU()-cpu).Nanoseconds())/float64(max(got, 1)), "cpu-ns/pkt")
			if s, _ := ethdev.StatsGet(y); s.IMissed > 0 {
				b.Logf("%d sent, %d received, %d missed", sent, got, s.IMissed)
			}
		})
	}
}

// BenchmarkTxMethod compares the two ways af_packet can send, in batches
// of 32 packets on a veth whose peer drops what arrives: the driver's
// sendmmsg (TxBurst: a virtio_net_hdr and the mbuf's segments per message,
// copied by the kernel) and DPDK's TPACKET_V2 TX ring (packets copied into
// ring frames, then sendto(MSG_DONTWAIT) to kick the kernel, which sends
// the frames' pages without a copy).
func BenchmarkTxMethod(b *testing.B) {
	for _, size := range []int{64, 1500} {
		b.Run(fmt.Sprintf("sendmmsg/%dB", size), func(b *testing.B) {
			v, x, _ := newPair(b, "", "", false)
			mp := drivertest.NewPool(b, "afp_bench", 8191)
			startPort(b, x, 1, mp, nil)
			f := drivertest.UDPFrame(netns.Host.MAC(b, v.Peer), netns.Host.MAC(b, v.Name), net.IPv4(10, 97, 0, 1), net.IPv4(10, 97, 0, 2), 1, 9, make([]byte, size-42))
			tx := make([]*mbuf.Mbuf, 32)
			sent := 0
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			cpu := threadCPU()
			b.ResetTimer()
			for i := 0; i < b.N; i += 32 {
				if mbuf.AllocBulk(mp, tx, eal.LcoreIDAny) != nil {
					b.Fatal("pool empty")
				}
				for _, m := range tx {
					m.SetLen(uint16(len(f)))
					copy(m.Data(), f)
				}
				n := ethdev.TxBurst(x, 0, tx)
				mbuf.FreeBulk(tx[n:], eal.LcoreIDAny)
				sent += n
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(max(sent, 1)), "ns/pkt")
			b.ReportMetric(float64((threadCPU()-cpu).Nanoseconds())/float64(max(sent, 1)), "cpu-ns/pkt")
		})
		b.Run(fmt.Sprintf("txring/%dB", size), func(b *testing.B) {
			v, _, _ := newPair(b, "", "", false)
			ifc, err := net.InterfaceByName(v.Name)
			if err != nil {
				b.Fatal(err)
			}
			r, err := newTxRing(ifc.Index, 2048, 512)
			if err != nil {
				b.Fatal(err)
			}
			defer r.close()
			f := drivertest.UDPFrame(netns.Host.MAC(b, v.Peer), ifc.HardwareAddr, net.IPv4(10, 97, 0, 1), net.IPv4(10, 97, 0, 2), 1, 9, make([]byte, size-42))
			sent := 0
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			cpu := threadCPU()
			b.ResetTimer()
			for i := 0; i < b.N; i += 32 {
				sent += r.send(f, 32)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(max(sent, 1)), "ns/pkt")
			b.ReportMetric(float64((threadCPU()-cpu).Nanoseconds())/float64(max(sent, 1)), "cpu-ns/pkt")
		})
	}
}

// threadCPU returns the CPU time the calling thread has used (user and
// system): the kernel's sending work runs in the sender's system call, so
// this measures a send method even on a busy machine, where wall time
// mostly measures the wait for a CPU.
func threadCPU() time.Duration {
	var ru unix.Rusage
	unix.Getrusage(unix.RUSAGE_THREAD, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
