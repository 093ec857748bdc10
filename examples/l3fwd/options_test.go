package main

import (
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"dpk/pkt"
)

func TestCUint(t *testing.T) {
	for _, c := range []struct {
		s    string
		base int
		max  uint64
		want uint64
		ok   bool
	}{
		{"0", 0, 255, 0, true},
		{"17", 0, 255, 17, true},
		{"0x11", 0, 255, 17, true},
		{"0X1f", 0, 255, 31, true},
		{"011", 0, 255, 9, true},
		{"256", 0, 255, 0, false},
		{"0x", 0, 255, 0, false},
		{"", 0, 255, 0, false},
		{"-1", 0, 255, 0, false},
		{"+1", 0, 255, 0, false},
		{"1_0", 0, 255, 0, false},
		{"09", 0, 255, 0, false}, // octal
		{"3", 16, 255, 3, true},
		{"0x3", 16, 255, 3, true},
		{"ff", 16, 255, 255, true},
		{"ff", 10, 255, 0, false},
		{" 1", 10, 255, 0, false},
		{"99999999999999999999999", 10, 1<<64 - 1, 0, false},
	} {
		v, ok := cUint(c.s, c.base, c.max)
		if v != c.want || ok != c.ok {
			t.Errorf("cUint(%q, %d, %d) = %d, %v; want %d, %v", c.s, c.base, c.max, v, ok, c.want, c.ok)
		}
	}
}

func TestParsePortmask(t *testing.T) {
	for _, c := range []struct {
		s    string
		want uint32
		ok   bool
	}{
		{"0x3", 3, true}, {"3", 3, true}, {"ffffffff", 0xffffffff, true}, {"F0", 0xf0, true},
		{"0", 0, false}, {"", 0, false}, {"0x", 0, false}, {"1ffffffff", 0, false}, {"x3", 0, false}, {"3g", 0, false},
	} {
		v, err := parsePortmask(c.s)
		if v != c.want || (err == nil) != c.ok {
			t.Errorf("parsePortmask(%q) = %#x, %v; want %#x, ok %v", c.s, v, err, c.want, c.ok)
		}
	}
}

func TestParseConfig(t *testing.T) {
	for _, c := range []struct {
		s    string
		want []lcoreParam
	}{
		{"(0,0,0)", []lcoreParam{{0, 0, 0}}},
		{"(0,0,0),(1,0,1)", []lcoreParam{{0, 0, 0}, {1, 0, 1}}},
		{" ( 0 , 1 , 2 ) , (0x1,0,010) ", []lcoreParam{{0, 1, 2}, {1, 0, 8}}},
		{"(255,255,255)", []lcoreParam{{255, 255, 255}}},
		{"", nil},
		{"()", nil},
		{"(0,0)", nil},
		{"(0,0,0,0)", nil},
		{"(0,0,256)", nil},
		{"(0,0,-1)", nil},
		{"(0,0,0", nil},
		{"(0,0,0)(1,0,1)", nil},
		{"(0,0,0),", nil},
		{"0,0,0", nil},
		{"(a,0,0)", nil},
		{"(0,,0)", nil},
	} {
		got, err := parseConfig(c.s)
		if c.want == nil {
			if err == nil {
				t.Errorf("parseConfig(%q) = %v, want an error", c.s, got)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("parseConfig(%q) = %v, %v; want %v", c.s, got, err, c.want)
		}
	}
	long := strings.Repeat("(0,0,0),", maxLcoreParams) + "(0,0,0)"
	if _, err := parseConfig(long); err == nil {
		t.Errorf("parseConfig accepted %d triples", maxLcoreParams+1)
	}
}

func TestParseEthDest(t *testing.T) {
	for _, c := range []struct {
		s    string
		port uint16
		mac  pkt.MAC
		ok   bool
	}{
		{"0,02:00:00:00:00:10", 0, pkt.MAC{2, 0, 0, 0, 0, 0x10}, true},
		{"31,aa:bb:cc:dd:ee:ff", 31, pkt.MAC{0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}, true},
		{"1,0200.0000.0001", 1, pkt.MAC{2, 0, 0, 0, 0, 1}, true},
		{"32,02:00:00:00:00:10", 0, pkt.MAC{}, false},
		{"0", 0, pkt.MAC{}, false},
		{",02:00:00:00:00:10", 0, pkt.MAC{}, false},
		{"0x1,02:00:00:00:00:10", 0, pkt.MAC{}, false},
		{"0,02:00:00:00:00", 0, pkt.MAC{}, false},
		{"0,02:00:00:00:00:100", 0, pkt.MAC{}, false},
	} {
		p, mac, err := parseEthDest(c.s)
		if (err == nil) != c.ok || p != c.port || mac != c.mac {
			t.Errorf("parseEthDest(%q) = %d, %s, %v; want %d, %s, ok %v", c.s, p, mac, err, c.port, c.mac, c.ok)
		}
	}
}

func TestParseArgs(t *testing.T) {
	o, err := parseArgs([]string{"-p", "0x3", "-P", "--lookup=em", "--config=(0,0,0),(1,0,1)",
		"--eth-dest=1,02:00:00:00:00:aa", "--max-pkt-len", "9000", "--parse-ptype", "--burst", "64",
		"--rule_ipv4=a.cfg", "--rule_ipv6", "b.cfg", "--stats-period", "5", "--rx-queue-size", "512",
		"--tx-queue-size=256", "--no-numa", "--ipv6", "--hash-entry-num", "0x10", "--per-port-pool"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := &options{portmask: 3, promisc: true, mode: modeEM, config: []lcoreParam{{0, 0, 0}, {1, 0, 1}},
		maxPktLen: 9000, parsePtype: true, burst: 64, rxDesc: 512, txDesc: 256, ruleIPv4: "a.cfg", ruleIPv6: "b.cfg",
		statsPeriod: 5 * time.Second, ipv6: true, noNUMA: true, perPortPool: true}
	for p := range want.ethDest {
		want.ethDest[p] = pkt.MAC{2, 0, 0, 0, 0, byte(p)}
	}
	want.ethDest[1] = pkt.MAC{2, 0, 0, 0, 0, 0xaa}
	if !reflect.DeepEqual(o, want) {
		t.Errorf("parseArgs:\n got %+v\nwant %+v", o, want)
	}

	o, err = parseArgs([]string{"-p", "1", "-E"}, io.Discard)
	if err != nil || o.mode != modeEM || !reflect.DeepEqual(o.config, defaultLcoreParams) || o.burst != defaultBurst {
		t.Errorf("-E: %+v, %v", o, err)
	}
	o, err = parseArgs([]string{"-p", "1"}, io.Discard)
	if err != nil || o.mode != modeLPM {
		t.Errorf("no lookup mode: %+v, %v; want LPM", o, err)
	}

	for _, bad := range [][]string{
		{},                      // no portmask
		{"-p", "0"},             // empty portmask
		{"-p", "1", "-E", "-L"}, // two modes
		{"-p", "1", "-L", "--lookup=em"},
		{"-p", "1", "--lookup=fib"},
		{"-p", "1", "--lookup=xyz"},
		{"-p", "1", "--config=(0,0)"},
		{"-p", "1", "--eth-dest=0"},
		{"-p", "1", "--max-pkt-len", "63"},
		{"-p", "1", "--max-pkt-len", "9601"},
		{"-p", "1", "--burst", "0"},
		{"-p", "1", "--burst", "513"},
		{"-p", "1", "--stats-period", "-1"},
		{"-p", "1", "--rx-queue-size", "0"},
		{"-p", "1", "--tx-queue-size", "65536"},
		{"-p", "1", "--hash-entry-num", "0"},
		{"-p", "1", "--lookup=acl"},                  // ACL needs rule files
		{"-p", "1", "--lookup=acl", "--rule_ipv4=a"}, // both of them
		{"-p", "1", "--alg", "avx2"},
		{"-p", "1", "--mode", "eventdev"},
		{"-p", "1", "--unknown"},
		{"-p", "1", "extra"},
	} {
		if o, err := parseArgs(bad, io.Discard); err == nil {
			t.Errorf("parseArgs(%q) = %+v, want an error", bad, o)
		}
	}
}
