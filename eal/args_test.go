package eal

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// lc builds an LcoreMap.
func lc(id uint32, cpus ...int) LcoreMap { return LcoreMap{ID: id, CPUs: cpus} }

// span returns the numbers from a to b.
func span(a, b int) []int {
	var out []int
	for i := a; i <= b; i++ {
		out = append(out, i)
	}
	return out
}

func TestParseArgsOptions(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want func(c *Config) // applied to the default configuration
	}{
		{"none", nil, func(c *Config) {}},
		{"-l list", []string{"-l", "0-3,5"}, func(c *Config) {
			c.Lcores = []LcoreMap{lc(0, 0), lc(1, 1), lc(2, 2), lc(3, 3), lc(5, 5)}
		}},
		{"-l attached", []string{"-l0-1"}, func(c *Config) { c.Lcores = []LcoreMap{lc(0, 0), lc(1, 1)} }},
		{"-l single", []string{"-l", "7"}, func(c *Config) { c.Lcores = []LcoreMap{lc(7, 7)} }},
		{"-l unsorted", []string{"-l", "3,1"}, func(c *Config) { c.Lcores = []LcoreMap{lc(1, 1), lc(3, 3)} }},
		{"--lcores space", []string{"--lcores", "0@1"}, func(c *Config) { c.Lcores = []LcoreMap{lc(0, 1)} }},
		{"--lcores equals", []string{"--lcores=(0-1)@(4-5)"}, func(c *Config) {
			c.Lcores = []LcoreMap{lc(0, 4, 5), lc(1, 4, 5)}
		}},
		{"-c hex", []string{"-c", "0x5"}, func(c *Config) { c.Lcores = []LcoreMap{lc(0, 0), lc(2, 2)} }},
		{"-c no prefix", []string{"-c", "f0"}, func(c *Config) {
			c.Lcores = []LcoreMap{lc(4, 4), lc(5, 5), lc(6, 6), lc(7, 7)}
		}},
		{"-c upper attached", []string{"-c0X1A"}, func(c *Config) { c.Lcores = []LcoreMap{lc(1, 1), lc(3, 3), lc(4, 4)} }},
		{"-c high bit", []string{"-c", "0x80000000000000000000000000000000"}, func(c *Config) {
			c.Lcores = []LcoreMap{lc(127, 127)}
		}},
		{"-c leading zeros", []string{"-c", "0x0000000000000000000000000000000000001"}, func(c *Config) {
			c.Lcores = []LcoreMap{lc(0, 0)}
		}},
		{"--main-lcore", []string{"-l", "0-3", "--main-lcore", "2"}, func(c *Config) {
			c.Lcores = []LcoreMap{lc(0, 0), lc(1, 1), lc(2, 2), lc(3, 3)}
			c.MainLcore = 2
		}},
		{"--main-lcore before -l", []string{"--main-lcore=1", "-l", "0-1"}, func(c *Config) {
			c.Lcores = []LcoreMap{lc(0, 0), lc(1, 1)}
			c.MainLcore = 1
		}},
		{"--main-lcore without lcores", []string{"--main-lcore", "9"}, func(c *Config) { c.MainLcore = 9 }},
		{"-n", []string{"-n", "4"}, func(c *Config) { c.Channels = 4 }},
		{"-n attached", []string{"-n2"}, func(c *Config) { c.Channels = 2 }},
		{"-m", []string{"-m", "512"}, func(c *Config) { c.MemoryMB = 512 }},
		{"--socket-mem", []string{"--socket-mem", "1024,0"}, func(c *Config) { c.SocketMem = []uint64{1024, 0} }},
		{"--socket-mem one", []string{"--socket-mem=256"}, func(c *Config) { c.SocketMem = []uint64{256} }},
		{"--socket-limit", []string{"--socket-limit", "2048,2048"}, func(c *Config) { c.SocketLimit = []uint64{2048, 2048} }},
		{"--socket-limit with -m", []string{"-m", "64", "--socket-limit", "128"}, func(c *Config) {
			c.MemoryMB = 64
			c.SocketLimit = []uint64{128}
		}},
		{"--no-huge", []string{"--no-huge"}, func(c *Config) { c.NoHuge = true }},
		{"--no-huge with -m", []string{"--no-huge", "-m", "64"}, func(c *Config) { c.NoHuge, c.MemoryMB = true, 64 }},
		{"--huge-dir", []string{"--huge-dir", "/mnt/huge"}, func(c *Config) { c.HugeDir = "/mnt/huge" }},
		{"--file-prefix", []string{"--file-prefix=test1"}, func(c *Config) { c.FilePrefix = "test1" }},
		{"--file-prefix last wins", []string{"--file-prefix", "a", "--file-prefix", "b"}, func(c *Config) { c.FilePrefix = "b" }},
		{"--proc-type primary", []string{"--proc-type", "primary"}, func(c *Config) { c.ProcType = ProcPrimary }},
		{"--proc-type secondary", []string{"--proc-type=secondary"}, func(c *Config) { c.ProcType = ProcSecondary }},
		{"--proc-type auto", []string{"--proc-type", "auto"}, func(c *Config) { c.ProcType = ProcAuto }},
		{"--proc-type case", []string{"--proc-type", "Secondary"}, func(c *Config) { c.ProcType = ProcSecondary }},
		{"--in-memory", []string{"--in-memory"}, func(c *Config) { c.InMemory, c.NoShconf = true, true }},
		{"--no-shconf", []string{"--no-shconf"}, func(c *Config) { c.NoShconf = true }},
		{"--vdev repeated", []string{"--vdev", "net_ring0", "--vdev=net_af_packet0,iface=eth0,qpairs=2", "--vdev", "net_tap0"},
			func(c *Config) { c.Vdevs = []string{"net_ring0", "net_af_packet0,iface=eth0,qpairs=2", "net_tap0"} }},
		{"--log-level", []string{"--log-level", "8", "--log-level=debug", "--log-level", "lib.eal:debug",
			"--log-level", "pmd.net.*:8", "--log-level=lib.eal:info", "--log-level", "pmd\\.net\\..*,notice", "--log-level", "warn"},
			func(c *Config) {
				c.LogRules = []LogRule{{"", false, LogDebug}, {"", false, LogDebug}, {"lib.eal", false, LogDebug}, {"pmd.net.*", false, LogDebug},
					{"lib.eal", false, LogInfo}, {"pmd\\.net\\..*", true, LogNotice}, {"", false, LogWarning}}
			}},
		{"--log-level names", []string{"--log-level=emergency", "--log-level=alert", "--log-level=critical",
			"--log-level=error", "--log-level=warning", "--log-level=notice", "--log-level=info", "--log-level=1"},
			func(c *Config) {
				c.LogRules = []LogRule{{"", false, LogEmerg}, {"", false, LogAlert}, {"", false, LogCrit}, {"", false, LogErr},
					{"", false, LogWarning}, {"", false, LogNotice}, {"", false, LogInfo}, {"", false, LogEmerg}}
			}},
		{"--no-telemetry", []string{"--no-telemetry"}, func(c *Config) { c.NoTelemetry = true }},
		{"--iova-mode va", []string{"--iova-mode", "va"}, func(c *Config) { c.IOVAMode = "va" }},
		{"-a", []string{"-a", "0000:01:00.0", "--allow=02:00.1", "-a0000:03:00.0"}, func(c *Config) {
			c.Allow = []string{"0000:01:00.0", "02:00.1", "0000:03:00.0"}
			c.Notes = []string{pciNote}
		}},
		{"-b", []string{"-b", "0000:01:00.0", "--block", "02:00.1"}, func(c *Config) {
			c.Block = []string{"0000:01:00.0", "02:00.1"}
			c.Notes = []string{pciNote}
		}},
		{"--no-pci", []string{"--no-pci"}, func(c *Config) { c.NoPCI = true; c.Notes = []string{pciNote} }},
		{"grouped short flags", []string{"-vn", "3"}, func(c *Config) {
			c.Channels = 3
			c.Notes = []string{"-v is accepted and ignored: dpk prints no version banner"}
		}},
		{"typical", []string{"-l", "0-1", "-n", "4", "--no-huge", "--vdev", "net_ring0", "--file-prefix", "dpk", "--log-level", "lib.eal:8"},
			func(c *Config) {
				c.Lcores = []LcoreMap{lc(0, 0), lc(1, 1)}
				c.Channels = 4
				c.NoHuge = true
				c.Vdevs = []string{"net_ring0"}
				c.FilePrefix = "dpk"
				c.LogRules = []LogRule{{"lib.eal", false, LogDebug}}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"prog"}, tt.args...)
			got, rest, err := ParseArgs(args)
			if err != nil {
				t.Fatalf("ParseArgs(%q): %v", tt.args, err)
			}
			want := &Config{MainLcore: -1}
			tt.want(want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("ParseArgs(%q) =\n%+v\nwant\n%+v", tt.args, got, want)
			}
			if !reflect.DeepEqual(rest, []string{"prog"}) {
				t.Errorf("rest = %q, want [prog]", rest)
			}
		})
	}
}

// TestParseArgsIgnored checks the options dpk accepts and ignores with a note.
func TestParseArgsIgnored(t *testing.T) {
	tests := []struct {
		args []string
		opt  string
	}{
		{[]string{"--base-virtaddr", "0x100000000"}, "--base-virtaddr"},
		{[]string{"--base-virtaddr=7f0000000000"}, "--base-virtaddr"},
		{[]string{"--legacy-mem"}, "--legacy-mem"},
		{[]string{"--single-file-segments"}, "--single-file-segments"},
		{[]string{"--match-allocations"}, "--match-allocations"},
		{[]string{"--telemetry"}, "--telemetry"},
		{[]string{"--vfio-intr", "msix"}, "--vfio-intr"},
		{[]string{"--vfio-intr=legacy"}, "--vfio-intr"},
		{[]string{"--create-uio-dev"}, "--create-uio-dev"},
		{[]string{"--syslog", "daemon"}, "--syslog"},
		{[]string{"-v"}, "-v"},
	}
	for _, tt := range tests {
		cfg, _, err := ParseArgs(append([]string{"prog"}, tt.args...))
		if err != nil {
			t.Errorf("ParseArgs(%q): %v", tt.args, err)
			continue
		}
		if len(cfg.Notes) != 1 || !strings.HasPrefix(cfg.Notes[0], tt.opt+" is accepted and ignored") {
			t.Errorf("ParseArgs(%q): notes %q, want one about %s", tt.args, cfg.Notes, tt.opt)
		}
		want := &Config{MainLcore: -1, Notes: cfg.Notes}
		if !reflect.DeepEqual(cfg, want) {
			t.Errorf("ParseArgs(%q) = %+v, want only a note", tt.args, cfg)
		}
	}
}

func TestParseArgsErrors(t *testing.T) {
	tests := []struct {
		args []string
		want []string // substrings of the error
	}{
		{[]string{"--foo"}, []string{`invalid option "--foo"`}},
		{[]string{"--foo=bar"}, []string{`invalid option "--foo"`}},
		{[]string{"-x"}, []string{`invalid option "-x"`}},
		{[]string{"-vx"}, []string{`invalid option "-x"`}},
		{[]string{"--no-hug"}, []string{`invalid option "--no-hug"`}},
		{[]string{"--lcore", "1"}, []string{`invalid option "--lcore"`}},
		{[]string{"--no-huge=1"}, []string{"--no-huge", "takes no value", `"1"`}},
		{[]string{"-l"}, []string{"-l", "requires a value"}},
		{[]string{"--vdev"}, []string{"--vdev", "requires a value"}},
		{[]string{"-l", ""}, []string{"-l", "empty lcore list"}},
		{[]string{"-l", "0-4000000000"}, []string{"-l", `"0-4000000000"`, "out of range"}},
		{[]string{"-l", "99999999999999999999999999"}, []string{"-l", "out of range"}},
		{[]string{"-l", "128"}, []string{"lcore 128 out of range (max 127)"}},
		{[]string{"-l", "0-3,2"}, []string{"lcore 2 given twice"}},
		{[]string{"-l", "a"}, []string{"-l", `"a"`, "expected a number"}},
		{[]string{"-l", "1,"}, []string{"expected a number at the end"}},
		{[]string{"--lcores", "0@1024"}, []string{"cpu 1024 out of range (max 1023)"}},
		{[]string{"--lcores", "0@(1-2"}, []string{"expected ',' or ')'"}},
		{[]string{"--lcores", "()"}, []string{"expected a number"}},
		{[]string{"--lcores", "(0,(1))"}, []string{"expected a number"}},
		{[]string{"--lcores", "0@"}, []string{"expected a number at the end"}},
		{[]string{"--lcores", "0@1@2"}, []string{"expected ',' or '@'"}},
		{[]string{"--lcores", "0-1-2"}, []string{"expected ',' or '@'"}},
		{[]string{"--lcores", "1,(0,1)@2"}, []string{"lcore 1 given twice"}},
		{[]string{"--lcores", "(0-200)@1"}, []string{"lcore 200 out of range"}},
		{[]string{"-l", "0", "-c", "1"}, []string{"-c", "-l", "cannot be given together"}},
		{[]string{"-c", "1", "--lcores", "0"}, []string{"--lcores", "-c", "cannot be given together"}},
		{[]string{"-l", "0", "-l", "1"}, []string{"-l", "cannot be given together"}},
		{[]string{"-c", "0"}, []string{"-c", "no lcore"}},
		{[]string{"-c", "0x"}, []string{"-c", "empty mask"}},
		{[]string{"-c", "0xg"}, []string{"-c", `"0xg"`, `"g" is not a hexadecimal digit`}},
		{[]string{"-c", "100000000000000000000000000000000"}, []string{"-c", "bit 128"}},
		{[]string{"--main-lcore", "x"}, []string{"--main-lcore", `"x"`}},
		{[]string{"--main-lcore", "128"}, []string{"--main-lcore", `"128"`}},
		{[]string{"--main-lcore", "-1"}, []string{"--main-lcore", `"-1"`}},
		{[]string{"-l", "0-1", "--main-lcore", "5"}, []string{"--main-lcore", "lcore 5", "-l"}},
		{[]string{"-n", "0"}, []string{"-n", `"0"`}},
		{[]string{"-n", "four"}, []string{"-n", `"four"`}},
		{[]string{"-m", "0"}, []string{"-m", `"0"`}},
		{[]string{"-m", "1G"}, []string{"-m", `"1G"`}},
		{[]string{"-m", "18446744073709551616"}, []string{"-m"}},
		{[]string{"--socket-mem", ""}, []string{"--socket-mem", `""`}},
		{[]string{"--socket-mem", "1024,"}, []string{"--socket-mem", `"1024,"`}},
		{[]string{"--socket-mem", "1024,x"}, []string{"--socket-mem"}},
		{[]string{"--socket-mem", strings.Repeat("1,", 32) + "1"}, []string{"--socket-mem", "at most 32 sockets"}},
		{[]string{"--socket-limit", "-1"}, []string{"--socket-limit", `"-1"`}},
		{[]string{"-m", "512", "--socket-mem", "512"}, []string{"-m", "--socket-mem"}},
		{[]string{"--socket-mem", "512", "-m", "512"}, []string{"-m", "--socket-mem"}},
		{[]string{"--no-huge", "--socket-mem", "512"}, []string{"--no-huge", "--socket-mem"}},
		{[]string{"--huge-dir", ""}, []string{"--huge-dir", `""`}},
		{[]string{"--file-prefix", ""}, []string{"--file-prefix", `""`}},
		{[]string{"--file-prefix", "a/b"}, []string{"--file-prefix", `"a/b"`, "'/'"}},
		{[]string{"--file-prefix", "../x"}, []string{"--file-prefix", `"../x"`}},
		{[]string{"--file-prefix", ".."}, []string{"--file-prefix", `".."`}},
		{[]string{"--file-prefix", "a%d"}, []string{"--file-prefix", `"a%d"`}},
		{[]string{"--proc-type", "bogus"}, []string{`eal: --proc-type: invalid value "bogus" (want primary, secondary or auto)`}},
		{[]string{"--proc-type", ""}, []string{"--proc-type", `""`}},
		{[]string{"--vdev", ""}, []string{"--vdev", `""`}},
		{[]string{"--log-level", ""}, []string{"--log-level", `""`}},
		{[]string{"--log-level", "0"}, []string{"--log-level", `"0"`}},
		{[]string{"--log-level", "9"}, []string{"--log-level", `"9"`}},
		{[]string{"--log-level", "verbose"}, []string{"--log-level", `"verbose"`}},
		{[]string{"--log-level", "lib.eal:"}, []string{"--log-level", `"lib.eal:"`}},
		{[]string{"--log-level", ":8"}, []string{"--log-level", "empty pattern"}},
		{[]string{"--log-level", ",8"}, []string{"--log-level", "empty regular expression"}},
		{[]string{"--log-level", "lib.(eal,8"}, []string{"--log-level", "bad regular expression"}},
		{[]string{"--log-level", "lib.eal:debugx"}, []string{"--log-level", `"debugx"`}},
		{[]string{"--iova-mode", "pa"}, []string{"--iova-mode", `"pa"`, "physical addresses", "IOVA as VA"}},
		{[]string{"--iova-mode", "dc"}, []string{"--iova-mode", `"dc"`}},
		{[]string{"-a", "01:00.0", "-b", "02:00.0"}, []string{"-b", "-a/--allow"}},
		{[]string{"--block=01:00.0", "--allow", "02:00.0"}, []string{"--allow", "-b/--block"}},
		{[]string{"-a", ""}, []string{"-a", `""`}},
		{[]string{"--base-virtaddr", "zz"}, []string{"--base-virtaddr", `"zz"`}},
		{[]string{"--base-virtaddr", "0x"}, []string{"--base-virtaddr", `"0x"`}},
		{[]string{"--base-virtaddr", "+1"}, []string{"--base-virtaddr", `"+1"`}},
		{[]string{"--vfio-intr", "msi-x"}, []string{"--vfio-intr", `"msi-x"`}},
		{[]string{"--syslog", "kernel"}, []string{"--syslog", `"kernel"`}},
		{[]string{"--legacy-mem=yes"}, []string{"--legacy-mem", "takes no value"}},
		{[]string{"-l", "0", "--proc-type", "x", "--", "app"}, []string{"--proc-type"}},
	}
	for _, tt := range tests {
		cfg, rest, err := ParseArgs(append([]string{"prog"}, tt.args...))
		if err == nil {
			t.Errorf("ParseArgs(%q) = %+v, %q, want an error", tt.args, cfg, rest)
			continue
		}
		if cfg != nil || rest != nil {
			t.Errorf("ParseArgs(%q) returned a configuration with error %v", tt.args, err)
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "eal: ") {
			t.Errorf("ParseArgs(%q): error %q lacks the eal: prefix", tt.args, msg)
		}
		for _, w := range tt.want {
			if !strings.Contains(msg, w) {
				t.Errorf("ParseArgs(%q): error %q does not contain %q", tt.args, msg, w)
			}
		}
	}
}

func TestParseArgsHelp(t *testing.T) {
	for _, args := range [][]string{
		{"prog", "-h"},
		{"prog", "--help"},
		{"prog", "-l", "0", "-h", "--bogus"},
		{"prog", "-vh"},
	} {
		if _, _, err := ParseArgs(args); !errors.Is(err, ErrHelp) {
			t.Errorf("ParseArgs(%q) error = %v, want ErrHelp", args, err)
		}
	}
	// Options before -h are still checked, as getopt reads them in order.
	if _, _, err := ParseArgs([]string{"prog", "--bogus", "-h"}); err == nil || errors.Is(err, ErrHelp) {
		t.Errorf("ParseArgs(--bogus -h) error = %v, want invalid option", err)
	}
	// After "--", -h belongs to the application.
	if _, rest, err := ParseArgs([]string{"prog", "--", "-h"}); err != nil || !reflect.DeepEqual(rest, []string{"prog", "-h"}) {
		t.Errorf("ParseArgs(-- -h) = %q, %v", rest, err)
	}
}

func TestUsage(t *testing.T) {
	var b bytes.Buffer
	Usage(&b, "dpk-testpmd")
	out := b.String()
	for _, w := range []string{"dpk-testpmd", "-l CORELIST", "--lcores", "-c COREMASK", "--main-lcore", "-n", "-m MB",
		"--socket-mem", "--socket-limit", "--no-huge", "--huge-dir", "--file-prefix", "--proc-type", "--in-memory",
		"--no-shconf", "--vdev", "--log-level", "--no-telemetry", "--iova-mode", "--allow", "--block", "--no-pci",
		"--help", "127"} {
		if !strings.Contains(out, w) {
			t.Errorf("Usage output lacks %q", w)
		}
	}
}

func TestParseArgsRest(t *testing.T) {
	tests := []struct {
		args []string
		rest []string
	}{
		{[]string{"prog"}, []string{"prog"}},
		{[]string{"prog", "--"}, []string{"prog"}},
		{[]string{"prog", "-l", "0", "--", "-p", "0x3"}, []string{"prog", "-p", "0x3"}},
		{[]string{"prog", "-l", "0", "--", "--", "x"}, []string{"prog", "--", "x"}},
		{[]string{"prog", "-l", "0", "app", "-n", "4"}, []string{"prog", "app", "-n", "4"}},
		{[]string{"prog", "ring_autotest"}, []string{"prog", "ring_autotest"}},
		{[]string{"prog", "-", "x"}, []string{"prog", "-", "x"}},
		{[]string{"prog", "", "-l", "0"}, []string{"prog", "", "-l", "0"}},
		// A value option takes the next argument whatever it looks like, as getopt does.
		{[]string{"prog", "--vdev", "--", "x"}, []string{"prog", "x"}},
		{[]string{"prog", "--file-prefix", "-l", "y"}, []string{"prog", "y"}},
	}
	for _, tt := range tests {
		_, rest, err := ParseArgs(tt.args)
		if err != nil {
			t.Errorf("ParseArgs(%q): %v", tt.args, err)
			continue
		}
		if !reflect.DeepEqual(rest, tt.rest) {
			t.Errorf("ParseArgs(%q) rest = %q, want %q", tt.args, rest, tt.rest)
		}
	}

	cfg, rest, err := ParseArgs(nil)
	if err != nil || cfg == nil || cfg.MainLcore != -1 || len(rest) != 0 {
		t.Errorf("ParseArgs(nil) = %+v, %q, %v", cfg, rest, err)
	}

	// The returned slice does not alias args.
	args := []string{"prog", "--", "a"}
	_, rest, _ = ParseArgs(args)
	rest[0] = "changed"
	if args[0] != "prog" {
		t.Error("rest aliases args")
	}
}

// TestParseLcores checks the lcore grammar against DPDK's documentation.
func TestParseLcores(t *testing.T) {
	tests := []struct {
		in   string
		want []LcoreMap
	}{
		// The example of eal_parse_lcores' comment and of DPDK's EAL parameters guide:
		//   lcore 0 runs on cpuset 0x41 (cpu 0,6)
		//   lcore 1 runs on cpuset 0x2 (cpu 1)
		//   lcore 2 runs on cpuset 0xe0 (cpu 5,6,7)
		//   lcore 3,4,5 runs on cpuset 0x5 (cpu 0,2)
		//   lcore 6 runs on cpuset 0x41 (cpu 0,6)
		//   lcore 7 runs on cpuset 0x80 (cpu 7)
		//   lcore 8 runs on cpuset 0x100 (cpu 8)
		{"1,2@(5-7),(3-5)@(0,2),(0,6),7-8", []LcoreMap{
			lc(0, 0, 6), lc(1, 1), lc(2, 5, 6, 7), lc(3, 0, 2), lc(4, 0, 2), lc(5, 0, 2), lc(6, 0, 6), lc(7, 7), lc(8, 8),
		}},
		{"0@1", []LcoreMap{lc(0, 1)}},
		{"(0-2)@(4-6)", []LcoreMap{lc(0, 4, 5, 6), lc(1, 4, 5, 6), lc(2, 4, 5, 6)}},
		{"1@(5,7)", []LcoreMap{lc(1, 5, 7)}},
		{"(3,4)@2", []LcoreMap{lc(3, 2), lc(4, 2)}},
		{"4", []LcoreMap{lc(4, 4)}},
		{"(0,6)", []LcoreMap{lc(0, 0, 6), lc(6, 0, 6)}},
		{"(3-5)", []LcoreMap{lc(3, 3, 4, 5), lc(4, 3, 4, 5), lc(5, 3, 4, 5)}},
		{"0-2", []LcoreMap{lc(0, 0), lc(1, 1), lc(2, 2)}},
		{"2-0", []LcoreMap{lc(0, 0), lc(1, 1), lc(2, 2)}}, // DPDK takes ranges either way round
		{"0-2@4", []LcoreMap{lc(0, 4), lc(1, 4), lc(2, 4)}},
		{"1@5-7", []LcoreMap{lc(1, 5, 6, 7)}},
		{"0@(1,1,2)", []LcoreMap{lc(0, 1, 2)}},
		{"0@(1-3,2)", []LcoreMap{lc(0, 1, 2, 3)}},
		{" 0 , ( 1 - 2 ) @ ( 3 , 4 ) ", []LcoreMap{lc(0, 0), lc(1, 3, 4), lc(2, 3, 4)}},
		{"\t007", []LcoreMap{lc(7, 7)}},
		{"127@1023", []LcoreMap{lc(127, 1023)}},
		{"0@(0-1023)", []LcoreMap{lc(0, span(0, 1023)...)}},
	}
	for _, tt := range tests {
		got, err := parseLcores(tt.in)
		if err != nil {
			t.Errorf("parseLcores(%q): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseLcores(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestParseArgsBigRange checks that a huge range fails before allocating.
func TestParseArgsBigRange(t *testing.T) {
	allocs := testing.AllocsPerRun(10, func() {
		if _, _, err := ParseArgs([]string{"prog", "-l", "0-4000000000"}); err == nil {
			t.Fatal("no error")
		}
	})
	if allocs > 20 {
		t.Errorf("%v allocations for a rejected range", allocs)
	}
}
