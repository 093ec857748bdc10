package lpm

import (
	"fmt"
	"unsafe"

	"dpk/eal"
)

// A table's memzone holds, at offsets computed from its configuration:
//
//	header   4 KiB      name, configuration, counters, tbl24 dirty bits
//	tbl24    64 MiB     Tbl24Entries entries, page aligned
//	tbl8     1 KiB per group
//	rules    8 bytes per rule slot (twice MaxRules, a power of two)
//	free     4 bytes per group: stack of free group indices
//	state    1 byte per group: free, in use or pending
//
// Nothing in it is a pointer or an address, so every process that maps the
// memzone can use it.

const (
	pageAlign  = 4096
	headerSize = 4096
	tableMagic = 0x31304d50_4c4b5044 // "DPKLPM01"
	dirtyChunk = 4096                // tbl24 entries per dirty bit
	dirtyWords = Tbl24Entries / dirtyChunk / 64
)

// LPM is a process-local handle on an IPv4 longest prefix match table
// (struct rte_lpm). Its tables live in a memzone.
//
// Lookup, LookupBulk and LookupX4 may run on any number of goroutines at
// once, also while one goroutine changes the table (Add, Delete,
// DeleteAll). Changes must be serialised by the caller. See the package
// documentation for when a change is safe for concurrent readers.
type LPM struct {
	// Lookup path: first, together.
	tbl24p unsafe.Pointer // &tbl24[0]
	tbl8p  unsafe.Pointer // &tbl8[0] (not read in a table without groups)

	tbl24 *[Tbl24Entries]uint32
	tbl8  []uint32 // numberTbl8s*GroupEntries entries

	name  string
	mz    *eal.Memzone
	hdr   *header
	rules []rule
	free  []uint32 // stack of free tbl8 groups, hdr.freeTop of them
	state []uint8  // per-group state

	rcu *rcuState // nil without RCU
}

// header is the start of a table's memzone.
type header struct {
	magic       uint64
	name        [NameSize]byte
	maxRules    uint32
	numberTbl8s uint32
	ruleSlots   uint32
	rules       uint32 // rules in the rule table
	freeTop     uint32 // entries of the free stack in use
	_           uint32
	depthRules  [MaxDepth + 1]uint32 // rules per depth
	// dirty has a bit per dirtyChunk tbl24 entries that may be non-zero,
	// so that DeleteAll clears only what was used.
	dirty [dirtyWords]uint64
}

// layout is where each part of a table lies in its memzone.
type layout struct {
	slots                                 uint32
	tbl24, tbl8, rules, free, state, size uint64
}

func layoutOf(maxRules, numberTbl8s uint32) layout {
	var lay layout
	lay.slots = ruleSlots(maxRules)
	n := uint64(numberTbl8s)
	lay.tbl24 = headerSize
	lay.tbl8 = lay.tbl24 + Tbl24Entries*4
	lay.rules = lay.tbl8 + n*GroupEntries*4
	lay.free = lay.rules + uint64(lay.slots)*uint64(unsafe.Sizeof(rule{}))
	lay.state = lay.free + n*4
	lay.size = (lay.state + n + pageAlign - 1) &^ (pageAlign - 1)
	return lay
}

// view makes a handle on the memzone laid out as lay.
func view(mz *eal.Memzone, lay layout) *LPM {
	base := mz.Addr()
	hdr := (*header)(base)
	n := int(lay.free-lay.rules) / int(unsafe.Sizeof(rule{}))
	groups := int(lay.state-lay.free) / 4
	return &LPM{
		tbl24p: unsafe.Add(base, lay.tbl24),
		tbl8p:  unsafe.Add(base, lay.tbl8),
		tbl24:  (*[Tbl24Entries]uint32)(unsafe.Add(base, lay.tbl24)),
		tbl8:   unsafe.Slice((*uint32)(unsafe.Add(base, lay.tbl8)), groups*GroupEntries),
		mz:     mz,
		hdr:    hdr,
		rules:  unsafe.Slice((*rule)(unsafe.Add(base, lay.rules)), n),
		free:   unsafe.Slice((*uint32)(unsafe.Add(base, lay.free)), groups),
		state:  unsafe.Slice((*uint8)(unsafe.Add(base, lay.state)), groups),
	}
}

// initHeader fills a new table's header and free stack. The memzone comes
// zeroed: every entry invalid, every group free, no rules.
func (l *LPM) initHeader(name string, cfg Config, lay layout) {
	h := l.hdr
	l.name = name
	copy(h.name[:], name)
	h.maxRules = cfg.MaxRules
	h.numberTbl8s = cfg.NumberTbl8s
	h.ruleSlots = lay.slots
	// Pop order 0, 1, 2, ...: the lowest free group first, as DPDK.
	n := cfg.NumberTbl8s
	for i := range n {
		l.free[i] = n - 1 - i
	}
	h.freeTop = n
	h.magic = tableMagic
}

// attach makes a handle on a table another process created.
func attach(mz *eal.Memzone) (*LPM, error) {
	if mz.Len() < headerSize {
		return nil, fmt.Errorf("%w: memzone %q holds no LPM table", ErrInvalid, mz.Name())
	}
	h := (*header)(mz.Addr())
	if h.magic != tableMagic || h.maxRules == 0 || h.maxRules > MaxRules || h.numberTbl8s > MaxTbl8Groups {
		return nil, fmt.Errorf("%w: memzone %q holds no LPM table", ErrInvalid, mz.Name())
	}
	lay := layoutOf(h.maxRules, h.numberTbl8s)
	if lay.size > mz.Len() || lay.slots != h.ruleSlots {
		return nil, fmt.Errorf("%w: memzone %q: LPM table does not fit", ErrInvalid, mz.Name())
	}
	l := view(mz, lay)
	l.name = cstring(h.name[:])
	return l, nil
}

func cstring(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}
