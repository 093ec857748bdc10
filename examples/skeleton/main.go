// Command skeleton is DPDK's basic forwarding sample (examples/skeleton) on
// dpk: every port forwards what it receives to its neighbour (0<->1, 2<->3,
// ...) on one lcore, with no processing.
//
//	go run ./examples/skeleton --no-huge -l 0 --vdev net_ring0 --vdev net_ring1
package main

import (
	"fmt"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	_ "dpk/drivers/net/null"
	_ "dpk/drivers/net/ring"
	"dpk/eal"
	"dpk/ethdev"
	"dpk/mbuf"
	"dpk/mempool"
)

const (
	rxRingSize = 1024
	txRingSize = 1024
	numMbufs   = 8191
	mbufCache  = 250
	burstSize  = 32
)

// portInit configures a port with one RX and one TX queue, as the
// skeleton's port_init.
func portInit(port uint16, mp *mempool.Mempool) error {
	if err := ethdev.Configure(port, 1, 1, &ethdev.Conf{}); err != nil {
		return err
	}
	if err := ethdev.RxQueueSetup(port, 0, rxRingSize, eal.SocketIDAny, nil, mp); err != nil {
		return err
	}
	if err := ethdev.TxQueueSetup(port, 0, txRingSize, eal.SocketIDAny, nil); err != nil {
		return err
	}
	if err := ethdev.Start(port); err != nil {
		return err
	}
	mac, _ := ethdev.MACAddrGet(port)
	fmt.Printf("Port %d MAC: %s\n", port, mac)
	return ethdev.PromiscuousSet(port, true)
}

func main() {
	if _, err := eal.Init(os.Args); err != nil {
		fmt.Fprintln(os.Stderr, "skeleton:", err)
		os.Exit(1)
	}
	defer eal.Cleanup()
	ports := ethdev.Ports()
	if len(ports) < 2 || len(ports)%2 != 0 {
		fmt.Fprintln(os.Stderr, "skeleton: number of ports must be even and at least 2 (give --vdev net_ring0 --vdev net_ring1)")
		os.Exit(1)
	}
	mp, err := mbuf.PoolCreate("MBUF_POOL", numMbufs*uint32(len(ports)), mbufCache, 0, mbuf.DefaultBufSize, eal.SocketIDAny)
	if err != nil {
		fmt.Fprintln(os.Stderr, "skeleton: cannot create mbuf pool:", err)
		os.Exit(1)
	}
	for _, p := range ports {
		if err := portInit(p, mp); err != nil {
			fmt.Fprintf(os.Stderr, "skeleton: cannot init port %d: %v\n", p, err)
			os.Exit(1)
		}
	}
	var quit atomic.Bool
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	go func() { <-sig; quit.Store(true) }()

	lc := eal.MainLcore()
	fmt.Printf("\nCore %d forwarding packets. [Ctrl+C to quit]\n", lc.ID())
	var fwd uint64
	bufs := make([]*mbuf.Mbuf, burstSize)
	for !quit.Load() {
		for _, p := range ports {
			n := ethdev.RxBurst(p, 0, bufs)
			if n == 0 {
				continue
			}
			sent := ethdev.TxBurst(p^1, 0, bufs[:n])
			mbuf.FreeBulk(bufs[sent:n], lc.ID())
			fwd += uint64(sent)
		}
	}
	fmt.Printf("\nForwarded %d packets\n", fwd)
	for _, p := range ports {
		ethdev.Stop(p)
		ethdev.Close(p)
	}
}
