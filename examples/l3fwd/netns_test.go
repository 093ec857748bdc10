package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	_ "dpk/drivers/net/afpacket"
	"dpk/internal/netns"
	"dpk/internal/testutil"
)

var subnetSeq atomic.Uint32

// router2 is the test network: namespace A (10.X.1.2/24, default route via
// 10.X.1.1) and namespace B (10.X.2.2/24 via 10.X.2.1), each linked by a
// veth pair to the test's namespace, where l3fwd drives the two ends as
// net_af_packet ports 0 and 1. The namespaces reach their gateway by a
// static neighbour entry holding the MAC of l3fwd's port, so no ARP is
// needed (l3fwd does not answer it).
type router2 struct {
	a, b       *netns.NS
	va, vb     netns.Veth // Name: l3fwd's end, Peer: in a / b
	x          int        // the subnets' second byte
	macA, macB string     // of the namespaces' interfaces: l3fwd's --eth-dest
}

func (n *router2) ip(sub, host int) string { return fmt.Sprintf("10.%d.%d.%d", n.x, sub, host) }

func newRouter2(t *testing.T) *router2 {
	t.Helper()
	n := &router2{x: 16 + int(uint32(os.Getpid())*7+subnetSeq.Add(1))%200}
	n.a, n.b = netns.New(t, "l3a"), netns.New(t, "l3b")
	n.va, n.vb = netns.NewVeth(t, "l3a"), netns.NewVeth(t, "l3b")
	for i, x := range []struct {
		ns *netns.NS
		v  netns.Veth
	}{{n.a, n.va}, {n.b, n.vb}} {
		sub := i + 1
		netns.Host.Quiet(t, x.v.Name)
		netns.Host.Up(t, x.v.Name)
		x.ns.Adopt(t, x.v.Peer)
		x.ns.Sysctl(t, "net/ipv6/conf/"+x.v.Peer+"/disable_ipv6", "1")
		x.ns.Addr(t, x.v.Peer, n.ip(sub, 2)+"/24")
		x.ns.Up(t, x.v.Peer)
		x.ns.IP(t, "route", "add", "default", "via", n.ip(sub, 1))
		x.ns.Neigh(t, x.v.Peer, n.ip(sub, 1), netns.Host.MAC(t, x.v.Name))
	}
	netns.Host.WaitRunning(t, n.va.Name)
	netns.Host.WaitRunning(t, n.vb.Name)
	n.macA, n.macB = n.a.MAC(t, n.va.Peer).String(), n.b.MAC(t, n.vb.Peer).String()
	return n
}

// ping pings dst from ns count times, waiting for replies up to wait
// seconds, and returns ping's output and whether it succeeded.
func ping(t *testing.T, ns *netns.NS, dst string, count int, wait string) (string, bool) {
	t.Helper()
	out, err := ns.Output(30*time.Second, "ping", "-n", "-c", fmt.Sprint(count), "-i", "0.2", "-W", wait, dst)
	t.Logf("ip netns exec %s ping -c %d %s\n%s", ns, count, dst, out)
	return out, err == nil
}

// waitDrops waits until l3fwd has counted want drops for reason.
func waitDrops(t *testing.T, r *l3fwdRun, reason int, want uint64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := r.app.counts().drop[reason]
		if got == want {
			return
		}
		if got > want || time.Now().After(deadline) {
			t.Fatalf("%s drops: %d, want %d", dropNames[reason], got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var ttlRE = regexp.MustCompile(`icmp_seq=\d+ ttl=(\d+)`)

// TestNamespaceForward routes pings between two namespaces through l3fwd
// on two net_af_packet ports, in each lookup mode: the replies cross it
// with their TTL decremented once (B answers with 64, A sees 63), a ping to
// an unrouted address is dropped and counted as "no route", and in ACL mode
// a ping to a denied address is counted as an ACL deny.
func TestNamespaceForward(t *testing.T) {
	testutil.SkipUnlessRoot(t)
	for _, mode := range []lookupMode{modeLPM, modeEM, modeACL} {
		t.Run(mode.String(), func(t *testing.T) {
			n := newRouter2(t)
			a2, b2 := n.ip(1, 2), n.ip(2, 2)
			var v4, v6 string
			switch mode {
			case modeLPM:
				v4 = fmt.Sprintf("R%s/24 0\nR%s/24 1\n", n.ip(1, 0), n.ip(2, 0))
				v6 = "R2001:db8::/32 0\n"
			case modeEM: // pings: ICMP, ports 0
				v4 = fmt.Sprintf("R%s %s 0 0 1 1\nR%s %s 0 0 1 0\n", b2, a2, a2, b2)
				v6 = "R2001:db8::1 2001:db8::2 9 9 17 0\n"
			case modeACL:
				v4 = fmt.Sprintf("@0.0.0.0/0 %s/32 0 : 65535 0 : 65535 0x00/0x00\n", n.ip(2, 99)) +
					fmt.Sprintf("R0.0.0.0/0 %s/24 0 : 65535 0 : 65535 0x00/0x00 0\n", n.ip(1, 0)) +
					fmt.Sprintf("R0.0.0.0/0 %s/24 0 : 65535 0 : 65535 0x01/0xff 1\n", n.ip(2, 0))
				v6 = "R0:0:0:0:0:0:0:0/0 2001:0db8:0:0:0:0:0:0/32 0 : 65535 0 : 65535 0x00/0x00 0\n"
			}
			dir := t.TempDir()
			f4, f6 := filepath.Join(dir, "v4.cfg"), filepath.Join(dir, "v6.cfg")
			if err := os.WriteFile(f4, []byte(v4), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(f6, []byte(v6), 0o644); err != nil {
				t.Fatal(err)
			}
			r := runL3fwd(t, "--no-huge", "--in-memory", "--file-prefix", testutil.Prefix(t), "-l", "0",
				"--vdev", "net_af_packet0,iface="+n.va.Name, "--vdev", "net_af_packet1,iface="+n.vb.Name,
				"--", "-p", "0x3", "--lookup="+mode.String(), "--config=(0,0,0),(1,0,0)",
				"--eth-dest=0,"+n.macA, "--eth-dest=1,"+n.macB, "--rule_ipv4="+f4, "--rule_ipv6="+f6)

			out, ok := ping(t, n.a, b2, 3, "5")
			if !ok || !strings.Contains(out, "3 received") {
				t.Fatalf("ping %s from A failed:\n%s\nl3fwd:\n%s", b2, out, r.stdout)
			}
			ttls := ttlRE.FindAllStringSubmatch(out, -1)
			if len(ttls) != 3 {
				t.Fatalf("%d replies with a TTL in:\n%s", len(ttls), out)
			}
			for _, m := range ttls {
				if m[1] != "63" {
					t.Errorf("reply TTL %s, want 63 (64 less l3fwd's hop)", m[1])
				}
			}
			// The echo requests, too, came through with TTL 63: B
			// counted nothing else.
			if out, ok := ping(t, n.b, a2, 2, "5"); !ok || !strings.Contains(out, "ttl=63") {
				t.Errorf("ping %s from B failed:\n%s", a2, out)
			}

			unrouted := n.ip(9, 9)
			if out, ok := ping(t, n.a, unrouted, 3, "1"); ok || !strings.Contains(out, " 0 received") {
				t.Errorf("ping %s (no route) got an answer:\n%s", unrouted, out)
			}
			waitDrops(t, r, dropNoRoute, 3)
			if mode == modeACL {
				denied := n.ip(2, 99)
				if out, ok := ping(t, n.a, denied, 2, "1"); ok || !strings.Contains(out, " 0 received") {
					t.Errorf("ping %s (denied) got an answer:\n%s", denied, out)
				}
				waitDrops(t, r, dropACL, 2)
			}
			for reason, n := range r.app.counts().drop {
				if reason != dropNoRoute && reason != dropACL && n != 0 {
					t.Errorf("%s drops: %d, want 0", dropNames[reason], n)
				}
			}
			c := r.app.counts()
			if c.tx[0] < 5 || c.tx[1] < 5 {
				t.Errorf("sent %d packets on port 0 and %d on port 1, want 5 or more each", c.tx[0], c.tx[1])
			}
			final := r.wait(t)
			if got := statLine(t, final, "No route"); got != 3 {
				t.Errorf("final statistics: No route %d, want 3\n%s", got, final)
			}
		})
	}
}
