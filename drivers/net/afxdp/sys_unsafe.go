package afxdp

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// System calls x/sys/unix has no typed wrapper for, and the kicks the
// packet path makes without allocating.

// setsockoptUmemReg registers a UMEM on an AF_XDP socket (XDP_UMEM_REG).
func setsockoptUmemReg(fd int, reg *unix.XDPUmemReg) error {
	return setsockopt(fd, unix.SOL_XDP, unix.XDP_UMEM_REG, unsafe.Pointer(reg), unsafe.Sizeof(*reg))
}

func setsockopt(fd, level, opt int, p unsafe.Pointer, l uintptr) error {
	_, _, e := unix.Syscall6(unix.SYS_SETSOCKOPT, uintptr(fd), uintptr(level), uintptr(opt), uintptr(p), l, 0)
	if e != 0 {
		return e
	}
	return nil
}

// getsockopt reads a socket option into p (at most l bytes) and returns
// the length the kernel wrote.
func getsockopt(fd, level, opt int, p unsafe.Pointer, l uintptr) (uintptr, error) {
	n := uint32(l)
	_, _, e := unix.Syscall6(unix.SYS_GETSOCKOPT, uintptr(fd), uintptr(level), uintptr(opt), uintptr(p), uintptr(unsafe.Pointer(&n)), 0)
	if e != 0 {
		return 0, e
	}
	return uintptr(n), nil
}

// mmapOffsets reads the rings' layout (XDP_MMAP_OFFSETS).
func mmapOffsets(fd int) (unix.XDPMmapOffsets, error) {
	var off unix.XDPMmapOffsets
	n, err := getsockopt(fd, unix.SOL_XDP, unix.XDP_MMAP_OFFSETS, unsafe.Pointer(&off), unsafe.Sizeof(off))
	if err == nil && n != unsafe.Sizeof(off) {
		// A kernel before 5.4 gives the layout without the flags words:
		// need_wakeup, which dpk relies on, came with them.
		return off, unix.EOPNOTSUPP
	}
	return off, err
}

// xdpStatistics reads a socket's counters (XDP_STATISTICS). Kernels before
// 5.9 fill only the first three.
func xdpStatistics(fd int) (unix.XDPStatistics, error) {
	var st unix.XDPStatistics
	_, err := getsockopt(fd, unix.SOL_XDP, unix.XDP_STATISTICS, unsafe.Pointer(&st), unsafe.Sizeof(st))
	return st, err
}

// xdpOptions reads XDP_OPTIONS (XDP_OPTIONS_ZEROCOPY).
func xdpOptions(fd int) (uint32, error) {
	var v uint32
	_, err := getsockopt(fd, unix.SOL_XDP, unix.XDP_OPTIONS, unsafe.Pointer(&v), unsafe.Sizeof(v))
	return v, err
}

// kickTx asks the kernel to send what the TX ring holds:
// sendto(fd, NULL, 0, MSG_DONTWAIT). It returns the errno, 0 on success.
func kickTx(fd int) unix.Errno {
	_, _, e := unix.Syscall6(unix.SYS_SENDTO, uintptr(fd), 0, 0, unix.MSG_DONTWAIT, 0, 0)
	return e
}

// kickRx asks the kernel to fill the RX ring, busy polling the device's
// NAPI context when the socket prefers busy polling:
// recvfrom(fd, NULL, 0, MSG_DONTWAIT).
func kickRx(fd int) unix.Errno {
	_, _, e := unix.Syscall6(unix.SYS_RECVFROM, uintptr(fd), 0, 0, unix.MSG_DONTWAIT, 0, 0)
	return e
}
