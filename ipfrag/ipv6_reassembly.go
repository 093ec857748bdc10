package ipfrag

import (
	"encoding/binary"

	"dpk/mbuf"
	"dpk/pkt"
)

// ReassembleIPv6 takes one IPv6 fragment, received at time tms, into the
// table (rte_ipv6_frag_reassemble_packet). m holds the packet, its IPv6
// header m.L2Len() bytes into the first segment; ip is a view of that
// header and frag of the fragment header within it, or nil to have it
// found. The fragment header may follow per-fragment (unfragmentable)
// headers, hop-by-hop, destination options and routing, which must lie in
// the first segment; they are kept from the first fragment (DPDK drops
// such fragments).
//
// The results are ReassembleIPv4's: the reassembled datagram, without its
// fragment header (the next-header field before it fixed, the payload
// length set, L2Len/L3Len set); m itself when it has no fragment header;
// nil and nil when m is held; nil and an error when m was dropped to the
// death row. An atomic fragment (offset 0, M clear; RFC 6946) is returned
// at once without its fragment header.
func ReassembleIPv6(tbl *Table, dr *DeathRow, m *mbuf.Mbuf, tms uint64, ip pkt.IPv6, frag pkt.IPv6Fragment) (*mbuf.Mbuf, error) {
	if m == nil {
		tbl.stats.Malformed++
		return nil, ErrMalformed
	}
	l2 := int(m.L2Len())
	ip = headerAt(m, l2, ip, pkt.IPv6Len)
	if ip == nil || ip.Version() != 6 {
		return tbl.drop(dr, m, &tbl.stats.Malformed, ErrMalformed)
	}
	// Walk the per-fragment headers to the fragment header.
	nh, off, nhAt := ip.NextHeader(), pkt.IPv6Len, 6
	for n := 0; nh != pkt.IPProtoFragment; n++ {
		if nh != pkt.IPProtoHopOpts && nh != pkt.IPProtoRouting && nh != pkt.IPProtoDstOpts || n == pkt.MaxIPv6ExtHeaders {
			if frag != nil {
				return tbl.drop(dr, m, &tbl.stats.Malformed, ErrMalformed)
			}
			return m, nil
		}
		if off+2 > len(ip) {
			return tbl.drop(dr, m, &tbl.stats.Malformed, ErrMalformed)
		}
		nhAt, nh = off, ip[off]
		off += (int(ip[off+1]) + 1) * 8
	}
	l3 := off + pkt.IPv6FragmentLen
	if l3 > len(ip) || frag != nil && (len(frag) == 0 || &frag[0] != &ip[off]) {
		return tbl.drop(dr, m, &tbl.stats.Malformed, ErrMalformed)
	}
	fh := pkt.IPv6Fragment(ip[off:l3])
	ofs := uint32(fh.FragmentOffset())
	more := fh.More()
	tl := uint32(pkt.IPv6Len) + uint32(ip.PayloadLength())
	if tl < uint32(l3) || tl == uint32(l3) && (more || ofs != 0) {
		return tbl.drop(dr, m, &tbl.stats.Malformed, ErrMalformed)
	}
	ipLen := tl - uint32(l3)
	if uint32(off-pkt.IPv6Len)+ofs+ipLen > maxDatagram {
		return tbl.drop(dr, m, &tbl.stats.Oversize, ErrOversize)
	}
	if more && ipLen%8 != 0 {
		return tbl.drop(dr, m, &tbl.stats.Malformed, ErrMalformed)
	}
	switch want := uint32(l2) + tl; {
	case m.PktLen() < want:
		return tbl.drop(dr, m, &tbl.stats.Malformed, ErrMalformed)
	case m.PktLen() > want:
		trimTo(m, want)
	}
	if !more && ofs == 0 {
		finishIPv6(m, l2, l3, nhAt, ipLen)
		tbl.stats.Atomic++
		return m, nil
	}
	if tbl.tinyCheck && ofs == 0 && tinyFirst(m, uint32(l2+l3), ipLen, fh.NextHeader(), true) {
		return tbl.drop(dr, m, &tbl.stats.TinyFragment, ErrTinyFragment)
	}
	k := fragKey{id: fh.ID(), klen: keyLenIPv6}
	for i := range k.srcDst {
		k.srcDst[i] = binary.LittleEndian.Uint64(ip[8+8*i:])
	}
	idx, err := tbl.find(dr, &k, tms)
	if idx < 0 {
		dr.put(m)
		return nil, err
	}
	return tbl.process(idx, dr, m, slot{ofs: uint16(ofs), len: uint16(ipLen), l2: uint16(l2), l3: uint16(l3), aux: uint16(nhAt)}, more)
}
