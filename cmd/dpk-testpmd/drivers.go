package main

// The drivers dpk-testpmd offers to --vdev, and DPDK's telemetry socket.
import (
	_ "dpk/drivers/net/afpacket"
	_ "dpk/drivers/net/afxdp"
	_ "dpk/drivers/net/null"
	_ "dpk/drivers/net/pcap"
	_ "dpk/drivers/net/ring"
	_ "dpk/drivers/net/tap"
	_ "dpk/telemetry"
)
