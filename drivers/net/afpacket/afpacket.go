package afpacket

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"dpk/eal"
	"dpk/ethdev"

	"golang.org/x/sys/unix"
)

const (
	driverName = "net_af_packet"
	logType    = "pmd.net.af_packet"

	// DPDK's defaults: frames of 2048 bytes, 512 of them per queue, in
	// blocks of one page.
	defaultFrameSize  = 1 << 11
	defaultFrameCount = 1 << 9
	// maxQpairs bounds qpairs: every queue pair has its own socket and ring.
	maxQpairs = 256
	// minRxBlock is the smallest RX block: a TPACKET_V3 frame must fit in
	// one block, and the largest frame the kernel hands a packet socket is
	// a 64 KiB GSO/GRO frame with its headers.
	minRxBlock = 1 << 17
	// maxFrameLen is the longest frame dpk receives whole: an IP datagram
	// of 65535 bytes behind an Ethernet header and a VLAN tag.
	maxFrameLen = 65535 + 14 + 4
)

func init() {
	ethdev.RegisterDriver(ethdev.DriverSpec{
		Name:    driverName,
		Aliases: []string{"eth_af_packet"},
		Keys:    []string{"iface", "qpairs", "blocksz", "framesz", "framecnt", "qdisc_bypass"},
		Help:    "iface=<string> qpairs=<int> blocksz=<int> framesz=<int> framecnt=<int> qdisc_bypass=<0|1>",
		Probe:   probe,
	})
}

// config is a device's parsed devargs.
type config struct {
	iface       string
	qpairs      int
	blockSize   uint32 // blocksz as given
	frameSize   uint32
	frameCount  uint32
	qdiscBypass bool
	ring        ringGeometry // the RX ring every queue gets
}

// parseArgs checks the devargs as DPDK does and works out the RX ring.
func parseArgs(a ethdev.Devargs) (config, error) {
	c := config{qdiscBypass: true}
	ifs := a.GetAll("iface")
	switch {
	case len(ifs) == 0:
		return c, fmt.Errorf("%s: no interface: give iface=<name>", a.Name)
	case len(ifs) > 1:
		return c, fmt.Errorf("%s: iface given %d times: one device drives one interface", a.Name, len(ifs))
	}
	c.iface = strings.TrimSpace(ifs[0])
	if c.iface == "" {
		return c, fmt.Errorf("%s: iface= needs an interface name", a.Name)
	}
	num := func(key string, def, max uint64) (uint64, error) {
		v, err := a.Uint(key, def, max)
		if err == nil && v == 0 {
			err = fmt.Errorf("%s: %s=0: must be at least 1", a.Name, key)
		}
		return v, err
	}
	q, err := num("qpairs", 1, maxQpairs)
	if err != nil {
		return c, err
	}
	bs, err := num("blocksz", uint64(os.Getpagesize()), 1<<30)
	if err != nil {
		return c, err
	}
	fs, err := num("framesz", defaultFrameSize, 1<<30)
	if err != nil {
		return c, err
	}
	fc, err := num("framecnt", defaultFrameCount, 1<<24)
	if err != nil {
		return c, err
	}
	if c.qdiscBypass, err = a.Bool("qdisc_bypass", true); err != nil {
		return c, err
	}
	c.qpairs, c.blockSize, c.frameSize, c.frameCount = int(q), uint32(bs), uint32(fs), uint32(fc)
	// DPDK's checks.
	if c.frameSize > c.blockSize {
		return c, fmt.Errorf("%s: framesz=%d is larger than blocksz=%d", a.Name, c.frameSize, c.blockSize)
	}
	if c.frameCount/(c.blockSize/c.frameSize) == 0 {
		return c, fmt.Errorf("%s: framecnt=%d is less than one block of blocksz/framesz=%d frames", a.Name, c.frameCount, c.blockSize/c.frameSize)
	}
	if c.blockSize%uint32(os.Getpagesize()) != 0 {
		return c, fmt.Errorf("%s: blocksz=%d is not a multiple of the page size %d", a.Name, c.blockSize, os.Getpagesize())
	}
	if c.frameSize%unix.TPACKET_ALIGNMENT != 0 {
		return c, fmt.Errorf("%s: framesz=%d is not a multiple of %d (TPACKET_ALIGNMENT)", a.Name, c.frameSize, unix.TPACKET_ALIGNMENT)
	}
	c.ring = rxGeometry(c.blockSize, c.frameSize, c.frameCount)
	return c, nil
}

// rxGeometry turns DPDK's ring arguments into a TPACKET_V3 RX ring: the
// same memory (framecnt frames of framesz bytes, at least two blocks), in
// blocks large enough for the largest frame.
func rxGeometry(blockSize, frameSize, frameCount uint32) ringGeometry {
	total := uint64(frameSize) * uint64(frameCount)
	bs := uint64(blockSize)
	for bs < minRxBlock {
		bs *= 2
	}
	nr := max(total/bs, 2)
	return ringGeometry{blockSize: uint32(bs), blockNr: uint32(nr), frameSize: frameSize, frameNr: uint32(nr * (bs / uint64(frameSize)))}
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
	// Ethernet frames only; the loopback interface has Ethernet headers and
	// no address.
	if len(ifc.mac) != 6 && !(len(ifc.mac) == 0 && ifc.flags&net.FlagLoopback != 0) {
		return fmt.Errorf("%s: iface=%s has a %d-byte hardware address: not an Ethernet interface", a.Name, cfg.iface, len(ifc.mac))
	}
	p := &port{name: a.Name, cfg: cfg, ifindex: ifc.index, ifname: ifc.name}
	p.kdrops = make([]uint64, cfg.qpairs)
	p.kfreezes = make([]uint64, cfg.qpairs)
	if err := p.openSockets(); err != nil {
		return fmt.Errorf("%s: iface=%s: %w", a.Name, cfg.iface, err)
	}
	var mac ethdev.EtherAddr
	copy(mac[:], ifc.mac)
	id, err := ethdev.Allocate(a.Name, p, mac)
	if err != nil {
		p.closeSockets()
		return err
	}
	p.id = id
	if ifc.mtu > 0 && ifc.mtu <= 65535 {
		if err := ethdev.MTUSet(id, uint16(ifc.mtu)); err != nil {
			eal.Logf(eal.LogWarning, logType, "%s: cannot record the MTU %d of %s: %v", a.Name, ifc.mtu, ifc.name, err)
		}
	}
	// Watch the link before reading its state, so that no change is missed.
	if p.mon, err = newMonitor(p); err != nil {
		eal.Logf(eal.LogWarning, logType, "%s: no link events for %s: %v", a.Name, ifc.name, err)
	}
	if now, err := ifaceByIndex(ifc.index, ifc.name); err == nil {
		p.up.Store(now.up())
	}
	if !p.up.Load() {
		eal.Logf(eal.LogWarning, logType, "%s: interface %s is down: the link is reported down until it comes up", a.Name, ifc.name)
	}
	eal.Logf(eal.LogInfo, logType, "%s: %s (index %d), %d queue pairs, RX ring %d blocks of %d bytes per queue",
		a.Name, ifc.name, ifc.index, cfg.qpairs, cfg.ring.blockNr, cfg.ring.blockSize)
	return nil
}

// port is one af_packet device: qpairs sockets on one interface; RX and TX
// queue i use socket i.
type port struct {
	mu      sync.Mutex
	name    string
	cfg     config
	id      uint16
	ifindex int
	ifname  string // at probe; the interface may be renamed since

	socks     []*packetSocket
	fanoutN   int    // sockets in the fanout group (0: none)
	fanoutID  uint16 // the group's id
	fanoutDue bool   // started, but the interface was down: join when it comes up

	rxq          []*rxQueue
	txq          []*txQueue
	rxOffloads   uint64
	lsc          bool
	started      bool
	promisc      bool
	allmulti     bool
	closed       bool
	kdrops       []uint64 // per socket: PACKET_STATISTICS drops, summed
	kfreezes     []uint64
	up           atomic.Bool // last link state seen
	removed      atomic.Bool // the interface is gone
	mon          *monitor
	fanoutErrLog bool
}

var (
	_ ethdev.Driver         = (*port)(nil)
	_ ethdev.Promiscuous    = (*port)(nil)
	_ ethdev.MTUSetter      = (*port)(nil)
	_ ethdev.MACSetter      = (*port)(nil)
	_ ethdev.XstatsProvider = (*port)(nil)
	_ ethdev.LcoreBinder    = (*port)(nil)
)

// openSockets opens one socket per queue pair.
func (p *port) openSockets() error {
	p.socks = make([]*packetSocket, p.cfg.qpairs)
	for i := range p.socks {
		s, err := openSocket(p.ifindex, p.cfg.ring, p.cfg.qdiscBypass)
		if err != nil {
			p.closeSockets()
			return fmt.Errorf("queue %d: %w", i, err)
		}
		p.socks[i] = s
	}
	p.fanoutN, p.fanoutID, p.fanoutDue = 0, 0, false
	return nil
}

func (p *port) closeSockets() {
	for i, s := range p.socks {
		if s != nil {
			p.readKernelStats(i)
			s.close()
		}
	}
	p.socks = nil
}

// readKernelStats adds socket i's kernel counters (cleared by reading) to
// the port's sums.
func (p *port) readKernelStats(i int) {
	if i >= len(p.socks) || p.socks[i] == nil || p.socks[i].fd < 0 {
		return
	}
	d, f, err := p.socks[i].kernelStats()
	if err == nil {
		p.kdrops[i] += d
		p.kfreezes[i] += f
	}
}

func (p *port) Info(info *ethdev.DevInfo) {
	info.DriverName = driverName
	info.IfIndex = p.ifindex
	info.MaxRxQueues = uint16(p.cfg.qpairs)
	info.MaxTxQueues = uint16(p.cfg.qpairs)
	info.MinMTU = 68
	info.MaxMTU = 65535
	info.MaxRxPktLen = maxFrameLen
	info.MinRxBufSize = 0
	info.MaxMACAddrs = 1
	info.RxOffloadCapa = ethdev.RxOffloadVLANStrip | ethdev.RxOffloadScatter | ethdev.RxOffloadTCPLRO |
		ethdev.RxOffloadRSSHash | ethdev.RxOffloadUDPCksum | ethdev.RxOffloadTCPCksum
	info.RxQueueOffloadCapa = info.RxOffloadCapa
	info.TxOffloadCapa = ethdev.TxOffloadMultiSegs | ethdev.TxOffloadVLANInsert | ethdev.TxOffloadIPv4Cksum |
		ethdev.TxOffloadUDPCksum | ethdev.TxOffloadTCPCksum | ethdev.TxOffloadTCPTSO
	info.SpeedCapa = 0
}

func (p *port) Configure(nbRxq, nbTxq uint16, conf *ethdev.Conf) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.removed.Load() {
		return fmt.Errorf("interface %s was removed", p.ifname)
	}
	p.rxOffloads = conf.RxMode.Offloads
	p.lsc = conf.IntrLSC
	p.rxq = make([]*rxQueue, nbRxq)
	p.txq = make([]*txQueue, nbTxq)
	return nil
}

func (p *port) RxQueueSetup(qi ethdev.RxQueueInfo) (ethdev.RxQueue, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	q, err := newRxQueue(qi, p.rxOffloads|qi.Conf.Offloads)
	if err != nil {
		return nil, err
	}
	if old := p.rxq[qi.Queue]; old != nil {
		old.release()
	}
	p.rxq[qi.Queue] = q
	return q, nil
}

func (p *port) TxQueueSetup(qi ethdev.TxQueueInfo) (ethdev.TxQueue, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	q := newTxQueue(p.name, int(qi.Queue))
	if old := p.txq[qi.Queue]; old != nil {
		old.free.Flush()
	}
	p.txq[qi.Queue] = q
	return q, nil
}

// Start lets the RX queues' sockets receive, spreading packets over them
// with a fanout group when there are several, and hands sockets to the
// queues. Frames left in the rings from before are dropped.
func (p *port) Start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.removed.Load() {
		return fmt.Errorf("interface %s was removed", p.ifname)
	}
	want := 0
	if len(p.rxq) > 1 {
		want = len(p.rxq)
	}
	if p.fanoutN != 0 && p.fanoutN != want {
		// A fanout group cannot shrink or grow: new sockets.
		p.closeSockets()
		if err := p.openSockets(); err != nil {
			return err
		}
		if err := p.applyMemberships(); err != nil {
			return err
		}
	}
	for i, q := range p.rxq {
		q.attach(p.socks[i])
		q.flushRing()
		if err := p.socks[i].setReceive(true); err != nil {
			return err
		}
	}
	for i, q := range p.txq {
		q.fd = p.socks[i].fd
	}
	if want > 0 && p.fanoutN == 0 {
		p.fanoutDue = true
		p.joinFanout()
	}
	p.started = true
	return nil
}

// joinFanout puts the RX queues' sockets in one fanout group. The kernel
// refuses while the interface is down: the link monitor tries again when
// it comes up.
func (p *port) joinFanout() {
	if !p.fanoutDue {
		return
	}
	var id uint16
	for i := range p.rxq {
		var err error
		if id, err = p.socks[i].joinFanout(id); err != nil {
			if i == 0 && !p.up.Load() {
				eal.Logf(eal.LogNotice, logType, "%s: %s is down (%v): queues join their fanout group when it comes up", p.name, p.ifname, err)
				return
			}
			if !p.fanoutErrLog {
				p.fanoutErrLog = true
				eal.Logf(eal.LogErr, logType, "%s: queue %d: cannot join fanout group %d: %v", p.name, i, id, err)
			}
			return
		}
	}
	p.fanoutN, p.fanoutID, p.fanoutDue = len(p.rxq), id, false
}

// Stop makes the sockets drop what arrives and returns the mbufs the queues
// hold to their pools.
func (p *port) Stop() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stop()
	return nil
}

func (p *port) stop() {
	p.started = false
	p.fanoutDue = false
	for _, s := range p.socks {
		s.setReceive(false)
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

// Close stops the port, closes its sockets and stops watching the link.
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
			q.release()
		}
	}
	p.closeSockets()
	if p.mon != nil {
		p.mon.close()
	}
	return nil
}

func (p *port) Stats(s *ethdev.Stats) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := range p.socks {
		p.readKernelStats(i)
	}
	for i, q := range p.rxq {
		if q != nil {
			q.stats.AddRx(s, i)
		}
	}
	for _, d := range p.kdrops {
		s.IMissed += d
	}
	for i, q := range p.txq {
		if q != nil {
			q.stats.AddTx(s, i)
		}
	}
	return nil
}

func (p *port) StatsReset() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := range p.socks {
		p.readKernelStats(i)
	}
	clear(p.kdrops)
	clear(p.kfreezes)
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
// gone; the speed is the interface's own (/sys/class/net/*/speed), unknown
// when it has none.
func (p *port) Link(bool) (ethdev.Link, error) {
	if p.removed.Load() {
		return ethdev.Link{}, nil
	}
	ifc, err := ifaceByIndex(p.ifindex, p.ifname)
	if err != nil {
		return ethdev.Link{}, nil
	}
	if !ifc.up() {
		return ethdev.Link{}, nil
	}
	l := ethdev.Link{Up: true, FullDuplex: true, Speed: ethdev.SpeedUnknown}
	if b, err := os.ReadFile("/sys/class/net/" + ifc.name + "/speed"); err == nil {
		if v, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && v > 0 {
			l.Speed = uint32(v)
		}
	}
	if b, err := os.ReadFile("/sys/class/net/" + ifc.name + "/duplex"); err == nil {
		l.FullDuplex = strings.TrimSpace(string(b)) != "half"
	}
	return l, nil
}

// SetPromiscuous adds or drops a PACKET_MR_PROMISC membership on the
// interface (DPDK sets IFF_PROMISC instead, which outlives the process).
func (p *port) SetPromiscuous(on bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if on == p.promisc {
		return nil
	}
	if err := p.socks[0].membership(p.ifindex, unix.PACKET_MR_PROMISC, on); err != nil {
		return err
	}
	p.promisc = on
	return nil
}

// SetAllMulticast adds or drops a PACKET_MR_ALLMULTI membership.
func (p *port) SetAllMulticast(on bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if on == p.allmulti {
		return nil
	}
	if err := p.socks[0].membership(p.ifindex, unix.PACKET_MR_ALLMULTI, on); err != nil {
		return err
	}
	p.allmulti = on
	return nil
}

// applyMemberships sets the memberships again on new sockets.
func (p *port) applyMemberships() error {
	if p.promisc {
		if err := p.socks[0].membership(p.ifindex, unix.PACKET_MR_PROMISC, true); err != nil {
			return err
		}
	}
	if p.allmulti {
		if err := p.socks[0].membership(p.ifindex, unix.PACKET_MR_ALLMULTI, true); err != nil {
			return err
		}
	}
	return nil
}

// SetMTU sets the interface's MTU (SIOCSIFMTU).
func (p *port) SetMTU(mtu uint16) error {
	p.mu.Lock()
	defer p.mu.Unlock()
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
	if err := unix.IoctlIfreq(p.socks[0].fd, unix.SIOCSIFMTU, ifr); err != nil {
		return fmt.Errorf("%s: set MTU %d on %s: %w", p.name, mtu, ifc.name, err)
	}
	return nil
}

// SetMAC sets the interface's MAC address (SIOCSIFHWADDR; most interfaces
// must be down for it).
func (p *port) SetMAC(mac ethdev.EtherAddr) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	ifc, err := ifaceByIndex(p.ifindex, p.ifname)
	if err != nil {
		return err
	}
	if err := setHwaddr(p.socks[0].fd, ifc.name, mac); err != nil {
		return fmt.Errorf("%s: set MAC %s on %s: %w", p.name, mac, ifc.name, err)
	}
	return nil
}

// linkEvent is called by the link monitor with the interface's new state.
func (p *port) linkEvent(up, removed bool) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	wasUp := p.up.Load()
	p.up.Store(up && !removed)
	if removed {
		p.removed.Store(true)
	}
	if up && p.started && p.fanoutDue {
		p.joinFanout()
	}
	lsc, id := p.lsc, p.id
	p.mu.Unlock()
	if wasUp != (up && !removed) {
		eal.Logf(eal.LogInfo, logType, "%s: %s: link %s", p.name, p.ifname, map[bool]string{true: "up", false: "down"}[up && !removed])
		if lsc {
			ethdev.EventProcess(id, ethdev.EventIntrLSC)
		}
	}
	if removed {
		eal.Logf(eal.LogWarning, logType, "%s: interface %s was removed: the port receives nothing and drops what it sends", p.name, p.ifname)
		ethdev.EventProcess(id, ethdev.EventIntrRmv)
	}
}

var xstatNames = []string{
	"rx_kernel_drops", "rx_kernel_queue_freezes", "rx_gso_frames", "rx_gso_segments",
	"rx_csum_completed", "rx_truncated", "tx_tso_frames", "tx_dropped",
}

// XstatNames returns the driver's extended statistics (see the package
// documentation).
func (p *port) XstatNames() []string { return append([]string(nil), xstatNames...) }

// Xstats fills the values of XstatNames.
func (p *port) Xstats(v []uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := range p.socks {
		p.readKernelStats(i)
	}
	var out [8]uint64
	for i := range p.kdrops {
		out[0] += p.kdrops[i]
		out[1] += p.kfreezes[i]
	}
	for _, q := range p.rxq {
		if q != nil {
			out[2] += q.gsoFrames.Load()
			out[3] += q.gsoSegs.Load()
			out[4] += q.csumDone.Load()
			out[5] += q.truncated.Load()
		}
	}
	for _, q := range p.txq {
		if q != nil {
			out[6] += q.tsoFrames.Load()
			out[7] += q.stats.Errors.Load()
		}
	}
	copy(v, out[:])
}

// XstatsReset clears the driver's counters.
func (p *port) XstatsReset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := range p.socks {
		p.readKernelStats(i)
	}
	clear(p.kdrops)
	clear(p.kfreezes)
	for _, q := range p.rxq {
		if q != nil {
			q.gsoFrames.Store(0)
			q.gsoSegs.Store(0)
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

// BindRxQueue makes RX queue q allocate through lcore's mempool cache
// (eal.LcoreIDAny: the queue's private cache again).
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

// BindTxQueue makes TX queue q free what it sent through lcore's mempool
// caches (eal.LcoreIDAny: the queue's private caches again).
func (p *port) BindTxQueue(q uint16, lcore uint32) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.txq[q].lcore = lcore
}
