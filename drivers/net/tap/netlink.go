package tap

import (
	"encoding/binary"
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// linkStats are the counters of struct rtnl_link_stats64 the driver uses.
type linkStats struct {
	rxPackets, txPackets, rxBytes, txBytes   uint64
	rxErrors, txErrors, rxDropped, txDropped uint64
}

// linkInfo is what an RTM_NEWLINK message says about an interface.
type linkInfo struct {
	index    int32
	flags    uint32
	mtu      uint32
	name     string
	stats    linkStats
	hasStats bool
}

const (
	nlmsgHdrLen  = unix.SizeofNlMsghdr // 16
	ifinfoLen    = unix.SizeofIfInfomsg
	rtaHdrLen    = unix.SizeofRtAttr
	stats64Len   = 8 * 8 // the eight counters linkStats reads
	maxReplySize = 1 << 16
)

func align4(n int) int { return (n + 3) &^ 3 }

// getLinkRequest builds an RTM_GETLINK request for the interface name.
func getLinkRequest(name string, seq uint32) []byte {
	attrLen := rtaHdrLen + len(name) + 1
	n := nlmsgHdrLen + ifinfoLen + align4(attrLen)
	b := make([]byte, n)
	ne := binary.NativeEndian
	ne.PutUint32(b[0:], uint32(n))
	ne.PutUint16(b[4:], unix.RTM_GETLINK)
	ne.PutUint16(b[6:], unix.NLM_F_REQUEST)
	ne.PutUint32(b[8:], seq)
	b[nlmsgHdrLen] = unix.AF_UNSPEC
	a := b[nlmsgHdrLen+ifinfoLen:]
	ne.PutUint16(a[0:], uint16(attrLen))
	ne.PutUint16(a[2:], unix.IFLA_IFNAME)
	copy(a[rtaHdrLen:], name)
	return b
}

// errNoLink means the kernel answered that the interface does not exist.
var errNoLink = errors.New("no such interface")

// parseLinkReply finds the answer to request seq in a datagram from
// rtnetlink: the link's RTM_NEWLINK message, or its error. done reports
// whether the datagram held it.
func parseLinkReply(b []byte, seq uint32) (li linkInfo, done bool, err error) {
	ne := binary.NativeEndian
	for len(b) >= nlmsgHdrLen {
		l := int(ne.Uint32(b[0:]))
		if l < nlmsgHdrLen || l > len(b) {
			return li, true, fmt.Errorf("rtnetlink: message of %d bytes in %d", l, len(b))
		}
		typ, mseq := ne.Uint16(b[4:]), ne.Uint32(b[8:])
		msg := b[nlmsgHdrLen:l]
		b = b[min(align4(l), len(b)):]
		if mseq != seq {
			continue
		}
		switch typ {
		case unix.NLMSG_ERROR:
			if len(msg) < 4 {
				return li, true, errors.New("rtnetlink: short error message")
			}
			if e := -int32(ne.Uint32(msg)); e != 0 {
				if unix.Errno(e) == unix.ENODEV {
					return li, true, errNoLink
				}
				return li, true, fmt.Errorf("rtnetlink: %w", unix.Errno(e))
			}
			continue
		case unix.RTM_NEWLINK:
			li, err := parseLink(msg)
			return li, true, err
		}
	}
	return li, false, nil
}

// parseLink decodes an RTM_NEWLINK payload: struct ifinfomsg, then
// attributes.
func parseLink(msg []byte) (linkInfo, error) {
	var li linkInfo
	ne := binary.NativeEndian
	if len(msg) < ifinfoLen {
		return li, fmt.Errorf("rtnetlink: link message of %d bytes", len(msg))
	}
	li.index = int32(ne.Uint32(msg[4:]))
	li.flags = ne.Uint32(msg[8:])
	a := msg[ifinfoLen:]
	for len(a) >= rtaHdrLen {
		al := int(ne.Uint16(a[0:]))
		if al < rtaHdrLen || al > len(a) {
			return li, fmt.Errorf("rtnetlink: attribute of %d bytes in %d", al, len(a))
		}
		typ, v := ne.Uint16(a[2:])&^unix.NLA_F_NESTED, a[rtaHdrLen:al]
		a = a[min(align4(al), len(a)):]
		switch typ {
		case unix.IFLA_IFNAME:
			for i, c := range v {
				if c == 0 {
					v = v[:i]
					break
				}
			}
			li.name = string(v)
		case unix.IFLA_MTU:
			if len(v) >= 4 {
				li.mtu = ne.Uint32(v)
			}
		case unix.IFLA_STATS64:
			if len(v) >= stats64Len {
				s := &li.stats
				for i, p := range []*uint64{&s.rxPackets, &s.txPackets, &s.rxBytes, &s.txBytes, &s.rxErrors, &s.txErrors, &s.rxDropped, &s.txDropped} {
					*p = ne.Uint64(v[8*i:])
				}
				li.hasStats = true
			}
		}
	}
	return li, nil
}

// link asks rtnetlink about the interface name in the sockets' namespace.
func (c *ctlSockets) link(name string) (linkInfo, error) {
	c.seq++
	seq := c.seq
	if err := unix.Sendto(c.nl, getLinkRequest(name, seq), 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return linkInfo{}, fmt.Errorf("rtnetlink: send: %w", err)
	}
	buf := make([]byte, maxReplySize)
	for tries := 0; tries < 16; tries++ {
		n, _, err := unix.Recvfrom(c.nl, buf, 0)
		if err != nil {
			return linkInfo{}, fmt.Errorf("rtnetlink: receive: %w", err)
		}
		li, done, err := parseLinkReply(buf[:n], seq)
		if done {
			return li, err
		}
	}
	return linkInfo{}, errors.New("rtnetlink: no answer")
}
