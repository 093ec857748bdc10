package main

import (
	"sync/atomic"

	"dpk/eal"
	"dpk/ethdev"
	"dpk/internal/sys"
	"dpk/mbuf"
)

const (
	// maxBurst is the largest --burst.
	maxBurst = 512
	// txRetries is how many more times a burst TX did not take whole is
	// tried before the rest is dropped (testpmd's --burst-tx-retry idea).
	txRetries = 64
)

// forwarder is testpmd's io forwarding engine on one worker lcore, both
// directions: every packet received on queue 0 of one port is sent as it
// is on queue 0 of the other. Its loop makes no heap allocation.
type forwarder struct {
	ports [2]uint16
	burst int
	stop  atomic.Bool

	// Written by the lcore, read by the display.
	rx, tx, dropped atomic.Uint64
	// busy is the TSC cycles spent in polls that moved packets (from
	// before RX to after TX), as testpmd's --record-core-cycles counts.
	busy atomic.Uint64

	pkts [maxBurst]*mbuf.Mbuf
}

// newForwarder returns a forwarder between ports a and b.
func newForwarder(a, b uint16, burst int) *forwarder {
	if burst < 1 {
		burst = 1
	}
	if burst > maxBurst {
		burst = maxBurst
	}
	return &forwarder{ports: [2]uint16{a, b}, burst: burst}
}

// run is the lcore's loop; it returns when stop is set.
func (f *forwarder) run(lc *eal.Lcore) error {
	id := lc.ID()
	for !f.stop.Load() {
		f.poll(0, id)
		f.poll(1, id)
	}
	return nil
}

// poll forwards one burst from port side to the other.
func (f *forwarder) poll(side int, lcore uint32) {
	t0 := sys.Rdtsc()
	n := ethdev.RxBurst(f.ports[side], 0, f.pkts[:f.burst])
	if n == 0 {
		return
	}
	out := f.ports[1-side]
	sent := ethdev.TxBurst(out, 0, f.pkts[:n])
	for try := 0; sent < n && try < txRetries; try++ {
		sys.Pause()
		sent += ethdev.TxBurst(out, 0, f.pkts[sent:n])
	}
	if sent < n {
		mbuf.FreeBulk(f.pkts[sent:n], lcore)
		f.dropped.Add(uint64(n - sent))
	}
	f.rx.Add(uint64(n))
	f.tx.Add(uint64(sent))
	f.busy.Add(sys.Rdtsc() - t0)
}

// fwdCounts is a snapshot of a forwarder's counters.
type fwdCounts struct {
	rx, tx, dropped, busy uint64
}

func (f *forwarder) counts() fwdCounts {
	return fwdCounts{rx: f.rx.Load(), tx: f.tx.Load(), dropped: f.dropped.Load(), busy: f.busy.Load()}
}

// cyclesPerPacket is busy cycles per packet forwarded (0 when none).
func (c fwdCounts) cyclesPerPacket() float64 {
	if c.rx == 0 {
		return 0
	}
	return float64(c.busy) / float64(c.rx)
}

func (c fwdCounts) sub(o fwdCounts) fwdCounts {
	return fwdCounts{rx: c.rx - o.rx, tx: c.tx - o.tx, dropped: c.dropped - o.dropped, busy: c.busy - o.busy}
}
