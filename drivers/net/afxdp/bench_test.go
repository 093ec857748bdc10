package afxdp

import (
	"fmt"
	"net"
	"testing"
	"time"

	"dpk/eal"
	"dpk/ethdev"
	"dpk/internal/drivertest"
	"dpk/internal/netns"
	"dpk/mbuf"
	"dpk/mempool"
)

// pairTraffic sends bursts from port x and receives them on port y, the two
// ends of a veth pair, with the frame f copied into mbufs of mp.
type pairTraffic struct {
	x, y      uint16
	mp        *mempool.Mempool
	f         []byte
	tx, rx    []*mbuf.Mbuf
	sent, got int
}

func newPairTraffic(t testing.TB, pool string, size int, args string) *pairTraffic {
	v, x, y := newPair(t, args, args, 1)
	mp := newPool(t, pool, 8191)
	startPort(t, x, 1, mp, 2048)
	startPort(t, y, 1, mp, 2048)
	f := drivertest.UDPFrame(netns.Host.MAC(t, v.Peer), netns.Host.MAC(t, v.Name), net.IPv4(10, 95, 0, 1), net.IPv4(10, 95, 0, 2), 1, 9, make([]byte, size-42))
	return &pairTraffic{x: x, y: y, mp: mp, f: f, tx: make([]*mbuf.Mbuf, 32), rx: make([]*mbuf.Mbuf, 32)}
}

// burst sends one burst of 32 and receives whatever has arrived, keeping
// no more than a ring's worth in flight.
func (p *pairTraffic) burst() {
	if mbuf.AllocBulk(p.mp, p.tx, eal.LcoreIDAny) == nil {
		for _, m := range p.tx {
			m.SetLen(uint16(len(p.f)))
			copy(m.Data(), p.f)
		}
		n := ethdev.TxBurst(p.x, 0, p.tx)
		mbuf.FreeBulk(p.tx[n:], eal.LcoreIDAny)
		p.sent += n
	}
	for tries := 0; tries < 1000; tries++ {
		n := ethdev.RxBurst(p.y, 0, p.rx)
		mbuf.FreeBulk(p.rx[:n], eal.LcoreIDAny)
		p.got += n
		if p.got >= p.sent-1024 {
			break
		}
	}
}

func (p *pairTraffic) finish() {
	for end := time.Now().Add(200 * time.Millisecond); p.got < p.sent && time.Now().Before(end); {
		n := ethdev.RxBurst(p.y, 0, p.rx)
		mbuf.FreeBulk(p.rx[:n], eal.LcoreIDAny)
		p.got += n
	}
}

// BenchmarkTxRx sends bursts of 32 packets from one af_xdp port to another
// on the two ends of a veth pair (copy mode, native XDP): the cost of a
// packet through TxBurst, the kernel and RxBurst, and the heap
// allocations per burst (none).
func BenchmarkTxRx(b *testing.B) {
	for _, size := range []int{64, 1500} {
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			p := newPairTraffic(b, "axp_bench", size, ",busy_budget=0")
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i += 32 {
				p.burst()
			}
			p.finish()
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(max(p.got, 1)), "ns/pkt")
			if s, _ := ethdev.StatsGet(p.y); s.IMissed > 0 {
				b.Logf("%d sent, %d received, %d missed", p.sent, p.got, s.IMissed)
			}
		})
	}
}

// TestBurstNoAlloc checks that TxBurst and RxBurst, with the kicks they
// make, allocate nothing on the heap.
func TestBurstNoAlloc(t *testing.T) {
	for i, args := range []string{",busy_budget=0", "", ",shared_umem=1,force_copy=1"} {
		p := newPairTraffic(t, fmt.Sprintf("axp_alloc%d", i), 64, args)
		for range 100 {
			p.burst() // warm up: caches, first kicks
		}
		if a := testing.AllocsPerRun(500, p.burst); a != 0 {
			t.Errorf("devargs %q: %.2f heap allocations per burst, want 0", args, a)
		}
		p.finish()
		if p.got == 0 {
			t.Errorf("devargs %q: nothing received", args)
		}
		t.Logf("devargs %q: %d sent, %d received", args, p.sent, p.got)
		ethdev.Close(p.x)
		ethdev.Close(p.y)
	}
}
