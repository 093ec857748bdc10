package afxdp

import (
	"testing"

	"dpk/ethdev"
)

// FuzzParseArgs feeds devargs strings to the driver's parser: it never
// panics, and what it accepts is within the documented limits.
func FuzzParseArgs(f *testing.F) {
	for _, s := range []string{
		"net_af_xdp0,iface=eth0",
		"net_af_xdp0,iface=eth0,start_queue=2,queue_count=4,shared_umem=1,busy_budget=0,force_copy=1",
		"net_af_xdp0,iface=eth0,xdp_prog=/tmp/prog.o",
		"net_af_xdp0,iface=a,iface=b",
		"net_af_xdp0,iface=eth0,queue_count=0x10,busy_budget=65535",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ethdev.ParseDevargs(s)
		if err != nil {
			return
		}
		c, err := parseArgs(d)
		if err != nil {
			return
		}
		if c.iface == "" || len(c.iface) > 15 || c.queueCount < 1 || c.startQueue < 0 ||
			c.startQueue+c.queueCount > maxQueues || c.busyBudget < 0 || c.busyBudget > 65535 {
			t.Fatalf("%q accepted as %+v", s, c)
		}
	})
}

// FuzzParseNetlink feeds datagrams to the rtnetlink reply parser: it never
// panics nor reads outside the datagram.
func FuzzParseNetlink(f *testing.F) {
	f.Add(linkReply(1, xdpAttachedDrv, 7), uint32(1))
	f.Add(errMsg(1, -16, "busy"), uint32(1))
	f.Add(errMsg(2, 0, ""), uint32(2))
	f.Add(append(linkReply(5, 0, 0), errMsg(5, 0, "")...), uint32(5))
	f.Fuzz(func(t *testing.T, b []byte, seq uint32) {
		p, _, _ := parseNetlink(b, seq, 16) // RTM_NEWLINK
		for _, m := range p {
			parseLinkXDP(m)
		}
	})
}
