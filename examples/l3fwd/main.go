// Command l3fwd is DPDK's L3 forwarding sample (examples/l3fwd) on dpk: an
// IPv4 and IPv6 router between ports that finds each packet's output port by
// longest prefix match on its destination (--lookup=lpm, the default; -L),
// exact match on its 5-tuple (--lookup=em; -E) or an access control list
// over the 5-tuple (--lookup=acl), decrements its TTL or hop limit (the IPv4
// checksum updated incrementally, RFC 1624), rewrites its Ethernet
// addresses (source: the output port's MAC; destination: --eth-dest or
// 02:00:00:00:00:<port>) and sends it, in bursts, on its output port.
//
// EAL options come first, then "--", then l3fwd's, as with DPDK's
// dpdk-l3fwd. Two AF_PACKET ports on veth0 and veth1, each polled by its
// own lcore, with routes from files:
//
//	go run ./examples/l3fwd -l 0-1 --vdev net_af_packet0,iface=veth0,qpairs=2 \
//	    --vdev net_af_packet1,iface=veth1,qpairs=2 -- -p 0x3 \
//	    --config="(0,0,0),(1,0,1)" --eth-dest=0,02:00:00:00:00:10 --eth-dest=1,02:00:00:00:00:11 \
//	    --rule_ipv4=examples/l3fwd/testdata/lpm_default_v4.cfg \
//	    --rule_ipv6=examples/l3fwd/testdata/lpm_default_v6.cfg --stats-period 1
//
// Every lcore that forwards sends on a TX queue of its own on every port
// (one owner per queue), so each port needs as many TX queues as there are
// forwarding lcores: net_af_packet has as many as qpairs. One lcore
// polling both ports needs one: -l 0 --config="(0,0,0),(1,0,0)".
//
// # Options
//
// As DPDK 22.11's: -p PORTMASK, -P (promiscuous), --lookup=lpm|em|acl, -E,
// -L, --config (port,queue,lcore)[,...] (default DPDK's, which needs lcores
// 2 and 3), --rule_ipv4=FILE and --rule_ipv6=FILE, --eth-dest=X,MAC,
// --max-pkt-len (64-9600), --rx-queue-size, --tx-queue-size, --parse-ptype,
// --per-port-pool, --alg (scalar); --no-numa, --ipv6 and --hash-entry-num
// are accepted and change nothing. dpk adds --burst N (packets per RX burst
// and TX buffer, default 32) and --stats-period SECONDS (statistics every
// period; always at exit).
//
// # Rule files
//
// The formats of DPDK's rule parsers (see rules.go and the files in
// testdata/): in LPM mode "R198.18.0.0/24 0" (prefix, port); in EM mode
// "R198.18.0.0 198.18.0.1 9 9 0x11 0" (destination, source, destination
// port, source port, protocol, port); in ACL mode DPDK's ClassBench-like
// lines, "R" routes ending with a port and "@" deny rules, earlier lines
// winning. Without both files LPM and EM use DPDK's built-in routes
// (198.18.<i>.0/24 and 2001:200:0:<i>::/64 to port i); ACL needs both.
//
// # Drops
//
// Packets are dropped, and counted per reason in the statistics, when they
// are not untagged IPv4 or IPv6, when the IPv4 header fails RFC 1812's
// checks as in DPDK's is_valid_ipv4_pkt (link length, version, header
// length, total length) or its checksum (DPDK leaves that to the NIC; dpk
// uses the mbuf's checksum flags, else computes it), when the IPv6 header
// is cut short, when the TTL or hop limit is 1 or 0, when no route (or no
// ACL rule) matches, when an ACL deny rule matches, or when the output
// queue is full.
//
// # Differences from DPDK 22.11
//
// DPDK sends a packet without a route back out of the port it came in on
// (LPM, EM); dpk drops it and counts it. DPDK's EM mode looks up only TCP
// and UDP packets; dpk's looks up every protocol, with both ports 0 in the
// key when the protocol has none (ICMP, say) or the packet is a later
// fragment, so a rule such as "R10.0.2.2 10.0.1.2 0 0 1 1" routes pings.
// The ACL input takes the ports after the real header length (DPDK assumes
// 20 bytes) and is 0 for protocols without ports. DPDK checks neither the
// TTL nor the checksum in its fast paths. There is no eventdev mode and no
// FIB lookup.
package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	_ "dpk/drivers/net/afpacket"
	_ "dpk/drivers/net/null"
	_ "dpk/drivers/net/pcap"
	_ "dpk/drivers/net/ring"
	"dpk/eal"
)

// runEnv is what run talks to: its output, where the stop request comes
// from (SIGINT and SIGTERM for the command), and, for tests, a function
// called once the lcores forward.
type runEnv struct {
	stdout, stderr io.Writer
	stop           <-chan os.Signal
	started        func(*app)
}

// run is l3fwd's main: it returns the exit status.
func run(args []string, env runEnv) int {
	rest, err := eal.Init(args)
	if err != nil {
		fmt.Fprintln(env.stderr, "l3fwd: invalid EAL parameters:", err)
		return 1
	}
	defer eal.Cleanup()
	o, err := parseArgs(rest[1:], env.stderr)
	if err != nil {
		fmt.Fprintln(env.stderr, "l3fwd: invalid L3FWD parameters:", err)
		fmt.Fprint(env.stderr, usage)
		return 1
	}
	if o.parsePtype {
		fmt.Fprintln(env.stdout, "soft parse-ptype is enabled")
	}
	a, err := newApp(o, env.stdout)
	if err != nil {
		fmt.Fprintln(env.stderr, "l3fwd:", err)
		return 1
	}
	defer a.close()

	stopped := make(chan struct{})
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case s := <-env.stop:
			fmt.Fprintf(env.stdout, "\n\nSignal %v received, preparing to exit...\n", s)
		case <-done:
		}
		a.conf.quit.Store(true)
		close(stopped)
	}()
	a.waitLinks()

	mainID := eal.MainLcore().ID()
	var launched []uint32
	for _, lc := range eal.Lcores() {
		w := a.workers[lc.ID()]
		if w == nil {
			fmt.Fprintf(env.stdout, "L3FWD: lcore %d has nothing to do\n", lc.ID())
			continue
		}
		fmt.Fprintf(env.stdout, "L3FWD: entering main loop on lcore %d\n", lc.ID())
		for _, q := range w.rxq {
			fmt.Fprintf(env.stdout, "L3FWD:  -- lcoreid=%d portid=%d rxqueueid=%d\n", lc.ID(), q.port, q.queue)
		}
		if lc.ID() == mainID {
			continue
		}
		if err := eal.RemoteLaunch(func(*eal.Lcore) error { w.loop(nil); return nil }, lc.ID()); err != nil {
			fmt.Fprintln(env.stderr, "l3fwd:", err)
			a.conf.quit.Store(true)
			break
		}
		launched = append(launched, lc.ID())
	}
	if env.started != nil {
		env.started(a)
	}
	period := o.statsPeriod
	if w := a.workers[mainID]; w != nil && !a.conf.quit.Load() {
		last := time.Now()
		w.loop(func() {
			if period > 0 && time.Since(last) >= period {
				last = time.Now()
				a.printStats(env.stdout)
			}
		})
	} else {
		var tick <-chan time.Time
		if period > 0 {
			t := time.NewTicker(period)
			defer t.Stop()
			tick = t.C
		}
	wait:
		for {
			select {
			case <-tick:
				a.printStats(env.stdout)
			case <-stopped:
				break wait
			}
		}
	}
	for _, id := range launched {
		if err := eal.WaitLcore(id); err != nil {
			fmt.Fprintf(env.stderr, "l3fwd: lcore %d: %v\n", id, err)
		}
	}
	a.printStats(env.stdout)
	a.close()
	fmt.Fprintln(env.stdout, "Bye...")
	return 0
}

func main() {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	os.Exit(run(os.Args, runEnv{stdout: os.Stdout, stderr: os.Stderr, stop: sig}))
}
