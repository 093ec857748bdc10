package afxdp

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

const (
	// xdpPacketHeadroom is the headroom the kernel keeps before a packet
	// in an XDP buffer (XDP_PACKET_HEADROOM), after the UMEM's own.
	xdpPacketHeadroom = unix.XDP_PACKET_HEADROOM
	// xdpRingNeedWakeup is the flag a ring's flags word has when the
	// kernel needs a system call to make progress.
	xdpRingNeedWakeup = unix.XDP_RING_NEED_WAKEUP
	// minFrame is the least frame room dpk accepts: an Ethernet frame of
	// the smallest MTU IPv4 allows.
	minFrame = 14 + 68
	// busyPollUsecs is SO_BUSY_POLL: how long a busy-polling system call
	// may spin (DPDK's ETH_AF_XDP_DFLT_BUSY_TIMEOUT).
	busyPollUsecs = 20
)

// xskConfig is what opening one queue's socket needs.
type xskConfig struct {
	ifindex   int
	queueID   uint32
	geo       *umemGeometry
	rxSize    uint32 // RX and fill rings
	txSize    uint32 // TX and completion rings
	forceCopy bool
	// shareFD is a bound socket whose UMEM this one shares
	// (XDP_SHARED_UMEM), or -1: the socket registers the UMEM itself.
	shareFD    int
	busyBudget int
}

// xsk is one AF_XDP socket with its four rings mapped.
type xsk struct {
	fd       int
	queueID  uint32
	zeroCopy bool
	busy     bool // busy polling is on
	rx, tx   xskRing
	fill     xskRing
	comp     xskRing
	maps     [][]byte
}

// errBind marks a failed bind, after which a copy-mode bind may succeed
// where a zero-copy one did not.
var errBind = errors.New("bind")

// openXSK opens, sets up and binds a socket. Without force_copy it asks
// for zero copy first and, when the driver cannot (veth, most virtual
// interfaces), opens the socket again in copy mode; warn reports that.
func openXSK(c *xskConfig, warn func(format string, args ...any)) (*xsk, error) {
	if c.shareFD >= 0 {
		return tryOpenXSK(c, unix.XDP_SHARED_UMEM)
	}
	flags := uint16(unix.XDP_USE_NEED_WAKEUP)
	if c.forceCopy {
		return tryOpenXSK(c, flags|unix.XDP_COPY)
	}
	s, err := tryOpenXSK(c, flags|unix.XDP_ZEROCOPY)
	if err == nil || !errors.Is(err, errBind) {
		return s, err
	}
	s, err2 := tryOpenXSK(c, flags|unix.XDP_COPY)
	if err2 != nil {
		return nil, fmt.Errorf("%w; in copy mode: %w", err, err2)
	}
	warn("queue %d: zero copy refused (%v): copy mode", c.queueID, err)
	return s, nil
}

func tryOpenXSK(c *xskConfig, bindFlags uint16) (_ *xsk, err error) {
	fd, err := unix.Socket(unix.AF_XDP, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		if errors.Is(err, unix.EAFNOSUPPORT) {
			return nil, fmt.Errorf("socket(AF_XDP): %w: the kernel has no AF_XDP (CONFIG_XDP_SOCKETS)", err)
		}
		if errors.Is(err, unix.EPERM) {
			return nil, fmt.Errorf("socket(AF_XDP): %w: AF_XDP sockets need CAP_NET_RAW", err)
		}
		return nil, fmt.Errorf("socket(AF_XDP): %w", err)
	}
	s := &xsk{fd: fd, queueID: c.queueID}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	g := c.geo
	if c.shareFD < 0 {
		reg := unix.XDPUmemReg{
			Addr: g.view.start(), Len: g.view.size,
			Size: g.chunkSize, Headroom: g.headroom,
			Flags: unix.XDP_UMEM_UNALIGNED_CHUNK_FLAG,
		}
		if err := setsockoptUmemReg(fd, &reg); err != nil {
			hint := ""
			switch {
			case errors.Is(err, unix.ENOMEM), errors.Is(err, unix.ENOBUFS):
				hint = ": the kernel could not pin the pool's memory (RLIMIT_MEMLOCK without CAP_IPC_LOCK?)"
			case errors.Is(err, unix.EINVAL):
				hint = fmt.Sprintf(": chunks of %d bytes (mbuf header, private area and data room) must be 2048 bytes to a page long", g.chunkSize)
			}
			return nil, fmt.Errorf("XDP_UMEM_REG of %d bytes at %#x: %w%s", g.view.size, g.view.start(), err, hint)
		}
	}
	for _, r := range []struct {
		opt  int
		name string
		n    uint32
	}{
		{unix.XDP_UMEM_FILL_RING, "XDP_UMEM_FILL_RING", c.rxSize},
		{unix.XDP_UMEM_COMPLETION_RING, "XDP_UMEM_COMPLETION_RING", c.txSize},
		{unix.XDP_RX_RING, "XDP_RX_RING", c.rxSize},
		{unix.XDP_TX_RING, "XDP_TX_RING", c.txSize},
	} {
		if err := unix.SetsockoptInt(fd, unix.SOL_XDP, r.opt, int(r.n)); err != nil {
			return nil, fmt.Errorf("setsockopt(%s, %d): %w", r.name, r.n, err)
		}
	}
	off, err := mmapOffsets(fd)
	if err != nil {
		return nil, fmt.Errorf("getsockopt(XDP_MMAP_OFFSETS): %w", err)
	}
	if s.rx, err = s.mapRing(unix.XDP_PGOFF_RX_RING, off.Rx, c.rxSize, descEntrySize); err != nil {
		return nil, err
	}
	if s.tx, err = s.mapRing(unix.XDP_PGOFF_TX_RING, off.Tx, c.txSize, descEntrySize); err != nil {
		return nil, err
	}
	if s.fill, err = s.mapRing(unix.XDP_UMEM_PGOFF_FILL_RING, off.Fr, c.rxSize, addrEntrySize); err != nil {
		return nil, err
	}
	if s.comp, err = s.mapRing(unix.XDP_UMEM_PGOFF_COMPLETION_RING, off.Cr, c.txSize, addrEntrySize); err != nil {
		return nil, err
	}
	s.rx.initConsumer()
	s.comp.initConsumer()
	s.fill.initProducer()
	s.tx.initProducer()
	sa := &unix.SockaddrXDP{Flags: bindFlags, Ifindex: uint32(c.ifindex), QueueID: c.queueID}
	if c.shareFD >= 0 {
		sa.SharedUmemFD = uint32(c.shareFD)
	}
	if err := unix.Bind(fd, sa); err != nil {
		return nil, fmt.Errorf("%w to queue %d in %s mode: %w%s", errBind, c.queueID, bindMode(bindFlags), err, bindHint(err))
	}
	if v, err := xdpOptions(fd); err == nil {
		s.zeroCopy = v&unix.XDP_OPTIONS_ZEROCOPY != 0
	}
	return s, nil
}

// bindMode names the mode bind flags ask for.
func bindMode(f uint16) string {
	switch {
	case f&unix.XDP_SHARED_UMEM != 0:
		return "shared UMEM"
	case f&unix.XDP_ZEROCOPY != 0:
		return "zero copy"
	case f&unix.XDP_COPY != 0:
		return "copy"
	}
	return "any mode"
}

// bindHint explains the usual reasons bind fails.
func bindHint(err error) string {
	switch {
	case errors.Is(err, unix.EBUSY):
		return ": another AF_XDP socket is bound to this queue"
	case errors.Is(err, unix.EINVAL):
		return ": no such queue on the interface (see start_queue and queue_count), or a bad flag"
	case errors.Is(err, unix.ENODEV):
		return ": the interface is gone"
	case errors.Is(err, unix.EOPNOTSUPP):
		return ": the driver cannot do it"
	}
	return ""
}

// mapRing maps one ring of the socket.
func (s *xsk) mapRing(pgoff int64, off unix.XDPRingOffset, n, esize uint32) (xskRing, error) {
	l := int(off.Desc + uint64(n)*uint64(esize))
	mem, err := unix.Mmap(s.fd, pgoff, l, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE)
	if err != nil {
		return xskRing{}, fmt.Errorf("mmap of a ring (offset %#x, %d bytes): %w", pgoff, l, err)
	}
	s.maps = append(s.maps, mem)
	return mapRing(mem, off, n, esize)
}

// setBusyPoll asks the kernel to busy poll the device's queue from the
// socket's system calls (SO_PREFER_BUSY_POLL, SO_BUSY_POLL,
// SO_BUSY_POLL_BUDGET), as DPDK's busy_budget does.
func (s *xsk) setBusyPoll(budget int) error {
	for _, o := range []struct {
		opt  int
		name string
		v    int
	}{
		{unix.SO_PREFER_BUSY_POLL, "SO_PREFER_BUSY_POLL", 1},
		{unix.SO_BUSY_POLL, "SO_BUSY_POLL", busyPollUsecs},
		{unix.SO_BUSY_POLL_BUDGET, "SO_BUSY_POLL_BUDGET", budget},
	} {
		if err := unix.SetsockoptInt(s.fd, unix.SOL_SOCKET, o.opt, o.v); err != nil {
			return fmt.Errorf("setsockopt(%s, %d): %w", o.name, o.v, err)
		}
	}
	s.busy = true
	return nil
}

// stats reads the socket's kernel counters.
func (s *xsk) stats() unix.XDPStatistics {
	st, _ := xdpStatistics(s.fd)
	return st
}

// close unmaps the rings and closes the socket; the kernel takes it out of
// every XSKMAP and stops using its frames.
func (s *xsk) close() {
	for _, m := range s.maps {
		unix.Munmap(m)
	}
	s.maps = nil
	if s.fd >= 0 {
		unix.Close(s.fd)
		s.fd = -1
	}
}
