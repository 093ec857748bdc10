package main

import (
	"bytes"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
)

// FuzzParseRules feeds rule files to the parser of each lookup mode and
// family: it must not panic, and what it accepts must be within range.
func FuzzParseRules(f *testing.F) {
	for _, name := range []string{"lpm_default_v4.cfg", "lpm_default_v6.cfg", "em_default_v4.cfg", "em_default_v6.cfg", "acl_v4.cfg", "acl_v6.cfg"} {
		b, err := os.ReadFile(cfgFile(f, name))
		if err != nil {
			f.Fatal(err)
		}
		for sel := byte(0); sel < 6; sel++ {
			f.Add(sel, b)
		}
	}
	f.Add(byte(4), []byte("R0.0.0.0/0 1.2.3.0/24 0 : 65535 0 : 65535 0x00/0x00 0\n"))
	f.Fuzz(func(t *testing.T, sel byte, data []byte) {
		mode := []lookupMode{modeLPM, modeEM, modeACL}[sel%3]
		v6 := sel/3%2 == 1
		rs, err := parseRules(bytes.NewReader(data), mode, v6)
		if err != nil {
			return
		}
		if rs.routes() == 0 {
			t.Fatal("accepted a file without routes")
		}
		bits := 32
		if v6 {
			bits = 128
		}
		for _, r := range rs.lpm {
			if r.prefix.Addr().Is6() != v6 || r.prefix.Bits() < 0 || r.prefix.Bits() > bits {
				t.Fatalf("bad route %+v", r)
			}
		}
		for _, r := range rs.em {
			if r.dst.Is6() != v6 || r.src.Is6() != v6 {
				t.Fatalf("bad EM rule %+v", r)
			}
		}
		for _, r := range rs.acl {
			if r.src.Bits() > bits || r.dst.Bits() > bits || r.sport[0] > r.sport[1] || r.dport[0] > r.dport[1] {
				t.Fatalf("bad ACL rule %+v", r)
			}
		}
		if mode != modeACL && (len(rs.acl) != 0 || len(rs.lpm) > 0 && len(rs.em) > 0) {
			t.Fatalf("rules of another mode: %+v", rs)
		}
	})
}

// FuzzParseConfig feeds --config values to its parser: what it accepts
// must print and parse back to the same triples.
func FuzzParseConfig(f *testing.F) {
	for _, s := range []string{"(0,0,0)", "(0,0,0),(1,0,1)", " (0x1, 0, 010) ", "(255,255,255)", "(0,0)", "", "(0,0,0),"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := parseConfig(s)
		if err != nil {
			return
		}
		if len(c) == 0 || len(c) > maxLcoreParams {
			t.Fatalf("%d triples", len(c))
		}
		var b strings.Builder
		for i, p := range c {
			if p.port > 255 || p.queue > 255 || p.lcore > 255 {
				t.Fatalf("out of range: %+v", p)
			}
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "(%d,%d,%d)", p.port, p.queue, p.lcore)
		}
		again, err := parseConfig(b.String())
		if err != nil || !reflect.DeepEqual(again, c) {
			t.Fatalf("%q -> %v -> %q -> %v, %v", s, c, b.String(), again, err)
		}
	})
}
