package afxdp

import (
	"encoding/binary"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"dpk/ethdev"
	"dpk/internal/drivertest"
	"dpk/internal/sys"
	"dpk/mbuf"
)

// TestMultiQueue forwards with queue_count=2 on two-queue veths, one
// worker lcore per queue: many UDP flows from A spread over both queues,
// every datagram arrives, each flow stays on one queue, and a TCP transfer
// crosses intact.
func TestMultiQueue(t *testing.T) {
	cpus, err := sys.Topology()
	if err != nil || len(cpus) < 2 {
		t.Skip("needs two CPUs")
	}
	lcores := fmt.Sprintf("--lcores=0@%d,1@%d,2@%d", cpus[0].ID, cpus[0].ID, cpus[1].ID)
	tp := newTopo(t, 2, ",queue_count=2", lcores)
	// flows[q][port] counts datagrams of UDP source port port seen on RX
	// queue q of port A; each is written by the lcore of queue q only.
	var flows [2][1 << 16]uint32
	tp.startForwarding(t, true, func(side int, q uint16, pkts []*mbuf.Mbuf) {
		if side != 0 {
			return
		}
		for _, m := range pkts {
			d := m.Data()
			if len(d) >= 14+20+8 && binary.BigEndian.Uint16(d[12:]) == 0x0800 && d[23] == 17 {
				ihl := int(d[14]&0xf) * 4
				if len(d) >= 14+ihl+8 {
					flows[q][binary.BigEndian.Uint16(d[14+ihl:])]++
				}
			}
		}
	})

	const nflows, per = 64, 20
	var ln *net.UDPConn
	if err := tp.b.Do(func() (err error) {
		ln, err = net.ListenUDP("udp4", &net.UDPAddr{IP: net.ParseIP(tp.ipB), Port: 6000})
		return
	}); err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan int, 1)
	go func() {
		buf := make([]byte, 2048)
		n := 0
		ln.SetReadDeadline(time.Now().Add(20 * time.Second))
		for n < nflows*per {
			if _, _, err := ln.ReadFromUDP(buf); err != nil {
				break
			}
			n++
		}
		got <- n
	}()
	var conns []*net.UDPConn
	if err := tp.a.Do(func() error {
		for i := range nflows {
			c, err := net.DialUDP("udp4", &net.UDPAddr{IP: net.ParseIP(tp.ipA), Port: 7000 + i}, &net.UDPAddr{IP: net.ParseIP(tp.ipB), Port: 6000})
			if err != nil {
				return err
			}
			conns = append(conns, c)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for r := range per {
		for i, c := range conns {
			if _, err := c.Write([]byte(fmt.Sprintf("flow %d datagram %d", i, r))); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(2 * time.Millisecond) // no more than a ring's worth in flight
	}
	for _, c := range conns {
		c.Close()
	}
	if n := <-got; n != nflows*per {
		t.Errorf("B received %d of %d datagrams", n, nflows*per)
	}
	t.Run("tcp_20MB", func(t *testing.T) { drivertest.TCPTransfer(t, tp.a, tp.b, tp.ipB, 5002, 20_000_000) })
	tp.stopForwarding(t)

	sa, _ := checkCounters(t, tp)
	t.Logf("port A queue 0: %d packets, queue 1: %d packets", sa.QIPackets[0], sa.QIPackets[1])
	if sa.QIPackets[0] == 0 || sa.QIPackets[1] == 0 {
		t.Errorf("traffic not spread: queue 0 %d packets, queue 1 %d", sa.QIPackets[0], sa.QIPackets[1])
	}
	var perQ [2]int
	var split []string
	for i := range nflows {
		p := 7000 + i
		a, b := flows[0][p], flows[1][p]
		switch {
		case a > 0 && b > 0:
			split = append(split, fmt.Sprintf("%d (%d+%d)", p, a, b))
		case a > 0:
			perQ[0]++
		case b > 0:
			perQ[1]++
		}
		if a+b != per {
			t.Errorf("flow from port %d: %d datagrams seen, sent %d", p, a+b, per)
		}
	}
	t.Logf("UDP flows: %d on queue 0, %d on queue 1", perQ[0], perQ[1])
	if len(split) > 0 {
		t.Errorf("flows seen on both queues: %s", strings.Join(split, ", "))
	}
	if perQ[0] == 0 || perQ[1] == 0 {
		t.Errorf("%d flows all on one queue: %v", nflows, perQ)
	}
	if s, _ := ethdev.StatsGet(tp.pb); s.QOPackets[0] == 0 || s.QOPackets[1] == 0 {
		t.Errorf("port B sent %d on queue 0, %d on queue 1", s.QOPackets[0], s.QOPackets[1])
	}
	tp.stopAndCheckPool(t)
}
