package pkt_test

import (
	"errors"
	"fmt"
	"net/netip"

	"dpk/pkt"
)

// A router's fast path: parse Ethernet, IPv4 and UDP in place, decrement
// the TTL (the header checksum follows), and read the 5-tuple.
func Example() {
	frame := make([]byte, 64)
	n, _ := pkt.EncodeUDP(frame, &pkt.PacketSpec{
		SrcMAC: pkt.MAC{0x02, 0, 0, 0, 0, 1}, DstMAC: pkt.MAC{0x02, 0, 0, 0, 0, 2},
		Src: netip.MustParseAddr("10.0.0.1"), Dst: netip.MustParseAddr("10.0.0.2"),
		SrcPort: 1024, DstPort: 53, Payload: []byte("hello"),
	})
	frame = frame[:n]

	eth, err := pkt.ParseEthernet(frame)
	if err != nil || eth.EtherType() != pkt.EtherTypeIPv4 {
		return
	}
	ip, err := pkt.ParseIPv4(eth.Payload())
	if err != nil {
		return
	}
	udp, err := pkt.ParseUDP(ip.Payload())
	if err != nil {
		return
	}
	ip.DecTTL()
	fmt.Println(eth.Src(), "->", eth.Dst())
	fmt.Printf("%v:%d -> %v:%d proto %d ttl %d checksum ok %v\n",
		ip.Src(), udp.SrcPort(), ip.Dst(), udp.DstPort(), ip.Protocol(), ip.TTL(), ip.IsChecksumValid())
	fmt.Printf("%q\n", udp.Payload())
	// Output:
	// 02:00:00:00:00:01 -> 02:00:00:00:00:02
	// 10.0.0.1:1024 -> 10.0.0.2:53 proto 17 ttl 63 checksum ok true
	// "hello"
}

// Constructors check length fields; errors name the header and wrap a
// sentinel.
func ExampleParseTCP() {
	_, err := pkt.ParseTCP(make([]byte, 12))
	fmt.Println(err, errors.Is(err, pkt.ErrTruncated))
	hdr := make([]byte, 20)
	hdr[12] = 3 << 4 // data offset 3 words
	_, err = pkt.ParseTCP(hdr)
	fmt.Println(err, errors.Is(err, pkt.ErrMalformed))
	// Output:
	// pkt: TCP: truncated header true
	// pkt: TCP: data offset below 5: malformed header true
}

// Walking IPv6 extension headers to the upper layer.
func ExampleIPv6ExtIter() {
	// Hop-by-hop (8 bytes), then a fragment header (first fragment), then UDP.
	b := []byte{
		pkt.IPProtoFragment, 0, 1, 4, 0, 0, 0, 0,
		pkt.IPProtoUDP, 0, 0, 1, 0, 0, 0, 42,
		0x30, 0x39, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00,
	}
	it := pkt.NewIPv6ExtIter(pkt.IPProtoHopOpts, b)
	for it.Next() {
		fmt.Println("extension header", it.Type(), "length", len(it.Header()))
	}
	f := it.Fragment()
	fmt.Println("upper layer", it.NextHeader(), "at", it.Offset(), "more fragments", f.More(), "id", f.ID(), it.Err())
	// Output:
	// extension header 0 length 8
	// extension header 44 length 8
	// upper layer 17 at 16 more fragments true id 42 <nil>
}

func ExampleParseMAC() {
	for _, s := range []string{"02:00:5e:10:ab:cd", "0200.5e10.abcd", "01-00-5E-00-00-01"} {
		m, err := pkt.ParseMAC(s)
		fmt.Println(m, m.IsMulticast(), m.IsLocalAdmin(), err)
	}
	// Output:
	// 02:00:5e:10:ab:cd false true <nil>
	// 02:00:5e:10:ab:cd false true <nil>
	// 01:00:5e:00:00:01 true false <nil>
}
