package lpm

import "fmt"

// Writers change entries only with single 32-bit stores (store32:
// atomic, release-ordered), in an order that keeps every state a reader
// can see consistent: a new tbl8
// group is filled before the tbl24 entry that points to it is stored, and
// a group is unlinked from tbl24 before it is freed (after readers have
// quiesced when an RCU variable is attached).

// setTbl24 stores tbl24 entry i. Its chunk must be marked dirty.
func (l *LPM) setTbl24(i, e uint32) { store32(&l.tbl24[i], e) }

// setTbl8 stores tbl8 entry i.
func (l *LPM) setTbl8(i, e uint32) { store32(&l.tbl8[i], e) }

// markDirty records that tbl24 entries first to last-1 may become
// non-zero, for DeleteAll.
func (l *LPM) markDirty(first, last uint32) {
	for c := first / dirtyChunk; c <= (last-1)/dirtyChunk; c++ {
		l.hdr.dirty[c/64] |= 1 << (c % 64)
	}
}

// Add adds the rule ip/depth -> nextHop, or changes the next hop of an
// existing rule (rte_lpm_add). ip is masked to depth. It returns an error
// wrapping ErrInvalid for a depth outside 1 to 32 or a next hop above
// MaxNextHop, and ErrNoSpace when the rule table is full or the rule needs
// a tbl8 group and none is free (the table is then unchanged).
func (l *LPM) Add(ip uint32, depth uint8, nextHop uint32) error {
	if depth < 1 || depth > MaxDepth {
		return fmt.Errorf("lpm: add to %q: %w: depth %d", l.name, ErrInvalid, depth)
	}
	if nextHop > MaxNextHop {
		return fmt.Errorf("lpm: add to %q: %w: next hop %#x has more than 24 bits", l.name, ErrInvalid, nextHop)
	}
	ip &= depthMask(depth)
	slot, found := l.ruleFind(ip, depth)
	if found {
		if l.rules[slot].nextHop() == nextHop {
			return nil
		}
		l.rules[slot] = makeRule(ip, depth, nextHop)
	} else {
		if l.hdr.rules >= l.hdr.maxRules {
			return fmt.Errorf("lpm: add %s/%d to %q: %w: all %d rules used", ipString(ip), depth, l.name, ErrNoSpace, l.hdr.maxRules)
		}
		l.ruleInsert(slot, ip, depth, nextHop)
	}
	if depth <= maxDepthTbl24 {
		l.addSmall(ip, depth, nextHop)
		return nil
	}
	if err := l.addBig(ip, depth, nextHop); err != nil {
		// Only a new rule can need a new group: take it back out.
		l.ruleDelete(slot)
		return fmt.Errorf("lpm: add %s/%d to %q: %w", ipString(ip), depth, l.name, err)
	}
	return nil
}

// addSmall writes a rule of depth 1 to 24 (add_depth_small): into every
// tbl24 entry of its range, and every tbl8 entry below them, that holds no
// longer rule.
func (l *LPM) addSmall(ip uint32, depth uint8, hop uint32) {
	e24 := routeEntry(hop, depth)
	e8 := e24 | groupBit
	first := ip >> 8
	last := first + 1<<(maxDepthTbl24-depth)
	l.markDirty(first, last)
	for i := first; i < last; i++ {
		e := l.tbl24[i]
		switch {
		case e&extMask == extMask:
			base := (e & hopMask) * GroupEntries
			for j := base; j < base+GroupEntries; j++ {
				if t := l.tbl8[j]; t&validBit == 0 || entryDepth(t) <= depth {
					l.setTbl8(j, e8)
				}
			}
		case e&validBit == 0 || entryDepth(e) <= depth:
			l.setTbl24(i, e24)
		}
	}
}

// addBig writes a rule of depth 25 to 32 (add_depth_big) into the tbl8
// group of its /24, which it makes if there is none.
func (l *LPM) addBig(ip uint32, depth uint8, hop uint32) error {
	i24 := ip >> 8
	e8 := routeEntry(hop, depth) | groupBit
	lo := ip & 0xff
	hi := lo + 1<<(MaxDepth-depth)
	e := l.tbl24[i24]
	if e&extMask == extMask {
		base := (e & hopMask) * GroupEntries
		for j := base + lo; j < base+hi; j++ {
			if t := l.tbl8[j]; t&validBit == 0 || entryDepth(t) <= depth {
				l.setTbl8(j, e8)
			}
		}
		return nil
	}
	g, err := l.tbl8Alloc()
	if err != nil {
		return err
	}
	// The group is unreachable until tbl24 points to it: fill it with
	// what the /24 resolved to so far (nothing, or a shorter rule), then
	// the new rule, then publish it.
	fill := uint32(groupBit)
	if e&validBit != 0 {
		fill = e | groupBit
	}
	base := g * GroupEntries
	grp := l.tbl8[base : base+GroupEntries]
	for j := range grp {
		grp[j] = fill
	}
	for j := lo; j < hi; j++ {
		grp[j] = e8
	}
	l.markDirty(i24, i24+1)
	l.setTbl24(i24, extMask|g)
	return nil
}

// Delete removes the rule ip/depth (rte_lpm_delete). ip is masked to
// depth. Addresses it covered fall back to the longest remaining rule that
// covers them, or miss. It returns an error wrapping ErrInvalid for a
// depth outside 1 to 32 and ErrNotFound if the rule is not in the table.
func (l *LPM) Delete(ip uint32, depth uint8) error {
	if depth < 1 || depth > MaxDepth {
		return fmt.Errorf("lpm: delete from %q: %w: depth %d", l.name, ErrInvalid, depth)
	}
	ip &= depthMask(depth)
	slot, found := l.ruleFind(ip, depth)
	if !found {
		return fmt.Errorf("lpm: delete %s/%d from %q: %w", ipString(ip), depth, l.name, ErrNotFound)
	}
	l.ruleDelete(slot)
	sub, ok := l.rulePrevious(ip, depth)
	if depth <= maxDepthTbl24 {
		l.deleteSmall(ip, depth, sub, ok)
		return nil
	}
	l.deleteBig(ip, depth, sub, ok)
	return nil
}

// deleteSmall replaces a rule of depth 1 to 24 by sub, or by nothing,
// wherever the rule was the longest match (delete_depth_small).
func (l *LPM) deleteSmall(ip uint32, depth uint8, sub rule, hasSub bool) {
	e24, e8 := uint32(0), uint32(groupBit)
	if hasSub {
		e24 = routeEntry(sub.nextHop(), sub.depth())
		e8 = e24 | groupBit
	}
	first := ip >> 8
	last := first + 1<<(maxDepthTbl24-depth)
	for i := first; i < last; i++ {
		e := l.tbl24[i]
		switch {
		case e&extMask == extMask:
			base := (e & hopMask) * GroupEntries
			for j := base; j < base+GroupEntries; j++ {
				if t := l.tbl8[j]; t&validBit != 0 && entryDepth(t) <= depth {
					l.setTbl8(j, e8)
				}
			}
		case e&validBit != 0 && entryDepth(e) <= depth:
			l.setTbl24(i, e24)
		}
	}
}

// deleteBig replaces a rule of depth 25 to 32 by sub, or by nothing, in
// its tbl8 group (delete_depth_big), then gives the group back if all its
// entries have become the same: tbl24 then holds that entry itself.
func (l *LPM) deleteBig(ip uint32, depth uint8, sub rule, hasSub bool) {
	i24 := ip >> 8
	e := l.tbl24[i24]
	if e&extMask != extMask {
		panic(fmt.Sprintf("lpm: %q: tbl24 entry %#x of rule %s/%d is not extended", l.name, e, ipString(ip), depth))
	}
	e8 := uint32(groupBit)
	if hasSub {
		e8 = routeEntry(sub.nextHop(), sub.depth()) | groupBit
	}
	g := e & hopMask
	base := g * GroupEntries
	lo := ip & 0xff
	hi := lo + 1<<(MaxDepth-depth)
	for j := base + lo; j < base+hi; j++ {
		if t := l.tbl8[j]; t&validBit != 0 && entryDepth(t) <= depth {
			l.setTbl8(j, e8)
		}
	}
	// tbl8_recycle_check: a group whose entries are all equal holds no
	// rule longer than 24 any more.
	grp := l.tbl8[base : base+GroupEntries]
	first := grp[0]
	for _, t := range grp[1:] {
		if t != first {
			return
		}
	}
	if first&validBit != 0 && entryDepth(first) > maxDepthTbl24 {
		return // cannot happen: no rule longer than 24 covers a whole group
	}
	// Unlink, then free: readers that loaded the old tbl24 entry may
	// still read the group until they quiesce.
	l.setTbl24(i24, first&^groupBit)
	l.tbl8Free(g)
}

// DeleteAll removes every rule (rte_lpm_delete_all). tbl8 groups in use go
// back through the RCU variable, if one is attached, as in Delete.
func (l *LPM) DeleteAll() {
	clear(l.rules)
	l.hdr.rules = 0
	l.hdr.depthRules = [MaxDepth + 1]uint32{}
	for w, bits := range l.hdr.dirty {
		for b := 0; bits != 0; b++ {
			if bits&1 != 0 {
				first := uint32(w*64+b) * dirtyChunk
				for i := first; i < first+dirtyChunk; i++ {
					if l.tbl24[i] != 0 {
						store32(&l.tbl24[i], 0)
					}
				}
			}
			bits >>= 1
		}
		l.hdr.dirty[w] = 0
	}
	var used []uint32
	for g, s := range l.state {
		if s == groupInUse {
			used = append(used, uint32(g))
		}
	}
	l.tbl8FreeAll(used)
}

// ipString formats an IPv4 address for messages.
func ipString(ip uint32) string {
	return fmt.Sprintf("%d.%d.%d.%d", ip>>24, ip>>16&0xff, ip>>8&0xff, ip&0xff)
}
