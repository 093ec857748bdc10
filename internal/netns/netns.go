package netns

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// MaxNameLen is the longest interface name Linux accepts (IFNAMSIZ-1).
const MaxNameLen = 15

var seq atomic.Uint32

// Name returns a name unique to this process and call: prefix, the pid and
// a counter ("da" -> "da4711_3"). It panics when the result would be longer
// than MaxNameLen, so keep prefixes to a few bytes.
func Name(prefix string) string {
	n := fmt.Sprintf("%s%d_%d", prefix, os.Getpid(), seq.Add(1))
	if len(n) > MaxNameLen {
		panic(fmt.Sprintf("netns: name %q is longer than %d bytes: use a shorter prefix than %q", n, MaxNameLen, prefix))
	}
	return n
}

// NS is a network namespace. The zero value (and Host) is the test's own
// namespace: every method works on it too, without `ip netns exec`.
type NS struct {
	// Name is the name under /run/netns ("" for the test's namespace).
	Name string
}

// Host is the namespace the test runs in.
var Host = &NS{}

// String returns the namespace's name, or "host".
func (ns *NS) String() string {
	if ns == nil || ns.Name == "" {
		return "host"
	}
	return ns.Name
}

// New creates a namespace named Name(prefix) with its loopback up, and
// deletes it (and every interface still in it) when the test ends.
func New(t testing.TB, prefix string) *NS {
	t.Helper()
	needIP(t)
	ns := &NS{Name: Name(prefix)}
	if out, err := exec.Command("ip", "netns", "add", ns.Name).CombinedOutput(); err != nil {
		t.Fatalf("netns: ip netns add %s: %v: %s", ns.Name, err, bytes.TrimSpace(out))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("ip", "netns", "del", ns.Name).CombinedOutput(); err != nil {
			t.Errorf("netns: ip netns del %s: %v: %s", ns.Name, err, bytes.TrimSpace(out))
		}
	})
	ns.IP(t, "link", "set", "lo", "up")
	return ns
}

func needIP(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("ip"); err != nil {
		t.Fatalf("netns: the ip command (iproute2) is needed: %v", err)
	}
}

// Command returns a command that runs name with args inside the namespace
// (`ip netns exec NS name args...`), or directly for the test's namespace.
func (ns *NS) Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	if ns == nil || ns.Name == "" {
		return exec.CommandContext(ctx, name, args...)
	}
	return exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", ns.Name, name}, args...)...)
}

// Output runs name with args inside the namespace, with a timeout, and
// returns its combined output and error.
func (ns *NS) Output(timeout time.Duration, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	out, err := ns.Command(ctx, name, args...).CombinedOutput()
	if ctx.Err() != nil {
		err = fmt.Errorf("%w (timed out after %v)", err, timeout)
	}
	return string(out), err
}

// Run runs name with args inside the namespace (at most 30 s) and returns
// its combined output; it fails the test if the command fails.
func (ns *NS) Run(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := ns.Output(30*time.Second, name, args...)
	if err != nil {
		t.Fatalf("netns %s: %s %s: %v\n%s", ns, name, strings.Join(args, " "), err, out)
	}
	return out
}

// IP runs `ip args...` against the namespace (`ip -n NS args...`) and
// fails the test on error.
func (ns *NS) IP(t testing.TB, args ...string) string {
	t.Helper()
	if ns != nil && ns.Name != "" {
		args = append([]string{"-n", ns.Name}, args...)
	}
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("netns: ip %s: %v: %s", strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return string(out)
}

// Up sets an interface of the namespace up.
func (ns *NS) Up(t testing.TB, ifname string) {
	t.Helper()
	ns.IP(t, "link", "set", "dev", ifname, "up")
}

// Down sets an interface of the namespace down.
func (ns *NS) Down(t testing.TB, ifname string) {
	t.Helper()
	ns.IP(t, "link", "set", "dev", ifname, "down")
}

// Addr adds an address in CIDR form ("10.99.0.1/24") to an interface of
// the namespace. Give addresses only to interfaces inside namespaces the
// test created.
func (ns *NS) Addr(t testing.TB, ifname, cidr string) {
	t.Helper()
	ns.IP(t, "addr", "add", cidr, "dev", ifname)
}

// Adopt moves an interface of the test's namespace into ns.
func (ns *NS) Adopt(t testing.TB, ifname string) {
	t.Helper()
	if ns == nil || ns.Name == "" {
		return
	}
	Host.IP(t, "link", "set", "dev", ifname, "netns", ns.Name)
}

// Sysctl writes value to /proc/sys/<key> (key with slashes or dots:
// "net/ipv6/conf/eth0/disable_ipv6") as seen from inside the namespace.
func (ns *NS) Sysctl(t testing.TB, key, value string) {
	t.Helper()
	if !strings.Contains(key, "/") {
		key = strings.ReplaceAll(key, ".", "/")
	}
	p := filepath.Join("/proc/sys", key)
	err := ns.Do(func() error { return os.WriteFile(p, []byte(value), 0o644) })
	if err != nil {
		t.Fatalf("netns %s: sysctl %s=%s: %v", ns, key, value, err)
	}
}

// WaitRunning waits (at most 5 s) until an interface of the namespace is
// up and has a carrier (IFF_RUNNING): the kernel reports a veth's carrier a
// moment after both ends are up.
func (ns *NS) WaitRunning(t testing.TB, ifname string) {
	t.Helper()
	end := time.Now().Add(5 * time.Second)
	for {
		var flags net.Flags
		err := ns.Do(func() error {
			ifc, err := net.InterfaceByName(ifname)
			if err == nil {
				flags = ifc.Flags
			}
			return err
		})
		if err != nil {
			t.Fatalf("netns %s: %s: %v", ns, ifname, err)
		}
		if flags&net.FlagRunning != 0 {
			return
		}
		if time.Now().After(end) {
			t.Fatalf("netns %s: %s not running after 5 s (flags %v)", ns, ifname, flags)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// MAC returns the hardware address of an interface of the namespace.
func (ns *NS) MAC(t testing.TB, ifname string) net.HardwareAddr {
	t.Helper()
	var mac net.HardwareAddr
	err := ns.Do(func() error {
		ifc, err := net.InterfaceByName(ifname)
		if err == nil {
			mac = ifc.HardwareAddr
		}
		return err
	})
	if err != nil {
		t.Fatalf("netns %s: %s: %v", ns, ifname, err)
	}
	return mac
}

// Neigh adds (or replaces) a permanent neighbour entry: ip is at mac on
// ifname. With static entries on both sides no ARP crosses the link, and
// tests can count packets exactly.
func (ns *NS) Neigh(t testing.TB, ifname, ip string, mac net.HardwareAddr) {
	t.Helper()
	ns.IP(t, "neigh", "replace", ip, "lladdr", mac.String(), "dev", ifname, "nud", "permanent")
}

// Quiet stops the kernel's own traffic on an interface of the namespace:
// no IPv6 (so no router or neighbour solicitations, no MLD reports), no ARP
// and no IPv4 forwarding from it. A driver's end of a veth pair is made
// quiet so that it sends exactly what the driver sends, and so that packets
// the driver receives never reach the host's routing.
func (ns *NS) Quiet(t testing.TB, ifname string) {
	t.Helper()
	ns.Sysctl(t, "net/ipv6/conf/"+ifname+"/disable_ipv6", "1")
	ns.Sysctl(t, "net/ipv4/conf/"+ifname+"/forwarding", "0")
	ns.IP(t, "link", "set", "dev", ifname, "arp", "off")
}

// Do runs fn on an OS thread switched into the namespace, and returns its
// error. Sockets fn opens belong to the namespace and may be used from any
// goroutine afterwards; goroutines fn starts do not run in the namespace.
// If the thread cannot be switched back, it is discarded.
func (ns *NS) Do(fn func() error) error {
	if ns == nil || ns.Name == "" {
		return fn()
	}
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // unlocked only once the thread is back home
		self, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			errc <- err
			return
		}
		defer self.Close()
		target, err := os.Open(filepath.Join("/run/netns", ns.Name))
		if err != nil {
			errc <- err
			return
		}
		defer target.Close()
		if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("netns: setns %s: %w", ns.Name, err)
			return
		}
		ferr := fn()
		if unix.Setns(int(self.Fd()), unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread()
		}
		errc <- ferr
	}()
	return <-errc
}

// Veth is a veth pair created in the test's namespace.
type Veth struct {
	Name, Peer string
}

// NewVeth creates a veth pair in the test's namespace, named Name(prefix)
// and the same with "p" appended, and deletes it when the test ends (if it
// still exists: deleting either end, or the namespace holding one end,
// deletes both).
func NewVeth(t testing.TB, prefix string) Veth {
	t.Helper()
	needIP(t)
	v := Veth{Name: Name(prefix)}
	v.Peer = v.Name + "p"
	if len(v.Peer) > MaxNameLen {
		t.Fatalf("netns: veth peer name %q longer than %d bytes: use a shorter prefix", v.Peer, MaxNameLen)
	}
	Host.IP(t, "link", "add", v.Name, "type", "veth", "peer", "name", v.Peer)
	t.Cleanup(func() {
		out, err := exec.Command("ip", "link", "del", v.Name).CombinedOutput()
		if err != nil && !strings.Contains(string(out), "Cannot find device") {
			t.Errorf("netns: ip link del %s: %v: %s", v.Name, err, bytes.TrimSpace(out))
		}
	})
	return v
}

// LinkStats are an interface's kernel counters (rtnl_link_stats64).
type LinkStats struct {
	RxPackets, RxBytes, RxErrors, RxDropped uint64
	TxPackets, TxBytes, TxErrors, TxDropped uint64
}

// Sub returns s - o, counter by counter.
func (s LinkStats) Sub(o LinkStats) LinkStats {
	return LinkStats{
		RxPackets: s.RxPackets - o.RxPackets, RxBytes: s.RxBytes - o.RxBytes,
		RxErrors: s.RxErrors - o.RxErrors, RxDropped: s.RxDropped - o.RxDropped,
		TxPackets: s.TxPackets - o.TxPackets, TxBytes: s.TxBytes - o.TxBytes,
		TxErrors: s.TxErrors - o.TxErrors, TxDropped: s.TxDropped - o.TxDropped,
	}
}

// ErrNoLink means the interface does not exist.
var ErrNoLink = errors.New("netns: no such interface")

// Stats returns the kernel counters of an interface of the namespace (as
// `ip -s link` prints them).
func (ns *NS) Stats(ifname string) (LinkStats, error) {
	args := []string{"-s", "-j", "link", "show", "dev", ifname}
	if ns != nil && ns.Name != "" {
		args = append([]string{"-n", ns.Name}, args...)
	}
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		if strings.Contains(string(out), "does not exist") || strings.Contains(string(out), "Cannot find device") {
			return LinkStats{}, fmt.Errorf("%w: %s in %s", ErrNoLink, ifname, ns)
		}
		return LinkStats{}, fmt.Errorf("netns: ip %s: %v: %s", strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	var links []struct {
		Stats64 struct {
			Rx struct{ Bytes, Packets, Errors, Dropped uint64 } `json:"rx"`
			Tx struct{ Bytes, Packets, Errors, Dropped uint64 } `json:"tx"`
		} `json:"stats64"`
	}
	if err := json.Unmarshal(out, &links); err != nil || len(links) != 1 {
		return LinkStats{}, fmt.Errorf("netns: cannot read the counters of %s in %s from %q: %v", ifname, ns, out, err)
	}
	r, x := links[0].Stats64.Rx, links[0].Stats64.Tx
	return LinkStats{
		RxPackets: r.Packets, RxBytes: r.Bytes, RxErrors: r.Errors, RxDropped: r.Dropped,
		TxPackets: x.Packets, TxBytes: x.Bytes, TxErrors: x.Errors, TxDropped: x.Dropped,
	}, nil
}

// MustStats is Stats failing the test on error.
func (ns *NS) MustStats(t testing.TB, ifname string) LinkStats {
	t.Helper()
	s, err := ns.Stats(ifname)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
