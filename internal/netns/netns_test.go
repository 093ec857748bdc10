package netns_test

import (
	"bufio"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"dpk/internal/netns"
	"dpk/internal/testutil"
)

func TestName(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		n := netns.Name("da")
		if len(n) > netns.MaxNameLen {
			t.Fatalf("%q longer than %d bytes", n, netns.MaxNameLen)
		}
		if seen[n] {
			t.Fatalf("%q given twice", n)
		}
		seen[n] = true
	}
	defer func() {
		if recover() == nil {
			t.Error("a name longer than 15 bytes did not panic")
		}
	}()
	netns.Name("muchtoolongprefix")
}

// TestTwoNamespaces links two namespaces with a veth pair, talks TCP
// between them from Go code run inside each, and checks that everything is
// gone after the subtest.
func TestTwoNamespaces(t *testing.T) {
	testutil.SkipUnlessRoot(t)
	var names []string
	var veth netns.Veth
	t.Run("topology", func(t *testing.T) {
		a, b := netns.New(t, "na"), netns.New(t, "nb")
		names = []string{a.Name, b.Name}
		veth = netns.NewVeth(t, "vt")
		a.Adopt(t, veth.Name)
		b.Adopt(t, veth.Peer)
		a.Addr(t, veth.Name, "10.98.0.1/24")
		b.Addr(t, veth.Peer, "10.98.0.2/24")
		a.Up(t, veth.Name)
		b.Up(t, veth.Peer)
		if out := a.Run(t, "ip", "-4", "-o", "addr", "show", "dev", veth.Name); !strings.Contains(out, "10.98.0.1/24") {
			t.Fatalf("ip addr in %s: %s", a, out)
		}
		if _, err := netns.Host.Stats(veth.Name); err == nil {
			t.Errorf("%s still visible in the test's namespace", veth.Name)
		}

		var ln net.Listener
		if err := b.Do(func() (err error) { ln, err = net.Listen("tcp4", "10.98.0.2:0"); return }); err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go func() {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
			line, _ := bufio.NewReader(c).ReadString('\n')
			c.Write([]byte("echo " + line))
		}()
		var c net.Conn
		if err := a.Do(func() (err error) { c, err = net.DialTimeout("tcp4", ln.Addr().String(), 5*time.Second); return }); err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		c.Write([]byte("hello\n"))
		got, err := bufio.NewReader(c).ReadString('\n')
		if err != nil || got != "echo hello\n" {
			t.Fatalf("got %q, %v", got, err)
		}
		st := a.MustStats(t, veth.Name)
		if st.TxPackets == 0 || st.RxPackets == 0 {
			t.Errorf("counters of %s: %+v", veth.Name, st)
		}
		if mac := b.MAC(t, veth.Peer); len(mac) != 6 {
			t.Errorf("MAC of %s: %v", veth.Peer, mac)
		}
	})
	out, err := exec.Command("ip", "netns", "list").CombinedOutput()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if strings.Contains(string(out), n) {
			t.Errorf("namespace %s left after the test", n)
		}
	}
	if _, err := netns.Host.Stats(veth.Name); err == nil {
		t.Errorf("veth %s left after the test", veth.Name)
	}
}
