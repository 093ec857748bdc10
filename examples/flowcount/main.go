// Command flowcount is the classic first lab of DPDK courses on dpk: it
// forwards packets between pairs of ports with their MAC addresses
// swapped, counts packets and bytes per IPv4 and IPv6 5-tuple in cuckoo
// hash tables (dpk/hash), and prints the top flows every period and at
// exit (SIGINT, SIGTERM).
//
//	flowcount [EAL options] -- [--period SECONDS] [--max-flows N] [--top N] [--burst N]
//	flowcount [EAL options] -- --bench-lookup [--bench-flows N,N,...]
//
//	--period SECONDS  print the top flows every SECONDS (0: only at exit; default 5, max 86400)
//	--max-flows N     flows per family (IPv4, IPv6) the tables hold (default 65536)
//	--top N           number of flows printed (default 10)
//	--burst N         RX burst size, 1 to 64 (default 32)
//	--bench-lookup    do not forward: fill tables with random IPv4 flows and
//	                  measure single and bulk lookups (see below)
//	--bench-flows N,… table sizes for --bench-lookup (default: an L3-resident
//	                  size, from the L3 size in sysfs, and a DRAM-resident one)
//
// For example, counting the flows of a capture and writing it back out
// with the MACs swapped (port 0 reads x.pcap and port 1 writes y.pcap; the
// net_null port of the second line drops what it is sent and, with
// no-rx=1, receives nothing):
//
//	go run ./examples/flowcount --no-huge -l 0-1 --vdev net_pcap0,rx_pcap=x.pcap --vdev net_pcap1,tx_pcap=y.pcap -- --period 5
//	go run ./examples/flowcount --no-huge -l 0-1 --vdev net_pcap0,rx_pcap=x.pcap,tx_pcap=y.pcap --vdev net_null0,no-rx=1 -- --period 5
//
// or between two veth interfaces:
//
//	go run ./examples/flowcount -l 0-1 --vdev net_af_packet0,iface=veth0 --vdev net_af_packet1,iface=veth1
//
// # Ports and lcores
//
// The ports are those of --vdev (net_ring, net_null, net_pcap and
// net_af_packet are built in), paired in order: 0 with 1, 2 with 3, and so
// on; each forwards what it receives to its pair. One queue per port. One
// lcore, the first worker (or the main lcore when -l names only one),
// polls every port, counts and forwards: it owns the flow tables, adds to
// them, and prints the reports itself, so no counter is shared between
// threads and the packet path takes no lock and makes no atomic update.
// The main lcore waits for a signal.
//
// # Counting
//
// Each burst is classified packet by packet (the 5-tuple is read from the
// headers in place, through dpk/pkt views), then looked up with one bulk
// lookup per family (hash.LookupBulk). A flow missed by the lookup is added
// (its entry is created on first sight); its position in the table indexes
// a preallocated slice of packet and byte counters. The tables are
// created lock-free for readers (hash.FlagRWConcurrencyLF) with an
// extendable bucket table, so each holds exactly --max-flows flows. The
// steady-state path makes no heap allocation. Bytes are frame lengths
// without the FCS.
//
// Besides flows, three counters: "other" counts frames that are not IPv4
// or IPv6 (ARP, LLDP, runts); "malformed" counts frames whose EtherType
// says IPv4 or IPv6 but whose header is broken (bad version or IHL,
// lengths beyond the frame, a broken IPv6 extension chain, a TCP, UDP or
// SCTP header cut short); "untracked" counts IP packets of new flows met
// when their table was full. All three kinds are forwarded like the
// rest: flowcount is a bump in the wire and drops nothing itself (a port
// that refuses a packet on TX does; that is counted as dropped).
//
// TCP, UDP and SCTP flows have ports; other protocols (ICMP, ...) count
// with ports 0. Non-first fragments carry no L4 header and count with
// ports 0 under their protocol, so a fragmented datagram shows as two
// flows. VLAN tags are skipped and not part of the key.
//
// # Lookup benchmark
//
// --bench-lookup fills a table with N random IPv4 5-tuples (13-byte keys,
// CRC32C, the forwarding path's flags, bucket load 75% or less) for each
// size, timing the adds, then looks every key up in a random order, one
// at a time (Lookup) and in bursts of 32 (LookupBulk), and prints TSC
// cycles and nanoseconds per operation in the layout of DPDK's
// hash_perf_autotest. The small size is the largest whose table (buckets
// and key store) fits in a quarter of the L3 cache that
// /sys/devices/system/cpu/cpu0/cache gives (32 MiB is assumed when sysfs
// says nothing, as in many VMs); the large one is at least 4 Mi flows and
// four times the L3, so most of its lookups go to DRAM:
//
//	go run ./examples/flowcount --no-huge -l 0 -- --bench-lookup
//	go run ./examples/flowcount --no-huge -l 0 -- --bench-lookup --bench-flows 100000,1000000,8000000
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	_ "dpk/drivers/net/afpacket"
	_ "dpk/drivers/net/null"
	_ "dpk/drivers/net/pcap"
	_ "dpk/drivers/net/ring"
	"dpk/eal"
	"dpk/ethdev"
	"dpk/hash"
	"dpk/internal/sys"
	"dpk/mbuf"
	"dpk/mempool"
)

const (
	defaultBurst = 32
	nbRxd        = 1024
	nbTxd        = 1024
	mbufPerPort  = 8192
	mbufCache    = 256
)

// config is the application's command line (after --).
type config struct {
	period      time.Duration
	maxFlows    uint32
	top         int
	burst       int
	benchLookup bool
	benchFlows  []uint32
}

func parseArgs(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("flowcount", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &config{}
	period := fs.Int("period", 5, "print the top flows every `SECONDS` (0: only at exit)")
	maxFlows := fs.Uint64("max-flows", 65536, "flows per family the tables hold")
	fs.IntVar(&c.top, "top", 10, "number of flows printed")
	fs.IntVar(&c.burst, "burst", defaultBurst, "RX burst size (1 to 64)")
	fs.BoolVar(&c.benchLookup, "bench-lookup", false, "measure lookups in L3- and DRAM-resident tables instead of forwarding")
	benchFlows := fs.String("bench-flows", "", "table sizes for --bench-lookup, comma-separated (default from the L3 size)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *period < 0 || *period > 86400 {
		return nil, fmt.Errorf("--period %d: must be 0..86400", *period)
	}
	c.period = time.Duration(*period) * time.Second
	if *maxFlows < hash.BucketEntries || *maxFlows > hash.EntriesMax {
		return nil, fmt.Errorf("--max-flows %d: must be %d..%d", *maxFlows, hash.BucketEntries, hash.EntriesMax)
	}
	c.maxFlows = uint32(*maxFlows)
	if c.top < 0 || c.top > 1000 {
		return nil, fmt.Errorf("--top %d: must be 0..1000", c.top)
	}
	if c.burst < 1 || c.burst > burstMax {
		return nil, fmt.Errorf("--burst %d: must be 1..%d", c.burst, burstMax)
	}
	if *benchFlows != "" {
		for _, s := range strings.Split(*benchFlows, ",") {
			v, err := strconv.ParseUint(strings.TrimSpace(s), 10, 32)
			if err != nil || v < 64 || v > hash.EntriesMax/2 {
				return nil, fmt.Errorf("--bench-flows: bad size %q (64..%d)", s, hash.EntriesMax/2)
			}
			c.benchFlows = append(c.benchFlows, uint32(v))
		}
	}
	return c, nil
}

// app is the forwarding application: its ports, the flow counter and the
// statistics of the forwarding lcore.
type app struct {
	cfg     *config
	ports   []uint16
	dst     [ethdev.MaxPorts]uint16
	dropped [ethdev.MaxPorts]atomic.Uint64
	pool    *mempool.Mempool
	fc      *flowCounter
	quit    atomic.Bool
	out     io.Writer
	start   time.Time
	pkts    [burstMax]*mbuf.Mbuf
	lcore   uint32 // the forwarding lcore, while it runs
	exitMsg string // printed when the context ends
}

// newApp initialises the EAL with args (program name, EAL options, --,
// application options), checks the ports, and creates the pool and the
// flow tables. In --bench-lookup mode it sets up no port. Close undoes it.
func newApp(args []string, stdout, stderr io.Writer) (*app, error) {
	rest, err := eal.Init(args)
	if err != nil {
		return nil, fmt.Errorf("invalid EAL arguments: %w", err)
	}
	a := &app{out: stdout}
	if a.cfg, err = parseArgs(rest[1:], stderr); err != nil {
		eal.Cleanup()
		return nil, fmt.Errorf("invalid flowcount arguments: %w", err)
	}
	if a.cfg.benchLookup {
		return a, nil
	}
	if err := a.setupPorts(); err != nil {
		a.close()
		return nil, err
	}
	return a, nil
}

func (a *app) setupPorts() error {
	a.ports = ethdev.Ports()
	if len(a.ports) < 2 || len(a.ports)%2 != 0 {
		return fmt.Errorf("need an even number of ports, at least 2 (found %d): give two --vdev, e.g. --vdev net_ring0 --vdev net_ring1", len(a.ports))
	}
	for i := 0; i < len(a.ports); i += 2 {
		a.dst[a.ports[i]], a.dst[a.ports[i+1]] = a.ports[i+1], a.ports[i]
	}
	n := uint32(len(a.ports))*mbufPerPort + uint32(eal.LcoreCount())*mbufCache
	mp, err := mbuf.PoolCreate("flowcount_pool", n, mbufCache, 0, mbuf.DefaultBufSize, eal.SocketIDAny)
	if err != nil {
		return fmt.Errorf("cannot create mbuf pool: %w", err)
	}
	a.pool = mp
	for _, p := range a.ports {
		if err := initPort(p, mp); err != nil {
			return fmt.Errorf("cannot init port %d: %w", p, err)
		}
		mac, _ := ethdev.MACAddrGet(p)
		fmt.Fprintf(a.out, "Port %d (%s): MAC %s, forwards to port %d\n", p, ethdev.Name(p), mac, a.dst[p])
	}
	if a.fc, err = newFlowCounter(a.cfg.maxFlows); err != nil {
		return fmt.Errorf("cannot create flow tables: %w", err)
	}
	return nil
}

func initPort(p uint16, mp *mempool.Mempool) error {
	if err := ethdev.Configure(p, 1, 1, &ethdev.Conf{}); err != nil {
		return err
	}
	if err := ethdev.RxQueueSetup(p, 0, nbRxd, eal.SocketIDAny, nil, mp); err != nil {
		return err
	}
	if err := ethdev.TxQueueSetup(p, 0, nbTxd, eal.SocketIDAny, nil); err != nil {
		return err
	}
	if err := ethdev.Start(p); err != nil {
		return err
	}
	if err := ethdev.PromiscuousSet(p, true); err != nil && !errors.Is(err, ethdev.ErrNotSupported) {
		return err
	}
	return nil
}

// close stops and closes the ports, frees the tables and cleans the EAL
// up.
func (a *app) close() {
	for _, p := range a.ports {
		ethdev.Stop(p)
		ethdev.Close(p)
	}
	if a.fc != nil {
		a.fc.close()
	}
	eal.Cleanup()
}

// forwardLcore is the lcore that forwards: the first worker, or the main
// lcore when there is none.
func forwardLcore() *eal.Lcore {
	if w := eal.Workers(); len(w) > 0 {
		return w[0]
	}
	return eal.MainLcore()
}

// forward runs the forwarding loop until ctx is done, then prints the
// final report.
func (a *app) forward(ctx context.Context) error {
	lc := forwardLcore()
	fmt.Fprintf(a.out, "\nCore %d counting flows and forwarding. [Ctrl+C to quit]\n", lc.ID())
	a.start = time.Now()
	stop := context.AfterFunc(ctx, func() {
		if a.exitMsg != "" {
			fmt.Fprintln(a.out, a.exitMsg)
		}
		a.quit.Store(true)
	})
	defer stop()
	var err error
	if lc.IsMain() {
		err = a.loop(lc)
	} else {
		if err = eal.RemoteLaunch(a.loop, lc.ID()); err != nil {
			return err
		}
		err = eal.WaitLcore(lc.ID())
	}
	a.report(a.out, "at exit")
	return err
}

// loop is the forwarding lcore's function: poll every port, count and
// forward, and print the report every period.
func (a *app) loop(lc *eal.Lcore) error {
	a.lcore = lc.ID()
	var every, next uint64
	if a.cfg.period > 0 {
		every = sys.TimerHz() * uint64(a.cfg.period/time.Second)
		next = sys.Rdtsc() + every
	}
	for !a.quit.Load() {
		a.poll()
		if every != 0 {
			if now := sys.Rdtsc(); now >= next {
				a.report(a.out, "")
				next = now + every
			}
		}
	}
	if a.pool != nil {
		a.pool.CacheFlush(a.pool.DefaultCache(a.lcore))
	}
	return nil
}

// poll receives a burst on every port, counts it and sends it to the
// paired port; what the port does not take is freed and counted as
// dropped. It does not allocate.
func (a *app) poll() {
	pkts := a.pkts[:a.cfg.burst]
	for _, p := range a.ports {
		n := ethdev.RxBurst(p, 0, pkts)
		if n == 0 {
			continue
		}
		a.fc.burst(pkts[:n])
		out := a.dst[p]
		if sent := ethdev.TxBurst(out, 0, pkts[:n]); sent < n {
			mbuf.FreeBulk(pkts[sent:n], a.lcore)
			a.dropped[out].Add(uint64(n - sent))
		}
	}
}

// report prints the port counters, the flow table counters and the top
// flows. Only the goroutine that owns the flow counter may call it.
func (a *app) report(w io.Writer, when string) {
	if when == "" {
		when = fmt.Sprintf("after %.0f s", time.Since(a.start).Seconds())
	}
	fc := a.fc
	var b strings.Builder
	fmt.Fprintf(&b, "\nFlow statistics %s ==================================\n", when)
	for _, p := range a.ports {
		s, _ := ethdev.StatsGet(p)
		fmt.Fprintf(&b, "Port %d: RX-packets: %-12d RX-bytes: %-14d TX-packets: %-12d TX-bytes: %-14d TX-dropped: %d\n",
			p, s.IPackets, s.IBytes, s.OPackets, s.OBytes, a.dropped[p].Load())
	}
	fmt.Fprintf(&b, "Flows: IPv4 %d of %d, IPv6 %d of %d\n", fc.v4.n, fc.v4.max, fc.v6.n, fc.v6.max)
	fmt.Fprintf(&b, "Other (not IP):      %12d packets %14d bytes\n", fc.other.pkts, fc.other.bytes)
	fmt.Fprintf(&b, "Malformed IP:        %12d packets %14d bytes (forwarded)\n", fc.malformed.pkts, fc.malformed.bytes)
	fmt.Fprintf(&b, "Untracked (full):    %12d packets %14d bytes\n", fc.untracked.pkts, fc.untracked.bytes)
	if a.cfg.top > 0 {
		writeTop(&b, fc.top(a.cfg.top))
	}
	fmt.Fprintf(&b, "=====================================================================\n")
	io.WriteString(w, b.String())
}

// writeTop prints flows as a table.
func writeTop(w io.Writer, flows []flowStat) {
	fmt.Fprintf(w, "Top %d flows by packets:\n", len(flows))
	fmt.Fprintf(w, "%3s  %-7s %-47s %-47s %12s %14s\n", "#", "proto", "source", "destination", "packets", "bytes")
	for i, f := range flows {
		k := f.Key
		fmt.Fprintf(w, "%3d  %-7s %-47s %-47s %12d %14d\n", i+1, protoName(k.Proto),
			addrPort(k.Src, k.SrcPort), addrPort(k.Dst, k.DstPort), f.pkts, f.bytes)
	}
}

func addrPort(a netip.Addr, port uint16) string {
	return netip.AddrPortFrom(a, port).String()
}

func run(args []string, stdout, stderr io.Writer) int {
	a, err := newApp(args, stdout, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) || errors.Is(err, eal.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "flowcount:", err)
		return 1
	}
	defer a.close()
	if a.cfg.benchLookup {
		if err := benchLookup(stdout, a.cfg.benchFlows); err != nil {
			fmt.Fprintln(stderr, "flowcount:", err)
			return 1
		}
		return 0
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	a.exitMsg = "\n\nSignal received, preparing to exit..."
	if err := a.forward(ctx); err != nil {
		fmt.Fprintln(stderr, "flowcount:", err)
		return 1
	}
	fmt.Fprintln(stdout, "Bye...")
	return 0
}

func main() {
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}
