package telemetry

import (
	"strconv"
	"unicode/utf8"
)

// maxDepth bounds the nesting of containers in a reply; deeper containers
// are left out. DPDK has no such bound (and no protection from cycles).
const maxDepth = 32

// appendData appends the JSON of d to buf, in DPDK's compact form (no
// spaces). limit is the most bytes the value may take: as DPDK's fixed
// output buffer does, every dict entry or array value that would take the
// value beyond it is left out, and the value stays valid JSON. A nested
// container is encoded against the same limit and then kept whole or left
// out whole. A single string that does not fit is cut short (DPDK would send
// broken JSON).
func appendData(buf []byte, d *Data, limit, depth int) []byte {
	start := len(buf)
	switch d.kind {
	case kindString:
		return appendStringLimit(buf, d.str, limit)
	case kindDict:
		buf = append(buf, '{')
		n := 0
		for i := range d.dict {
			e := &d.dict[i]
			mark := len(buf)
			if n > 0 {
				buf = append(buf, ',')
			}
			buf = appendString(buf, e.name)
			buf = append(buf, ':')
			if e.typ == ContainerVal {
				if depth >= maxDepth {
					buf = buf[:mark]
					continue
				}
				buf = appendData(buf, e.c, limit, depth+1)
			} else {
				buf = appendValue(buf, e.typ, &e.value)
			}
			if len(buf)-start+1 > limit { // +1: the closing brace
				buf = buf[:mark]
				continue
			}
			n++
		}
		return append(buf, '}')
	case kindArrayString, kindArrayInt, kindArrayU64, kindArrayContainer:
		typ := [...]ValueType{kindArrayString: StringVal, kindArrayInt: IntVal, kindArrayU64: U64Val, kindArrayContainer: ContainerVal}[d.kind]
		buf = append(buf, '[')
		n := 0
		for i := range d.array {
			mark := len(buf)
			if n > 0 {
				buf = append(buf, ',')
			}
			if typ == ContainerVal {
				if depth >= maxDepth {
					buf = buf[:mark]
					continue
				}
				buf = appendData(buf, d.array[i].c, limit, depth+1)
			} else {
				buf = appendValue(buf, typ, &d.array[i])
			}
			if len(buf)-start+1 > limit {
				buf = buf[:mark]
				continue
			}
			n++
		}
		return append(buf, ']')
	}
	return append(buf, "null"...)
}

func appendValue(buf []byte, t ValueType, v *value) []byte {
	switch t {
	case StringVal:
		return appendString(buf, v.s)
	case IntVal:
		return strconv.AppendInt(buf, int64(v.i), 10)
	case U64Val:
		return strconv.AppendUint(buf, v.u, 10)
	}
	return append(buf, "null"...)
}

// appendString appends s as a JSON string. It escapes what JSON requires
// and turns bytes that are not UTF-8 into U+FFFD, so that a client decoding
// the reply as UTF-8 (dpdk-telemetry.py does) never fails.
func appendString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	for i := 0; i < len(s); {
		n := appendRune(buf, s[i:])
		buf, i = n.buf, i+n.size
	}
	return append(buf, '"')
}

// appendStringLimit appends s as a JSON string of at most limit bytes,
// dropping the runes that do not fit.
func appendStringLimit(buf []byte, s string, limit int) []byte {
	start := len(buf)
	buf = append(buf, '"')
	for i := 0; i < len(s); {
		n := appendRune(buf, s[i:])
		if len(n.buf)-start+1 > limit {
			break
		}
		buf, i = n.buf, i+n.size
	}
	return append(buf, '"')
}

type appended struct {
	buf  []byte
	size int // bytes of the input consumed
}

const hexDigits = "0123456789abcdef"

// appendRune appends the first rune of s, escaped as JSON needs.
func appendRune(buf []byte, s string) appended {
	c := s[0]
	if c < utf8.RuneSelf {
		switch {
		case c == '"' || c == '\\':
			buf = append(buf, '\\', c)
		case c == '\n':
			buf = append(buf, '\\', 'n')
		case c == '\r':
			buf = append(buf, '\\', 'r')
		case c == '\t':
			buf = append(buf, '\\', 't')
		case c < 0x20:
			buf = append(buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		default:
			buf = append(buf, c)
		}
		return appended{buf, 1}
	}
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError && size == 1 {
		return appended{append(buf, "\ufffd"...), 1}
	}
	return appended{append(buf, s[:size]...), size}
}
