package ethdev

import "fmt"

// LcoreBinder is the optional driver capability behind RxQueueBindLcore
// and TxQueueBindLcore: a driver that allocates or frees mbufs in its burst
// functions uses the mempool cache of the lcore it is told polls the queue,
// instead of a cache private to the queue. It is DPDK's per-lcore cache
// (rte_lcore_id() in the PMD) made explicit, since Go has no thread-local
// storage.
type LcoreBinder interface {
	BindRxQueue(q uint16, lcore uint32)
	BindTxQueue(q uint16, lcore uint32)
}

// RxQueueBindLcore tells the driver that lcore alone polls RX queue q of
// port from now on (until the next bind), so mbufs are allocated through
// that lcore's mempool cache. An application that forwards between ports on
// one lcore binds both queues to it: mbufs are then freed and reallocated
// through one cache and stay warm, as in DPDK. eal.LcoreIDAny unbinds.
// Call it while no burst runs on the queue; drivers without the capability
// ignore it.
func RxQueueBindLcore(port, q uint16, lcore uint32) error {
	d, err := dev(port)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if int(q) >= len(d.rxq) || d.rxq[q] == nil {
		return fmt.Errorf("%w: port %d rx queue %d not set up", ErrInvalid, port, q)
	}
	if b, ok := d.drv.(LcoreBinder); ok {
		b.BindRxQueue(q, lcore)
	}
	return nil
}

// TxQueueBindLcore tells the driver that lcore alone transmits on TX queue
// q of port, so sent mbufs are freed through that lcore's mempool caches.
func TxQueueBindLcore(port, q uint16, lcore uint32) error {
	d, err := dev(port)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if int(q) >= len(d.txq) || d.txq[q] == nil {
		return fmt.Errorf("%w: port %d tx queue %d not set up", ErrInvalid, port, q)
	}
	if b, ok := d.drv.(LcoreBinder); ok {
		b.BindTxQueue(q, lcore)
	}
	return nil
}
