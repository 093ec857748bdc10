package ethdev

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"dpk/eal"
	"dpk/mempool"
)

// Errors of the port API.
var (
	// ErrNoPort means the port id names no port (ENODEV).
	ErrNoPort = errors.New("ethdev: no such port")
	// ErrNotSupported means the driver lacks the feature (ENOTSUP).
	ErrNotSupported = errors.New("ethdev: not supported")
	// ErrState means the port is in the wrong state (EBUSY/EINVAL in DPDK):
	// for example a queue setup on a started port.
	ErrState = errors.New("ethdev: wrong port state")
	// ErrInvalid means an argument is out of range (EINVAL).
	ErrInvalid = errors.New("ethdev: invalid argument")
)

type portState int32

const (
	stateUnused portState = iota
	stateAttached
	stateConfigured
	stateStarted
)

// device is one port. Control-path fields are guarded by mu; the burst
// path reads rxq/txq and the callback lists, which only change while the
// port is stopped (queues) or through atomic swaps (callbacks).
type device struct {
	mu                sync.Mutex
	id                uint16
	name              string
	owner             string
	drv               Driver
	state             portState
	conf              Conf
	nbRxq             uint16
	nbTxq             uint16
	rxq               []RxQueue
	txq               []TxQueue
	rxcb              []atomic.Pointer[[]*RxCallback]
	txcb              []atomic.Pointer[[]*TxCallback]
	mac               EtherAddr
	macs              []EtherAddr
	mtu               uint16
	promisc, allmulti bool
	events            eventList
	socket            int
}

var (
	regMu sync.Mutex
	devs  [MaxPorts]atomic.Pointer[device]
)

// Allocate creates a port for a driver (rte_eth_dev_allocate, for drivers
// and the vdev bus). The name must be unique.
func Allocate(name string, drv Driver, mac EtherAddr) (uint16, error) {
	if name == "" {
		return 0, fmt.Errorf("%w: empty port name", ErrInvalid)
	}
	regMu.Lock()
	defer regMu.Unlock()
	free := -1
	for i := range devs {
		d := devs[i].Load()
		if d == nil {
			if free < 0 {
				free = i
			}
			continue
		}
		if d.name == name {
			return 0, fmt.Errorf("ethdev: port %q exists already (port %d)", name, d.id)
		}
	}
	if free < 0 {
		return 0, fmt.Errorf("ethdev: all %d ports in use", MaxPorts)
	}
	d := &device{id: uint16(free), name: name, drv: drv, state: stateAttached, mac: mac, mtu: 1500, socket: eal.SocketIDAny}
	devs[free].Store(d)
	eal.Logf(eal.LogDebug, "lib.ethdev", "port %d: %s attached", free, name)
	return uint16(free), nil
}

func dev(port uint16) (*device, error) {
	if port >= MaxPorts {
		return nil, fmt.Errorf("%w: %d", ErrNoPort, port)
	}
	d := devs[port].Load()
	if d == nil {
		return nil, fmt.Errorf("%w: %d", ErrNoPort, port)
	}
	return d, nil
}

// IsValid reports whether port names a port (rte_eth_dev_is_valid_port).
func IsValid(port uint16) bool { _, err := dev(port); return err == nil }

// Count returns the number of ports (rte_eth_dev_count_avail).
func Count() int {
	n := 0
	for i := range devs {
		if devs[i].Load() != nil {
			n++
		}
	}
	return n
}

// Ports returns the valid port ids in order (RTE_ETH_FOREACH_DEV).
func Ports() []uint16 {
	var out []uint16
	for i := range devs {
		if devs[i].Load() != nil {
			out = append(out, uint16(i))
		}
	}
	return out
}

// PortByName returns the id of a port (rte_eth_dev_get_port_by_name).
func PortByName(name string) (uint16, error) {
	for i := range devs {
		if d := devs[i].Load(); d != nil && d.name == name {
			return uint16(i), nil
		}
	}
	return 0, fmt.Errorf("%w: %q", ErrNoPort, name)
}

// Name returns a port's name (rte_eth_dev_get_name_by_port).
func Name(port uint16) string {
	if d, err := dev(port); err == nil {
		return d.name
	}
	return ""
}

// DriverOf returns a port's Driver, for drivers and tests that need their
// own type back.
func DriverOf(port uint16) (Driver, error) {
	d, err := dev(port)
	if err != nil {
		return nil, err
	}
	return d.drv, nil
}

// SetOwner records an owner name for a port (a light rte_eth_dev_owner_set).
func SetOwner(port uint16, owner string) error {
	d, err := dev(port)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.owner != "" && d.owner != owner {
		return fmt.Errorf("ethdev: port %d is owned by %q", port, d.owner)
	}
	d.owner = owner
	return nil
}

// Owner returns the port's owner name ("" if none).
func Owner(port uint16) string {
	d, err := dev(port)
	if err != nil {
		return ""
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.owner
}

// InfoGet returns a port's capabilities (rte_eth_dev_info_get).
func InfoGet(port uint16) (DevInfo, error) {
	d, err := dev(port)
	if err != nil {
		return DevInfo{}, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.info(), nil
}

func (d *device) info() DevInfo {
	info := DevInfo{MaxRxQueues: 1, MaxTxQueues: 1, MinMTU: 68, MaxMTU: 9000, MaxRxPktLen: 9018, MaxMACAddrs: 1,
		RxDescLim: Desc{Max: 65535, Min: 1, Align: 1}, TxDescLim: Desc{Max: 65535, Min: 1, Align: 1},
		DefaultRxBurst: 32, DefaultTxBurst: 32, DefaultRxRingSize: 1024, DefaultTxRingSize: 1024}
	d.drv.Info(&info)
	info.NbRxQueues, info.NbTxQueues = d.nbRxq, d.nbTxq
	return info
}

// Configure configures a port for nbRxq RX and nbTxq TX queues
// (rte_eth_dev_configure). The port must be stopped.
func Configure(port, nbRxq, nbTxq uint16, conf *Conf) error {
	d, err := dev(port)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.state == stateStarted {
		return fmt.Errorf("%w: port %d must be stopped to configure", ErrState, port)
	}
	info := d.info()
	if nbRxq == 0 && nbTxq == 0 {
		return fmt.Errorf("%w: port %d: no queues", ErrInvalid, port)
	}
	if nbRxq > info.MaxRxQueues || nbTxq > info.MaxTxQueues {
		return fmt.Errorf("%w: port %d: %d rx / %d tx queues, driver %s allows %d / %d",
			ErrInvalid, port, nbRxq, nbTxq, info.DriverName, info.MaxRxQueues, info.MaxTxQueues)
	}
	var c Conf
	if conf != nil {
		c = *conf
	}
	if bad := c.RxMode.Offloads &^ info.RxOffloadCapa; bad != 0 {
		return fmt.Errorf("%w: port %d: rx offloads %#x not supported by %s (capa %#x)", ErrNotSupported, port, bad, info.DriverName, info.RxOffloadCapa)
	}
	if bad := c.TxMode.Offloads &^ info.TxOffloadCapa; bad != 0 {
		return fmt.Errorf("%w: port %d: tx offloads %#x not supported by %s (capa %#x)", ErrNotSupported, port, bad, info.DriverName, info.TxOffloadCapa)
	}
	if c.RxMode.MQMode == MQRxRSS && c.RSS.HF&^info.FlowTypeRSSOffloads != 0 {
		return fmt.Errorf("%w: port %d: rss hash functions %#x not supported (capa %#x)", ErrNotSupported, port, c.RSS.HF&^info.FlowTypeRSSOffloads, info.FlowTypeRSSOffloads)
	}
	if c.RxMode.MTU != 0 && (c.RxMode.MTU < uint32(info.MinMTU) || c.RxMode.MTU > uint32(info.MaxMTU)) {
		return fmt.Errorf("%w: port %d: mtu %d outside %d..%d", ErrInvalid, port, c.RxMode.MTU, info.MinMTU, info.MaxMTU)
	}
	if err := d.drv.Configure(nbRxq, nbTxq, &c); err != nil {
		return fmt.Errorf("ethdev: port %d: configure: %w", port, err)
	}
	if c.RxMode.MTU != 0 {
		d.mtu = uint16(c.RxMode.MTU)
	}
	d.conf = c
	d.nbRxq, d.nbTxq = nbRxq, nbTxq
	d.rxq = make([]RxQueue, nbRxq)
	d.txq = make([]TxQueue, nbTxq)
	d.rxcb = make([]atomic.Pointer[[]*RxCallback], nbRxq)
	d.txcb = make([]atomic.Pointer[[]*TxCallback], nbTxq)
	d.state = stateConfigured
	return nil
}

// RxQueueSetup sets up RX queue q with nbDesc descriptors, filling from pool
// (rte_eth_rx_queue_setup). The port must be configured and stopped.
func RxQueueSetup(port, q, nbDesc uint16, socket int, conf *RxConf, pool *mempool.Mempool) error {
	d, err := dev(port)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.state != stateConfigured {
		return fmt.Errorf("%w: port %d must be configured and stopped for rx queue setup", ErrState, port)
	}
	if q >= d.nbRxq {
		return fmt.Errorf("%w: port %d: rx queue %d >= %d configured", ErrInvalid, port, q, d.nbRxq)
	}
	if pool == nil {
		return fmt.Errorf("%w: port %d rx queue %d: no mempool", ErrInvalid, port, q)
	}
	info := d.info()
	if nbDesc == 0 {
		nbDesc = info.DefaultRxRingSize
	}
	if nbDesc > info.RxDescLim.Max || nbDesc < info.RxDescLim.Min {
		return fmt.Errorf("%w: port %d rx queue %d: %d descriptors outside %d..%d", ErrInvalid, port, q, nbDesc, info.RxDescLim.Min, info.RxDescLim.Max)
	}
	var c RxConf
	if conf != nil {
		c = *conf
	}
	rq, err := d.drv.RxQueueSetup(RxQueueInfo{Port: port, Queue: q, NbDesc: nbDesc, Socket: socket, Conf: c, Pool: pool})
	if err != nil {
		return fmt.Errorf("ethdev: port %d rx queue %d: %w", port, q, err)
	}
	d.rxq[q] = rq
	return nil
}

// TxQueueSetup sets up TX queue q (rte_eth_tx_queue_setup).
func TxQueueSetup(port, q, nbDesc uint16, socket int, conf *TxConf) error {
	d, err := dev(port)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.state != stateConfigured {
		return fmt.Errorf("%w: port %d must be configured and stopped for tx queue setup", ErrState, port)
	}
	if q >= d.nbTxq {
		return fmt.Errorf("%w: port %d: tx queue %d >= %d configured", ErrInvalid, port, q, d.nbTxq)
	}
	info := d.info()
	if nbDesc == 0 {
		nbDesc = info.DefaultTxRingSize
	}
	if nbDesc > info.TxDescLim.Max || nbDesc < info.TxDescLim.Min {
		return fmt.Errorf("%w: port %d tx queue %d: %d descriptors outside %d..%d", ErrInvalid, port, q, nbDesc, info.TxDescLim.Min, info.TxDescLim.Max)
	}
	var c TxConf
	if conf != nil {
		c = *conf
	}
	tq, err := d.drv.TxQueueSetup(TxQueueInfo{Port: port, Queue: q, NbDesc: nbDesc, Socket: socket, Conf: c})
	if err != nil {
		return fmt.Errorf("ethdev: port %d tx queue %d: %w", port, q, err)
	}
	d.txq[q] = tq
	return nil
}

// Start starts a port whose queues are all set up (rte_eth_dev_start).
func Start(port uint16) error {
	d, err := dev(port)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	switch d.state {
	case stateStarted:
		return nil
	case stateConfigured:
	default:
		return fmt.Errorf("%w: port %d is not configured", ErrState, port)
	}
	for i, q := range d.rxq {
		if q == nil {
			return fmt.Errorf("%w: port %d: rx queue %d not set up", ErrState, port, i)
		}
	}
	for i, q := range d.txq {
		if q == nil {
			return fmt.Errorf("%w: port %d: tx queue %d not set up", ErrState, port, i)
		}
	}
	if err := d.drv.Start(); err != nil {
		return fmt.Errorf("ethdev: port %d: start: %w", port, err)
	}
	d.state = stateStarted
	return nil
}

// Stop stops a started port (rte_eth_dev_stop). No lcore may be in a burst
// on its queues.
func Stop(port uint16) error {
	d, err := dev(port)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.state != stateStarted {
		return nil
	}
	if err := d.drv.Stop(); err != nil {
		return fmt.Errorf("ethdev: port %d: stop: %w", port, err)
	}
	d.state = stateConfigured
	return nil
}

// Close stops the port if needed, releases it and frees its id (rte_eth_dev_close).
func Close(port uint16) error {
	d, err := dev(port)
	if err != nil {
		return err
	}
	d.mu.Lock()
	if d.state == stateStarted {
		d.drv.Stop()
	}
	err = d.drv.Close()
	d.state = stateUnused
	d.rxq, d.txq = nil, nil
	d.mu.Unlock()
	regMu.Lock()
	devs[port].CompareAndSwap(d, nil)
	regMu.Unlock()
	if err != nil {
		return fmt.Errorf("ethdev: port %d: close: %w", port, err)
	}
	return nil
}

// Reset resets a port to its state after probe (rte_eth_dev_reset).
func Reset(port uint16) error {
	d, err := dev(port)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	r, ok := d.drv.(Resetter)
	if !ok {
		return fmt.Errorf("%w: port %d: reset", ErrNotSupported, port)
	}
	if d.state == stateStarted {
		d.drv.Stop()
	}
	if err := r.Reset(); err != nil {
		return err
	}
	d.state = stateAttached
	d.rxq, d.txq, d.nbRxq, d.nbTxq = nil, nil, 0, 0
	return nil
}

// IsStarted reports whether a port is started.
func IsStarted(port uint16) bool {
	d, err := dev(port)
	if err != nil {
		return false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.state == stateStarted
}

// ConfGet returns the configuration given to Configure.
func ConfGet(port uint16) (Conf, uint16, uint16, error) {
	d, err := dev(port)
	if err != nil {
		return Conf{}, 0, 0, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.conf, d.nbRxq, d.nbTxq, nil
}

// closeAll closes every port (at eal.Cleanup).
func closeAll() {
	for _, p := range Ports() {
		Close(p)
	}
}
