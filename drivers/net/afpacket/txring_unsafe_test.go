package afpacket

import (
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// txRing is DPDK's TX path, for comparison: a TPACKET_V2 TX ring.
type txRing struct {
	fd        int
	mem       []byte
	frameSize uint32
	nframes   uint32
	cur       uint32
}

func newTxRing(ifindex int, frameSize, frameNr uint32) (*txRing, error) {
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	r := &txRing{fd: fd, frameSize: frameSize, nframes: frameNr}
	fail := func(err error) (*txRing, error) { r.close(); return nil, err }
	if err := unix.SetsockoptInt(fd, unix.SOL_PACKET, unix.PACKET_VERSION, unix.TPACKET_V2); err != nil {
		return fail(err)
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_PACKET, unix.PACKET_QDISC_BYPASS, 1); err != nil {
		return fail(err)
	}
	req := unix.TpacketReq{Block_size: 4096, Block_nr: frameNr * frameSize / 4096, Frame_size: frameSize, Frame_nr: frameNr}
	if err := unix.SetsockoptTpacketReq(fd, unix.SOL_PACKET, unix.PACKET_TX_RING, &req); err != nil {
		return fail(err)
	}
	if r.mem, err = unix.Mmap(fd, 0, int(frameSize*frameNr), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED); err != nil {
		return fail(err)
	}
	if err := unix.Bind(fd, &unix.SockaddrLinklayer{Ifindex: ifindex}); err != nil {
		return fail(err)
	}
	return r, nil
}

func (r *txRing) close() {
	if r.mem != nil {
		unix.Munmap(r.mem)
	}
	unix.Close(r.fd)
}

// send puts n copies of f in free frames and kicks the kernel, as DPDK's
// eth_af_packet_tx does (without its blocking poll).
func (r *txRing) send(f []byte, n int) int {
	const dataOff = 32 // TPACKET2_HDRLEN - sizeof(struct sockaddr_ll)
	sent := 0
	for ; sent < n; sent++ {
		fr := r.mem[r.cur*r.frameSize : (r.cur+1)*r.frameSize]
		h := (*unix.Tpacket2Hdr)(unsafe.Pointer(&fr[0]))
		if atomic.LoadUint32(&h.Status)&^(unix.TP_STATUS_TS_SOFTWARE|unix.TP_STATUS_TS_RAW_HARDWARE) != unix.TP_STATUS_AVAILABLE {
			break
		}
		copy(fr[dataOff:], f)
		h.Len, h.Snaplen = uint32(len(f)), uint32(len(f))
		atomic.StoreUint32(&h.Status, unix.TP_STATUS_SEND_REQUEST)
		if r.cur++; r.cur == r.nframes {
			r.cur = 0
		}
	}
	unix.Sendto(r.fd, nil, unix.MSG_DONTWAIT, nil)
	return sent
}
