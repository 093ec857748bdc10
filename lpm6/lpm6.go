package lpm6

import (
	"errors"
	"fmt"
	"sync"

	"dpk/eal"
)

const (
	// MaxDepth is the longest prefix, in bits (RTE_LPM6_MAX_DEPTH).
	MaxDepth = 128
	// AddrSize is the size of an IPv6 address in bytes (RTE_LPM6_IPV6_ADDR_SIZE).
	AddrSize = 16
	// MaxNextHop is the largest next hop a table holds: next hops have 21
	// bits, as in DPDK.
	MaxNextHop = 1<<21 - 1
	// MaxTbl8s is the largest Config.NumberTbl8s (RTE_LPM6_TBL8_MAX_NUM_GROUPS).
	MaxTbl8s = 1 << 21
	// NameSize bounds a table's name: at most NameSize-1 bytes
	// (RTE_LPM6_NAMESIZE). With the EAL running, the tables live in a
	// memzone named MemzonePrefix+name, which shortens the limit to
	// eal's 31-byte memzone names.
	NameSize = 32
	// MemzonePrefix starts the name of the memzone that holds a table's
	// tbl24 and tbl8s.
	MemzonePrefix = "LPM6_"

	memzoneNameSize = 32 // RTE_MEMZONE_NAMESIZE
	tbl24Entries    = 1 << 24
	groupEntries    = 256 // RTE_LPM6_TBL8_GROUP_NUM_ENTRIES
)

var (
	// ErrInvalid reports a bad argument: an empty name, a bad socket, a
	// zero MaxRules or NumberTbl8s, too many tbl8s, a depth outside
	// 1..128, a next hop over 21 bits, or slices of different lengths.
	ErrInvalid = errors.New("lpm6: invalid argument")
	// ErrNoSpace is returned by Add when the rule table is full or the
	// tbl8 groups the rule needs are not free (DPDK's -ENOSPC). The table
	// is unchanged.
	ErrNoSpace = errors.New("lpm6: no space (ENOSPC)")
	// ErrNotFound is returned by Delete for a rule that is not in the
	// table and by FindExisting for an unknown name (DPDK's -ENOENT).
	ErrNotFound = errors.New("lpm6: not found (ENOENT)")
	// ErrExist is returned by Create when a table of that name exists in
	// this process, or its memzone in another process of the same
	// --file-prefix (eal.ErrExist, DPDK's EEXIST).
	ErrExist = eal.ErrExist
	// ErrNameTooLong reports a name of NameSize bytes or more, or one too
	// long for its memzone.
	ErrNameTooLong = errors.New("lpm6: name too long")
)

// Config sizes a table (struct rte_lpm6_config).
type Config struct {
	// MaxRules is the number of rules the table holds, at least 1.
	MaxRules uint32
	// NumberTbl8s is the number of tbl8 groups, 1 to MaxTbl8s. A rule
	// longer than 24 bits needs one group for each byte beyond the third
	// that no other rule has opened yet; each group takes 1 KiB.
	NumberTbl8s uint32
	// Flags is unused, as in DPDK.
	Flags int
}

// LPM is an IPv6 longest-prefix-match table (struct rte_lpm6). Add,
// Delete, DeleteBulk and DeleteAll must not run at the same time as each
// other or as a lookup; lookups may run at the same time as each other.
type LPM struct {
	name     string
	maxRules uint32
	numTbl8s uint32

	// Lookup tables, in a memzone or on the Go heap.
	tbl24 *[tbl24Entries]entry
	tbl8  []entry
	mem   *tableMem

	// Control state, on the Go heap.
	rules   map[ruleKey]uint32
	hdrs    []tbl8Hdr
	pool    []uint32 // free tbl8 group indices: pool[poolPos:] are free
	poolPos uint32
}

// tbl8Hdr records where a tbl8 group hangs and how many things keep it:
// the rules that end in it and the groups that hang from it.
type tbl8Hdr struct {
	ownerGroup int32  // -1 when the owner is tbl24
	ownerEntry uint32 // index in the owner table
	refs       uint32
}

type ruleKey struct {
	ip    [AddrSize]byte
	depth uint8
}

var registry = struct {
	sync.Mutex
	m map[string]*LPM
}{m: map[string]*LPM{}}

// Create makes an empty table called name (rte_lpm6_create). socket is a
// NUMA socket or eal.SocketIDAny. When the EAL is initialised the tables
// live in a memzone of that socket (MemzonePrefix+name); otherwise they
// are Go memory. The name is unique in the process. Create returns an
// error wrapping ErrInvalid, ErrNameTooLong, ErrExist or eal.ErrNoMem.
func Create(name string, socket int, cfg Config) (*LPM, error) {
	if name == "" || socket < eal.SocketIDAny || cfg.MaxRules == 0 ||
		cfg.NumberTbl8s == 0 || cfg.NumberTbl8s > MaxTbl8s {
		return nil, fmt.Errorf("lpm6: create %q: %w", name, ErrInvalid)
	}
	if len(name) >= NameSize || (eal.Initialized() && len(MemzonePrefix)+len(name) >= memzoneNameSize) {
		return nil, fmt.Errorf("lpm6: create %q: %w", name, ErrNameTooLong)
	}
	registry.Lock()
	defer registry.Unlock()
	if _, ok := registry.m[name]; ok {
		return nil, fmt.Errorf("lpm6: create %q: %w", name, ErrExist)
	}
	l := &LPM{
		name:     name,
		maxRules: cfg.MaxRules,
		numTbl8s: cfg.NumberTbl8s,
		rules:    make(map[ruleKey]uint32),
		hdrs:     make([]tbl8Hdr, cfg.NumberTbl8s),
		pool:     make([]uint32, cfg.NumberTbl8s),
	}
	mem, err := allocTables(MemzonePrefix+name, tbl24Entries+int(cfg.NumberTbl8s)*groupEntries, socket)
	if err != nil {
		return nil, fmt.Errorf("lpm6: create %q: %w", name, err)
	}
	l.mem = mem
	l.tbl24 = (*[tbl24Entries]entry)(mem.entries[:tbl24Entries])
	l.tbl8 = mem.entries[tbl24Entries:]
	l.initPool()
	registry.m[name] = l
	return l, nil
}

// FindExisting returns the table called name made by Create in this
// process (rte_lpm6_find_existing), or an error wrapping ErrNotFound.
func FindExisting(name string) (*LPM, error) {
	registry.Lock()
	defer registry.Unlock()
	if l, ok := registry.m[name]; ok {
		return l, nil
	}
	return nil, fmt.Errorf("lpm6: find %q: %w", name, ErrNotFound)
}

// Free releases the table (rte_lpm6_free); it must be out of use. Free on
// a nil table does nothing.
func (l *LPM) Free() {
	if l == nil {
		return
	}
	registry.Lock()
	if registry.m[l.name] == l {
		delete(registry.m, l.name)
	}
	registry.Unlock()
	if l.mem != nil {
		l.mem.free()
		l.mem = nil
	}
	l.tbl24, l.tbl8, l.rules, l.hdrs, l.pool = nil, nil, nil, nil, nil
}

// Name returns the table's name.
func (l *LPM) Name() string { return l.name }

// Rules returns the number of rules in the table.
func (l *LPM) Rules() int { return len(l.rules) }

// Tbl8sInUse returns the number of tbl8 groups in use.
func (l *LPM) Tbl8sInUse() int { return int(l.poolPos) }

func (l *LPM) String() string {
	return fmt.Sprintf("lpm6 %q: %d/%d rules, %d/%d tbl8s", l.name, len(l.rules), l.maxRules, l.poolPos, l.numTbl8s)
}
