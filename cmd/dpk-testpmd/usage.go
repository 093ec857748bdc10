package main

import "dpk/ethdev"

// usage prints testpmd's options in the words and order of DPDK's usage().
func (tp *testpmd) usage() {
	tp.printf("\nUsage: %s [EAL options] -- [testpmd options]\n\n", tp.prog)
	tp.printf(`  --interactive: run in interactive mode.
  --cmdline-file: execute cli commands before startup.
  --auto-start: start forwarding on init [always when non-interactive].
  --help: display this message and quit.
  --tx-first: start forwarding sending a burst first (only if interactive is disabled).
  --stats-period=PERIOD: statistics will be shown every PERIOD seconds (only if interactive is disabled).
`)
	tp.printf("  --nb-cores=N: set the number of forwarding cores (1 <= N <= %d).\n", len(tp.fwdLcoreIDs))
	tp.printf("  --nb-ports=N: set the number of forwarding ports (1 <= N <= %d).\n", len(tp.portIDs))
	tp.printf(`  --coremask=COREMASK: hexadecimal bitmask of cores running the packet forwarding test. The main lcore is reserved for command line parsing only, and cannot be masked on for packet forwarding.
  --portmask=PORTMASK: hexadecimal bitmask of ports used by the packet forwarding test.
  --portlist=PORTLIST: list of forwarding ports
  --numa: enable NUMA-aware allocation of RX/TX rings and of RX memory buffers (mbufs).
  --no-numa: disable NUMA-aware allocation.
  --mbuf-size=N: set the data size of mbuf to N bytes.
  --total-num-mbufs=N: set the number of mbufs to be allocated in mbuf pools.
  --max-pkt-len=N: set the maximum size of packet to N bytes.
  --eth-peers-configfile=name: config file with ethernet addresses of peer ports.
`)
	tp.printf("  --eth-peer=X,M:M:M:M:M:M: set the MAC address of the X peer port (0 <= X < %d).\n", ethdev.MaxPorts)
	tp.printf(`  --disable-crc-strip: disable CRC stripping by hardware.
  --enable-scatter: enable scattered Rx.
  --enable-lro: enable large receive offload.
  --enable-rx-cksum: enable rx hardware checksum offload.
  --enable-rx-timestamp: enable rx hardware timestamp offload.
  --enable-hw-vlan: enable hardware vlan.
  --enable-hw-vlan-filter: enable hardware vlan filter.
  --enable-hw-vlan-strip: enable hardware vlan strip.
  --enable-hw-vlan-extend: enable hardware vlan extend.
  --enable-hw-qinq-strip: enable hardware qinq strip.
  --port-topology=<paired|chained|loop>: set port topology (paired is default).
`)
	tp.printf("  --forward-mode=N: set forwarding mode (N: %s).\n", engineList())
	tp.printf(`  --forward-mode=5tswap: set forwarding mode to swap L2,L3,L4 for MAC, IPv4/IPv6 and TCP/UDP only.
  --rxq=N: set the number of RX queues per port to N.
  --rxd=N: set the number of descriptors in RX rings to N.
  --txq=N: set the number of TX queues per port to N.
  --txd=N: set the number of descriptors in TX rings to N.
  --burst=N: set the number of packets per burst to N.
  --flowgen-clones=N: set the number of single packet clones to send in flowgen mode. Should be less than burst value.
  --flowgen-flows=N: set the number of flows in flowgen mode to N (1 <= N <= INT32_MAX).
  --mbcache=N: set the cache of mbuf memory pool to N.
  --no-flush-rx: Don't flush RX streams before forwarding. Used mainly with PCAP drivers.
  --txpkts=X[,Y]*: set TX segment sizes or total packet length.
  --txonly-multi-flow: generate multiple flows in txonly mode
  --tx-ip=src,dst: IP addresses in Tx-only mode
  --tx-udp=src[,dst]: UDP ports in Tx-only mode
  --disable-link-check: disable check on link status when starting/stopping ports.
  --no-lsc-interrupt: disable link status change interrupt.
  --tx-offloads=0xXXXXXXXX: hexadecimal bitmask of TX queue offloads
  --rx-offloads=0xXXXXXXXX: hexadecimal bitmask of RX queue offloads
  --mlockall: lock all memory
  --no-mlockall: do not lock all memory
  --record-burst-stats: enable display of RX and TX bursts.
`)
}
