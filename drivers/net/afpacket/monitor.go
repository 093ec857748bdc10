package afpacket

import (
	"encoding/binary"
	"errors"
	"os"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// monitor watches the interface through rtnetlink link notifications
// (RTMGRP_LINK) and tells the port when its link goes up or down and when
// it is removed (deleted, or moved to another network namespace). It runs
// on a goroutine of its own, blocked in the Go poller, until close.
type monitor struct {
	f      *os.File
	closed atomic.Bool
}

func newMonitor(p *port) (*monitor, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, err
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: unix.RTMGRP_LINK}); err != nil {
		unix.Close(fd)
		return nil, err
	}
	m := &monitor{f: os.NewFile(uintptr(fd), "rtnetlink")}
	go m.run(p)
	return m, nil
}

// close stops the monitor. It does not wait: an event callback may be the
// caller.
func (m *monitor) close() {
	if m.closed.CompareAndSwap(false, true) {
		m.f.Close()
	}
}

func (m *monitor) run(p *port) {
	buf := make([]byte, 1<<16)
	for {
		n, err := m.f.Read(buf)
		if m.closed.Load() {
			return
		}
		if err != nil {
			if errors.Is(err, unix.ENOBUFS) {
				// Notifications were lost: ask the interface directly.
				ifc, err := ifaceByIndex(p.ifindex, p.ifname)
				p.linkEvent(err == nil && ifc.up(), err != nil)
				continue
			}
			return
		}
		msgs, err := syscall.ParseNetlinkMessage(buf[:n])
		if err != nil {
			continue
		}
		for _, msg := range msgs {
			up, removed, ok := linkMessage(msg.Header.Type, msg.Data, p.ifindex)
			if ok {
				p.linkEvent(up, removed)
			}
		}
	}
}

// linkMessage decodes an RTM_NEWLINK or RTM_DELLINK message (struct
// ifinfomsg: family, pad, type, index, flags, change) about interface
// index: whether it is up and running, or removed.
func linkMessage(typ uint16, data []byte, index int) (up, removed, ok bool) {
	if typ != unix.RTM_NEWLINK && typ != unix.RTM_DELLINK || len(data) < unix.SizeofIfInfomsg {
		return false, false, false
	}
	if int(int32(binary.NativeEndian.Uint32(data[4:]))) != index {
		return false, false, false
	}
	if typ == unix.RTM_DELLINK {
		return false, true, true
	}
	flags := binary.NativeEndian.Uint32(data[8:])
	return flags&unix.IFF_UP != 0 && flags&unix.IFF_RUNNING != 0, false, true
}
