package main

// Commands that display ports, statistics and configuration
// ("help display").

func init() {
	addCommands(
		command{tokens: []string{"show|clear", "port", "info|summary|stats|xstats", "all"}, run: (*testpmd).cmdShowPort},
		command{tokens: []string{"show|clear", "port", "info|summary|stats|xstats", tokPort}, run: (*testpmd).cmdShowPort},
		command{tokens: []string{"show", "config", "rxtx|cores|fwd|txpkts"}, run: (*testpmd).cmdShowConfig},
		command{tokens: []string{"show|clear", "fwd", "stats", "all"}, run: (*testpmd).cmdShowFwdStats},
	)
}

func (tp *testpmd) cmdShowPort(f []string) {
	show, what := f[0] == "show", f[2]
	ids := tp.portIDs
	if f[3] != "all" {
		ids = []uint16{uint16(num(f[3]))}
	}
	if show && what == "summary" {
		tp.portSummaryHeader()
	}
	for _, id := range ids {
		switch {
		case !show && what == "stats":
			tp.nicStatsClear(id)
		case !show && what == "xstats":
			tp.nicXstatsClear(id)
		case !show:
		case what == "info":
			tp.portInfosDisplay(id)
		case what == "summary":
			tp.portSummaryDisplay(id)
		case what == "stats":
			tp.nicStatsDisplay(id)
		case what == "xstats":
			tp.nicXstatsDisplay(id)
		}
	}
}

func (tp *testpmd) cmdShowConfig(f []string) {
	switch f[2] {
	case "rxtx":
		tp.rxtxConfigDisplay()
	case "cores":
		tp.fwdLcoresConfigDisplay()
	case "fwd":
		tp.pktFwdConfigDisplay()
	case "txpkts":
		tp.showTxPktSegments()
	}
}

func (tp *testpmd) cmdShowFwdStats(f []string) {
	if f[0] == "show" {
		tp.fwdStatsDisplay()
	} else {
		tp.fwdStatsReset()
	}
}
