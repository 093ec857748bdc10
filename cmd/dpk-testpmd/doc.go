// Command dpk-testpmd is DPDK's testpmd for dpk: it configures every probed
// port, forwards packets between them with one of DPDK's forwarding engines
// and prints the same statistics, in the same format, as DPDK 22.11's
// dpdk-testpmd, so that the outputs of the two can be compared line by line.
//
//	dpk-testpmd --no-huge -l 0-1 --vdev net_null0 --vdev net_null1 -- --forward-mode=io --stats-period=1
//	dpk-testpmd --no-huge -l 0-1 --vdev net_ring0 -- -i
//
// EAL options come first, then "--" and testpmd's options (dpk-testpmd --
// --help lists them): -i/--interactive, -a/--auto-start, --tx-first,
// --forward-mode, --nb-cores, --nb-ports, --portmask, --rxq, --txq, --rxd,
// --txd, --burst, --txpkts, --stats-period, --eth-peer, --total-num-mbufs,
// --mbuf-size, --cmdline-file and more, with DPDK's defaults: a burst of 32,
// the drivers' default ring sizes, one mbuf pool "mb_pool_0" sized as DPDK
// sizes it.
//
// # Forwarding
//
// As in DPDK, each forwarding stream is an RX port and queue paired with a
// TX port and queue (ports paired 0-1, 2-3, ... by default); the streams are
// spread over the forwarding lcores (the EAL workers, --nb-cores of them),
// and each lcore loops over its streams: receive a burst, run the engine,
// transmit, free what the driver did not take. The engines, one file each,
// are io, mac, macswap, flowgen, rxonly, txonly, csum, icmpecho and 5tswap.
// The packet path makes no heap allocation: bursts live in preallocated
// arrays and mbufs come from and go back to the lcore's mempool cache.
//
// Without -i, forwarding starts at once and runs until SIGINT or SIGTERM
// (or, without --stats-period, until Enter); then the forward statistics are
// printed, the ports stopped and closed and the program exits 0. With -i a
// "testpmd> " prompt takes DPDK's commands (help lists them); on a terminal
// it has line editing and history.
//
// # Differences from DPDK
//
// The csum engine checks IP and L4 checksums in software when the driver
// left the RX checksum flags unknown, so Bad-ipcsum and Bad-l4csum count
// corrupted packets on drivers without checksum offload too. Commands and
// options not listed by help are not implemented.
package main
