package pkt_test

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"dpk/eal"
	"dpk/internal/testutil"
	"dpk/mbuf"
	"dpk/pkt"
	"dpk/pkt/checksum"
)

func TestEncodePackets(t *testing.T) {
	payload := []byte("0123456789abcdefghij")
	tests := []struct {
		name string
		tcp  bool
		spec pkt.PacketSpec
		want []string
	}{
		{"udp4", false, pkt.PacketSpec{SrcMAC: mac1, DstMAC: mac2, Src: v4a, Dst: v4b, SrcPort: 1024, DstPort: 9, Payload: payload, ID: 7, DF: true},
			[]string{"eth 02:00:00:00:00:01>02:00:00:00:00:02 0x0800", "ipv4 192.0.2.1>198.51.100.7 proto=17 ttl=64 id=7 ihl=5 tot=48 ", "df=true", "udp 1024>9 len=28 cksum=true"}},
		{"udp4 padded", false, pkt.PacketSpec{Src: v4a, Dst: v4b, SrcPort: 1, DstPort: 2, PayloadLen: 1000, TTL: 5, TOS: 0x10},
			[]string{"ttl=5", "tot=1028", "dscp=4", "udp 1>2 len=1008 cksum=true"}},
		{"udp6 vlan", false, pkt.PacketSpec{HasVLAN: true, VLANTCI: pkt.MakeTCI(5, false, 300), Src: v6a, Dst: v6b, SrcPort: 5, DstPort: 6, Payload: payload, FlowLabel: 0x12345},
			[]string{"0x8100 l2=18", "vlan pcp=5 dei=false vid=300 type=0x86dd", "ipv6 2001:db8::1>2001:db8:ffff::2 nh=17 hlim=64 tc=0 fl=0x12345 plen=28", "udp 5>6 len=28 cksum=true"}},
		{"tcp4", true, pkt.PacketSpec{Src: v4a, Dst: v4b, SrcPort: 80, DstPort: 8080, TCPFlags: pkt.TCPFlagSYN | pkt.TCPFlagACK, Seq: 1, Ack: 2, Payload: payload},
			[]string{"tcp 80>8080 seq=1 ack=2 flags=SYN|ACK win=65535 hl=20", "data=20 cksum=true"}},
		{"tcp6", true, pkt.PacketSpec{Src: v6a, Dst: v6b, SrcPort: 80, DstPort: 8080, TCPFlags: pkt.TCPFlagRST, Window: 100, PayloadLen: 3},
			[]string{"nh=6", "tcp 80>8080 seq=0 ack=0 flags=RST win=100", "data=3 cksum=true"}},
	}
	b := make([]byte, 2048)
	for _, tt := range tests {
		for i := range b {
			b[i] = 0xee
		}
		var n int
		var err error
		if tt.tcp {
			n, err = pkt.EncodeTCP(b, &tt.spec)
		} else {
			n, err = pkt.EncodeUDP(b, &tt.spec)
		}
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		proto := pkt.IPProtoUDP
		if tt.tcp {
			proto = pkt.IPProtoTCP
		}
		if fl, _ := tt.spec.FrameLen(proto); fl != n {
			t.Errorf("%s: FrameLen %d, wrote %d", tt.name, fl, n)
		}
		d := dissect(b[:n])
		s := d.String()
		for _, w := range tt.want {
			if !strings.Contains(s, w) {
				t.Errorf("%s: missing %q in\n%s", tt.name, w, s)
			}
		}
		if d.err != nil || d.l4ok != 1 || (tt.spec.Src.Is4() && d.ipok != 1) {
			t.Errorf("%s: err %v l4 %d ip %d\n%s", tt.name, d.err, d.l4ok, d.ipok, s)
		}
		if b[n] != 0xee {
			t.Errorf("%s: wrote past the frame", tt.name)
		}
	}

	// Checksum offload form.
	spec := pkt.PacketSpec{Src: v4a, Dst: v4b, SrcPort: 1, DstPort: 2, Payload: payload, ChecksumOffload: true}
	n, _ := pkt.EncodeUDP(b, &spec)
	ip, _ := pkt.ParseIPv4(b[14:n])
	u, _ := pkt.ParseUDP(ip.Payload())
	if ip.Checksum() != 0 || u.Checksum() != checksum.Fold(ip.PseudoHeaderSum(u.Length())) {
		t.Errorf("offload form: ip %#x udp %#x", ip.Checksum(), u.Checksum())
	}

	for _, bad := range []struct {
		spec pkt.PacketSpec
		n    int
		err  error
	}{
		{pkt.PacketSpec{Src: v4a, Dst: v6a}, 100, pkt.ErrMalformed},
		{pkt.PacketSpec{Src: netip.Addr{}, Dst: v4a}, 100, pkt.ErrMalformed},
		{pkt.PacketSpec{Src: netip.MustParseAddr("::ffff:1.2.3.4"), Dst: v6a}, 100, pkt.ErrMalformed},
		{pkt.PacketSpec{Src: v4a, Dst: v4b}, 41, pkt.ErrNoRoom},
		{pkt.PacketSpec{Src: v4a, Dst: v4b, PayloadLen: 65508}, 70000, pkt.ErrNoRoom},
	} {
		if _, err := pkt.EncodeUDP(make([]byte, bad.n), &bad.spec); !errors.Is(err, bad.err) {
			t.Errorf("%+v in %d bytes: %v, want %v", bad.spec, bad.n, err, bad.err)
		}
	}
	if n, err := pkt.EncodeUDP(make([]byte, 42), &pkt.PacketSpec{Src: v4a, Dst: v4b}); n != 42 || err != nil {
		t.Errorf("minimal frame: %d %v", n, err)
	}
}

func TestBuildMbuf(t *testing.T) {
	testutil.InitEAL(t, "--in-memory")
	mp, err := mbuf.PoolCreate("pkt_build", 63, 0, 0, mbuf.DefaultBufSize, eal.SocketIDAny)
	if err != nil {
		t.Fatal(err)
	}
	m, err := mbuf.Alloc(mp, eal.LcoreIDAny)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Free(eal.LcoreIDAny)

	spec := pkt.PacketSpec{SrcMAC: mac1, DstMAC: mac2, Src: v4a, Dst: v4b, SrcPort: 9, DstPort: 9, PayloadLen: 18, ChecksumOffload: true}
	if err := pkt.BuildUDP(m, &spec); err != nil {
		t.Fatal(err)
	}
	if m.DataLen() != 60 || m.PktLen() != 60 || m.L2Len() != 14 || m.L3Len() != 20 || m.L4Len() != 8 {
		t.Errorf("mbuf after BuildUDP: %v l2 %d l3 %d l4 %d", m, m.L2Len(), m.L3Len(), m.L4Len())
	}
	if want := mbuf.FlagTxIPv4 | mbuf.FlagTxIPCksum | mbuf.FlagTxUDPCksum; m.OlFlags&want != want {
		t.Errorf("offload flags %#x", m.OlFlags)
	}
	if err := pkt.BuildUDP(m, &spec); !errors.Is(err, pkt.ErrNoRoom) {
		t.Errorf("BuildUDP on a full mbuf: %v", err)
	}
	m.Trim(m.DataLen())
	m.OlFlags = 0
	spec.Src, spec.Dst, spec.ChecksumOffload = v6a, v6b, false
	if err := pkt.BuildTCP(m, &spec); err != nil {
		t.Fatal(err)
	}
	d := dissect(m.Data())
	if m.DataLen() != 14+40+20+18 || m.L4Len() != 20 || m.OlFlags != 0 || d.l4ok != 1 || d.err != nil {
		t.Errorf("BuildTCP: %v %v", m, d)
	}
	m.Trim(m.DataLen())
	spec.PayloadLen = 3000
	if err := pkt.BuildTCP(m, &spec); !errors.Is(err, pkt.ErrNoRoom) || m.DataLen() != 0 {
		t.Errorf("BuildTCP beyond tailroom: %v, %d bytes left", err, m.DataLen())
	}
	spec.PayloadLen = 1400
	allocs := testing.AllocsPerRun(100, func() {
		if err := pkt.BuildUDP(m, &spec); err != nil {
			t.Fatal(err)
		}
		m.Trim(m.DataLen())
	})
	if allocs != 0 {
		t.Errorf("BuildUDP allocates %v times", allocs)
	}
}
