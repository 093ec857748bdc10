package ipfrag

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"dpk/internal/testutil"
	"dpk/mbuf"
	"dpk/pcapng"
	"dpk/pkt"
	"dpk/pkt/checksum"
)

// pcapDir returns the shared captures' directory.
func pcapDir(t *testing.T) string { return testutil.SharedData(t, "pcaps") }

// capResult is what reassembling a capture gave.
type capResult struct {
	packets, passed int        // packets read; non-fragments returned as they were
	datagrams       [][]byte   // reassembled datagrams, from L3 on
	errs            []error    // drops, in order
	stats           Stats      // after the final expiry sweep
	held            int        // fragments still held before the sweep
	drops           []capDrops // which frame was dropped and why
}

type capDrops struct {
	frame int
	err   error
}

func (d capDrops) String() string { return fmt.Sprintf("frame %d: %v", d.frame, d.err) }

// reassembleCapture reads an Ethernet capture and runs every IPv4/IPv6
// packet through a reassembly table, with the capture's timestamps in
// nanoseconds as the clock and a 30-second timeout; at the end the
// unfinished datagrams are expired.
func reassembleCapture(t *testing.T, p *pools, path string) capResult {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := pcapng.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tbl := newTable(t, TableConfig{MaxCycles: 30e9})
	dr := NewDeathRow(any)
	defer drain(tbl, dr)
	var res capResult
	var last uint64
	for {
		data, ci, err := r.ReadPacket()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		res.packets++
		if len(data) < 14 {
			continue
		}
		l2 := 14
		et := binary.BigEndian.Uint16(data[12:])
		for (et == 0x8100 || et == 0x88a8) && len(data) >= l2+4 {
			et = binary.BigEndian.Uint16(data[l2+2:])
			l2 += 4
		}
		if (et != 0x0800 && et != 0x86dd) || len(data) <= l2 {
			continue
		}
		m := toMbuf(t, p.direct, data[l2:], l2)
		copy(m.Data(), data[:l2])
		last = uint64(ci.Timestamp.UnixNano())
		var out *mbuf.Mbuf
		if et == 0x0800 {
			ip, perr := pkt.ParseIPv4(m.Data()[l2:])
			if perr != nil {
				ip = pkt.IPv4(m.Data()[l2:])
			}
			out, err = ReassembleIPv4(tbl, dr, m, last, ip)
		} else {
			out, err = ReassembleIPv6(tbl, dr, m, last, pkt.IPv6(m.Data()[l2:]), nil)
		}
		switch {
		case err != nil:
			res.errs = append(res.errs, err)
			res.drops = append(res.drops, capDrops{res.packets, err})
		case out == m && tbl.Stats().Atomic == 0:
			res.passed++
			m.Free(any)
		case out != nil:
			res.datagrams = append(res.datagrams, bytesOf(out)[out.L2Len():])
			out.Free(any)
		}
		FreeDeathRow(dr, 8)
	}
	res.held = tbl.FragmentsHeld()
	tbl.DelExpiredEntries(dr, last+31e9)
	res.stats = tbl.Stats()
	if tbl.UseEntries() != 0 {
		t.Errorf("%d datagrams left after expiry", tbl.UseEntries())
	}
	return res
}

// validIPv4 checks a reassembled IPv4 datagram: header checksum, total
// length, not a fragment.
func validIPv4(t *testing.T, b []byte) pkt.IPv4 {
	t.Helper()
	ip, err := pkt.ParseIPv4(b)
	if err != nil || int(ip.TotalLength()) != len(b) || !ip.IsChecksumValid() || ip.IsFragment() {
		t.Fatalf("bad datagram (%v): %x", err, b[:min(len(b), 40)])
	}
	return ip
}

func TestPcapZeekIPv4(t *testing.T) {
	dir := pcapDir(t)
	tests := []struct {
		file string
		why  string
		want Stats
	}{
		// 0+18 MF, 48+116 last, 0+304 MF: the first is 18 bytes though not
		// the last (Malformed); the third covers 0-304 over the second's
		// 48-164 (Overlap: both dropped).
		{"zeek/ipv4_fragmented-1.pcap", "overlap", Stats{Malformed: 1, Overlap: 1}},
		// 0+18 MF, 48+116 last, 0+18 MF again: both 18-byte fragments are
		// malformed (DPDK 22.11 would hold them and the second would
		// collide with the first's slot); the last one waits for data that
		// never comes and times out.
		{"zeek/ipv4_fragmented-2.pcap", "hole", Stats{Malformed: 2, Timeout: 1, DelNum: 1}},
		// Five 1480-byte fragments with MF, no last one: times out.
		{"zeek/ipv4_fragmented-3.pcap", "no last fragment", Stats{Timeout: 1, DelNum: 1}},
		// TCP 0+24, 48+24, 72+17 last, then 24+48, which contains 48-72:
		// Overlap drops all four. The two unfragmented packets pass.
		{"zeek/ipv4_fragmented-4.pcap", "contained overlap", Stats{Overlap: 1}},
	}
	for _, tc := range tests {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			p := newPools(t)
			res := reassembleCapture(t, p, filepath.Join(dir, tc.file))
			if len(res.datagrams) != 0 {
				t.Errorf("%s: %d datagrams reassembled", tc.why, len(res.datagrams))
			}
			checkStats(t, res.stats, tc.want)
			t.Logf("%s: %d packets, %d passed, drops %v, stats %+v", tc.why, res.packets, res.passed, res.drops, res.stats)
		})
	}
}

// TestPcapZeekGTP reassembles the outer IPv4 fragments of GTP-U traffic
// (UDP datagrams of 1,516 bytes cut at a 1,500-byte MTU) and checks each
// result: IP header checksum and length, the UDP length, and the GTP-U
// header's length, which spans both fragments. (The capture's UDP
// checksums are wrong before and after reassembly; tshark says so too.)
// Four datagrams lack their second fragment in the capture and time out.
func TestPcapZeekGTP(t *testing.T) {
	dir := pcapDir(t)
	p := newPools(t)
	res := reassembleCapture(t, p, filepath.Join(dir, "zeek/tunnels_gtp_gtp1_gn_normal_incl_fragmentation.pcap"))
	// 40 datagrams cut in two; of four only the first fragment was
	// captured, and those time out.
	if len(res.datagrams) != 36 || len(res.errs) != 0 || res.stats.Timeout != 4 {
		t.Fatalf("%d datagrams, drops %v, stats %+v", len(res.datagrams), res.drops, res.stats)
	}
	for _, d := range res.datagrams {
		ip := validIPv4(t, d)
		udp := ip.Payload()
		if ip.Protocol() != pkt.IPProtoUDP || int(binary.BigEndian.Uint16(udp[4:])) != len(udp) ||
			binary.BigEndian.Uint16(udp[2:]) != 2152 || int(binary.BigEndian.Uint16(udp[8+2:]))+8 != len(udp)-8 {
			t.Fatalf("reassembled GTP-U datagram inconsistent: %x", d[:48])
		}
	}
	t.Logf("%d packets: %d passed, %d datagrams reassembled (%d bytes first)", res.packets, res.passed, len(res.datagrams), len(res.datagrams[0]))
}

// TestPcapZeekIPv6DNS reassembles a DNS response in three IPv6 fragments
// and checks its UDP checksum; a lone last fragment of another datagram
// (id 1) times out; four unfragmented DNS packets pass.
func TestPcapZeekIPv6DNS(t *testing.T) {
	dir := pcapDir(t)
	p := newPools(t)
	res := reassembleCapture(t, p, filepath.Join(dir, "zeek/ipv6-fragmented-dns.pcap"))
	if len(res.datagrams) != 1 || len(res.errs) != 0 || res.stats.Timeout != 1 || res.passed != 4 {
		t.Fatalf("%d datagrams, %d passed, drops %v, stats %+v", len(res.datagrams), res.passed, res.drops, res.stats)
	}
	d := res.datagrams[0]
	ip := pkt.IPv6(d)
	if len(d) != pkt.IPv6Len+3238 || int(ip.PayloadLength()) != 3238 || ip.NextHeader() != pkt.IPProtoUDP {
		t.Fatalf("datagram of %d bytes, payload length %d, next header %d", len(d), ip.PayloadLength(), ip.NextHeader())
	}
	if !checksum.VerifyUDPTCPIPv6(d[:pkt.IPv6Len], d[pkt.IPv6Len:]) {
		t.Fatal("UDP checksum of the reassembled DNS response is wrong")
	}
}

// TestPcapTcpdumpIPv6Bad feeds tcpdump's crash reproducers: a fragment
// captured with 60 of its 262,144 bytes (payload length 27,136) and one
// with payload length 0 (a negative fragment length). Both are dropped as
// malformed; nothing panics.
func TestPcapTcpdumpIPv6Bad(t *testing.T) {
	dir := pcapDir(t)
	for _, file := range []string{"tcpdump/ip6_frag_asan.pcap", "tcpdump/ipv6_frag6_negative_len.pcap"} {
		t.Run(filepath.Base(file), func(t *testing.T) {
			p := newPools(t)
			res := reassembleCapture(t, p, filepath.Join(dir, file))
			if len(res.errs) != 1 || !errors.Is(res.errs[0], ErrMalformed) || res.stats.Malformed != 1 {
				t.Fatalf("drops %v, stats %+v", res.drops, res.stats)
			}
		})
	}
}

// TestPcapFragroute runs tcpreplay's fragroute test capture through the
// table. The file is the input of tcpreplay's fragroute test, before
// fragroute cuts it: its 20 packets (TCP, ICMP, IGMP) are all whole, 12
// of them with DF set, so none is a fragment, none is dropped, and every
// one is returned unchanged. (The overlap and duplicate cases are in the
// zeek captures above and in TestAttacks.) Fragmenting it at a 576-byte
// MTU and reassembling gives the packets back byte for byte, except that
// the DF packets cannot be fragmented and the two packets with a wrong IP
// header checksum (frames 10 and 12) come back with it right, as
// FragmentIPv4 computes every fragment's checksum.
func TestPcapFragroute(t *testing.T) {
	dir := pcapDir(t)
	p := newPools(t)
	path := filepath.Join(dir, "tcpreplay/test_fragroute.pcap")
	res := reassembleCapture(t, p, path)
	if res.packets != 20 || res.passed != 20 || len(res.errs) != 0 || res.stats.FindNum != 0 {
		t.Fatalf("%d packets, %d passed, drops %v, stats %+v", res.packets, res.passed, res.drops, res.stats)
	}

	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := pcapng.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tbl := newTable(t, TableConfig{})
	dr := NewDeathRow(any)
	defer drain(tbl, dr)
	var df, cut, fixed int
	for {
		data, _, err := r.ReadPacket()
		if err != nil {
			break
		}
		ipb := data[14:]
		ip, _ := pkt.ParseIPv4(ipb)
		ipb = ipb[:ip.TotalLength()]
		in := toMbuf(t, p.direct, ipb, 0)
		var out [8]*mbuf.Mbuf
		n, err := FragmentIPv4(in, out[:], 576, p.direct, p.indirect, any)
		in.Free(any)
		if errors.Is(err, ErrDontFragment) {
			df++
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		var got *mbuf.Mbuf
		for i := n - 1; i >= 0; i-- {
			g, err := feed4(tbl, dr, out[i], 0)
			if err != nil {
				t.Fatal(err)
			}
			if g != nil {
				got = g
			}
		}
		if n > 1 {
			cut++
		}
		want := append([]byte{}, ipb...)
		if !ip.IsChecksumValid() {
			pkt.IPv4(want).SetChecksum(ip.CalculateChecksum())
			fixed++
		}
		if got == nil || string(bytesOf(got)) != string(want) {
			t.Fatalf("packet of %d bytes not given back", len(ipb))
		}
		got.Free(any)
	}
	if df != 12 || cut != 0 || fixed != 2 {
		t.Fatalf("%d DF packets, %d cut, %d checksums fixed", df, cut, fixed)
	}
}
