package tap

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"dpk/eal"
	"dpk/ethdev"
	"dpk/internal/testutil"
	"dpk/mbuf"
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

func TestVnetHdr(t *testing.T) {
	h := vnetHdr{flags: 1, gsoType: 4, hdrLen: 74, gsoSize: 1428, csumStart: 54, csumOffset: 16}
	var b [vnetHdrLen]byte
	h.encode(b[:])
	if decodeVnet(b[:]) != h {
		t.Errorf("round trip %+v -> %x -> %+v", h, b, decodeVnet(b[:]))
	}
}

// tcpFrame builds an Ethernet/IPv4/TCP frame with payload n bytes long;
// the TCP checksum field holds the pseudo-header sum (a partial checksum).
func tcpFrame(n int) []byte {
	b := make([]byte, 14+20+20+n)
	binary.BigEndian.PutUint16(b[12:], etherTypeIPv4)
	ip := b[14:34]
	ip[0], ip[8], ip[9] = 0x45, 64, protoTCP
	binary.BigEndian.PutUint16(ip[2:], uint16(40+n))
	copy(ip[12:], []byte{10, 0, 0, 1, 10, 0, 0, 2})
	binary.BigEndian.PutUint16(ip[10:], checksum.IPv4Header(ip))
	tcp := b[34:]
	tcp[12] = 5 << 4
	for i := 20; i < len(tcp); i++ {
		tcp[i] = byte(i * 7)
	}
	binary.BigEndian.PutUint16(tcp[16:], checksum.Fold(checksum.PseudoHeaderIPv4([4]byte(ip[12:16]), [4]byte(ip[16:20]), protoTCP, uint16(len(tcp)))))
	return b
}

func TestClassifyRx(t *testing.T) {
	f := tcpFrame(3000)
	gso := vnetHdr{flags: unix.VIRTIO_NET_HDR_F_NEEDS_CSUM, gsoType: unix.VIRTIO_NET_HDR_GSO_TCPV4, hdrLen: 54, gsoSize: 1448, csumStart: 34, csumOffset: 16}
	csum := vnetHdr{flags: unix.VIRTIO_NET_HDR_F_NEEDS_CSUM, csumStart: 34, csumOffset: 16}
	for _, c := range []struct {
		name  string
		h     vnetHdr
		first int
		lro   bool
		want  rxAction
	}{
		{"plain", vnetHdr{}, len(f), false, rxPlain},
		{"valid", vnetHdr{flags: unix.VIRTIO_NET_HDR_F_DATA_VALID}, len(f), false, rxValid},
		{"partial", csum, len(f), false, rxCsum},
		{"partial field outside first segment", csum, 40, false, rxBad},
		{"partial field past the end", vnetHdr{flags: unix.VIRTIO_NET_HDR_F_NEEDS_CSUM, csumStart: 3040, csumOffset: 16}, len(f), false, rxBad},
		{"gso without lro", gso, len(f), false, rxBad},
		{"gso with lro", gso, len(f), true, rxLRO},
		{"gso headers cut", gso, 40, true, rxBad},
		{"gso udp", vnetHdr{flags: 1, gsoType: unix.VIRTIO_NET_HDR_GSO_UDP_L4, gsoSize: 1000, csumStart: 34, csumOffset: 6}, len(f), true, rxBad},
		{"gso v6 on a v4 frame", vnetHdr{flags: 1, gsoType: unix.VIRTIO_NET_HDR_GSO_TCPV6, gsoSize: 1000, csumStart: 34, csumOffset: 16}, len(f), true, rxBad},
		{"gso without needs_csum", vnetHdr{gsoType: unix.VIRTIO_NET_HDR_GSO_TCPV4, gsoSize: 1000, csumStart: 34, csumOffset: 16}, len(f), true, rxBad},
	} {
		got, g := classifyRx(c.h, f[:c.first], len(f), c.lro)
		if got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
		if got == rxLRO && (g.l2 != 14 || g.l3 != 20 || g.l4 != 20 || g.mss != 1448 || g.ipv6) {
			t.Errorf("%s: headers %+v", c.name, g)
		}
	}
}

// TestCompleteCsum completes partial checksums of frames in chains cut at
// odd and even places and checks them against a checksum of the whole.
func TestCompleteCsum(t *testing.T) {
	testutil.InitEAL(t, "--in-memory")
	mp := newPool(t, "tap_csum", 1023)
	for _, cuts := range [][]int{nil, {100}, {53}, {52, 7}, {101, 999}, {55, 1}, {700, 701}} {
		f := tcpFrame(1500)
		want := checksum.UDPTCPIPv4(f[14:34], func() []byte { c := append([]byte(nil), f[34:]...); c[16], c[17] = 0, 0; return c }())
		var segs []*mbuf.Mbuf
		rest := f
		for _, n := range append(cuts, len(f)) {
			n = min(n, len(rest))
			m, err := mbuf.Alloc(mp, eal.LcoreIDAny)
			if err != nil {
				t.Fatal(err)
			}
			m.SetLen(uint16(n))
			copy(m.Data(), rest[:n])
			rest = rest[n:]
			segs = append(segs, m)
		}
		for i := len(segs) - 2; i >= 0; i-- {
			if err := mbuf.Chain(segs[i], segs[i+1]); err != nil {
				t.Fatal(err)
			}
		}
		m := segs[0]
		if int(m.PktLen()) != len(f) {
			t.Fatalf("chain of %d bytes", m.PktLen())
		}
		completeCsum(m, 34, 16)
		if got := binary.BigEndian.Uint16(m.Data()[50:]); got != want {
			t.Errorf("cuts %v: checksum %#04x, want %#04x", cuts, got, want)
		}
		m.Free(eal.LcoreIDAny)
	}
	if mp.AvailCount() != mp.Size() {
		t.Errorf("%d of %d mbufs back", mp.AvailCount(), mp.Size())
	}
}

func TestTxOffload(t *testing.T) {
	testutil.InitEAL(t, "--in-memory")
	mp := newPool(t, "tap_txoff", 1023)
	f := tcpFrame(3000)
	m, err := mbuf.Alloc(mp, eal.LcoreIDAny)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Free(eal.LcoreIDAny)
	m.SetLen(uint16(len(f)))
	copy(m.Data(), f)
	d := m.Data()
	binary.BigEndian.PutUint16(d[14+10:], 0xdead) // wrong IP checksum: TX_IP_CKSUM fixes it

	var vh vnetHdr
	m.OlFlags = mbuf.FlagTxIPv4 | mbuf.FlagTxIPCksum | mbuf.FlagTxTCPSeg | mbuf.FlagTxTCPCksum
	m.SetTxOffload(14, 20, 20, 1448, 0, 0)
	if !txOffload(m, &vh, 0) {
		t.Fatal("TSO refused")
	}
	want := vnetHdr{flags: unix.VIRTIO_NET_HDR_F_NEEDS_CSUM, gsoType: unix.VIRTIO_NET_HDR_GSO_TCPV4, hdrLen: 54, gsoSize: 1448, csumStart: 34, csumOffset: 16}
	if vh != want {
		t.Errorf("TSO: %+v, want %+v", vh, want)
	}
	if !checksum.VerifyIPv4Header(d[14:34]) {
		t.Error("IP header checksum not computed")
	}

	vh = vnetHdr{}
	m.OlFlags = mbuf.FlagTxIPv4 | mbuf.FlagTxUDPCksum
	if !txOffload(m, &vh, 4) || vh.csumStart != 38 || vh.csumOffset != 6 || vh.gsoType != 0 || vh.flags != unix.VIRTIO_NET_HDR_F_NEEDS_CSUM {
		t.Errorf("UDP checksum behind a VLAN tag: %+v", vh)
	}
	for _, c := range []struct {
		name string
		fl   uint64
		l2   uint32
	}{
		{"sctp", mbuf.FlagTxIPv4 | mbuf.FlagTxSCTPCksum, 14},
		{"no lengths", mbuf.FlagTxIPv4 | mbuf.FlagTxTCPCksum, 0},
	} {
		m.OlFlags = c.fl
		m.SetTxOffload(c.l2, 20, 20, 0, 0, 0)
		if txOffload(m, &vh, 0) {
			t.Errorf("%s: accepted", c.name)
		}
	}
	m.OlFlags = 0
	vh = vnetHdr{}
	if !txOffload(m, &vh, 0) || vh != (vnetHdr{}) {
		t.Errorf("no offload: %+v", vh)
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
