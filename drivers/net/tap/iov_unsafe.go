package tap

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// readv reads one frame from the tap queue fd into iovs. It returns the
// number of bytes the kernel reported: for a tun device the full length of
// the frame and its virtio_net_hdr, even when iovs were too short to hold
// it all (the rest is lost).
func readv(fd int, iovs []unix.Iovec) (int, unix.Errno) {
	n, _, e := unix.Syscall(unix.SYS_READV, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(iovs))), uintptr(len(iovs)))
	if e != 0 {
		return 0, e
	}
	return int(n), 0
}

// writev writes one frame, gathered from iovs, to the tap queue fd.
func writev(fd int, iovs []unix.Iovec) (int, unix.Errno) {
	n, _, e := unix.Syscall(unix.SYS_WRITEV, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(iovs))), uintptr(len(iovs)))
	if e != 0 {
		return 0, e
	}
	return int(n), 0
}
