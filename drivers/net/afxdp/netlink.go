package afxdp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// This file attaches, replaces, detaches and queries an interface's XDP
// program through rtnetlink (RTM_SETLINK and RTM_GETLINK with IFLA_XDP), as
// libbpf's bpf_xdp_attach and bpf_xdp_query do. A program attached this way
// stays on the interface after the process ends, which is why Start looks
// for a stale one first.

// XDP attach modes reported in IFLA_XDP_ATTACHED (XDP_ATTACHED_*).
const (
	xdpAttachedNone  = 0
	xdpAttachedDrv   = 1
	xdpAttachedSkb   = 2
	xdpAttachedHw    = 3
	xdpAttachedMulti = 4
)

const (
	nlaTypeMask       = 0x3fff // NLA_TYPE_MASK: without NLA_F_NESTED and NLA_F_NET_BYTEORDER
	nlaFNested        = 0x8000
	nlmsgerrAttrMsg   = 1 // NLMSGERR_ATTR_MSG: the extended ack's text
	nlmFAckTLVs       = 0x200
	nlmFCapped        = 0x100
	netlinkTimeout    = 5 * time.Second
	maxNetlinkReplies = 64
)

// xdpState is what RTM_GETLINK tells of an interface's XDP programs.
type xdpState struct {
	attached uint8  // xdpAttached*
	progID   uint32 // the program when only one is attached
	drvID    uint32 // per mode (IFLA_XDP_DRV_PROG_ID, ...), 0 if none
	skbID    uint32
	hwID     uint32
}

// id returns the id of the program attached in mode (an XDP_FLAGS_*_MODE).
func (s xdpState) id(mode uint32) uint32 {
	switch {
	case mode&unix.XDP_FLAGS_DRV_MODE != 0:
		if s.drvID == 0 && s.attached == xdpAttachedDrv {
			return s.progID
		}
		return s.drvID
	case mode&unix.XDP_FLAGS_SKB_MODE != 0:
		if s.skbID == 0 && s.attached == xdpAttachedSkb {
			return s.progID
		}
		return s.skbID
	case mode&unix.XDP_FLAGS_HW_MODE != 0:
		if s.hwID == 0 && s.attached == xdpAttachedHw {
			return s.progID
		}
		return s.hwID
	}
	return 0
}

// modeName names an XDP_FLAGS_*_MODE for logs.
func modeName(mode uint32) string {
	switch {
	case mode&unix.XDP_FLAGS_DRV_MODE != 0:
		return "native"
	case mode&unix.XDP_FLAGS_SKB_MODE != 0:
		return "generic"
	case mode&unix.XDP_FLAGS_HW_MODE != 0:
		return "offloaded"
	}
	return "default"
}

var nlSeq atomic.Uint32

// rtnetlink sends one request and reads replies until the kernel's ack
// (or, for a dump or get, the reply); it returns the payloads of the
// replies of type want.
func rtnetlink(typ uint16, flags uint16, body []byte, want uint16) ([][]byte, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("netlink socket: %w", err)
	}
	defer unix.Close(fd)
	unix.SetsockoptInt(fd, unix.SOL_NETLINK, unix.NETLINK_EXT_ACK, 1) // best effort: error texts
	tv := unix.NsecToTimeval(netlinkTimeout.Nanoseconds())
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		return nil, fmt.Errorf("netlink: SO_RCVTIMEO: %w", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return nil, fmt.Errorf("netlink bind: %w", err)
	}
	seq := nlSeq.Add(1)
	msg := make([]byte, unix.NLMSG_HDRLEN+len(body))
	binary.NativeEndian.PutUint32(msg[0:], uint32(len(msg)))
	binary.NativeEndian.PutUint16(msg[4:], typ)
	binary.NativeEndian.PutUint16(msg[6:], flags|unix.NLM_F_REQUEST|unix.NLM_F_ACK)
	binary.NativeEndian.PutUint32(msg[8:], seq)
	copy(msg[unix.NLMSG_HDRLEN:], body)
	if err := unix.Sendto(fd, msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return nil, fmt.Errorf("netlink send: %w", err)
	}
	buf := make([]byte, 1<<16)
	var out [][]byte
	for range maxNetlinkReplies {
		n, _, err := unix.Recvfrom(fd, buf, 0)
		if err != nil {
			if errors.Is(err, unix.EAGAIN) {
				return nil, fmt.Errorf("netlink: no answer from the kernel in %v", netlinkTimeout)
			}
			return nil, fmt.Errorf("netlink receive: %w", err)
		}
		payloads, done, err := parseNetlink(buf[:n], seq, want)
		for _, p := range payloads {
			out = append(out, append([]byte(nil), p...))
		}
		if err != nil || done {
			return out, err
		}
	}
	return out, errors.New("netlink: too many replies without an ack")
}

// netlinkError is an error the kernel acked a request with, and its
// extended ack text when it gave one.
type netlinkError struct {
	errno unix.Errno
	msg   string
}

func (e *netlinkError) Error() string {
	if e.msg != "" {
		return fmt.Sprintf("%v (kernel: %s)", e.errno, e.msg)
	}
	return e.errno.Error()
}

func (e *netlinkError) Unwrap() error { return e.errno }

// parseNetlink parses one datagram of netlink messages answering request
// seq. It returns the payloads of messages of type want, whether the
// request is answered (an ack or error, or NLMSG_DONE), and the kernel's
// error if it refused the request. Messages of other requests are skipped;
// a malformed datagram is an error.
func parseNetlink(b []byte, seq uint32, want uint16) (payloads [][]byte, done bool, err error) {
	for len(b) > 0 {
		if len(b) < unix.NLMSG_HDRLEN {
			return payloads, true, fmt.Errorf("netlink: %d-byte message shorter than its header", len(b))
		}
		l := binary.NativeEndian.Uint32(b[0:])
		typ := binary.NativeEndian.Uint16(b[4:])
		flags := binary.NativeEndian.Uint16(b[6:])
		mseq := binary.NativeEndian.Uint32(b[8:])
		if l < unix.NLMSG_HDRLEN || uint64(l) > uint64(len(b)) {
			return payloads, true, fmt.Errorf("netlink: message length %d outside 16..%d", l, len(b))
		}
		body := b[unix.NLMSG_HDRLEN:l]
		next := (uint64(l) + unix.NLMSG_ALIGNTO - 1) &^ (unix.NLMSG_ALIGNTO - 1)
		if next > uint64(len(b)) {
			next = uint64(len(b))
		}
		b = b[next:]
		if mseq != seq {
			continue
		}
		switch typ {
		case unix.NLMSG_DONE:
			return payloads, true, nil
		case unix.NLMSG_ERROR:
			if len(body) < 4 {
				return payloads, true, errors.New("netlink: truncated error message")
			}
			code := int32(binary.NativeEndian.Uint32(body))
			if code == 0 {
				return payloads, true, nil
			}
			e := &netlinkError{errno: unix.Errno(-code)}
			if code > 0 {
				e.errno = unix.Errno(code)
			}
			if flags&nlmFAckTLVs != 0 {
				// struct nlmsgerr: error, then the request's header, and its
				// payload too unless NLM_F_CAPPED; then the TLVs.
				off := 4 + unix.NLMSG_HDRLEN
				if flags&nlmFCapped == 0 && len(body) >= 4+unix.NLMSG_HDRLEN {
					off = 4 + int(binary.NativeEndian.Uint32(body[4:]))
				}
				if off >= 4 && off <= len(body) {
					forAttrs(body[off:], func(t uint16, v []byte) {
						if t == nlmsgerrAttrMsg {
							e.msg = strings.TrimRight(string(v), "\x00\n")
						}
					})
				}
			}
			return payloads, true, e
		case want:
			payloads = append(payloads, body)
			if flags&unix.NLM_F_MULTI == 0 {
				// A single reply; its ack follows, but the answer is here.
				return payloads, true, nil
			}
		}
	}
	return payloads, false, nil
}

// forAttrs calls fn for each netlink attribute in b (struct nlattr: length,
// type, value, padded to 4 bytes), with the type's flag bits removed. It
// stops at the first malformed attribute.
func forAttrs(b []byte, fn func(typ uint16, val []byte)) {
	for len(b) >= unix.SizeofNlAttr {
		l := int(binary.NativeEndian.Uint16(b[0:]))
		t := binary.NativeEndian.Uint16(b[2:]) & nlaTypeMask
		if l < unix.SizeofNlAttr || l > len(b) {
			return
		}
		fn(t, b[unix.SizeofNlAttr:l])
		next := (l + unix.NLA_ALIGNTO - 1) &^ (unix.NLA_ALIGNTO - 1)
		if next > len(b) {
			return
		}
		b = b[next:]
	}
}

// parseLinkXDP reads the IFLA_XDP attribute of an RTM_NEWLINK payload
// (struct ifinfomsg, then attributes).
func parseLinkXDP(p []byte) (xdpState, error) {
	var s xdpState
	if len(p) < unix.SizeofIfInfomsg {
		return s, fmt.Errorf("netlink: RTM_NEWLINK payload of %d bytes, shorter than ifinfomsg", len(p))
	}
	forAttrs(p[unix.SizeofIfInfomsg:], func(t uint16, v []byte) {
		if t != unix.IFLA_XDP {
			return
		}
		forAttrs(v, func(t uint16, v []byte) {
			switch {
			case t == unix.IFLA_XDP_ATTACHED && len(v) >= 1:
				s.attached = v[0]
			case len(v) < 4:
			case t == unix.IFLA_XDP_PROG_ID:
				s.progID = binary.NativeEndian.Uint32(v)
			case t == unix.IFLA_XDP_DRV_PROG_ID:
				s.drvID = binary.NativeEndian.Uint32(v)
			case t == unix.IFLA_XDP_SKB_PROG_ID:
				s.skbID = binary.NativeEndian.Uint32(v)
			case t == unix.IFLA_XDP_HW_PROG_ID:
				s.hwID = binary.NativeEndian.Uint32(v)
			}
		})
	})
	return s, nil
}

// ifinfomsg returns a struct ifinfomsg for interface index.
func ifinfomsg(index int) []byte {
	b := make([]byte, unix.SizeofIfInfomsg)
	b[0] = unix.AF_UNSPEC
	binary.NativeEndian.PutUint32(b[4:], uint32(int32(index)))
	return b
}

// appendAttr appends a netlink attribute.
func appendAttr(b []byte, typ uint16, val []byte) []byte {
	l := unix.SizeofNlAttr + len(val)
	b = binary.NativeEndian.AppendUint16(b, uint16(l))
	b = binary.NativeEndian.AppendUint16(b, typ)
	b = append(b, val...)
	for len(b)%unix.NLA_ALIGNTO != 0 {
		b = append(b, 0)
	}
	return b
}

func u32(v uint32) []byte { return binary.NativeEndian.AppendUint32(nil, v) }

// xdpQuery returns the XDP programs attached to interface index.
func xdpQuery(index int) (xdpState, error) {
	p, err := rtnetlink(unix.RTM_GETLINK, 0, ifinfomsg(index), unix.RTM_NEWLINK)
	if err != nil {
		return xdpState{}, fmt.Errorf("RTM_GETLINK of interface %d: %w", index, err)
	}
	if len(p) == 0 {
		return xdpState{}, fmt.Errorf("RTM_GETLINK of interface %d: no reply", index)
	}
	return parseLinkXDP(p[0])
}

// xdpSet attaches program fd (-1: detaches) to interface index with
// flags (XDP_FLAGS_*); with XDP_FLAGS_REPLACE, only if the program
// attached now is expected.
func xdpSet(index, fd int, flags uint32, expected int) error {
	var nest []byte
	nest = appendAttr(nest, unix.IFLA_XDP_FD, u32(uint32(int32(fd))))
	nest = appendAttr(nest, unix.IFLA_XDP_FLAGS, u32(flags))
	if flags&unix.XDP_FLAGS_REPLACE != 0 {
		nest = appendAttr(nest, unix.IFLA_XDP_EXPECTED_FD, u32(uint32(int32(expected))))
	}
	body := appendAttr(ifinfomsg(index), unix.IFLA_XDP|nlaFNested, nest)
	_, err := rtnetlink(unix.RTM_SETLINK, 0, body, 0xffff)
	return err
}
