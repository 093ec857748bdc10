package main

import (
	"encoding/binary"
	"fmt"
	"io"
	"net/netip"
	"sync/atomic"

	"dpk/acl"
	"dpk/eal"
	"dpk/hash"
	"dpk/lpm"
	"dpk/lpm6"
)

// ACL userdata, as DPDK's l3fwd_acl.h: a route stores its port plus
// fwdPortShift (0 reads as "no match"), a deny rule denySignature plus its
// index among the deny rules.
const (
	denySignature = 0xf0000000
	fwdPortShift  = 1

	lpmMaxRules  = 1024 // IPV4_L3FWD_LPM_MAX_RULES
	lpm6MaxRules = 1024 // IPV6_L3FWD_LPM_MAX_RULES
)

// Sizes of the lookup keys and ACL inputs.
const (
	emKey4Len = 16 // DPDK's union ipv4_5tuple_host
	emKey6Len = 48 // DPDK's union ipv6_5tuple_host
	acl4Len   = 16 // proto, src, dst, ports (13 bytes used)
	acl6Len   = 40 // proto, src, dst, ports (37 bytes used)
)

var tableSeq atomic.Uint32

// tables are the lookup structures of one mode, shared read-only by every
// forwarding lcore (DPDK keeps a copy per NUMA socket; dpk one in all).
type tables struct {
	mode lookupMode
	lpm4 *lpm.LPM
	lpm6 *lpm6.LPM
	em4  *hash.Hash
	em6  *hash.Hash
	acl4 *acl.Context
	acl6 *acl.Context
}

// free releases the tables.
func (t *tables) free() {
	if t.lpm4 != nil {
		t.lpm4.Free()
	}
	if t.lpm6 != nil {
		t.lpm6.Free()
	}
	if t.em4 != nil {
		t.em4.Free()
	}
	if t.em6 != nil {
		t.em6.Free()
	}
	if t.acl4 != nil {
		t.acl4.Free()
	}
	if t.acl6 != nil {
		t.acl6.Free()
	}
	*t = tables{}
}

// buildTables makes the tables of mode from the rules of each family.
// Routes to ports outside enabled are skipped in LPM and EM mode and are an
// error in ACL mode, as in DPDK. It prints the routes it adds to out.
func buildTables(mode lookupMode, rs4, rs6 *ruleSet, enabled uint32, out io.Writer) (*tables, error) {
	t := &tables{mode: mode}
	var err error
	switch mode {
	case modeEM:
		err = t.buildEM(rs4, rs6, enabled, out)
	case modeACL:
		err = t.buildACL(rs4, rs6, enabled, out)
	default:
		err = t.buildLPM(rs4, rs6, enabled, out)
	}
	if err != nil {
		t.free()
		return nil, err
	}
	return t, nil
}

func portEnabled(enabled uint32, port uint32) bool { return port < 32 && enabled&(1<<port) != 0 }

func (t *tables) buildLPM(rs4, rs6 *ruleSet, enabled uint32, out io.Writer) error {
	seq := tableSeq.Add(1)
	var tbl8s uint32 = 256 // IPV4_L3FWD_LPM_NUMBER_TBL8S
	for _, r := range rs4.lpm {
		if r.prefix.Bits() > 24 {
			tbl8s++
		}
	}
	l4, err := lpm.Create(fmt.Sprintf("L3FWD_LPM_%d", seq), eal.SocketIDAny, lpm.Config{MaxRules: lpmMaxRules, NumberTbl8s: tbl8s})
	if err != nil {
		return fmt.Errorf("unable to create the l3fwd LPM table: %w", err)
	}
	t.lpm4 = l4
	for i, r := range rs4.lpm {
		if !portEnabled(enabled, uint32(r.port)) {
			continue
		}
		a := r.prefix.Addr().As4()
		if err := l4.Add(binary.BigEndian.Uint32(a[:]), uint8(r.prefix.Bits()), uint32(r.port)); err != nil {
			return fmt.Errorf("unable to add entry %d (%s) to the l3fwd LPM table: %w", i, r.prefix, err)
		}
		fmt.Fprintf(out, "LPM: Adding route %s / %d (%d)\n", r.prefix.Addr(), r.prefix.Bits(), r.port)
	}
	// A rule of depth d > 24 opens at most (d-24+7)/8 tbl8 groups.
	var tbl8s6 uint32 = 16
	for _, r := range rs6.lpm {
		if b := r.prefix.Bits(); b > 24 {
			tbl8s6 += uint32(b-24+7) / 8
		}
	}
	l6, err := lpm6.Create(fmt.Sprintf("L3FWD_LPM6_%d", seq), eal.SocketIDAny, lpm6.Config{MaxRules: lpm6MaxRules, NumberTbl8s: tbl8s6})
	if err != nil {
		return fmt.Errorf("unable to create the l3fwd LPM6 table: %w", err)
	}
	t.lpm6 = l6
	for i, r := range rs6.lpm {
		if !portEnabled(enabled, uint32(r.port)) {
			continue
		}
		if err := l6.Add(r.prefix.Addr().As16(), uint8(r.prefix.Bits()), uint32(r.port)); err != nil {
			return fmt.Errorf("unable to add entry %d (%s) to the l3fwd LPM6 table: %w", i, r.prefix, err)
		}
		fmt.Fprintf(out, "LPM: Adding route %s / %d (%d)\n", r.prefix.Addr(), r.prefix.Bits(), r.port)
	}
	return nil
}

// emKey4 writes the exact-match key of an IPv4 5-tuple, laid out as DPDK's
// union ipv4_5tuple_host read from the header: pad, protocol, pad, then
// source address, destination address, source and destination port as on
// the wire (srcDst holds the two addresses, ports the two ports).
func emKey4(k *[emKey4Len]byte, proto uint8, srcDst []byte, ports uint32) {
	*k = [emKey4Len]byte{1: proto}
	copy(k[4:12], srcDst[:8])
	binary.BigEndian.PutUint32(k[12:], ports)
}

// emKey6 is emKey4 for IPv6 (union ipv6_5tuple_host): two pad bytes,
// protocol, pad, the addresses (32 bytes), the ports and 8 zero bytes.
func emKey6(k *[emKey6Len]byte, proto uint8, srcDst []byte, ports uint32) {
	*k = [emKey6Len]byte{2: proto}
	copy(k[4:36], srcDst[:32])
	binary.BigEndian.PutUint32(k[36:], ports)
}

func emRouteKey4(r emRoute) [emKey4Len]byte {
	var k [emKey4Len]byte
	s, d := r.src.As4(), r.dst.As4()
	emKey4(&k, r.proto, append(s[:], d[:]...), uint32(r.sport)<<16|uint32(r.dport))
	return k
}

func emRouteKey6(r emRoute) [emKey6Len]byte {
	var k [emKey6Len]byte
	s, d := r.src.As16(), r.dst.As16()
	emKey6(&k, r.proto, append(s[:], d[:]...), uint32(r.sport)<<16|uint32(r.dport))
	return k
}

func newEMHash(name string, keyLen uint32, n int) (*hash.Hash, error) {
	entries := uint32(64)
	for entries < uint32(2*n) {
		entries *= 2
	}
	return hash.Create(hash.Params{
		Name: name, Entries: entries, KeyLen: keyLen, Socket: eal.SocketIDAny,
		// Lookups from every lcore at once, without a lock.
		ExtraFlags: hash.FlagRWConcurrencyLF,
	})
}

func (t *tables) buildEM(rs4, rs6 *ruleSet, enabled uint32, out io.Writer) error {
	seq := tableSeq.Add(1)
	var err error
	if t.em4, err = newEMHash(fmt.Sprintf("ipv4_l3fwd_hash_%d", seq), emKey4Len, len(rs4.em)); err != nil {
		return fmt.Errorf("unable to create the l3fwd hash: %w", err)
	}
	if t.em6, err = newEMHash(fmt.Sprintf("ipv6_l3fwd_hash_%d", seq), emKey6Len, len(rs6.em)); err != nil {
		return fmt.Errorf("unable to create the l3fwd hash: %w", err)
	}
	for i, r := range rs4.em {
		if !portEnabled(enabled, uint32(r.port)) {
			continue
		}
		k := emRouteKey4(r)
		if err := t.em4.AddKeyData(k[:], uint64(r.port)); err != nil {
			return fmt.Errorf("unable to add entry %d to the l3fwd hash: %w", i, err)
		}
		fmt.Fprintf(out, "EM: Adding route %s, %s, %d, %d, %d (%d)\n", r.dst, r.src, r.dport, r.sport, r.proto, r.port)
	}
	for i, r := range rs6.em {
		if !portEnabled(enabled, uint32(r.port)) {
			continue
		}
		k := emRouteKey6(r)
		if err := t.em6.AddKeyData(k[:], uint64(r.port)); err != nil {
			return fmt.Errorf("unable to add entry %d to the l3fwd hash: %w", i, err)
		}
		fmt.Fprintf(out, "EM: Adding route %s, %s, %d, %d, %d (%d)\n", r.dst, r.src, r.dport, r.sport, r.proto, r.port)
	}
	fmt.Fprintf(out, "Hash: Adding 0x%x keys\n", t.em4.Count()+t.em6.Count())
	return nil
}

// ACL field definitions over the inputs aclInput4 and aclInput6 build.
var (
	aclDefs4 = []acl.FieldDef{
		{Type: acl.Bitmask, Size: 1, FieldIndex: 0, InputIndex: 0, Offset: 0},
		{Type: acl.Mask, Size: 4, FieldIndex: 1, InputIndex: 1, Offset: 1},
		{Type: acl.Mask, Size: 4, FieldIndex: 2, InputIndex: 2, Offset: 5},
		{Type: acl.Range, Size: 2, FieldIndex: 3, InputIndex: 3, Offset: 9},
		{Type: acl.Range, Size: 2, FieldIndex: 4, InputIndex: 3, Offset: 11},
	}
	aclDefs6 = func() []acl.FieldDef {
		d := []acl.FieldDef{{Type: acl.Bitmask, Size: 1, FieldIndex: 0, InputIndex: 0, Offset: 0}}
		for i := range 8 { // source words, then destination words
			d = append(d, acl.FieldDef{Type: acl.Mask, Size: 4, FieldIndex: uint8(1 + i), InputIndex: uint8(1 + i), Offset: uint32(1 + 4*i)})
		}
		return append(d,
			acl.FieldDef{Type: acl.Range, Size: 2, FieldIndex: 9, InputIndex: 9, Offset: 33},
			acl.FieldDef{Type: acl.Range, Size: 2, FieldIndex: 10, InputIndex: 9, Offset: 35})
	}()
)

// aclInput4 writes the ACL input of an IPv4 packet: protocol, source and
// destination address (srcDst), ports.
func aclInput4(in *[acl4Len]byte, proto uint8, srcDst []byte, ports uint32) {
	in[0] = proto
	copy(in[1:9], srcDst[:8])
	binary.BigEndian.PutUint32(in[9:], ports)
}

// aclInput6 is aclInput4 for IPv6.
func aclInput6(in *[acl6Len]byte, proto uint8, srcDst []byte, ports uint32) {
	in[0] = proto
	copy(in[1:33], srcDst[:32])
	binary.BigEndian.PutUint32(in[33:], ports)
}

// prefixWords splits an IPv6 prefix into four 32-bit mask fields, as
// DPDK's parse_ipv6_net.
func prefixWords(p netip.Prefix) [4]acl.Field {
	a := p.Addr().As16()
	var f [4]acl.Field
	for i := range f {
		bits := max(0, min(32, p.Bits()-32*i))
		f[i] = acl.Field{Value: uint64(binary.BigEndian.Uint32(a[4*i:])), MaskRange: uint64(bits)}
	}
	return f
}

// aclRules turns the lines of a file into acl rules: priorities fall with
// the line number, routes carry port+fwdPortShift and deny rules
// denySignature+index.
func aclRules(rs *ruleSet, v6 bool, enabled uint32) ([]acl.Rule, error) {
	var out []acl.Rule
	deny := uint32(0)
	for i, r := range rs.acl {
		ud := denySignature + deny
		if r.deny {
			deny++
		} else {
			if !portEnabled(enabled, r.port) {
				return nil, fmt.Errorf("rule %d: fwd number illegal: %d", i+1, r.port)
			}
			ud = r.port + fwdPortShift
		}
		rule := acl.Rule{CategoryMask: 1, Priority: int32(acl.MaxPriority - i), Userdata: ud}
		rule.Fields = append(rule.Fields, acl.Field{Value: uint64(r.proto), MaskRange: uint64(r.pmask)})
		if v6 {
			s, d := prefixWords(r.src), prefixWords(r.dst)
			rule.Fields = append(append(rule.Fields, s[:]...), d[:]...)
		} else {
			s, d := r.src.Addr().As4(), r.dst.Addr().As4()
			rule.Fields = append(rule.Fields,
				acl.Field{Value: uint64(binary.BigEndian.Uint32(s[:])), MaskRange: uint64(r.src.Bits())},
				acl.Field{Value: uint64(binary.BigEndian.Uint32(d[:])), MaskRange: uint64(r.dst.Bits())})
		}
		rule.Fields = append(rule.Fields,
			acl.Field{Value: uint64(r.sport[0]), MaskRange: uint64(r.sport[1])},
			acl.Field{Value: uint64(r.dport[0]), MaskRange: uint64(r.dport[1])})
		out = append(out, rule)
	}
	return out, nil
}

func newACL(name string, rs *ruleSet, v6 bool, enabled uint32) (*acl.Context, error) {
	defs := aclDefs4
	if v6 {
		defs = aclDefs6
	}
	rules, err := aclRules(rs, v6, enabled)
	if err != nil {
		return nil, err
	}
	c, err := acl.NewContext(acl.Params{Name: name, SocketID: eal.SocketIDAny, MaxRules: max(1, len(rules)), NumFields: len(defs)})
	if err != nil {
		return nil, err
	}
	if err := c.AddRules(rules); err != nil {
		c.Free()
		return nil, err
	}
	if err := c.Build(acl.Config{NumCategories: 1, Defs: defs}); err != nil {
		c.Free()
		return nil, err
	}
	return c, nil
}

func (t *tables) buildACL(rs4, rs6 *ruleSet, enabled uint32, out io.Writer) error {
	seq := tableSeq.Add(1)
	var err error
	if t.acl4, err = newACL(fmt.Sprintf("l3fwd-acl-ipv4-%d", seq), rs4, false, enabled); err != nil {
		return fmt.Errorf("IPv4 ACL: %w", err)
	}
	if t.acl6, err = newACL(fmt.Sprintf("l3fwd-acl-ipv6-%d", seq), rs6, true, enabled); err != nil {
		return fmt.Errorf("IPv6 ACL: %w", err)
	}
	for _, x := range []struct {
		fam string
		rs  *ruleSet
	}{{"IPv4", rs4}, {"IPv6", rs6}} {
		fmt.Fprintf(out, "L3FWDACL: %s Route entries %d, ACL entries %d\n", x.fam, x.rs.routes(), len(x.rs.acl)-x.rs.routes())
	}
	return nil
}
