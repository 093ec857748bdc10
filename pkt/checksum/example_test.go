package checksum_test

import (
	"encoding/binary"
	"fmt"

	"dpk/pkt/checksum"
)

// The IPv4 header of Wikipedia's "Internet checksum" article.
var header = []byte{
	0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
	0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
}

func ExampleIPv4Header() {
	hdr := append([]byte(nil), header...)
	fmt.Printf("%#04x %v\n", checksum.IPv4Header(hdr), checksum.VerifyIPv4Header(hdr))
	// Output: 0xb861 true
}

// A router decrements the TTL and updates the header checksum by RFC 1624
// instead of summing the header again.
func ExampleUpdate16() {
	hdr := append([]byte(nil), header...)
	oldWord := binary.BigEndian.Uint16(hdr[8:10]) // TTL | protocol
	hdr[8]--
	c := checksum.Update16(binary.BigEndian.Uint16(hdr[10:12]), oldWord, binary.BigEndian.Uint16(hdr[8:10]))
	binary.BigEndian.PutUint16(hdr[10:12], c)
	fmt.Printf("%#04x %#04x %v\n", c, checksum.IPv4Header(hdr), checksum.VerifyIPv4Header(hdr))
	// Output: 0xb961 0xb961 true
}

// A UDP datagram over IPv4: the checksum covers the pseudo-header, the UDP
// header and the payload.
func ExampleUDPTCPIPv4() {
	udp := []byte{
		0x04, 0xd2, 0x00, 0x35, // ports 1234 -> 53
		0x00, 0x0c, 0x00, 0x00, // length 12, checksum 0 for now
		'p', 'i', 'n', 'g',
	}
	ip := []byte{
		0x45, 0x00, 0x00, 0x20, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00,
		192, 0, 2, 1, // source
		198, 51, 100, 2, // destination
	}
	binary.BigEndian.PutUint16(ip[10:], checksum.IPv4Header(ip))
	binary.BigEndian.PutUint16(udp[6:], checksum.UDPTCPIPv4(ip, udp))

	// The same from the primitives.
	pseudo := checksum.PseudoHeaderIPv4([4]byte(ip[12:16]), [4]byte(ip[16:20]), 17, uint16(len(udp)))
	fmt.Printf("%#04x %#04x\n", binary.BigEndian.Uint16(udp[6:]), checksum.Transport(pseudo, 17, udp))
	fmt.Println(checksum.VerifyUDPTCPIPv4(ip, udp))
	// Output:
	// 0x2fc7 0x2fc7
	// true
}

// A packet spread over buffers (an mbuf chain) is summed piece by piece; a
// piece that starts at an odd offset is joined with Combine.
func ExampleCombine() {
	data := []byte("an odd split!")
	a, b := data[:5], data[5:]
	s := checksum.Partial(a, 0)
	s = checksum.Combine(s, checksum.Partial(b, 0), len(a)%2 == 1)
	fmt.Printf("%#04x %#04x\n", s, checksum.Partial(data, 0))
	// Output: 0x0196 0x0196
}

// SCTP's checksum is a CRC32C stored least significant byte first.
func ExampleSCTP() {
	pkt := make([]byte, 32) // common header and chunks; all zero here
	binary.LittleEndian.PutUint32(pkt[8:12], checksum.SCTP(pkt))
	fmt.Printf("% x %v\n", pkt[8:12], checksum.VerifySCTP(pkt))
	// Output: aa 36 91 8a true
}
