package afpacket

import (
	"errors"
	"fmt"
	"net"
	"os"

	"dpk/drivers/net/internal/vnet"

	"golang.org/x/sys/unix"
)

// Errors of probe. Errors from the kernel are wrapped too, so that
// errors.Is(err, os.ErrPermission) holds for a missing CAP_NET_RAW.
var (
	// ErrNoInterface means the iface= interface does not exist in the
	// process's network namespace.
	ErrNoInterface = errors.New("interface missing")
)

const (
	// vnetHdrLen is sizeof(struct virtio_net_hdr), which PACKET_VNET_HDR
	// puts before every frame in both directions.
	vnetHdrLen = vnet.Size
	// tpFtReqFillRxhash asks the kernel to store the packet's flow hash in
	// tp_rxhash (TP_FT_REQ_FILL_RXHASH).
	tpFtReqFillRxhash = 1
	// blockTimeoutMS is the TPACKET_V3 block retire timeout: a block that
	// holds frames but is not full is handed over after this long (the
	// kernel rounds it up to a jiffy).
	blockTimeoutMS = 1
	// sndBuf is the send buffer of each socket: what the kernel may hold of
	// a queue's sent packets before sendmmsg answers EAGAIN.
	sndBuf = 4 << 20
)

func htons(v uint16) uint16 { return v<<8 | v>>8 }

// ifaceInfo is what probe learns about the interface.
type ifaceInfo struct {
	index int
	name  string
	mac   net.HardwareAddr
	mtu   int
	flags net.Flags
}

// lookupIface finds an interface by name with SIOCGIFINDEX (which says
// ENODEV clearly when it is missing) and reads its MAC address, MTU and
// flags.
func lookupIface(name string) (ifaceInfo, error) {
	if name == "" {
		return ifaceInfo{}, errors.New("iface= needs an interface name")
	}
	if len(name) >= unix.IFNAMSIZ {
		return ifaceInfo{}, fmt.Errorf("iface=%s: interface names have at most %d bytes", name, unix.IFNAMSIZ-1)
	}
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return ifaceInfo{}, fmt.Errorf("iface=%s: socket for ioctl: %w", name, err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return ifaceInfo{}, fmt.Errorf("iface=%s: %w", name, err)
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFINDEX, ifr); err != nil {
		if errors.Is(err, unix.ENODEV) {
			return ifaceInfo{}, fmt.Errorf("iface=%s: %w (no such network interface in this network namespace)", name, ErrNoInterface)
		}
		return ifaceInfo{}, fmt.Errorf("iface=%s: SIOCGIFINDEX: %w", name, err)
	}
	return ifaceByIndex(int(ifr.Uint32()), name)
}

// ifaceByIndex reads an interface's current name, MAC, MTU and flags.
func ifaceByIndex(index int, name string) (ifaceInfo, error) {
	ifc, err := net.InterfaceByIndex(index)
	if err != nil {
		return ifaceInfo{}, fmt.Errorf("iface=%s (index %d): %w: %v", name, index, ErrNoInterface, err)
	}
	return ifaceInfo{index: ifc.Index, name: ifc.Name, mac: ifc.HardwareAddr, mtu: ifc.MTU, flags: ifc.Flags}, nil
}

// up reports whether the interface is up and running (IFF_UP and IFF_RUNNING:
// carrier present).
func (i ifaceInfo) up() bool { return i.flags&net.FlagUp != 0 && i.flags&net.FlagRunning != 0 }

// sockError explains a failed socket operation in terms of the device.
func sockError(op string, err error) error {
	switch {
	case errors.Is(err, os.ErrPermission):
		return fmt.Errorf("%s: no permission (%w): AF_PACKET sockets need CAP_NET_RAW: run as root or grant the capability (setcap cap_net_raw,cap_net_admin+ep)", op, err)
	case errors.Is(err, unix.ENODEV), errors.Is(err, unix.ENXIO):
		return fmt.Errorf("%s: %w (%w)", op, ErrNoInterface, err)
	case errors.Is(err, unix.EAFNOSUPPORT):
		return fmt.Errorf("%s: %w: the kernel has no AF_PACKET support (CONFIG_PACKET)", op, err)
	case errors.Is(err, unix.ENOMEM):
		return fmt.Errorf("%s: %w: the kernel could not allocate the ring: lower framecnt/blocksz or qpairs", op, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// ringGeometry is the TPACKET_V3 RX ring of every queue.
type ringGeometry struct {
	blockSize, blockNr uint32
	frameSize, frameNr uint32
}

// packetSocket is one queue's AF_PACKET socket: SOCK_RAW, TPACKET_V3 RX
// ring, PACKET_VNET_HDR in both directions, bound to the interface.
type packetSocket struct {
	fd   int
	ring rxRing
}

// dropAll is a classic BPF program that accepts nothing: a stopped port's
// sockets keep it attached, so that they receive nothing.
var dropAll = []unix.SockFilter{{Code: unix.BPF_RET | unix.BPF_K, K: 0}}

// openSocket opens and sets up one queue's socket, bound to ifindex,
// receiving nothing until setReceive(true).
func openSocket(ifindex int, g ringGeometry, qdiscBypass bool) (s *packetSocket, err error) {
	// Protocol 0: the socket receives nothing until bind names ETH_P_ALL,
	// so it never sees other interfaces' traffic.
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		return nil, sockError("socket(AF_PACKET)", err)
	}
	s = &packetSocket{fd: fd}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	if err := s.setReceive(false); err != nil {
		return nil, err
	}
	set := func(name string, opt, v int) error {
		if err := unix.SetsockoptInt(fd, unix.SOL_PACKET, opt, v); err != nil {
			return sockError("setsockopt("+name+")", err)
		}
		return nil
	}
	if err := set("PACKET_VERSION", unix.PACKET_VERSION, unix.TPACKET_V3); err != nil {
		return nil, err
	}
	if err := set("PACKET_VNET_HDR", unix.PACKET_VNET_HDR, 1); err != nil {
		return nil, err
	}
	// What the port itself sends (on any of its queues) and what the
	// host's stack sends on the interface are not received.
	if err := set("PACKET_IGNORE_OUTGOING", unix.PACKET_IGNORE_OUTGOING, 1); err != nil {
		return nil, err
	}
	if qdiscBypass {
		if err := set("PACKET_QDISC_BYPASS", unix.PACKET_QDISC_BYPASS, 1); err != nil {
			return nil, err
		}
	}
	if unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUFFORCE, sndBuf) != nil {
		unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, sndBuf) // capped by wmem_max
	}
	req := unix.TpacketReq3{
		Block_size: g.blockSize, Block_nr: g.blockNr,
		Frame_size: g.frameSize, Frame_nr: g.frameNr,
		Retire_blk_tov:   blockTimeoutMS,
		Feature_req_word: tpFtReqFillRxhash,
	}
	if err := unix.SetsockoptTpacketReq3(fd, unix.SOL_PACKET, unix.PACKET_RX_RING, &req); err != nil {
		return nil, sockError(fmt.Sprintf("setsockopt(PACKET_RX_RING, %d blocks of %d bytes)", g.blockNr, g.blockSize), err)
	}
	size := int(g.blockSize) * int(g.blockNr)
	mem, err := unix.Mmap(fd, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE)
	if err != nil {
		return nil, sockError(fmt.Sprintf("mmap of the %d-byte RX ring", size), err)
	}
	s.ring = rxRing{mem: mem, blockSize: g.blockSize, nblocks: g.blockNr}
	sa := &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ALL), Ifindex: ifindex}
	if err := unix.Bind(fd, sa); err != nil {
		return nil, sockError("bind", err)
	}
	return s, nil
}

// close unmaps the ring and closes the socket.
func (s *packetSocket) close() {
	if s.ring.mem != nil {
		unix.Munmap(s.ring.mem)
		s.ring.mem = nil
	}
	if s.fd >= 0 {
		unix.Close(s.fd)
		s.fd = -1
	}
}

// setReceive lets the socket receive (on) or makes it drop everything
// before the ring (off), with a drop-all socket filter.
func (s *packetSocket) setReceive(on bool) error {
	if on {
		err := unix.SetsockoptInt(s.fd, unix.SOL_SOCKET, unix.SO_DETACH_FILTER, 0)
		if err != nil && !errors.Is(err, unix.ENOENT) {
			return sockError("setsockopt(SO_DETACH_FILTER)", err)
		}
		return nil
	}
	prog := unix.SockFprog{Len: uint16(len(dropAll)), Filter: &dropAll[0]}
	if err := unix.SetsockoptSockFprog(s.fd, unix.SOL_SOCKET, unix.SO_ATTACH_FILTER, &prog); err != nil {
		return sockError("setsockopt(SO_ATTACH_FILTER)", err)
	}
	return nil
}

// fanoutArg is the PACKET_FANOUT argument: a group id and the mode. The
// hash mode keeps a flow on one socket; the kernel's flow hash is symmetric,
// so both directions of a connection meet on the same queue. No rollover
// (DPDK sets it: a full queue then spills flows onto others, reordering
// them) and no defragmentation (DPDK sets it: the kernel then reassembles IP
// fragments into datagrams larger than the MTU, which cannot be sent on as
// they are). Fragments keep together anyway: the kernel hashes a fragment on
// its addresses and protocol only.
func fanoutArg(id uint16, flags uint16) int {
	return int(id) | int(unix.PACKET_FANOUT_HASH|flags)<<16
}

// joinFanout makes the socket a member of a fanout group. With id 0 it
// creates a group with a fresh id (PACKET_FANOUT_FLAG_UNIQUEID) and returns
// that id, for the other queues to join.
func (s *packetSocket) joinFanout(id uint16) (uint16, error) {
	if id == 0 {
		if err := unix.SetsockoptInt(s.fd, unix.SOL_PACKET, unix.PACKET_FANOUT, fanoutArg(0, unix.PACKET_FANOUT_FLAG_UNIQUEID)); err != nil {
			return 0, sockError("setsockopt(PACKET_FANOUT)", err)
		}
		v, err := unix.GetsockoptInt(s.fd, unix.SOL_PACKET, unix.PACKET_FANOUT)
		if err != nil {
			return 0, sockError("getsockopt(PACKET_FANOUT)", err)
		}
		return uint16(v), nil
	}
	if err := unix.SetsockoptInt(s.fd, unix.SOL_PACKET, unix.PACKET_FANOUT, fanoutArg(id, 0)); err != nil {
		return 0, sockError("setsockopt(PACKET_FANOUT)", err)
	}
	return id, nil
}

// kernelStats reads and clears the socket's counters (PACKET_STATISTICS):
// packets the ring had no room for, and how often the queue froze.
func (s *packetSocket) kernelStats() (drops, freezes uint64, err error) {
	st, err := unix.GetsockoptTpacketStatsV3(s.fd, unix.SOL_PACKET, unix.PACKET_STATISTICS)
	if err != nil {
		return 0, 0, err
	}
	return uint64(st.Drops), uint64(st.Freeze_q_cnt), nil
}

// membership adds or drops a packet membership (PACKET_MR_PROMISC,
// PACKET_MR_ALLMULTI) of the interface. The kernel counts memberships and
// drops them when the socket closes, so a crashed process leaves no
// interface promiscuous.
func (s *packetSocket) membership(ifindex int, typ uint16, on bool) error {
	opt, name := unix.PACKET_ADD_MEMBERSHIP, "PACKET_ADD_MEMBERSHIP"
	if !on {
		opt, name = unix.PACKET_DROP_MEMBERSHIP, "PACKET_DROP_MEMBERSHIP"
	}
	mr := unix.PacketMreq{Ifindex: int32(ifindex), Type: typ}
	if err := unix.SetsockoptPacketMreq(s.fd, unix.SOL_PACKET, opt, &mr); err != nil {
		return sockError("setsockopt("+name+")", err)
	}
	return nil
}
