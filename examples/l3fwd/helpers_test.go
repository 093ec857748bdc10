package main

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"path/filepath"
	"sync/atomic"
	"testing"

	"dpk/internal/testutil"
	"dpk/mbuf"
	"dpk/mempool"
	"dpk/pkt"
	"dpk/pkt/checksum"
)

// flow describes a test packet: an Ethernet frame holding an IPv4 or IPv6
// header (by the family of src and dst) and 8 bytes of L4 header starting
// with the ports, then payload bytes.
type flow struct {
	src, dst     netip.Addr
	proto        uint8
	sport, dport uint16
	ttl          uint8 // 0: 64
	payload      int
}

// frame encodes f with valid IPv4 checksum and lengths.
func (f flow) frame() []byte {
	v6 := f.src.Is6()
	l3 := ipv4MinLen
	if v6 {
		l3 = ipv6Len
	}
	ttl := f.ttl
	if ttl == 0 {
		ttl = 64
	}
	b := make([]byte, ethLen+l3+8+f.payload)
	copy(b[0:6], []byte{0x02, 0xaa, 0, 0, 0, 1})
	copy(b[6:12], []byte{0x02, 0xbb, 0, 0, 0, 2})
	ip := b[ethLen:]
	if v6 {
		binary.BigEndian.PutUint16(b[12:], pkt.EtherTypeIPv6)
		ip[0] = 0x60
		binary.BigEndian.PutUint16(ip[4:], uint16(8+f.payload))
		ip[ipv6NextHd], ip[ipv6HopLim] = f.proto, ttl
		s, d := f.src.As16(), f.dst.As16()
		copy(ip[8:], s[:])
		copy(ip[24:], d[:])
	} else {
		binary.BigEndian.PutUint16(b[12:], pkt.EtherTypeIPv4)
		ip[0] = 0x45
		binary.BigEndian.PutUint16(ip[2:], uint16(l3+8+f.payload))
		binary.BigEndian.PutUint16(ip[4:], 0x1234)
		ip[ipv4TTL], ip[ipv4Proto] = ttl, f.proto
		s, d := f.src.As4(), f.dst.As4()
		copy(ip[12:], s[:])
		copy(ip[16:], d[:])
		binary.BigEndian.PutUint16(ip[ipv4Cksum:], checksum.IPv4Header(ip[:l3]))
	}
	binary.BigEndian.PutUint16(ip[l3:], f.sport)
	binary.BigEndian.PutUint16(ip[l3+2:], f.dport)
	for i := range f.payload {
		ip[l3+8+i] = byte(i)
	}
	return b
}

// wirePorts returns the ports l3fwd reads from f: its ports for TCP, UDP
// and SCTP, else 0.
func (f flow) wirePorts() (uint16, uint16) {
	if hasPorts(f.proto) {
		return f.sport, f.dport
	}
	return 0, 0
}

var poolSeq atomic.Uint32

// newPool makes an mbuf pool freed when the test ends.
func newPool(t testing.TB, n uint32) *mempool.Mempool {
	t.Helper()
	mp, err := mbuf.PoolCreate(fmt.Sprintf("l3t_%d", poolSeq.Add(1)), n, 0, 0, mbuf.DefaultBufSize, -1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mp.Free() })
	return mp
}

// toMbufs copies frames into mbufs of mp.
func toMbufs(t testing.TB, mp *mempool.Mempool, frames [][]byte) []*mbuf.Mbuf {
	t.Helper()
	ms := make([]*mbuf.Mbuf, len(frames))
	if err := mbuf.AllocBulk(mp, ms, 0); err != nil {
		t.Fatal(err)
	}
	for i, f := range frames {
		d, err := ms[i].Append(uint16(len(f)))
		if err != nil {
			t.Fatal(err)
		}
		copy(d, f)
	}
	return ms
}

// cfgFile returns the path of a rule file the tests read: DPDK's sample
// files come from the shared data directory (shared/data/l3fwd), dpk's own
// from testdata.
func cfgFile(t testing.TB, name string) string {
	switch name {
	case "lpm_default_v4.cfg", "lpm_default_v6.cfg", "em_default_v4.cfg", "em_default_v6.cfg":
		return testutil.SharedData(t, "l3fwd/"+name)
	}
	return filepath.Join("testdata", name)
}
