package lpm

// The rule table keeps every rule added (prefix, length, next hop) so that
// deleting a rule can find the longest rule that covers it, and so that
// IsRulePresent can answer. DPDK keeps rules in an array sorted by depth
// and scans a depth's rules linearly; here they live in an open-addressing
// hash table with linear probing, keyed by (prefix, depth), at most half
// full, in the table's memzone. Deletion shifts later entries of the probe
// run back, so the table needs no tombstones.

// rule is one slot of the rule table.
type rule struct {
	ip  uint32 // masked prefix
	val uint32 // ruleUsed | depth<<24 | next hop
}

const ruleUsed = 1 << 31

func (r rule) used() bool      { return r.val&ruleUsed != 0 }
func (r rule) depth() uint8    { return uint8(r.val>>24) & 0x3f }
func (r rule) nextHop() uint32 { return r.val & hopMask }

func makeRule(ip uint32, depth uint8, hop uint32) rule {
	return rule{ip: ip, val: ruleUsed | uint32(depth)<<24 | hop}
}

// ruleSlots returns the size of the rule table for maxRules rules: a power
// of two at least twice as large.
func ruleSlots(maxRules uint32) uint32 {
	n := uint32(16)
	for n < 2*maxRules {
		n <<= 1
	}
	return n
}

// home returns the first slot a rule's probe looks at.
func (l *LPM) home(ip uint32, depth uint8) uint32 {
	k := uint64(ip)<<6 | uint64(depth)
	return uint32((k * 0x9e3779b97f4a7c15) >> 32 & uint64(len(l.rules)-1))
}

// ruleFind returns the slot of rule (ip, depth) and whether it exists; if
// it does not, the slot is where it would go.
func (l *LPM) ruleFind(ip uint32, depth uint8) (uint32, bool) {
	mask := uint32(len(l.rules) - 1)
	for i := l.home(ip, depth); ; i = (i + 1) & mask {
		r := l.rules[i]
		if !r.used() {
			return i, false
		}
		if r.ip == ip && r.depth() == depth {
			return i, true
		}
	}
}

// ruleInsert stores a new rule in the free slot ruleFind returned.
func (l *LPM) ruleInsert(slot, ip uint32, depth uint8, hop uint32) {
	l.rules[slot] = makeRule(ip, depth, hop)
	l.hdr.rules++
	l.hdr.depthRules[depth]++
}

// ruleDelete empties a slot and moves later rules of its probe run back so
// that every rule stays reachable from its home slot.
func (l *LPM) ruleDelete(slot uint32) {
	mask := uint32(len(l.rules) - 1)
	l.hdr.rules--
	l.hdr.depthRules[l.rules[slot].depth()]--
	hole := slot
	for j := (hole + 1) & mask; l.rules[j].used(); j = (j + 1) & mask {
		r := l.rules[j]
		h := l.home(r.ip, r.depth())
		// r may move into the hole unless its home lies cyclically in
		// (hole, j].
		if (j-h)&mask >= (j-hole)&mask {
			l.rules[hole] = r
			hole = j
		}
	}
	l.rules[hole] = rule{}
}

// rulePrevious returns the longest rule shorter than depth that covers ip
// (find_previous_rule).
func (l *LPM) rulePrevious(ip uint32, depth uint8) (rule, bool) {
	for d := depth - 1; d > 0; d-- {
		if l.hdr.depthRules[d] == 0 {
			continue
		}
		if i, ok := l.ruleFind(ip&depthMask(d), d); ok {
			return l.rules[i], true
		}
	}
	return rule{}, false
}
