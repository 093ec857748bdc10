package ipfrag

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"sync/atomic"
	"testing"

	"dpk/eal"
	"dpk/internal/testutil"
	"dpk/mbuf"
	"dpk/mempool"
	"dpk/pkt"
)

// any is the lcore the tests free through: no mempool cache, so that a
// pool's AvailCount is exact at every moment.
const any = eal.LcoreIDAny

// TestMain starts the EAL once (no hugepages, in memory, a file prefix of
// its own) for the tests, examples, benchmarks and fuzz workers.
func TestMain(m *testing.M) {
	prefix := fmt.Sprintf("ipfrag%d", os.Getpid())
	args := []string{"ipfrag.test", "--no-huge", "--in-memory", "-m", "512", "-l", testutil.LcoreList(),
		"--file-prefix", prefix, "--log-level", "*:error"}
	if _, err := eal.Init(args); err != nil {
		fmt.Fprintf(os.Stderr, "ipfrag tests: eal.Init: %v\n", err)
		os.Exit(1)
	}
	code := m.Run()
	eal.Cleanup()
	os.Exit(code)
}

var poolSeq atomic.Uint32

// pools are the mempools of one test: direct mbufs with the default data
// room, big ones for jumbo packets, and indirect ones with a small room.
type pools struct {
	direct, big, indirect *mempool.Mempool
}

func newPool(tb testing.TB, kind string, n uint32, cache uint32, room uint16) *mempool.Mempool {
	tb.Helper()
	name := fmt.Sprintf("ipf_%s_%d", kind, poolSeq.Add(1))
	mp, err := mbuf.PoolCreate(name, n, cache, 0, room, eal.SocketIDAny)
	if err != nil {
		tb.Fatalf("pool %s: %v", name, err)
	}
	return mp
}

// newPools makes a test's pools and, when the test ends, checks that every
// mbuf is back in them and frees them.
func newPools(tb testing.TB) *pools {
	tb.Helper()
	p := &pools{
		direct:   newPool(tb, "d", 4095, 0, mbuf.DefaultBufSize),
		big:      newPool(tb, "b", 63, 0, 10240+mbuf.DefaultHeadroom),
		indirect: newPool(tb, "i", 8191, 0, mbuf.DefaultHeadroom),
	}
	tb.Cleanup(func() {
		for _, mp := range []*mempool.Mempool{p.direct, p.big, p.indirect} {
			if mp.AvailCount() != mp.Size() {
				tb.Errorf("pool %s: %d of %d mbufs not returned", mp.Name(), mp.Size()-mp.AvailCount(), mp.Size())
			} else if err := mp.Audit(); err != nil {
				tb.Errorf("pool %s: %v", mp.Name(), err)
			}
			if err := mp.Free(); err != nil {
				tb.Errorf("pool %s: %v", mp.Name(), err)
			}
		}
	})
	return p
}

// pattern is the payload byte at offset o of datagram id.
func pattern(id uint32, o int) byte { return byte(o*7 + int(id)*13 + 1) }

var (
	src4 = netip.MustParseAddr("192.0.2.1")
	dst4 = netip.MustParseAddr("198.51.100.7")
	src6 = netip.MustParseAddr("2001:db8::1")
	dst6 = netip.MustParseAddr("2001:db8:1::77")
)

// ipv4Packet returns an IPv4 datagram with opts (a multiple of 4 bytes),
// id, proto and n bytes of payload.
func ipv4Packet(n int, opts []byte, id uint16, proto uint8) []byte {
	hl := pkt.IPv4MinLen + len(opts)
	b := make([]byte, hl+n)
	if err := pkt.IPv4(b).Encode(&pkt.IPv4Fields{TotalLength: uint16(hl + n), ID: id, TTL: 64,
		Protocol: proto, Src: src4, Dst: dst4, Options: opts}); err != nil {
		panic(err)
	}
	for i := range n {
		b[hl+i] = pattern(uint32(id), i)
	}
	return b
}

// ipv6Packet returns an IPv6 packet with the extension headers ext (each
// given whole, next-header bytes filled in here), then proto and n bytes
// of payload.
func ipv6Packet(n int, ext [][]byte, proto uint8, seed uint32) []byte {
	el := 0
	for _, e := range ext {
		el += len(e)
	}
	b := make([]byte, pkt.IPv6Len+el+n)
	first := proto
	if len(ext) > 0 {
		first = ext[0][0]
	}
	if err := pkt.IPv6(b).Encode(&pkt.IPv6Fields{PayloadLength: uint16(el + n), NextHeader: first, HopLimit: 64, Src: src6, Dst: dst6}); err != nil {
		panic(err)
	}
	off := pkt.IPv6Len
	for i, e := range ext {
		copy(b[off:], e)
		if i+1 < len(ext) {
			b[off] = ext[i+1][0]
		} else {
			b[off] = proto
		}
		off += len(e)
	}
	for i := range n {
		b[off+i] = pattern(seed, i)
	}
	return b
}

// extHdr returns an extension header of type typ, 8*units bytes long, its
// first byte holding typ until ipv6Packet puts the next header there.
func extHdr(typ uint8, units int) []byte {
	h := make([]byte, 8*units)
	h[0] = typ
	h[1] = byte(units - 1)
	if typ != pkt.IPProtoRouting {
		// PadN over the rest.
		h[2], h[3] = pkt.IPv6OptPadN, byte(len(h)-4)
	} else {
		h[2] = 0 // type 0, no segments left
	}
	return h
}

// toMbuf copies b into a chain whose segments hold segs[0], segs[1], ...
// bytes (the last taking the rest) after l2 bytes of fake L2 header in the
// first segment, with L2Len set.
func toMbuf(tb testing.TB, mp *mempool.Mempool, b []byte, l2 int, segs ...int) *mbuf.Mbuf {
	tb.Helper()
	var head *mbuf.Mbuf
	data := append(make([]byte, l2), b...)
	for i := 0; len(data) > 0 || head == nil; i++ {
		m, err := mbuf.Alloc(mp, any)
		if err != nil {
			tb.Fatalf("alloc: %v", err)
		}
		n := min(len(data), int(m.Tailroom()))
		if i < len(segs) && segs[i] < n {
			n = segs[i]
		}
		d, err := m.Append(uint16(n))
		if err != nil {
			tb.Fatalf("append %d: %v", n, err)
		}
		copy(d, data[:n])
		data = data[n:]
		if head == nil {
			head = m
		} else if err := mbuf.Chain(head, m); err != nil {
			tb.Fatal(err)
		}
	}
	head.SetTxOffload(uint32(l2), 0, 0, 0, 0, 0)
	return head
}

// bytesOf returns a copy of a packet's bytes.
func bytesOf(m *mbuf.Mbuf) []byte {
	b := make([]byte, m.PktLen())
	if r := m.Read(0, m.PktLen(), b); r != nil {
		copy(b, r)
	}
	return b
}

// feed4 gives a fragment to ReassembleIPv4.
func feed4(tbl *Table, dr *DeathRow, m *mbuf.Mbuf, tms uint64) (*mbuf.Mbuf, error) {
	ip, err := pkt.ParseIPv4(m.Data()[m.L2Len():])
	if err != nil {
		ip = pkt.IPv4(m.Data()[m.L2Len():])
	}
	return ReassembleIPv4(tbl, dr, m, tms, ip)
}

// feed6 gives a fragment to ReassembleIPv6.
func feed6(tbl *Table, dr *DeathRow, m *mbuf.Mbuf, tms uint64) (*mbuf.Mbuf, error) {
	return ReassembleIPv6(tbl, dr, m, tms, pkt.IPv6(m.Data()[m.L2Len():]), nil)
}

// frag4 builds one IPv4 fragment by hand: datagram id, protocol, offset
// (bytes), MF and n bytes of the datagram's pattern from ofs on.
func frag4(tb testing.TB, mp *mempool.Mempool, id uint16, proto uint8, ofs int, mf bool, n int) *mbuf.Mbuf {
	tb.Helper()
	b := make([]byte, pkt.IPv4MinLen+n)
	var fl uint16
	if mf {
		fl = pkt.IPv4FlagMF
	}
	_ = pkt.IPv4(b).Encode(&pkt.IPv4Fields{TotalLength: uint16(len(b)), ID: id, Flags: fl, FragmentOffset: uint16(ofs),
		TTL: 64, Protocol: proto, Src: src4, Dst: dst4})
	for i := range n {
		b[pkt.IPv4MinLen+i] = pattern(uint32(id), ofs+i)
	}
	return toMbuf(tb, mp, b, 0)
}

// frag6 builds one IPv6 fragment by hand.
func frag6(tb testing.TB, mp *mempool.Mempool, id uint32, proto uint8, ofs int, more bool, n int) *mbuf.Mbuf {
	tb.Helper()
	b := make([]byte, pkt.IPv6Len+pkt.IPv6FragmentLen+n)
	_ = pkt.IPv6(b).Encode(&pkt.IPv6Fields{PayloadLength: uint16(pkt.IPv6FragmentLen + n), NextHeader: pkt.IPProtoFragment,
		HopLimit: 64, Src: src6, Dst: dst6})
	_ = pkt.IPv6Fragment(b[pkt.IPv6Len:]).Encode(proto, uint16(ofs), more, id)
	for i := range n {
		b[pkt.IPv6Len+pkt.IPv6FragmentLen+i] = pattern(id, ofs+i)
	}
	return toMbuf(tb, mp, b, 0)
}

// newTable makes a table or fails the test.
func newTable(tb testing.TB, c TableConfig) *Table {
	tb.Helper()
	if c.BucketNum == 0 {
		c.BucketNum, c.BucketEntries, c.MaxEntries = 64, 4, 256
	}
	if c.MaxCycles == 0 {
		c.MaxCycles = 1000
	}
	t, err := NewTableConfig(c)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// drain empties a table and a death row.
func drain(tbl *Table, dr *DeathRow) {
	tbl.Destroy(any)
	FreeDeathRow(dr, 0)
}

// shuffled returns a permutation of 0..n-1 from a fixed seed.
func shuffled(n int, seed uint64) []int {
	p := rand.New(rand.NewPCG(seed, 7)).Perm(n)
	return p
}
