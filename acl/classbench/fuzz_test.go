package classbench

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"dpk/acl"
)

// FuzzParseRules feeds rule files, outside input, to the parser in every
// format: it must not panic, every rule it returns must be well formed and
// survive FormatRule, and a context must take the rules (Build may refuse
// an empty port range, nothing else).
func FuzzParseRules(f *testing.F) {
	f.Add("@16.32.1.0/24\t2.1.1.0/24\t1000 : 2000\t0 : 65535 0/0\n")
	f.Add("# c\n@237.73.3.4/32\t67.236.63.210/32\t0 : 65535\t1711 : 1711\t0x06/0xFF\t0x0000/0x0200\t\n")
	f.Add("@9baa:cead:8000::/33\td1b5:2feb::/64\t0 : 65535\t1526 : 1526\t0x00/0x00\n")
	f.Add("@0.0.0.0/0 0.0.0.0/0 0 : 0 0 : 0 /\n")
	f.Fuzz(func(t *testing.T, in string) {
		for _, format := range []Format{IPv4, IPv6, IPv6U64} {
			rules, err := ParseRules(strings.NewReader(in), format, 0)
			if err != nil {
				continue
			}
			for i, r := range rules {
				if len(r.Fields) != format.NumFields() || r.Userdata != uint32(i+1) {
					t.Fatalf("%v rule %d: %d fields, userdata %d", format, i, len(r.Fields), r.Userdata)
				}
				var buf bytes.Buffer
				if err := FormatRule(&buf, r, format); err != nil {
					t.Fatal(err)
				}
				back, err := ParseRule(buf.String(), format)
				if err != nil || !reflect.DeepEqual(back.Fields, r.Fields) {
					t.Fatalf("%v: %q formats as %q, which parses to %v, %v", format, in, buf.String(), back.Fields, err)
				}
			}
			if len(rules) == 0 || len(rules) > 64 {
				continue
			}
			c, err := acl.NewContext(acl.Params{Name: "fuzz", MaxRules: len(rules), NumFields: format.NumFields()})
			if err != nil {
				t.Fatal(err)
			}
			if err := c.AddRules(rules); err != nil {
				t.Fatal(err)
			}
			if err := c.Build(acl.Config{NumCategories: 1, Defs: format.Defs()}); err != nil && !strings.Contains(err.Error(), "range") {
				t.Fatalf("%v: build: %v", format, err)
			}
			c.Free()
		}
	})
}
