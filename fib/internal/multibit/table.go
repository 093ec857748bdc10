package multibit

import (
	"errors"
	"fmt"
)

// Entry is the type of a cell: the next hop size.
type Entry interface {
	~uint8 | ~uint16 | ~uint32 | ~uint64
}

const (
	// Tbl24Entries is the number of tbl24 cells.
	Tbl24Entries = 1 << 24
	// GroupEntries is the number of cells of a tbl8 group.
	GroupEntries = 256
)

// extDepth is the depth recorded for a cell that points at a group: more
// than any route's, so that the fill loops test one byte per cell.
const extDepth = 0xff

// ErrNoSpace reports that a route needs more tbl8 groups than are free.
var ErrNoSpace = errors.New("not enough tbl8 groups")

// Table is the dataplane of a FIB: the lookup tables and what it takes to
// update them.
type Table[E Entry] struct {
	// Tbl24 and Tbl8 are the cells lookups read.
	Tbl24 *[Tbl24Entries]E
	Tbl8  []E

	empty   E
	keyBits uint8
	d24     []uint8 // route depth+1 of each tbl24 result cell, or extDepth
	d8      []uint8 // likewise for the tbl8 cells
	hdrs    []groupHdr
	pool    []uint32 // pool[poolPos:] are the free groups
	poolPos uint32
	mem     *memory[E]
}

type groupHdr struct {
	ownerGroup int32  // -1 for tbl24
	ownerEntry uint32 // index in the owner table
	refs       uint32
}

// New makes a table of numTbl8 groups for keys of keyBits bits (32 or
// 128) whose cells all hold empty, the default result. When the EAL is
// initialised the cells live in a memzone called mzName on socket.
func New[E Entry](mzName string, socket int, numTbl8 uint32, keyBits uint8, empty E) (*Table[E], error) {
	mem, err := allocCells[E](mzName, Tbl24Entries+int(numTbl8)*GroupEntries, socket)
	if err != nil {
		return nil, err
	}
	t := &Table[E]{
		Tbl24:   (*[Tbl24Entries]E)(mem.cells[:Tbl24Entries]),
		Tbl8:    mem.cells[Tbl24Entries:],
		empty:   empty,
		keyBits: keyBits,
		d24:     make([]uint8, Tbl24Entries),
		d8:      make([]uint8, int(numTbl8)*GroupEntries),
		hdrs:    make([]groupHdr, numTbl8),
		pool:    make([]uint32, numTbl8),
		mem:     mem,
	}
	for i := range t.pool {
		t.pool[i] = uint32(i)
	}
	// Write every tbl24 cell and depth now, as DPDK's create does: the
	// pages are then in place before the first route comes.
	fill(t.Tbl24[:], empty)
	clear(t.d24)
	return t, nil
}

// fill sets every element of s to v, by doubling copies.
func fill[T Entry](s []T, v T) {
	if len(s) == 0 {
		return
	}
	s[0] = v
	for n := 1; n < len(s); n *= 2 {
		copy(s[n:], s[:n])
	}
}

// Free releases the cells.
func (t *Table[E]) Free() {
	if t.mem != nil {
		t.mem.free()
	}
	*t = Table[E]{}
}

// Tbl8sInUse returns the number of groups in use.
func (t *Table[E]) Tbl8sInUse() int { return int(t.poolPos) }

// Tbl8s returns the number of groups.
func (t *Table[E]) Tbl8s() int { return len(t.pool) }

// ext is a cell pointing at group g.
func ext[E Entry](g uint32) E { return E(g)<<1 | 1 }

// level is one table on an address's way down: its cells and depths.
type level[E Entry] struct {
	cells  []E
	depths []uint8
	group  int32 // -1 for tbl24
}

func (t *Table[E]) tbl24Level() level[E] { return level[E]{t.Tbl24[:], t.d24, -1} }

func (t *Table[E]) groupLevel(g uint32) level[E] {
	lo, hi := g*GroupEntries, (g+1)*GroupEntries
	return level[E]{t.Tbl8[lo:hi:hi], t.d8[lo:hi:hi], int32(g)}
}

func tbl24Index(key *[16]byte) uint32 {
	return uint32(key[0])<<16 | uint32(key[1])<<8 | uint32(key[2])
}

// groupsNeeded returns how many new groups a route of depth at key takes.
func (t *Table[E]) groupsNeeded(key *[16]byte, depth uint8) uint32 {
	if depth <= 24 {
		return 0
	}
	e := t.Tbl24[tbl24Index(key)]
	bits := uint8(24)
	for b := 3; ; b++ {
		if e&1 == 0 {
			return (uint32(depth-bits) + 7) / 8
		}
		bits += 8
		if depth <= bits {
			return 0
		}
		e = t.Tbl8[uint(e>>1)*GroupEntries+uint(key[b])]
	}
}

// Add writes the result res of a route key/depth (key masked to depth)
// into the cells it covers that no longer route holds. isNew says the
// route was not in the table before (a changed next hop is not new). It
// fails with ErrNoSpace, changing nothing, when the groups it needs are
// not free.
func (t *Table[E]) Add(key *[16]byte, depth uint8, res E, isNew bool) error {
	if depth > t.keyBits {
		return fmt.Errorf("depth %d over %d bits", depth, t.keyBits)
	}
	if need := t.groupsNeeded(key, depth); need > uint32(len(t.pool))-t.poolPos {
		return ErrNoSpace
	}
	lv := t.tbl24Level()
	idx := tbl24Index(key)
	bits := uint8(24)
	for b := 3; depth > bits; b++ {
		e := lv.cells[idx]
		if e&1 == 0 {
			g := t.allocGroup(e, lv.depths[idx], lv.group, idx)
			lv.cells[idx], lv.depths[idx] = ext[E](g), extDepth
			if lv.group >= 0 {
				t.hdrs[lv.group].refs++
			}
			e = ext[E](g)
		}
		lv = t.groupLevel(uint32(e >> 1))
		idx = uint32(key[b])
		bits += 8
	}
	d := depth + 1
	span := uint32(1) << (bits - depth)
	t.fillRange(lv.cells[idx:idx+span], lv.depths[idx:idx+span], d, res, d)
	if isNew && lv.group >= 0 {
		t.hdrs[lv.group].refs++
	}
	return nil
}

// fillRange writes res, of depth+1 rd, into the cells whose route is no
// longer than upTo (depth+1), and likewise in the groups the others point
// at.
func (t *Table[E]) fillRange(cells []E, depths []uint8, upTo uint8, res E, rd uint8) {
	cells = cells[:len(depths)]
	for i, d := range depths {
		if d <= upTo {
			cells[i], depths[i] = res, rd
		} else if d == extDepth {
			lv := t.groupLevel(uint32(cells[i] >> 1))
			t.fillRange(lv.cells, lv.depths, upTo, res, rd)
		}
	}
}

// Delete removes the route key/depth (key masked to depth) from the
// cells: they take repl, the result of the covering route of depth
// replDepth, or the empty result when replDepth is negative. The route
// must be in the table.
func (t *Table[E]) Delete(key *[16]byte, depth uint8, repl E, replDepth int) {
	rd := uint8(replDepth + 1)
	if replDepth < 0 {
		repl, rd = t.empty, 0
	}
	lv := t.tbl24Level()
	idx := tbl24Index(key)
	bits := uint8(24)
	for b := 3; depth > bits; b++ {
		e := lv.cells[idx]
		if e&1 == 0 {
			panic("fib: corrupt table: a route's path has no tbl8 group")
		}
		lv = t.groupLevel(uint32(e >> 1))
		idx = uint32(key[b])
		bits += 8
	}
	if lv.group >= 0 {
		h := &t.hdrs[lv.group]
		h.refs--
		if h.refs == 0 {
			t.removeGroup(uint32(lv.group), repl, rd)
			return
		}
	}
	// The cells of the range hold the route itself, longer routes, or
	// groups: none holds a shorter route, which the route overwrote.
	d := depth + 1
	span := uint32(1) << (bits - depth)
	t.fillRange(lv.cells[idx:idx+span], lv.depths[idx:idx+span], d, repl, rd)
}

// allocGroup takes a group from the pool, fills it with v (whose route
// has depth+1 vd) and records its owner cell.
func (t *Table[E]) allocGroup(v E, vd uint8, ownerGroup int32, ownerEntry uint32) uint32 {
	g := t.pool[t.poolPos]
	t.poolPos++
	lv := t.groupLevel(g)
	fill(lv.cells, v)
	fill(lv.depths, vd)
	t.hdrs[g] = groupHdr{ownerGroup: ownerGroup, ownerEntry: ownerEntry}
	return g
}

// removeGroup unhooks group g, whose owner cell takes repl, returns it to
// the pool, and removes the owner's group in turn if nothing else keeps
// it.
func (t *Table[E]) removeGroup(g uint32, repl E, rd uint8) {
	h := t.hdrs[g]
	if h.ownerGroup < 0 {
		t.Tbl24[h.ownerEntry], t.d24[h.ownerEntry] = repl, rd
	} else {
		i := uint32(h.ownerGroup)*GroupEntries + h.ownerEntry
		t.Tbl8[i], t.d8[i] = repl, rd
	}
	t.poolPos--
	t.pool[t.poolPos] = g
	if h.ownerGroup >= 0 {
		oh := &t.hdrs[h.ownerGroup]
		oh.refs--
		if oh.refs == 0 {
			t.removeGroup(uint32(h.ownerGroup), repl, rd)
		}
	}
}
