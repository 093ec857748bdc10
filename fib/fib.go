package fib

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"dpk/eal"
	"dpk/fib/internal/multibit"
)

// MaxDepth is the longest IPv4 prefix (RTE_FIB_MAXDEPTH).
const MaxDepth = 32

// NameSize bounds a FIB's name: at most NameSize-1 bytes
// (RTE_FIB_NAMESIZE). With the EAL running a DIR24_8 FIB's tables live in
// a memzone named MemzonePrefix+name, which shortens the limit to eal's
// 31-byte memzone names.
const NameSize = 64

// MemzonePrefix starts the name of the memzone that holds a DIR24_8
// FIB's tables.
const MemzonePrefix = "FIB_"

const memzoneNameSize = 32 // RTE_MEMZONE_NAMESIZE

// Type is the kind of dataplane (enum rte_fib_type).
type Type int

const (
	// Dummy looks routes up in the route set itself, one prefix length
	// after another: slow, small, any 64-bit next hop (RTE_FIB_DUMMY).
	Dummy Type = iota
	// DIR24_8 is a tbl24 indexed by the first 24 bits of the address
	// and tbl8 groups for longer routes: one or two memory reads per
	// lookup (RTE_FIB_DIR24_8).
	DIR24_8
)

func (t Type) String() string {
	switch t {
	case Dummy:
		return "dummy"
	case DIR24_8:
		return "dir24_8"
	}
	return fmt.Sprintf("Type(%d)", int(t))
}

// NHSize is the size of a DIR24_8 cell (enum rte_fib_dir24_8_nh_sz): the
// next hop has one bit less than the cell.
type NHSize int

const (
	NH1B NHSize = iota // 1-byte cells, next hops up to 127
	NH2B               // 2-byte cells, next hops up to 32767
	NH4B               // 4-byte cells, next hops up to 2^31-1
	NH8B               // 8-byte cells, next hops up to 2^63-1
)

// MaxNextHop returns the largest next hop a cell of size s holds.
func (s NHSize) MaxNextHop() uint64 { return 1<<(8<<s-1) - 1 }

var (
	// ErrInvalid reports a bad argument: an empty name, a bad socket or
	// type, MaxRoutes below 1, a next hop size, NumTbl8 or default next
	// hop out of range, a depth over 32, or a next hop too big for the
	// cells.
	ErrInvalid = errors.New("fib: invalid argument")
	// ErrNoSpace is returned by Add when MaxRoutes routes are in the
	// FIB or the tbl8 groups a route needs are used up (DPDK's -ENOSPC).
	// The FIB is unchanged.
	ErrNoSpace = errors.New("fib: no space (ENOSPC)")
	// ErrNotFound is returned by Delete for a route that is not in the
	// FIB and by FindExisting for an unknown name (DPDK's -ENOENT).
	ErrNotFound = errors.New("fib: not found (ENOENT)")
	// ErrExist is returned by Create when a FIB of that name exists in
	// this process, or its memzone in another process of the same
	// --file-prefix (eal.ErrExist, DPDK's EEXIST).
	ErrExist = eal.ErrExist
	// ErrNameTooLong reports a name of NameSize bytes or more, or one too
	// long for its memzone.
	ErrNameTooLong = errors.New("fib: name too long")
)

// Config describes a FIB (struct rte_fib_conf).
type Config struct {
	Type Type
	// DefaultNH is the next hop of addresses no route covers.
	DefaultNH uint64
	// MaxRoutes is the number of routes the FIB holds, at least 1.
	// (DPDK sizes its RIB to 2*MaxRoutes nodes, internal nodes
	// included; dpk counts routes.)
	MaxRoutes int
	// NHSize is the cell size of a DIR24_8 FIB.
	NHSize NHSize
	// NumTbl8 is the number of tbl8 groups of a DIR24_8 FIB, 1 to
	// NHSize.MaxNextHop(), rounded up to a multiple of 64 as DPDK does.
	// Each /24 that holds routes longer than 24 bits takes one, as long
	// as it holds one (DPDK reserves one per such /24 likewise, though
	// it frees the group itself when all 256 cells come to hold the
	// same next hop).
	NumTbl8 uint32
}

// FIB is an IPv4 forwarding table (struct rte_fib). Add and Delete must
// not run at the same time as each other or as a lookup; lookups may run
// at the same time as each other.
type FIB struct {
	name   string
	typ    Type
	nhSize NHSize
	defNH  uint64
	max    int
	rules  *multibit.Rules[uint32]

	// One of these is set for DIR24_8, by NHSize.
	t1 *multibit.Table[uint8]
	t2 *multibit.Table[uint16]
	t4 *multibit.Table[uint32]
	t8 *multibit.Table[uint64]
}

var registry = struct {
	sync.Mutex
	m map[string]*FIB
}{m: map[string]*FIB{}}

// Create makes an empty FIB called name (rte_fib_create). socket is a
// NUMA socket or eal.SocketIDAny. When the EAL is initialised a DIR24_8
// FIB's tables live in a memzone of that socket; otherwise they are Go
// memory. The name is unique in the process. Create returns an error
// wrapping ErrInvalid, ErrNameTooLong, ErrExist or eal.ErrNoMem.
func Create(name string, socket int, cfg Config) (*FIB, error) {
	if name == "" || socket < eal.SocketIDAny || cfg.MaxRoutes <= 0 || cfg.Type < Dummy || cfg.Type > DIR24_8 {
		return nil, fmt.Errorf("fib: create %q: %w", name, ErrInvalid)
	}
	if cfg.Type == DIR24_8 {
		if cfg.NHSize < NH1B || cfg.NHSize > NH8B || cfg.NumTbl8 == 0 ||
			uint64(cfg.NumTbl8) > cfg.NHSize.MaxNextHop() || cfg.DefaultNH > cfg.NHSize.MaxNextHop() {
			return nil, fmt.Errorf("fib: create %q: %w: %v cells, %d tbl8s, default next hop %d", name, ErrInvalid, cfg.NHSize, cfg.NumTbl8, cfg.DefaultNH)
		}
	}
	if len(name) >= NameSize || (cfg.Type == DIR24_8 && eal.Initialized() && len(MemzonePrefix)+len(name) >= memzoneNameSize) {
		return nil, fmt.Errorf("fib: create %q: %w", name, ErrNameTooLong)
	}
	registry.Lock()
	defer registry.Unlock()
	if _, ok := registry.m[name]; ok {
		return nil, fmt.Errorf("fib: create %q: %w", name, ErrExist)
	}
	f := &FIB{name: name, typ: cfg.Type, nhSize: cfg.NHSize, defNH: cfg.DefaultNH, max: cfg.MaxRoutes, rules: multibit.NewRules(MaxDepth, multibit.Mask4)}
	if cfg.Type == DIR24_8 {
		// Round up to whole 64-bit words of DPDK's bitmap of groups.
		n := (cfg.NumTbl8 + 63) &^ 63
		mz, def := MemzonePrefix+name, cfg.DefaultNH<<1
		var err error
		switch cfg.NHSize {
		case NH1B:
			f.t1, err = multibit.New(mz, socket, n, MaxDepth, uint8(def))
		case NH2B:
			f.t2, err = multibit.New(mz, socket, n, MaxDepth, uint16(def))
		case NH4B:
			f.t4, err = multibit.New(mz, socket, n, MaxDepth, uint32(def))
		case NH8B:
			f.t8, err = multibit.New(mz, socket, n, MaxDepth, def)
		}
		if err != nil {
			return nil, fmt.Errorf("fib: create %q: %w", name, err)
		}
	}
	registry.m[name] = f
	return f, nil
}

// FindExisting returns the FIB called name made by Create in this process
// (rte_fib_find_existing), or an error wrapping ErrNotFound.
func FindExisting(name string) (*FIB, error) {
	registry.Lock()
	defer registry.Unlock()
	if f, ok := registry.m[name]; ok {
		return f, nil
	}
	return nil, fmt.Errorf("fib: find %q: %w", name, ErrNotFound)
}

// Free releases the FIB (rte_fib_free); it must be out of use. Free on a
// nil FIB does nothing.
func (f *FIB) Free() {
	if f == nil {
		return
	}
	registry.Lock()
	if registry.m[f.name] == f {
		delete(registry.m, f.name)
	}
	registry.Unlock()
	switch {
	case f.t1 != nil:
		f.t1.Free()
	case f.t2 != nil:
		f.t2.Free()
	case f.t4 != nil:
		f.t4.Free()
	case f.t8 != nil:
		f.t8.Free()
	}
	f.t1, f.t2, f.t4, f.t8, f.rules = nil, nil, nil, nil, nil
}

// Name returns the FIB's name.
func (f *FIB) Name() string { return f.name }

// Type returns the FIB's dataplane type.
func (f *FIB) Type() Type { return f.typ }

// DefaultNH returns the next hop of addresses no route covers.
func (f *FIB) DefaultNH() uint64 { return f.defNH }

// Routes returns the number of routes in the FIB.
func (f *FIB) Routes() int { return f.rules.Len() }

// Tbl8sInUse returns the number of tbl8 groups a DIR24_8 FIB uses.
func (f *FIB) Tbl8sInUse() int {
	switch {
	case f.t1 != nil:
		return f.t1.Tbl8sInUse()
	case f.t2 != nil:
		return f.t2.Tbl8sInUse()
	case f.t4 != nil:
		return f.t4.Tbl8sInUse()
	case f.t8 != nil:
		return f.t8.Tbl8sInUse()
	}
	return 0
}

func (f *FIB) String() string {
	return fmt.Sprintf("fib %q: %v, %d/%d routes", f.name, f.typ, f.rules.Len(), f.max)
}

// key is an IPv4 address as the dataplane's key: its four bytes first.
func key(ip uint32) [16]byte {
	var k [16]byte
	binary.BigEndian.PutUint32(k[:], ip)
	return k
}

// Add inserts the route ip/depth, or changes its next hop
// (rte_fib_add). ip is masked to depth first; depth is 0 (a default
// route) to 32. It returns an error wrapping ErrInvalid (bad depth, next
// hop over NHSize.MaxNextHop) or ErrNoSpace; the FIB is then unchanged.
func (f *FIB) Add(ip uint32, depth uint8, nextHop uint64) error {
	if depth > MaxDepth || (f.typ == DIR24_8 && nextHop > f.nhSize.MaxNextHop()) {
		return fmt.Errorf("fib: add /%d next hop %d: %w", depth, nextHop, ErrInvalid)
	}
	ip = multibit.Mask4(ip, depth)
	old, exists := f.rules.Get(ip, depth)
	if exists && old == nextHop {
		return nil
	}
	if !exists && f.rules.Len() >= f.max {
		return fmt.Errorf("fib: add /%d: %w: %d routes", depth, ErrNoSpace, f.max)
	}
	var err error
	k, res := key(ip), nextHop<<1
	switch {
	case f.t1 != nil:
		err = f.t1.Add(&k, depth, uint8(res), !exists)
	case f.t2 != nil:
		err = f.t2.Add(&k, depth, uint16(res), !exists)
	case f.t4 != nil:
		err = f.t4.Add(&k, depth, uint32(res), !exists)
	case f.t8 != nil:
		err = f.t8.Add(&k, depth, res, !exists)
	}
	if err != nil {
		return fmt.Errorf("fib: add /%d: %w: %v", depth, ErrNoSpace, err)
	}
	f.rules.Set(ip, depth, nextHop, !exists)
	return nil
}

// Delete removes the route ip/depth (rte_fib_delete): the addresses it
// covered take the next hop of the longest shorter route that covers
// them, or the default. ip is masked to depth first. It returns an error
// wrapping ErrInvalid for a depth over 32 or ErrNotFound.
func (f *FIB) Delete(ip uint32, depth uint8) error {
	if depth > MaxDepth {
		return fmt.Errorf("fib: delete /%d: %w", depth, ErrInvalid)
	}
	ip = multibit.Mask4(ip, depth)
	if !f.rules.Delete(ip, depth) {
		return fmt.Errorf("fib: delete /%d: %w", depth, ErrNotFound)
	}
	if f.typ == Dummy {
		return nil
	}
	nh, d := f.rules.Covering(ip, depth)
	k, res := key(ip), nh<<1
	switch {
	case f.t1 != nil:
		f.t1.Delete(&k, depth, uint8(res), d)
	case f.t2 != nil:
		f.t2.Delete(&k, depth, uint16(res), d)
	case f.t4 != nil:
		f.t4.Delete(&k, depth, uint32(res), d)
	case f.t8 != nil:
		f.t8.Delete(&k, depth, res, d)
	}
	return nil
}

// IsRulePresent reports whether the route ip/depth is in the FIB and its
// next hop (DPDK asks the FIB's RIB: rte_rib_lookup_exact).
func (f *FIB) IsRulePresent(ip uint32, depth uint8) (nextHop uint64, present bool) {
	if depth > MaxDepth {
		return 0, false
	}
	return f.rules.Get(multibit.Mask4(ip, depth), depth)
}
