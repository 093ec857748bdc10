package main

import (
	"bytes"
	"fmt"
	"sync/atomic"

	"dpk/eal"
	"dpk/hash"
	"dpk/mbuf"
	"dpk/pkt"
)

// burstMax is the most packets the per-burst function classifies at
// once: one bulk lookup per family (hash.LookupBulkMax). Longer bursts
// are cut into pieces of that size.
const burstMax = hash.LookupBulkMax

// tableFlags are the flow tables' options: lookups take no lock and may
// run beside the writer (the forwarding lcore, the only one that adds),
// and an extendable bucket table makes every one of the table's entries
// usable, so that a table refuses a flow only when it holds its maximum.
const tableFlags = hash.FlagRWConcurrencyLF | hash.FlagExtTable

// counter is a number of packets and of bytes (frame lengths, without
// the Ethernet FCS).
type counter struct {
	pkts, bytes uint64
}

func (c *counter) add(frameLen uint32) {
	c.pkts++
	c.bytes += uint64(frameLen)
}

// flowTable is one family's flows: a cuckoo hash of 5-tuples whose
// positions index a slice of counters, preallocated for every position
// the table can give. One goroutine (the forwarding lcore) adds and
// counts; nothing else touches it while it runs.
type flowTable struct {
	h     *hash.Hash
	stats []counter // by hash position
	max   int32     // capacity: the table's MaxKeyID
	n     int32     // flows in the table
	hw    int32     // highest position given + 1: stats[hw:] are unused
}

var tableSeq atomic.Uint32

// createTable creates a hash table of entries keys of keyLen bytes
// (keyLen4 or keyLen6), hashed with CRC32C, with tableFlags and a name
// unique in the process.
func createTable(family string, keyLen, entries uint32) (*hash.Hash, error) {
	return hash.Create(hash.Params{
		Name:       fmt.Sprintf("flowcount_%s_%d", family, tableSeq.Add(1)),
		Entries:    entries,
		KeyLen:     keyLen,
		HashFunc:   hash.CRC32C,
		Socket:     eal.SocketIDAny,
		ExtraFlags: tableFlags,
	})
}

// newFlowTable creates a table of up to entries flows with keys of keyLen
// bytes and its counters.
func newFlowTable(family string, keyLen, entries uint32) (*flowTable, error) {
	h, err := createTable(family, keyLen, entries)
	if err != nil {
		return nil, err
	}
	return &flowTable{h: h, stats: make([]counter, h.MaxKeyID()), max: h.MaxKeyID()}, nil
}

func (t *flowTable) free() {
	if t != nil && t.h != nil {
		t.h.Free()
		t.h = nil
	}
}

// count looks keys up in one bulk lookup and adds each packet to its
// flow's counters, creating the flows not seen before. A packet whose
// flow finds no room goes to untracked. pos is scratch, as long as keys.
func (t *flowTable) count(keys [][]byte, lens []uint32, pos []int32, untracked *counter) {
	if t.h.LookupBulk(keys, pos) != nil {
		// Only a bad count fails, which the caller never makes; count the
		// packets rather than lose them.
		for _, l := range lens {
			untracked.add(l)
		}
		return
	}
	for i, p := range pos {
		if p < 0 {
			if p = t.add(keys[i]); p < 0 {
				untracked.add(lens[i])
				continue
			}
		}
		s := &t.stats[p]
		s.pkts++
		s.bytes += uint64(lens[i])
	}
}

// add adds a flow the bulk lookup missed and returns its position, or -1
// when the table is full. The key may have been added by an earlier
// packet of the same burst: Add then returns the position it has.
func (t *flowTable) add(key []byte) int32 {
	if t.n >= t.max {
		// Full: only a flow added earlier in this burst can be found.
		p, err := t.h.Lookup(key)
		if err != nil {
			return -1
		}
		return p
	}
	p, err := t.h.Add(key)
	if err != nil {
		return -1 // ErrNoSpace; the extendable table makes it unexpected
	}
	if t.stats[p].pkts == 0 {
		// Every flow gets its first packet at once: a zero count is a
		// position just taken.
		t.n++
		t.hw = max(t.hw, p+1)
	}
	return p
}

// key returns the key at position p (aliasing the table).
func (t *flowTable) key(p int32) []byte {
	k, err := t.h.GetKeyWithPosition(p)
	if err != nil {
		return nil
	}
	return k
}

// flowCounter classifies bursts of packets, counts them per flow and
// swaps their MAC addresses. It belongs to one goroutine.
type flowCounter struct {
	v4, v6                      *flowTable
	other, malformed, untracked counter

	// Per-burst scratch: the keys of one burst and the frame lengths of
	// their packets, in the order met. keys4[i] is k4[i][:], set once.
	k4           [burstMax]key4
	k6           [burstMax]key6
	keys4, keys6 [burstMax][]byte
	len4, len6   [burstMax]uint32
	pos          [burstMax]int32
}

// newFlowCounter creates the two tables, maxFlows flows each.
func newFlowCounter(maxFlows uint32) (*flowCounter, error) {
	f := &flowCounter{}
	var err error
	if f.v4, err = newFlowTable("ipv4", keyLen4, maxFlows); err != nil {
		return nil, err
	}
	if f.v6, err = newFlowTable("ipv6", keyLen6, maxFlows); err != nil {
		f.v4.free()
		return nil, err
	}
	for i := range f.k4 {
		f.keys4[i] = f.k4[i][:]
		f.keys6[i] = f.k6[i][:]
	}
	return f, nil
}

// close frees the tables.
func (f *flowCounter) close() {
	f.v4.free()
	f.v6.free()
}

// burst is the per-burst function: it counts every packet of pkts under
// its flow (or other, malformed, untracked) and swaps the source and
// destination MAC addresses of every frame of 12 bytes or more. It makes
// one bulk lookup per family for each burstMax packets and does not
// allocate.
func (f *flowCounter) burst(pkts []*mbuf.Mbuf) {
	for len(pkts) > 0 {
		n := min(len(pkts), burstMax)
		f.chunk(pkts[:n])
		pkts = pkts[n:]
	}
}

func (f *flowCounter) chunk(pkts []*mbuf.Mbuf) {
	n4, n6 := 0, 0
	for _, m := range pkts {
		b := m.Data()
		l := m.PktLen()
		switch extract(b, int(l), &f.k4[n4], &f.k6[n6]) {
		case classIPv4:
			f.len4[n4] = l
			n4++
		case classIPv6:
			f.len6[n6] = l
			n6++
		case classOther:
			f.other.add(l)
		default:
			f.malformed.add(l)
		}
		if len(b) >= 2*len(pkt.MAC{}) {
			pkt.Ethernet(b).SwapAddrs()
		}
	}
	if n4 > 0 {
		f.v4.count(f.keys4[:n4], f.len4[:n4], f.pos[:n4], &f.untracked)
	}
	if n6 > 0 {
		f.v6.count(f.keys6[:n6], f.len6[:n6], f.pos[:n6], &f.untracked)
	}
}

// flowStat is one flow and its counters, for reports.
type flowStat struct {
	Key flowKey
	counter
}

// cand is a flow in the top-N search: its table and position.
type cand struct {
	t   *flowTable
	pos int32
	counter
}

// better orders flows for the top-N: more packets first, then more bytes,
// then IPv4 before IPv6, then by key bytes, so that the order is total.
func (f *flowCounter) better(a, b *cand) bool {
	if a.pkts != b.pkts {
		return a.pkts > b.pkts
	}
	if a.bytes != b.bytes {
		return a.bytes > b.bytes
	}
	if a.t != b.t {
		return a.t == f.v4
	}
	return bytes.Compare(a.t.key(a.pos), b.t.key(b.pos)) < 0
}

// top returns the n flows with the most packets, in order (see better).
// It scans every used position of both tables: O(flows × n) at worst.
func (f *flowCounter) top(n int) []flowStat {
	if n <= 0 {
		return nil
	}
	best := make([]cand, 0, n+1)
	for _, t := range []*flowTable{f.v4, f.v6} {
		for p := int32(0); p < t.hw; p++ {
			s := t.stats[p]
			if s.pkts == 0 {
				continue
			}
			c := cand{t: t, pos: p, counter: s}
			if len(best) == n && !f.better(&c, &best[n-1]) {
				continue
			}
			// Insert in order, dropping the last one if full.
			i := len(best)
			best = append(best, c)
			for i > 0 && f.better(&c, &best[i-1]) {
				best[i] = best[i-1]
				i--
			}
			best[i] = c
			if len(best) > n {
				best = best[:n]
			}
		}
	}
	out := make([]flowStat, len(best))
	for i, c := range best {
		out[i] = flowStat{Key: decodeKey(c.t.key(c.pos)), counter: c.counter}
	}
	return out
}

// flows returns every flow with its counters, IPv4 first, by position.
// Tests compare it with their oracle.
func (f *flowCounter) flows() []flowStat {
	var out []flowStat
	for _, t := range []*flowTable{f.v4, f.v6} {
		for p := int32(0); p < t.hw; p++ {
			if s := t.stats[p]; s.pkts != 0 {
				out = append(out, flowStat{Key: decodeKey(t.key(p)), counter: s})
			}
		}
	}
	return out
}
