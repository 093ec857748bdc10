package eal

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// ErrHelp is returned by ParseArgs when -h or --help is given; the caller
// prints Usage and exits successfully, as rte_eal_init does.
var ErrHelp = errors.New("eal: help requested")

// Limits of the EAL options.
const (
	maxCPUID     = 1024    // CPU_SETSIZE: CPUs are numbered below this
	maxNUMANodes = 32      // RTE_MAX_NUMA_NODES: entries of --socket-mem
	maxMemoryMB  = 1 << 30 // 1 PiB: larger -m/--socket-mem values are typos
	maxChannels  = 1 << 16 // -n
)

// pciNote explains what -a, -b and --no-pci do in dpk.
const pciNote = "PCI options (-a/--allow, -b/--block, --no-pci) are accepted and have no effect: " +
	"PCI devices need kernel-bypass PCI drivers that dpk does not have; " +
	"use virtual devices such as net_af_xdp, net_af_packet or net_tap (--vdev) instead"

// ParseArgs parses DPDK's EAL options from args (args[0] is the program name, as in argv),
// stopping at "--" or at the first non-option argument, like rte_eal_init. It returns the
// configuration and the remaining application arguments (with args[0] kept as the first element,
// as rte_eal_init leaves argv[0] for the app; the "--" itself is consumed).
//
// Long options take their value as "--opt value" or "--opt=value", short ones as
// "-l 0-3" or "-l0-3"; short flags may be grouped ("-vh"). Long options must be
// spelled in full. Config.Lcores is sorted by lcore id and each lcore's CPUs are
// sorted. An empty args yields an empty configuration and no remaining arguments.
//
// The error names the option and the bad value; it is ErrHelp for -h and --help.
// ParseArgs checks the options against each other (-l with -c, -m with
// --socket-mem, --main-lcore outside the lcores, ...) but not against the
// machine: whether the CPUs exist is checked when the lcores are started.
func ParseArgs(args []string) (*Config, []string, error) {
	p := &argParser{cfg: &Config{MainLcore: -1}}
	if len(args) == 0 {
		return p.cfg, []string{}, nil
	}
	i := 1
	for i < len(args) {
		a := args[i]
		if a == "--" {
			i++
			break
		}
		if len(a) < 2 || a[0] != '-' {
			break
		}
		n, err := p.parseArg(args[i:])
		if err != nil {
			return nil, nil, err
		}
		i += n
	}
	if err := p.check(); err != nil {
		return nil, nil, err
	}
	rest := make([]string, 0, 1+len(args)-i)
	rest = append(rest, args[0])
	rest = append(rest, args[i:]...)
	return p.cfg, rest, nil
}

// argParser holds the configuration being built and what the checks across
// options need to know.
type argParser struct {
	cfg        *Config
	lcoresFrom string // the option that set cfg.Lcores
	mainGiven  bool
	memGiven   bool // -m
	socketMem  bool // --socket-mem
	allowUsed  bool
	blockUsed  bool
}

// ealOption describes one EAL option.
type ealOption struct {
	long  string // without "--"; empty if there is only a short form
	short byte   // 0 if there is only a long form
	value bool   // takes a value
	set   func(p *argParser, name, val string) error
}

// ealOptions lists every option ParseArgs knows.
var ealOptions = []ealOption{
	{short: 'l', value: true, set: (*argParser).setLcores},
	{long: "lcores", value: true, set: (*argParser).setLcores},
	{short: 'c', value: true, set: (*argParser).setCoremask},
	{long: "main-lcore", value: true, set: (*argParser).setMainLcore},
	{short: 'n', value: true, set: (*argParser).setChannels},
	{short: 'm', value: true, set: (*argParser).setMemory},
	{long: "socket-mem", value: true, set: (*argParser).setSocketMem},
	{long: "socket-limit", value: true, set: (*argParser).setSocketLimit},
	{long: "no-huge", set: func(p *argParser, _, _ string) error { p.cfg.NoHuge = true; return nil }},
	{long: "huge-dir", value: true, set: (*argParser).setHugeDir},
	{long: "file-prefix", value: true, set: (*argParser).setFilePrefix},
	{long: "proc-type", value: true, set: (*argParser).setProcType},
	{long: "in-memory", set: func(p *argParser, _, _ string) error {
		p.cfg.InMemory, p.cfg.NoShconf = true, true
		return nil
	}},
	{long: "no-shconf", set: func(p *argParser, _, _ string) error { p.cfg.NoShconf = true; return nil }},
	{long: "vdev", value: true, set: (*argParser).addVdev},
	{long: "log-level", value: true, set: (*argParser).addLogLevel},
	{long: "no-telemetry", set: func(p *argParser, _, _ string) error { p.cfg.NoTelemetry = true; return nil }},
	{long: "iova-mode", value: true, set: (*argParser).setIOVAMode},
	{long: "allow", short: 'a', value: true, set: (*argParser).addAllow},
	{long: "block", short: 'b', value: true, set: (*argParser).addBlock},
	{long: "no-pci", set: func(p *argParser, _, _ string) error {
		p.cfg.NoPCI = true
		p.note(pciNote)
		return nil
	}},
	{long: "help", short: 'h', set: func(*argParser, string, string) error { return ErrHelp }},

	// Accepted and ignored, with a note.
	{long: "base-virtaddr", value: true, set: (*argParser).ignoreBaseVirtaddr},
	{long: "legacy-mem", set: ignored("dpk has a single memory model")},
	{long: "single-file-segments", set: ignored("dpk chooses its own memseg file layout")},
	{long: "match-allocations", set: ignored("dpk's allocator does not return memory to the system page by page")},
	{long: "telemetry", set: ignored("telemetry is on unless --no-telemetry is given")},
	{long: "vfio-intr", value: true, set: (*argParser).ignoreVfioIntr},
	{long: "create-uio-dev", set: ignored("dpk has no UIO or VFIO drivers")},
	{long: "syslog", value: true, set: (*argParser).ignoreSyslog},
	{short: 'v', set: ignored("dpk prints no version banner")},
}

// lookupLong finds a long option by name (without "--").
func lookupLong(name string) *ealOption {
	for i := range ealOptions {
		if ealOptions[i].long != "" && ealOptions[i].long == name {
			return &ealOptions[i]
		}
	}
	return nil
}

// lookupShort finds a short option by letter.
func lookupShort(c byte) *ealOption {
	for i := range ealOptions {
		if ealOptions[i].short != 0 && ealOptions[i].short == c {
			return &ealOptions[i]
		}
	}
	return nil
}

// parseArg parses the option in args[0], which starts with '-' and is not
// "--", and returns how many arguments it used (1, or 2 when the value is the
// next argument).
func (p *argParser) parseArg(args []string) (int, error) {
	if strings.HasPrefix(args[0], "--") {
		return p.parseLong(args)
	}
	return p.parseShort(args)
}

// parseLong parses "--name", "--name=value" or "--name value".
func (p *argParser) parseLong(args []string) (int, error) {
	name, val, hasVal := strings.Cut(args[0][2:], "=")
	opt := lookupLong(name)
	if opt == nil {
		return 0, fmt.Errorf("eal: invalid option %q", "--"+name)
	}
	flag := "--" + name
	if !opt.value {
		if hasVal {
			return 0, fmt.Errorf("eal: option %s takes no value (got %q)", flag, val)
		}
		return 1, opt.set(p, flag, "")
	}
	if hasVal {
		return 1, opt.set(p, flag, val)
	}
	if len(args) < 2 {
		return 0, fmt.Errorf("eal: option %s requires a value", flag)
	}
	return 2, opt.set(p, flag, args[1])
}

// parseShort parses "-x", "-xvalue", "-x value" or grouped flags "-vh".
func (p *argParser) parseShort(args []string) (int, error) {
	a := args[0]
	for j := 1; j < len(a); j++ {
		opt := lookupShort(a[j])
		flag := "-" + a[j:j+1]
		if opt == nil {
			return 0, fmt.Errorf("eal: invalid option %q", flag)
		}
		if !opt.value {
			if err := opt.set(p, flag, ""); err != nil {
				return 0, err
			}
			continue
		}
		if j+1 < len(a) {
			return 1, opt.set(p, flag, a[j+1:])
		}
		if len(args) < 2 {
			return 0, fmt.Errorf("eal: option %s requires a value", flag)
		}
		return 2, opt.set(p, flag, args[1])
	}
	return 1, nil
}

// check applies the rules that involve more than one option.
func (p *argParser) check() error {
	cfg := p.cfg
	if p.memGiven && p.socketMem {
		return errors.New("eal: options -m and --socket-mem cannot be given together")
	}
	if cfg.NoHuge && p.socketMem {
		return errors.New("eal: option --socket-mem cannot be given together with --no-huge")
	}
	if p.mainGiven && cfg.Lcores != nil && !hasLcore(cfg.Lcores, cfg.MainLcore) {
		return fmt.Errorf("eal: --main-lcore: lcore %d is not one of the lcores given by %s",
			cfg.MainLcore, p.lcoresFrom)
	}
	return nil
}

// hasLcore reports whether id is one of lcores.
func hasLcore(lcores []LcoreMap, id int) bool {
	for _, lc := range lcores {
		if int(lc.ID) == id {
			return true
		}
	}
	return false
}

// note adds msg to cfg.Notes unless it is there already.
func (p *argParser) note(msg string) {
	for _, n := range p.cfg.Notes {
		if n == msg {
			return
		}
	}
	p.cfg.Notes = append(p.cfg.Notes, msg)
}

// ignored returns the setter of a flag that dpk accepts and ignores.
func ignored(why string) func(p *argParser, name, val string) error {
	return func(p *argParser, name, _ string) error {
		p.note(name + " is accepted and ignored: " + why)
		return nil
	}
}

// badValue is the error of an option given a value it cannot take.
func badValue(name, val, why string) error {
	return fmt.Errorf("eal: %s: invalid value %q (%s)", name, val, why)
}

func (p *argParser) setLcoreMaps(name string, lcores []LcoreMap) error {
	if p.lcoresFrom != "" {
		return fmt.Errorf("eal: option %s cannot be given together with %s: give the lcores once", name, p.lcoresFrom)
	}
	p.lcoresFrom = name
	p.cfg.Lcores = lcores
	return nil
}

func (p *argParser) setLcores(name, val string) error {
	lcores, err := parseLcores(val)
	if err != nil {
		return fmt.Errorf("eal: %s: invalid value %q: %w", name, val, err)
	}
	return p.setLcoreMaps(name, lcores)
}

func (p *argParser) setCoremask(name, val string) error {
	lcores, err := parseCoremask(val)
	if err != nil {
		return fmt.Errorf("eal: %s: invalid value %q: %w", name, val, err)
	}
	return p.setLcoreMaps(name, lcores)
}

func (p *argParser) setMainLcore(name, val string) error {
	n, ok := parseDecimal(val, MaxLcore-1)
	if !ok {
		return badValue(name, val, fmt.Sprintf("want an lcore id from 0 to %d", MaxLcore-1))
	}
	p.cfg.MainLcore = int(n)
	p.mainGiven = true
	return nil
}

func (p *argParser) setChannels(name, val string) error {
	n, ok := parseDecimal(val, maxChannels)
	if !ok || n == 0 {
		return badValue(name, val, "want a positive number of memory channels")
	}
	p.cfg.Channels = int(n)
	return nil
}

func (p *argParser) setMemory(name, val string) error {
	n, ok := parseDecimal(val, maxMemoryMB)
	if !ok || n == 0 {
		return badValue(name, val, fmt.Sprintf("want a number of megabytes from 1 to %d", maxMemoryMB))
	}
	p.cfg.MemoryMB = n
	p.memGiven = true
	return nil
}

func (p *argParser) setSocketMem(name, val string) error {
	mb, err := parseSocketList(val)
	if err != nil {
		return badValue(name, val, err.Error())
	}
	p.cfg.SocketMem = mb
	p.socketMem = true
	return nil
}

func (p *argParser) setSocketLimit(name, val string) error {
	mb, err := parseSocketList(val)
	if err != nil {
		return badValue(name, val, err.Error())
	}
	p.cfg.SocketLimit = mb
	return nil
}

func (p *argParser) setHugeDir(name, val string) error {
	if val == "" || strings.IndexByte(val, 0) >= 0 {
		return badValue(name, val, "want a directory")
	}
	p.cfg.HugeDir = val
	return nil
}

func (p *argParser) setFilePrefix(name, val string) error {
	switch {
	case val == "", val == ".", val == "..":
		return badValue(name, val, "want a name for the runtime files")
	case strings.ContainsAny(val, "/%\x00"):
		return badValue(name, val, "a file prefix cannot contain '/', '%' or NUL")
	}
	p.cfg.FilePrefix = val
	return nil
}

func (p *argParser) setProcType(name, val string) error {
	switch {
	case strings.EqualFold(val, "primary"):
		p.cfg.ProcType = ProcPrimary
	case strings.EqualFold(val, "secondary"):
		p.cfg.ProcType = ProcSecondary
	case strings.EqualFold(val, "auto"):
		p.cfg.ProcType = ProcAuto
	default:
		return badValue(name, val, "want primary, secondary or auto")
	}
	return nil
}

func (p *argParser) addVdev(name, val string) error {
	if val == "" {
		return badValue(name, val, "want <driver><id>[,key=val,...], e.g. net_ring0")
	}
	p.cfg.Vdevs = append(p.cfg.Vdevs, val)
	return nil
}

func (p *argParser) addLogLevel(name, val string) error {
	r, err := parseLogRule(val)
	if err != nil {
		return badValue(name, val, err.Error())
	}
	p.cfg.LogRules = append(p.cfg.LogRules, r)
	return nil
}

func (p *argParser) setIOVAMode(name, val string) error {
	switch val {
	case "va":
		p.cfg.IOVAMode = "va"
		return nil
	case "pa":
		return fmt.Errorf("eal: %s: %q is not supported: dpk's drivers (AF_XDP, AF_PACKET, TAP, "+
			"memif, vhost-user, ...) hand buffers to the kernel or to peers by virtual address and "+
			"need no physical addresses, so dpk always uses IOVA as VA (--iova-mode va)", name, val)
	}
	return badValue(name, val, "want va or pa")
}

func (p *argParser) addAllow(name, val string) error {
	if p.blockUsed {
		return fmt.Errorf("eal: option %s cannot be used together with -b/--block", name)
	}
	if val == "" {
		return badValue(name, val, "want a device address")
	}
	p.allowUsed = true
	p.cfg.Allow = append(p.cfg.Allow, val)
	p.note(pciNote)
	return nil
}

func (p *argParser) addBlock(name, val string) error {
	if p.allowUsed {
		return fmt.Errorf("eal: option %s cannot be used together with -a/--allow", name)
	}
	if val == "" {
		return badValue(name, val, "want a device address")
	}
	p.blockUsed = true
	p.cfg.Block = append(p.cfg.Block, val)
	p.note(pciNote)
	return nil
}

func (p *argParser) ignoreBaseVirtaddr(name, val string) error {
	h := strings.TrimPrefix(strings.TrimPrefix(val, "0x"), "0X")
	if _, err := strconv.ParseUint(h, 16, 64); err != nil || h == "" || h[0] == '+' {
		return badValue(name, val, "want a hexadecimal address")
	}
	return ignored("dpk maps memory where the kernel places it and shares offsets, not addresses")(p, name, val)
}

func (p *argParser) ignoreVfioIntr(name, val string) error {
	switch val {
	case "legacy", "msi", "msix":
		return ignored("dpk has no UIO or VFIO drivers")(p, name, val)
	}
	return badValue(name, val, "want legacy, msi or msix")
}

// syslogFacilities are the facilities --syslog accepts, as DPDK's.
var syslogFacilities = []string{
	"auth", "cron", "daemon", "ftp", "kern", "lpr", "mail", "news", "syslog", "user", "uucp",
	"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
}

func (p *argParser) ignoreSyslog(name, val string) error {
	for _, f := range syslogFacilities {
		if val == f {
			return ignored("dpk logs to standard error")(p, name, val)
		}
	}
	return badValue(name, val, "want a syslog facility such as daemon, user or local0")
}

// parseDecimal parses a decimal number (digits only, leading zeros allowed)
// no greater than max.
func parseDecimal(s string, max uint64) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	t := strings.TrimLeft(s, "0")
	if t == "" {
		return 0, true
	}
	n, err := strconv.ParseUint(t, 10, 64)
	if err != nil || n > max {
		return 0, false
	}
	return n, true
}

// parseSocketList parses the MB-per-socket list of --socket-mem and
// --socket-limit: "1024,0,512".
func parseSocketList(s string) ([]uint64, error) {
	if strings.Count(s, ",") >= maxNUMANodes {
		return nil, fmt.Errorf("at most %d sockets", maxNUMANodes)
	}
	fields := strings.Split(s, ",")
	mb := make([]uint64, 0, len(fields))
	for _, f := range fields {
		n, ok := parseDecimal(f, maxMemoryMB)
		if !ok {
			return nil, fmt.Errorf("want a comma-separated list of megabytes per socket, each at most %d", maxMemoryMB)
		}
		mb = append(mb, n)
	}
	return mb, nil
}

// logLevelNames are DPDK's log level names, indexed by level.
var logLevelNames = [...]string{
	LogEmerg:   "emergency",
	LogAlert:   "alert",
	LogCrit:    "critical",
	LogErr:     "error",
	LogWarning: "warning",
	LogNotice:  "notice",
	LogInfo:    "info",
	LogDebug:   "debug",
}

// parseLogRule parses one --log-level value: "level", "pattern:level" (a
// glob) or "regex,level" (DPDK's regular expression form; the expression is
// kept in Pattern as written).
func parseLogRule(s string) (LogRule, error) {
	var r LogRule
	level := s
	if re, lv, ok := strings.Cut(s, ","); ok {
		if re == "" {
			return r, errors.New("empty regular expression before ','")
		}
		if _, err := regexp.Compile(re); err != nil {
			return r, fmt.Errorf("bad regular expression: %v", err)
		}
		r.Pattern, r.Regexp, level = re, true, lv
	} else if pat, lv, ok := strings.Cut(s, ":"); ok {
		if pat == "" {
			return r, errors.New("empty pattern before ':'")
		}
		r.Pattern, level = pat, lv
	}
	lv, err := parseLogLevel(level)
	if err != nil {
		return r, err
	}
	r.Level = lv
	return r, nil
}

// parseLogLevel parses a level name (or, as in DPDK, a prefix of one, the
// first match winning) or a number from 1 to 8.
func parseLogLevel(s string) (LogLevel, error) {
	if s != "" {
		for lv := LogEmerg; lv <= LogDebug; lv++ {
			if strings.HasPrefix(logLevelNames[lv], s) {
				return lv, nil
			}
		}
		if n, ok := parseDecimal(s, uint64(LogDebug)); ok && n >= uint64(LogEmerg) {
			return LogLevel(n), nil
		}
	}
	return 0, fmt.Errorf("bad level %q: want 1 to 8 or emergency, alert, critical, error, warning, notice, info or debug", s)
}

// Usage writes a summary of the EAL options, in the manner of DPDK's
// eal_usage, for a program named prog.
func Usage(w io.Writer, prog string) {
	fmt.Fprintf(w, "Usage: %s [EAL options] -- [application options]\n\n", prog)
	fmt.Fprintf(w, "EAL options:\n")
	fmt.Fprintf(w, `  -c COREMASK         Hexadecimal bitmask of cores to run on
  -l CORELIST         List of cores to run on
                      The argument format is <c1>[-c2][,c3[-c4],...]
                      where c1, c2, etc are core indexes between 0 and %d
  --lcores COREMAP    Map lcore set to physical cpu set
                      The argument format is
                            '<lcores[@cpus]>[<,lcores[@cpus]>...]'
                      lcores and cpus list are grouped by '(' and ')'
                      Within the group, '-' is used for range separator,
                      ',' is used for single number separator.
                      '( )' can be omitted for single element group,
                      '@' can be omitted if cpus and lcores have the same value
  --main-lcore ID     Core ID that is used as main
  -n CHANNELS         Number of memory channels (accepted, unused)
  -m MB               Memory to allocate (see also --socket-mem)
  --socket-mem MB,... Memory to allocate on each socket (cannot be used with -m)
  --socket-limit MB,...
                      Limit memory allocation on each socket
  --no-huge           Use anonymous memory instead of hugepages
  --huge-dir DIR      Directory where hugetlbfs is mounted
  --file-prefix NAME  Prefix for the runtime and hugepage files
  --proc-type TYPE    Type of this process (primary|secondary|auto)
  --in-memory         Operate entirely in memory (implies --no-shconf)
  --no-shconf         No shared config (mmap'd files)
  --vdev DEVARGS      Add a virtual device.
                      The argument format is <driver><id>[,key=val,...]
                      (ex: --vdev=net_af_packet0,iface=eth2).
  --log-level=<level> Set global log level (1-8 or emergency..debug)
  --log-level=<pattern>:<level>
                      Set log level of the components matching a glob
  --log-level=<regex>,<level>
                      Set log level of the components matching a regex
  --no-telemetry      Disable the telemetry socket
  --iova-mode va      Set IOVA mode (dpk always uses virtual addresses)
  -a, --allow DEV     Add a PCI device to the allow list (no effect: dpk
                      has no PCI drivers; use --vdev)
  -b, --block DEV     Add a PCI device to the block list (no effect)
  --no-pci            Disable PCI (dpk never probes PCI)
  -h, --help          This help

Accepted and ignored: --base-virtaddr, --legacy-mem, --single-file-segments,
  --match-allocations, --telemetry, --vfio-intr, --create-uio-dev, --syslog, -v
`, MaxLcore-1)
}

// numSet is a set of lcore or CPU numbers below maxCPUID.
type numSet [maxCPUID / 64]uint64

// addRange adds the numbers from a to b, in either order; both are below maxCPUID.
func (s *numSet) addRange(a, b int) {
	if a > b {
		a, b = b, a
	}
	for i := a; i <= b; i++ {
		s[i/64] |= 1 << (i % 64)
	}
}

// list returns the numbers in the set in ascending order.
func (s *numSet) list() []int {
	var out []int
	for i := 0; i < maxCPUID; i++ {
		if s[i/64]&(1<<(i%64)) != 0 {
			out = append(out, i)
		}
	}
	return out
}

// lcoreScanner reads the -l/--lcores grammar. Blanks (spaces and tabs) may
// surround numbers and separators, as in DPDK.
type lcoreScanner struct {
	s string
	i int
}

func (sc *lcoreScanner) done() bool { return sc.i >= len(sc.s) }

// next reports whether the next byte is c.
func (sc *lcoreScanner) next(c byte) bool { return sc.i < len(sc.s) && sc.s[sc.i] == c }

func (sc *lcoreScanner) skipBlanks() {
	for sc.i < len(sc.s) && (sc.s[sc.i] == ' ' || sc.s[sc.i] == '\t') {
		sc.i++
	}
}

// expected is the error for a missing token.
func (sc *lcoreScanner) expected(what string) error {
	if sc.done() {
		return fmt.Errorf("expected %s at the end", what)
	}
	rest := sc.s[sc.i:]
	if len(rest) > 16 {
		rest = rest[:16] + "..."
	}
	return fmt.Errorf("expected %s at %q", what, rest)
}

// number reads a decimal number below limit; what ("lcore" or "cpu") names
// it in errors.
func (sc *lcoreScanner) number(what string, limit int) (int, error) {
	sc.skipBlanks()
	start := sc.i
	for sc.i < len(sc.s) && sc.s[sc.i] >= '0' && sc.s[sc.i] <= '9' {
		sc.i++
	}
	digits := sc.s[start:sc.i]
	if digits == "" {
		return 0, sc.expected("a number")
	}
	n, ok := parseDecimal(digits, uint64(limit-1))
	if !ok {
		return 0, fmt.Errorf("%s %s out of range (max %d)", what, digits, limit-1)
	}
	return int(n), nil
}

// span reads "n" or "a-b" and reports whether it was a range.
func (sc *lcoreScanner) span(what string, limit int) (lo, hi int, isRange bool, err error) {
	if lo, err = sc.number(what, limit); err != nil {
		return 0, 0, false, err
	}
	sc.skipBlanks()
	if !sc.next('-') {
		return lo, lo, false, nil
	}
	sc.i++
	if hi, err = sc.number(what, limit); err != nil {
		return 0, 0, false, err
	}
	return lo, hi, true, nil
}

// elem reads one element: a number, a range "a-b" or a group "(a,b-c,...)".
// It reports whether the element was a range outside parentheses.
func (sc *lcoreScanner) elem(what string, limit int) (set numSet, bareRange bool, err error) {
	sc.skipBlanks()
	if !sc.next('(') {
		lo, hi, isRange, err := sc.span(what, limit)
		if err != nil {
			return set, false, err
		}
		set.addRange(lo, hi)
		return set, isRange, nil
	}
	sc.i++
	for {
		lo, hi, _, err := sc.span(what, limit)
		if err != nil {
			return set, false, err
		}
		set.addRange(lo, hi)
		sc.skipBlanks()
		switch {
		case sc.next(','):
			sc.i++
		case sc.next(')'):
			sc.i++
			return set, false, nil
		default:
			return set, false, sc.expected("',' or ')'")
		}
	}
}

// parseLcores parses DPDK's lcore map, '<lcores[@cpus]>[<,lcores[@cpus]>...]',
// which also covers the plain core list of -l ("0-3,5"). lcores and cpus are
// a number, a range or a parenthesised group of numbers and ranges. Each lcore
// runs on the CPUs after '@'; without '@', each lcore of a range runs on the
// CPU of its own number and each lcore of a number or group runs on the CPUs
// of the whole group: "(0,6)" puts lcores 0 and 6 each on CPUs {0,6}. DPDK
// wants parentheses around a range before '@' ("(0-2)@4"); dpk also takes
// "0-2@4". An lcore given twice is an error.
func parseLcores(s string) ([]LcoreMap, error) {
	if strings.Trim(s, " \t") == "" {
		return nil, errors.New("empty lcore list")
	}
	var (
		given [MaxLcore]bool
		cpus  [MaxLcore][]int
		count int
	)
	sc := &lcoreScanner{s: s}
	for {
		lset, bare, err := sc.elem("lcore", MaxLcore)
		if err != nil {
			return nil, err
		}
		sc.skipBlanks()
		var cset numSet
		at := sc.next('@')
		if at {
			sc.i++
			if cset, _, err = sc.elem("cpu", maxCPUID); err != nil {
				return nil, err
			}
			sc.skipBlanks()
		}
		for _, id := range lset.list() {
			if given[id] {
				return nil, fmt.Errorf("lcore %d given twice", id)
			}
			given[id] = true
			count++
			switch {
			case at:
				cpus[id] = cset.list()
			case bare:
				cpus[id] = []int{id}
			default:
				cpus[id] = lset.list()
			}
		}
		if sc.done() {
			break
		}
		if !sc.next(',') {
			return nil, sc.expected("',' or '@'")
		}
		sc.i++
	}
	out := make([]LcoreMap, 0, count)
	for id := range given {
		if given[id] {
			out = append(out, LcoreMap{ID: uint32(id), CPUs: cpus[id]})
		}
	}
	return out, nil
}

// parseCoremask parses the hexadecimal mask of -c, with or without "0x":
// lcore i runs on CPU i for each bit i set.
func parseCoremask(s string) ([]LcoreMap, error) {
	h := strings.Trim(s, " \t")
	if len(h) >= 2 && h[0] == '0' && (h[1] == 'x' || h[1] == 'X') {
		h = h[2:]
	}
	if h == "" {
		return nil, errors.New("empty mask")
	}
	var out []LcoreMap
	bit := 0
	for i := len(h) - 1; i >= 0; i-- {
		v, ok := hexDigit(h[i])
		if !ok {
			return nil, fmt.Errorf("%q is not a hexadecimal digit", h[i:i+1])
		}
		for j := 0; j < 4; j, bit = j+1, bit+1 {
			if v&(1<<j) == 0 {
				continue
			}
			if bit >= MaxLcore {
				return nil, fmt.Errorf("bit %d is beyond the last lcore (%d)", bit, MaxLcore-1)
			}
			out = append(out, LcoreMap{ID: uint32(bit), CPUs: []int{bit}})
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no lcore in the mask")
	}
	return out, nil
}

// hexDigit returns the value of a hexadecimal digit.
func hexDigit(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
