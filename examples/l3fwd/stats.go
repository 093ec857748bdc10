package main

import (
	"fmt"
	"io"

	"dpk/ethdev"
)

// counts are statistics summed over the lcores.
type counts struct {
	rx, tx [ethdev.MaxPorts]uint64
	drop   [numDrops]uint64
}

// counts sums the workers' counters. It may run while they forward.
func (a *app) counts() counts {
	var c counts
	for _, w := range a.workers {
		for p := range c.rx {
			c.rx[p] += w.stats.rx[p].Load()
			c.tx[p] += w.stats.tx[p].Load()
		}
		for r := range c.drop {
			c.drop[r] += w.stats.drop[r].Load()
		}
	}
	return c
}

// printStats writes the per-port counters (the application's, and what
// the port missed for want of RX room) and the drops by reason. DPDK's
// l3fwd prints none; the layout follows l2fwd's.
func (a *app) printStats(w io.Writer) {
	c := a.counts()
	fmt.Fprint(w, "\nPort statistics ====================================")
	var rx, tx, missed, dropped uint64
	for _, p := range a.ports {
		var st ethdev.Stats
		if ethdev.IsValid(p) {
			st, _ = ethdev.StatsGet(p)
		}
		fmt.Fprintf(w, "\nStatistics for port %d ------------------------------"+
			"\nPackets received: %20d"+
			"\nPackets sent: %24d"+
			"\nPackets missed: %22d", p, c.rx[p], c.tx[p], st.IMissed)
		rx += c.rx[p]
		tx += c.tx[p]
		missed += st.IMissed
	}
	fmt.Fprint(w, "\nDropped packets by reason ==========================")
	for r, n := range c.drop {
		fmt.Fprintf(w, "\n%s: %*d", dropNames[r], 36-len(dropNames[r]), n)
		dropped += n
	}
	fmt.Fprintf(w, "\nAggregate statistics ==============================="+
		"\nTotal packets received: %14d"+
		"\nTotal packets sent: %18d"+
		"\nTotal packets dropped: %15d"+
		"\nTotal packets missed: %16d"+
		"\n====================================================\n", rx, tx, dropped, missed)
}
