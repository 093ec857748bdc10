package afpacket

import (
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// This file holds the driver's views of kernel memory: the TPACKET_V3 RX
// ring (tpacket_block_desc blocks of tpacket3_hdr frames) and the structures
// passed to sendmmsg and ioctl.

// rxRing is a TPACKET_V3 RX ring mapped from a packet socket: nblocks
// blocks of blockSize bytes. A block belongs to the kernel until its status
// has TP_STATUS_USER; the reader then owns every frame in it and gives the
// whole block back by storing TP_STATUS_KERNEL.
// The reader's position lives with the ring, so that it survives the
// queues that come and go on a port's sockets.
type rxRing struct {
	mem       []byte // the mapping
	blockSize uint32
	nblocks   uint32
	blk       uint32 // the block being read (or waited for)
	off       uint32 // offset of the next frame in the block
	left      uint32 // frames of the block not yet read; 0: block not opened
}

// blockHdr is the tpacket_block_desc of block i: version, offset_to_priv,
// then tpacket_hdr_v1.
func (r *rxRing) blockHdr(i uint32) *unix.TpacketHdrV1 {
	return (*unix.TpacketHdrV1)(unsafe.Pointer(&r.mem[uintptr(i)*uintptr(r.blockSize)+8]))
}

// blockReady reports whether block i is the user's (the load pairs with the
// kernel's release store of the status, after it wrote the frames).
func (r *rxRing) blockReady(i uint32) bool {
	return atomic.LoadUint32(&r.blockHdr(i).Block_status)&unix.TP_STATUS_USER != 0
}

// releaseBlock gives block i back to the kernel, after every read of it.
func (r *rxRing) releaseBlock(i uint32) {
	atomic.StoreUint32(&r.blockHdr(i).Block_status, unix.TP_STATUS_KERNEL)
}

// nextBlock gives the current block back and moves to the next.
func (r *rxRing) nextBlock() {
	r.releaseBlock(r.blk)
	r.left = 0
	if r.blk++; r.blk == r.nblocks {
		r.blk = 0
	}
}

// frame returns the tpacket3_hdr at byte offset off of block i. The caller
// got off from the block header or a previous frame's tp_next_offset and
// checked it lies inside the block.
func (r *rxRing) frame(i, off uint32) *unix.Tpacket3Hdr {
	return (*unix.Tpacket3Hdr)(unsafe.Pointer(&r.mem[uintptr(i)*uintptr(r.blockSize)+uintptr(off)]))
}

// frameBytes returns n bytes at offset off of block i, or nil if they do not
// lie inside the block (a damaged header must not make the driver read
// outside the ring).
func (r *rxRing) frameBytes(i, off, n uint32) []byte {
	if uint64(off)+uint64(n) > uint64(r.blockSize) {
		return nil
	}
	base := uintptr(i) * uintptr(r.blockSize)
	return r.mem[base+uintptr(off) : base+uintptr(off)+uintptr(n)]
}

// sendmmsg sends msgs with MSG_DONTWAIT and returns how many went, or the
// errno of the first that could not.
func sendmmsg(fd int, msgs []unix.Mmsghdr) (int, unix.Errno) {
	n, _, e := unix.Syscall6(unix.SYS_SENDMMSG, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(msgs))),
		uintptr(len(msgs)), unix.MSG_DONTWAIT, 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(n), 0
}

// setMsgIov points a message at iovs.
func setMsgIov(h *unix.Msghdr, iovs []unix.Iovec) {
	h.Iov = unsafe.SliceData(iovs)
	h.SetIovlen(len(iovs))
}

// ifreqHwaddr is struct ifreq with a hardware address (SIOCSIFHWADDR).
type ifreqHwaddr struct {
	name   [unix.IFNAMSIZ]byte
	family uint16
	data   [14]byte
	_      [8]byte
}

// setHwaddr sets an interface's MAC address with SIOCSIFHWADDR on fd.
func setHwaddr(fd int, name string, mac [6]byte) error {
	var r ifreqHwaddr
	copy(r.name[:unix.IFNAMSIZ-1], name)
	r.family = unix.ARPHRD_ETHER
	copy(r.data[:], mac[:])
	_, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.SIOCSIFHWADDR, uintptr(unsafe.Pointer(&r)))
	if e != 0 {
		return e
	}
	return nil
}
