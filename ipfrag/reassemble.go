package ipfrag

import (
	"encoding/binary"

	"dpk/mbuf"
	"dpk/pkt"
)

// maxDatagram is the largest IPv4 datagram and IPv6 payload.
const maxDatagram = 65535

// process adds fragment m, described by s, to entry idx (ip_frag_process,
// with the duplicate, overlap and end checks DPDK added after 22.11). It
// returns the reassembled datagram when m completes it.
func (t *Table) process(idx int32, dr *DeathRow, m *mbuf.Mbuf, s slot, more bool) (*mbuf.Mbuf, error) {
	e := &t.pkts[idx]
	ofs := uint32(s.ofs)
	end := ofs + uint32(s.len)
	for i := range e.frags[:e.n] {
		f := &e.frags[i]
		fo, fe := uint32(f.ofs), uint32(f.ofs)+uint32(f.len)
		if fo == ofs && fe == end {
			dr.put(m)
			t.stats.Duplicate++
			return nil, ErrDuplicate
		}
		if ofs < fe && fo < end {
			t.discard(idx, dr, m)
			t.stats.Overlap++
			return nil, ErrOverlap
		}
	}
	switch {
	case !more && (e.total != unknownTotal || end < e.maxEnd),
		more && e.total != unknownTotal && end > e.total:
		t.discard(idx, dr, m)
		t.stats.Inconsistent++
		return nil, ErrInconsistent
	case e.n == t.maxFrags:
		t.discard(idx, dr, m)
		t.stats.TooManyFrags++
		return nil, ErrTooManyFrags
	}
	if !more {
		e.total = end
	}
	s.mb = m
	e.frags[e.n] = s
	e.n++
	e.size += uint32(s.len)
	e.maxEnd = max(e.maxEnd, end)
	if e.size < e.total {
		return nil, nil
	}
	// The fragments are disjoint and lie in [0, total), and their sizes
	// add up to total: they cover the datagram without a hole.
	out := t.reassemble(e, dr)
	t.release(idx)
	if out == nil {
		t.stats.Malformed++
		return nil, ErrMalformed
	}
	t.stats.Reassembled++
	return out, nil
}

// discard drops entry idx's datagram and the fragment m.
func (t *Table) discard(idx int32, dr *DeathRow, m *mbuf.Mbuf) {
	t.del(idx, dr)
	dr.put(m)
}

// reassemble chains a complete datagram's fragments in offset order behind
// the first one, stripped of their headers, and fixes the first one's
// header (ipv4_frag_reassemble, ipv6_frag_reassemble). Should the chain
// be too long for an mbuf (over 65,535 segments) it drops the fragments
// and returns nil.
func (t *Table) reassemble(e *entry, dr *DeathRow) *mbuf.Mbuf {
	fr := e.frags[:e.n]
	// Insertion sort: few fragments, no allocation.
	for i := 1; i < len(fr); i++ {
		for j := i; j > 0 && fr[j].ofs < fr[j-1].ofs; j-- {
			fr[j], fr[j-1] = fr[j-1], fr[j]
		}
	}
	segs := 0
	for i := range fr {
		segs += int(fr[i].mb.NbSegs())
	}
	if segs > mbuf.MaxSegs {
		e.freeTo(dr)
		return nil
	}
	// Chain from the end, so that each Chain walks one fragment's
	// segments only.
	for i := len(fr) - 1; i > 0; i-- {
		m := fr[i].mb
		_ = m.Adj(fr[i].l2 + fr[i].l3) // the header lies in the first segment
		_ = mbuf.Chain(fr[i-1].mb, m)  // segments counted above
		fr[i].mb = nil
	}
	head, first := fr[0].mb, fr[0]
	fr[0].mb = nil
	e.n = 0
	if e.key.klen == keyLenIPv4 {
		finishIPv4(head, int(first.l2), int(first.l3), e.total)
	} else {
		finishIPv6(head, int(first.l2), int(first.l3), int(first.aux), e.total)
	}
	return head
}

// finishIPv4 makes the first fragment's header the datagram's: total
// length, flags and offset cleared but DF, checksum. (DPDK leaves the
// checksum 0 for the NIC to fill in.)
func finishIPv4(m *mbuf.Mbuf, l2, hl int, total uint32) {
	ip := pkt.IPv4(m.Data()[l2 : l2+hl])
	binary.BigEndian.PutUint16(ip[2:], uint16(total)+uint16(hl))
	binary.BigEndian.PutUint16(ip[6:], ip.FlagsFragmentOffset()&pkt.IPv4FlagDF)
	ip.SetChecksum(ip.CalculateChecksum())
	setL2L3(m, l2, hl)
}

// finishIPv6 removes the fragment header that ends at l2+l3 in the first
// segment: the next-header byte at aux in the IP header that named it now
// names what the fragment header named, the headers before it move up 8
// bytes and the payload length becomes the unfragmentable headers' plus
// total.
func finishIPv6(m *mbuf.Mbuf, l2, l3, aux int, total uint32) {
	d := m.Data()
	fh := l2 + l3 - pkt.IPv6FragmentLen
	d[l2+aux] = d[fh]
	binary.BigEndian.PutUint16(d[l2+4:], uint16(uint32(l3-pkt.IPv6FragmentLen-pkt.IPv6Len)+total))
	copy(d[pkt.IPv6FragmentLen:fh+pkt.IPv6FragmentLen], d[:fh])
	_ = m.Adj(pkt.IPv6FragmentLen)
	setL2L3(m, l2, l3-pkt.IPv6FragmentLen)
}

// setL2L3 sets the L2 and L3 lengths of the TX offload fields, keeping the
// others.
func setL2L3(m *mbuf.Mbuf, l2, l3 int) {
	m.SetTxOffload(uint32(l2), uint32(l3), m.L4Len(), m.TSOSegsz(), m.OuterL3Len(), m.OuterL2Len())
}

// headerAt returns ip cut to m's first segment if it starts l2 bytes into
// that segment's data and has at least min bytes there; else nil.
func headerAt(m *mbuf.Mbuf, l2 int, ip []byte, min int) []byte {
	d := m.Data()
	if l2 >= len(d) || len(ip) == 0 || &d[l2] != &ip[0] {
		return nil
	}
	ip = ip[:cap(ip)]
	if n := len(d) - l2; len(ip) > n {
		ip = ip[:n]
	}
	if len(ip) < min {
		return nil
	}
	return ip
}

// trimTo cuts a packet to n bytes, dropping Ethernet padding after the IP
// datagram. Segments past the end are left empty rather than unlinked.
func trimTo(m *mbuf.Mbuf, n uint32) {
	var cum uint32
	for s := m; s != nil; s = s.Next() {
		dl := uint32(s.DataLen())
		switch {
		case cum >= n:
			s.SetDataLen(0)
		case cum+dl > n:
			s.SetDataLen(uint16(n - cum))
		}
		cum += dl
	}
	m.SetPktLen(n)
}

// minL4 returns the bytes of upper-layer header a first fragment must
// carry: the part that holds ports and (TCP) flags.
func minL4(proto uint8) uint32 {
	switch proto {
	case pkt.IPProtoTCP:
		return 20
	case pkt.IPProtoSCTP:
		return 12
	case pkt.IPProtoUDP, pkt.IPProtoUDPLite, pkt.IPProtoICMP, pkt.IPProtoICMPv6:
		return 8
	}
	return 0
}

// tinyFirst reports whether a first fragment, whose data (ipLen bytes)
// starts at off in m and begins with a header of type proto, is too short
// for its IPv6 extension headers (v6 only) and upper-layer header.
func tinyFirst(m *mbuf.Mbuf, off, ipLen uint32, proto uint8, v6 bool) bool {
	pos := uint32(0)
	if v6 {
		var buf [2]byte
		for n := 0; pkt.IsIPv6ExtHeader(proto); n++ {
			if n == pkt.MaxIPv6ExtHeaders || pos+2 > ipLen {
				return true
			}
			b := m.Read(off+pos, 2, buf[:])
			if b == nil {
				return true
			}
			switch proto {
			case pkt.IPProtoFragment:
				pos += pkt.IPv6FragmentLen
			case pkt.IPProtoAH:
				pos += (uint32(b[1]) + 2) * 4
			default:
				pos += (uint32(b[1]) + 1) * 8
			}
			proto = b[0]
		}
		if pos > ipLen {
			return true
		}
	}
	return pos+minL4(proto) > ipLen
}
