package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"
)

// Rule files (DPDK's l3fwd_route.h, lpm_route_parse.c, em_route_parse.c,
// l3fwd_acl.c). A line starting with '#' or holding only blanks is skipped;
// any other line starts with 'R' (a route) or, in ACL mode, '@' (a deny
// rule), followed at once by blank-separated fields that depend on the
// lookup mode:
//
//	LPM  R<addr>/<depth> <port>
//	EM   R<dst addr> <src addr> <dst port> <src port> <proto> <port>
//	ACL  R<src addr>/<len> <dst addr>/<len> <sport lo> : <sport hi> <dport lo> : <dport hi> <proto>/<mask> <port>
//	ACL  @<src addr>/<len> <dst addr>/<len> <sport lo> : <sport hi> <dport lo> : <dport hi> <proto>/<mask>
//
// Numbers are C integers (decimal, 0x hexadecimal, 0 octal). As in DPDK,
// fields after the last expected one are ignored, and a file without any
// route is an error. In ACL mode, lines earlier in the file have higher
// priority.
const (
	commentLead = '#'
	routeLead   = 'R'
	aclLead     = '@'

	maxLineLen = 64 << 10
)

// lpmRoute is an LPM route: packets to prefix leave on port.
type lpmRoute struct {
	prefix netip.Prefix
	port   uint8
}

// emRoute is an exact-match route: packets of this 5-tuple leave on port.
type emRoute struct {
	dst, src     netip.Addr
	dport, sport uint16
	proto        uint8
	port         uint8
}

// aclRule is an ACL line: a route (deny false) sending matching packets to
// port, or a deny rule dropping them.
type aclRule struct {
	src, dst     netip.Prefix
	sport, dport [2]uint16 // low, high
	proto, pmask uint8
	port         uint32
	deny         bool
}

// ruleSet holds the rules of one address family read from a file, or the
// default routes.
type ruleSet struct {
	lpm []lpmRoute
	em  []emRoute
	acl []aclRule // in file order: routes and deny rules mixed
}

// routes returns how many routes the set has ('R' lines).
func (rs *ruleSet) routes() int {
	n := len(rs.lpm) + len(rs.em)
	for _, r := range rs.acl {
		if !r.deny {
			n++
		}
	}
	return n
}

// readRuleFile reads the rules of one family from a file.
func readRuleFile(path string, mode lookupMode, v6 bool) (*ruleSet, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rs, err := parseRules(f, mode, v6)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rs, nil
}

// parseRules reads a rule file of one address family (v6 or not) for a
// lookup mode.
func parseRules(r io.Reader, mode lookupMode, v6 bool) (*ruleSet, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), maxLineLen)
	rs := &ruleSet{}
	for n := 1; sc.Scan(); n++ {
		if err := parseRuleLine(sc.Text(), mode, v6, rs); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if rs.routes() == 0 {
		return nil, errors.New("no route entries ('R' lines)")
	}
	return rs, nil
}

// parseRuleLine parses one line into rs.
func parseRuleLine(line string, mode lookupMode, v6 bool, rs *ruleSet) error {
	if line == "" || line[0] == commentLead || strings.TrimSpace(line) == "" {
		return nil
	}
	lead, rest := line[0], line[1:]
	switch {
	case lead == routeLead:
	case lead == aclLead && mode == modeACL:
	case mode == modeACL:
		return fmt.Errorf("should start with leading char %c or %c", routeLead, aclLead)
	default:
		return fmt.Errorf("should start with leading char %c", routeLead)
	}
	f := strings.Fields(rest)
	switch mode {
	case modeEM:
		r, err := parseEMRoute(f, v6)
		if err != nil {
			return err
		}
		rs.em = append(rs.em, r)
	case modeACL:
		r, err := parseACLRule(f, v6, lead == routeLead)
		if err != nil {
			return err
		}
		rs.acl = append(rs.acl, r)
	default:
		r, err := parseLPMRoute(f, v6)
		if err != nil {
			return err
		}
		rs.lpm = append(rs.lpm, r)
	}
	return nil
}

func need(f []string, n int) error {
	if len(f) < n {
		return fmt.Errorf("%d fields, want %d", len(f), n)
	}
	return nil
}

// parseAddr parses an address of the family asked for, as inet_pton.
func parseAddr(s string, v6 bool) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" || a.Is4() == v6 {
		fam := "IPv4"
		if v6 {
			fam = "IPv6"
		}
		return netip.Addr{}, fmt.Errorf("bad %s address %q", fam, s)
	}
	return a, nil
}

// parsePrefix parses addr/len for the family asked for.
func parsePrefix(s string, v6 bool) (netip.Prefix, error) {
	as, ls, ok := strings.Cut(s, "/")
	if !ok {
		return netip.Prefix{}, fmt.Errorf("bad prefix %q: want ADDR/LEN", s)
	}
	a, err := parseAddr(as, v6)
	if err != nil {
		return netip.Prefix{}, err
	}
	l, ok := cUint(ls, 0, uint64(a.BitLen()))
	if !ok {
		return netip.Prefix{}, fmt.Errorf("bad prefix length %q in %q", ls, s)
	}
	return netip.PrefixFrom(a, int(l)), nil
}

func number(s, what string, max uint64) (uint64, error) {
	v, ok := cUint(s, 0, max)
	if !ok {
		return 0, fmt.Errorf("bad %s %q (at most %d)", what, s, max)
	}
	return v, nil
}

func parseLPMRoute(f []string, v6 bool) (lpmRoute, error) {
	if err := need(f, 2); err != nil {
		return lpmRoute{}, err
	}
	p, err := parsePrefix(f[0], v6)
	if err != nil {
		return lpmRoute{}, err
	}
	port, err := number(f[1], "port", 0xff)
	if err != nil {
		return lpmRoute{}, err
	}
	return lpmRoute{prefix: p, port: uint8(port)}, nil
}

func parseEMRoute(f []string, v6 bool) (emRoute, error) {
	var r emRoute
	if err := need(f, 6); err != nil {
		return r, err
	}
	var err error
	if r.dst, err = parseAddr(f[0], v6); err != nil {
		return r, err
	}
	if r.src, err = parseAddr(f[1], v6); err != nil {
		return r, err
	}
	var v [4]uint64
	for i, x := range []struct {
		what string
		max  uint64
	}{{"destination port", 0xffff}, {"source port", 0xffff}, {"protocol", 0xff}, {"port", 0xff}} {
		if v[i], err = number(f[2+i], x.what, x.max); err != nil {
			return r, err
		}
	}
	r.dport, r.sport, r.proto, r.port = uint16(v[0]), uint16(v[1]), uint8(v[2]), uint8(v[3])
	return r, nil
}

func parseRange(lo, dlm, hi, what string) ([2]uint16, error) {
	l, err := number(lo, what, 0xffff)
	if err != nil {
		return [2]uint16{}, err
	}
	h, err := number(hi, what, 0xffff)
	if err != nil {
		return [2]uint16{}, err
	}
	if dlm != ":" {
		return [2]uint16{}, fmt.Errorf("bad %s range: want LOW : HIGH", what)
	}
	if h < l {
		return [2]uint16{}, fmt.Errorf("bad %s range %d : %d", what, l, h)
	}
	return [2]uint16{uint16(l), uint16(h)}, nil
}

func parseACLRule(f []string, v6, route bool) (aclRule, error) {
	r := aclRule{deny: !route}
	n := 9
	if route {
		n = 10
	}
	if err := need(f, n); err != nil {
		return r, err
	}
	var err error
	if r.src, err = parsePrefix(f[0], v6); err != nil {
		return r, err
	}
	if r.dst, err = parsePrefix(f[1], v6); err != nil {
		return r, err
	}
	if r.sport, err = parseRange(f[2], f[3], f[4], "source port"); err != nil {
		return r, err
	}
	if r.dport, err = parseRange(f[5], f[6], f[7], "destination port"); err != nil {
		return r, err
	}
	ps, ms, ok := strings.Cut(f[8], "/")
	if !ok {
		return r, fmt.Errorf("bad protocol %q: want PROTO/MASK", f[8])
	}
	proto, err := number(ps, "protocol", 0xff)
	if err != nil {
		return r, err
	}
	mask, err := number(ms, "protocol mask", 0xff)
	if err != nil {
		return r, err
	}
	r.proto, r.pmask = uint8(proto), uint8(mask)
	if route {
		port, err := number(f[9], "port", 0xffffffff)
		if err != nil {
			return r, err
		}
		r.port = uint32(port)
	}
	return r, nil
}

// benchAddr4 is 198.18.<i>.<host>, from the block RFC 5735 sets aside for
// benchmarks; benchAddr6 is 2001:200:0:<i>::<host> (RFC 5180).
func benchAddr4(i, host byte) netip.Addr { return netip.AddrFrom4([4]byte{198, 18, i, host}) }

func benchAddr6(i, host byte) netip.Addr {
	return netip.AddrFrom16([16]byte{0x20, 0x01, 0x02, 0x00, 0, 0, 0, i, 15: host})
}

// defaultRules returns DPDK's built-in tables, used when the rule files are
// not both given: 16 routes, 198.18.<i>.0/24 and 2001:200:0:<i>::/64 to
// port i (LPM), or the UDP flows 198.18.<i>.1:9 -> 198.18.<i>.0:9 and
// 2001:200:0:<i>::1:9 -> 2001:200:0:<i>:: to port i (EM). ACL has none.
func defaultRules(mode lookupMode, v6 bool) *ruleSet {
	rs := &ruleSet{}
	for i := byte(0); i < 16; i++ {
		a, b, bits := benchAddr4(i, 0), benchAddr4(i, 1), 24
		if v6 {
			a, b, bits = benchAddr6(i, 0), benchAddr6(i, 1), 64
		}
		switch mode {
		case modeEM:
			rs.em = append(rs.em, emRoute{dst: a, src: b, dport: 9, sport: 9, proto: 17, port: i})
		case modeLPM:
			rs.lpm = append(rs.lpm, lpmRoute{prefix: netip.PrefixFrom(a, bits), port: i})
		}
	}
	return rs
}
