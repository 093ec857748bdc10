package main

import (
	"encoding/binary"

	"dpk/acl"
	"dpk/hash"
	"dpk/lpm"
	"dpk/mbuf"
)

// router finds the output ports of a burst's IPv4 packets (w.idx4) and IPv6
// packets (w.idx6), whose headers are checked, and stores each in w.hop:
// a port, or hopDrop+dropNoRoute / hopDrop+dropACL. A router belongs to one
// worker: it holds that worker's lookup scratch. It must not allocate.
type router interface {
	route(w *worker, pkts []*mbuf.Mbuf)
}

// newRouter returns a router over t with scratch for bursts of burst
// packets.
func newRouter(t *tables, burst int) router {
	switch t.mode {
	case modeEM:
		r := &emRouter{t: t, keys4: make([][emKey4Len]byte, burst), keys6: make([][emKey6Len]byte, burst),
			k4: make([][]byte, burst), k6: make([][]byte, burst), data: make([]uint64, hash.LookupBulkMax)}
		for i := range burst {
			r.k4[i], r.k6[i] = r.keys4[i][:], r.keys6[i][:]
		}
		return r
	case modeACL:
		r := &aclRouter{t: t, in4: make([][acl4Len]byte, burst), in6: make([][acl6Len]byte, burst),
			p4: make([][]byte, burst), p6: make([][]byte, burst), res: make([]uint32, burst)}
		for i := range burst {
			r.p4[i], r.p6[i] = r.in4[i][:], r.in6[i][:]
		}
		return r
	}
	return &lpmRouter{t: t, ip4: make([]uint32, burst), res4: make([]uint32, burst),
		ip6: make([][16]byte, burst), res6: make([]int32, burst)}
}

// ipHdr returns the IP header of a checked packet.
func ipHdr(m *mbuf.Mbuf) []byte { return m.Data()[ethLen:] }

// lpmRouter looks destinations up in the LPM tables (lpm.LookupBulk,
// lpm6.LookupBulk).
type lpmRouter struct {
	t    *tables
	ip4  []uint32
	res4 []uint32
	ip6  [][16]byte
	res6 []int32
}

func (r *lpmRouter) route(w *worker, pkts []*mbuf.Mbuf) {
	if n := len(w.idx4); n > 0 {
		for k, i := range w.idx4 {
			r.ip4[k] = binary.BigEndian.Uint32(ipHdr(pkts[i])[ipv4Src+4:])
		}
		r.t.lpm4.LookupBulk(r.ip4[:n], r.res4[:n])
		for k, i := range w.idx4 {
			if e := r.res4[k]; e&lpm.LookupSuccess != 0 {
				w.hop[i] = uint16(e & lpm.MaxNextHop)
			} else {
				w.hop[i] = hopDrop + dropNoRoute
			}
		}
	}
	if n := len(w.idx6); n > 0 {
		for k, i := range w.idx6 {
			copy(r.ip6[k][:], ipHdr(pkts[i])[ipv6Src+16:])
		}
		r.t.lpm6.LookupBulk(r.ip6[:n], r.res6[:n])
		for k, i := range w.idx6 {
			if h := r.res6[k]; h >= 0 {
				w.hop[i] = uint16(h)
			} else {
				w.hop[i] = hopDrop + dropNoRoute
			}
		}
	}
}

// emRouter looks 5-tuples up in the exact-match hash tables
// (hash.LookupBulkData, at most hash.LookupBulkMax keys at a time).
type emRouter struct {
	t     *tables
	keys4 [][emKey4Len]byte
	keys6 [][emKey6Len]byte
	k4    [][]byte // k4[i] is keys4[i][:]
	k6    [][]byte
	data  []uint64
}

func (r *emRouter) route(w *worker, pkts []*mbuf.Mbuf) {
	for k, i := range w.idx4 {
		ip := ipHdr(pkts[i])
		emKey4(&r.keys4[k], ip[ipv4Proto], ip[ipv4Src:], ports4(ip))
	}
	r.lookup(w, r.t.em4, r.k4, w.idx4)
	for k, i := range w.idx6 {
		ip := ipHdr(pkts[i])
		emKey6(&r.keys6[k], ip[ipv6NextHd], ip[ipv6Src:], ports6(ip))
	}
	r.lookup(w, r.t.em6, r.k6, w.idx6)
}

func (r *emRouter) lookup(w *worker, h *hash.Hash, keys [][]byte, idx []uint16) {
	for off := 0; off < len(idx); off += hash.LookupBulkMax {
		n := min(hash.LookupBulkMax, len(idx)-off)
		var hits uint64
		if _, err := h.LookupBulkData(keys[off:off+n], &hits, r.data); err != nil {
			hits = 0
		}
		for k, i := range idx[off : off+n] {
			if hits&(1<<k) != 0 {
				w.hop[i] = uint16(min(r.data[k], hopDrop-1))
			} else {
				w.hop[i] = hopDrop + dropNoRoute
			}
		}
	}
}

// aclRouter classifies 5-tuples with the ACL contexts (acl.Classify, one
// category): a route's userdata is its port plus fwdPortShift, a deny
// rule's has denySignature set, 0 is no match.
type aclRouter struct {
	t   *tables
	in4 [][acl4Len]byte
	in6 [][acl6Len]byte
	p4  [][]byte // p4[i] is in4[i][:]
	p6  [][]byte
	res []uint32
}

func (r *aclRouter) route(w *worker, pkts []*mbuf.Mbuf) {
	for k, i := range w.idx4 {
		ip := ipHdr(pkts[i])
		aclInput4(&r.in4[k], ip[ipv4Proto], ip[ipv4Src:], ports4(ip))
	}
	r.classify(w, r.t.acl4, r.p4, w.idx4)
	for k, i := range w.idx6 {
		ip := ipHdr(pkts[i])
		aclInput6(&r.in6[k], ip[ipv6NextHd], ip[ipv6Src:], ports6(ip))
	}
	r.classify(w, r.t.acl6, r.p6, w.idx6)
}

func (r *aclRouter) classify(w *worker, c *acl.Context, in [][]byte, idx []uint16) {
	n := len(idx)
	if n == 0 {
		return
	}
	if c.Classify(in[:n], r.res[:n], 1) != nil {
		clear(r.res[:n])
	}
	for k, i := range idx {
		switch res := r.res[k]; {
		case res == 0:
			w.hop[i] = hopDrop + dropNoRoute
		case res&denySignature != 0:
			w.hop[i] = hopDrop + dropACL
		default:
			w.hop[i] = uint16(min(res-fwdPortShift, hopDrop-1))
		}
	}
}
