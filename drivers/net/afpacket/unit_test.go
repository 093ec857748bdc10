package afpacket

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net"
	"os"
	"strings"
	"testing"

	"dpk/drivers/net/internal/vnet"
	"dpk/eal"
	"dpk/ethdev"
	"dpk/internal/drivertest"
	"dpk/internal/testutil"
	"dpk/mbuf"
	"dpk/pkt/checksum"

	"golang.org/x/sys/unix"
)

func TestDevargs(t *testing.T) {
	for _, c := range []struct {
		args, err string
	}{
		{"net_af_packet0", "no interface: give iface=<name>"},
		{"net_af_packet0,iface=", "iface= needs an interface name"},
		{"net_af_packet0,iface=a,iface=b", "iface given 2 times"},
		{"net_af_packet0,iface=eth0,qpairs=0", "qpairs=0"},
		{"net_af_packet0,iface=eth0,qpairs=257", "above the maximum 256"},
		{"net_af_packet0,iface=eth0,qpairs=x", "is not a number"},
		{"net_af_packet0,iface=eth0,framesz=8192", "framesz=8192 is larger than blocksz=4096"},
		{"net_af_packet0,iface=eth0,blocksz=8192,framesz=4096,framecnt=1", "framecnt=1 is less than one block"},
		{"net_af_packet0,iface=eth0,blocksz=6000", "not a multiple of the page size"},
		{"net_af_packet0,iface=eth0,framesz=1000", "not a multiple of 16"},
		{"net_af_packet0,iface=eth0,qdisc_bypass=2", "not a boolean"},
	} {
		d, err := ethdev.ParseDevargs(c.args)
		if err != nil {
			t.Fatal(err)
		}
		_, err = parseArgs(d)
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: error %v, want %q", c.args, err, c.err)
		}
	}
	d, _ := ethdev.ParseDevargs("net_af_packet0,iface=eth0")
	c, err := parseArgs(d)
	if err != nil {
		t.Fatal(err)
	}
	// DPDK's defaults: 512 frames of 2048 bytes in page-size blocks, qdisc
	// bypass on; the V3 ring keeps the 1 MiB in 128 KiB blocks.
	want := ringGeometry{blockSize: 1 << 17, blockNr: 8, frameSize: 2048, frameNr: 8 * 64}
	if c.qpairs != 1 || c.blockSize != uint32(os.Getpagesize()) || c.frameSize != 2048 || c.frameCount != 512 || !c.qdiscBypass || c.ring != want {
		t.Errorf("defaults %+v, ring want %+v", c, want)
	}
	d, _ = ethdev.ParseDevargs("net_af_packet0,iface=eth0,qpairs=4,blocksz=1048576,framesz=4096,framecnt=4096,qdisc_bypass=0")
	if c, err = parseArgs(d); err != nil {
		t.Fatal(err)
	}
	want = ringGeometry{blockSize: 1 << 20, blockNr: 16, frameSize: 4096, frameNr: 16 * 256}
	if c.qpairs != 4 || c.qdiscBypass || c.ring != want {
		t.Errorf("got %+v, ring want %+v", c, want)
	}
}

func TestProbeMissingInterface(t *testing.T) {
	testutil.InitEAL(t, "--in-memory")
	err := ethdev.Probe("net_af_packet0,iface=dpk-no-such0")
	t.Logf("%v", err)
	if !errors.Is(err, ErrNoInterface) || !strings.Contains(err.Error(), "dpk-no-such0") {
		t.Errorf("error %v: want ErrNoInterface naming the interface", err)
	}
	err = ethdev.Probe("net_af_packet0,iface=a-name-far-too-long")
	if err == nil || !strings.Contains(err.Error(), "at most 15 bytes") {
		t.Errorf("long name: %v", err)
	}
	if os.Geteuid() != 0 {
		// Not root: the sockets cannot be opened.
		err := ethdev.Probe("net_af_packet1,iface=lo")
		t.Logf("%v", err)
		if !errors.Is(err, os.ErrPermission) || !strings.Contains(err.Error(), "CAP_NET_RAW") {
			t.Errorf("probe as %d: %v: want a permission error", os.Geteuid(), err)
		}
	}
	if err := ethdev.Probe("net_af_packet0,iface=lo,bogus=1"); err == nil || !strings.Contains(err.Error(), "has no argument \"bogus\"") {
		t.Errorf("unknown key: %v", err)
	}
}

func TestSockError(t *testing.T) {
	err := sockError("socket(AF_PACKET)", unix.EPERM)
	if !errors.Is(err, os.ErrPermission) || !strings.Contains(err.Error(), "no permission") || !strings.Contains(err.Error(), "CAP_NET_RAW") {
		t.Errorf("EPERM: %v", err)
	}
	if err := sockError("bind", unix.ENODEV); !errors.Is(err, ErrNoInterface) || !errors.Is(err, unix.ENODEV) {
		t.Errorf("ENODEV: %v", err)
	}
	if err := sockError("mmap", unix.ENOMEM); !strings.Contains(err.Error(), "lower framecnt") {
		t.Errorf("ENOMEM: %v", err)
	}
}

func TestLinkMessage(t *testing.T) {
	msg := make([]byte, unix.SizeofIfInfomsg)
	binary.NativeEndian.PutUint32(msg[4:], 7)
	binary.NativeEndian.PutUint32(msg[8:], unix.IFF_UP|unix.IFF_RUNNING)
	if up, rm, ok := linkMessage(unix.RTM_NEWLINK, msg, 7); !ok || !up || rm {
		t.Errorf("new link up: %v %v %v", up, rm, ok)
	}
	binary.NativeEndian.PutUint32(msg[8:], unix.IFF_UP)
	if up, _, ok := linkMessage(unix.RTM_NEWLINK, msg, 7); !ok || up {
		t.Errorf("no carrier: up %v", up)
	}
	if _, rm, ok := linkMessage(unix.RTM_DELLINK, msg, 7); !ok || !rm {
		t.Errorf("del link: removed %v", rm)
	}
	if _, _, ok := linkMessage(unix.RTM_NEWLINK, msg, 8); ok {
		t.Error("another interface's message taken")
	}
}

var (
	macA = net.HardwareAddr{2, 0, 0, 0, 0, 1}
	macB = net.HardwareAddr{2, 0, 0, 0, 0, 2}
)

// tcpGSOFrame builds a TCP GSO frame (as the kernel hands it over: the
// checksum field holds the pseudo-header sum with the whole L4 length) and
// its virtio_net_hdr.
func tcpGSOFrame(v6 bool, payload []byte, mss int) ([]byte, vnet.Hdr) {
	var b []byte
	var l3 int
	if v6 {
		l3 = 40
	} else {
		l3 = 20
	}
	b = make([]byte, 14+l3+20+len(payload))
	copy(b, macB)
	copy(b[6:], macA)
	ip := b[14:]
	l4len := 20 + len(payload)
	if v6 {
		binary.BigEndian.PutUint16(b[12:], vnet.EtherTypeIPv6)
		ip[0] = 0x60
		binary.BigEndian.PutUint16(ip[4:], uint16(l4len))
		ip[6], ip[7] = vnet.ProtoTCP, 64
		ip[8], ip[23] = 0xfd, 1
		ip[24], ip[39] = 0xfd, 2
	} else {
		binary.BigEndian.PutUint16(b[12:], vnet.EtherTypeIPv4)
		ip[0] = 0x45
		binary.BigEndian.PutUint16(ip[2:], uint16(20+l4len))
		binary.BigEndian.PutUint16(ip[4:], 0x1234)
		ip[8], ip[9] = 64, vnet.ProtoTCP
		copy(ip[12:], []byte{10, 0, 0, 1, 10, 0, 0, 2})
		binary.BigEndian.PutUint16(ip[10:], checksum.IPv4Header(ip[:20]))
	}
	tcp := b[14+l3:]
	binary.BigEndian.PutUint16(tcp[0:], 5001)
	binary.BigEndian.PutUint16(tcp[2:], 40000)
	binary.BigEndian.PutUint32(tcp[4:], 0xfffff000) // wraps during the frame
	tcp[12] = 5 << 4
	tcp[13] = vnet.TCPPSH | vnet.TCPFIN | 0x10 | vnet.TCPCWR
	copy(tcp[20:], payload)
	binary.BigEndian.PutUint16(tcp[16:], checksum.Fold(vnet.Pseudo(b, 14, v6, vnet.ProtoTCP, l4len)))
	h := vnet.Hdr{Flags: vnet.FlagNeedsCsum, GSOType: vnet.GSOTCPv4,
		HdrLen: uint16(14 + l3 + 20), GSOSize: uint16(mss), CsumStart: uint16(14 + l3), CsumOffset: 16}
	if v6 {
		h.GSOType = vnet.GSOTCPv6
	}
	return b, h
}

func testQueue(t *testing.T, offloads uint64) *rxQueue {
	t.Helper()
	testutil.InitEAL(t, "--in-memory")
	mp := drivertest.NewPool(t, "afp_unit", 2047)
	q, err := newRxQueue(ethdev.RxQueueInfo{Port: 3, Pool: mp}, offloads)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		q.flushMbufs()
		if mp.AvailCount() != mp.Size() {
			t.Errorf("%d of %d mbufs back in the pool", mp.AvailCount(), mp.Size())
		}
	})
	return q
}

// TestSegment cuts TCP GSO frames (IPv4 and IPv6, with and without a VLAN
// tag to put back) in software and checks every packet: lengths, IPv4 id
// and header checksum, sequence numbers, flags, the TCP checksum, and that
// the payloads add up to the frame's.
func TestSegment(t *testing.T) {
	q := testQueue(t, 0)
	payload := make([]byte, 10000)
	for i := range payload {
		payload[i] = byte(i * 7)
	}
	for _, c := range []struct {
		name string
		v6   bool
		tag  bool
	}{{"ipv4", false, false}, {"ipv6", true, false}, {"ipv4_vlan", false, true}} {
		t.Run(c.name, func(t *testing.T) {
			const mss = 1448
			d, vh := tcpGSOFrame(c.v6, payload, mss)
			g, ok := vnet.ParseGSO(d, vh)
			if !ok {
				t.Fatal("ParseGSO refused the frame")
			}
			var tag []byte
			shift := 0
			if c.tag {
				tag = append(append([]byte(nil), d[:12]...), 0x81, 0x00, 0x00, 0x05)
				shift = 4
			}
			if !q.segment(d, &g, tag, &unix.Tpacket3Hdr{}) {
				t.Fatal("no mbufs")
			}
			n := (len(payload) + mss - 1) / mss
			if q.npd != n {
				t.Fatalf("%d segments, want %d", q.npd, n)
			}
			var got []byte
			for i, m := range q.pend[:q.npd] {
				b := m.Read(0, m.PktLen(), make([]byte, m.PktLen()))
				if c.tag && (binary.BigEndian.Uint16(b[12:]) != 0x8100 || binary.BigEndian.Uint16(b[14:]) != 5) {
					t.Fatalf("segment %d: no VLAN tag: % x", i, b[:18])
				}
				ip := b[14+shift:]
				var tcp []byte
				if c.v6 {
					tcp = ip[40:]
					if int(binary.BigEndian.Uint16(ip[4:])) != len(tcp) {
						t.Errorf("segment %d: payload length %d, have %d", i, binary.BigEndian.Uint16(ip[4:]), len(tcp))
					}
					if !checksum.VerifyUDPTCPIPv6(ip[:40], tcp) {
						t.Errorf("segment %d: bad TCP checksum", i)
					}
				} else {
					tcp = ip[20:]
					if int(binary.BigEndian.Uint16(ip[2:])) != len(ip) || binary.BigEndian.Uint16(ip[4:]) != 0x1234+uint16(i) || !checksum.VerifyIPv4Header(ip[:20]) {
						t.Errorf("segment %d: IPv4 header % x", i, ip[:20])
					}
					if !checksum.VerifyUDPTCPIPv4(ip[:20], tcp) {
						t.Errorf("segment %d: bad TCP checksum", i)
					}
				}
				if seq := binary.BigEndian.Uint32(tcp[4:]); seq != 0xfffff000+uint32(i*mss) {
					t.Errorf("segment %d: seq %#x", i, seq)
				}
				last := i == n-1
				if fl := tcp[13]; (fl&(vnet.TCPFIN|vnet.TCPPSH) != 0) != last || (fl&vnet.TCPCWR != 0) != (i == 0) {
					t.Errorf("segment %d: flags %#x", i, fl)
				}
				if m.OlFlags&mbuf.FlagRxL4CksumGood == 0 || m.Port != 3 {
					t.Errorf("segment %d: ol_flags %#x port %d", i, m.OlFlags, m.Port)
				}
				got = append(got, tcp[20:]...)
			}
			if !bytes.Equal(got, payload) {
				t.Error("payloads differ from the frame's")
			}
			mbuf.FreeBulk(q.pend[:q.npd], eal.LcoreIDAny)
			clear(q.pend)
			q.npd = 0
		})
	}
}
