package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"dpk/eal"
	"dpk/internal/sys"

	_ "dpk/drivers/net/afpacket"
	_ "dpk/drivers/net/afxdp"
	_ "dpk/drivers/net/ring"
	_ "dpk/drivers/net/tap"

	"golang.org/x/term"
)

func main() {
	sig := make(chan os.Signal, 1)
	// SIGPIPE too: by default a write to a closed pipe on stdout (as in
	// `dpk-lab | head`) kills the process before it can tear the lab down.
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM, syscall.SIGPIPE)
	os.Exit(run(os.Args, os.Stdout, os.Stderr, sig))
}

// Exit statuses.
const (
	exitOK          = 0
	exitError       = 1
	exitUsage       = 2
	exitInterrupted = 130 // 128 + SIGINT, as a shell reports it (SIGTERM: 143)
)

// run is the whole program; it returns the exit status. A value on sig
// (SIGINT, SIGTERM) stops the lab early; it is torn down all the same.
func run(args []string, stdout, stderr io.Writer, sig <-chan os.Signal) int {
	prog := "dpk-lab"
	if len(args) > 0 {
		args = args[1:]
	}
	ealArgs, appArgs := splitArgs(args)
	cfg, err := parseAppArgs(appArgs, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return exitUsage
	}
	cfg.out, cfg.log = stdout, stderr
	if f, ok := stdout.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		cfg.tty = true
	}
	cfg.driver = chooseDriver(cfg.driver, os.Geteuid() == 0, haveIP(), stderr)
	if cfg.rate > 0 {
		fmt.Fprintf(stdout, "%s: sending %d packets/s for %v (--rate 0: as fast as possible)\n", prog, cfg.rate, cfg.duration)
	} else {
		fmt.Fprintf(stdout, "%s: sending as fast as possible for %v\n", prog, cfg.duration)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	defer close(done)
	var caught atomic.Int32 // the first signal's number
	go func() {
		for {
			select {
			case s := <-sig:
				if ctx.Err() == nil {
					fmt.Fprintf(stderr, "\n%s: %v: stopping and tearing the lab down\n", prog, s)
					n := int32(syscall.SIGINT)
					if ss, ok := s.(syscall.Signal); ok {
						n = int32(ss)
					}
					caught.CompareAndSwap(0, n)
				}
				cancel()
			case <-done:
				return
			}
		}
	}()

	for _, r := range removeStaleEAL() {
		fmt.Fprintf(stderr, "%s: removed %s left by an earlier run\n", prog, r)
	}
	full := append(defaultEALArgs(ealArgs), ealArgs...)
	fmt.Fprintf(stdout, "%s: EAL options: %s\n", prog, strings.Join(full, " "))
	if _, err := eal.Init(append([]string{prog}, full...)); err != nil {
		if errors.Is(err, eal.ErrHelp) {
			eal.Usage(stdout, prog)
			return exitOK
		}
		fmt.Fprintf(stderr, "%s: EAL: %v\n", prog, err)
		return exitError
	}
	res, err := runLab(ctx, cfg)
	if cerr := eal.Cleanup(); cerr != nil && err == nil {
		err = fmt.Errorf("EAL cleanup: %w", cerr)
	}
	if res != nil && cfg.report != "" && len(res.Points) > 0 {
		if rerr := writeReportFile(cfg.report, res); rerr != nil {
			fmt.Fprintf(stderr, "%s: report: %v\n", prog, rerr)
			if err == nil {
				return exitError
			}
		} else {
			fmt.Fprintf(stdout, "%s: report written to %s\n", prog, cfg.report)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return exitError
	}
	if res.Interrupted || ctx.Err() != nil {
		fmt.Fprintf(stderr, "%s: interrupted; the lab's namespaces and interfaces are removed\n", prog)
		if n := caught.Load(); n != 0 {
			return 128 + int(n)
		}
		return exitInterrupted
	}
	return exitOK
}

// chooseDriver returns the driver to run: the one asked for, or ring when
// the kernel lab cannot be built (no root, no ip command), saying why.
func chooseDriver(driver string, root, ipCmd bool, log io.Writer) string {
	if driver == "ring" {
		return driver
	}
	switch {
	case !root:
		fmt.Fprintln(log, "dpk-lab: not root: running the same lab over net_ring inside one process")
		return "ring"
	case !ipCmd:
		fmt.Fprintln(log, "dpk-lab: the ip command (iproute2) is not installed: running the same lab over net_ring inside one process")
		return "ring"
	}
	return driver
}

// splitArgs splits the command line at "--": EAL options before, the
// lab's after. Without "--" every argument is the lab's.
func splitArgs(args []string) (ealArgs, appArgs []string) {
	for i, a := range args {
		if a == "--" {
			return args[:i], args[i+1:]
		}
	}
	return nil, args
}

// hasOpt reports whether args hold one of the options (as "-x v",
// "--name v" or "--name=v").
func hasOpt(args []string, names ...string) bool {
	for _, a := range args {
		for _, n := range names {
			if a == n || strings.HasPrefix(a, n+"=") || (len(n) == 2 && strings.HasPrefix(a, n) && n[1] != '-') {
				return true
			}
		}
	}
	return false
}

// defaultEALArgs returns the EAL options the lab adds to the user's: two
// lcores on the first two CPUs, ordinary pages unless hugepages are free
// and the lab runs as root, and a --file-prefix of its own.
func defaultEALArgs(user []string) []string {
	var out []string
	if !hasOpt(user, "-l", "--lcores", "-c") {
		out = append(out, "--lcores", defaultLcores())
	}
	if !hasOpt(user, "--no-huge", "--huge-dir", "--in-memory") && (os.Geteuid() != 0 || sys.FreeHugepages(sys.DefaultHugepageSize()) == 0) {
		out = append(out, "--no-huge")
	}
	if !hasOpt(user, "--file-prefix") {
		out = append(out, "--file-prefix", fmt.Sprintf("dpklab%d", os.Getpid()))
	}
	return out
}

// defaultLcores maps lcores 0 and 1 to the first two CPUs (both to the only
// one on a single-CPU machine).
func defaultLcores() string {
	cpus, err := sys.Topology()
	switch {
	case err != nil || len(cpus) == 0:
		return "0-1"
	case len(cpus) == 1:
		return fmt.Sprintf("0@%d,1@%d", cpus[0].ID, cpus[0].ID)
	}
	return fmt.Sprintf("0@%d,1@%d", cpus[0].ID, cpus[1].ID)
}

// parseAppArgs parses the lab's own flags.
func parseAppArgs(args []string, stderr io.Writer) (labConfig, error) {
	cfg := labConfig{}
	fs := flag.NewFlagSet("dpk-lab", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.DurationVar(&cfg.duration, "duration", 10*time.Second, "how long to send traffic (per burst size with --sweep-burst)")
	fs.Uint64Var(&cfg.rate, "rate", defaultRate, "packets per second to send, 0 for as fast as possible")
	fs.IntVar(&cfg.size, "size", 64, fmt.Sprintf("UDP payload bytes (%d to %d)", payloadHdr, maxPayload))
	fs.IntVar(&cfg.flows, "flows", 1, "number of flows (UDP source ports)")
	fs.StringVar(&cfg.driver, "driver", "af_xdp", "dpk driver on the lab's links: af_xdp, af_packet, tap, or ring (no namespaces, one process)")
	fs.IntVar(&cfg.burst, "burst", 32, fmt.Sprintf("forwarding burst size (1 to %d)", maxBurst))
	fs.StringVar(&cfg.report, "report", "", "write an HTML report with plots to this file")
	sweep := fs.String("sweep-burst", "", "comma-separated burst sizes: one run each, then Mpps and cycles/packet against burst size")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: dpk-lab [EAL options --] [options]\n\n"+
			"Forwards UDP traffic between two network namespaces through dpk (as root),\n"+
			"or between net_ring ports inside the process (without root), and shows\n"+
			"throughput, loss and latency. EAL options (before --) override the\n"+
			"defaults: --lcores 0@CPU0,1@CPU1 --no-huge (unless hugepages are free)\n"+
			"--file-prefix dpklab<pid>.\n\nOptions:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q (EAL options go before --)", fs.Arg(0))
	}
	switch {
	case cfg.duration <= 0:
		return cfg, fmt.Errorf("--duration %v: must be positive", cfg.duration)
	case cfg.size < payloadHdr || cfg.size > maxPayload:
		return cfg, fmt.Errorf("--size %d: must be %d to %d", cfg.size, payloadHdr, maxPayload)
	case cfg.flows < 1 || cfg.flows > maxFlows:
		return cfg, fmt.Errorf("--flows %d: must be 1 to %d", cfg.flows, maxFlows)
	case cfg.burst < 1 || cfg.burst > maxBurst:
		return cfg, fmt.Errorf("--burst %d: must be 1 to %d", cfg.burst, maxBurst)
	}
	if _, ok := kernelDrivers[cfg.driver]; !ok && cfg.driver != "ring" {
		return cfg, fmt.Errorf("--driver %q: want af_xdp, af_packet, tap or ring", cfg.driver)
	}
	if *sweep != "" {
		for _, f := range strings.Split(*sweep, ",") {
			b, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || b < 1 || b > maxBurst {
				return cfg, fmt.Errorf("--sweep-burst %q: %q is not a burst size from 1 to %d", *sweep, f, maxBurst)
			}
			cfg.sweep = append(cfg.sweep, b)
		}
	}
	return cfg, nil
}

// Limits and defaults of the lab's flags.
const (
	// defaultRate is a rate a busy 2-CPU machine forwards without loss
	// through af_packet, so that the first run shows dpk working; --rate 0
	// shows where it saturates.
	defaultRate = 100_000
	maxPayload  = 1472 // fits a 1500-byte MTU
	maxFlows    = 1000
)
