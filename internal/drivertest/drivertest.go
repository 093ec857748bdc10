// Package drivertest holds helpers shared by the tests of dpk's
// kernel-facing drivers (net_af_packet, net_af_xdp, net_tap) and of the
// apps that run on them: kernel traffic between network namespaces (ping,
// a TCP transfer with a checksum check), frames built in memory, and port
// and pool set-up that fails the test on error.
package drivertest

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"dpk/eal"
	"dpk/ethdev"
	"dpk/internal/netns"
	"dpk/mbuf"
	"dpk/mempool"
	"dpk/pkt/checksum"
)

// Ping pings dst from ns count times with size-byte payloads (extra: more
// ping options, such as "-M", "do") and fails the test unless every reply
// arrives. It waits up to 20 s for the replies: with -c alone ping gives
// up on the last one after twice the longest round trip so far, too soon
// on a loaded machine. Without the system's ping it sends the echo
// requests from Go inside ns.
func Ping(t testing.TB, ns *netns.NS, dst string, size, count int, extra ...string) {
	t.Helper()
	if _, err := exec.LookPath("ping"); err != nil {
		t.Logf("ping is not installed (apt-get install iputils-ping): pinging from Go")
		goPing(t, ns, dst, size, count)
		return
	}
	args := append([]string{"-c", strconv.Itoa(count), "-i", "0.2", "-w", "20", "-s", strconv.Itoa(size)}, extra...)
	out, err := ns.Output(30*time.Second, "ping", append(args, dst)...)
	t.Logf("ip netns exec %s ping %s %s\n%s", ns, strings.Join(args, " "), dst, out)
	if err != nil {
		t.Fatalf("ping failed: %v", err)
	}
	if want := fmt.Sprintf("%d received", count); !strings.Contains(out, want) {
		t.Fatalf("ping: want %q", want)
	}
}

// goPing sends count ICMP echo requests of size payload bytes from ns to
// dst and waits for every reply.
func goPing(t testing.TB, ns *netns.NS, dst string, size, count int) {
	t.Helper()
	var c net.PacketConn
	if err := ns.Do(func() (err error) { c, err = net.ListenPacket("ip4:icmp", "0.0.0.0"); return }); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	addr := &net.IPAddr{IP: net.ParseIP(dst)}
	id := uint16(os.Getpid())
	buf := make([]byte, 70000)
	for seq := 1; seq <= count; seq++ {
		msg := make([]byte, 8+size)
		msg[0] = 8
		binary.BigEndian.PutUint16(msg[4:], id)
		binary.BigEndian.PutUint16(msg[6:], uint16(seq))
		for i := 8; i < len(msg); i++ {
			msg[i] = byte(i)
		}
		binary.BigEndian.PutUint16(msg[2:], checksum.ICMPv4(msg))
		start := time.Now()
		if _, err := c.WriteTo(msg, addr); err != nil {
			t.Fatal(err)
		}
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		for {
			n, _, err := c.ReadFrom(buf)
			if err != nil {
				t.Fatalf("echo %d: %v", seq, err)
			}
			r := buf[:n]
			if n >= 8 && r[0] == 0 && binary.BigEndian.Uint16(r[4:]) == id && binary.BigEndian.Uint16(r[6:]) == uint16(seq) {
				if n != len(msg) {
					t.Fatalf("echo %d: reply of %d bytes, sent %d", seq, n, len(msg))
				}
				t.Logf("%d bytes from %s: icmp_seq=%d time=%v", n, dst, seq, time.Since(start))
				break
			}
		}
	}
}

// TCPTransfer sends size pseudo-random bytes over TCP from namespace from
// to a server listening on dstIP:port in namespace to, and fails the test
// unless exactly those bytes arrive (same length and SHA-256) within 50 s.
func TCPTransfer(t testing.TB, from, to *netns.NS, dstIP string, port int, size int64) {
	t.Helper()
	addr := net.JoinHostPort(dstIP, strconv.Itoa(port))
	var ln net.Listener
	if err := to.Do(func() (err error) { ln, err = net.Listen("tcp4", addr); return }); err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	type result struct {
		n   int64
		sum [32]byte
		err error
	}
	done := make(chan result, 1)
	deadline := time.Now().Add(50 * time.Second)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			done <- result{err: err}
			return
		}
		defer c.Close()
		c.SetDeadline(deadline)
		h := sha256.New()
		n, err := io.Copy(h, c)
		done <- result{n, [32]byte(h.Sum(nil)), err}
	}()
	var c net.Conn
	if err := from.Do(func() (err error) { c, err = net.DialTimeout("tcp4", addr, 5*time.Second); return }); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(deadline)
	h := sha256.New()
	src := rand.NewChaCha8([32]byte{'d', 'p', 'k'})
	start := time.Now()
	if _, err := io.CopyN(io.MultiWriter(c, h), src, size); err != nil {
		t.Fatalf("send: %v", err)
	}
	c.(*net.TCPConn).CloseWrite()
	r := <-done
	dur := time.Since(start)
	sent := [32]byte(h.Sum(nil))
	t.Logf("TCP %s -> %s: sent %d bytes sha256 %x", from, addr, size, sent)
	t.Logf("TCP received %d bytes sha256 %x in %v (%.1f MB/s)", r.n, r.sum, dur.Round(time.Millisecond), float64(r.n)/dur.Seconds()/1e6)
	if r.err != nil && !errors.Is(r.err, io.EOF) {
		t.Fatalf("receive: %v", r.err)
	}
	if r.n != size || r.sum != sent {
		t.Fatalf("received %d bytes, sha256 %x; sent %d bytes, sha256 %x", r.n, r.sum, size, sent)
	}
}

// UDPFrame builds an Ethernet/IPv4/UDP frame with valid checksums.
func UDPFrame(dst, src net.HardwareAddr, sip, dip net.IP, sport, dport uint16, payload []byte) []byte {
	b := make([]byte, 14+20+8+len(payload))
	copy(b[0:], dst)
	copy(b[6:], src)
	binary.BigEndian.PutUint16(b[12:], 0x0800)
	ip := b[14:34]
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], uint16(20+8+len(payload)))
	ip[8], ip[9] = 64, 17
	copy(ip[12:], sip.To4())
	copy(ip[16:], dip.To4())
	binary.BigEndian.PutUint16(ip[10:], checksum.IPv4Header(ip))
	u := b[34:]
	binary.BigEndian.PutUint16(u[0:], sport)
	binary.BigEndian.PutUint16(u[2:], dport)
	binary.BigEndian.PutUint16(u[4:], uint16(8+len(payload)))
	copy(u[8:], payload)
	binary.BigEndian.PutUint16(u[6:], checksum.UDPTCPIPv4(ip, u))
	return b
}

// MbufsOf copies frames into fresh mbufs of mp, stored in out.
func MbufsOf(t testing.TB, mp *mempool.Mempool, out []*mbuf.Mbuf, frames ...[]byte) {
	t.Helper()
	if err := mbuf.AllocBulk(mp, out[:len(frames)], eal.LcoreIDAny); err != nil {
		t.Fatal(err)
	}
	for i, f := range frames {
		out[i].SetLen(uint16(len(f)))
		copy(out[i].Data(), f)
	}
}

// WaitFor polls cond every 10 ms until it holds or d passes, and reports
// whether it held.
func WaitFor(d time.Duration, cond func() bool) bool {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		if cond() {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return cond()
}

// ProbePort probes the vdev of devargs ("net_af_packet0,iface=veth0") and
// returns its port id.
func ProbePort(t testing.TB, devargs string) uint16 {
	t.Helper()
	if err := ethdev.Probe(devargs); err != nil {
		t.Fatal(err)
	}
	d, _ := ethdev.ParseDevargs(devargs)
	p, err := ethdev.PortByName(d.Name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// NewPool creates a pool of n mbufs of the default size with a cache of
// 256 per lcore.
func NewPool(t testing.TB, name string, n uint32) *mempool.Mempool {
	t.Helper()
	mp, err := mbuf.PoolCreate(name, n, 256, 0, mbuf.DefaultBufSize, -1)
	if err != nil {
		t.Fatal(err)
	}
	return mp
}
