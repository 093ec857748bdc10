package pcapng_test

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"time"

	"dpk/pcapng"
)

// Write a packet with a comment to a pcapng stream in memory, then read it
// back into a fixed buffer, as a driver reads into an mbuf's data room.
func Example() {
	var file bytes.Buffer
	w, err := pcapng.NewPcapngWriter(&file,
		pcapng.WithInterface(pcapng.Interface{
			LinkType: pcapng.LinkTypeEthernet,
			Name:     "net_ring0",
			TSResol:  pcapng.ResolutionNano,
		}))
	if err != nil {
		log.Fatal(err)
	}
	frame := []byte{
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // destination MAC
		0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // source MAC
		0x88, 0xb5, // local experimental EtherType
		'h', 'e', 'l', 'l', 'o',
	}
	ci := pcapng.CaptureInfo{Timestamp: time.Date(2024, 1, 2, 3, 4, 5, 6, time.UTC)}
	opts := pcapng.PacketOptions{Comment: []byte("first"), Flags: pcapng.FlagsInbound}
	if err := w.WritePacketWithOptions(ci, frame, opts); err != nil {
		log.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		log.Fatal(err)
	}

	r, err := pcapng.NewReader(&file) // pcap or pcapng, by the magic
	if err != nil {
		log.Fatal(err)
	}
	room := make([]byte, 2048)
	for {
		ci, n, err := r.ReadPacketInto(room)
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		if n < ci.CaptureLength {
			continue // longer than the data room: drop
		}
		ifc, _ := r.Interface(ci.InterfaceIndex)
		fmt.Println(r.Format(), ifc.Name, ifc.LinkType, ci.Timestamp.UTC().Format(time.RFC3339Nano))
		fmt.Printf("%d bytes: %q\n", n, room[14:n])
		if ng, ok := r.(*pcapng.PcapngReader); ok {
			fmt.Printf("comment %q, flags %d\n", ng.PacketOptions().Comment, ng.PacketOptions().Flags)
		}
	}
	// Output:
	// pcapng net_ring0 ETHERNET 2024-01-02T03:04:05.000000006Z
	// 19 bytes: "hello"
	// comment "first", flags 1
}

// Convert a classic pcap stream to pcapng.
func ExampleNewPcapngWriter() {
	var in bytes.Buffer
	pw, _ := pcapng.NewPcapWriter(&in, pcapng.LinkTypeEthernet, 65535, false)
	for i := range 3 {
		pw.WritePacket(pcapng.CaptureInfo{Timestamp: time.Unix(int64(1e9+i), 0)}, make([]byte, 60))
	}
	pw.Flush()

	r, err := pcapng.NewPcapReader(&in)
	if err != nil {
		log.Fatal(err)
	}
	var out bytes.Buffer
	w, err := pcapng.NewPcapngWriter(&out, pcapng.WithInterface(pcapng.Interface{
		LinkType: r.LinkType(), SnapLen: r.Header().SnapLen,
	}))
	if err != nil {
		log.Fatal(err)
	}
	n := 0
	for {
		data, ci, err := r.ReadPacket()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		if err := w.WritePacket(ci, data); err != nil {
			log.Fatal(err)
		}
		n++
	}
	if err := w.Flush(); err != nil {
		log.Fatal(err)
	}
	fmt.Println(n, "packets,", out.Len(), "bytes of pcapng")
	// Output: 3 packets, 336 bytes of pcapng
}
