package classbench

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"dpk/acl"
	"dpk/internal/testutil"
)

func TestParseRule(t *testing.T) {
	f := func(v, m uint64) acl.Field { return acl.Field{Value: v, MaskRange: m} }
	tests := []struct {
		name   string
		line   string
		format Format
		want   []acl.Field // nil: an error
	}{
		{"dpdk-test-acl", "@16.32.1.0/24\t2.1.1.0/24\t1000 : 2000\t0 : 65535 0/0", IPv4,
			[]acl.Field{f(0, 0), f(0x10200100, 24), f(0x02010100, 24), f(1000, 2000), f(0, 65535)}},
		{"classbench with flags", "@237.73.3.4/32\t67.236.63.210/32\t0 : 65535\t1711 : 1711\t0x06/0xFF\t0x0000/0x0200\t", IPv4,
			[]acl.Field{f(6, 0xff), f(0xed490304, 32), f(0x43ec3fd2, 32), f(0, 65535), f(1711, 1711)}},
		{"spaces, hex and octal", "@0.0.0.0/0 255.255.255.255/0x20 0x10 : 010 0 : 0 17/255", IPv4,
			[]acl.Field{f(17, 255), f(0, 0), f(0xffffffff, 32), f(16, 8), f(0, 0)}},
		{"empty proto value reads 0", "@1.2.3.4/8 1.2.3.4/8 0 : 1 0 : 1 /0xff", IPv4,
			[]acl.Field{f(0, 255), f(0x01020304, 8), f(0x01020304, 8), f(0, 1), f(0, 1)}},
		{"ipv6 4B", "@9baa:cead:8000::/33\td1b5:2feb::/64\t0 : 65535\t1526 : 1526\t0x00/0x00", IPv6,
			[]acl.Field{f(0, 0), f(0x9baacead, 32), f(0x80000000, 1), f(0, 0), f(0, 0),
				f(0xd1b52feb, 32), f(0, 32), f(0, 0), f(0, 0), f(0, 65535), f(1526, 1526)}},
		{"ipv6 8B", "@9baa:cead:8000::/33\t::1/128\t0 : 65535\t1526 : 1526\t6/0xff", IPv6U64,
			[]acl.Field{f(6, 0xff), f(0x9baacead80000000, 33), f(0, 0), f(0, 64), f(1, 64), f(0, 65535), f(1526, 1526)}},
		{"no @", "16.32.1.0/24 2.1.1.0/24 0 : 65535 0 : 65535 0/0", IPv4, nil},
		{"blank before @", " @16.32.1.0/24 2.1.1.0/24 0 : 65535 0 : 65535 0/0", IPv4, nil},
		{"short", "@16.32.1.0/24 2.1.1.0/24 0 : 65535 0 : 65535", IPv4, nil},
		{"bad address", "@16.32.1/24 2.1.1.0/24 0 : 65535 0 : 65535 0/0", IPv4, nil},
		{"leading zero octet", "@16.032.1.0/24 2.1.1.0/24 0 : 65535 0 : 65535 0/0", IPv4, nil},
		{"no prefix", "@16.32.1.0 2.1.1.0/24 0 : 65535 0 : 65535 0/0", IPv4, nil},
		{"prefix 33", "@16.32.1.0/33 2.1.1.0/24 0 : 65535 0 : 65535 0/0", IPv4, nil},
		{"port 65536", "@16.32.1.0/24 2.1.1.0/24 0 : 65536 0 : 65535 0/0", IPv4, nil},
		{"no colon", "@16.32.1.0/24 2.1.1.0/24 0 - 65535 0 : 65535 0/0", IPv4, nil},
		{"proto 256", "@16.32.1.0/24 2.1.1.0/24 0 : 65535 0 : 65535 256/0xff", IPv4, nil},
		{"proto without mask", "@16.32.1.0/24 2.1.1.0/24 0 : 65535 0 : 65535 6", IPv4, nil},
		{"negative port", "@16.32.1.0/24 2.1.1.0/24 -1 : 65535 0 : 65535 0/0", IPv4, nil},
		{"ipv6 address in ipv4", "@::1/24 2.1.1.0/24 0 : 65535 0 : 65535 0/0", IPv4, nil},
		{"ipv4 address in ipv6", "@1.2.3.4/24 ::/0 0 : 65535 0 : 65535 0/0", IPv6, nil},
		{"zone", "@fe80::1%eth0/64 ::/0 0 : 65535 0 : 65535 0/0", IPv6, nil},
		{"ipv6 prefix 129", "@::/129 ::/0 0 : 65535 0 : 65535 0/0", IPv6, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseRule(tt.line, tt.format)
			if tt.want == nil {
				if !errors.Is(err, ErrSyntax) {
					t.Fatalf("err %v, want ErrSyntax", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(r.Fields, tt.want) {
				t.Errorf("fields\n%v, want\n%v", r.Fields, tt.want)
			}
			var buf bytes.Buffer
			if err := FormatRule(&buf, r, tt.format); err != nil {
				t.Fatal(err)
			}
			back, err := ParseRule(buf.String(), tt.format)
			if err != nil || !reflect.DeepEqual(back.Fields, r.Fields) {
				t.Errorf("FormatRule %q parses back to %v, %v", buf.String(), back.Fields, err)
			}
		})
	}
}

func TestStrtoul(t *testing.T) {
	tests := []struct {
		in   string
		v    uint64
		rest string
		ok   bool
	}{
		{"123", 123, "", true},
		{"0x1F/", 31, "/", true},
		{"010", 8, "", true},
		{"09", 0, "9", true},
		{"0x", 0, "x", true},
		{"+5", 5, "", true},
		{"-0", 0, "", true},
		{"-1", ^uint64(0), "", true},
		{"", 0, "", true},
		{"abc", 0, "abc", true},
		{"18446744073709551616", ^uint64(0), "", false},
		{" 7", 7, "", true},
	}
	for _, tt := range tests {
		v, rest, ok := strtoul(tt.in)
		if v != tt.v || rest != tt.rest || ok != tt.ok {
			t.Errorf("strtoul(%q) = %d, %q, %v; want %d, %q, %v", tt.in, v, rest, ok, tt.v, tt.rest, tt.ok)
		}
	}
}

func TestParseRules(t *testing.T) {
	in := "# comment\n\n@1.0.0.0/8 0.0.0.0/0 0 : 65535 0 : 65535 0/0\n   # indented comment\n@2.0.0.0/8 0.0.0.0/0 0 : 65535 0 : 65535 6/0xff\n"
	rules, err := ParseRules(strings.NewReader(in), IPv4, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 2 {
		t.Fatalf("%d rules, want 2", len(rules))
	}
	for i, r := range rules {
		n := uint32(i + 1)
		if r.Userdata != n || r.Priority != int32(acl.MaxPriority-n) || r.CategoryMask != 0xffff {
			t.Errorf("rule %d: userdata %d, priority %d, categories %#x", i, r.Userdata, r.Priority, r.CategoryMask)
		}
	}
	if _, err := ParseRules(strings.NewReader(in), IPv4, 1); !errors.Is(err, acl.ErrNoSpace) {
		t.Errorf("max 1: err %v, want ErrNoSpace", err)
	}
	_, err = ParseRules(strings.NewReader(in+"@bad\n"), IPv4, 0)
	if !errors.Is(err, ErrSyntax) || !strings.Contains(err.Error(), "line 6") {
		t.Errorf("bad line: err %v, want ErrSyntax at line 6", err)
	}
}

// TestDPDKFiles reads dpdk-test-acl's own inputs.
func TestDPDKFiles(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(testutil.SharedData(t, "acl"), "dpdk-test-acl/*_rule"))
	if len(files) == 0 {
		t.Fatal("no dpdk-test-acl data")
	}
	for _, rf := range files {
		f := IPv4
		if strings.Contains(rf, "v6") {
			f = IPv6
		}
		b, err := os.ReadFile(rf)
		if err != nil {
			t.Fatal(err)
		}
		rules, err := ParseRules(bytes.NewReader(b), f, 0)
		if err != nil || len(rules) == 0 {
			t.Errorf("%s: %d rules, %v", rf, len(rules), err)
		}
		b, err = os.ReadFile(strings.TrimSuffix(rf, "_rule") + "_trace")
		if err != nil {
			t.Fatal(err)
		}
		tr, err := ParseTraces(bytes.NewReader(b), f, 0)
		if err != nil || tr.Len(f) == 0 || !tr.HasExpect {
			t.Fatalf("%s: %v", rf, err)
		}
		// Written back, the traces read the same.
		var buf bytes.Buffer
		for i := 0; i < tr.Len(f); i++ {
			sz := f.TupleSize()
			if err := FormatTrace(&buf, f, tr.Tuples[i*sz:(i+1)*sz], tr.Expect[i], true); err != nil {
				t.Fatal(err)
			}
		}
		back, err := ParseTraces(&buf, f, 0)
		if err != nil || !bytes.Equal(back.Tuples, tr.Tuples) || !reflect.DeepEqual(back.Expect, tr.Expect) {
			t.Errorf("%s: traces do not survive FormatTrace: %v\n%s", rf, err, buf.String())
		}
		if tr1, _ := ParseTraces(bytes.NewReader(b), f, 1); tr1.Len(f) != 1 {
			t.Errorf("max 1: %d tuples", tr1.Len(f))
		}
	}
}

func TestParseTrace(t *testing.T) {
	tuple := make([]byte, 40)
	e, has, err := ParseTrace("0x10200101 0x02010304 100 200 6 7", IPv4, tuple)
	want := []byte{6, 0, 0, 0, 0x10, 0x20, 1, 1, 2, 1, 3, 4, 0, 100, 0, 200}
	if err != nil || !has || e != 7 || !bytes.Equal(tuple[:16], want) {
		t.Errorf("got %x %d %v %v", tuple[:16], e, has, err)
	}
	if _, has, err := ParseTrace("1 2 3 4 5", IPv4, tuple); err != nil || has {
		t.Errorf("five fields: %v %v", has, err)
	}
	for _, bad := range []string{"1 2 3 4", "0x100000000 1 1 1 1", "1 2 65536 1 1", "1 2 3 4 256", "::1 ::2 1 1 1"} {
		if _, _, err := ParseTrace(bad, IPv4, tuple); !errors.Is(err, ErrSyntax) {
			t.Errorf("%q: err %v, want ErrSyntax", bad, err)
		}
	}
	if _, _, err := ParseTrace("::1 2001:db8::2 1 2 17", IPv6, tuple); err != nil || tuple[0] != 17 || tuple[19] != 1 || tuple[20] != 0x20 || tuple[39] != 2 {
		t.Errorf("ipv6: %x %v", tuple, err)
	}
}

func TestDefs(t *testing.T) {
	for _, f := range []Format{IPv4, IPv6, IPv6U64} {
		defs := f.Defs()
		seen := map[uint8]bool{}
		for _, d := range defs {
			if int(d.Offset)+int(d.Size) > f.TupleSize() {
				t.Errorf("%v: field %d ends after the tuple", f, d.FieldIndex)
			}
			if seen[d.FieldIndex] || int(d.FieldIndex) >= f.NumFields() {
				t.Errorf("%v: field index %d", f, d.FieldIndex)
			}
			seen[d.FieldIndex] = true
		}
		if defs[0].Size != 1 {
			t.Errorf("%v: the first field is %d bytes; DPDK wants 1", f, defs[0].Size)
		}
	}
}

// TestGenerate checks that generated tuples are reproducible and that most
// hit a rule.
func TestGenerate(t *testing.T) {
	rules, err := ParseRules(strings.NewReader("@10.0.0.0/8 0.0.0.0/0 1000 : 2000 0 : 65535 6/0xff\n"), IPv4, 0)
	if err != nil {
		t.Fatal(err)
	}
	a := Generate(IPv4.Defs(), rules, 16, 1000, 9)
	b := Generate(IPv4.Defs(), rules, 16, 1000, 9)
	if !bytes.Equal(a, b) {
		t.Fatal("same seed, different tuples")
	}
	hits, edges := 0, 0
	for i := 0; i < 1000; i++ {
		tp := a[i*16 : i*16+16]
		sp := int(tp[12])<<8 | int(tp[13])
		if tp[0] == 6 && tp[4] == 10 && sp >= 1000 && sp <= 2000 {
			hits++
			if sp == 1000 || sp == 2000 {
				edges++
			}
		}
	}
	if hits < 300 || edges < 50 {
		t.Errorf("%d tuples of 1000 in the rule, %d on its port edges", hits, edges)
	}
}
