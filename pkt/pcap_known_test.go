package pkt_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"dpk/pkt"
)

// TestPcapKnown dissects frames of real captures and checks what is known
// to be in them (values as Wireshark shows them).
func TestPcapKnown(t *testing.T) {
	const any = 2 // l4 verdict not checked
	tests := []struct {
		file  string
		frame int
		want  []string
		err   error
		l4    int
		ip    int
	}{
		{"tcpdump/802.1ad_QinQ.pcap", 0, []string{
			"eth 00:20:d2:5a:fb:3f>ff:ff:ff:ff:ff:ff 0x88a8 l2=22",
			"vlan pcp=0 dei=false vid=200 type=0x8100", "vlan pcp=0 dei=false vid=2001 type=0x0806",
			"arp op=1 00:20:d2:5a:fb:3f/172.21.79.97 -> 00:00:00:00:00:00/172.21.79.100 eth/ip=true"}, nil, 0, 0},
		{"tcpdump/erspan-type-ii-1.pcap", 0, []string{
			"gre v0 proto=0x88be ck=0x0/false key=0x0/false seq=171/true",
			"erspan ver=1 vlan=342 cos=6 en=0 t=false sid=666 idx=32760",
			"ipv4 10.48.6.1>224.0.0.13 proto=103"}, nil, 0, 1},
		{"tcpdump/geneve.pcap", 0, []string{
			"udp 12618>6081 len=122 cksum=true",
			"geneve ver=0 vni=10 proto=0x6558 optlen=8 oam=false crit=true opts=[0x0/128:4]",
			"icmp type=8 code=0 id=10578 seq=23"}, nil, any, 1},
		{"tcpdump/geneve.pcap", 2, []string{
			"geneve ver=0 vni=11 proto=0x6558 optlen=0",
			"tcp 51225>22 seq=397610159 ack=0 flags=SYN win=14600 hl=40",
			"opts=[2 4 8 1 3] mss=1460 ws=7 sackok=true ts=2876069566/0"}, nil, 1, 1},
		{"tcpdump/gso-ipv4-vxlan-ipv4.pcap", 0, []string{"vxlan flags=0x8 vni=5001 valid=true", "tcp 37099>41547"}, nil, any, 1},
		{"tcpdump/gso-ipv6-geneve-ipv6.pcap", 0, []string{"geneve ver=0 vni=5001", "ipv6 fd00::2>fd00::1 nh=6"}, nil, any, 0},
		{"tcpdump/ipv4_invalid_hdr_length.pcap", 0, nil, pkt.ErrMalformed, 0, 0},
		{"tcpdump/ipv4_invalid_total_length.pcap", 0, []string{"udp 39095>53"}, pkt.ErrTruncated, any, 1},
		{"tcpdump/ipv6-routing-header.pcap", 1, []string{
			"ip6rt type=0 left=2 last=0 flags=0 tag=0 addrs=[2200::210:2:0:0:4 2200::240:2:0:0:4]",
			"icmp6 type=128 code=0", "cksum=true"}, nil, 0, 0},
		{"tcpdump/ipv6-routing-header.pcap", 2, []string{"udp 5645>5642 len=8 cksum=true"}, nil, 1, 0},
		{"tcpdump/ipv6-srh-ext-header.pcap", 0, []string{
			"ip6rt type=4 left=1 last=1 flags=0 tag=0 addrs=[a:b:c:3::d6 a:b:c:2::f1:0]",
			"ipv6 a:b:c:12::1>b2::2 nh=58", "icmp6 type=128 code=0 id=1774 seq=1"}, nil, 0, 0},
		{"tcpdump/ipv6_frag6_negative_len.pcap", 0, []string{"ip6frag nh=2 off=1280 m=false id=0x80000074"}, nil, 0, 0},
		{"tcpdump/ipv6_jumbogram_1.pcap", 0, []string{"ip6opts type=0 nh=58 len=8 opts=[194:4] jumbo=65536/true", "icmp6 type=128"}, nil, 0, 0},
		{"tcpdump/mpls-over-udp.pcap", 0, []string{"udp 58699>6635", "mpls label=21 tc=0 s=true ttl=63", "icmp type=8 code=0 id=42731 seq=16"}, nil, any, 1},
		{"tcpdump/nsh-over-vxlan-gpe.pcap", 0, []string{
			"vxlan-gpe ver=0 flags=0xc np=4/true vni=16777215 oam=false",
			"nsh ver=0 oam=true ttl=0 len=24 md=2 np=1 spi=16777215 si=255 ctx=16 md2=[0x1/2:1 0x2/3:1]",
			"udp 10000>20000 len=12 cksum=true"}, nil, 1, 1},
		{"tcpdump/pppoe.pcap", 0, []string{"pppoe v1 t1 code=0x9 sid=0 len=18"}, nil, 0, 0},
		{"tcpdump/vxlan.pcap", 1, []string{"vxlan flags=0x8 vni=100", "arp op=1 00:30:88:01:00:02/192.168.203.5"}, nil, any, 1},
		{"tcpreplay/test.pcap", 0, []string{"tcp 64565>443 seq=3336115408 ack=3307089343 flags=PSH|ACK", "opts=[1 1 8]", "ts=444433452/935680176 data=27"}, nil, 1, 1},
		{"tcpreplay/test.rewrite_vlan802.1ad.pcap", 0, []string{"vlan pcp=2 dei=true vid=42 type=0x0800"}, nil, 1, 1},
		{"zeek/chksums_ip4-bad-chksum.pcap", 0, nil, nil, 1, -1},
		{"zeek/chksums_ip4-tcp-bad-chksum.pcap", 0, nil, nil, -1, 1},
		{"zeek/chksums_ip4-udp-bad-chksum.pcap", 0, nil, nil, -1, 1},
		{"zeek/chksums_ip6-hoa-tcp-good-chksum.pcap", 0, []string{"opts=[1:2 201:16]"}, nil, 1, 0},
		{"zeek/chksums_ip6-route0-tcp-good-chksum.pcap", 0, []string{"ip6rt type=0 left=2"}, nil, 1, 0},
		{"zeek/chksums_ip6-tcp-bad-chksum.pcap", 0, nil, nil, -1, 0},
		{"zeek/chksums_ip6-tcp-good-chksum.pcap", 0, nil, nil, 1, 0},
		{"zeek/chksums_ip6-udp-bad-chksum.pcap", 0, nil, nil, -1, 0},
		{"zeek/chksums_ip6-udp-good-chksum.pcap", 0, nil, nil, 1, 0},
		{"zeek/ipv4_fragmented-1.pcap", 1, []string{"frag=true/false off=48"}, nil, 0, 1},
		{"zeek/ipv6-hbh-routing0.pcap", 0, []string{"ip6opts type=0 nh=43", "ip6rt type=0 left=2", "udp 53>53 len=11 cksum=true"}, nil, 1, 0},
		{"zeek/mpls-in-vlan.pcap", 2, []string{"vlan pcp=0 dei=false vid=3399 type=0x8847 / mpls label=254 tc=0 s=false ttl=60 / mpls label=99 tc=0 s=true ttl=60"}, nil, any, 0},
		{"zeek/pppoe-over-qinq.pcap", 0, []string{
			"pppoe v1 t1 code=0x0 sid=3847 len=66 ppp=0x0021",
			"tcp 20394>443", "mss=1440 ws=6 sackok=true ts=19781772/0"}, nil, 1, 0},
		{"zeek/q-in-q.pcap", 0, []string{"vlan pcp=0 dei=false vid=13 type=0x8100 / vlan pcp=0 dei=false vid=10 type=0x0800"}, nil, 1, 1},
		{"zeek/trunc_ip4-trunc.pcap", 0, nil, pkt.ErrTruncated, 0, 0},
		{"zeek/trunc_ip6-ext-trunc.pcap", 0, nil, pkt.ErrTruncated, 0, 0},
		{"zeek/trunc_ip6-trunc.pcap", 0, nil, pkt.ErrTruncated, 0, 0},
		{"zeek/tunnels_4in6.pcap", 0, []string{"ipv4 70.55.213.211>192.88.99.1 proto=6"}, nil, 1, 0},
		{"zeek/tunnels_6in4.pcap", 0, []string{"ipv6 dead::beef>cafe::babe nh=17"}, nil, 1, 1},
		{"zeek/tunnels_6in6.pcap", 0, []string{"ipv6 dead::beef>cafe::babe nh=17"}, nil, 1, 0},
		{"zeek/tunnels_gre-erspan3-dot1q.pcap", 0, []string{
			"gre v0 proto=0x22eb", "erspan ver=2 vlan=10 cos=0 en=0 t=false sid=0 idx=0 ts=1884323413",
			"gra=3 o=true/true hl=20", "vlan pcp=0 dei=false vid=10 type=0x0800", "icmp type=8 code=0 id=43 seq=4"}, nil, 0, 1},
		{"zeek/tunnels_gtp_gtp_ext_header.pcap", 0, []string{
			"gtpu flags=0x36 msg=255 len=1508 teid=0x100657 seq=5/true npdu=0 hl=16 exts=[0xc0:4:"}, pkt.ErrTruncated, any, 1},
		{"zeek/tunnels_gtp_gtp7_ipv6.pcap", 1, []string{
			"gtpu flags=0x30 msg=255 len=56 teid=0x91364467",
			"icmp6 type=133 code=0", "lla=20:4c:4f:43:41:4c", "opts=[1:8] cksum=true"}, nil, 1, 1},
		{"zeek/tunnels_gtp_gtp4_udp_2152_inside.pcap", 0, []string{"gtpu flags=0x30 msg=255 len=930 teid=0x3318"}, pkt.ErrMalformed, any, 1},
		{"zeek/tunnels_vxlan.pcap", 2, []string{"vxlan flags=0x8 vni=123", "icmp type=8 code=0 id=3389 seq=1"}, nil, any, 1},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			frames := readPcap(t, filepath.Join(pcapDir(t), tt.file))
			if tt.frame >= len(frames) {
				t.Fatalf("capture has %d frames", len(frames))
			}
			d := dissect(frames[tt.frame])
			s := d.String()
			for _, w := range tt.want {
				if !strings.Contains(s, w) {
					t.Errorf("missing %q in\n%s", w, s)
				}
			}
			if (tt.err == nil) != (d.err == nil) || (tt.err != nil && !errors.Is(d.err, tt.err)) {
				t.Errorf("error %v, want %v\n%s", d.err, tt.err, s)
			}
			if tt.l4 != any && d.l4ok != tt.l4 {
				t.Errorf("L4 checksum verdict %d, want %d\n%s", d.l4ok, tt.l4, s)
			}
			if d.ipok != tt.ip {
				t.Errorf("IPv4 checksum verdict %d, want %d\n%s", d.ipok, tt.ip, s)
			}
		})
	}
}

// TestPcapAll dissects every frame of every capture (no panics), every
// prefix of the first frames, and checks that the IPv4 setters keep a
// valid header checksum valid on real headers.
func TestPcapAll(t *testing.T) {
	var frames, ipv4 int
	for _, f := range pcapFiles(t) {
		for i, fr := range readPcap(t, f) {
			frames++
			dissect(fr)
			if i < 2 {
				for n := 0; n < len(fr) && n < 400; n++ {
					dissect(fr[:n])
				}
			}
			ipv4 += checkIPv4Setters(t, f, fr)
		}
	}
	if testing.Verbose() {
		t.Logf("%d frames, %d IPv4 headers rewritten", frames, ipv4)
	}
	if ipv4 < 100 {
		t.Errorf("only %d IPv4 headers rewritten", ipv4)
	}
}

func checkIPv4Setters(t *testing.T, file string, fr []byte) int {
	e, err := pkt.ParseEthernet(fr)
	if err != nil {
		return 0
	}
	et, l2, ok := e.InnerType()
	if !ok || et != pkt.EtherTypeIPv4 {
		return 0
	}
	b := append([]byte(nil), fr[l2:]...)
	ip, err := pkt.ParseIPv4(b)
	if err != nil || !ip.IsChecksumValid() {
		return 0
	}
	ip.DecTTL()
	ip.SetTOS(ip.TOS() ^ 0xa5)
	ip.SetID(ip.ID() + 7777)
	ip.SetTotalLength(ip.TotalLength() ^ 0x0101)
	ip.SetFlagsFragmentOffset(ip.FlagsFragmentOffset() ^ pkt.IPv4FlagDF)
	ip.SetProtocol(ip.Protocol() + 1)
	src, dst := ip.Src(), ip.Dst()
	ip.SetSrc(dst)
	ip.SetDst(src.Next())
	if !ip.IsChecksumValid() || ip.Checksum() != ip.CalculateChecksum() {
		t.Errorf("%s: IPv4 checksum %#04x after setters, want %#04x", filepath.Base(file), ip.Checksum(), ip.CalculateChecksum())
	}
	return 1
}
