package lpm6

import "fmt"

// The table is DPDK's multi-stride trie: tbl24 is indexed by the first
// three bytes of an address, each tbl8 group of 256 cells by one further
// byte. A rule of depth d fills, at the level where its last bit falls,
// the 2^(bits covered - d) cells its prefix spans; a cell on its way down
// that holds no group yet gets one, filled with what the cell held (the
// shorter rule that covered it, or nothing). Every cell holding a rule
// records the rule's depth, so a longer rule overwrites a shorter one and
// never the reverse, whatever the order of the adds.
//
// A group counts the rules that end in it and the groups that hang from
// it; when a delete brings that count to zero the group goes back to the
// pool and its owner cell takes the rule that now covers it.

// maskAddr clears the bits of ip beyond depth (ip6_mask_addr).
func maskAddr(ip [AddrSize]byte, depth uint8) [AddrSize]byte {
	d := int(depth)
	for i := range ip {
		switch {
		case d <= 0:
			ip[i] = 0
		case d < 8:
			ip[i] &= ^byte(0xff >> d)
		}
		d -= 8
	}
	return ip
}

func (l *LPM) initPool() {
	for i := range l.pool {
		l.pool[i] = uint32(i)
	}
	l.poolPos = 0
}

func (l *LPM) tbl8Free() uint32 { return l.numTbl8s - l.poolPos }

// groupCells returns the 256 cells of group g.
func (l *LPM) groupCells(g uint32) []entry {
	return l.tbl8[g*groupEntries : (g+1)*groupEntries : (g+1)*groupEntries]
}

// allocGroup takes a group from the pool, fills it with fill and records
// its owner cell.
func (l *LPM) allocGroup(fill entry, ownerGroup int32, ownerEntry uint32) uint32 {
	g := l.pool[l.poolPos]
	l.poolPos++
	cells := l.groupCells(g)
	for i := range cells {
		cells[i] = fill
	}
	l.hdrs[g] = tbl8Hdr{ownerGroup: ownerGroup, ownerEntry: ownerEntry}
	return g
}

func (l *LPM) putGroup(g uint32) {
	l.poolPos--
	l.pool[l.poolPos] = g
}

// groupsNeeded returns how many new tbl8 groups adding a rule of depth
// to masked ip takes (simulate_add).
func (l *LPM) groupsNeeded(ip *[AddrSize]byte, depth uint8) uint32 {
	if depth <= 24 {
		return 0
	}
	e := l.tbl24[uint32(ip[0])<<16|uint32(ip[1])<<8|uint32(ip[2])]
	bits := uint8(24)
	for b := 3; ; b++ {
		if !e.isExt() {
			return (uint32(depth-bits) + 7) / 8
		}
		bits += 8
		if depth <= bits {
			return 0
		}
		e = l.tbl8[e.group()*groupEntries+uint32(ip[b])]
	}
}

// Add inserts a rule, or changes the next hop of the rule with the same
// prefix and depth (rte_lpm6_add). ip is masked to depth first. depth is
// 1 to 128, nextHop at most MaxNextHop. It returns an error wrapping
// ErrInvalid, or ErrNoSpace when MaxRules rules are in the table already
// or too few tbl8 groups are free; the table is then unchanged.
func (l *LPM) Add(ip [AddrSize]byte, depth uint8, nextHop uint32) error {
	if depth < 1 || depth > MaxDepth || nextHop > MaxNextHop {
		return fmt.Errorf("lpm6: add /%d next hop %d: %w", depth, nextHop, ErrInvalid)
	}
	ip = maskAddr(ip, depth)
	if l.groupsNeeded(&ip, depth) > l.tbl8Free() {
		return fmt.Errorf("lpm6: add /%d: %w: not enough tbl8 groups", depth, ErrNoSpace)
	}
	key := ruleKey{ip, depth}
	_, exists := l.rules[key]
	if !exists && uint32(len(l.rules)) >= l.maxRules {
		return fmt.Errorf("lpm6: add /%d: %w: %d rules", depth, ErrNoSpace, l.maxRules)
	}
	l.rules[key] = nextHop
	l.install(&ip, depth, leaf(depth, nextHop), !exists)
	return nil
}

// install writes a rule's cells; groupsNeeded has said the groups are
// there. A new rule counts in the group where it ends.
func (l *LPM) install(ip *[AddrSize]byte, depth uint8, lf entry, isNew bool) {
	tbl := l.tbl24[:]
	owner := int32(-1)
	idx := uint32(ip[0])<<16 | uint32(ip[1])<<8 | uint32(ip[2])
	bits := uint8(24)
	for b := 3; depth > bits; b++ {
		e := tbl[idx]
		if !e.isExt() {
			g := l.allocGroup(e, owner, idx)
			tbl[idx] = ext(g)
			if owner >= 0 {
				l.hdrs[owner].refs++
			}
			e = ext(g)
		}
		owner = int32(e.group())
		tbl = l.groupCells(e.group())
		idx = uint32(ip[b])
		bits += 8
	}
	span := uint32(1) << (bits - depth)
	for i := idx; i < idx+span; i++ {
		e := tbl[i]
		switch {
		case e.isExt():
			l.expand(e.group(), depth, lf)
		case e.depth() <= depth:
			tbl[i] = lf
		}
	}
	if isNew && owner >= 0 {
		l.hdrs[owner].refs++
	}
}

// expand writes lf, a rule of the given depth, into the cells of group g
// and the groups below it that hold no longer rule (expand_rule).
func (l *LPM) expand(g uint32, depth uint8, lf entry) {
	cells := l.groupCells(g)
	for i, e := range cells {
		switch {
		case e.isExt():
			l.expand(e.group(), depth, lf)
		case e.depth() <= depth:
			cells[i] = lf
		}
	}
}

// IsRulePresent reports whether the rule ip/depth is in the table and
// its next hop (rte_lpm6_is_rule_present). ip is masked to depth first; a
// depth outside 1..128 is never present.
func (l *LPM) IsRulePresent(ip [AddrSize]byte, depth uint8) (nextHop uint32, present bool) {
	if depth < 1 || depth > MaxDepth {
		return 0, false
	}
	nextHop, present = l.rules[ruleKey{maskAddr(ip, depth), depth}]
	return nextHop, present
}

// Delete removes the rule ip/depth (rte_lpm6_delete): the addresses it
// covered fall back to the longest shorter rule that covers them, or to
// no rule. ip is masked to depth first. It returns an error wrapping
// ErrInvalid for a depth outside 1..128 or ErrNotFound when the rule is
// not in the table.
func (l *LPM) Delete(ip [AddrSize]byte, depth uint8) error {
	if depth < 1 || depth > MaxDepth {
		return fmt.Errorf("lpm6: delete /%d: %w", depth, ErrInvalid)
	}
	ip = maskAddr(ip, depth)
	key := ruleKey{ip, depth}
	if _, ok := l.rules[key]; !ok {
		return fmt.Errorf("lpm6: delete /%d: %w", depth, ErrNotFound)
	}
	delete(l.rules, key)
	l.uninstall(&ip, depth, l.coveringLeaf(ip, depth))
	return nil
}

// coveringLeaf returns the cell of the longest rule shorter than depth
// that covers ip/depth (rule_find_less_specific), or an empty cell.
func (l *LPM) coveringLeaf(ip [AddrSize]byte, depth uint8) entry {
	for d := depth - 1; d >= 1; d-- {
		// Clear bit d (0-based): ip then has prefix length d.
		ip[d/8] &^= 0x80 >> (d % 8)
		if nh, ok := l.rules[ruleKey{ip, d}]; ok {
			return leaf(d, nh)
		}
	}
	return 0
}

// uninstall replaces the cells of the deleted rule ip/depth with repl.
func (l *LPM) uninstall(ip *[AddrSize]byte, depth uint8, repl entry) {
	tbl := l.tbl24[:]
	owner := int32(-1)
	idx := uint32(ip[0])<<16 | uint32(ip[1])<<8 | uint32(ip[2])
	bits := uint8(24)
	for b := 3; depth > bits; b++ {
		e := tbl[idx]
		if !e.isExt() {
			panic("lpm6: corrupt table: rule path has no tbl8 group")
		}
		owner = int32(e.group())
		tbl = l.groupCells(e.group())
		idx = uint32(ip[b])
		bits += 8
	}
	if owner >= 0 {
		h := &l.hdrs[owner]
		h.refs--
		if h.refs == 0 {
			// Nothing else ends in or hangs from the group: every
			// cell of it now takes repl.
			l.removeGroup(uint32(owner), repl)
			return
		}
	}
	span := uint32(1) << (bits - depth)
	for i := idx; i < idx+span; i++ {
		e := tbl[i]
		switch {
		case e.isExt():
			l.expand(e.group(), depth, repl)
		case e.depth() == depth:
			tbl[i] = repl
		}
	}
}

// removeGroup unhooks group g, whose owner cell takes repl, returns it to
// the pool, and removes the owner's group in turn if that leaves it
// unused (remove_tbl).
func (l *LPM) removeGroup(g uint32, repl entry) {
	h := l.hdrs[g]
	if h.ownerGroup < 0 {
		l.tbl24[h.ownerEntry] = repl
	} else {
		l.tbl8[uint32(h.ownerGroup)*groupEntries+h.ownerEntry] = repl
	}
	l.putGroup(g)
	if h.ownerGroup >= 0 {
		oh := &l.hdrs[h.ownerGroup]
		oh.refs--
		if oh.refs == 0 {
			l.removeGroup(uint32(h.ownerGroup), repl)
		}
	}
}

// DeleteBulk removes the rules ips[i]/depths[i] (rte_lpm6_delete_bulk_func)
// and rebuilds the tables from the rules left, as DPDK does. Rules that
// are not in the table are skipped; a depth outside 1..128 or slices of
// different lengths give ErrInvalid and change nothing.
func (l *LPM) DeleteBulk(ips [][AddrSize]byte, depths []uint8) error {
	if len(ips) != len(depths) {
		return fmt.Errorf("lpm6: delete bulk: %w: %d addresses, %d depths", ErrInvalid, len(ips), len(depths))
	}
	for _, d := range depths {
		if d < 1 || d > MaxDepth {
			return fmt.Errorf("lpm6: delete bulk /%d: %w", d, ErrInvalid)
		}
	}
	for i, ip := range ips {
		delete(l.rules, ruleKey{maskAddr(ip, depths[i]), depths[i]})
	}
	l.clearTables()
	for k, nh := range l.rules {
		ip := k.ip
		l.install(&ip, k.depth, leaf(k.depth, nh), true)
	}
	return nil
}

// DeleteAll removes every rule (rte_lpm6_delete_all).
func (l *LPM) DeleteAll() {
	clear(l.rules)
	l.clearTables()
}

func (l *LPM) clearTables() {
	clear(l.tbl24[:])
	clear(l.tbl8)
	clear(l.hdrs)
	l.initPool()
}
