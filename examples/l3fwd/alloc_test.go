package main

import (
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"dpk/ethdev"
	"dpk/internal/testutil"
	"dpk/mbuf"
	"dpk/pkt"
)

// nullApp sets l3fwd up in mode on two net_null ports polled by lcore 0,
// with DPDK's default routes, or in ACL mode the rule files acl4 and acl6.
func nullApp(t testing.TB, mode lookupMode, acl4, acl6 string) (*app, *worker) {
	t.Helper()
	testutil.InitEAL(t, "--in-memory", "--vdev", "net_null0", "--vdev", "net_null1")
	args := []string{"-p", "0x3", "--lookup=" + mode.String(), "--config=(0,0,0),(1,0,0)"}
	if mode == modeACL {
		args = append(args, "--rule_ipv4="+acl4, "--rule_ipv6="+acl6)
	}
	o, err := parseArgs(args, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	a, err := newApp(o, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.close)
	return a, a.workers[0]
}

// burstFrames is a burst of 32 frames of every fate: routed to port 0 or
// 1 (IPv4 and IPv6, UDP, TCP and ICMP), unrouted, TTL expired, not IP.
func burstFrames() [][]byte {
	var fr [][]byte
	for i := range 32 {
		p := byte(i % 2)
		// DPDK's default EM flows are these: 198.18.p.1:9 -> 198.18.p.0:9.
		f := flow{src: benchAddr4(p, 1), dst: benchAddr4(p, 0), proto: pkt.IPProtoUDP, sport: 9, dport: 9}
		switch i % 8 {
		case 2:
			f.src, f.dst = benchAddr6(p, 1), benchAddr6(p, 0)
		case 3:
			f.proto = pkt.IPProtoICMP
		case 4:
			f.dst = netip.MustParseAddr("10.1.2.3")
		case 5:
			f.ttl = 1
		case 6:
			f.proto, f.sport, f.dport = pkt.IPProtoTCP, 1000, 80
		}
		b := f.frame()
		if i == 31 {
			b[12], b[13] = 0x08, 0x06 // ARP
		}
		fr = append(fr, b)
	}
	return fr
}

// fill allocates pkts from the app's pool and copies frames into them.
func fill(t testing.TB, a *app, pkts []*mbuf.Mbuf, frames [][]byte) {
	if err := mbuf.AllocBulk(a.pools[0], pkts, 0); err != nil {
		t.Fatal(err)
	}
	for i, m := range pkts {
		d, err := m.Append(uint16(len(frames[i])))
		if err != nil {
			t.Fatal(err)
		}
		copy(d, frames[i])
	}
}

// TestProcessBurstAllocs proves the packet path allocates nothing: a whole
// burst classified, rewritten, buffered and sent (to net_null, which frees
// it), or dropped, in each lookup mode, and the poll of an RX queue.
func TestProcessBurstAllocs(t *testing.T) {
	acl4, acl6 := aclFiles(t)
	for _, mode := range []lookupMode{modeLPM, modeEM, modeACL} {
		t.Run(mode.String(), func(t *testing.T) {
			a, w := nullApp(t, mode, acl4, acl6)
			frames := burstFrames()
			pkts := make([]*mbuf.Mbuf, len(frames))
			allocs := testing.AllocsPerRun(200, func() {
				fill(t, a, pkts, frames)
				w.processBurst(pkts)
				w.flushAll()
			})
			if allocs != 0 {
				t.Errorf("processBurst: %v allocations per burst", allocs)
			}
			c := a.counts()
			if c.tx[0] == 0 || c.tx[1] == 0 || c.drop[dropNoRoute] == 0 || c.drop[dropTTL] == 0 || c.drop[dropNotIP] == 0 {
				t.Errorf("the bursts did not go everywhere: %+v", c)
			}
			if allocs := testing.AllocsPerRun(100, w.pollOnce); allocs != 0 {
				t.Errorf("pollOnce: %v allocations", allocs)
			}
			w.flushAll()
			for _, p := range a.ports {
				ethdev.Stop(p) // the drivers give back what they cache
			}
			mp := a.pools[0]
			mp.CacheFlush(mp.DefaultCache(0))
			if mp.AvailCount() != mp.Size() {
				t.Errorf("%d of %d mbufs back in the pool", mp.AvailCount(), mp.Size())
			}
		})
	}
}

// BenchmarkProcessBurst measures the forwarding of a 32-packet burst of
// mixed fates (burstFrames) to net_null ports, mbuf allocation and the
// copy of the frames included.
func BenchmarkProcessBurst(b *testing.B) {
	acl4, acl6 := aclFiles(b)
	for _, mode := range []lookupMode{modeLPM, modeEM, modeACL} {
		b.Run(mode.String(), func(b *testing.B) {
			a, w := nullApp(b, mode, acl4, acl6)
			frames := burstFrames()
			pkts := make([]*mbuf.Mbuf, len(frames))
			b.ReportAllocs()
			for b.Loop() {
				fill(b, a, pkts, frames)
				w.processBurst(pkts)
				w.flushAll()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(frames)), "ns/pkt")
		})
	}
}

// aclFiles writes ACL rule files with DPDK's default routes for ports 0
// and 1 (198.18.<p>.0/24, 2001:200:0:<p>::/64) and a deny rule.
func aclFiles(t testing.TB) (string, string) {
	dir := t.TempDir()
	v4 := "@0.0.0.0/0 198.18.1.77/32 0 : 65535 0 : 65535 0x00/0x00\n" +
		"R0.0.0.0/0 198.18.0.0/24 0 : 65535 0 : 65535 0x00/0x00 0\n" +
		"R0.0.0.0/0 198.18.1.0/24 0 : 65535 0 : 65535 0x00/0x00 1\n"
	v6 := "R0:0:0:0:0:0:0:0/0 2001:0200:0000:0000:0000:0000:0000:0000/64 0 : 65535 0 : 65535 0x00/0x00 0\n" +
		"R0:0:0:0:0:0:0:0/0 2001:0200:0000:0001:0000:0000:0000:0000/64 0 : 65535 0 : 65535 0x00/0x00 1\n"
	p4, p6 := filepath.Join(dir, "v4.cfg"), filepath.Join(dir, "v6.cfg")
	if err := os.WriteFile(p4, []byte(v4), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p6, []byte(v6), 0o644); err != nil {
		t.Fatal(err)
	}
	return p4, p6
}
