// Command dpk-test-acl mirrors DPDK's dpdk-test-acl (app/test-acl): it
// loads a rule file into an acl context, builds it, classifies the tuples of
// a trace file on every lcore and prints what DPDK's tool prints: the
// configuration, the build's result, the context, each tuple's result
// (--verbose=3), and per lcore the cycles and packets per second.
//
//	dpk-test-acl --no-huge -l 0 -- --rulesf=acl1v4_5_rule --tracef=acl1v4_5_trace --alg=scalar
//
// It takes EAL options, "--", then dpdk-test-acl's: --rulesf, --tracef,
// --rulenum, --tracenum, --tracestep, --bldcat, --runcat, --maxsize,
// --iter, --verbose, --alg (scalar, sse, avx2, neon, altivec, avx512x16,
// avx512x32: dpk has scalar code only and runs it for every name, saying so
// on stderr) and --ipv6[=4B|8B]. --trace-step and --search are accepted for
// --tracestep and --alg. The rule and trace formats are DPDK's (see package
// dpk/acl/classbench); a trace line's sixth column, the expected result, is
// ignored as DPDK does.
//
// One option is dpk's own: --gentrace=N writes N trace lines for the rule
// file to standard output, each with its expected result (the 0-based rule
// index, 4294967295 for none) as computed by the built context, and exits.
// The tuples hit the rules, their edges and their surroundings (see
// classbench.Generate); --seed picks them.
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"

	"dpk/acl"
	"dpk/acl/classbench"
	"dpk/eal"
)

// Defaults and limits of app/test-acl/main.c.
const (
	traceDefaultNum = 0x10000
	traceStepMax    = 0x1000
	traceStepDef    = 0x100
	ruleNum         = 0x10000
	appName         = "TESTACL"
)

// Verbosity levels.
const (
	dumpNone = iota
	dumpSearch
	dumpPkt
	dumpMax
)

// algNames maps --alg's values to DPDK's enum values.
var algNames = []string{"scalar", "sse", "avx2", "neon", "altivec", "avx512x16", "avx512x32"}

type config struct {
	prgname       string
	ruleFile      string
	traceFile     string
	maxSize       uint64
	bldCategories uint32
	runCategories uint32
	nbRules       uint32
	nbTraces      uint32
	traceStep     uint32
	iterNum       uint32
	verbose       uint32
	alg           acl.Alg
	algName       string
	ipv6          uint32 // 0: IPv4, 1: 4B, 2: 8B
	genTrace      int
	seed          uint64

	format classbench.Format
	trace  []byte
	used   int
	ctx    *acl.Context
}

func defaultConfig() *config {
	return &config{
		bldCategories: 3,
		runCategories: 1,
		nbRules:       ruleNum,
		nbTraces:      traceDefaultNum,
		traceStep:     traceStepDef,
		iterNum:       1,
		verbose:       dumpMax,
		alg:           acl.AlgDefault,
		algName:       "default",
		seed:          1,
	}
}

// exitError is rte_exit: a message and an exit code.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func exitf(code int, format string, args ...any) error {
	return &exitError{code: code, msg: fmt.Sprintf(format, args...)}
}

func main() { os.Exit(run(os.Args, os.Stdout, os.Stderr)) }

// run is the whole program; it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	rest, err := eal.Init(args)
	if errors.Is(err, eal.ErrHelp) {
		eal.Usage(stdout, args[0])
		printUsage(stdout, args[0])
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "EAL: %v\nPANIC in main():\nCannot init EAL\n", err)
		return 2
	}
	defer eal.Cleanup()
	out := &syncWriter{w: bufio.NewWriter(stdout)}
	defer out.Flush()
	if err := app(rest, out, stderr); err != nil {
		out.Flush()
		var ee *exitError
		code := 1
		if errors.As(err, &ee) {
			code = ee.code
		}
		fmt.Fprintf(stderr, "EAL: Error - exiting with code: %d\n  Cause: %s", code, err)
		if !strings.HasSuffix(err.Error(), "\n") {
			fmt.Fprintln(stderr)
		}
		// exit(code) as rte_exit: the low byte of a negative errno.
		if code &= 0xff; code == 0 {
			code = 1
		}
		return code
	}
	return 0
}

// syncWriter is a buffered stdout shared by the lcores.
type syncWriter struct {
	mu sync.Mutex
	w  *bufio.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (s *syncWriter) Flush() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.w.Flush()
}

func app(args []string, out *syncWriter, stderr io.Writer) error {
	cfg := defaultConfig()
	cfg.prgname = args[0]
	if err := cfg.parse(args[1:], out); err != nil {
		return err
	}
	if cfg.genTrace > 0 {
		return genTrace(cfg, out, stderr)
	}
	cfg.dump(out)
	if cfg.ruleFile == "" {
		printUsage(out, cfg.prgname)
		return exitf(-22, "mandatory option %s is not specified\n", "rulesf")
	}
	err := cfg.acxInit(out, stderr)
	if cfg.ctx != nil {
		defer cfg.ctx.Free()
	}
	if err != nil {
		return err
	}
	if cfg.traceFile != "" {
		if err := cfg.tracefInit(); err != nil {
			return err
		}
	}
	return cfg.searchAll(out)
}

// parse reads dpdk-test-acl's options (getopt_long, long options only,
// unambiguous prefixes accepted).
func (cfg *config) parse(args []string, out io.Writer) error {
	type opt struct {
		name   string
		hasArg int // 1: required, 2: optional
	}
	opts := []opt{{"rulesf", 1}, {"tracef", 1}, {"tracenum", 1}, {"rulenum", 1}, {"maxsize", 1},
		{"tracestep", 1}, {"trace-step", 1}, {"bldcat", 1}, {"runcat", 1}, {"iter", 1}, {"verbose", 1},
		{"alg", 1}, {"search", 1}, {"ipv6", 2}, {"gentrace", 1}, {"seed", 1}}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if !strings.HasPrefix(a, "-") {
			continue // getopt_long moves operands aside; test-acl ignores them
		}
		if !strings.HasPrefix(a, "--") {
			printUsage(out, cfg.prgname)
			return exitf(-22, "unknown option: %s", a)
		}
		name, val, hasVal := strings.Cut(a[2:], "=")
		var match *opt
		for k := range opts {
			if opts[k].name == name {
				match = &opts[k]
				break
			}
			if strings.HasPrefix(opts[k].name, name) {
				if match != nil {
					printUsage(out, cfg.prgname)
					return exitf(-22, "ambiguous option: %s", a)
				}
				match = &opts[k]
			}
		}
		if match == nil {
			printUsage(out, cfg.prgname)
			return exitf(-22, "unknown option: %s", a)
		}
		if match.hasArg == 1 && !hasVal {
			if i+1 == len(args) {
				printUsage(out, cfg.prgname)
				return exitf(-22, "option --%s requires an argument", match.name)
			}
			i++
			val = args[i]
		}
		if err := cfg.set(match.name, val, hasVal); err != nil {
			return err
		}
	}
	return nil
}

// ulong is get_ulong_opt: strtoul base 0 within min..max.
func ulong(val, name string, min, max uint64) (uint64, error) {
	v, err := strconv.ParseUint(val, 0, 64)
	if err != nil || v < min || v > max {
		return 0, exitf(-22, "invalid value: \"%s\" for option: %s\n", val, name)
	}
	return v, nil
}

func (cfg *config) set(name, val string, hasVal bool) error {
	var v uint64
	var err error
	switch name {
	case "rulesf":
		cfg.ruleFile = val
	case "tracef":
		cfg.traceFile = val
	case "rulenum":
		v, err = ulong(val, name, 1, acl.MaxPriority+1)
		cfg.nbRules = uint32(v)
	case "maxsize":
		v, err = ulong(val, name, 0, 1<<62)
		cfg.maxSize = v
	case "tracenum":
		v, err = ulong(val, name, 1, 1<<32-1)
		cfg.nbTraces = uint32(v)
	case "tracestep", "trace-step":
		v, err = ulong(val, "tracestep", 1, traceStepMax)
		cfg.traceStep = uint32(v)
	case "bldcat":
		v, err = ulong(val, name, 1, acl.MaxCategories)
		cfg.bldCategories = uint32(v)
	case "runcat":
		v, err = ulong(val, name, 1, acl.MaxCategories)
		cfg.runCategories = uint32(v)
	case "iter":
		v, err = ulong(val, name, 1, 1<<31-1)
		cfg.iterNum = uint32(v)
	case "verbose":
		v, err = ulong(val, name, dumpNone, dumpMax)
		cfg.verbose = uint32(v)
	case "alg", "search":
		a, perr := acl.ParseAlg(val)
		if perr != nil || a == acl.AlgDefault {
			return exitf(-22, "invalid value: \"%s\" for option: %s\n", val, "alg")
		}
		cfg.alg, cfg.algName = a, val
	case "ipv6":
		cfg.ipv6 = 1
		if hasVal {
			switch val {
			case "4B":
				cfg.ipv6 = 1
			case "8B":
				cfg.ipv6 = 2
			default:
				return exitf(-22, "invalid value: \"%s\" for option: %s\n", val, name)
			}
		}
	case "gentrace":
		v, err = ulong(val, name, 1, 1<<31-1)
		cfg.genTrace = int(v)
	case "seed":
		v, err = ulong(val, name, 0, 1<<64-1)
		cfg.seed = v
	}
	cfg.format = []classbench.Format{classbench.IPv4, classbench.IPv6, classbench.IPv6U64}[cfg.ipv6]
	return err
}

func printUsage(w io.Writer, prgname string) {
	fmt.Fprintf(w, "%s [EAL options] --\n"+
		"--rulesf=<rules set file>\n"+
		"[--tracef=<input traces file>]\n"+
		"[--rulenum=<maximum number of rules for ACL context>]\n"+
		"[--tracenum=<number of traces to read binary file in>]\n"+
		"[--tracestep=<number of traces to classify per one call>]\n"+
		"[--bldcat=<number of categories to build with>]\n"+
		"[--runcat=<number of categories to run with> should be either 1 or multiple of %d, but not greater then %d]\n"+
		"[--maxsize=<size limit (in bytes) for runtime ACL structures> leave 0 for default behaviour]\n"+
		"[--iter=<number of iterations to perform>]\n"+
		"[--verbose=<verbose level>]\n"+
		"[--alg=%s]\n"+
		"[--ipv6(=4B | 8B) <IPv6 rules and trace files>]\n"+
		"[--gentrace=<number of trace lines to generate for the rules> [--seed=<n>]] (dpk)\n",
		prgname, acl.ResultsMultiplier, acl.MaxCategories, strings.Join(algNames, "|"))
}

// dump is dump_config.
func (cfg *config) dump(w io.Writer) {
	str := func(s string) string {
		if s == "" {
			return "(null)"
		}
		return s
	}
	fmt.Fprintf(w, "dump_config:\n")
	fmt.Fprintf(w, "rulesf:%s\n", str(cfg.ruleFile))
	fmt.Fprintf(w, "tracef:%s\n", str(cfg.traceFile))
	fmt.Fprintf(w, "rulenum:%d\n", cfg.nbRules)
	fmt.Fprintf(w, "tracenum:%d\n", cfg.nbTraces)
	fmt.Fprintf(w, "tracestep:%d\n", cfg.traceStep)
	fmt.Fprintf(w, "bldcat:%d\n", cfg.bldCategories)
	fmt.Fprintf(w, "runcat:%d\n", cfg.runCategories)
	fmt.Fprintf(w, "maxsize:%d\n", cfg.maxSize)
	fmt.Fprintf(w, "iter:%d\n", cfg.iterNum)
	fmt.Fprintf(w, "verbose:%d\n", cfg.verbose)
	fmt.Fprintf(w, "alg:%d(%s)\n", int(cfg.alg), cfg.algName)
	fmt.Fprintf(w, "ipv6:%d\n", cfg.ipv6)
}

// errno returns the negative errno DPDK reports for an acl error.
func errno(err error) int {
	switch {
	case errors.Is(err, acl.ErrNoSpace), errors.Is(err, acl.ErrNoMem):
		return -12 // ENOMEM
	case errors.Is(err, acl.ErrNotSupported):
		return -95 // ENOTSUP
	}
	return -22 // EINVAL
}

// newContext creates the context and adds the rule file's rules
// (acx_init up to the build).
func (cfg *config) newContext() (*acl.Context, error) {
	f := cfg.format
	ctx, err := acl.NewContext(acl.Params{Name: appName, SocketID: -1, MaxRules: int(cfg.nbRules), NumFields: f.NumFields()})
	if err != nil {
		return nil, exitf(-22, "failed to create ACL context\n")
	}
	fh, err := os.Open(cfg.ruleFile)
	if err != nil {
		ctx.Free()
		return nil, exitf(-22, "failed to open file %s\n", cfg.ruleFile)
	}
	defer fh.Close()
	rules, err := classbench.ParseRules(fh, f, 0)
	if err == nil {
		err = ctx.AddRules(rules)
	}
	if err != nil {
		ctx.Free()
		return nil, exitf(errno(err), "failed to add rules into ACL context (%v)\n", err)
	}
	return ctx, nil
}

// acxInit is acx_init: create, choose the algorithm, add rules, build.
func (cfg *config) acxInit(out io.Writer, stderr io.Writer) error {
	ctx, err := cfg.newContext()
	if err != nil {
		return err
	}
	cfg.ctx = ctx
	if cfg.alg != acl.AlgDefault {
		if err := ctx.SetClassifyAlg(cfg.alg); errors.Is(err, acl.ErrNotSupported) {
			fmt.Fprintf(stderr, "dpk-test-acl: no %s method in dpk, running the scalar one\n", cfg.algName)
		} else if err != nil {
			return exitf(errno(err), "failed to setup %s method for ACL context\n", cfg.algName)
		}
	}
	err = ctx.Build(acl.Config{NumCategories: int(cfg.bldCategories), Defs: cfg.format.Defs(), MaxSize: int(cfg.maxSize)})
	ret := 0
	if err != nil {
		ret = errno(err)
	}
	if cfg.verbose >= dumpNone {
		fmt.Fprintf(out, "rte_acl_build(%d) finished with %d\n", cfg.bldCategories, ret)
	}
	ctx.Dump(out)
	if err != nil {
		return exitf(ret, "failed to build search context (%v)\n", err)
	}
	return nil
}

// tracefInit is tracef_init: read up to tracenum tuples.
func (cfg *config) tracefInit() error {
	fh, err := os.Open(cfg.traceFile)
	if err != nil {
		return exitf(-22, "failed to open file: %s\n", cfg.traceFile)
	}
	defer fh.Close()
	tr, err := classbench.ParseTraces(fh, cfg.format, int(cfg.nbTraces))
	if err != nil {
		return exitf(1, "%s: failed to parse ipv%c trace record: %v\n", cfg.traceFile, cfg.ipChar(), err)
	}
	cfg.trace = tr.Tuples
	cfg.used = tr.Len(cfg.format)
	return nil
}

func (cfg *config) ipChar() byte {
	if cfg.ipv6 != 0 {
		return '6'
	}
	return '4'
}
