package eal

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// FuzzParseArgs feeds ParseArgs argument vectors (the input split on NUL)
// and checks that it never panics and that what it accepts is consistent.
func FuzzParseArgs(f *testing.F) {
	for _, s := range []string{
		"prog\x00-l\x000-3",
		"prog\x00--lcores=1,2@(5-7),(3-5)@(0,2),(0,6),7-8\x00--main-lcore\x002",
		"prog\x00-c\x000xf\x00-n\x004\x00--\x00app",
		"prog\x00--no-huge\x00-m\x00256\x00--vdev\x00net_ring0",
		"prog\x00--socket-mem=1024,0\x00--socket-limit\x002048",
		"prog\x00--log-level\x00pmd.net.*:8\x00--log-level=lib\\.eal,info",
		"prog\x00-a\x0001:00.0\x00--no-pci\x00--iova-mode=va",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		args := strings.Split(in, "\x00")
		cfg, rest, err := ParseArgs(args)
		if err != nil {
			if cfg != nil || rest != nil {
				t.Fatalf("error %v with a result", err)
			}
			if !errors.Is(err, ErrHelp) && !strings.HasPrefix(err.Error(), "eal: ") {
				t.Fatalf("error %q lacks the eal: prefix", err)
			}
			return
		}
		checkArgsResult(t, args, cfg, rest)
	})
}

// checkArgsResult checks a successful ParseArgs result.
func checkArgsResult(t *testing.T, args []string, cfg *Config, rest []string) {
	t.Helper()
	if len(rest) == 0 || rest[0] != args[0] {
		t.Fatalf("rest %q does not start with args[0]", rest)
	}
	if tail := rest[1:]; len(tail) > 0 && !slices.Equal(args[len(args)-len(tail):], tail) {
		t.Fatalf("rest %q is not a tail of args", rest)
	}
	checkLcores(t, cfg)
	if cfg.MainLcore < -1 || cfg.MainLcore >= MaxLcore {
		t.Fatalf("main lcore %d", cfg.MainLcore)
	}
	if cfg.MainLcore >= 0 && cfg.Lcores != nil && !hasLcore(cfg.Lcores, cfg.MainLcore) {
		t.Fatalf("main lcore %d not among the lcores", cfg.MainLcore)
	}
	for _, r := range cfg.LogRules {
		if r.Level < LogEmerg || r.Level > LogDebug {
			t.Fatalf("log level %d", r.Level)
		}
	}
	if cfg.MemoryMB > 0 && cfg.SocketMem != nil {
		t.Fatal("-m together with --socket-mem")
	}
	if cfg.NoHuge && cfg.SocketMem != nil {
		t.Fatal("--no-huge together with --socket-mem")
	}
	if len(cfg.SocketMem) > maxNUMANodes || len(cfg.SocketLimit) > maxNUMANodes {
		t.Fatal("too many sockets")
	}
	if strings.Contains(cfg.FilePrefix, "/") || cfg.FilePrefix == ".." {
		t.Fatalf("file prefix %q", cfg.FilePrefix)
	}
	if cfg.InMemory && !cfg.NoShconf {
		t.Fatal("--in-memory without NoShconf")
	}
	if cfg.IOVAMode != "" && cfg.IOVAMode != "va" {
		t.Fatalf("IOVA mode %q", cfg.IOVAMode)
	}
	if len(cfg.Allow) > 0 && len(cfg.Block) > 0 {
		t.Fatal("both allow and block lists")
	}
	if cfg.ProcType != ProcAuto && cfg.ProcType != ProcPrimary && cfg.ProcType != ProcSecondary {
		t.Fatalf("proc type %d", cfg.ProcType)
	}
}

// checkLcores checks that lcore ids are unique, sorted and below MaxLcore and
// that each lcore has a sorted, non-empty set of CPUs below maxCPUID.
func checkLcores(t *testing.T, cfg *Config) {
	t.Helper()
	if cfg.Lcores != nil && len(cfg.Lcores) == 0 {
		t.Fatal("empty, non-nil lcore list")
	}
	last := -1
	for _, l := range cfg.Lcores {
		if int(l.ID) <= last || l.ID >= MaxLcore {
			t.Fatalf("lcore ids %v out of order or range", cfg.Lcores)
		}
		last = int(l.ID)
		if len(l.CPUs) == 0 {
			t.Fatalf("lcore %d has no CPUs", l.ID)
		}
		prev := -1
		for _, c := range l.CPUs {
			if c <= prev || c >= maxCPUID {
				t.Fatalf("lcore %d CPUs %v out of order or range", l.ID, l.CPUs)
			}
			prev = c
		}
	}
}
