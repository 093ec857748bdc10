package checksum

import "encoding/binary"

// Hand-built packets (Ethernet-less: they start at the IP header) with their
// checksums computed by this package, cross-checked against the naive
// reference in the tests and, when they were written, against Wireshark's
// checksum validation (tshark -o ip.check_checksum:TRUE -o
// udp.check_checksum:TRUE -o tcp.check_checksum:TRUE -o sctp.checksum:1).

type packet struct {
	name  string
	ipv6  bool
	proto uint8
	ipHdr []byte // 20 or 40 bytes, IPv4 checksum field zero
	l4    []byte // L4 header and payload, checksum field zero
}

// knownSums holds the checksums of testPackets, as Wireshark validated them:
// the IPv4 header checksum and the L4 checksum, or for SCTP the CRC32C.
var knownSums = map[string]struct {
	ip uint16
	l4 uint32
}{
	"ipv4-udp-dns":     {0x3249, 0x2fbc},
	"ipv4-udp-even":    {0x3243, 0xbee5},
	"ipv4-tcp-syn":     {0x3249, 0xfb60},
	"ipv4-tcp-data":    {0x323e, 0xe7d9},
	"ipv4-icmp-echo":   {0x3240, 0x3b27},
	"ipv4-sctp-init":   {0x31c4, 0xd3ee7f93}, // Wireshark shows the field bytes: 0x937feed3
	"ipv6-udp":         {0, 0x5bf6},
	"ipv6-tcp-data":    {0, 0xee8b},
	"ipv6-icmpv6-echo": {0, 0xe8b4},
}

var (
	v4src = [4]byte{192, 0, 2, 1}
	v4dst = [4]byte{198, 51, 100, 2}
	v6src = [16]byte{0x20, 0x01, 0x0d, 0xb8, 15: 0x01}
	v6dst = [16]byte{0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 8: 0xfe, 0x80, 14: 0xab, 0xcd}
)

func ipv4Hdr(proto uint8, l4len int, id uint16) []byte {
	h := make([]byte, 20)
	h[0] = 0x45
	binary.BigEndian.PutUint16(h[2:], uint16(20+l4len))
	binary.BigEndian.PutUint16(h[4:], id)
	h[6] = 0x40 // DF
	h[8] = 64
	h[9] = proto
	copy(h[12:], v4src[:])
	copy(h[16:], v4dst[:])
	return h
}

func ipv6Hdr(proto uint8, l4len int) []byte {
	h := make([]byte, 40)
	h[0] = 0x60
	h[1] = 0x0a // traffic class 0, flow label 0xa1234
	h[2], h[3] = 0x12, 0x34
	binary.BigEndian.PutUint16(h[4:], uint16(l4len))
	h[6] = proto
	h[7] = 64
	copy(h[8:], v6src[:])
	copy(h[24:], v6dst[:])
	return h
}

func udpMsg(sport, dport uint16, payload string) []byte {
	m := make([]byte, 8, 8+len(payload))
	binary.BigEndian.PutUint16(m[0:], sport)
	binary.BigEndian.PutUint16(m[2:], dport)
	binary.BigEndian.PutUint16(m[4:], uint16(8+len(payload)))
	return append(m, payload...)
}

func tcpMsg(sport, dport uint16, seq, ack uint32, flags byte, opts []byte, payload string) []byte {
	hl := 20 + len(opts)
	m := make([]byte, hl, hl+len(payload))
	binary.BigEndian.PutUint16(m[0:], sport)
	binary.BigEndian.PutUint16(m[2:], dport)
	binary.BigEndian.PutUint32(m[4:], seq)
	binary.BigEndian.PutUint32(m[8:], ack)
	m[12] = byte(hl/4) << 4
	m[13] = flags
	binary.BigEndian.PutUint16(m[14:], 64240)
	copy(m[20:], opts)
	return append(m, payload...)
}

func icmpEcho(typ byte, id, seq uint16, payload string) []byte {
	m := make([]byte, 8, 8+len(payload))
	m[0] = typ
	binary.BigEndian.PutUint16(m[4:], id)
	binary.BigEndian.PutUint16(m[6:], seq)
	return append(m, payload...)
}

// sctpInit is an SCTP INIT chunk in a common header, ports 5000 -> 36412.
func sctpInit() []byte {
	m := make([]byte, 12+20)
	binary.BigEndian.PutUint16(m[0:], 5000)
	binary.BigEndian.PutUint16(m[2:], 36412)
	// verification tag 0 for INIT; checksum at 8..11
	m[12] = 1 // INIT
	binary.BigEndian.PutUint16(m[14:], 20)
	binary.BigEndian.PutUint32(m[16:], 0x3b9aca07) // initiate tag
	binary.BigEndian.PutUint32(m[20:], 106496)     // a_rwnd
	binary.BigEndian.PutUint16(m[24:], 10)         // outbound streams
	binary.BigEndian.PutUint16(m[26:], 65535)      // inbound streams
	binary.BigEndian.PutUint32(m[28:], 0x1f2e3d4c) // initial TSN
	return m
}

// testPackets builds the packets with their checksum fields zero; their
// checksums are in knownSums.
func testPackets() []packet {
	mss := []byte{2, 4, 0x05, 0xb4, 1, 1, 4, 2} // MSS 1460, NOP, NOP, SACK permitted
	var ps []packet
	add := func(name string, v6 bool, proto uint8, l4 []byte) {
		var h []byte
		if v6 {
			h = ipv6Hdr(proto, len(l4))
		} else {
			h = ipv4Hdr(proto, len(l4), uint16(0x1c46+len(ps)))
		}
		ps = append(ps, packet{name: name, ipv6: v6, proto: proto, ipHdr: h, l4: l4})
	}
	add("ipv4-udp-dns", false, protoUDP, udpMsg(1234, 53, "hello, dpk\n"))
	add("ipv4-udp-even", false, protoUDP, udpMsg(4789, 4789, "0123456789abcdef"))
	add("ipv4-tcp-syn", false, protoTCP, tcpMsg(40000, 80, 0x01020304, 0, 0x02, mss, ""))
	add("ipv4-tcp-data", false, protoTCP, tcpMsg(40000, 80, 0x01020305, 0xa0b0c0d0, 0x18, nil, "GET / HTTP/1.0\r\n\r\n"))
	add("ipv4-icmp-echo", false, protoICMP, icmpEcho(8, 0x1234, 1, "abcdefghijklmnopqrstuvwabcdefghi"))
	add("ipv4-sctp-init", false, 132, sctpInit())
	add("ipv6-udp", true, protoUDP, udpMsg(5000, 6000, "IPv6 UDP, odd length"))
	add("ipv6-tcp-data", true, protoTCP, tcpMsg(443, 51000, 0xdeadbeef, 0x12345678, 0x18, nil, "\x17\x03\x03\x00\x05hello"))
	add("ipv6-icmpv6-echo", true, protoICMPv6, icmpEcho(128, 0xbeef, 7, "ping6 payload!"))
	return ps
}
