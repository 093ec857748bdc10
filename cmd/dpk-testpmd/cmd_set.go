package main

import (
	"strconv"
	"strings"

	"dpk/ethdev"
	"dpk/pkt"
)

// Commands that change the configuration ("help config").

func init() {
	addCommands(
		command{tokens: []string{"set", "fwd"}, run: func(tp *testpmd, _ []string) {
			tp.printf("set fwd %s: Set packet forwarding mode\n", engineList())
		}},
		command{tokens: []string{"set", "fwd", tokMode}, run: func(tp *testpmd, f []string) {
			tp.retry = false
			tp.setFwdMode(f[2])
		}},
		command{tokens: []string{"set", "fwd", tokMode, "retry"}, run: func(tp *testpmd, f []string) {
			tp.retry = true
			tp.setFwdMode(f[2])
		}},
		command{tokens: []string{"set", "nbport|nbcore|burst|verbose", tokNum}, run: (*testpmd).cmdSetNumber},
		command{tokens: []string{"set", "burst", "tx", "delay", tokNum, "retry", tokNum}, run: func(tp *testpmd, f []string) {
			tp.retryDelayUs, tp.retryNum = uint32(num(f[4])), uint32(num(f[6]))
		}},
		command{tokens: []string{"set", "coremask|portmask", tokStr}, run: (*testpmd).cmdSetMask},
		command{tokens: []string{"set", "promisc|allmulti", "all", "on|off"}, run: (*testpmd).cmdSetPromisc},
		command{tokens: []string{"set", "promisc|allmulti", tokPort, "on|off"}, run: (*testpmd).cmdSetPromisc},
		command{tokens: []string{"set", "eth-peer", tokPort, tokStr}, run: (*testpmd).cmdSetEthPeer},
		command{tokens: []string{"set", "txpkts", tokStr}, run: (*testpmd).cmdSetTxpkts},
	)
}

func (tp *testpmd) cmdSetNumber(f []string) {
	v := num(f[2])
	if v > 0xffff {
		tp.printf("Bad arguments\n")
		return
	}
	switch f[1] {
	case "nbport":
		if !tp.testDone {
			// The forwarding lcores are using the streams.
			tp.errorf("Please stop forwarding first\n")
			return
		}
		if int(v) > len(tp.fwdPortIDs) {
			tp.errorf("nb fwd ports %d > %d (number of configured ports) - ignored\n", v, len(tp.fwdPortIDs))
		} else {
			tp.nbFwdPorts = int(v)
			tp.printf("Number of forwarding ports set to %d\n", v)
		}
		tp.fwdConfigSetup()
	case "nbcore":
		switch {
		case !tp.testDone:
			tp.errorf("Please stop forwarding first\n")
		case int(v) > len(tp.fwdLcoreIDs):
			tp.errorf("nb fwd cores %d > %d (max. number of configured lcores) - ignored\n", v, len(tp.fwdLcoreIDs))
		default:
			tp.nbFwdLcores = int(v)
			tp.printf("Number of forwarding cores set to %d\n", v)
		}
		if tp.testDone {
			tp.fwdConfigSetup()
		}
	case "burst":
		if v > maxPktBurst {
			tp.errorf("nb pkt per burst: %d > %d (maximum packet per burst)  ignored\n", v, maxPktBurst)
			return
		}
		tp.burst = uint16(v)
		tp.printf("Number of packets per burst set to %d\n", v)
	case "verbose":
		tp.setVerbose(uint16(v))
	}
}

func (tp *testpmd) cmdSetMask(f []string) {
	m, ok := parseHex(f[2])
	if !ok {
		tp.printf("Bad arguments\n")
		return
	}
	if f[1] == "coremask" {
		if !tp.testDone {
			tp.errorf("Please stop forwarding first\n")
			return
		}
		if tp.setFwdLcoresMask(m) == nil {
			tp.fwdConfigSetup()
		}
		return
	}
	if !tp.testDone {
		tp.errorf("Please stop forwarding first\n")
		return
	}
	tp.setFwdPortsMask(m)
	tp.fwdConfigSetup()
}

func (tp *testpmd) cmdSetPromisc(f []string) {
	on := f[3] == "on"
	ids := tp.portIDs
	if f[2] != "all" {
		ids = []uint16{uint16(num(f[2]))}
	}
	for _, id := range ids {
		if tp.portIsInvalid(id, true) {
			continue
		}
		if f[1] == "promisc" {
			tp.setPromisc(id, on)
		} else {
			tp.setAllmulti(id, on)
		}
	}
}

func (tp *testpmd) cmdSetEthPeer(f []string) {
	id := uint16(num(f[2]))
	if !ethdev.IsValid(id) {
		tp.errorf("Error: Invalid port number %d\n", id)
		return
	}
	a, err := pkt.ParseMAC(f[3])
	if err != nil {
		tp.errorf("Error: Invalid ethernet address: %s\n", f[3])
		return
	}
	tp.peers[id] = a
}

func (tp *testpmd) cmdSetTxpkts(f []string) {
	if !tp.testDone {
		// txonly reads the segment lengths while it runs.
		tp.errorf("Please stop forwarding first\n")
		return
	}
	var l []uint64
	for _, s := range strings.Split(f[2], ",") {
		n, err := strconv.ParseUint(s, 10, 32)
		if err != nil {
			tp.printf("Bad arguments\n")
			return
		}
		l = append(l, n)
	}
	if len(l) > maxSegsPerPkt {
		tp.errorf("Tx segment size(%d) is bigger than max number of segment(%d)\n", len(l), maxSegsPerPkt)
		return
	}
	if msg := tp.setTxPktSegments(l); msg != "" {
		tp.errorf("%s", msg)
	}
}
