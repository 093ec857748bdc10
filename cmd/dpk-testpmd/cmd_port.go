package main

// Commands that operate ports ("help ports").

func init() {
	addCommands(
		command{tokens: []string{"port", "start|stop|close", "all"}, run: (*testpmd).cmdPort},
		command{tokens: []string{"port", "start|stop|close", tokPort}, run: (*testpmd).cmdPort},
	)
}

func (tp *testpmd) cmdPort(f []string) {
	pid := portArg(f[2])
	switch f[1] {
	case "start":
		tp.startPort(pid)
	case "stop":
		tp.stopPort(pid)
	case "close":
		tp.closePort(pid)
	}
}
