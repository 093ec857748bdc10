// Command l2fwd is DPDK's L2 forwarding sample (examples/l2fwd) on dpk:
// packets received on a port leave on its paired port, optionally with the
// MAC addresses rewritten (source: the output port's MAC, destination:
// 02:00:00:00:00:<output port>), with per-port statistics every period.
//
//	l2fwd [EAL options] -- -p PORTMASK [-q NQ] [--[no-]mac-updating] [-T PERIOD] [--portmap="(0,1),(2,3)"]
//
//	-p PORTMASK: hexadecimal bitmask of ports to use
//	-q NQ: number of RX queues (ports) per lcore (default 1)
//	--[no-]mac-updating: rewrite MAC addresses (default on)
//	-T PERIOD: statistics every PERIOD seconds (0 disables, default 10, max 86400)
//	--portmap: pairs of ports that forward to each other
package main

import (
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

	_ "dpk/drivers/net/null"
	_ "dpk/drivers/net/ring"
	"dpk/eal"
	"dpk/ethdev"
	"dpk/internal/sys"
	"dpk/mbuf"
	"dpk/mempool"
	"dpk/pkt"
)

const (
	maxPktBurst    = 32
	burstTxDrainUS = 100 // drain TX buffers every ~100 us
	nbRxd          = 1024
	nbTxd          = 1024
	mbufPerPort    = 8192
	cacheSize      = 256
)

// config is the application's parsed command line.
type config struct {
	portmask    uint64
	perLcore    int
	macUpdating bool
	period      time.Duration
	portmap     [][2]uint16
}

func parseArgs(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("l2fwd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &config{}
	pm := fs.String("p", "", "hexadecimal bitmask of ports to configure")
	fs.IntVar(&c.perLcore, "q", 1, "number of queues (ports) per lcore")
	period := fs.Int("T", 10, "statistics period in seconds (0 to disable, max 86400)")
	mu := fs.Bool("mac-updating", true, "rewrite MAC addresses")
	nomu := fs.Bool("no-mac-updating", false, "do not rewrite MAC addresses")
	portmap := fs.String("portmap", "", `port pairs, e.g. "(0,1),(2,3)"`)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *pm == "" {
		return nil, errors.New("-p PORTMASK is required")
	}
	v, err := strconv.ParseUint(strings.TrimPrefix(strings.ToLower(*pm), "0x"), 16, 64)
	if err != nil || v == 0 {
		return nil, fmt.Errorf("-p %q: invalid portmask", *pm)
	}
	c.portmask = v
	if c.perLcore < 1 || c.perLcore > 16 {
		return nil, fmt.Errorf("-q %d: must be 1..16", c.perLcore)
	}
	if *period < 0 || *period > 86400 {
		return nil, fmt.Errorf("-T %d: must be 0..86400", *period)
	}
	c.period = time.Duration(*period) * time.Second
	c.macUpdating = *mu && !*nomu
	if *portmap != "" {
		for _, pair := range strings.Split(strings.ReplaceAll(*portmap, " ", ""), "),") {
			pair = strings.Trim(pair, "()")
			a, b, ok := strings.Cut(pair, ",")
			x, err1 := strconv.ParseUint(a, 10, 16)
			y, err2 := strconv.ParseUint(b, 10, 16)
			if !ok || err1 != nil || err2 != nil || x == y {
				return nil, fmt.Errorf("--portmap: bad pair %q", pair)
			}
			c.portmap = append(c.portmap, [2]uint16{uint16(x), uint16(y)})
		}
	}
	return c, nil
}

// portStats are one port's counters, written by one lcore.
type portStats struct {
	tx, rx, dropped atomic.Uint64
}

// txBuffer gathers packets for one output port (rte_eth_tx_buffer).
type txBuffer struct {
	port  uint16
	pkts  [maxPktBurst]*mbuf.Mbuf
	n     int
	stats *portStats
}

func (b *txBuffer) flush(lcore uint32) {
	if b.n == 0 {
		return
	}
	sent := ethdev.TxBurst(b.port, 0, b.pkts[:b.n])
	if sent < b.n {
		mbuf.FreeBulk(b.pkts[sent:b.n], lcore)
		b.stats.dropped.Add(uint64(b.n - sent))
	}
	b.stats.tx.Add(uint64(sent))
	b.n = 0
}

func (b *txBuffer) add(m *mbuf.Mbuf, lcore uint32) {
	b.pkts[b.n] = m
	b.n++
	if b.n == maxPktBurst {
		b.flush(lcore)
	}
}

type app struct {
	cfg     *config
	dst     [ethdev.MaxPorts]uint16
	macs    [ethdev.MaxPorts]pkt.MAC
	stats   [ethdev.MaxPorts]portStats
	enabled []uint16
	lcoreRx map[uint32][]uint16
	quit    atomic.Bool
	stdout  io.Writer
	pool    *mempool.Mempool
}

// macUpdate rewrites the Ethernet addresses for output port dst.
func (a *app) macUpdate(m *mbuf.Mbuf, dst uint16) {
	d := m.Data()
	if len(d) < 12 {
		return
	}
	copy(d[0:6], []byte{0x02, 0, 0, 0, 0, byte(dst)})
	copy(d[6:12], a.macs[dst][:])
}

func (a *app) mainLoop(lc *eal.Lcore) error {
	rxPorts := a.lcoreRx[lc.ID()]
	if len(rxPorts) == 0 && !lc.IsMain() {
		fmt.Fprintf(a.stdout, "L2FWD: lcore %d has nothing to do\n", lc.ID())
		return nil
	}
	for _, p := range rxPorts {
		fmt.Fprintf(a.stdout, "L2FWD:  -- lcoreid=%d portid=%d\n", lc.ID(), p)
	}
	var statsEvery, lastStats uint64
	if lc.IsMain() && a.cfg.period > 0 {
		statsEvery = sys.TimerHz() * uint64(a.cfg.period/time.Second)
		lastStats = sys.Rdtsc()
	}
	var bufs [ethdev.MaxPorts]txBuffer
	for _, p := range a.enabled {
		bufs[p] = txBuffer{port: p, stats: &a.stats[p]}
	}
	drain := sys.TimerHz() / 1e6 * burstTxDrainUS
	pkts := make([]*mbuf.Mbuf, maxPktBurst)
	prev := sys.Rdtsc()
	id := lc.ID()
	for !a.quit.Load() {
		if now := sys.Rdtsc(); now-prev > drain {
			for _, p := range a.enabled {
				bufs[a.dst[p]].flush(id)
			}
			prev = now
			if statsEvery > 0 && now-lastStats >= statsEvery {
				a.printStats(a.stdout)
				lastStats = now
			}
		}
		for _, p := range rxPorts {
			n := ethdev.RxBurst(p, 0, pkts)
			if n == 0 {
				continue
			}
			a.stats[p].rx.Add(uint64(n))
			out := a.dst[p]
			for _, m := range pkts[:n] {
				if a.cfg.macUpdating {
					a.macUpdate(m, out)
				}
				bufs[out].add(m, id)
			}
		}
	}
	for _, p := range a.enabled {
		bufs[p].flush(id)
	}
	if mp := a.pool; mp != nil {
		mp.CacheFlush(mp.DefaultCache(id))
	}
	return nil
}

func (a *app) printStats(w io.Writer) {
	var tx, rx, drop uint64
	fmt.Fprint(w, "\x1b[2J\x1b[1;1H")
	fmt.Fprintf(w, "\nPort statistics ====================================")
	for _, p := range a.enabled {
		s := &a.stats[p]
		fmt.Fprintf(w, "\nStatistics for port %d ------------------------------"+
			"\nPackets sent: %24d"+
			"\nPackets received: %20d"+
			"\nPackets dropped: %21d", p, s.tx.Load(), s.rx.Load(), s.dropped.Load())
		tx += s.tx.Load()
		rx += s.rx.Load()
		drop += s.dropped.Load()
	}
	fmt.Fprintf(w, "\nAggregate statistics ==============================="+
		"\nTotal packets sent: %18d"+
		"\nTotal packets received: %14d"+
		"\nTotal packets dropped: %15d", tx, rx, drop)
	fmt.Fprintf(w, "\n====================================================\n")
}

func run(args []string, stdout, stderr io.Writer) int {
	rest, err := eal.Init(args)
	if err != nil {
		fmt.Fprintln(stderr, "l2fwd: invalid EAL arguments:", err)
		return 1
	}
	defer eal.Cleanup()
	cfg, err := parseArgs(rest[1:], stderr)
	if err != nil {
		fmt.Fprintln(stderr, "l2fwd: invalid L2FWD arguments:", err)
		return 1
	}
	a := &app{cfg: cfg, lcoreRx: map[uint32][]uint16{}}
	for _, p := range ethdev.Ports() {
		if cfg.portmask&(1<<p) != 0 {
			a.enabled = append(a.enabled, p)
		}
	}
	if len(a.enabled) == 0 {
		fmt.Fprintln(stderr, "l2fwd: all available ports are disabled; please set portmask")
		return 1
	}
	if cfg.portmap != nil {
		seen := map[uint16]bool{}
		for _, pr := range cfg.portmap {
			for _, p := range pr {
				if cfg.portmask&(1<<p) == 0 || !ethdev.IsValid(p) || seen[p] {
					fmt.Fprintf(stderr, "l2fwd: --portmap: port %d is not enabled or used twice\n", p)
					return 1
				}
				seen[p] = true
			}
			a.dst[pr[0]], a.dst[pr[1]] = pr[1], pr[0]
		}
		if len(seen) != len(a.enabled) {
			fmt.Fprintln(stderr, "l2fwd: --portmap must pair every enabled port")
			return 1
		}
	} else {
		if len(a.enabled)%2 != 0 {
			fmt.Fprintln(stderr, "l2fwd: notice: odd number of ports in portmask")
			return 1
		}
		for i := 0; i < len(a.enabled); i += 2 {
			a.dst[a.enabled[i]], a.dst[a.enabled[i+1]] = a.enabled[i+1], a.enabled[i]
		}
	}
	// Assign RX ports to lcores in id order, the main lcore included (it
	// also prints the statistics), as DPDK's l2fwd.
	workers := eal.Lcores()
	wi := 0
	for _, p := range a.enabled {
		for wi < len(workers) && len(a.lcoreRx[workers[wi].ID()]) == cfg.perLcore {
			wi++
		}
		if wi == len(workers) {
			fmt.Fprintln(stderr, "l2fwd: not enough cores")
			return 1
		}
		id := workers[wi].ID()
		a.lcoreRx[id] = append(a.lcoreRx[id], p)
		fmt.Fprintf(stdout, "Lcore %d: RX port %d TX port %d\n", id, p, a.dst[p])
	}
	n := uint32(len(a.enabled))*mbufPerPort + uint32(len(workers))*cacheSize
	mp, err := mbuf.PoolCreate("mbuf_pool", max(n, 8192), cacheSize, 0, mbuf.DefaultBufSize, eal.SocketIDAny)
	if err != nil {
		fmt.Fprintln(stderr, "l2fwd: cannot init mbuf pool:", err)
		return 1
	}
	a.pool = mp
	for _, p := range a.enabled {
		if err := initPort(p, mp); err != nil {
			fmt.Fprintf(stderr, "l2fwd: cannot init port %d: %v\n", p, err)
			return 1
		}
		a.macs[p], _ = ethdev.MACAddrGet(p)
		fmt.Fprintf(stdout, "Port %d, MAC address: %s\n\n", p, a.macs[p])
	}
	fmt.Fprintf(stdout, "MAC updating %s\n", map[bool]string{true: "enabled", false: "disabled"}[cfg.macUpdating])

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sig)
	go func() {
		if _, ok := <-sig; ok {
			fmt.Fprintln(stdout, "\n\nSignal received, preparing to exit...")
			a.quit.Store(true)
		}
	}()
	a.stdout = stdout
	if err := eal.MpRemoteLaunch(a.mainLoop, true); err != nil {
		fmt.Fprintln(stderr, "l2fwd:", err)
		return 1
	}
	if err := eal.MpWaitLcore(); err != nil {
		fmt.Fprintln(stderr, "l2fwd:", err)
	}
	a.printStats(stdout)
	for _, p := range a.enabled {
		fmt.Fprintf(stdout, "Closing port %d...", p)
		ethdev.Stop(p)
		ethdev.Close(p)
		fmt.Fprintln(stdout, " Done")
	}
	fmt.Fprintln(stdout, "Bye...")
	return 0
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
	return ethdev.PromiscuousSet(p, true)
}

func main() {
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}
