package ipfrag_test

import (
	"fmt"
	"net/netip"

	"dpk/eal"
	"dpk/ipfrag"
	"dpk/mbuf"
	"dpk/pkt"
)

// Fragment a 2,000-byte UDP datagram for a 576-byte MTU, then reassemble
// it from the fragments arriving in reverse order. (The EAL is started by
// this package's TestMain; a program calls eal.Init first.)
func Example() {
	const lcore = eal.LcoreIDAny
	direct, _ := mbuf.PoolCreate("ex_direct", 63, 0, 0, mbuf.DefaultBufSize, eal.SocketIDAny)
	indirect, _ := mbuf.PoolCreate("ex_indirect", 63, 0, 0, mbuf.DefaultHeadroom, eal.SocketIDAny)
	defer direct.Free()
	defer indirect.Free()

	// The datagram, starting at its IPv4 header.
	in, _ := mbuf.Alloc(direct, lcore)
	b, _ := in.Append(2000)
	_ = pkt.IPv4(b).Encode(&pkt.IPv4Fields{TotalLength: 2000, ID: 0x1234, TTL: 64, Protocol: pkt.IPProtoUDP,
		Src: netip.MustParseAddr("192.0.2.1"), Dst: netip.MustParseAddr("192.0.2.2")})

	var frags [8]*mbuf.Mbuf
	n, err := ipfrag.FragmentIPv4(in, frags[:], 576, direct, indirect, lcore)
	in.Free(lcore) // the fragments hold references to its buffer
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range frags[:n] {
		ip := pkt.IPv4(f.Data())
		fmt.Printf("fragment: offset %4d, MF %v, %3d bytes in %d segments\n", ip.FragmentOffset(), ip.MF(), f.PktLen(), f.NbSegs())
	}

	// One table and death row per lcore; tms would be sys.Rdtsc().
	tbl, _ := ipfrag.NewTable(16, 4, 64, 1<<40)
	dr := ipfrag.NewDeathRow(lcore)
	for i := n - 1; i >= 0; i-- {
		m := frags[i]
		out, err := ipfrag.ReassembleIPv4(tbl, dr, m, 1, pkt.IPv4(m.Data()[m.L2Len():]))
		switch {
		case err != nil:
			fmt.Println("dropped:", err)
		case out == nil:
			fmt.Println("held")
		default:
			ip := pkt.IPv4(out.Data())
			fmt.Printf("datagram: %d bytes, checksum valid %v, fragment %v, %d segments\n",
				out.PktLen(), ip.IsChecksumValid(), ip.IsFragment(), out.NbSegs())
			out.Free(lcore)
		}
	}
	ipfrag.FreeDeathRow(dr, 0)
	fmt.Println("mbufs in use:", direct.InUseCount()+indirect.InUseCount())
	// Output:
	// fragment: offset    0, MF true, 572 bytes in 2 segments
	// fragment: offset  552, MF true, 572 bytes in 2 segments
	// fragment: offset 1104, MF true, 572 bytes in 2 segments
	// fragment: offset 1656, MF false, 344 bytes in 2 segments
	// held
	// held
	// held
	// datagram: 2000 bytes, checksum valid true, fragment false, 8 segments
	// mbufs in use: 0
}
