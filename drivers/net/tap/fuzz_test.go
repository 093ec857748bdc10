package tap

import (
	"strings"
	"testing"

	"dpk/drivers/net/internal/vnet"
	"dpk/ethdev"
)

// FuzzDevargs feeds device argument strings (outside input: the command
// line) to the devargs parser: it must never panic, and what it accepts
// must be a usable configuration.
func FuzzDevargs(f *testing.F) {
	for _, s := range []string{
		"net_tap0", "net_tap0,iface=dtap0", "net_tap0,iface=t%d,mac=fixed,persist",
		"net_tap1,mac=02:64:74:61:70:11,persist=0", "net_tap0,iface=a/b", "net_tap0,remote=eth0",
		"net_tap0,iface=,mac=", "net_tap0,persist=yes,iface=[x,y]",
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
			if !strings.Contains(err.Error(), d.Name) {
				t.Errorf("%q: error %q does not name the device", s, err)
			}
			return
		}
		if validIfname(c.iface) != nil {
			t.Errorf("%q: accepted interface name %q", s, c.iface)
		}
		if c.macSet && !c.fixed && (c.mac.IsMulticast() || c.mac == (ethdev.EtherAddr{})) {
			t.Errorf("%q: accepted MAC %s", s, c.mac)
		}
	})
}

// FuzzClassifyRx feeds virtio_net_hdrs and frames (outside input: what the
// kernel, and so any local sender, hands the driver) to the RX decision:
// it must never panic, and whatever it lets through must be safe to act on.
func FuzzClassifyRx(f *testing.F) {
	fr := tcpFrame(200)
	f.Add([]byte{1, 1, 54, 0, 0xa8, 5, 34, 0, 16, 0}, fr, 60, true)
	f.Add([]byte{1, 0, 0, 0, 0, 0, 34, 0, 16, 0}, fr, len(fr), false)
	f.Add([]byte{2, 0, 0, 0, 0, 0, 0, 0, 0, 0}, fr[:14], 14, false)
	f.Add([]byte{1, 4, 74, 0, 0xa8, 5, 54, 0, 16, 0}, fr, len(fr), true)
	f.Add([]byte{0xff, 0x85, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, []byte{}, 0, true)
	f.Fuzz(func(t *testing.T, hdr, first []byte, pktLen int, lro bool) {
		if len(hdr) < vnet.Size {
			return
		}
		pktLen = max(pktLen, len(first))
		h := vnet.Decode((*[vnet.Size]byte)(hdr[:vnet.Size]))
		act, g := classifyRx(h, first, pktLen, lro)
		switch act {
		case rxCsum:
			if f := int(h.CsumStart) + int(h.CsumOffset); f+2 > len(first) {
				t.Errorf("checksum field at %d outside the first %d bytes", f, len(first))
			}
		case rxLRO:
			if !lro {
				t.Error("LRO frame on a port without LRO")
			}
			if g.L2+g.L3+g.L4 > len(first) || g.L2+g.L3+18 > len(first) || g.L3 < 20 || g.L4 < 20 || g.MSS == 0 || g.Proto != vnet.ProtoTCP {
				t.Errorf("LRO frame with headers %+v in %d bytes", g, len(first))
			}
			g.LROChecksum(first) // must stay inside first
		}
	})
}

// FuzzLinkReply feeds rtnetlink datagrams to the reply parser: it must
// never panic nor read past the datagram.
func FuzzLinkReply(f *testing.F) {
	f.Add(linkMsg(7, 9, 3, "dtap0", []uint64{1, 2, 3, 4, 5, 6, 7, 8}), uint32(7))
	f.Add(append(linkMsg(6, 1, 0, "x", nil), errMsg(7, 19)...), uint32(7))
	f.Add([]byte{16, 0, 0, 0, 16, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0}, uint32(7))
	f.Fuzz(func(t *testing.T, b []byte, seq uint32) {
		li, done, err := parseLinkReply(b, seq)
		if !done && err != nil {
			t.Errorf("error %v without done", err)
		}
		if len(li.name) > len(b) {
			t.Errorf("name of %d bytes from %d", len(li.name), len(b))
		}
	})
}
