package ipfrag

import (
	"encoding/binary"

	"dpk/mbuf"
	"dpk/mempool"
	"dpk/pkt"
)

// Minimum MTUs (RTE_ETHER_MIN_MTU, RTE_IPV6_MIN_MTU).
const (
	MinMTUIPv4 = 68
	MinMTUIPv6 = 1280
)

// IPv4 option types with a meaning here (RTE_IPV4_HDR_OPT_*).
const (
	optEOL    = 0
	optNOP    = 1
	optCopied = 0x80 // the copy flag: the option goes into every fragment
)

// cursor walks the input packet's data, segment by segment.
type cursor struct {
	seg *mbuf.Mbuf
	pos uint32 // offset in seg's data
}

// attach appends n bytes of the input, from the cursor on, to out as
// indirect mbufs from pool attached to the input's segments: one per input
// segment the bytes lie in, each windowed with Adj and Trim. No data is
// copied.
func (c *cursor) attach(out *mbuf.Mbuf, n uint32, pool *mempool.Mempool, lcore uint32) error {
	for n > 0 {
		for c.pos >= uint32(c.seg.DataLen()) {
			c.pos -= uint32(c.seg.DataLen())
			if c.seg = c.seg.Next(); c.seg == nil {
				return ErrMalformed
			}
		}
		dl := uint32(c.seg.DataLen())
		k := min(n, dl-c.pos)
		mi, err := mbuf.Alloc(pool, lcore)
		if err != nil {
			return ErrNoMbufs
		}
		if err := mbuf.Attach(mi, c.seg); err != nil {
			mi.Free(lcore)
			return err
		}
		_ = mi.Adj(uint16(c.pos))
		_ = mi.Trim(uint16(dl - c.pos - k))
		if err := mbuf.Chain(out, mi); err != nil {
			mi.Free(lcore)
			return err
		}
		c.pos += k
		n -= k
	}
	return nil
}

// freeOut frees the fragments built so far.
func freeOut(out []*mbuf.Mbuf, lcore uint32) {
	for i, m := range out {
		m.Free(lcore)
		out[i] = nil
	}
}

// FragmentIPv4 cuts the IPv4 packet in into fragments of at most mtu bytes
// (rte_ipv4_fragment_packet) and returns how many it put in out.
//
// in must start at the IPv4 header, which must lie in its first segment:
// as in DPDK, the caller strips the L2 header first and puts one back on
// each fragment. The payload may span any number of segments. Each
// fragment is a new direct mbuf from direct holding a copy of the header
// (total length, MF and offset set, checksum computed, L3Len set),
// followed by indirect mbufs from indirect attached to in's buffers: the
// payload is not copied. Non-first fragments carry only the options whose
// copy flag is set (RFC 791), padded to a multiple of 4 bytes. Fragment
// payloads are a multiple of 8 bytes but the last. A packet that already
// is a fragment is cut further, keeping its offset and MF.
//
// in is not consumed: the caller still owns it and frees it when it likes;
// its buffers live on, by reference count, until the fragments are freed.
// Bytes beyond the total length (padding) are not sent. lcore names the
// mempool caches used (eal.LcoreIDAny: none).
//
// Errors: ErrMTU, ErrDontFragment, ErrOutTooSmall, ErrMalformed (a header
// that does not parse, a total length beyond the packet), ErrNoMbufs and
// ErrHeaderRoom. On error nothing is left allocated and out holds nils
// where fragments had been put.
func FragmentIPv4(in *mbuf.Mbuf, out []*mbuf.Mbuf, mtu uint16, direct, indirect *mempool.Mempool, lcore uint32) (int, error) {
	if mtu < MinMTUIPv4 {
		return 0, ErrMTU
	}
	ip, err := pkt.ParseIPv4(in.Data())
	if err != nil {
		return 0, ErrMalformed
	}
	hl := uint32(ip.HeaderLen())
	if uint32(mtu) < hl+8 {
		return 0, ErrMTU
	}
	fragSize := (uint32(mtu) - hl) &^ 7
	flagOfs := ip.FlagsFragmentOffset()
	if flagOfs&pkt.IPv4FlagDF != 0 {
		return 0, ErrDontFragment
	}
	tl := uint32(ip.TotalLength())
	baseOfs := uint32(flagOfs&pkt.IPv4FragOffsetMask) << 3
	if tl < hl || tl > in.PktLen() || baseOfs+tl > maxDatagram {
		return 0, ErrMalformed
	}
	payload := tl - hl
	nfrag := max(1, (payload+fragSize-1)/fragSize)
	if nfrag > uint32(len(out)) {
		return 0, ErrOutTooSmall
	}

	// The header of the fragments after the first: the options to copy
	// only, unless in is itself a non-first fragment, whose header holds
	// those already.
	var rest [pkt.IPv4MaxLen]byte
	restLen := hl
	copy(rest[:], ip[:hl])
	if hl > pkt.IPv4MinLen && baseOfs == 0 {
		restLen = copiedOptions(&rest, ip.Options())
	}

	cur := cursor{seg: in, pos: hl}
	hdr, hdrLen := ip[:hl], hl
	var done uint32
	for i := range nfrag {
		m, err := mbuf.Alloc(direct, lcore)
		if err != nil {
			freeOut(out[:i], lcore)
			return 0, ErrNoMbufs
		}
		h, err := m.Append(uint16(hdrLen))
		if err != nil {
			m.Free(lcore)
			freeOut(out[:i], lcore)
			return 0, ErrHeaderRoom
		}
		copy(h, hdr)
		n := min(fragSize, payload-done)
		if err := cur.attach(m, n, indirect, lcore); err != nil {
			m.Free(lcore)
			freeOut(out[:i], lcore)
			return 0, err
		}
		fo := flagOfs + uint16(done>>3)
		if done+n < payload {
			fo |= pkt.IPv4FlagMF
		}
		binary.BigEndian.PutUint16(h[2:], uint16(hdrLen+n))
		binary.BigEndian.PutUint16(h[6:], fo)
		oh := pkt.IPv4(h)
		oh.SetChecksum(oh.CalculateChecksum())
		m.SetTxOffload(0, hdrLen, 0, 0, 0, 0)
		out[i] = m
		done += n
		hdr, hdrLen = rest[:restLen], restLen
	}
	return int(nfrag), nil
}

// copiedOptions rewrites dst, which holds a copy of an IPv4 header, into
// the header of a non-first fragment: the options whose copy flag is set,
// padded with end-of-list bytes to a multiple of 4, and the IHL to match
// (__create_ipopt_frag_hdr). It returns the new header length. Parsing
// stops at an end-of-list option or a malformed length, as DPDK's does.
func copiedOptions(dst *[pkt.IPv4MaxLen]byte, opts []byte) uint32 {
	n := pkt.IPv4MinLen
	for i := 0; i < len(opts); {
		t := opts[i]
		if t == optNOP {
			i++
			continue
		}
		if t == optEOL || i+1 >= len(opts) {
			break
		}
		l := int(opts[i+1])
		if l < 2 || l > len(opts)-i {
			break
		}
		if t&optCopied != 0 {
			n += copy(dst[n:], opts[i:i+l])
		}
		i += l
	}
	for n%4 != 0 {
		dst[n] = optEOL
		n++
	}
	clear(dst[n:])
	dst[0] = pkt.IPv4Version<<4 | byte(n/4)
	return uint32(n)
}

// FragmentIPv6 cuts the IPv6 packet in into fragments of at most mtu bytes
// (rte_ipv6_fragment_packet), each with a fragment header carrying id, and
// returns how many it put in out.
//
// As for FragmentIPv4, in starts at the IPv6 header, not consumed, and each
// fragment is a direct mbuf with the copied headers followed by indirect
// mbufs over in's payload. The unfragmentable part (RFC 8200: the IPv6
// header and any hop-by-hop, routing and destination options headers up to
// the last routing header) is copied into every fragment, the fragment
// header inserted after it; DPDK copies the 40-byte header only and sets
// the identification to 0, so dpk takes id from the caller (who should
// make it unique per source and destination). The unfragmentable part
// must lie in the first segment; the rest may span any number.
//
// Errors: ErrMTU (below 1280, or no room for 8 bytes of payload),
// ErrNotSupported (a jumbogram, or a packet that already has a fragment
// header), ErrOutTooSmall, ErrMalformed, ErrNoMbufs, ErrHeaderRoom.
func FragmentIPv6(in *mbuf.Mbuf, out []*mbuf.Mbuf, mtu uint16, id uint32, direct, indirect *mempool.Mempool, lcore uint32) (int, error) {
	if mtu < MinMTUIPv6 {
		return 0, ErrMTU
	}
	d := in.Data()
	ip, err := pkt.ParseIPv6(d)
	if err != nil || ip.Version() != 6 {
		return 0, ErrMalformed
	}
	tl := uint32(pkt.IPv6Len) + uint32(ip.PayloadLength())
	if ip.PayloadLength() == 0 && in.PktLen() > pkt.IPv6Len {
		return 0, ErrNotSupported
	}
	if tl > in.PktLen() {
		return 0, ErrMalformed
	}
	// Find the end of the unfragmentable part and the next-header byte
	// that names the first fragmentable header. Headers after it may lie
	// in any segment.
	unfrag, nhAt := uint32(pkt.IPv6Len), uint32(6)
	nh, off := ip.NextHeader(), uint32(pkt.IPv6Len)
	var buf [2]byte
walk:
	for n := 0; n < pkt.MaxIPv6ExtHeaders; n++ {
		switch nh {
		case pkt.IPProtoHopOpts, pkt.IPProtoRouting, pkt.IPProtoDstOpts:
		case pkt.IPProtoFragment:
			return 0, ErrNotSupported
		default:
			break walk
		}
		b := in.Read(off, 2, buf[:])
		if b == nil || off+2 > tl {
			return 0, ErrMalformed
		}
		hl := (uint32(b[1]) + 1) * 8
		if off+hl > tl {
			return 0, ErrMalformed
		}
		if nh != pkt.IPProtoDstOpts {
			unfrag, nhAt = off+hl, off
		}
		nh = b[0]
		off += hl
	}
	if unfrag > uint32(len(d)) {
		return 0, ErrMalformed
	}
	if uint32(mtu) < unfrag+pkt.IPv6FragmentLen+8 {
		return 0, ErrMTU
	}
	fragSize := (uint32(mtu) - unfrag - pkt.IPv6FragmentLen) &^ 7
	payload := tl - unfrag
	nfrag := max(1, (payload+fragSize-1)/fragSize)
	if nfrag > uint32(len(out)) {
		return 0, ErrOutTooSmall
	}
	firstNH := d[nhAt]
	hdrLen := unfrag + pkt.IPv6FragmentLen
	cur := cursor{seg: in, pos: unfrag}
	var done uint32
	for i := range nfrag {
		m, err := mbuf.Alloc(direct, lcore)
		if err != nil {
			freeOut(out[:i], lcore)
			return 0, ErrNoMbufs
		}
		h, err := m.Append(uint16(hdrLen))
		if err != nil {
			m.Free(lcore)
			freeOut(out[:i], lcore)
			return 0, ErrHeaderRoom
		}
		copy(h, d[:unfrag])
		n := min(fragSize, payload-done)
		if err := cur.attach(m, n, indirect, lcore); err != nil {
			m.Free(lcore)
			freeOut(out[:i], lcore)
			return 0, err
		}
		h[nhAt] = pkt.IPProtoFragment
		binary.BigEndian.PutUint16(h[4:], uint16(hdrLen-pkt.IPv6Len+n))
		_ = pkt.IPv6Fragment(h[unfrag:]).Encode(firstNH, uint16(done), done+n < payload, id)
		m.SetTxOffload(0, hdrLen, 0, 0, 0, 0)
		out[i] = m
		done += n
	}
	return int(nfrag), nil
}
