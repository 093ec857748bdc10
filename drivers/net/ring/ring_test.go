package ring_test

import (
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	_ "dpk/drivers/net/ring"
	"dpk/eal"
	"dpk/ethdev"
	"dpk/internal/testutil"
	"dpk/mbuf"
	"dpk/mempool"
)

func setupPorts(t testing.TB, mp *mempool.Mempool, nq uint16) {
	t.Helper()
	for _, p := range ethdev.Ports() {
		if err := ethdev.Configure(p, nq, nq, nil); err != nil {
			t.Fatal(err)
		}
		for q := uint16(0); q < nq; q++ {
			if err := ethdev.RxQueueSetup(p, q, 1024, -1, nil, mp); err != nil {
				t.Fatal(err)
			}
			if err := ethdev.TxQueueSetup(p, q, 1024, -1, nil); err != nil {
				t.Fatal(err)
			}
		}
		if err := ethdev.Start(p); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoopbackAndLink(t *testing.T) {
	testutil.InitEAL(t, "--in-memory", "--vdev", "net_ring0", "--vdev", "net_ring1,rx=[ab0,ab1],tx=[ba0,ba1]", "--vdev", "net_ring2,rx=[ba0,ba1],tx=[ab0,ab1]")
	mp, _ := mbuf.PoolCreate("pool", 4095, 0, 0, mbuf.DefaultBufSize, -1)
	setupPorts(t, mp, 2)
	info, _ := ethdev.InfoGet(0)
	if info.MaxRxQueues != 16 || info.DriverName != "net_ring" {
		t.Errorf("info %+v", info)
	}
	ms := make([]*mbuf.Mbuf, 40)
	mbuf.AllocBulk(mp, ms, eal.LcoreIDAny)
	for i, m := range ms {
		b, _ := m.Append(60)
		b[0] = byte(i)
	}
	// Port 0 loops back: TX on queue 1 comes back on RX queue 1.
	if n := ethdev.TxBurst(0, 1, ms[:10]); n != 10 {
		t.Fatalf("sent %d", n)
	}
	got := make([]*mbuf.Mbuf, 64)
	if n := ethdev.RxBurst(0, 0, got); n != 0 {
		t.Fatalf("queue 0 got %d", n)
	}
	if n := ethdev.RxBurst(0, 1, got); n != 10 || got[3] != ms[3] {
		t.Fatalf("loopback got %d", n)
	}
	mbuf.FreeBulk(got[:10], eal.LcoreIDAny)
	// Ports 1 and 2 are wired crosswise.
	if n := ethdev.TxBurst(1, 0, ms[10:40]); n != 30 {
		t.Fatalf("sent %d", n)
	}
	n := ethdev.RxBurst(2, 0, got)
	if n != 30 || got[0].Data()[0] != 10 {
		t.Fatalf("link got %d", n)
	}
	s1, _ := ethdev.StatsGet(1)
	s2, _ := ethdev.StatsGet(2)
	if s1.OPackets != 30 || s2.IPackets != 30 || s2.IBytes != 0 { // packets only, as DPDK's ring PMD
		t.Errorf("stats %+v %+v", s1, s2)
	}
	mbuf.FreeBulk(got[:n], eal.LcoreIDAny)
	// A full ring takes what fits; the rest stays with the caller.
	big := make([]*mbuf.Mbuf, 1100)
	if err := mbuf.AllocBulk(mp, big, eal.LcoreIDAny); err != nil {
		t.Fatal(err)
	}
	sent := ethdev.TxBurst(1, 1, big)
	if sent != 1023 {
		t.Errorf("sent %d into a ring of capacity 1023", sent)
	}
	mbuf.FreeBulk(big[sent:], eal.LcoreIDAny)
	if n := testing.AllocsPerRun(100, func() {
		k := ethdev.RxBurst(2, 1, got[:32])
		ethdev.TxBurst(1, 1, got[:k])
	}); n != 0 {
		t.Errorf("%v allocs per burst", n)
	}
	for _, p := range ethdev.Ports() {
		ethdev.Stop(p)
	}
	// Closing the ports frees what the rings still hold.
	for _, p := range ethdev.Ports() {
		ethdev.Close(p)
	}
	if mp.AvailCount() != mp.Size() {
		t.Errorf("%d of %d mbufs back after close", mp.AvailCount(), mp.Size())
	}
}

func TestBadArgs(t *testing.T) {
	for _, v := range []string{"net_ring0,nodeaction=x", "net_ring0,nodeaction=r:0:DESTROY", "net_ring0,rx=a", "net_ring0,nodeaction=nosuch:0:ATTACH", "net_ring0,rx=a,tx=b,nodeaction=c:0:CREATE"} {
		_, err := eal.Init([]string{"t", "--in-memory", "--no-huge", "-l", "0", "--vdev", v})
		if err == nil {
			eal.Cleanup()
			t.Errorf("--vdev %s accepted", v)
		} else if !strings.Contains(err.Error(), "net_ring0") {
			t.Errorf("--vdev %s: %v does not name the device", v, err)
		}
	}
}

const (
	roleEnv   = "DPK_RINGPMD_ROLE"
	prefixEnv = "DPK_RINGPMD_PREFIX"
	count     = 20000
)

func TestMain(m *testing.M) {
	if os.Getenv(roleEnv) == "secondary" {
		if err := secondary(os.Getenv(prefixEnv)); err != nil {
			fmt.Fprintln(os.Stderr, "secondary:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// secondary is a port in another process wired to the primary's port: it
// echoes every packet back with its first byte incremented.
func secondary(prefix string) error {
	_, err := eal.Init([]string{"sec", "--no-huge", "-l", "1", "--proc-type", "secondary", "--file-prefix", prefix,
		"--vdev", "net_ring9,rx=[p2s],tx=[s2p]"})
	if err != nil {
		return err
	}
	defer eal.Cleanup()
	mp, err := mempool.Lookup("pool")
	if err != nil {
		return err
	}
	port, _ := ethdev.PortByName("net_ring9")
	ethdev.Configure(port, 1, 1, nil)
	ethdev.RxQueueSetup(port, 0, 1024, -1, nil, mp)
	ethdev.TxQueueSetup(port, 0, 1024, -1, nil)
	ethdev.Start(port)
	pkts := make([]*mbuf.Mbuf, 32)
	done := 0
	deadline := time.Now().Add(60 * time.Second)
	for done < count && time.Now().Before(deadline) {
		n := ethdev.RxBurst(port, 0, pkts)
		for _, m := range pkts[:n] {
			d := m.Data()
			binary.BigEndian.PutUint32(d, binary.BigEndian.Uint32(d)+1)
		}
		for s := 0; s < n; {
			s += ethdev.TxBurst(port, 0, pkts[s:n])
		}
		done += n
	}
	if done != count {
		return fmt.Errorf("echoed %d of %d", done, count)
	}
	return nil
}

// TestTwoProcessLink joins a port in this process and a port in a
// secondary process through two shared rings.
func TestTwoProcessLink(t *testing.T) {
	prefix := testutil.Prefix(t)
	if _, err := eal.Init([]string{"pri", "--no-huge", "-l", "0", "--file-prefix", prefix, "--vdev", "net_ring0,rx=[s2p],tx=[p2s]"}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eal.Cleanup() })
	mp, err := mbuf.PoolCreate("pool", 4095, 0, 0, mbuf.DefaultBufSize, -1)
	if err != nil {
		t.Fatal(err)
	}
	setupPorts(t, mp, 1)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), roleEnv+"=secondary", prefixEnv+"="+prefix)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pkts := make([]*mbuf.Mbuf, 32)
	sent, recv := 0, 0
	seen := make([]bool, count)
	deadline := time.Now().Add(60 * time.Second)
	for recv < count && time.Now().Before(deadline) {
		if sent < count && mp.AvailCount() > 64 {
			k := min(32, count-sent)
			if err := mbuf.AllocBulk(mp, pkts[:k], eal.LcoreIDAny); err == nil {
				for i, m := range pkts[:k] {
					b, _ := m.Append(64)
					binary.BigEndian.PutUint32(b, uint32(sent+i)*2)
				}
				s := ethdev.TxBurst(0, 0, pkts[:k])
				mbuf.FreeBulk(pkts[s:k], eal.LcoreIDAny)
				sent += s
			}
		}
		n := ethdev.RxBurst(0, 0, pkts)
		for _, m := range pkts[:n] {
			v := binary.BigEndian.Uint32(m.Data())
			if v%2 != 1 || int(v/2) >= count || seen[v/2] {
				t.Fatalf("bad or duplicate echo %d", v)
			}
			seen[v/2] = true
		}
		mbuf.FreeBulk(pkts[:n], eal.LcoreIDAny)
		recv += n
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("secondary: %v", err)
	}
	if recv != count {
		t.Fatalf("received %d of %d echoes", recv, count)
	}
	if mp.AvailCount() != mp.Size() {
		t.Errorf("%d of %d mbufs back", mp.AvailCount(), mp.Size())
	}
}
