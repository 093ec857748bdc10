package ipfrag

import (
	"encoding/binary"

	"dpk/mbuf"
	"dpk/pkt"
)

// ReassembleIPv4 takes one IPv4 fragment, received at time tms (TSC
// cycles, as sys.Rdtsc gives), into the table
// (rte_ipv4_frag_reassemble_packet). m holds the packet, its IP header
// m.L2Len() bytes into the first segment (0 when the packet starts at L3),
// and ip is a view of that header, as pkt.ParseIPv4(m.Data()[m.L2Len():])
// returns. The L3 length is read from the header; m's TX offload lengths
// need not be set.
//
// It returns:
//   - the reassembled datagram and nil when m completes one: the first
//     fragment's mbuf (its L2 header kept) with the others' data chained
//     behind it, total length set, MF and offset cleared (DF kept), header
//     checksum recomputed, L2Len/L3Len set; the caller owns it;
//   - m itself and nil when m is not a fragment (MF clear, offset 0);
//   - nil and nil when m is held until the datagram's other fragments
//     come;
//   - nil and an error when m was dropped: it is on the death row (with
//     the rest of its datagram for ErrOverlap, ErrInconsistent and
//     ErrTooManyFrags), the reason counted in tbl's Stats.
//
// Either way the caller no longer owns m unless it is returned. Nothing
// here frees an mbuf or allocates: drops go to dr (see FreeDeathRow).
func ReassembleIPv4(tbl *Table, dr *DeathRow, m *mbuf.Mbuf, tms uint64, ip pkt.IPv4) (*mbuf.Mbuf, error) {
	if m == nil {
		tbl.stats.Malformed++
		return nil, ErrMalformed
	}
	l2 := int(m.L2Len())
	ip = headerAt(m, l2, ip, pkt.IPv4MinLen)
	if ip == nil || ip.Version() != pkt.IPv4Version {
		return tbl.drop(dr, m, &tbl.stats.Malformed, ErrMalformed)
	}
	hl := ip.HeaderLen()
	if hl < pkt.IPv4MinLen || hl > len(ip) {
		return tbl.drop(dr, m, &tbl.stats.Malformed, ErrMalformed)
	}
	fo := ip.FlagsFragmentOffset()
	if fo&(pkt.IPv4FlagMF|pkt.IPv4FragOffsetMask) == 0 {
		return m, nil
	}
	ofs := uint32(fo&pkt.IPv4FragOffsetMask) << 3
	more := fo&pkt.IPv4FlagMF != 0
	tl := uint32(ip.TotalLength())
	if tl <= uint32(hl) {
		return tbl.drop(dr, m, &tbl.stats.Malformed, ErrMalformed)
	}
	ipLen := tl - uint32(hl)
	if ofs+tl > maxDatagram {
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
	proto := ip.Protocol()
	if tbl.tinyCheck && (ofs == 0 && tinyFirst(m, uint32(l2+hl), ipLen, proto, false) ||
		ofs == 8 && proto == pkt.IPProtoTCP) {
		return tbl.drop(dr, m, &tbl.stats.TinyFragment, ErrTinyFragment)
	}
	k := fragKey{id: uint32(ip.ID()) | uint32(proto)<<16, klen: keyLenIPv4}
	k.srcDst[0] = binary.LittleEndian.Uint64(ip[12:20])
	idx, err := tbl.find(dr, &k, tms)
	if idx < 0 {
		dr.put(m)
		return nil, err
	}
	return tbl.process(idx, dr, m, slot{ofs: uint16(ofs), len: uint16(ipLen), l2: uint16(l2), l3: uint16(hl)}, more)
}

// drop puts m on the death row and counts it in *ctr.
func (t *Table) drop(dr *DeathRow, m *mbuf.Mbuf, ctr *uint64, err error) (*mbuf.Mbuf, error) {
	dr.put(m)
	*ctr++
	return nil, err
}
