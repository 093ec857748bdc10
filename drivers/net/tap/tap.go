package tap

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"

	"dpk/eal"
	"dpk/ethdev"

	"golang.org/x/sys/unix"
)

const (
	driverName = "net_tap"
	logType    = "pmd.net.tap"
	// defaultIface is the kernel's pattern for the interface name when
	// iface= is not given: it picks the first free dtapN.
	defaultIface = "dtap%d"
	// maxQueues bounds the queue pairs (DPDK's RTE_PMD_TAP_MAX_QUEUES).
	maxQueues = 16
	// maxMTU is the largest MTU of a tap interface (65535 less the
	// Ethernet header).
	maxMTU = 65535 - 14
	// frameOverhead is what a frame adds to the MTU: Ethernet header and
	// two VLAN tags.
	frameOverhead = 14 + 8
)

func init() {
	ethdev.RegisterDriver(ethdev.DriverSpec{
		Name:    driverName,
		Aliases: []string{"eth_tap"},
		Keys:    []string{"iface", "mac", "persist", "remote"},
		Help:    "iface=<string> mac=<fixed|xx:xx:xx:xx:xx:xx> persist=<0|1> remote=<string>",
		Probe:   probe,
	})
}

// config is a device's parsed devargs.
type config struct {
	iface   string // a name, or a pattern with %d
	mac     ethdev.EtherAddr
	fixed   bool // mac=fixed: the MAC is assigned at probe
	macSet  bool // mac= given (fixed or an address)
	persist bool
}

// fixedMACs counts the mac=fixed devices: DPDK's 02:64:74:61:70:NN ("dtap").
var fixedMACs atomic.Uint32

// parseArgs checks the devargs; errors name the bad key and value.
func parseArgs(a ethdev.Devargs) (config, error) {
	c := config{iface: defaultIface}
	if ifs := a.GetAll("iface"); len(ifs) > 1 {
		return c, fmt.Errorf("%s: iface given %d times: one device has one interface", a.Name, len(ifs))
	} else if len(ifs) == 1 {
		c.iface = strings.TrimSpace(ifs[0])
		if err := validIfname(c.iface); err != nil {
			return c, fmt.Errorf("%s: iface=%q: %v", a.Name, ifs[0], err)
		}
	}
	if v, ok := a.Get("mac"); ok {
		v = strings.TrimSpace(v)
		c.macSet = true
		if strings.EqualFold(v, "fixed") {
			c.fixed = true
		} else {
			hw, err := net.ParseMAC(v)
			if err != nil || len(hw) != 6 {
				return c, fmt.Errorf("%s: mac=%q: not \"fixed\" nor a MAC address xx:xx:xx:xx:xx:xx", a.Name, v)
			}
			copy(c.mac[:], hw)
			if c.mac.IsMulticast() || c.mac == (ethdev.EtherAddr{}) {
				return c, fmt.Errorf("%s: mac=%q: not a unicast address", a.Name, v)
			}
		}
	}
	var err error
	if c.persist, err = a.Bool("persist", false); err != nil {
		return c, err
	}
	if v, ok := a.Get("remote"); ok {
		return c, fmt.Errorf("%s: remote=%q: redirecting traffic to a remote interface (DPDK's TC flow rules) is not supported", a.Name, v)
	}
	return c, nil
}

// randomMAC returns a random locally administered unicast address.
func randomMAC() ethdev.EtherAddr {
	var m ethdev.EtherAddr
	rand.Read(m[:])
	m[0] = m[0]&^0x01 | 0x02
	return m
}

func probe(a ethdev.Devargs) error {
	cfg, err := parseArgs(a)
	if err != nil {
		return err
	}
	fd, ifname, err := openQueue(cfg.iface)
	if err != nil {
		return fmt.Errorf("%s: %w", a.Name, err)
	}
	p := &port{name: a.Name, cfg: cfg, ifname: ifname, fds: []int{fd}, mtu: 1500}
	// A failed probe leaves an interface that was persistent before as it
	// was; one it created goes away with its fd.
	_, tf, _ := tunGetIff(fd)
	wasPersistent := tf&unix.IFF_PERSIST != 0
	fail := func(err error) error {
		if !wasPersistent {
			setPersist(fd, false)
		}
		for _, fd := range p.fds {
			unix.Close(fd)
		}
		p.ctl.close()
		return fmt.Errorf("%s: iface=%s: %w", a.Name, ifname, err)
	}
	if err := setOffload(fd, tunFCsum); err != nil {
		return fail(err)
	}
	if cfg.persist {
		if err := setPersist(fd, true); err != nil {
			return fail(err)
		}
	}
	mac := cfg.mac
	switch {
	case cfg.fixed:
		mac = ethdev.EtherAddr{0x02, 'd', 't', 'a', 'p', byte(fixedMACs.Add(1) - 1)}
	case !cfg.macSet:
		mac = randomMAC()
	}
	p.mu.Lock()
	if li, err := p.linkLocked(); err == nil && li.mtu >= 68 && li.mtu <= maxMTU {
		p.mtu = li.mtu
	}
	p.mu.Unlock()
	id, err := ethdev.Allocate(a.Name, p, mac)
	if err != nil {
		return fail(err)
	}
	p.id = id
	if p.mtu != 1500 {
		if err := ethdev.MTUSet(id, uint16(p.mtu)); err != nil {
			eal.Logf(eal.LogWarning, logType, "%s: cannot record the MTU %d of %s: %v", a.Name, p.mtu, ifname, err)
		}
	}
	eal.Logf(eal.LogInfo, logType, "%s: tap interface %s, port MAC %s", a.Name, ifname, mac)
	return nil
}

// port is one tap device: a kernel tap interface with one tun fd per
// queue pair; RX queue i reads fd i, TX queue i writes fd i modulo the
// number of fds.
type port struct {
	mu     sync.Mutex
	name   string
	cfg    config
	id     uint16
	ifname string // the interface's name when last asked
	fds    []int
	mtu    uint32

	rxq        []*rxQueue
	txq        []*txQueue
	rxOffloads uint64
	lro        bool
	started    bool
	closed     bool
	removed    atomic.Bool
	ctl        ctlSockets

	kbase  linkStats // the interface's counters at the last reset
	klast  linkStats // the last counters read
	haveK  bool
	missed uint64 // kernel drops counted before the last read failed
}

var (
	_ ethdev.Driver         = (*port)(nil)
	_ ethdev.Promiscuous    = (*port)(nil)
	_ ethdev.MTUSetter      = (*port)(nil)
	_ ethdev.LinkSetter     = (*port)(nil)
	_ ethdev.XstatsProvider = (*port)(nil)
)

// closeFds closes the queues' fds; unless persist, the kernel removes the
// interface with the last one.
func (p *port) closeFds(persist bool) {
	if len(p.fds) > 0 && !persist && !p.removed.Load() {
		setPersist(p.fds[0], false) // it may have been made persistent before
	}
	for _, fd := range p.fds {
		unix.Close(fd)
	}
	p.fds = nil
	p.ctl.close()
}

// control returns sockets in the interface's current network namespace
// and refreshes its name. p.mu is held.
func (p *port) control() (*ctlSockets, error) {
	if p.removed.Load() || len(p.fds) == 0 {
		return nil, ErrRemoved
	}
	name, err := ifaceName(p.fds[0])
	if errors.Is(err, ErrRemoved) {
		p.removed.Store(true)
	}
	if err != nil {
		return nil, err
	}
	p.ifname = name
	nsfd, err := devNetns(p.fds[0])
	if err != nil {
		p.removed.Store(true)
		return nil, err
	}
	if nsfd >= 0 {
		defer unix.Close(nsfd)
	}
	if p.ctl.ioctl > 0 {
		if nsfd < 0 {
			return &p.ctl, nil
		}
		if id, err := statNS(nsfd, ""); err == nil && id == p.ctl.ns {
			return &p.ctl, nil
		}
		p.ctl.close()
	}
	c, err := openCtl(nsfd)
	if err != nil {
		return nil, fmt.Errorf("sockets in the namespace of %s: %w", name, err)
	}
	p.ctl = c
	return &p.ctl, nil
}

// linkLocked asks the kernel about the interface. p.mu is held.
func (p *port) linkLocked() (linkInfo, error) {
	c, err := p.control()
	if err != nil {
		return linkInfo{}, err
	}
	li, err := c.link(p.ifname)
	if err == nil && li.hasStats {
		p.klast, p.haveK = li.stats, true
	}
	return li, err
}

func (p *port) Info(info *ethdev.DevInfo) {
	info.DriverName = driverName
	info.MaxRxQueues = maxQueues
	info.MaxTxQueues = maxQueues
	info.MinMTU = 68
	info.MaxMTU = maxMTU
	info.MaxRxPktLen = maxGSOFrame
	info.MaxMACAddrs = 1
	info.RxOffloadCapa = ethdev.RxOffloadScatter | ethdev.RxOffloadTCPLRO | ethdev.RxOffloadUDPCksum | ethdev.RxOffloadTCPCksum
	info.RxQueueOffloadCapa = info.RxOffloadCapa
	info.TxOffloadCapa = ethdev.TxOffloadMultiSegs | ethdev.TxOffloadVLANInsert | ethdev.TxOffloadIPv4Cksum |
		ethdev.TxOffloadUDPCksum | ethdev.TxOffloadTCPCksum | ethdev.TxOffloadTCPTSO
	info.SpeedCapa = 0
}

// Configure sets the number of queue pairs: one tun fd per RX queue (at
// least one); TX queues share them. With RxOffloadTCPLRO the kernel hands
// over TCP GSO frames whole (TUNSETOFFLOAD with TSO), else it segments
// them itself.
func (p *port) Configure(nbRxq, nbTxq uint16, conf *ethdev.Conf) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.removed.Load() {
		return fmt.Errorf("%w: %s", ErrRemoved, p.ifname)
	}
	if nbRxq > maxQueues || nbTxq > maxQueues {
		return fmt.Errorf("%w: %d rx and %d tx queues: at most %d", ethdev.ErrInvalid, nbRxq, nbTxq, maxQueues)
	}
	want := max(int(nbRxq), 1)
	for len(p.fds) < want {
		fd, err := attachQueue(p.fds[0], p.ifname)
		if err != nil {
			return fmt.Errorf("queue %d: %w", len(p.fds), err)
		}
		p.fds = append(p.fds, fd)
	}
	for len(p.fds) > want {
		unix.Close(p.fds[len(p.fds)-1])
		p.fds = p.fds[:len(p.fds)-1]
	}
	p.rxOffloads = conf.RxMode.Offloads
	p.lro = p.rxOffloads&ethdev.RxOffloadTCPLRO != 0
	off := tunFCsum
	if p.lro {
		off |= tunFTSO4 | tunFTSO6 | tunFTSOECN
	}
	if err := setOffload(p.fds[0], off); err != nil {
		return err
	}
	for _, q := range p.rxq {
		if q != nil {
			q.flushMbufs()
		}
	}
	p.rxq = make([]*rxQueue, nbRxq)
	p.txq = make([]*txQueue, nbTxq)
	return nil
}

func (p *port) RxQueueSetup(qi ethdev.RxQueueInfo) (ethdev.RxQueue, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	q, err := newRxQueue(qi, &p.removed)
	if err != nil {
		return nil, err
	}
	if old := p.rxq[qi.Queue]; old != nil {
		old.flushMbufs()
	}
	p.rxq[qi.Queue] = q
	return q, nil
}

func (p *port) TxQueueSetup(qi ethdev.TxQueueInfo) (ethdev.TxQueue, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	q := newTxQueue(p.name, int(qi.Queue), &p.removed)
	if old := p.txq[qi.Queue]; old != nil {
		old.free.Flush()
	}
	p.txq[qi.Queue] = q
	return q, nil
}

// Start hands the queues their fds, drops what the kernel queued while the
// port was stopped and sets the interface up (IFF_UP), wherever it lives.
func (p *port) Start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, err := p.control()
	if err != nil {
		return fmt.Errorf("iface %s: %w", p.ifname, err)
	}
	if li, err := c.link(p.ifname); err == nil && li.mtu >= 68 {
		p.mtu = li.mtu
	}
	maxLen := p.mtu + frameOverhead
	if p.lro {
		maxLen = max(maxLen, maxGSOFrame)
	}
	for i, q := range p.rxq {
		q.attach(p.fds[i], maxLen, p.lro)
	}
	for i, q := range p.txq {
		q.fd = p.fds[i%len(p.fds)]
	}
	if err := c.setFlag(p.ifname, unix.IFF_UP, true); err != nil {
		return err
	}
	p.started = true
	return nil
}

// Stop sets the interface down (unless it is gone) and returns the mbufs
// the queues hold to their pools.
func (p *port) Stop() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stop()
	return nil
}

func (p *port) stop() {
	if !p.started {
		return
	}
	p.started = false
	if c, err := p.control(); err == nil {
		if err := c.setFlag(p.ifname, unix.IFF_UP, false); err != nil {
			eal.Logf(eal.LogWarning, logType, "%s: cannot set %s down: %v", p.name, p.ifname, err)
		}
	}
	for _, q := range p.rxq {
		if q != nil {
			q.flushMbufs()
		}
	}
	for _, q := range p.txq {
		if q != nil {
			q.free.Flush()
		}
	}
}

// Close stops the port and closes its fds: the kernel removes the
// interface, unless persist was given.
func (p *port) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	p.stop()
	for _, q := range p.rxq {
		if q != nil {
			q.flushMbufs()
			q.fd = -1
		}
	}
	for _, q := range p.txq {
		if q != nil {
			q.fd = -1
		}
	}
	p.closeFds(p.cfg.persist)
	return nil
}

// kernelMissed returns the frames the kernel dropped on the way to the
// queues since the last reset: the interface's tx_dropped. p.mu is held.
func (p *port) kernelMissed() uint64 {
	if _, err := p.linkLocked(); err != nil || !p.haveK {
		return p.missed
	}
	p.missed = p.klast.txDropped - p.kbase.txDropped
	return p.missed
}

func (p *port) Stats(s *ethdev.Stats) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, q := range p.rxq {
		if q != nil {
			q.stats.AddRx(s, i)
		}
	}
	for i, q := range p.txq {
		if q != nil {
			q.stats.AddTx(s, i)
		}
	}
	s.IMissed += p.kernelMissed()
	return nil
}

func (p *port) StatsReset() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.linkLocked()
	p.kbase, p.missed = p.klast, 0
	for _, q := range p.rxq {
		if q != nil {
			q.stats.Reset()
		}
	}
	for _, q := range p.txq {
		if q != nil {
			q.stats.Reset()
		}
	}
	return nil
}

// Link reports the interface's state: up when it is administratively up
// and has a carrier (IFF_UP and IFF_RUNNING), down when not or when it is
// gone. The speed is DPDK's tap's, 10 Gbps.
func (p *port) Link(bool) (ethdev.Link, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	li, err := p.linkLocked()
	if err != nil || li.flags&unix.IFF_UP == 0 || li.flags&unix.IFF_RUNNING == 0 {
		return ethdev.Link{}, nil
	}
	return ethdev.Link{Up: true, FullDuplex: true, Speed: ethdev.Speed10G}, nil
}

// SetLink sets the interface up or down (rte_eth_dev_set_link_up/down).
func (p *port) SetLink(up bool) error {
	return p.setFlag(unix.IFF_UP, up)
}

// SetPromiscuous sets IFF_PROMISC on the interface, as DPDK's tap does:
// the kernel then takes frames the port sends to any address.
func (p *port) SetPromiscuous(on bool) error { return p.setFlag(unix.IFF_PROMISC, on) }

// SetAllMulticast sets IFF_ALLMULTI on the interface.
func (p *port) SetAllMulticast(on bool) error { return p.setFlag(unix.IFF_ALLMULTI, on) }

func (p *port) setFlag(flag uint16, on bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, err := p.control()
	if err != nil {
		return fmt.Errorf("%s: %w", p.name, err)
	}
	return c.setFlag(p.ifname, flag, on)
}

// SetMTU sets the interface's MTU; the RX queues take frames of the new
// size from the next start.
func (p *port) SetMTU(mtu uint16) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, err := p.control()
	if err != nil {
		return fmt.Errorf("%s: %w", p.name, err)
	}
	if err := c.setMTU(p.ifname, uint32(mtu)); err != nil {
		return err
	}
	p.mtu = uint32(mtu)
	return nil
}

var xstatNames = []string{"rx_kernel_drops", "rx_lro_frames", "rx_csum_completed", "rx_truncated", "tx_tso_frames", "tx_dropped"}

// XstatNames returns the driver's extended statistics (see the package
// documentation).
func (p *port) XstatNames() []string { return append([]string(nil), xstatNames...) }

// Xstats fills the values of XstatNames.
func (p *port) Xstats(v []uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out [6]uint64
	out[0] = p.kernelMissed()
	for _, q := range p.rxq {
		if q != nil {
			out[1] += q.lroFrames.Load()
			out[2] += q.csumDone.Load()
			out[3] += q.truncated.Load()
		}
	}
	for _, q := range p.txq {
		if q != nil {
			out[4] += q.tsoFrames.Load()
			out[5] += q.stats.Errors.Load()
		}
	}
	copy(v, out[:])
}

// XstatsReset clears the driver's counters.
func (p *port) XstatsReset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, q := range p.rxq {
		if q != nil {
			q.lroFrames.Store(0)
			q.csumDone.Store(0)
			q.truncated.Store(0)
		}
	}
	for _, q := range p.txq {
		if q != nil {
			q.tsoFrames.Store(0)
		}
	}
}
