package lpm

import (
	"errors"
	"fmt"
	"sync"

	"dpk/eal"
)

const (
	// MaxDepth is the longest prefix (RTE_LPM_MAX_DEPTH).
	MaxDepth = 32
	// Tbl24Entries is the number of tbl24 entries (RTE_LPM_TBL24_NUM_ENTRIES).
	Tbl24Entries = 1 << 24
	// GroupEntries is the number of entries of a tbl8 group
	// (RTE_LPM_TBL8_GROUP_NUM_ENTRIES).
	GroupEntries = 256
	// MaxTbl8Groups is the most tbl8 groups a table can have
	// (RTE_LPM_MAX_TBL8_NUM_GROUPS).
	MaxTbl8Groups = 1 << 24
	// MaxNextHop is the largest next hop: next hops have 24 bits.
	MaxNextHop = hopMask
	// MaxRules is the largest Config.MaxRules dpk accepts.
	MaxRules = 1 << 28
	// LookupSuccess is set in the results of LookupBulk that found a route
	// (RTE_LPM_LOOKUP_SUCCESS).
	LookupSuccess = validBit
	// NameSize bounds table names: at most NameSize-1 bytes
	// (RTE_LPM_NAMESIZE), and at most 27 so that the memzone name
	// MemzonePrefix+name fits.
	NameSize = 32
	// MemzonePrefix begins the name of a table's memzone.
	MemzonePrefix = "LPM_"

	maxDepthTbl24 = 24
	memzoneName   = 32 // RTE_MEMZONE_NAMESIZE
)

var (
	// ErrInvalid reports a bad argument: depth 0 or above 32, a next hop
	// above MaxNextHop, a bad configuration or name.
	ErrInvalid = errors.New("lpm: invalid argument")
	// ErrNoSpace is returned by Add when the rule table is full or no tbl8
	// group is free (ENOSPC).
	ErrNoSpace = errors.New("lpm: no space")
	// ErrNotFound is returned by Delete for a rule that is not in the table,
	// and by Find for a table that does not exist (eal.ErrNotFound).
	ErrNotFound = eal.ErrNotFound
	// ErrExist is returned by Create when the name is taken, and by
	// RCUQsbrAdd when the table has a QSBR variable already (eal.ErrExist).
	ErrExist = eal.ErrExist
	// ErrNoMem is returned by Create when the memzone cannot be reserved
	// (eal.ErrNoMem).
	ErrNoMem = eal.ErrNoMem
)

// Config is a table's configuration (struct rte_lpm_config).
type Config struct {
	// MaxRules is the most rules (prefixes) the table holds, 1 to MaxRules.
	MaxRules uint32
	// NumberTbl8s is the number of tbl8 groups, up to MaxTbl8Groups. Each
	// tbl24 entry (/24 block) holding a prefix longer than 24 bits uses
	// one group of 256 entries (1 KiB).
	NumberTbl8s uint32
	// Flags must be 0 (DPDK's field is unused).
	Flags int
}

// group states, kept in the memzone beside the tbl8 groups.
const (
	groupFree    = 0 // on the free stack
	groupInUse   = 1 // reachable from tbl24
	groupPending = 2 // unlinked, waiting for readers (RCU)
)

// registry maps names to the handles of this process, as DPDK's tailq of
// LPM tables, so that Find returns the same handle as Create.
var registry struct {
	sync.Mutex
	m    map[string]*LPM
	hook bool
}

func register(l *LPM) {
	if registry.m == nil {
		registry.m = map[string]*LPM{}
	}
	registry.m[l.name] = l
	if !registry.hook {
		registry.hook = true
		eal.OnCleanup(func() {
			registry.Lock()
			registry.m = nil
			registry.hook = false
			registry.Unlock()
		})
	}
}

func checkName(name string) error {
	if name == "" || len(MemzonePrefix)+len(name) >= memzoneName {
		return fmt.Errorf("%w: name %q must have 1 to %d bytes", ErrInvalid, name, memzoneName-1-len(MemzonePrefix))
	}
	return nil
}

// Create makes a table in a new memzone named MemzonePrefix+name
// (rte_lpm_create). socket is a NUMA socket or eal.SocketIDAny. It returns
// an error wrapping ErrInvalid (bad name, socket or configuration), ErrExist
// (name taken) or ErrNoMem.
//
// The memzone holds tbl24 (64 MiB), the tbl8 groups (1 KiB each), the rule
// table (16 bytes per rule) and a little bookkeeping.
func Create(name string, socket int, cfg Config) (*LPM, error) {
	if err := checkName(name); err != nil {
		return nil, fmt.Errorf("lpm: create: %w", err)
	}
	switch {
	case socket < eal.SocketIDAny:
		return nil, fmt.Errorf("lpm: create %q: %w: socket %d", name, ErrInvalid, socket)
	case cfg.MaxRules == 0 || cfg.MaxRules > MaxRules:
		return nil, fmt.Errorf("lpm: create %q: %w: max rules %d not in [1, %d]", name, ErrInvalid, cfg.MaxRules, MaxRules)
	case cfg.NumberTbl8s > MaxTbl8Groups:
		return nil, fmt.Errorf("lpm: create %q: %w: %d tbl8 groups, at most %d", name, ErrInvalid, cfg.NumberTbl8s, MaxTbl8Groups)
	case cfg.Flags != 0:
		return nil, fmt.Errorf("lpm: create %q: %w: flags %#x", name, ErrInvalid, cfg.Flags)
	}
	registry.Lock()
	defer registry.Unlock()
	if _, ok := registry.m[name]; ok {
		return nil, fmt.Errorf("lpm: create %q: %w", name, ErrExist)
	}
	lay := layoutOf(cfg.MaxRules, cfg.NumberTbl8s)
	mz, err := eal.MemzoneReserveAligned(MemzonePrefix+name, lay.size, socket, 0, pageAlign)
	if err != nil {
		return nil, fmt.Errorf("lpm: create %q: %w", name, err)
	}
	l := view(mz, lay)
	l.initHeader(name, cfg, lay)
	register(l)
	return l, nil
}

// Find returns the table called name (rte_lpm_find_existing): the handle
// Create returned if it was made by this process, else a new handle on the
// table in the memzone, made by another process of the same --file-prefix.
// It returns an error wrapping ErrNotFound if there is none.
func Find(name string) (*LPM, error) {
	if err := checkName(name); err != nil {
		return nil, fmt.Errorf("lpm: find: %w: %w", ErrNotFound, err)
	}
	registry.Lock()
	defer registry.Unlock()
	if l, ok := registry.m[name]; ok {
		return l, nil
	}
	mz, err := eal.MemzoneLookup(MemzonePrefix + name)
	if err != nil {
		return nil, fmt.Errorf("lpm: find %q: %w", name, err)
	}
	l, err := attach(mz)
	if err != nil {
		return nil, fmt.Errorf("lpm: find %q: %w", name, err)
	}
	register(l)
	return l, nil
}

// Free releases the table's memzone (rte_lpm_free). No goroutine, in any
// process, may use the table any more. Resources still waiting in the RCU
// defer queue are dropped with the memory. Free of a nil handle does
// nothing.
func (l *LPM) Free() error {
	if l == nil {
		return nil
	}
	registry.Lock()
	if registry.m[l.name] == l {
		delete(registry.m, l.name)
	}
	registry.Unlock()
	if l.mz == nil {
		return fmt.Errorf("lpm: free %q: %w: freed already", l.name, ErrInvalid)
	}
	if l.rcu != nil && l.rcu.dq != nil {
		l.rcu.dq.Delete()
	}
	l.rcu = nil
	err := eal.MemzoneFree(l.mz)
	l.mz = nil
	if err != nil {
		return fmt.Errorf("lpm: free %q: %w", l.name, err)
	}
	return nil
}

// Name returns the table's name.
func (l *LPM) Name() string { return l.name }

// Config returns the configuration the table was created with.
func (l *LPM) Config() Config {
	return Config{MaxRules: l.hdr.maxRules, NumberTbl8s: l.hdr.numberTbl8s}
}

// Info is a snapshot of a table's occupancy.
type Info struct {
	Rules      uint32 // rules in the rule table
	Tbl8InUse  uint32 // tbl8 groups reachable from tbl24
	Tbl8Free   uint32 // tbl8 groups ready for use
	Tbl8Defer  uint32 // tbl8 groups unlinked, waiting for readers to quiesce
	DepthRules [MaxDepth + 1]uint32
}

// Info returns the table's occupancy. Like the other writer-side methods
// it must not run concurrently with a change to the table.
func (l *LPM) Info() Info {
	inf := Info{Rules: l.hdr.rules, Tbl8Free: l.hdr.freeTop, DepthRules: l.hdr.depthRules}
	for _, s := range l.state {
		switch s {
		case groupInUse:
			inf.Tbl8InUse++
		case groupPending:
			inf.Tbl8Defer++
		}
	}
	return inf
}

// Tbl24Entry returns tbl24 entry i (the entry of addresses i<<8 to
// i<<8|255), for statistics and tests.
func (l *LPM) Tbl24Entry(i uint32) Entry { return Entry(l.tbl24[i&(Tbl24Entries-1)]) }

// Tbl8Entry returns entry i of the tbl8 array (group i/256).
func (l *LPM) Tbl8Entry(i uint32) Entry { return Entry(l.tbl8[i]) }

// IsRulePresent reports whether the rule ip/depth is in the table, and its
// next hop (rte_lpm_is_rule_present). ip is masked to depth first. A depth
// outside 1 to 32 is never present. It reads the rule table, which only
// the writer uses: it must not run concurrently with a change.
func (l *LPM) IsRulePresent(ip uint32, depth uint8) (uint32, bool) {
	if depth < 1 || depth > MaxDepth {
		return 0, false
	}
	i, ok := l.ruleFind(ip&depthMask(depth), depth)
	if !ok {
		return 0, false
	}
	return l.rules[i].nextHop(), true
}
