package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"dpk/ethdev"
	"dpk/pkt"
)

// Limits and defaults, as DPDK's l3fwd.h and main.c.
const (
	defaultBurst   = 32   // MAX_PKT_BURST
	maxBurst       = 512  // dpk: the largest --burst
	defaultRxDesc  = 1024 // RX_DESC_DEFAULT
	defaultTxDesc  = 1024 // TX_DESC_DEFAULT
	maxLcoreParams = 1024 // MAX_LCORE_PARAMS
	maxRxQueues    = 128  // MAX_RX_QUEUE_PER_PORT
	maxRxPerLcore  = 16   // MAX_RX_QUEUE_PER_LCORE
	minPktLen      = 64   // RTE_ETHER_MIN_LEN
	maxJumboPktLen = 9600 // MAX_JUMBO_PKT_LEN
	maxStatsPeriod = 86400
)

// lookupMode is how output ports are found (DPDK's --lookup).
type lookupMode int

const (
	modeDefault lookupMode = iota // none given: LPM
	modeLPM                       // longest prefix match on the destination
	modeEM                        // exact match on the 5-tuple
	modeACL                       // access control list on the 5-tuple
)

func (m lookupMode) String() string {
	switch m {
	case modeLPM:
		return "lpm"
	case modeEM:
		return "em"
	case modeACL:
		return "acl"
	}
	return "default"
}

// lcoreParam is one (port,queue,lcore) triple of --config: RX queue queue
// of port is polled by lcore.
type lcoreParam struct {
	port  uint16
	queue uint16
	lcore uint32
}

// defaultLcoreParams is DPDK's lcore_params_array_default, used when no
// --config is given.
var defaultLcoreParams = []lcoreParam{
	{0, 0, 2}, {0, 1, 2}, {0, 2, 2}, {1, 0, 2}, {1, 1, 2}, {1, 2, 2}, {2, 0, 2}, {3, 0, 3}, {3, 1, 3},
}

// options is l3fwd's parsed command line (after the EAL's "--").
type options struct {
	portmask    uint32
	promisc     bool
	mode        lookupMode
	config      []lcoreParam
	ethDest     [ethdev.MaxPorts]pkt.MAC // 02:00:00:00:00:<port> unless --eth-dest
	maxPktLen   uint32                   // 0: the ports' default MTU
	parsePtype  bool
	burst       int
	rxDesc      uint16
	txDesc      uint16
	ruleIPv4    string
	ruleIPv6    string
	alg         string
	statsPeriod time.Duration
	ipv6        bool // accepted for DPDK's command lines: both families are always routed
	noNUMA      bool // accepted: dpk keeps one set of tables
	perPortPool bool
}

// usage is DPDK's print_usage, with dpk's additions.
const usage = `l3fwd [EAL options] -- -p PORTMASK [-P] [--lookup=lpm|em|acl] [-E] [-L]
  --config (port,queue,lcore)[,(port,queue,lcore)] [--rule_ipv4=FILE --rule_ipv6=FILE]
  [--eth-dest=X,MM:MM:MM:MM:MM:MM] [--max-pkt-len PKTLEN] [--rx-queue-size NPKTS]
  [--tx-queue-size NPKTS] [--parse-ptype] [--per-port-pool] [--no-numa] [--ipv6]
  [--hash-entry-num HEX] [--alg ALG] [--burst NPKTS] [--stats-period SECONDS]

  -p PORTMASK: hexadecimal bitmask of ports to configure
  -P: enable promiscuous mode
  --lookup: lookup method, em (exact match), lpm (longest prefix match) or acl; default lpm
  -E, -L: legacy flags for --lookup=em and --lookup=lpm
  --config (port,queue,lcore): RX queue configuration
  --rule_ipv4=FILE, --rule_ipv6=FILE: rule files; 'R' lines are routes, '@' lines (acl) deny rules
  --eth-dest=X,MM:MM:MM:MM:MM:MM: Ethernet destination for port X
  --max-pkt-len PKTLEN: maximum packet length in decimal (64-9600)
  --rx-queue-size, --tx-queue-size NPKTS: descriptors per queue (default 1024)
  --parse-ptype: set the packet type of received packets in software
  --burst NPKTS: packets per RX burst and TX buffer (default 32, at most 512)
  --stats-period SECONDS: print statistics every SECONDS (default 0: only at exit)
  --alg ALG: ACL classify method (scalar, default)
`

// parseArgs parses l3fwd's options as DPDK's parse_args does; notices go
// to stderr.
func parseArgs(args []string, stderr io.Writer) (*options, error) {
	o := &options{burst: defaultBurst, rxDesc: defaultRxDesc, txDesc: defaultTxDesc}
	for p := range o.ethDest {
		o.ethDest[p] = pkt.MAC{0x02, 0, 0, 0, 0, byte(p)}
	}
	fs := flag.NewFlagSet("l3fwd", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	setMode := func(m lookupMode) error {
		if o.mode != modeDefault {
			return errors.New("only one lookup mode is allowed at a time")
		}
		o.mode = m
		return nil
	}
	fs.Func("p", "hexadecimal bitmask of ports", func(s string) error {
		pm, err := parsePortmask(s)
		o.portmask = pm
		return err
	})
	fs.BoolVar(&o.promisc, "P", false, "promiscuous mode")
	fs.BoolFunc("E", "exact match", func(string) error { return setMode(modeEM) })
	fs.BoolFunc("L", "longest prefix match", func(string) error { return setMode(modeLPM) })
	fs.Func("lookup", "lookup method", func(s string) error {
		m, err := parseLookup(s)
		if err != nil {
			return err
		}
		return setMode(m)
	})
	configSet := false
	fs.Func("config", "(port,queue,lcore)[,...]", func(s string) error {
		c, err := parseConfig(s)
		o.config, configSet = c, true
		return err
	})
	fs.Func("eth-dest", "X,MM:MM:MM:MM:MM:MM", func(s string) error {
		p, mac, err := parseEthDest(s)
		if err == nil {
			o.ethDest[p] = mac
		}
		return err
	})
	fs.Func("max-pkt-len", "maximum packet length", func(s string) error {
		v, ok := cUint(s, 10, maxJumboPktLen)
		if !ok || v < minPktLen {
			return fmt.Errorf("invalid max packet length %q: want %d to %d", s, minPktLen, maxJumboPktLen)
		}
		o.maxPktLen = uint32(v)
		return nil
	})
	queueSize := func(dst *uint16) func(string) error {
		return func(s string) error {
			v, ok := cUint(s, 10, 0xffff)
			if !ok || v == 0 {
				return fmt.Errorf("invalid queue size %q", s)
			}
			*dst = uint16(v)
			return nil
		}
	}
	fs.Func("rx-queue-size", "RX descriptors", queueSize(&o.rxDesc))
	fs.Func("tx-queue-size", "TX descriptors", queueSize(&o.txDesc))
	fs.BoolVar(&o.parsePtype, "parse-ptype", false, "software packet types")
	fs.BoolVar(&o.perPortPool, "per-port-pool", false, "one mbuf pool per port")
	fs.BoolVar(&o.noNUMA, "no-numa", false, "no NUMA awareness")
	fs.BoolVar(&o.ipv6, "ipv6", false, "IPv6 (accepted; both families are routed)")
	fs.Func("hash-entry-num", "hash entries (hexadecimal)", func(s string) error {
		if v, ok := cUint(s, 16, 1<<22); !ok || v == 0 {
			return fmt.Errorf("invalid hash entry number %q", s)
		}
		return nil
	})
	fs.StringVar(&o.ruleIPv4, "rule_ipv4", "", "IPv4 rule file")
	fs.StringVar(&o.ruleIPv6, "rule_ipv6", "", "IPv6 rule file")
	fs.StringVar(&o.alg, "alg", "", "ACL classify method")
	fs.Func("burst", "packets per burst", func(s string) error {
		v, ok := cUint(s, 10, maxBurst)
		if !ok || v == 0 {
			return fmt.Errorf("invalid burst %q: want 1 to %d", s, maxBurst)
		}
		o.burst = int(v)
		return nil
	})
	fs.Func("stats-period", "seconds between statistics", func(s string) error {
		v, ok := cUint(s, 10, maxStatsPeriod)
		if !ok {
			return fmt.Errorf("invalid statistics period %q: want 0 to %d", s, maxStatsPeriod)
		}
		o.statsPeriod = time.Duration(v) * time.Second
		return nil
	})
	fs.Func("mode", "poll", func(s string) error {
		if s != "poll" {
			return fmt.Errorf("--mode %s: dpk's l3fwd has only the poll mode", s)
		}
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if o.portmask == 0 {
		return nil, errors.New("-p PORTMASK is required (invalid portmask)")
	}
	if o.mode == modeDefault {
		fmt.Fprintln(stderr, "Neither ACL, LPM, EM, or FIB selected, defaulting to LPM")
		o.mode = modeLPM
	}
	if !configSet {
		o.config = append([]lcoreParam(nil), defaultLcoreParams...)
	}
	if o.mode == modeACL && (o.ruleIPv4 == "" || o.ruleIPv6 == "") {
		return nil, errors.New("acl lookup needs both --rule_ipv4 and --rule_ipv6")
	}
	if o.alg != "" && o.alg != "scalar" && o.alg != "default" {
		return nil, fmt.Errorf("--alg %s: dpk's ACL has the scalar method only", o.alg)
	}
	return o, nil
}

// parseLookup parses --lookup's value (parse_lookup).
func parseLookup(s string) (lookupMode, error) {
	switch s {
	case "lpm":
		return modeLPM, nil
	case "em":
		return modeEM, nil
	case "acl":
		return modeACL, nil
	case "fib":
		return 0, errors.New("--lookup=fib is not available in dpk's l3fwd")
	}
	return 0, fmt.Errorf("invalid lookup option %q; accepted options: acl, em, lpm", s)
}

// parsePortmask parses -p's hexadecimal port mask (parse_portmask). The
// mask must not be 0 and may name only ports below ethdev.MaxPorts.
func parsePortmask(s string) (uint32, error) {
	v, ok := cUint(s, 16, 1<<ethdev.MaxPorts-1)
	if !ok || v == 0 {
		return 0, fmt.Errorf("invalid portmask %q", s)
	}
	return uint32(v), nil
}

// parseConfig parses --config's list of (port,queue,lcore) triples
// (parse_config). Numbers are C integers (decimal, 0x hexadecimal or 0
// octal) of at most 255, as DPDK's; blanks around them are allowed.
func parseConfig(s string) ([]lcoreParam, error) {
	var out []lcoreParam
	rest := strings.TrimSpace(s)
	if rest == "" {
		return nil, errors.New("invalid config: empty")
	}
	for rest != "" {
		if rest[0] != '(' {
			return nil, fmt.Errorf("invalid config %q: want (port,queue,lcore)", s)
		}
		end := strings.IndexByte(rest, ')')
		if end < 0 {
			return nil, fmt.Errorf("invalid config %q: missing ')'", s)
		}
		fields := strings.Split(rest[1:end], ",")
		if len(fields) != 3 {
			return nil, fmt.Errorf("invalid config %q: (%s) needs 3 fields", s, rest[1:end])
		}
		var v [3]uint64
		for i, f := range fields {
			n, ok := cUint(strings.TrimSpace(f), 0, 255)
			if !ok {
				return nil, fmt.Errorf("invalid config %q: bad number %q", s, f)
			}
			v[i] = n
		}
		if len(out) == maxLcoreParams {
			return nil, fmt.Errorf("invalid config: more than %d (port,queue,lcore) triples", maxLcoreParams)
		}
		out = append(out, lcoreParam{port: uint16(v[0]), queue: uint16(v[1]), lcore: uint32(v[2])})
		rest = strings.TrimSpace(rest[end+1:])
		if rest != "" {
			if rest[0] != ',' {
				return nil, fmt.Errorf("invalid config %q: want ',' after (%s)", s, fields)
			}
			rest = strings.TrimSpace(rest[1:])
			if rest == "" {
				return nil, fmt.Errorf("invalid config %q: trailing ','", s)
			}
		}
	}
	return out, nil
}

// parseEthDest parses --eth-dest's "port,MAC" (parse_eth_dest).
func parseEthDest(s string) (uint16, pkt.MAC, error) {
	ps, ms, ok := strings.Cut(s, ",")
	if !ok {
		return 0, pkt.MAC{}, fmt.Errorf("invalid eth-dest %q: want PORT,MAC", s)
	}
	p, ok := cUint(ps, 10, 1<<16-1)
	if !ok {
		return 0, pkt.MAC{}, fmt.Errorf("invalid eth-dest %q: bad port", s)
	}
	if p >= ethdev.MaxPorts {
		return 0, pkt.MAC{}, fmt.Errorf("eth-dest: port %d >= RTE_MAX_ETHPORTS(%d)", p, ethdev.MaxPorts)
	}
	mac, err := pkt.ParseMAC(ms)
	if err != nil {
		return 0, pkt.MAC{}, fmt.Errorf("invalid ethernet address %q", ms)
	}
	return uint16(p), mac, nil
}

// cUint parses all of s as C's strtoul(s, &end, base) with *end == '\0'
// would, for base 0 (0x hexadecimal, 0 octal, else decimal), 10 or 16
// (with an optional 0x), and checks the value is at most max. Unlike
// strtoul it takes no blanks and no sign.
func cUint(s string, base int, max uint64) (uint64, bool) {
	digits := s
	b := base
	hasHexPrefix := len(s) > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')
	switch {
	case base == 16 && hasHexPrefix:
		digits = s[2:]
	case base == 0 && hasHexPrefix:
		digits, b = s[2:], 16
	case base == 0 && len(s) > 1 && s[0] == '0':
		digits, b = s[1:], 8
	case base == 0:
		b = 10
	}
	if digits == "" || digits[0] == '+' || digits[0] == '-' {
		return 0, false
	}
	v, err := strconv.ParseUint(digits, b, 64)
	if err != nil || v > max {
		return 0, false
	}
	return v, true
}
