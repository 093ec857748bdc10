package ipfrag

import (
	"fmt"
	"io"
	"math"
	"math/bits"
	"math/rand/v2"

	"dpk/mbuf"
)

// hashFNum is the number of candidate buckets per key (IP_FRAG_HASH_FNUM).
const hashFNum = 2

// Key lengths in 8-byte words of addresses, as DPDK's (0 marks a free entry).
const (
	keyLenIPv4 = 1
	keyLenIPv6 = 4
)

// unknownTotal is the total size of a datagram whose last fragment has not
// come yet.
const unknownTotal = math.MaxUint32

// fragKey identifies a datagram (struct ip_frag_key): source and
// destination addresses, as klen little-endian words of 8 bytes (1 for
// IPv4, 4 for IPv6), and the identification, with the IPv4 protocol in
// bits 16-23 (RFC 791: source, destination, protocol and identification).
// klen is 0 for a free entry.
type fragKey struct {
	srcDst [4]uint64
	id     uint32
	klen   uint32
}

// equal compares two keys, the addresses only as far as klen says
// (ip_frag_key_cmp).
func (k *fragKey) equal(o *fragKey) bool {
	if k.id != o.id || k.klen != o.klen {
		return false
	}
	for i := range min(k.klen, keyLenIPv6) {
		if k.srcDst[i] != o.srcDst[i] {
			return false
		}
	}
	return true
}

// slot is one fragment held by an entry (struct ip_frag).
type slot struct {
	ofs uint16 // offset of its data in the datagram
	len uint16 // length of its data
	l2  uint16 // bytes before the IP header in the first segment
	l3  uint16 // IP header length; for IPv6 up to and including the fragment header
	aux uint16 // IPv6: offset in the IP header of the next-header byte naming the fragment header
	mb  *mbuf.Mbuf
}

// entry is a datagram being reassembled (struct ip_frag_pkt).
type entry struct {
	key    fragKey
	start  uint64 // tms of its first fragment
	total  uint32 // datagram data length, unknownTotal until the last fragment
	size   uint32 // data bytes held
	maxEnd uint32 // highest end of the data held
	n      uint32 // fragments held
	prev   int32  // LRU list
	next   int32
	frags  []slot
}

// TableConfig describes a reassembly table. The first four fields are the
// arguments of DPDK's rte_ip_frag_table_create; the others are dpk's.
type TableConfig struct {
	// BucketNum is the number of buckets, rounded up to a power of two.
	BucketNum uint32
	// BucketEntries is the associativity of a bucket: a power of two.
	BucketEntries uint32
	// MaxEntries is the most datagrams held at once; at most the table
	// size, 2 * BucketNum (rounded) * BucketEntries.
	MaxEntries uint32
	// MaxCycles is how long, in TSC cycles (the unit of tms), a datagram
	// may wait for its fragments.
	MaxCycles uint64
	// MaxFrags is the most fragments per datagram (0: MaxFragNum, as DPDK;
	// 2 to MaxFragLimit).
	MaxFrags int
	// EvictLRU lets a full table drop its least recently started datagram
	// for a new one even when that has not expired (counted in
	// Stats.Evicted). DPDK instead fails the new fragment (fail_nospace),
	// the default.
	EvictLRU bool
	// AllowTinyFragments turns off the tiny-fragment check (RFC 1858,
	// RFC 7112), which DPDK does not make.
	AllowTinyFragments bool
	// HashSeed seeds the bucket hash; 0 picks a random seed, so that
	// nobody can aim fragments at one bucket.
	HashSeed uint32
}

// Stats are a table's counters. The first six are DPDK's
// rte_ip_frag_tbl_stat (which DPDK only keeps when built with
// RTE_LIBRTE_IP_FRAG_TBL_STAT; dpk always does). The others say what
// happened to fragments and datagrams; a datagram counted as dropped has
// had all its fragments put on the death row.
type Stats struct {
	// FindNum counts find/insert attempts: fragments that reached the
	// table lookup.
	FindNum uint64
	// AddNum counts datagrams added to the table.
	AddNum uint64
	// DelNum counts datagrams deleted because they expired (found stale
	// on lookup, the oldest when the table was full, or by
	// DelExpiredEntries).
	DelNum uint64
	// ReuseNum counts expired datagrams whose entry was reused for a new
	// datagram with the same key.
	ReuseNum uint64
	// FailTotal counts fragments dropped because no entry could be found
	// or made for them.
	FailTotal uint64
	// FailNoSpace counts the part of FailTotal due to the table being
	// full (MaxEntries); the rest were hash-bucket collisions.
	FailNoSpace uint64

	// Reassembled counts datagrams completed and returned.
	Reassembled uint64
	// Atomic counts IPv6 atomic fragments (offset 0, M clear, RFC 6946)
	// returned at once without their fragment header.
	Atomic uint64
	// Duplicate counts fragments dropped as exact duplicates.
	Duplicate uint64
	// Overlap counts datagrams dropped because a fragment overlapped
	// another (teardrop).
	Overlap uint64
	// Inconsistent counts datagrams dropped because their fragments
	// disagreed on where the datagram ends.
	Inconsistent uint64
	// TooManyFrags counts datagrams dropped for having more than
	// MaxFrags fragments.
	TooManyFrags uint64
	// Oversize counts fragments dropped because they reach beyond 65,535
	// bytes (ping of death).
	Oversize uint64
	// TinyFragment counts fragments dropped by the tiny-fragment check.
	TinyFragment uint64
	// Malformed counts fragments dropped as invalid (see ErrMalformed).
	Malformed uint64
	// Timeout counts incomplete datagrams dropped because they expired
	// (DelNum plus ReuseNum).
	Timeout uint64
	// Evicted counts datagrams dropped unexpired to make room
	// (EvictLRU).
	Evicted uint64
}

// Table is a fragment reassembly table (rte_ip_frag_tbl): a hash table of
// datagrams being reassembled, each key hashing to two buckets of
// BucketEntries entries, with an LRU list of the entries in use. All its
// memory is allocated by NewTable; reassembly allocates nothing.
//
// A Table belongs to one lcore: it is not safe for concurrent use, as in
// DPDK (one table per RX queue or lcore).
type Table struct {
	maxCycles     uint64
	entryMask     uint32
	maxEntries    uint32
	useEntries    uint32
	bucketEntries uint32
	nbEntries     uint32
	nbBuckets     uint32
	maxFrags      uint32
	seed          uint32
	evictLRU      bool
	tinyCheck     bool
	last          int32 // entry of the last lookup, -1: none
	lruHead       int32 // oldest entry in use, -1: none
	lruTail       int32
	pkts          []entry
	stats         Stats
}

// NewTable creates a reassembly table (rte_ip_frag_table_create) of
// bucketNum (rounded up to a power of two) times bucketEntries (a power of
// two) times two entries, holding at most maxEntries datagrams, each for at
// most maxCycles TSC cycles, with DPDK's defaults for the rest.
func NewTable(bucketNum, bucketEntries, maxEntries uint32, maxCycles uint64) (*Table, error) {
	return NewTableConfig(TableConfig{
		BucketNum: bucketNum, BucketEntries: bucketEntries,
		MaxEntries: maxEntries, MaxCycles: maxCycles,
	})
}

// NewTableConfig creates a reassembly table from a TableConfig.
func NewTableConfig(c TableConfig) (*Table, error) {
	if c.MaxFrags == 0 {
		c.MaxFrags = MaxFragNum
	}
	if c.BucketNum == 0 || c.BucketEntries == 0 || c.BucketEntries&(c.BucketEntries-1) != 0 {
		return nil, fmt.Errorf("%w: bucket number %d, bucket entries %d (a power of 2)", ErrBadConfig, c.BucketNum, c.BucketEntries)
	}
	if c.MaxFrags < 2 || c.MaxFrags > MaxFragLimit {
		return nil, fmt.Errorf("%w: max fragments %d (2 to %d)", ErrBadConfig, c.MaxFrags, MaxFragLimit)
	}
	nb := uint64(1) << bits.Len32(c.BucketNum-1)
	nb *= uint64(c.BucketEntries) * hashFNum
	if nb > math.MaxUint32 || nb > math.MaxInt32 || nb < uint64(c.MaxEntries) {
		return nil, fmt.Errorf("%w: %d entries for at most %d datagrams", ErrBadConfig, nb, c.MaxEntries)
	}
	t := &Table{
		maxCycles:     c.MaxCycles,
		maxEntries:    c.MaxEntries,
		bucketEntries: c.BucketEntries,
		nbEntries:     uint32(nb),
		nbBuckets:     c.BucketNum,
		maxFrags:      uint32(c.MaxFrags),
		seed:          c.HashSeed,
		evictLRU:      c.EvictLRU,
		tinyCheck:     !c.AllowTinyFragments,
		last:          -1,
		lruHead:       -1,
		lruTail:       -1,
	}
	for t.seed == 0 {
		t.seed = rand.Uint32()
	}
	t.entryMask = (t.nbEntries - 1) &^ (t.bucketEntries - 1)
	t.pkts = make([]entry, nb)
	slots := make([]slot, nb*uint64(c.MaxFrags))
	for i := range t.pkts {
		t.pkts[i].frags = slots[i*c.MaxFrags : (i+1)*c.MaxFrags : (i+1)*c.MaxFrags]
		t.pkts[i].prev, t.pkts[i].next = -1, -1
	}
	return t, nil
}

// Stats returns a copy of the table's counters.
func (t *Table) Stats() Stats { return t.stats }

// MaxEntries returns the most datagrams the table holds at once.
func (t *Table) MaxEntries() uint32 { return t.maxEntries }

// UseEntries returns the number of datagrams being reassembled.
func (t *Table) UseEntries() uint32 { return t.useEntries }

// Entries returns the table size in entries (nb_entries).
func (t *Table) Entries() uint32 { return t.nbEntries }

// FragmentsHeld returns the number of fragments (packets, not segments)
// the table holds.
func (t *Table) FragmentsHeld() int {
	n := 0
	for i := t.lruHead; i >= 0; i = t.pkts[i].next {
		n += int(t.pkts[i].n)
	}
	return n
}

// StatisticsDump writes the counters as DPDK's
// rte_ip_frag_table_statistics_dump does, then dpk's own.
func (t *Table) StatisticsDump(w io.Writer) {
	s := &t.stats
	fmt.Fprintf(w, "max entries:\t%d;\n"+
		"entries in use:\t%d;\n"+
		"finds/inserts:\t%d;\n"+
		"entries added:\t%d;\n"+
		"entries deleted by timeout:\t%d;\n"+
		"entries reused by timeout:\t%d;\n"+
		"total add failures:\t%d;\n"+
		"add no-space failures:\t%d;\n"+
		"add hash-collisions failures:\t%d;\n",
		t.maxEntries, t.useEntries, s.FindNum, s.AddNum, s.DelNum, s.ReuseNum,
		s.FailTotal, s.FailNoSpace, s.FailTotal-s.FailNoSpace)
	fmt.Fprintf(w, "reassembled:\t%d;\n"+
		"atomic fragments:\t%d;\n"+
		"duplicate fragments:\t%d;\n"+
		"overlap drops:\t%d;\n"+
		"inconsistent drops:\t%d;\n"+
		"too many fragments drops:\t%d;\n"+
		"oversize fragments:\t%d;\n"+
		"tiny fragments:\t%d;\n"+
		"malformed fragments:\t%d;\n"+
		"timeout drops:\t%d;\n"+
		"evicted:\t%d;\n",
		s.Reassembled, s.Atomic, s.Duplicate, s.Overlap, s.Inconsistent, s.TooManyFrags,
		s.Oversize, s.TinyFragment, s.Malformed, s.Timeout, s.Evicted)
}

// DelExpiredEntries moves the fragments of every datagram older than
// MaxCycles at time tms to the death row, oldest first, stopping early when
// the row has no room for the next one
// (rte_ip_frag_table_del_expired_entries).
func (t *Table) DelExpiredEntries(dr *DeathRow, tms uint64) {
	for t.lruHead >= 0 {
		e := &t.pkts[t.lruHead]
		if !t.expired(e, tms) || dr.room() < int(e.n) {
			return
		}
		t.del(t.lruHead, dr)
		t.stats.DelNum++
		t.stats.Timeout++
	}
}

// Destroy frees at once, through lcore's mempool caches, every fragment
// the table holds (rte_ip_frag_table_destroy) and leaves it empty; the
// counters stay.
func (t *Table) Destroy(lcore uint32) {
	for t.lruHead >= 0 {
		i := t.lruHead
		e := &t.pkts[i]
		for j := range e.frags[:e.n] {
			e.frags[j].mb.Free(lcore)
			e.frags[j].mb = nil
		}
		e.n = 0
		t.release(i)
	}
}

// expired reports whether e is older than MaxCycles at tms. A tms before
// the entry's start (a clock that went back) never expires it.
func (t *Table) expired(e *entry, tms uint64) bool {
	return tms > e.start && tms-e.start > t.maxCycles
}

// hash returns the key's two bucket signatures (ipv4_frag_hash,
// ipv6_frag_hash): jhash of the addresses and id from the table's seed, as
// DPDK computes it where it has no CRC32 instruction, and a rotation of it.
// (hash/crc32 would make the key escape to the heap on every call.)
func (t *Table) hash(k *fragKey) (uint32, uint32) {
	a := &k.srcDst
	lo := func(i int) uint32 { return uint32(a[i]) }
	hi := func(i int) uint32 { return uint32(a[i] >> 32) }
	var v uint32
	if k.klen == keyLenIPv6 {
		v = jhash3(lo(0), hi(0), lo(1), t.seed)
		v = jhash3(hi(1), lo(2), hi(2), v)
		v = jhash3(lo(3), hi(3), k.id, v)
	} else {
		v = jhash3(lo(0), hi(0), k.id, t.seed)
	}
	return v, v<<7 + v>>14
}

// jhash3 is Bob Jenkins' lookup3 hash of three words (rte_jhash_3words).
func jhash3(a, b, c, initval uint32) uint32 {
	const golden = 0xdeadbeef
	a += golden + initval + 12
	b += golden + initval + 12
	c += golden + initval + 12
	c ^= b
	c -= bits.RotateLeft32(b, 14)
	a ^= c
	a -= bits.RotateLeft32(c, 11)
	b ^= a
	b -= bits.RotateLeft32(a, 25)
	c ^= b
	c -= bits.RotateLeft32(b, 16)
	a ^= c
	a -= bits.RotateLeft32(c, 4)
	b ^= a
	b -= bits.RotateLeft32(a, 14)
	c ^= b
	c -= bits.RotateLeft32(b, 24)
	return c
}

// lookup finds the key's entry (ip_frag_lookup); failing that it returns
// -1 and the first free and the first expired entry of the two buckets
// (-1 each if none).
func (t *Table) lookup(k *fragKey, tms uint64) (found, free, stale int32) {
	if t.last >= 0 && t.pkts[t.last].key.equal(k) {
		return t.last, -1, -1
	}
	free, stale = -1, -1
	s1, s2 := t.hash(k)
	p1, p2 := s1&t.entryMask, s2&t.entryMask
	for i := uint32(0); i < t.bucketEntries; i++ {
		for _, j := range [2]uint32{p1 + i, p2 + i} {
			e := &t.pkts[j]
			switch {
			case e.key.equal(k):
				return int32(j), -1, -1
			case e.key.klen == 0:
				if free < 0 {
					free = int32(j)
				}
			case t.expired(e, tms):
				if stale < 0 {
					stale = int32(j)
				}
			}
		}
	}
	return -1, free, stale
}

// find returns the key's entry, making one if need be (ip_frag_find):
// an expired datagram in the buckets, or the table's oldest when the
// table is full, is dropped to make room. It returns -1 and the reason
// when there is none.
func (t *Table) find(dr *DeathRow, k *fragKey, tms uint64) (int32, error) {
	t.stats.FindNum++
	idx, free, stale := t.lookup(k, tms)
	var err error
	switch {
	case idx >= 0:
		if t.expired(&t.pkts[idx], tms) {
			t.reuse(idx, dr, tms)
		}
	default:
		if stale >= 0 {
			t.del(stale, dr)
			t.stats.DelNum++
			t.stats.Timeout++
			free = stale
		} else if free >= 0 && t.useEntries >= t.maxEntries {
			switch lru := t.lruHead; {
			case lru >= 0 && t.expired(&t.pkts[lru], tms):
				t.del(lru, dr)
				t.stats.DelNum++
				t.stats.Timeout++
			case lru >= 0 && t.evictLRU:
				t.del(lru, dr)
				t.stats.Evicted++
			default:
				free = -1
				t.stats.FailNoSpace++
				err = ErrTableFull
			}
		}
		if free >= 0 {
			t.add(free, k, tms)
			idx = free
		} else if err == nil {
			err = ErrBucketFull
		}
	}
	if idx < 0 {
		t.stats.FailTotal++
	}
	t.last = idx
	return idx, err
}

// add makes entry i the key's (ip_frag_tbl_add).
func (t *Table) add(i int32, k *fragKey, tms uint64) {
	e := &t.pkts[i]
	e.key = *k
	e.reset(tms)
	t.lruPush(i)
	t.useEntries++
	t.stats.AddNum++
}

// reuse starts entry i, expired, again for its key (ip_frag_tbl_reuse).
func (t *Table) reuse(i int32, dr *DeathRow, tms uint64) {
	e := &t.pkts[i]
	e.freeTo(dr)
	e.reset(tms)
	t.lruRemove(i)
	t.lruPush(i)
	t.stats.ReuseNum++
	t.stats.Timeout++
}

// del drops entry i's fragments to the death row and frees the entry
// (ip_frag_tbl_del); the caller counts why.
func (t *Table) del(i int32, dr *DeathRow) {
	t.pkts[i].freeTo(dr)
	t.release(i)
}

// release frees entry i, whose fragments are gone (ip_frag_key_invalidate
// and ip_frag_inuse).
func (t *Table) release(i int32) {
	t.pkts[i].key = fragKey{}
	t.lruRemove(i)
	t.useEntries--
}

func (t *Table) lruPush(i int32) {
	e := &t.pkts[i]
	e.prev, e.next = t.lruTail, -1
	if t.lruTail >= 0 {
		t.pkts[t.lruTail].next = i
	} else {
		t.lruHead = i
	}
	t.lruTail = i
}

func (t *Table) lruRemove(i int32) {
	e := &t.pkts[i]
	if e.prev >= 0 {
		t.pkts[e.prev].next = e.next
	} else {
		t.lruHead = e.next
	}
	if e.next >= 0 {
		t.pkts[e.next].prev = e.prev
	} else {
		t.lruTail = e.prev
	}
	e.prev, e.next = -1, -1
}

// reset empties an entry for a datagram starting at tms (ip_frag_reset).
func (e *entry) reset(tms uint64) {
	e.start = tms
	e.total = unknownTotal
	e.size = 0
	e.maxEnd = 0
	e.n = 0
}

// freeTo puts the entry's fragments on the death row (ip_frag_free).
func (e *entry) freeTo(dr *DeathRow) {
	for j := range e.frags[:e.n] {
		dr.put(e.frags[j].mb)
		e.frags[j].mb = nil
	}
	e.n = 0
}
