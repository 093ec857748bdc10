package vnet

import (
	"encoding/binary"
	"testing"

	"dpk/eal"
	"dpk/internal/testutil"
	"dpk/mbuf"
	"dpk/mempool"
	"dpk/pkt/checksum"
)

// frame builds an Ethernet frame, with VLAN tags tags (TPIDs), carrying
// IPv4 or IPv6 and TCP (with a 20-byte header) or UDP with payload. Its
// L4 checksum field holds the pseudo-header sum with the whole L4 length,
// as the kernel hands over a GSO frame or a partial checksum; h is the
// matching virtio_net_hdr of a GSO frame cut at mss.
func frame(v6 bool, proto uint8, payload []byte, mss int, tags ...uint16) ([]byte, Hdr) {
	l2 := 14 + 4*len(tags)
	l3, l4 := 20, 20
	if v6 {
		l3 = 40
	}
	if proto == ProtoUDP {
		l4 = 8
	}
	b := make([]byte, l2+l3+l4+len(payload))
	copy(b, []byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1})
	for i, t := range tags {
		binary.BigEndian.PutUint16(b[12+4*i:], t)
		binary.BigEndian.PutUint16(b[14+4*i:], uint16(i+5))
	}
	ip := b[l2:]
	l4len := l4 + len(payload)
	if v6 {
		binary.BigEndian.PutUint16(b[l2-2:], EtherTypeIPv6)
		ip[0] = 0x60
		binary.BigEndian.PutUint16(ip[4:], uint16(l4len))
		ip[6], ip[7] = proto, 64
		ip[8], ip[23] = 0xfd, 1
		ip[24], ip[39] = 0xfd, 2
	} else {
		binary.BigEndian.PutUint16(b[l2-2:], EtherTypeIPv4)
		ip[0] = 0x45
		binary.BigEndian.PutUint16(ip[2:], uint16(20+l4len))
		binary.BigEndian.PutUint16(ip[4:], 0x1234)
		ip[8], ip[9] = 64, proto
		copy(ip[12:], []byte{10, 0, 0, 1, 10, 0, 0, 2})
		binary.BigEndian.PutUint16(ip[10:], checksum.IPv4Header(ip[:20]))
	}
	l4h := b[l2+l3:]
	binary.BigEndian.PutUint16(l4h[0:], 5001)
	binary.BigEndian.PutUint16(l4h[2:], 40000)
	copy(l4h[l4:], payload)
	h := Hdr{Flags: FlagNeedsCsum, HdrLen: uint16(l2 + l3 + l4), GSOSize: uint16(mss), CsumStart: uint16(l2 + l3)}
	if proto == ProtoTCP {
		binary.BigEndian.PutUint32(l4h[4:], 0xfffff000) // wraps during the frame
		l4h[12] = 5 << 4
		l4h[13] = TCPPSH | TCPFIN | 0x10 | TCPCWR
		binary.BigEndian.PutUint16(l4h[16:], checksum.Fold(Pseudo(b, l2, v6, proto, l4len)))
		h.CsumOffset, h.GSOType = 16, GSOTCPv4
		if v6 {
			h.GSOType = GSOTCPv6
		}
	} else {
		binary.BigEndian.PutUint16(l4h[4:], uint16(l4len))
		binary.BigEndian.PutUint16(l4h[6:], checksum.Fold(Pseudo(b, l2, v6, proto, l4len)))
		h.CsumOffset, h.GSOType = 6, GSOUDPL4
	}
	return b, h
}

// pattern returns n bytes of a repeating pattern.
func pattern(n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(i * 7)
	}
	return p
}

// newPool starts an EAL (ended with the test) and makes a pool of mbufs,
// which must all be back when the test ends.
func newPool(t testing.TB, name string) *mempool.Mempool {
	t.Helper()
	testutil.InitEAL(t, "--in-memory")
	mp, err := mbuf.PoolCreate(name, 1023, 256, 0, mbuf.DefaultBufSize, -1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if mp.AvailCount() != mp.Size() {
			t.Errorf("%d of %d mbufs back in the pool", mp.AvailCount(), mp.Size())
		}
	})
	return mp
}

// chainOf copies f into a chain of mbufs of mp, cut after each of cuts'
// lengths, then every 2000 bytes.
func chainOf(t testing.TB, mp *mempool.Mempool, f []byte, cuts ...int) *mbuf.Mbuf {
	t.Helper()
	var segs []*mbuf.Mbuf
	rest := f
	for i := 0; i == 0 || len(rest) > 0; i++ {
		n := 2000
		if i < len(cuts) {
			n = cuts[i]
		}
		n = min(n, len(rest))
		m, err := mbuf.Alloc(mp, eal.LcoreIDAny)
		if err != nil {
			t.Fatal(err)
		}
		m.SetLen(uint16(n))
		copy(m.Data(), rest[:n])
		rest = rest[n:]
		segs = append(segs, m)
	}
	for i := len(segs) - 2; i >= 0; i-- {
		if err := mbuf.Chain(segs[i], segs[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	if int(segs[0].PktLen()) != len(f) {
		t.Fatalf("chain of %d bytes, want %d", segs[0].PktLen(), len(f))
	}
	return segs[0]
}
