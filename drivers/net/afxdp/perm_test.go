package afxdp

import (
	"errors"
	"os"
	"runtime"
	"testing"

	"dpk/ethdev"
	"dpk/internal/drivertest"
	"dpk/internal/netns"
	"dpk/internal/testutil"

	"golang.org/x/sys/unix"
)

// TestNoPermission probes and starts a port on a thread without the
// capabilities AF_XDP and XDP need (CAP_NET_RAW, CAP_NET_ADMIN, CAP_BPF,
// CAP_SYS_ADMIN): the error is a permission error saying what is needed,
// no XDP program is left on the interface and every mbuf is back.
func TestNoPermission(t *testing.T) {
	needRoot(t)
	testutil.InitEAL(t, "--in-memory")
	v := netns.NewVeth(t, "dnp")
	mp := drivertest.NewPool(t, "axp_perm", 4095)
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
		var data [2]unix.CapUserData
		if err := unix.Capget(&hdr, &data[0]); err != nil {
			errc <- err
			return
		}
		for _, c := range []uint{unix.CAP_NET_RAW, unix.CAP_NET_ADMIN, unix.CAP_BPF, unix.CAP_SYS_ADMIN} {
			data[c/32].Effective &^= 1 << (c % 32)
		}
		if err := unix.Capset(&hdr, &data[0]); err != nil {
			errc <- err
			return
		}
		if err := ethdev.Probe("net_af_xdp_np,iface=" + v.Name); err != nil {
			errc <- err
			return
		}
		p, err := ethdev.PortByName("net_af_xdp_np")
		if err != nil {
			errc <- err
			return
		}
		defer ethdev.Close(p)
		if err := ethdev.Configure(p, 1, 1, &ethdev.Conf{}); err != nil {
			errc <- err
			return
		}
		if err := ethdev.RxQueueSetup(p, 0, 256, -1, nil, mp); err != nil {
			errc <- err
			return
		}
		if err := ethdev.TxQueueSetup(p, 0, 256, -1, nil); err != nil {
			errc <- err
			return
		}
		errc <- ethdev.Start(p)
	}()
	err := <-errc
	t.Logf("without CAP_NET_RAW, CAP_NET_ADMIN, CAP_BPF, CAP_SYS_ADMIN: %v", err)
	if err == nil {
		t.Fatal("the port started without the capabilities")
	}
	if !errors.Is(err, os.ErrPermission) {
		t.Errorf("error %q: want a permission error", err)
	}
	if name, id := attachedProg(t, v.Name); name != "" {
		t.Errorf("XDP program %s (id %d) left on %s", name, id, v.Name)
	}
	if mp.AvailCount() != mp.Size() {
		t.Errorf("%d of %d mbufs in the pool", mp.AvailCount(), mp.Size())
	}
}
