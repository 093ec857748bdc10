package ethdev

import (
	"dpk/mbuf"
)

// This file is the driver-facing API (DPDK's ethdev_driver.h).

// Driver is the control path of one port, implemented by a poll-mode
// driver. ethdev serialises calls to it and checks the port state before
// calling (for example RxQueueSetup only on a stopped port).
type Driver interface {
	// Info fills the port's capabilities. It may be called in any state.
	Info(info *DevInfo)
	// Configure applies a port configuration for nbRxq and nbTxq queues.
	Configure(nbRxq, nbTxq uint16, conf *Conf) error
	// RxQueueSetup creates RX queue q. Its RxQueue is used from one lcore at a time.
	RxQueueSetup(q RxQueueInfo) (RxQueue, error)
	// TxQueueSetup creates TX queue q.
	TxQueueSetup(q TxQueueInfo) (TxQueue, error)
	// Start starts the port; Stop stops it (queues keep their setup).
	Start() error
	Stop() error
	// Close releases every resource of the port; the Driver is not used after.
	Close() error
	// Stats adds the port's counters to s; StatsReset clears them.
	Stats(s *Stats) error
	StatsReset() error
	// Link returns the link status; wait asks to wait for a link to settle.
	Link(wait bool) (Link, error)
}

// RxQueue is one RX queue: the packet path.
type RxQueue interface {
	// RxBurst stores up to len(pkts) received mbufs at the front of pkts and
	// returns how many. It must not allocate on the heap, block or take a lock.
	RxBurst(pkts []*mbuf.Mbuf) int
}

// TxQueue is one TX queue: the packet path.
type TxQueue interface {
	// TxBurst sends the mbufs at the front of pkts and returns how many it
	// took; it owns those from then on (and frees them when sent). The rest
	// stay with the caller. It must not allocate, block or take a lock.
	TxBurst(pkts []*mbuf.Mbuf) int
}

// Optional driver capabilities, found by type assertion.
type (
	// MACSetter sets the primary MAC address.
	MACSetter interface{ SetMAC(EtherAddr) error }
	// MACAdder adds and removes extra unicast or multicast addresses.
	MACAdder interface {
		AddMAC(EtherAddr) error
		RemoveMAC(EtherAddr) error
	}
	// MTUSetter changes the MTU.
	MTUSetter interface{ SetMTU(uint16) error }
	// Promiscuous turns promiscuous and all-multicast modes on and off.
	Promiscuous interface {
		SetPromiscuous(on bool) error
		SetAllMulticast(on bool) error
	}
	// LinkSetter sets the link administratively up or down.
	LinkSetter interface{ SetLink(up bool) error }
	// VLANFilterer filters VLAN ids.
	VLANFilterer interface {
		VLANFilter(vid uint16, on bool) error
	}
	// XstatsProvider reports driver-specific extended statistics after the
	// generic ones. Names must be stable for the life of the port.
	XstatsProvider interface {
		XstatNames() []string
		Xstats(values []uint64) // len(values) == len(XstatNames())
		XstatsReset()
	}
	// TxPreparer checks and fixes mbufs before TxBurst (rte_eth_tx_prepare).
	TxPreparer interface {
		TxPrepare(pkts []*mbuf.Mbuf) int
	}
	// RSSUpdater changes the RSS hash configuration of a running port.
	RSSUpdater interface{ RSSHashUpdate(RSSConf) error }
	// Resetter resets a port to the state after probe (rte_eth_dev_reset).
	Resetter interface{ Reset() error }
)

// QueueStats are per-queue counters a driver keeps from its burst
// functions: one writer (the lcore polling the queue), any number of
// readers. Updates are per burst, not per packet, and cost a plain load and
// store: no locked instruction and no fence (see counter).
type QueueStats struct {
	Packets counter
	Bytes   counter
	Errors  counter
	Dropped counter // imissed on RX
	NoMbuf  counter // rx_nombuf on RX
}

// Add counts n packets of b bytes.
func (s *QueueStats) Add(n, b uint64) {
	s.Packets.add(n)
	s.Bytes.add(b)
}

// AddErrors counts n errors.
func (s *QueueStats) AddErrors(n uint64) { s.Errors.add(n) }

// AddDropped counts n dropped packets.
func (s *QueueStats) AddDropped(n uint64) { s.Dropped.add(n) }

// AddNoMbuf counts n mbuf allocation failures.
func (s *QueueStats) AddNoMbuf(n uint64) { s.NoMbuf.add(n) }

// Reset clears the counters. Done from the control path, it can race with a
// burst updating them; as in DPDK, stats reset is best effort while traffic runs.
func (s *QueueStats) Reset() {
	s.Packets.reset()
	s.Bytes.reset()
	s.Errors.reset()
	s.Dropped.reset()
	s.NoMbuf.reset()
}

// AddRx adds RX queue q's counters to st.
func (s *QueueStats) AddRx(st *Stats, q int) {
	p, b := s.Packets.Load(), s.Bytes.Load()
	st.IPackets += p
	st.IBytes += b
	st.IErrors += s.Errors.Load()
	st.IMissed += s.Dropped.Load()
	st.RxNoMbuf += s.NoMbuf.Load()
	if q < QueueStatCounters {
		st.QIPackets[q] += p
		st.QIBytes[q] += b
		st.QErrors[q] += s.Errors.Load()
	}
}

// AddTx adds TX queue q's counters to st.
func (s *QueueStats) AddTx(st *Stats, q int) {
	p, b := s.Packets.Load(), s.Bytes.Load()
	st.OPackets += p
	st.OBytes += b
	st.OErrors += s.Errors.Load()
	if q < QueueStatCounters {
		st.QOPackets[q] += p
		st.QOBytes[q] += b
	}
}
