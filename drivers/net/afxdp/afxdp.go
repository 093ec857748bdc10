package afxdp

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"dpk/eal"
	"dpk/ethdev"
	"dpk/mempool"

	"golang.org/x/sys/unix"
)

const (
	driverName = "net_af_xdp"
	logType    = "pmd.net.af_xdp"

	// defaultDescs is the ring size for a queue set up with 0
	// descriptors (DPDK's ETH_AF_XDP_DFLT_NUM_DESCS).
	defaultDescs = 2048
	// minDescs is the smallest ring.
	minDescs = 64
	// maxDescs is the largest ring.
	maxDescs = 1 << 15
)

// ErrNoInterface means the iface= interface does not exist in the
// process's network namespace.
var ErrNoInterface = errors.New("interface missing")

func init() {
	ethdev.RegisterDriver(ethdev.DriverSpec{
		Name:    driverName,
		Aliases: []string{"eth_af_xdp"},
		Keys:    argKeys,
		Help:    argHelp,
		Probe:   probe,
	})
}

// counter is a statistic with one writer (the queue's lcore) and any
// number of readers: a load and a store, no locked instruction.
type counter struct{ v atomic.Uint64 }

func (c *counter) add(n uint64) { c.v.Store(c.v.Load() + n) }
func (c *counter) load() uint64 { return c.v.Load() }
func (c *counter) reset()       { c.v.Store(0) }

// ifaceInfo is what the driver learns about the interface.
type ifaceInfo struct {
	index int
	name  string
	mac   net.HardwareAddr
	mtu   int
	flags net.Flags
}

func (i ifaceInfo) up() bool { return i.flags&net.FlagUp != 0 && i.flags&net.FlagRunning != 0 }

func lookupIface(name string) (ifaceInfo, error) {
	ifc, err := net.InterfaceByName(name)
	if err != nil {
		return ifaceInfo{}, fmt.Errorf("iface=%s: %w (no such network interface in this network namespace: %v)", name, ErrNoInterface, err)
	}
	return ifaceInfo{index: ifc.Index, name: ifc.Name, mac: ifc.HardwareAddr, mtu: ifc.MTU, flags: ifc.Flags}, nil
}

func ifaceByIndex(index int, name string) (ifaceInfo, error) {
	ifc, err := net.InterfaceByIndex(index)
	if err != nil {
		return ifaceInfo{}, fmt.Errorf("iface=%s (index %d): %w: %v", name, index, ErrNoInterface, err)
	}
	return ifaceInfo{index: ifc.Index, name: ifc.Name, mac: ifc.HardwareAddr, mtu: ifc.MTU, flags: ifc.Flags}, nil
}

// rxQueueCount returns how many RX queues the interface has
// (/sys/class/net/NAME/queues/rx-*), 0 if unknown.
func rxQueueCount(name string) int {
	m, err := filepath.Glob("/sys/class/net/" + name + "/queues/rx-*")
	if err != nil {
		return 0
	}
	return len(m)
}

func probe(a ethdev.Devargs) error {
	cfg, err := parseArgs(a)
	if err != nil {
		return err
	}
	ifc, err := lookupIface(cfg.iface)
	if err != nil {
		return fmt.Errorf("%s: %w", a.Name, err)
	}
	if len(ifc.mac) != 6 {
		return fmt.Errorf("%s: iface=%s has a %d-byte hardware address: not an Ethernet interface", a.Name, cfg.iface, len(ifc.mac))
	}
	hw := rxQueueCount(ifc.name)
	if hw > 0 && cfg.startQueue+cfg.queueCount > hw {
		return fmt.Errorf("%s: start_queue=%d queue_count=%d, but %s has %d RX queue(s) (0..%d)", a.Name, cfg.startQueue, cfg.queueCount, ifc.name, hw, hw-1)
	}
	if cfg.xdpProg != "" {
		if _, err := os.Stat(cfg.xdpProg); err != nil {
			return fmt.Errorf("%s: xdp_prog: %w", a.Name, err)
		}
	}
	p := &port{name: a.Name, cfg: cfg, ifindex: ifc.index, ifname: ifc.name, hwQueues: hw}
	var mac ethdev.EtherAddr
	copy(mac[:], ifc.mac)
	id, err := ethdev.Allocate(a.Name, p, mac)
	if err != nil {
		return err
	}
	p.id = id
	if ifc.mtu > 0 && ifc.mtu <= int(p.maxMTU()) {
		if err := ethdev.MTUSet(id, uint16(ifc.mtu)); err != nil {
			eal.Logf(eal.LogWarning, logType, "%s: cannot record the MTU %d of %s: %v", a.Name, ifc.mtu, ifc.name, err)
		}
	} else if ifc.mtu > int(p.maxMTU()) {
		eal.Logf(eal.LogWarning, logType, "%s: %s has MTU %d, above the %d a frame of the default mbuf holds: longer packets are dropped (rx_xsk_dropped)", a.Name, ifc.name, ifc.mtu, p.maxMTU())
	}
	if !ifc.up() {
		eal.Logf(eal.LogWarning, logType, "%s: interface %s is down: the link is reported down until it comes up", a.Name, ifc.name)
	}
	eal.Logf(eal.LogInfo, logType, "%s: %s (index %d), queues %d..%d of %d", a.Name, ifc.name, ifc.index, cfg.startQueue, cfg.startQueue+cfg.queueCount-1, hw)
	return nil
}

// port is one af_xdp device: queue_count AF_XDP sockets on queues
// start_queue.. of one interface; RX and TX queue i share socket i.
type port struct {
	mu       sync.Mutex
	name     string
	cfg      config
	id       uint16
	ifindex  int
	ifname   string
	hwQueues int

	rxq     []*rxQueue
	txq     []*txQueue
	txDescs []uint32
	socks   []*xsk
	prog    *xdpProgram
	started bool
	closed  bool
	// Kernel counters: of the sockets closed since, and at the last reset.
	kclosed, kbase unix.XDPStatistics
	modeLogged     bool
}

var (
	_ ethdev.Driver         = (*port)(nil)
	_ ethdev.MTUSetter      = (*port)(nil)
	_ ethdev.Promiscuous    = (*port)(nil)
	_ ethdev.XstatsProvider = (*port)(nil)
	_ ethdev.LcoreBinder    = (*port)(nil)
)

// maxMTU is the largest MTU a frame of a default-sized mbuf holds.
func (p *port) maxMTU() uint16 {
	return uint16(2048 + 128 - 128 - xdpPacketHeadroom - 14)
}

func (p *port) Info(info *ethdev.DevInfo) {
	info.DriverName = driverName
	info.IfIndex = p.ifindex
	info.MaxRxQueues = uint16(p.cfg.queueCount)
	info.MaxTxQueues = uint16(p.cfg.queueCount)
	info.MinMTU = 68
	info.MaxMTU = p.maxMTU()
	info.MaxRxPktLen = uint32(p.maxMTU()) + 14
	info.MaxMACAddrs = 1
	info.RxDescLim = ethdev.Desc{Min: minDescs, Max: maxDescs, Align: 1}
	info.TxDescLim = ethdev.Desc{Min: minDescs, Max: maxDescs, Align: 1}
	info.DefaultRxRingSize = defaultDescs
	info.DefaultTxRingSize = defaultDescs
	info.DefaultRxBurst = 32
	info.DefaultTxBurst = 32
}

func (p *port) Configure(nbRxq, nbTxq uint16, conf *ethdev.Conf) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if int(nbRxq) > p.cfg.queueCount {
		return fmt.Errorf("%s: %d RX queues, but queue_count=%d", p.name, nbRxq, p.cfg.queueCount)
	}
	if nbTxq > nbRxq {
		return fmt.Errorf("%s: %d TX queues for %d RX queues: TX queue i sends on the socket of RX queue i", p.name, nbTxq, nbRxq)
	}
	for _, q := range p.rxq {
		if q != nil {
			q.reclaim()
		}
	}
	p.rxq = make([]*rxQueue, nbRxq)
	p.txq = make([]*txQueue, nbTxq)
	p.txDescs = make([]uint32, nbRxq)
	return nil
}

func (p *port) RxQueueSetup(qi ethdev.RxQueueInfo) (ethdev.RxQueue, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if qi.NbDesc != 0 && (qi.NbDesc < minDescs || uint32(qi.NbDesc) > maxDescs) {
		return nil, fmt.Errorf("%s: rx queue %d: %d descriptors outside %d..%d", p.name, qi.Queue, qi.NbDesc, minDescs, maxDescs)
	}
	q, err := newRxQueue(qi)
	if err != nil {
		return nil, fmt.Errorf("%s: rx queue %d: %w", p.name, qi.Queue, err)
	}
	p.rxq[qi.Queue] = q
	return q, nil
}

func (p *port) TxQueueSetup(qi ethdev.TxQueueInfo) (ethdev.TxQueue, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if qi.NbDesc != 0 && (qi.NbDesc < minDescs || uint32(qi.NbDesc) > maxDescs) {
		return nil, fmt.Errorf("%s: tx queue %d: %d descriptors outside %d..%d", p.name, qi.Queue, qi.NbDesc, minDescs, maxDescs)
	}
	q, err := newTxQueue(qi)
	if err != nil {
		return nil, err
	}
	p.txq[qi.Queue] = q
	p.txDescs[qi.Queue] = ringSize(qi.NbDesc)
	return q, nil
}

// Start attaches the XDP program (the first time), then opens one socket
// per RX queue, stocks its fill ring and puts it in the XSKMAP.
func (p *port) Start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, err := ifaceByIndex(p.ifindex, p.ifname); err != nil {
		return fmt.Errorf("%s: %w", p.name, err)
	}
	if p.prog == nil {
		x, err := p.loadProgram()
		if err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
		if err := x.attach(p.ifindex, p.ifname, p.name); err != nil {
			x.close()
			return fmt.Errorf("%s: %w", p.name, err)
		}
		p.prog = x
	}
	zc := 0
	for i, rq := range p.rxq {
		s, err := p.openQueue(i, rq)
		if err != nil {
			p.stop()
			return fmt.Errorf("%s: %w", p.name, err)
		}
		p.socks = append(p.socks, s)
		if s.zeroCopy {
			zc++
		}
		rq.start(s)
		if i < len(p.txq) {
			p.txq[i].start(s, rq.pool, rq.geo)
		}
		if err := p.prog.xsks.Put(uint32(s.queueID), uint32(s.fd)); err != nil {
			p.stop()
			return fmt.Errorf("%s: put the socket of queue %d in %s: %w", p.name, s.queueID, xsksMapName, err)
		}
	}
	if !p.modeLogged {
		p.modeLogged = true
		mode := "copy"
		if zc == len(p.socks) {
			mode = "zero-copy"
		} else if zc > 0 {
			mode = fmt.Sprintf("%d zero-copy, %d copy", zc, len(p.socks)-zc)
		}
		eal.Logf(eal.LogInfo, logType, "%s: %d queue(s) on %s in %s mode, XDP %s", p.name, len(p.socks), p.ifname, mode, modeName(p.prog.mode))
	}
	p.started = true
	return nil
}

func (p *port) loadProgram() (*xdpProgram, error) {
	if p.cfg.xdpProg != "" {
		x, err := loadCustomProgram(p.cfg.xdpProg)
		if err != nil {
			return nil, err
		}
		// Refuse a map too small for the port's queues before attaching,
		// rather than fail to put a socket in it after.
		if last := p.cfg.startQueue + p.cfg.queueCount - 1; x.xsks.MaxEntries() <= uint32(last) {
			x.close()
			return nil, fmt.Errorf("xdp_prog=%s: %s has %d entries, too few for queue %d (start_queue=%d, queue_count=%d)",
				p.cfg.xdpProg, xsksMapName, x.xsks.MaxEntries(), last, p.cfg.startQueue, p.cfg.queueCount)
		}
		return x, nil
	}
	n := max(p.hwQueues, p.cfg.startQueue+p.cfg.queueCount)
	return newOwnProgram(ownName(), uint32(n))
}

// openQueue opens the socket of RX queue i.
func (p *port) openQueue(i int, rq *rxQueue) (*xsk, error) {
	c := &xskConfig{
		ifindex: p.ifindex, queueID: uint32(p.cfg.startQueue + i), geo: &rq.geo,
		rxSize: rq.nbDesc, txSize: defaultDescs, forceCopy: p.cfg.forceCopy,
		shareFD: -1, busyBudget: p.cfg.busyBudget,
	}
	if d := p.txDescs[i]; d != 0 {
		c.txSize = d
	}
	if p.cfg.sharedUmem {
		shared.Lock()
		defer shared.Unlock()
		if ms := shared.m[rq.pool]; len(ms) > 0 {
			c.shareFD = ms[0].fd
		}
	}
	warn := func(format string, args ...any) {
		eal.Logf(eal.LogNotice, logType, "%s: %s: "+format, append([]any{p.name, p.ifname}, args...)...)
	}
	s, err := openXSK(c, warn)
	if err != nil {
		return nil, err
	}
	if p.cfg.sharedUmem {
		shared.m[rq.pool] = append(shared.m[rq.pool], s)
	}
	if p.cfg.busyBudget > 0 {
		if err := s.setBusyPoll(p.cfg.busyBudget); err != nil {
			eal.Logf(eal.LogNotice, logType, "%s: queue %d: no busy polling (%v): the kernel's interrupts drive the queue", p.name, c.queueID, err)
		}
	}
	return s, nil
}

// shared is the UMEMs shared by pool with shared_umem=1: the bound
// sockets of each, any of which a new socket names to share it.
var shared = struct {
	sync.Mutex
	m map[*mempool.Mempool][]*xsk
}{m: map[*mempool.Mempool][]*xsk{}}

func unshare(s *xsk) {
	shared.Lock()
	defer shared.Unlock()
	for mp, ms := range shared.m {
		for i, x := range ms {
			if x == s {
				ms = append(ms[:i], ms[i+1:]...)
				if len(ms) == 0 {
					delete(shared.m, mp)
				} else {
					shared.m[mp] = ms
				}
				return
			}
		}
	}
}

// Stop closes the sockets, once the kernel completed what was sent, and
// returns every mbuf the queues and the kernel held to the pools. The XDP
// program stays: until Start, packets go on to the kernel's stack.
func (p *port) Stop() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stop()
	return nil
}

func (p *port) stop() {
	p.started = false
	for _, q := range p.txq {
		if q != nil {
			q.drain()
			q.detach()
		}
	}
	for _, q := range p.rxq {
		if q != nil {
			q.detach()
		}
	}
	p.closeSockets()
	for _, q := range p.rxq {
		if q != nil {
			q.reclaim()
		}
	}
	for _, q := range p.txq {
		if q != nil {
			q.reclaim()
		}
	}
}

func (p *port) closeSockets() {
	for _, s := range p.socks {
		addStats(&p.kclosed, s.stats())
		if p.cfg.sharedUmem {
			unshare(s)
		}
		s.close()
	}
	p.socks = nil
}

// Close stops the port and takes its XDP program off the interface.
func (p *port) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	p.stop()
	var err error
	if p.prog != nil {
		if err = p.prog.detach(); err != nil {
			err = fmt.Errorf("%s: detach the XDP program from %s: %w", p.name, p.ifname, err)
		}
		p.prog.close()
		p.prog = nil
	}
	return err
}

func addStats(d *unix.XDPStatistics, s unix.XDPStatistics) {
	d.Rx_dropped += s.Rx_dropped
	d.Rx_invalid_descs += s.Rx_invalid_descs
	d.Tx_invalid_descs += s.Tx_invalid_descs
	d.Rx_ring_full += s.Rx_ring_full
	d.Rx_fill_ring_empty_descs += s.Rx_fill_ring_empty_descs
	d.Tx_ring_empty_descs += s.Tx_ring_empty_descs
}

func subStats(d *unix.XDPStatistics, s unix.XDPStatistics) {
	d.Rx_dropped -= s.Rx_dropped
	d.Rx_invalid_descs -= s.Rx_invalid_descs
	d.Tx_invalid_descs -= s.Tx_invalid_descs
	d.Rx_ring_full -= s.Rx_ring_full
	d.Rx_fill_ring_empty_descs -= s.Rx_fill_ring_empty_descs
	d.Tx_ring_empty_descs -= s.Tx_ring_empty_descs
}

// kernelStats returns the kernel's counters since the last reset.
func (p *port) kernelStats() unix.XDPStatistics {
	st := p.kclosed
	for _, s := range p.socks {
		addStats(&st, s.stats())
	}
	subStats(&st, p.kbase)
	return st
}

// Stats adds the queues' counters and the kernel's: packets the sockets
// dropped (no frame, frame too short, RX ring full) are imissed; invalid
// descriptors are ierrors and oerrors.
func (p *port) Stats(s *ethdev.Stats) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	k := p.kernelStats()
	for i, q := range p.rxq {
		if q != nil {
			q.stats.AddRx(s, i)
			s.IErrors += q.bad.load()
		}
	}
	s.IMissed += k.Rx_dropped + k.Rx_ring_full
	s.IErrors += k.Rx_invalid_descs
	for i, q := range p.txq {
		if q != nil {
			q.stats.AddTx(s, i)
		}
	}
	s.OErrors += k.Tx_invalid_descs
	return nil
}

func (p *port) StatsReset() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.resetKernel()
	for _, q := range p.rxq {
		if q != nil {
			q.stats.Reset()
			q.bad.reset()
		}
	}
	for _, q := range p.txq {
		if q != nil {
			q.stats.Reset()
		}
	}
	return nil
}

func (p *port) resetKernel() {
	p.kbase = p.kclosed
	for _, s := range p.socks {
		addStats(&p.kbase, s.stats())
	}
}

// Link reports the interface's state: up when it is up and has a carrier
// (IFF_UP and IFF_RUNNING), down when not or when it is gone.
func (p *port) Link(bool) (ethdev.Link, error) {
	ifc, err := ifaceByIndex(p.ifindex, p.ifname)
	if err != nil || !ifc.up() {
		return ethdev.Link{}, nil
	}
	l := ethdev.Link{Up: true, FullDuplex: true, Speed: ethdev.SpeedUnknown}
	if b, err := os.ReadFile("/sys/class/net/" + ifc.name + "/speed"); err == nil {
		if v, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && v > 0 {
			l.Speed = uint32(v)
		}
	}
	return l, nil
}

// ifreqIoctl runs an interface ioctl on a throwaway socket.
func ifreqIoctl(name string, req uint, ifr *unix.Ifreq) error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return unix.IoctlIfreq(fd, req, ifr)
}

// SetMTU sets the interface's MTU (SIOCSIFMTU), as DPDK does.
func (p *port) SetMTU(mtu uint16) error {
	ifc, err := ifaceByIndex(p.ifindex, p.ifname)
	if err != nil {
		return err
	}
	if ifc.mtu == int(mtu) {
		return nil
	}
	ifr, err := unix.NewIfreq(ifc.name)
	if err != nil {
		return err
	}
	ifr.SetUint32(uint32(mtu))
	if err := ifreqIoctl(ifc.name, unix.SIOCSIFMTU, ifr); err != nil {
		return fmt.Errorf("%s: set MTU %d on %s: %w", p.name, mtu, ifc.name, err)
	}
	return nil
}

// SetPromiscuous sets or clears the interface's IFF_PROMISC, as DPDK does.
func (p *port) SetPromiscuous(on bool) error { return p.setFlag(unix.IFF_PROMISC, on) }

// SetAllMulticast sets or clears the interface's IFF_ALLMULTI.
func (p *port) SetAllMulticast(on bool) error { return p.setFlag(unix.IFF_ALLMULTI, on) }

func (p *port) setFlag(flag uint16, on bool) error {
	ifc, err := ifaceByIndex(p.ifindex, p.ifname)
	if err != nil {
		return err
	}
	ifr, err := unix.NewIfreq(ifc.name)
	if err != nil {
		return err
	}
	if err := ifreqIoctl(ifc.name, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("%s: SIOCGIFFLAGS on %s: %w", p.name, ifc.name, err)
	}
	f := ifr.Uint16()
	if on {
		f |= flag
	} else {
		f &^= flag
	}
	ifr.SetUint16(f)
	if err := ifreqIoctl(ifc.name, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("%s: SIOCSIFFLAGS on %s: %w", p.name, ifc.name, err)
	}
	return nil
}

var xstatNames = []string{
	"rx_xsk_dropped", "rx_xsk_invalid_descs", "rx_xsk_ring_full", "rx_xsk_fill_ring_empty",
	"tx_xsk_invalid_descs", "tx_xsk_ring_empty", "rx_bad_descs", "tx_bad_completions",
	"tx_copied", "rx_wakeups", "tx_wakeups",
}

// XstatNames returns the driver's extended statistics (see the package
// documentation).
func (p *port) XstatNames() []string { return append([]string(nil), xstatNames...) }

// Xstats fills the values of XstatNames.
func (p *port) Xstats(v []uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	k := p.kernelStats()
	out := [11]uint64{k.Rx_dropped, k.Rx_invalid_descs, k.Rx_ring_full, k.Rx_fill_ring_empty_descs,
		k.Tx_invalid_descs, k.Tx_ring_empty_descs}
	for _, q := range p.rxq {
		if q != nil {
			out[6] += q.bad.load()
			out[9] += q.wakeups.load()
		}
	}
	for _, q := range p.txq {
		if q != nil {
			out[7] += q.bad.load()
			out[8] += q.copied.load()
			out[10] += q.wakeups.load()
		}
	}
	copy(v, out[:])
}

// XstatsReset clears the driver's counters.
func (p *port) XstatsReset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.resetKernel()
	for _, q := range p.rxq {
		if q != nil {
			q.bad.reset()
			q.wakeups.reset()
		}
	}
	for _, q := range p.txq {
		if q != nil {
			q.bad.reset()
			q.copied.reset()
			q.wakeups.reset()
		}
	}
}

// BindRxQueue makes RX queue q take the mbufs it gives the kernel's fill
// ring from lcore's mempool cache (eal.LcoreIDAny: its private cache).
func (p *port) BindRxQueue(q uint16, lcore uint32) {
	p.mu.Lock()
	defer p.mu.Unlock()
	rq := p.rxq[q]
	if c := rq.pool.DefaultCache(lcore); c != nil {
		rq.cache = c
	} else {
		rq.cache = rq.own
	}
}

// BindTxQueue makes TX queue q free what the kernel completed through
// lcore's mempool caches (eal.LcoreIDAny: its private caches).
func (p *port) BindTxQueue(q uint16, lcore uint32) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.txq[q].lcore = lcore
}
