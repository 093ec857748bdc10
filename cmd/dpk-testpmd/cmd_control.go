package main

// Commands that start and stop forwarding ("help control").

func init() {
	addCommands(
		command{tokens: []string{"start"}, run: func(tp *testpmd, _ []string) { tp.cmdStart(0) }},
		command{tokens: []string{"start", "tx_first"}, run: func(tp *testpmd, _ []string) { tp.cmdStart(1) }},
		command{tokens: []string{"start", "tx_first", tokNum}, run: func(tp *testpmd, f []string) { tp.cmdStart(int(num(f[2]))) }},
		command{tokens: []string{"stop"}, run: func(tp *testpmd, _ []string) { tp.stopPacketForwarding() }},
	)
}

// cmdStart starts forwarding; a configuration error is reported, not fatal.
func (tp *testpmd) cmdStart(txFirst int) {
	if err := tp.startPacketForwarding(txFirst); err != nil {
		tp.errorf("%v", err)
	}
}
