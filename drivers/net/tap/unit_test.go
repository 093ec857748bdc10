package tap

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"dpk/drivers/net/internal/vnet"
	"dpk/ethdev"
	"dpk/pkt/checksum"

	"golang.org/x/sys/unix"
)

func TestDevargs(t *testing.T) {
	for _, c := range []struct {
		args, err string
	}{
		{"net_tap0,iface=", "empty interface name"},
		{"net_tap0,iface=a,iface=b", "iface given 2 times"},
		{"net_tap0,iface=0123456789abcdef", "at most 15 bytes"},
		{"net_tap0,iface=a b", `may not hold ' '`},
		{"net_tap0,iface=..", `".." is not an interface name`},
		{"net_tap0,iface=t%d%d", "only one %d"},
		{"net_tap0,iface=t%s", "only one %d"},
		{"net_tap0,mac=02:00:00:00:00", `mac="02:00:00:00:00"`},
		{"net_tap0,mac=00:00:00:00:00:00", "not a unicast address"},
		{"net_tap0,mac=03:00:00:00:00:01", "not a unicast address"},
		{"net_tap0,persist=2", `persist="2" is not a boolean`},
		{"net_tap0,remote=eth0", "not supported"},
	} {
		d, err := ethdev.ParseDevargs(c.args)
		if err != nil {
			t.Fatal(err)
		}
		_, err = parseArgs(d)
		if err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), "net_tap0") {
			t.Errorf("%s: error %v, want %q and the device name", c.args, err, c.err)
		}
	}
	for _, c := range []struct {
		args string
		want config
	}{
		{"net_tap0", config{iface: "dtap%d"}},
		{"net_tap0,iface=tap7,persist", config{iface: "tap7", persist: true}},
		{"net_tap0,iface=tap7,persist=0", config{iface: "tap7"}},
		{"net_tap0,mac=FIXED", config{iface: "dtap%d", fixed: true, macSet: true}},
		{"net_tap0,mac=02:64:74:61:70:11", config{iface: "dtap%d", macSet: true, mac: ethdev.EtherAddr{2, 0x64, 0x74, 0x61, 0x70, 0x11}}},
	} {
		d, _ := ethdev.ParseDevargs(c.args)
		got, err := parseArgs(d)
		if err != nil || got != c.want {
			t.Errorf("%s: %+v, %v; want %+v", c.args, got, err, c.want)
		}
	}
	for i := 0; i < 8; i++ {
		if m := randomMAC(); m[0]&1 != 0 || m[0]&2 == 0 {
			t.Errorf("random MAC %s is not locally administered unicast", m)
		}
	}
}

// tcpFrame builds an Ethernet/IPv4/TCP frame with payload n bytes long;
// the TCP checksum field holds the pseudo-header sum (a partial checksum).
func tcpFrame(n int) []byte {
	b := make([]byte, 14+20+20+n)
	binary.BigEndian.PutUint16(b[12:], vnet.EtherTypeIPv4)
	ip := b[14:34]
	ip[0], ip[8], ip[9] = 0x45, 64, vnet.ProtoTCP
	binary.BigEndian.PutUint16(ip[2:], uint16(40+n))
	copy(ip[12:], []byte{10, 0, 0, 1, 10, 0, 0, 2})
	binary.BigEndian.PutUint16(ip[10:], checksum.IPv4Header(ip))
	tcp := b[34:]
	tcp[12] = 5 << 4
	for i := 20; i < len(tcp); i++ {
		tcp[i] = byte(i * 7)
	}
	binary.BigEndian.PutUint16(tcp[16:], checksum.Fold(checksum.PseudoHeaderIPv4([4]byte(ip[12:16]), [4]byte(ip[16:20]), vnet.ProtoTCP, uint16(len(tcp)))))
	return b
}

func TestClassifyRx(t *testing.T) {
	f := tcpFrame(3000)
	gso := vnet.Hdr{Flags: vnet.FlagNeedsCsum, GSOType: vnet.GSOTCPv4, HdrLen: 54, GSOSize: 1448, CsumStart: 34, CsumOffset: 16}
	csum := vnet.Hdr{Flags: vnet.FlagNeedsCsum, CsumStart: 34, CsumOffset: 16}
	for _, c := range []struct {
		name  string
		h     vnet.Hdr
		first int
		lro   bool
		want  rxAction
	}{
		{"plain", vnet.Hdr{}, len(f), false, rxPlain},
		{"valid", vnet.Hdr{Flags: vnet.FlagDataValid}, len(f), false, rxValid},
		{"partial", csum, len(f), false, rxCsum},
		{"partial field outside first segment", csum, 40, false, rxBad},
		{"partial field past the end", vnet.Hdr{Flags: vnet.FlagNeedsCsum, CsumStart: 3040, CsumOffset: 16}, len(f), false, rxBad},
		{"gso without lro", gso, len(f), false, rxBad},
		{"gso with lro", gso, len(f), true, rxLRO},
		{"gso headers cut", gso, 40, true, rxBad},
		{"gso udp", vnet.Hdr{Flags: 1, GSOType: vnet.GSOUDPL4, GSOSize: 1000, CsumStart: 34, CsumOffset: 6}, len(f), true, rxBad},
		{"gso v6 on a v4 frame", vnet.Hdr{Flags: 1, GSOType: vnet.GSOTCPv6, GSOSize: 1000, CsumStart: 34, CsumOffset: 16}, len(f), true, rxBad},
		{"gso without needs_csum", vnet.Hdr{GSOType: vnet.GSOTCPv4, GSOSize: 1000, CsumStart: 34, CsumOffset: 16}, len(f), true, rxBad},
	} {
		got, g := classifyRx(c.h, f[:c.first], len(f), c.lro)
		if got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
		if got == rxLRO && (g.L2 != 14 || g.L3 != 20 || g.L4 != 20 || g.MSS != 1448 || g.IPv6 || g.Proto != vnet.ProtoTCP) {
			t.Errorf("%s: headers %+v", c.name, g)
		}
	}
}

// linkMsg builds an RTM_NEWLINK reply for seq.
func linkMsg(seq uint32, index int32, flags uint32, name string, stats []uint64) []byte {
	ne := binary.NativeEndian
	attr := func(typ uint16, v []byte) []byte {
		a := make([]byte, align4(rtaHdrLen+len(v)))
		ne.PutUint16(a[0:], uint16(rtaHdrLen+len(v)))
		ne.PutUint16(a[2:], typ)
		copy(a[rtaHdrLen:], v)
		return a
	}
	body := make([]byte, ifinfoLen)
	ne.PutUint32(body[4:], uint32(index))
	ne.PutUint32(body[8:], flags)
	body = append(body, attr(unix.IFLA_IFNAME, append([]byte(name), 0))...)
	mtu := make([]byte, 4)
	ne.PutUint32(mtu, 1500)
	body = append(body, attr(unix.IFLA_MTU, mtu)...)
	if stats != nil {
		s := make([]byte, 8*len(stats))
		for i, v := range stats {
			ne.PutUint64(s[8*i:], v)
		}
		body = append(body, attr(unix.IFLA_STATS64, s)...)
	}
	h := make([]byte, nlmsgHdrLen)
	ne.PutUint32(h[0:], uint32(nlmsgHdrLen+len(body)))
	ne.PutUint16(h[4:], unix.RTM_NEWLINK)
	ne.PutUint32(h[8:], seq)
	return append(h, body...)
}

func errMsg(seq uint32, errno unix.Errno) []byte {
	ne := binary.NativeEndian
	b := make([]byte, nlmsgHdrLen+4+nlmsgHdrLen)
	ne.PutUint32(b[0:], uint32(len(b)))
	ne.PutUint16(b[4:], unix.NLMSG_ERROR)
	ne.PutUint32(b[8:], seq)
	ne.PutUint32(b[16:], uint32(-int32(errno)))
	return b
}

func TestParseLinkReply(t *testing.T) {
	stats := []uint64{1, 2, 3, 4, 5, 6, 7, 8, 99, 100}
	b := append(linkMsg(6, 3, unix.IFF_UP, "old", nil), linkMsg(7, 9, unix.IFF_UP|unix.IFF_RUNNING, "dtap0", stats)...)
	li, done, err := parseLinkReply(b, 7)
	want := linkInfo{index: 9, flags: unix.IFF_UP | unix.IFF_RUNNING, mtu: 1500, name: "dtap0", hasStats: true,
		stats: linkStats{rxPackets: 1, txPackets: 2, rxBytes: 3, txBytes: 4, rxErrors: 5, txErrors: 6, rxDropped: 7, txDropped: 8}}
	if !done || err != nil || li != want {
		t.Errorf("got %+v %v %v, want %+v", li, done, err, want)
	}
	if _, done, _ := parseLinkReply(b[:len(b)/2+3], 7); !done {
		// The second message is cut: its length runs past the datagram.
		t.Error("a cut message was not reported")
	}
	if _, done, err := parseLinkReply(linkMsg(6, 3, 0, "x", nil), 7); done || err != nil {
		t.Errorf("other sequence: done %v, %v", done, err)
	}
	if _, _, err := parseLinkReply(errMsg(7, unix.ENODEV), 7); !errors.Is(err, errNoLink) {
		t.Errorf("ENODEV: %v", err)
	}
	if _, _, err := parseLinkReply(errMsg(7, unix.EPERM), 7); !errors.Is(err, unix.EPERM) {
		t.Errorf("EPERM: %v", err)
	}
	if req := getLinkRequest("dtap0", 3); len(req)%4 != 0 || binary.NativeEndian.Uint32(req) != uint32(len(req)) {
		t.Errorf("request %x", req)
	}
}

func TestValidIfname(t *testing.T) {
	for _, ok := range []string{"dtap0", "dtap%d", "a-b_c.d", "x"} {
		if err := validIfname(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", ".", "..", "a/b", "a:b", "a b", "tab\t", "0123456789abcdef", "%d%d", "%x", "é"} {
		if validIfname(bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
