package ethdev

import (
	"fmt"

	"dpk/mempool"
	"dpk/pkt"
)

// MaxPorts is the number of port ids (RTE_MAX_ETHPORTS).
const MaxPorts = 32

// MaxQueuesPerPort bounds RX and TX queues (RTE_MAX_QUEUES_PER_PORT).
const MaxQueuesPerPort = 1024

// QueueStatCounters is the number of queues with per-queue counters in Stats
// (RTE_ETHDEV_QUEUE_STAT_CNTRS).
const QueueStatCounters = 16

// RX offload capabilities and requests (RTE_ETH_RX_OFFLOAD_*, DPDK's bit values).
const (
	RxOffloadVLANStrip      uint64 = 1 << 0
	RxOffloadIPv4Cksum      uint64 = 1 << 1
	RxOffloadUDPCksum       uint64 = 1 << 2
	RxOffloadTCPCksum       uint64 = 1 << 3
	RxOffloadTCPLRO         uint64 = 1 << 4
	RxOffloadQinQStrip      uint64 = 1 << 5
	RxOffloadOuterIPv4Cksum uint64 = 1 << 6
	RxOffloadMacsecStrip    uint64 = 1 << 7
	RxOffloadVLANFilter     uint64 = 1 << 9
	RxOffloadVLANExtend     uint64 = 1 << 10
	RxOffloadScatter        uint64 = 1 << 13
	RxOffloadTimestamp      uint64 = 1 << 14
	RxOffloadSecurity       uint64 = 1 << 15
	RxOffloadKeepCRC        uint64 = 1 << 16
	RxOffloadSCTPCksum      uint64 = 1 << 17
	RxOffloadOuterUDPCksum  uint64 = 1 << 18
	RxOffloadRSSHash        uint64 = 1 << 19
	RxOffloadChecksum              = RxOffloadIPv4Cksum | RxOffloadUDPCksum | RxOffloadTCPCksum
)

// TX offload capabilities and requests (RTE_ETH_TX_OFFLOAD_*).
const (
	TxOffloadVLANInsert     uint64 = 1 << 0
	TxOffloadIPv4Cksum      uint64 = 1 << 1
	TxOffloadUDPCksum       uint64 = 1 << 2
	TxOffloadTCPCksum       uint64 = 1 << 3
	TxOffloadSCTPCksum      uint64 = 1 << 4
	TxOffloadTCPTSO         uint64 = 1 << 5
	TxOffloadUDPTSO         uint64 = 1 << 6
	TxOffloadOuterIPv4Cksum uint64 = 1 << 7
	TxOffloadQinQInsert     uint64 = 1 << 8
	TxOffloadVXLANTnlTSO    uint64 = 1 << 9
	TxOffloadGRETnlTSO      uint64 = 1 << 10
	TxOffloadIPIPTnlTSO     uint64 = 1 << 11
	TxOffloadGeneveTnlTSO   uint64 = 1 << 12
	TxOffloadMacsecInsert   uint64 = 1 << 13
	TxOffloadMtLockfree     uint64 = 1 << 14
	TxOffloadMultiSegs      uint64 = 1 << 15
	TxOffloadMbufFastFree   uint64 = 1 << 16
	TxOffloadSecurity       uint64 = 1 << 17
	TxOffloadOuterUDPCksum  uint64 = 1 << 20
)

// RSS hash functions selectable in RSSConf.HF (RTE_ETH_RSS_*).
const (
	RSSIPv4             uint64 = 1 << 2
	RSSFragIPv4         uint64 = 1 << 3
	RSSNonfragIPv4TCP   uint64 = 1 << 4
	RSSNonfragIPv4UDP   uint64 = 1 << 5
	RSSNonfragIPv4SCTP  uint64 = 1 << 6
	RSSNonfragIPv4Other uint64 = 1 << 7
	RSSIPv6             uint64 = 1 << 8
	RSSFragIPv6         uint64 = 1 << 9
	RSSNonfragIPv6TCP   uint64 = 1 << 10
	RSSNonfragIPv6UDP   uint64 = 1 << 11
	RSSNonfragIPv6SCTP  uint64 = 1 << 12
	RSSNonfragIPv6Other uint64 = 1 << 13
	RSSL2Payload        uint64 = 1 << 14
	RSSIP                      = RSSIPv4 | RSSFragIPv4 | RSSNonfragIPv4Other | RSSIPv6 | RSSFragIPv6 | RSSNonfragIPv6Other
	RSSUDP                     = RSSNonfragIPv4UDP | RSSNonfragIPv6UDP
	RSSTCP                     = RSSNonfragIPv4TCP | RSSNonfragIPv6TCP
)

// Link speeds in Mbps (RTE_ETH_SPEED_NUM_*).
const (
	SpeedNone    uint32 = 0
	Speed10M     uint32 = 10
	Speed100M    uint32 = 100
	Speed1G      uint32 = 1000
	Speed10G     uint32 = 10000
	Speed25G     uint32 = 25000
	Speed40G     uint32 = 40000
	Speed100G    uint32 = 100000
	SpeedUnknown uint32 = 0xffffffff
)

// Desc is a descriptor-count limit (rte_eth_desc_lim).
type Desc struct {
	Max, Min, Align uint16
}

// DevInfo describes a port's driver and capabilities (rte_eth_dev_info).
type DevInfo struct {
	DriverName          string
	IfIndex             int
	MinMTU, MaxMTU      uint16
	MinRxBufSize        uint32
	MaxRxPktLen         uint32
	MaxRxQueues         uint16
	MaxTxQueues         uint16
	MaxMACAddrs         uint32
	RxOffloadCapa       uint64
	TxOffloadCapa       uint64
	RxQueueOffloadCapa  uint64
	TxQueueOffloadCapa  uint64
	FlowTypeRSSOffloads uint64
	HashKeySize         uint8
	RetaSize            uint16
	RxDescLim           Desc
	TxDescLim           Desc
	SpeedCapa           uint32
	DefaultRxBurst      uint16
	DefaultTxBurst      uint16
	DefaultRxRingSize   uint16
	DefaultTxRingSize   uint16
	NbRxQueues          uint16 // configured
	NbTxQueues          uint16
}

// RSSConf is the RSS configuration (rte_eth_rss_conf).
type RSSConf struct {
	Key []byte
	HF  uint64
}

// RxMode is the port-wide RX configuration (rte_eth_rxmode).
type RxMode struct {
	MQMode   uint32 // RTE_ETH_MQ_RX_*: 0 none, 1 RSS
	MTU      uint32
	Offloads uint64
}

// MQRxRSS asks for RSS in RxMode.MQMode (RTE_ETH_MQ_RX_RSS).
const MQRxRSS = 1

// TxMode is the port-wide TX configuration (rte_eth_txmode).
type TxMode struct {
	Offloads uint64
}

// Conf is a port configuration (rte_eth_conf).
type Conf struct {
	LinkSpeeds uint32
	RxMode     RxMode
	TxMode     TxMode
	RSS        RSSConf
	// IntrLSC asks for link-state-change events.
	IntrLSC bool
}

// RxConf is a queue's RX configuration (rte_eth_rxconf).
type RxConf struct {
	FreeThresh    uint16
	DropEn        bool
	DeferredStart bool
	Offloads      uint64
}

// TxConf is a queue's TX configuration (rte_eth_txconf).
type TxConf struct {
	FreeThresh    uint16
	RSBitThresh   uint16
	DeferredStart bool
	Offloads      uint64
}

// RxQueueInfo is what RxQueueSetup gives a driver.
type RxQueueInfo struct {
	Port   uint16
	Queue  uint16
	NbDesc uint16
	Socket int
	Conf   RxConf
	Pool   *mempool.Mempool
}

// TxQueueInfo is what TxQueueSetup gives a driver.
type TxQueueInfo struct {
	Port   uint16
	Queue  uint16
	NbDesc uint16
	Socket int
	Conf   TxConf
}

// Link is a port's link status (rte_eth_link).
type Link struct {
	Speed      uint32 // Mbps; SpeedNone or SpeedUnknown
	FullDuplex bool
	Autoneg    bool
	Up         bool
}

// String formats the link as rte_eth_link_to_str does.
func (l Link) String() string {
	if !l.Up {
		return "Link down"
	}
	sp := "Unknown"
	switch {
	case l.Speed == SpeedNone:
		sp = "None"
	case l.Speed == SpeedUnknown:
	case l.Speed >= 1000 && l.Speed%1000 == 0:
		sp = fmt.Sprintf("%d Gbps", l.Speed/1000)
	default:
		sp = fmt.Sprintf("%d Mbps", l.Speed)
	}
	d := "HDX"
	if l.FullDuplex {
		d = "FDX"
	}
	a := "Fixed"
	if l.Autoneg {
		a = "Autoneg"
	}
	return fmt.Sprintf("Link up at %s %s %s", sp, d, a)
}

// Stats are a port's basic counters (rte_eth_stats).
type Stats struct {
	IPackets, OPackets uint64
	IBytes, OBytes     uint64
	IMissed            uint64
	IErrors, OErrors   uint64
	RxNoMbuf           uint64
	QIPackets          [QueueStatCounters]uint64
	QOPackets          [QueueStatCounters]uint64
	QIBytes            [QueueStatCounters]uint64
	QOBytes            [QueueStatCounters]uint64
	QErrors            [QueueStatCounters]uint64
}

// Xstat is one extended statistic (rte_eth_xstat with its name).
type Xstat struct {
	ID    uint64
	Name  string
	Value uint64
}

// EtherAddr is a MAC address.
type EtherAddr = pkt.MAC
