package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync/atomic"
	"time"

	"dpk/eal"
	"dpk/ethdev"
	"dpk/internal/sys"
	"dpk/mbuf"
	"dpk/mempool"
)

// network is one lab set-up: the two dpk ports to forward between and the
// traffic at their far ends.
type network interface {
	describe() string
	driverName() string
	portIDs() (a, b uint16)
	// created names the namespaces and interfaces the set-up made.
	created() []string
	// frameLen is the length on the wire of a frame with size payload bytes.
	frameLen(size int) int
	// start starts the receiver, then the sender, for the run m.
	start(m *meter, tr traffic) error
	stopSending() error
	stopReceiving() error
	// Close tears the set-up down, also after a failed start.
	Close() error
}

// labConfig is what a lab run does.
type labConfig struct {
	driver   string // af_xdp, af_packet, tap or ring
	duration time.Duration
	traffic
	burst  int
	sweep  []int  // burst sizes, one run each; empty: one run at burst
	report string // HTML file to write, if any
	out    io.Writer
	log    io.Writer
	tty    bool
}

// pointResult is the outcome of one run (one burst size).
type pointResult struct {
	Burst                  int
	Elapsed                time.Duration
	Sent, Received, Lost   uint64
	Reordered, Foreign     uint64
	TxPps, RxPps, RxMbps   float64
	Forwarded, FwdDropped  uint64
	CyclesPerPkt           float64
	LatMin, LatAvg, LatP99 float64 // µs
	LatMax                 float64
	PortA, PortB           ethdev.Stats
}

// LossRatio is the share of sent packets that did not arrive.
func (p *pointResult) LossRatio() float64 {
	if p.Sent == 0 {
		return 0
	}
	return float64(p.Lost) / float64(p.Sent)
}

// sample is one line of the live display: one second (or the last part of
// one) of one run.
type sample struct {
	T                      float64 // seconds of traffic since the first run began
	Point                  int
	TxMpps, RxMpps, RxMbps float64
	Missing                uint64  // sequence gaps so far in the run
	LatMin, LatAvg, LatP99 float64 // µs, 0 when nothing arrived
	Cycles                 float64 // forwarder cycles per packet
}

// labResult is the outcome of a lab.
type labResult struct {
	Driver      string
	Setup       string
	Config      labConfig
	Points      []pointResult
	Samples     []sample
	Created     []string
	Start       time.Time
	Interrupted bool
	TSCHz       uint64
	// MbufsInUse counts the mbufs not back in the pool after teardown
	// (0 unless something leaked).
	MbufsInUse uint32
}

// errNeedWorker is returned when the EAL has no worker lcore to forward on.
var poolSeq atomic.Uint32

var errNeedWorker = errors.New("dpk-lab needs a worker lcore for forwarding: give the EAL two lcores (-l 0-1)")

// setupPort configures a port with one RX and one TX queue and starts it.
func setupPort(port uint16, pool *mempool.Mempool) error {
	if err := ethdev.Configure(port, 1, 1, &ethdev.Conf{}); err != nil {
		return err
	}
	if err := ethdev.RxQueueSetup(port, 0, 1024, eal.SocketIDAny, nil, pool); err != nil {
		return err
	}
	if err := ethdev.TxQueueSetup(port, 0, 1024, eal.SocketIDAny, nil); err != nil {
		return err
	}
	if err := ethdev.Start(port); err != nil {
		return err
	}
	ethdev.PromiscuousSet(port, true) // as testpmd; not every driver has it
	return nil
}

// trafficCPUs returns the CPUs for the traffic threads: the main lcore's,
// unless the forwarding lcore shares them.
func trafficCPUs(fwd *eal.Lcore) []int {
	cpus := eal.MainLcore().CPUs()
	for _, c := range cpus {
		if slices.Contains(fwd.CPUs(), c) {
			return nil
		}
	}
	return cpus
}

// runLab builds the lab, runs it once per burst size and tears it down. The
// EAL must be initialised. When ctx ends the current run stops early, the
// lab is torn down and the result says Interrupted.
func runLab(ctx context.Context, cfg labConfig) (res *labResult, err error) {
	workers := eal.Workers()
	if len(workers) == 0 {
		return nil, errNeedWorker
	}
	fwdLcore := workers[0]
	bursts := cfg.sweep
	if len(bursts) == 0 {
		bursts = []int{cfg.burst}
	}
	res = &labResult{Config: cfg, Start: time.Now(), TSCHz: sys.TimerHz()}

	poolSize, room := uint32(8191), uint16(mbuf.DefaultBufSize)
	if cfg.driver == "ring" {
		// Fewer mbufs than a ring has slots, so no ring ever overflows:
		// the generator waits for mbufs instead. Data rooms just fit.
		poolSize = ringLabPool
		room = uint16(mbuf.DefaultHeadroom + (cfg.size+udpOverhead+63)&^63)
	}
	pool, err := mbuf.PoolCreate(fmt.Sprintf("dpklab_pool_%d", poolSeq.Add(1)), poolSize, 256, 0, room, eal.SocketIDAny)
	if err != nil {
		return nil, fmt.Errorf("mbuf pool: %w", err)
	}
	defer pool.Free()

	var nw network
	if cfg.driver == "ring" {
		rn, err := newRingNet(pool)
		if err != nil {
			return nil, err
		}
		rn.cpus = trafficCPUs(fwdLcore)
		nw = rn
	} else {
		kn, err := newKernelNet(ctx, cfg.driver, cfg.log)
		if err != nil {
			if ctx.Err() != nil {
				res.Interrupted = true
				return res, nil
			}
			return nil, err
		}
		kn.cpus = trafficCPUs(fwdLcore)
		nw = kn
	}
	res.Driver, res.Setup, res.Created = nw.driverName(), nw.describe(), nw.created()
	defer func() {
		if cerr := nw.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("teardown: %w", cerr)
		}
		for _, lc := range eal.Lcores() {
			pool.CacheFlush(pool.DefaultCache(lc.ID()))
		}
		res.MbufsInUse = pool.InUseCount()
		if res.MbufsInUse != 0 {
			fmt.Fprintf(cfg.log, "dpk-lab: %d mbufs of %s were not returned\n", res.MbufsInUse, pool.Name())
		}
	}()
	a, b := nw.portIDs()
	for _, p := range []uint16{a, b} {
		if err := setupPort(p, pool); err != nil {
			return res, fmt.Errorf("port %d (%s): %w", p, ethdev.Name(p), err)
		}
	}
	fmt.Fprintf(cfg.out, "dpk-lab: %s\n", res.Setup)
	disp := newDisplay(cfg.out, cfg.tty)
	for i, burst := range bursts {
		if ctx.Err() != nil {
			res.Interrupted = true
			break
		}
		pr, err := runPoint(ctx, cfg, nw, fwdLcore, uint32(i), burst, res, disp)
		if err != nil {
			return res, err
		}
		res.Points = append(res.Points, pr)
		disp.point(&pr, nw, len(bursts) > 1)
		if ctx.Err() != nil {
			res.Interrupted = true
		}
	}
	if len(bursts) > 1 {
		disp.sweepTable(res.Points)
	}
	return res, nil
}

// runPoint runs the traffic for cfg.duration through a forwarder with the
// given burst size.
func runPoint(ctx context.Context, cfg labConfig, nw network, lc *eal.Lcore, point uint32, burst int, res *labResult, disp *display) (pointResult, error) {
	pr := pointResult{Burst: burst}
	// Samples are timed from the start of the first run's traffic.
	var offset time.Duration
	for _, p := range res.Points {
		offset += p.Elapsed
	}
	a, b := nw.portIDs()
	ethdev.StatsReset(a)
	ethdev.StatsReset(b)
	f := newForwarder(a, b, burst)
	if err := eal.RemoteLaunch(f.run, lc.ID()); err != nil {
		return pr, fmt.Errorf("launch forwarding on lcore %d: %w", lc.ID(), err)
	}
	stopFwd := func() error {
		f.stop.Store(true)
		return eal.WaitLcore(lc.ID())
	}
	m := &meter{point: point}
	if err := nw.start(m, cfg.traffic); err != nil {
		stopFwd()
		return pr, err
	}
	disp.begin(cfg.duration, burst, len(cfg.sweep) > 1)

	start := time.Now()
	deadline := time.NewTimer(cfg.duration)
	defer deadline.Stop()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var last struct {
		t time.Time
		c counts
		f fwdCounts
	}
	last.t = start
	var iv hist
	takeSample := func(now time.Time) {
		c := m.snapshot(&iv)
		fc := f.counts()
		dt := now.Sub(last.t).Seconds()
		if dt <= 0 {
			return
		}
		s := sample{
			T:       (offset + now.Sub(start)).Seconds(),
			Point:   int(point),
			TxMpps:  float64(c.sent-last.c.sent) / dt / 1e6,
			RxMpps:  float64(c.recv-last.c.recv) / dt / 1e6,
			RxMbps:  float64(c.bytes-last.c.bytes) * 8 / dt / 1e6,
			Missing: c.missing,
			Cycles:  fc.sub(last.f).cyclesPerPacket(),
		}
		if iv.Count() > 0 {
			s.LatMin, s.LatAvg, s.LatP99 = float64(iv.Min())/1e3, iv.Mean()/1e3, float64(iv.Quantile(0.99))/1e3
		}
		res.Samples = append(res.Samples, s)
		disp.sample(now.Sub(start), &s, c)
		last.t, last.c, last.f = now, c, fc
	}
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-deadline.C:
			break loop
		case now := <-tick.C:
			takeSample(now)
		}
	}
	sendErr := nw.stopSending()
	pr.Elapsed = time.Since(start)
	if now := time.Now(); now.Sub(last.t) >= 100*time.Millisecond {
		takeSample(now)
	}
	drain(m)
	recvErr := nw.stopReceiving()
	fwdErr := stopFwd()
	disp.end()

	var all hist
	c := m.totals(&all)
	fc := f.counts()
	pr.Sent, pr.Received, pr.Reordered, pr.Foreign = c.sent, c.recv, c.reordered, c.foreign
	if c.sent > c.recv {
		pr.Lost = c.sent - c.recv
	}
	secs := pr.Elapsed.Seconds()
	pr.TxPps = float64(c.sent) / secs
	pr.RxPps = float64(c.recv) / secs
	pr.RxMbps = float64(c.bytes) * 8 / secs / 1e6
	pr.Forwarded, pr.FwdDropped = fc.rx, fc.dropped
	pr.CyclesPerPkt = fc.cyclesPerPacket()
	if all.Count() > 0 {
		pr.LatMin, pr.LatAvg = float64(all.Min())/1e3, all.Mean()/1e3
		pr.LatP99, pr.LatMax = float64(all.Quantile(0.99))/1e3, float64(all.Max())/1e3
	}
	pr.PortA, _ = ethdev.StatsGet(a)
	pr.PortB, _ = ethdev.StatsGet(b)
	return pr, errors.Join(sendErr, recvErr, fwdErr)
}

// drain waits until every packet sent has arrived, or none has arrived
// for 200 ms, or 2 s have passed.
func drain(m *meter) {
	end := time.Now().Add(2 * time.Second)
	lastRecv, lastMove := uint64(0), time.Now()
	for time.Now().Before(end) {
		c := m.snapshot(nil)
		if c.recv >= c.sent {
			return
		}
		if c.recv != lastRecv {
			lastRecv, lastMove = c.recv, time.Now()
		} else if time.Since(lastMove) > 200*time.Millisecond {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}
