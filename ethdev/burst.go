package ethdev

import (
	"fmt"
	"sync/atomic"

	"dpk/mbuf"
)

// RxBurst receives up to len(pkts) packets from queue q of port
// (rte_eth_rx_burst) and returns how many it stored at the front of pkts.
// An invalid port or queue receives nothing. RX callbacks run on the burst.
func RxBurst(port, q uint16, pkts []*mbuf.Mbuf) int {
	if port >= MaxPorts {
		return 0
	}
	d := devs[port].Load()
	if d == nil || int(q) >= len(d.rxq) {
		return 0
	}
	rq := d.rxq[q]
	if rq == nil {
		return 0
	}
	n := rq.RxBurst(pkts)
	if cbs := d.rxcb[q].Load(); cbs != nil {
		for _, cb := range *cbs {
			n = cb.fn(port, q, pkts, n, cb.arg)
		}
	}
	return n
}

// TxBurst sends the packets at the front of pkts on queue q of port
// (rte_eth_tx_burst) and returns how many the driver took. The rest stay
// with the caller, who may retry or free them. TX callbacks run first.
func TxBurst(port, q uint16, pkts []*mbuf.Mbuf) int {
	if port >= MaxPorts {
		return 0
	}
	d := devs[port].Load()
	if d == nil || int(q) >= len(d.txq) {
		return 0
	}
	tq := d.txq[q]
	if tq == nil {
		return 0
	}
	if cbs := d.txcb[q].Load(); cbs != nil {
		n := len(pkts)
		for _, cb := range *cbs {
			n = cb.fn(port, q, pkts[:n], cb.arg)
		}
		pkts = pkts[:n]
	}
	return tq.TxBurst(pkts)
}

// TxPrepare checks and prepares packets for TxBurst (rte_eth_tx_prepare):
// it returns how many leading packets are ready; a driver without
// preparation accepts them all.
func TxPrepare(port, q uint16, pkts []*mbuf.Mbuf) int {
	d, err := dev(port)
	if err != nil || int(q) >= len(d.txq) {
		return 0
	}
	if p, ok := d.txq[q].(TxPreparer); ok {
		return p.TxPrepare(pkts)
	}
	return len(pkts)
}

// RxCallbackFunc post-processes a received burst (rte_rx_callback_fn): it
// gets the burst (pkts[:n], within a slice of len max) and returns the new
// count, having freed or kept packets as it likes.
type RxCallbackFunc func(port, queue uint16, pkts []*mbuf.Mbuf, n int, arg any) int

// TxCallbackFunc pre-processes a burst before transmission (rte_tx_callback_fn)
// and returns how many leading packets to send.
type TxCallbackFunc func(port, queue uint16, pkts []*mbuf.Mbuf, arg any) int

// RxCallback is a registered RX callback, the handle for removing it.
type RxCallback struct {
	fn  RxCallbackFunc
	arg any
}

// TxCallback is a registered TX callback.
type TxCallback struct {
	fn  TxCallbackFunc
	arg any
}

// AddRxCallback appends a callback to queue q's RX path
// (rte_eth_add_rx_callback). It is safe while traffic runs.
func AddRxCallback(port, q uint16, fn RxCallbackFunc, arg any) (*RxCallback, error) {
	d, err := dev(port)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if int(q) >= len(d.rxcb) || fn == nil {
		return nil, fmt.Errorf("%w: port %d rx queue %d", ErrInvalid, port, q)
	}
	cb := &RxCallback{fn: fn, arg: arg}
	addCallback(&d.rxcb[q], cb)
	return cb, nil
}

// RemoveRxCallback removes a callback (rte_eth_remove_rx_callback). A burst
// already running may still call it once; after that it is never called.
func RemoveRxCallback(port, q uint16, cb *RxCallback) error {
	d, err := dev(port)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if int(q) >= len(d.rxcb) {
		return fmt.Errorf("%w: port %d rx queue %d", ErrInvalid, port, q)
	}
	return removeCallback(&d.rxcb[q], cb)
}

// AddTxCallback appends a callback to queue q's TX path (rte_eth_add_tx_callback).
func AddTxCallback(port, q uint16, fn TxCallbackFunc, arg any) (*TxCallback, error) {
	d, err := dev(port)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if int(q) >= len(d.txcb) || fn == nil {
		return nil, fmt.Errorf("%w: port %d tx queue %d", ErrInvalid, port, q)
	}
	cb := &TxCallback{fn: fn, arg: arg}
	addCallback(&d.txcb[q], cb)
	return cb, nil
}

// RemoveTxCallback removes a TX callback (rte_eth_remove_tx_callback).
func RemoveTxCallback(port, q uint16, cb *TxCallback) error {
	d, err := dev(port)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if int(q) >= len(d.txcb) {
		return fmt.Errorf("%w: port %d tx queue %d", ErrInvalid, port, q)
	}
	return removeCallback(&d.txcb[q], cb)
}

// addCallback publishes a copy of a queue's callback list with cb
// appended: a burst running meanwhile keeps reading the list it loaded.
// The caller holds the port's lock.
func addCallback[C any](slot *atomic.Pointer[[]*C], cb *C) {
	var list []*C
	if old := slot.Load(); old != nil {
		list = append(list, *old...)
	}
	list = append(list, cb)
	slot.Store(&list)
}

// removeCallback publishes a copy of a queue's callback list without cb
// (nil when none is left). The caller holds the port's lock.
func removeCallback[C any](slot *atomic.Pointer[[]*C], cb *C) error {
	old := slot.Load()
	if old == nil {
		return fmt.Errorf("%w: callback not registered", ErrInvalid)
	}
	var list []*C
	found := false
	for _, c := range *old {
		if c == cb {
			found = true
			continue
		}
		list = append(list, c)
	}
	if !found {
		return fmt.Errorf("%w: callback not registered", ErrInvalid)
	}
	if len(list) == 0 {
		slot.Store(nil)
	} else {
		slot.Store(&list)
	}
	return nil
}
