// Package classbench reads and writes the rule and trace files of
// ClassBench and of DPDK's dpdk-test-acl (app/test-acl), and lays out the
// 5-tuples those tools classify, so that acl contexts can be loaded with the
// same rule sets and fed the same traces as DPDK's.
//
// A rule line is '@' then source and destination address/prefix, source
// and destination port ranges "lo : hi", and protocol value/mask; anything
// after those is ignored (ClassBench's flags column):
//
//	@16.32.1.0/24	2.1.1.0/24	0 : 65535	1000 : 2000	0x06/0xff
//
// A trace line is source and destination address (IPv4 as a number, IPv6
// as text), source and destination port and protocol, optionally followed by
// the expected result, the 0-based index of the matching rule or 4294967295
// for none:
//
//	0x10200101 0x02010304 100 100 6 0
//
// Lines that are empty or start (after blanks) with '#' are skipped. Numbers
// are read as C's strtoul with base 0 reads them, as dpdk-test-acl does:
// decimal, 0x hexadecimal, 0 octal.
package classbench

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"net/netip"
	"strings"

	"dpk/acl"
)

// ErrSyntax is wrapped by every parse error.
var ErrSyntax = errors.New("classbench: syntax error")

// Format is the tuple layout and field definitions, as dpdk-test-acl's
// --ipv6 option chooses.
type Format int

// Formats.
const (
	IPv4    Format = iota // struct ipv4_5tuple, 5 fields
	IPv6                  // --ipv6 or --ipv6=4B: struct ipv6_5tuple, addresses as four 4-byte fields
	IPv6U64               // --ipv6=8B: addresses as two 8-byte fields
)

func (f Format) String() string {
	switch f {
	case IPv4:
		return "ipv4"
	case IPv6:
		return "ipv6"
	case IPv6U64:
		return "ipv6-8B"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// Tuple offsets: struct ipv4_5tuple and struct ipv6_5tuple of test-acl.
const (
	v4Proto, v4Src, v4Dst, v4SrcPort, v4DstPort, v4Size = 0, 4, 8, 12, 14, 16
	v6Proto, v6Src, v6Dst, v6SrcPort, v6DstPort, v6Size = 0, 4, 20, 36, 38, 40
)

// TupleSize returns the size of one tuple (sizeof the C struct).
func (f Format) TupleSize() int {
	if f == IPv4 {
		return v4Size
	}
	return v6Size
}

// NumFields returns the number of fields of a rule.
func (f Format) NumFields() int { return len(f.Defs()) }

// Defs returns the field definitions, those of dpdk-test-acl.
func (f Format) Defs() []acl.FieldDef {
	switch f {
	case IPv6:
		d := []acl.FieldDef{{Type: acl.Bitmask, Size: 1, FieldIndex: 0, InputIndex: 0, Offset: v6Proto}}
		for i := 0; i < 4; i++ {
			d = append(d, acl.FieldDef{Type: acl.Mask, Size: 4, FieldIndex: uint8(1 + i), InputIndex: uint8(1 + i), Offset: uint32(v6Src + 4*i)})
		}
		for i := 0; i < 4; i++ {
			d = append(d, acl.FieldDef{Type: acl.Mask, Size: 4, FieldIndex: uint8(5 + i), InputIndex: uint8(5 + i), Offset: uint32(v6Dst + 4*i)})
		}
		return append(d,
			acl.FieldDef{Type: acl.Range, Size: 2, FieldIndex: 9, InputIndex: 9, Offset: v6SrcPort},
			acl.FieldDef{Type: acl.Range, Size: 2, FieldIndex: 10, InputIndex: 9, Offset: v6DstPort})
	case IPv6U64:
		return []acl.FieldDef{
			{Type: acl.Bitmask, Size: 1, FieldIndex: 0, InputIndex: 0, Offset: v6Proto},
			{Type: acl.Mask, Size: 8, FieldIndex: 1, InputIndex: 1, Offset: v6Src},
			{Type: acl.Mask, Size: 8, FieldIndex: 2, InputIndex: 3, Offset: v6Src + 8},
			{Type: acl.Mask, Size: 8, FieldIndex: 3, InputIndex: 5, Offset: v6Dst},
			{Type: acl.Mask, Size: 8, FieldIndex: 4, InputIndex: 7, Offset: v6Dst + 8},
			{Type: acl.Range, Size: 2, FieldIndex: 5, InputIndex: 13, Offset: v6SrcPort},
			{Type: acl.Range, Size: 2, FieldIndex: 6, InputIndex: 13, Offset: v6DstPort},
		}
	}
	return []acl.FieldDef{
		{Type: acl.Bitmask, Size: 1, FieldIndex: 0, InputIndex: 0, Offset: v4Proto},
		{Type: acl.Mask, Size: 4, FieldIndex: 1, InputIndex: 2, Offset: v4Src},
		{Type: acl.Mask, Size: 4, FieldIndex: 2, InputIndex: 3, Offset: v4Dst},
		{Type: acl.Range, Size: 2, FieldIndex: 3, InputIndex: 4, Offset: v4SrcPort},
		{Type: acl.Range, Size: 2, FieldIndex: 4, InputIndex: 4, Offset: v4DstPort},
	}
}

// field indexes of the parts of a rule, per format.
type fieldMap struct {
	proto, src, dst, srcPort, dstPort int
	words                             int // address fields per address
}

func (f Format) fields() fieldMap {
	switch f {
	case IPv6:
		return fieldMap{proto: 0, src: 1, dst: 5, srcPort: 9, dstPort: 10, words: 4}
	case IPv6U64:
		return fieldMap{proto: 0, src: 1, dst: 3, srcPort: 5, dstPort: 6, words: 2}
	}
	return fieldMap{proto: 0, src: 1, dst: 2, srcPort: 3, dstPort: 4, words: 1}
}

// isSpace is C's isspace.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// Skip reports whether a line is blank or a comment.
func Skip(line string) bool {
	i := 0
	for i < len(line) && isSpace(line[i]) {
		i++
	}
	return i == len(line) || line[i] == '#'
}

// tokens splits s at blanks (strtok_r with " \t\n", and '\r') and returns
// the first n tokens and whatever follows them.
func tokens(s string, n int) ([]string, bool) {
	out := make([]string, 0, n)
	for len(out) < n {
		s = strings.TrimLeft(s, " \t\n\r")
		if s == "" {
			return out, false
		}
		end := strings.IndexAny(s, " \t\n\r")
		if end < 0 {
			end = len(s)
		}
		out = append(out, s[:end])
		s = s[end:]
	}
	return out, true
}

// strtoul reads a number as C's strtoul(s, &end, 0) and returns it and the
// rest of s; ok is false on overflow.
func strtoul(s string) (v uint64, rest string, ok bool) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	base := uint64(10)
	if i+1 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') && i+2 < len(s) && hexVal(s[i+2]) < 16 {
		base = 16
		i += 2
	} else if i < len(s) && s[i] == '0' {
		base = 8
	}
	start := i
	ok = true
	for i < len(s) {
		d := hexVal(s[i])
		if uint64(d) >= base {
			break
		}
		if v > (math.MaxUint64-uint64(d))/base {
			ok = false
		}
		v = v*base + uint64(d)
		i++
	}
	if i == start {
		return 0, s, true // no number: end is the start of s
	}
	if !ok {
		return math.MaxUint64, s[i:], false
	}
	if neg {
		v = -v
	}
	return v, s[i:], true
}

func hexVal(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10
	}
	return 255
}

// getField is test-acl's GET_CB_FIELD: a number up to lim followed by dlm
// (0: the end of the token); it returns the number and what follows dlm.
func getField(in string, lim uint64, dlm byte) (uint64, string, error) {
	v, rest, ok := strtoul(in)
	if !ok || v > lim {
		return 0, "", fmt.Errorf("%w: %q: not a number up to %d", ErrSyntax, in, lim)
	}
	if dlm == 0 {
		if rest != "" {
			return 0, "", fmt.Errorf("%w: %q: trailing %q", ErrSyntax, in, rest)
		}
		return v, "", nil
	}
	if rest == "" || rest[0] != dlm {
		return 0, "", fmt.Errorf("%w: %q: want %q after the number", ErrSyntax, in, dlm)
	}
	return v, rest[1:], nil
}

// splitNet splits "addr/len" as strtok_r with "/" does.
func splitNet(in string) (string, string, error) {
	parts := strings.FieldsFunc(in, func(r rune) bool { return r == '/' })
	if len(parts) < 2 {
		return "", "", fmt.Errorf("%w: %q: want address/length", ErrSyntax, in)
	}
	return parts[0], parts[1], nil
}

// parseAddr is inet_pton for the format's address family.
func parseAddr(s string, v6 bool) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" || a.Is4() == v6 {
		return netip.Addr{}, fmt.Errorf("%w: bad address %q", ErrSyntax, s)
	}
	return a, nil
}

// Rule token positions.
const (
	tokSrc = iota
	tokDst
	tokSrcLo
	tokSrcDlm
	tokSrcHi
	tokDstLo
	tokDstDlm
	tokDstHi
	tokProto
	numTok
)

// ParseRule parses one rule line into fields (Format.NumFields of them);
// the category mask, priority and userdata are left 0.
func ParseRule(line string, f Format) (acl.Rule, error) {
	r := acl.Rule{Fields: make([]acl.Field, f.NumFields())}
	if !strings.HasPrefix(line, "@") {
		return r, fmt.Errorf("%w: a rule starts with '@'", ErrSyntax)
	}
	in, ok := tokens(line[1:], numTok)
	if !ok {
		return r, fmt.Errorf("%w: want %d fields", ErrSyntax, numTok)
	}
	m := f.fields()
	if err := parseNet(in[tokSrc], f, r.Fields[m.src:m.src+m.words]); err != nil {
		return r, fmt.Errorf("source address: %w", err)
	}
	if err := parseNet(in[tokDst], f, r.Fields[m.dst:m.dst+m.words]); err != nil {
		return r, fmt.Errorf("destination address: %w", err)
	}
	var err error
	sp, dp := &r.Fields[m.srcPort], &r.Fields[m.dstPort]
	if sp.Value, _, err = getField(in[tokSrcLo], math.MaxUint16, 0); err != nil {
		return r, err
	}
	if sp.MaskRange, _, err = getField(in[tokSrcHi], math.MaxUint16, 0); err != nil {
		return r, err
	}
	if in[tokSrcDlm] != ":" {
		return r, fmt.Errorf("%w: %q: want ':' between ports", ErrSyntax, in[tokSrcDlm])
	}
	if dp.Value, _, err = getField(in[tokDstLo], math.MaxUint16, 0); err != nil {
		return r, err
	}
	if dp.MaskRange, _, err = getField(in[tokDstHi], math.MaxUint16, 0); err != nil {
		return r, err
	}
	if in[tokDstDlm] != ":" {
		return r, fmt.Errorf("%w: %q: want ':' between ports", ErrSyntax, in[tokDstDlm])
	}
	pr := &r.Fields[m.proto]
	rest := in[tokProto]
	if pr.Value, rest, err = getField(rest, math.MaxUint8, '/'); err != nil {
		return r, err
	}
	if pr.MaskRange, _, err = getField(rest, math.MaxUint8, 0); err != nil {
		return r, err
	}
	return r, nil
}

// parseNet parses "addr/len" into the address fields of a rule: one for
// IPv4, four 32-bit or two 64-bit words for IPv6, each with its share of
// the prefix length.
func parseNet(in string, f Format, out []acl.Field) error {
	sa, sm, err := splitNet(in)
	if err != nil {
		return err
	}
	a, err := parseAddr(sa, f != IPv4)
	if err != nil {
		return err
	}
	b := a.AsSlice()
	m, _, err := getField(sm, uint64(8*len(b)), 0)
	if err != nil {
		return err
	}
	w := len(b) / len(out)
	wbits := uint64(8 * w)
	for i := range out {
		var v uint64
		for _, x := range b[i*w : (i+1)*w] {
			v = v<<8 | uint64(x)
		}
		out[i].Value = v
		switch lo := uint64(i) * wbits; {
		case m >= lo+wbits:
			out[i].MaskRange = wbits
		case m > lo:
			out[i].MaskRange = m - lo
		default:
			out[i].MaskRange = 0
		}
	}
	return nil
}

// ParseRules reads a rule file as dpdk-test-acl does: the n-th rule (from 1)
// gets userdata n, priority acl.MaxPriority-n (the first rule wins) and all
// categories. At most max rules are read (0: no limit); more is an error.
func ParseRules(r io.Reader, f Format, max int) ([]acl.Rule, error) {
	var rules []acl.Rule
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	line, skipped := 0, 0
	for sc.Scan() {
		line++
		if Skip(sc.Text()) {
			skipped++
			continue
		}
		if max > 0 && len(rules) == max {
			return nil, fmt.Errorf("line %d: more than %d rules: %w", line, max, acl.ErrNoSpace)
		}
		n := line - skipped
		rule, err := ParseRule(sc.Text(), f)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		rule.CategoryMask = 1<<acl.MaxCategories - 1
		rule.Priority = int32(acl.MaxPriority - n)
		rule.Userdata = uint32(n)
		rules = append(rules, rule)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return rules, nil
}

// FormatRule writes a rule made by ParseRule (or laid out the same way) as
// a rule line.
func FormatRule(w io.Writer, r acl.Rule, f Format) error {
	m := f.fields()
	if len(r.Fields) != f.NumFields() {
		return fmt.Errorf("%w: rule has %d fields, %v rules %d", ErrSyntax, len(r.Fields), f, f.NumFields())
	}
	net := func(fs []acl.Field) string {
		var b [16]byte
		n := 4
		if f != IPv4 {
			n = 16
		}
		w := n / len(fs)
		var plen uint64
		for i, x := range fs {
			for j := 0; j < w; j++ {
				b[i*w+j] = byte(x.Value >> (8 * uint(w-1-j)))
			}
			plen += x.MaskRange
		}
		if f == IPv4 {
			return fmt.Sprintf("%s/%d", netip.AddrFrom4([4]byte(b[:4])), plen)
		}
		return fmt.Sprintf("%s/%d", netip.AddrFrom16(b), plen)
	}
	sp, dp, pr := r.Fields[m.srcPort], r.Fields[m.dstPort], r.Fields[m.proto]
	_, err := fmt.Fprintf(w, "@%s\t%s\t%d : %d\t%d : %d\t0x%02x/0x%02x\n",
		net(r.Fields[m.src:m.src+m.words]), net(r.Fields[m.dst:m.dst+m.words]),
		sp.Value, sp.MaskRange, dp.Value, dp.MaskRange, pr.Value, pr.MaskRange)
	return err
}

// NoMatch is the expected result of a trace line whose tuple matches no rule.
const NoMatch = math.MaxUint32

// Trace token positions.
const (
	trcSrc = iota
	trcDst
	trcSrcPort
	trcDstPort
	trcProto
	numTrc
)

// ParseTrace parses one trace line into tuple (TupleSize bytes, network
// byte order). It returns the expected result when the line has one.
func ParseTrace(line string, f Format, tuple []byte) (expect uint32, hasExpect bool, err error) {
	in, ok := tokens(line, numTrc+1)
	if len(in) < numTrc {
		return 0, false, fmt.Errorf("%w: want %d fields", ErrSyntax, numTrc)
	}
	clear(tuple[:f.TupleSize()])
	var proto, sp, dp uint64
	if f == IPv4 {
		src, _, err := getField(in[trcSrc], math.MaxUint32, 0)
		if err != nil {
			return 0, false, err
		}
		dst, _, err := getField(in[trcDst], math.MaxUint32, 0)
		if err != nil {
			return 0, false, err
		}
		binary.BigEndian.PutUint32(tuple[v4Src:], uint32(src))
		binary.BigEndian.PutUint32(tuple[v4Dst:], uint32(dst))
	} else {
		src, err := parseAddr(in[trcSrc], true)
		if err != nil {
			return 0, false, err
		}
		dst, err := parseAddr(in[trcDst], true)
		if err != nil {
			return 0, false, err
		}
		s, d := src.As16(), dst.As16()
		copy(tuple[v6Src:], s[:])
		copy(tuple[v6Dst:], d[:])
	}
	if sp, _, err = getField(in[trcSrcPort], math.MaxUint16, 0); err != nil {
		return 0, false, err
	}
	if dp, _, err = getField(in[trcDstPort], math.MaxUint16, 0); err != nil {
		return 0, false, err
	}
	if proto, _, err = getField(in[trcProto], math.MaxUint8, 0); err != nil {
		return 0, false, err
	}
	po, so, do := v4Proto, v4SrcPort, v4DstPort
	if f != IPv4 {
		po, so, do = v6Proto, v6SrcPort, v6DstPort
	}
	tuple[po] = uint8(proto)
	binary.BigEndian.PutUint16(tuple[so:], uint16(sp))
	binary.BigEndian.PutUint16(tuple[do:], uint16(dp))
	if ok {
		if v, _, err := getField(in[numTrc], math.MaxUint32, 0); err == nil {
			return uint32(v), true, nil
		}
	}
	return 0, false, nil
}

// Trace is a parsed trace file.
type Trace struct {
	Tuples    []byte   // n tuples of Format.TupleSize bytes
	Expect    []uint32 // expected result per tuple, when every line has one
	HasExpect bool
}

// Len returns the number of tuples.
func (t *Trace) Len(f Format) int { return len(t.Tuples) / f.TupleSize() }

// ParseTraces reads a trace file, at most max tuples (0: no limit).
func ParseTraces(r io.Reader, f Format, max int) (*Trace, error) {
	t := &Trace{HasExpect: true}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	sz := f.TupleSize()
	tuple := make([]byte, sz)
	line := 0
	for sc.Scan() {
		line++
		if Skip(sc.Text()) {
			continue
		}
		if max > 0 && len(t.Tuples) == max*sz {
			break
		}
		e, has, err := ParseTrace(sc.Text(), f, tuple)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		t.Tuples = append(t.Tuples, tuple...)
		t.Expect = append(t.Expect, e)
		t.HasExpect = t.HasExpect && has
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if !t.HasExpect {
		t.Expect = nil
	}
	return t, nil
}

// FormatTrace writes one tuple as a trace line, with the expected result
// when expect is true.
func FormatTrace(w io.Writer, f Format, tuple []byte, result uint32, expect bool) error {
	var err error
	if f == IPv4 {
		_, err = fmt.Fprintf(w, "0x%08x 0x%08x", binary.BigEndian.Uint32(tuple[v4Src:]), binary.BigEndian.Uint32(tuple[v4Dst:]))
		if err == nil {
			_, err = fmt.Fprintf(w, " %d %d %d", binary.BigEndian.Uint16(tuple[v4SrcPort:]),
				binary.BigEndian.Uint16(tuple[v4DstPort:]), tuple[v4Proto])
		}
	} else {
		src := netip.AddrFrom16([16]byte(tuple[v6Src : v6Src+16]))
		dst := netip.AddrFrom16([16]byte(tuple[v6Dst : v6Dst+16]))
		_, err = fmt.Fprintf(w, "%s %s %d %d %d", src.StringExpanded(), dst.StringExpanded(),
			binary.BigEndian.Uint16(tuple[v6SrcPort:]), binary.BigEndian.Uint16(tuple[v6DstPort:]), tuple[v6Proto])
	}
	if err == nil && expect {
		_, err = fmt.Fprintf(w, " %d", result)
	}
	if err == nil {
		_, err = io.WriteString(w, "\n")
	}
	return err
}
