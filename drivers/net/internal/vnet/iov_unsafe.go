package vnet

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// SetIov points iov at b, which must stay valid (and reachable) until the
// system call that uses iov returns.
func SetIov(iov *unix.Iovec, b []byte) {
	iov.Base = unsafe.SliceData(b)
	iov.SetLen(len(b))
}
