package main

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// mmsgBatch is a set of datagram buffers for sendmmsg and recvmmsg, built
// once: the calls that use it make no heap allocation.
type mmsgBatch struct {
	hdrs []unix.Mmsghdr
	iovs []unix.Iovec
	bufs [][]byte
}

// newMmsgBatch returns n buffers of size bytes each.
func newMmsgBatch(n, size int) *mmsgBatch {
	b := &mmsgBatch{hdrs: make([]unix.Mmsghdr, n), iovs: make([]unix.Iovec, n), bufs: make([][]byte, n)}
	mem := make([]byte, n*size)
	for i := range b.hdrs {
		b.bufs[i] = mem[i*size : (i+1)*size : (i+1)*size]
		b.iovs[i].Base = &b.bufs[i][0]
		b.iovs[i].SetLen(size)
		b.hdrs[i].Hdr.Iov = &b.iovs[i]
		b.hdrs[i].Hdr.SetIovlen(1)
	}
	return b
}

// sendmmsg sends the first n buffers as n datagrams on a connected socket
// and returns how many left.
func sendmmsg(fd int, b *mmsgBatch, n int) (int, error) {
	if n <= 0 {
		return 0, nil
	}
	if n > len(b.hdrs) {
		n = len(b.hdrs)
	}
	r, _, e := unix.Syscall6(unix.SYS_SENDMMSG, uintptr(fd), uintptr(unsafe.Pointer(&b.hdrs[0])), uintptr(n), 0, 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}

// recvmmsg receives up to len(b.bufs) datagrams; msgLen(i) is the length
// of the i-th.
func recvmmsg(fd int, b *mmsgBatch, flags int) (int, error) {
	r, _, e := unix.Syscall6(unix.SYS_RECVMMSG, uintptr(fd), uintptr(unsafe.Pointer(&b.hdrs[0])), uintptr(len(b.hdrs)), uintptr(flags), 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}

// msgLen returns the length of the i-th datagram recvmmsg received.
func (b *mmsgBatch) msgLen(i int) int { return int(b.hdrs[i].Len) }
