package afxdp

import (
	"errors"
	"net"
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

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
)

// attachedProg returns the name and id of the XDP program on ifname, ""
// if none.
func attachedProg(t *testing.T, ifname string) (string, uint32) {
	t.Helper()
	ifc, err := net.InterfaceByName(ifname)
	if err != nil {
		t.Fatal(err)
	}
	st, err := xdpQuery(ifc.Index)
	if err != nil {
		t.Fatal(err)
	}
	id := st.id(unix.XDP_FLAGS_DRV_MODE) | st.id(unix.XDP_FLAGS_SKB_MODE)
	if id == 0 {
		return "", 0
	}
	p, err := ebpf.NewProgramFromID(ebpf.ProgramID(id))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	info, err := p.Info()
	if err != nil {
		t.Fatal(err)
	}
	return info.Name, id
}

// leaveProgram attaches a redirect program named name to ifname and drops
// every handle to it without detaching it: what a process that crashed
// leaves behind.
func leaveProgram(t *testing.T, ifname, name string) {
	t.Helper()
	ifc, err := net.InterfaceByName(ifname)
	if err != nil {
		t.Fatal(err)
	}
	x, err := newOwnProgram(name, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer x.close()
	if err := xdpSet(ifc.Index, x.prog.FD(), unix.XDP_FLAGS_DRV_MODE|unix.XDP_FLAGS_UPDATE_IF_NOEXIST, -1); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { xdpSet(ifc.Index, -1, unix.XDP_FLAGS_DRV_MODE, -1) })
}

// deadPid returns the pid of a process that has exited.
func deadPid(t *testing.T) int {
	t.Helper()
	c := exec.Command("true")
	if err := c.Run(); err != nil {
		t.Fatal(err)
	}
	return c.Process.Pid
}

// TestStaleProgram simulates a crash (a program attached and its handles
// dropped without detaching it) and starts a port on the interface: it
// replaces the stale program, and Close takes its own off. Programs that
// are not stale are left alone and Start says why.
func TestStaleProgram(t *testing.T) {
	v, x, _ := newPair(t, ",busy_budget=0", "", 1)
	mp := newPool(t, "axp_stale", 4095)
	leaveProgram(t, v.Name, progName(deadPid(t)))
	before, oldID := attachedProg(t, v.Name)
	startPort(t, x, 1, mp, 256)
	name, id := attachedProg(t, v.Name)
	t.Logf("stale %s (id %d) replaced by %s (id %d)", before, oldID, name, id)
	if name != ownName() || id == oldID {
		t.Errorf("after start %s has program %q id %d; want %q in place of id %d", v.Name, name, id, ownName(), oldID)
	}
	if err := ethdev.Close(x); err != nil {
		t.Fatal(err)
	}
	if name, id := attachedProg(t, v.Name); id != 0 {
		t.Errorf("after close %s still has program %q id %d", v.Name, name, id)
	}

	for _, c := range []struct {
		name, prog string
	}{
		{"foreign", "not_dpk"},
		{"live_process", progName(1)}, // init is alive
	} {
		t.Run(c.name, func(t *testing.T) {
			leaveProgram(t, v.Name, c.prog)
			_, id := attachedProg(t, v.Name)
			p := drivertest.ProbePort(t, "net_af_xdp_s,iface="+v.Name)
			defer ethdev.Close(p)
			err := ethdev.Configure(p, 1, 1, &ethdev.Conf{})
			if err == nil {
				err = ethdev.RxQueueSetup(p, 0, 256, -1, nil, mp)
			}
			if err == nil {
				err = ethdev.TxQueueSetup(p, 0, 256, -1, nil)
			}
			if err == nil {
				err = ethdev.Start(p)
			}
			t.Logf("start: %v", err)
			if err == nil || !strings.Contains(err.Error(), "already has XDP program") {
				t.Errorf("start over %q: %v, want an error naming the program", c.prog, err)
			}
			if n, now := attachedProg(t, v.Name); now != id {
				t.Errorf("program %q (id %d) replaced by %q (id %d)", c.prog, id, n, now)
			}
			ifc, _ := net.InterfaceByName(v.Name)
			xdpSet(ifc.Index, -1, unix.XDP_FLAGS_DRV_MODE, -1)
		})
	}
	if mp.AvailCount() != mp.Size() {
		t.Errorf("%d of %d mbufs in the pool", mp.AvailCount(), mp.Size())
	}
}

// TestMissingInterface probes a port on an interface that does not exist.
func TestMissingInterface(t *testing.T) {
	needRoot(t)
	testutil.InitEAL(t, "--in-memory")
	err := ethdev.Probe("net_af_xdp_m,iface=" + netns.Name("no"))
	if !errors.Is(err, ErrNoInterface) {
		t.Fatalf("probe: %v, want ErrNoInterface", err)
	}
	t.Log(err)
	v := netns.NewVeth(t, "dq")
	err = ethdev.Probe("net_af_xdp_m,iface=" + v.Name + ",start_queue=1")
	if err == nil || !strings.Contains(err.Error(), "1 RX queue(s)") {
		t.Errorf("probe of queue 1 of a single-queue veth: %v", err)
	} else {
		t.Log(err)
	}
}

// TestInterfaceDown starts a port on an interface that is down: the link
// is down, bursts return at once; once the interface is up, packets flow.
func TestInterfaceDown(t *testing.T) {
	v, x, y := newPair(t, "", "", 1)
	netns.Host.Down(t, v.Name)
	mp := newPool(t, "axp_down", 4095)
	startPort(t, x, 1, mp, 256)
	startPort(t, y, 1, mp, 256)
	if l, _ := ethdev.LinkGet(x); l.Up {
		t.Errorf("link %v on a down interface", l)
	}
	f := drivertest.UDPFrame(netns.Host.MAC(t, v.Peer), netns.Host.MAC(t, v.Name), net.IPv4(10, 96, 0, 1), net.IPv4(10, 96, 0, 2), 1, 9, make([]byte, 100))
	pkts := make([]*mbuf.Mbuf, 8)
	drivertest.MbufsOf(t, mp, pkts, f, f, f, f, f, f, f, f)
	start := time.Now()
	n := ethdev.TxBurst(x, 0, pkts)
	mbuf.FreeBulk(pkts[n:], eal.LcoreIDAny)
	if d := time.Since(start); d > time.Second {
		t.Errorf("TxBurst on a down interface took %v", d)
	}
	if got := rxAll(y, 0, 1, 100*time.Millisecond); len(got) != 0 {
		t.Errorf("%d packets crossed a down link", len(got))
		mbuf.FreeBulk(got, eal.LcoreIDAny)
	}
	netns.Host.Up(t, v.Name)
	netns.Host.WaitRunning(t, v.Name)
	if !drivertest.WaitFor(2*time.Second, func() bool { l, _ := ethdev.LinkGet(x); return l.Up }) {
		t.Error("link still down after the interface came up")
	}
	drivertest.MbufsOf(t, mp, pkts, f, f, f, f, f, f, f, f)
	sent := 0
	for try := 0; sent < 8 && try < 100; try++ {
		sent += ethdev.TxBurst(x, 0, pkts[sent:])
	}
	got := rxAll(y, 0, 8, 3*time.Second)
	if len(got) < 8 {
		t.Errorf("received %d of 8 packets after the link came up", len(got))
	}
	mbuf.FreeBulk(got, eal.LcoreIDAny)
	for _, p := range []uint16{x, y} {
		ethdev.Stop(p)
	}
	if mp.AvailCount() != mp.Size() {
		t.Errorf("after stop %d of %d mbufs in the pool", mp.AvailCount(), mp.Size())
	}
}

// TestInterfaceRemoved deletes the veth pair under two running ports:
// bursts keep returning, the link goes down, Start refuses with a clear
// error, Stop and Close finish and every mbuf comes back.
func TestInterfaceRemoved(t *testing.T) {
	v, x, y := newPair(t, "", "", 1)
	mp := newPool(t, "axp_rm", 4095)
	startPort(t, x, 1, mp, 256)
	startPort(t, y, 1, mp, 256)
	f := drivertest.UDPFrame(netns.Host.MAC(t, v.Peer), netns.Host.MAC(t, v.Name), net.IPv4(10, 96, 0, 1), net.IPv4(10, 96, 0, 2), 1, 9, make([]byte, 100))
	pkts := make([]*mbuf.Mbuf, 16)
	drivertest.MbufsOf(t, mp, pkts, f, f, f, f, f, f, f, f, f, f, f, f, f, f, f, f)
	n := ethdev.TxBurst(x, 0, pkts)
	mbuf.FreeBulk(pkts[n:], eal.LcoreIDAny)
	netns.Host.IP(t, "link", "del", v.Name)
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {
		k := ethdev.RxBurst(y, 0, pkts)
		mbuf.FreeBulk(pkts[:k], eal.LcoreIDAny)
		drivertest.MbufsOf(t, mp, pkts[:1], f)
		if ethdev.TxBurst(x, 0, pkts[:1]) == 0 {
			mbuf.FreeBulk(pkts[:1], eal.LcoreIDAny)
		}
	}
	if l, _ := ethdev.LinkGet(x); l.Up {
		t.Errorf("link %v on a removed interface", l)
	}
	start := time.Now()
	for _, p := range []uint16{x, y} {
		if err := ethdev.Stop(p); err != nil {
			t.Errorf("stop: %v", err)
		}
	}
	if err := ethdev.Start(x); err == nil || !errors.Is(err, ErrNoInterface) {
		t.Errorf("start on a removed interface: %v", err)
	} else {
		t.Log(err)
	}
	for _, p := range []uint16{x, y} {
		if err := ethdev.Close(p); err != nil {
			t.Errorf("close: %v", err)
		}
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("stop and close took %v", d)
	}
	if mp.AvailCount() != mp.Size() {
		t.Errorf("after close %d of %d mbufs in the pool", mp.AvailCount(), mp.Size())
	}
}
