package main

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

func TestParseRuleLines(t *testing.T) {
	a4 := netip.MustParseAddr
	p := netip.MustParsePrefix
	for _, c := range []struct {
		name string
		mode lookupMode
		v6   bool
		text string
		want *ruleSet // nil: an error
	}{
		{"lpm4", modeLPM, false, "# comment\n\n  \t\nR198.18.0.0/24 0\nR10.0.0.0/8\t0x1f  extra\n",
			&ruleSet{lpm: []lpmRoute{{p("198.18.0.0/24"), 0}, {p("10.0.0.0/8"), 31}}}},
		{"lpm4 host bits", modeLPM, false, "R10.1.2.3/8 1\n", &ruleSet{lpm: []lpmRoute{{netip.PrefixFrom(a4("10.1.2.3"), 8), 1}}}},
		{"lpm6", modeLPM, true, "R2001:0200:0000:0001:0000:0000:0000:0000/64 1\nR::/0 2\n",
			&ruleSet{lpm: []lpmRoute{{p("2001:200:0:1::/64"), 1}, {p("::/0"), 2}}}},
		{"lpm4 no route", modeLPM, false, "# nothing\n", nil},
		{"lpm4 acl line", modeLPM, false, "R1.0.0.0/8 0\n@1.0.0.0/8 2.0.0.0/8 0 : 1 0 : 1 0/0\n", nil},
		{"lpm4 bad lead", modeLPM, false, " R1.0.0.0/8 0\n", nil},
		{"lpm4 v6 addr", modeLPM, false, "R::/0 0\n", nil},
		{"lpm6 v4 addr", modeLPM, true, "R1.0.0.0/8 0\n", nil},
		{"lpm4 depth", modeLPM, false, "R1.0.0.0/33 0\n", nil},
		{"lpm4 no depth", modeLPM, false, "R1.0.0.0 0\n", nil},
		{"lpm4 port", modeLPM, false, "R1.0.0.0/8 256\n", nil},
		{"lpm4 missing port", modeLPM, false, "R1.0.0.0/8\n", nil},
		{"lpm4 leading zero", modeLPM, false, "R01.0.0.0/8 0\n", nil},
		{"lpm4 space after R", modeLPM, false, "R 1.0.0.0/8 0\n", &ruleSet{lpm: []lpmRoute{{p("1.0.0.0/8"), 0}}}},

		{"em4", modeEM, false, "R198.18.0.0 198.18.0.1 9 9 0x11 0\nR1.2.3.4 5.6.7.8 80 1024 6 3\n",
			&ruleSet{em: []emRoute{{a4("198.18.0.0"), a4("198.18.0.1"), 9, 9, 17, 0}, {a4("1.2.3.4"), a4("5.6.7.8"), 80, 1024, 6, 3}}}},
		{"em6", modeEM, true, "R2001:200::1 2001:200::2 9 10 17 1\n",
			&ruleSet{em: []emRoute{{a4("2001:200::1"), a4("2001:200::2"), 9, 10, 17, 1}}}},
		{"em4 short", modeEM, false, "R1.2.3.4 5.6.7.8 80 1024 6\n", nil},
		{"em4 port range", modeEM, false, "R1.2.3.4 5.6.7.8 65536 1 6 0\n", nil},
		{"em4 proto", modeEM, false, "R1.2.3.4 5.6.7.8 1 1 256 0\n", nil},
		{"em4 bad src", modeEM, false, "R1.2.3.4 5.6.7 1 1 6 0\n", nil},
		{"em4 prefix", modeEM, false, "R1.2.3.4/32 5.6.7.8 1 1 6 0\n", nil},

		{"acl4", modeACL, false, "@0.0.0.0/0 1.2.3.0/24 0 : 65535 23 : 23 0x06/0xff\nR0.0.0.0/0 1.2.0.0/16 1 : 2 3 : 4 0/0 1\n",
			&ruleSet{acl: []aclRule{
				{src: p("0.0.0.0/0"), dst: p("1.2.3.0/24"), sport: [2]uint16{0, 65535}, dport: [2]uint16{23, 23}, proto: 6, pmask: 0xff, deny: true},
				{src: p("0.0.0.0/0"), dst: p("1.2.0.0/16"), sport: [2]uint16{1, 2}, dport: [2]uint16{3, 4}, port: 1},
			}}},
		{"acl6", modeACL, true, "R2001:0200:0000:0000:0000:0000:0000:0000/48 ::/0 0 : 65535 0 : 65535 17/255 2\n",
			&ruleSet{acl: []aclRule{{src: p("2001:200::/48"), dst: p("::/0"), sport: [2]uint16{0, 65535}, dport: [2]uint16{0, 65535}, proto: 17, pmask: 255, port: 2}}}},
		{"acl4 deny only", modeACL, false, "@0.0.0.0/0 1.2.3.0/24 0 : 65535 0 : 65535 0/0\n", nil},
		{"acl4 route without port", modeACL, false, "R0.0.0.0/0 1.2.3.0/24 0 : 65535 0 : 65535 0/0\n", nil},
		{"acl4 range order", modeACL, false, "R0.0.0.0/0 1.2.3.0/24 2 : 1 0 : 65535 0/0 0\n", nil},
		{"acl4 range dlm", modeACL, false, "R0.0.0.0/0 1.2.3.0/24 0 - 1 0 : 65535 0/0 0\n", nil},
		{"acl4 proto", modeACL, false, "R0.0.0.0/0 1.2.3.0/24 0 : 1 0 : 65535 6 0\n", nil},
		{"acl4 proto mask", modeACL, false, "R0.0.0.0/0 1.2.3.0/24 0 : 1 0 : 65535 6/256 0\n", nil},
		{"acl4 bad lead", modeACL, false, "X0.0.0.0/0 1.2.3.0/24 0 : 1 0 : 65535 6/255 0\n", nil},
		{"acl6 v4 prefix", modeACL, true, "R0.0.0.0/0 ::/0 0 : 1 0 : 65535 6/255 0\n", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			rs, err := parseRules(strings.NewReader(c.text), c.mode, c.v6)
			if c.want == nil {
				if err == nil {
					t.Fatalf("parseRules = %+v, want an error", rs)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(rs, c.want) {
				t.Errorf("parseRules:\n got %+v\nwant %+v", rs, c.want)
			}
		})
	}
}

// TestRuleFiles reads DPDK's sample files and finds its built-in tables in
// them.
func TestRuleFiles(t *testing.T) {
	for _, c := range []struct {
		file string
		mode lookupMode
		v6   bool
	}{
		{cfgFile(t, "lpm_default_v4.cfg"), modeLPM, false},
		{cfgFile(t, "lpm_default_v6.cfg"), modeLPM, true},
		{cfgFile(t, "em_default_v4.cfg"), modeEM, false},
		{cfgFile(t, "em_default_v6.cfg"), modeEM, true},
	} {
		rs, err := readRuleFile(c.file, c.mode, c.v6)
		if err != nil {
			t.Fatal(err)
		}
		if want := defaultRules(c.mode, c.v6); !reflect.DeepEqual(rs, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", c.file, rs, want)
		}
	}
	for _, f := range []string{"testdata/acl_v4.cfg", "testdata/acl_v6.cfg"} {
		rs, err := readRuleFile(f, modeACL, strings.Contains(f, "v6"))
		if err != nil {
			t.Fatal(err)
		}
		if rs.routes() != 4 || len(rs.acl) < 5 || !rs.acl[0].deny {
			t.Errorf("%s: %d routes of %d rules, first %+v", f, rs.routes(), len(rs.acl), rs.acl[0])
		}
	}
	if _, err := readRuleFile(cfgFile(t, "lpm_default_v4.cfg"), modeEM, false); err == nil {
		t.Error("an LPM file read as EM rules")
	}
	if _, err := readRuleFile("testdata/no-such-file", modeLPM, false); err == nil {
		t.Error("a missing file read")
	}
}
