package afxdp

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
	"time"

	"dpk/eal"
	"dpk/ethdev"
	"dpk/internal/drivertest"
	"dpk/internal/netns"
	"dpk/internal/testutil"
	"dpk/mbuf"
	"dpk/mempool"
)

// needRoot skips a test that needs root (it fails in CI, where root is
// expected).
func needRoot(t testing.TB) {
	t.Helper()
	testutil.SkipUnlessRoot(t)
}

// newVeth creates a veth pair in the test's namespace with queues RX and
// TX queues on each end (netns.NewVeth makes single-queue pairs), and
// deletes it when the test ends.
func newVeth(t testing.TB, prefix string, queues int) netns.Veth {
	t.Helper()
	if queues <= 1 {
		return netns.NewVeth(t, prefix)
	}
	v := netns.Veth{Name: netns.Name(prefix)}
	v.Peer = v.Name + "p"
	q := []string{"numrxqueues", itoa(queues), "numtxqueues", itoa(queues)}
	args := append([]string{"link", "add", v.Name}, q...)
	args = append(args, "type", "veth", "peer", "name", v.Peer)
	netns.Host.IP(t, append(args, q...)...)
	t.Cleanup(func() {
		out, err := exec.Command("ip", "link", "del", v.Name).CombinedOutput()
		if err != nil && !strings.Contains(string(out), "Cannot find device") {
			t.Errorf("ip link del %s: %v: %s", v.Name, err, bytes.TrimSpace(out))
		}
	})
	return v
}

func itoa(n int) string {
	b := []byte{}
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
		if n == 0 {
			return string(b)
		}
	}
}

// newPair makes a quiet veth pair in the test's namespace, both ends up,
// and probes an af_xdp port on each end with extra devargs. The ports
// close when the test ends.
func newPair(t testing.TB, xArgs, yArgs string, queues int) (v netns.Veth, x, y uint16) {
	t.Helper()
	needRoot(t)
	v = newVeth(t, "dx", queues)
	for _, n := range []string{v.Name, v.Peer} {
		netns.Host.Quiet(t, n)
		netns.Host.Up(t, n)
	}
	netns.Host.WaitRunning(t, v.Name)
	netns.Host.WaitRunning(t, v.Peer)
	if !eal.Initialized() {
		testutil.InitEAL(t, "--in-memory")
	}
	x = drivertest.ProbePort(t, "net_af_xdp_x,iface="+v.Name+xArgs)
	y = drivertest.ProbePort(t, "net_af_xdp_y,iface="+v.Peer+yArgs)
	t.Cleanup(func() {
		ethdev.Close(x)
		ethdev.Close(y)
	})
	return v, x, y
}

func newPool(t testing.TB, name string, n uint32) *mempool.Mempool {
	t.Helper()
	mp, err := mbuf.PoolCreate(name, n, 256, 0, mbuf.DefaultBufSize, -1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mp.Free() })
	return mp
}

func startPort(t testing.TB, port, nq uint16, mp *mempool.Mempool, nbDesc uint16) {
	t.Helper()
	if err := ethdev.Configure(port, nq, nq, &ethdev.Conf{}); err != nil {
		t.Fatal(err)
	}
	for q := uint16(0); q < nq; q++ {
		if err := ethdev.RxQueueSetup(port, q, nbDesc, -1, nil, mp); err != nil {
			t.Fatal(err)
		}
		if err := ethdev.TxQueueSetup(port, q, nbDesc, -1, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := ethdev.Start(port); err != nil {
		t.Fatal(err)
	}
}

// rxAll polls port's queue q until n packets arrived or d passed, and
// returns them.
func rxAll(port, q uint16, n int, d time.Duration) []*mbuf.Mbuf {
	var got []*mbuf.Mbuf
	pkts := make([]*mbuf.Mbuf, 32)
	drivertest.WaitFor(d, func() bool {
		k := ethdev.RxBurst(port, q, pkts)
		got = append(got, pkts[:k]...)
		return len(got) >= n
	})
	return got
}
