// Package ethdev is DPDK's lib/ethdev: Ethernet ports, their queues, the
// poll-mode driver interface and the vdev bus that creates ports from
// --vdev arguments.
//
// # Ports and the app API
//
// A port is a small integer id, as in DPDK. Applications configure a port
// (Configure, RxQueueSetup, TxQueueSetup), start it, and then move packets
// with RxBurst and TxBurst on queues they own: one lcore per queue, no lock.
// RxBurst returns how many mbufs it stored in pkts (len(pkts) is the
// maximum); TxBurst returns how many it took, and the mbufs it did not take
// stay with the caller. Neither returns an error: a port that cannot move
// packets moves none.
//
// # Drivers
//
// A driver registers itself by name in an init function (RegisterDriver),
// with the devargs keys it accepts; applications wire drivers in with a blank
// import (import _ "dpk/drivers/net/null") and speak only ethdev. At eal.Init
// the vdev bus creates one port per --vdev argument. A driver implements
// Driver (control path) and, per queue, RxQueue and TxQueue (the packet
// path: no allocation, no lock, no panic). Optional features are small
// interfaces found by type assertion: MACSetter, MTUSetter, Promiscuous,
// XstatsProvider, LinkSetter, TxPreparer, ...
//
// # Callbacks
//
// RX and TX callbacks (rte_eth_add_rx_callback) may be added and removed
// while traffic runs: each queue holds an immutable list swapped
// atomically, so the burst path reads it without a lock and a removed
// callback's closure is reclaimed by the garbage collector once no burst
// uses it.
package ethdev
