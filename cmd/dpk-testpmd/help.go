package main

// The interactive help, in DPDK's words and layout, listing the commands
// dpk-testpmd has.

func init() {
	addCommands(
		command{tokens: []string{"help"}, run: func(tp *testpmd, _ []string) { tp.helpBrief() }},
		command{tokens: []string{"help", "control|display|config|ports|all"}, run: func(tp *testpmd, f []string) { tp.helpLong(f[1]) }},
	)
}

func (tp *testpmd) helpBrief() {
	tp.printf("\n" +
		"Help is available for the following sections:\n\n" +
		"    help control                    : Start and stop forwarding.\n" +
		"    help display                    : Displaying port, stats and config information.\n" +
		"    help config                     : Configuration information.\n" +
		"    help ports                      : Configuring ports.\n" +
		"    help all                        : All of the above sections.\n\n")
}

func (tp *testpmd) helpLong(section string) {
	all := section == "all"
	if all || section == "control" {
		tp.printf("\n" +
			"Control forwarding:\n" +
			"-------------------\n\n" +
			"start\n" +
			"    Start packet forwarding with current configuration.\n\n" +
			"start tx_first\n" +
			"    Start packet forwarding with current config after sending one burst of packets.\n\n" +
			"start tx_first (number)\n" +
			"    Start packet forwarding with current config after sending (number) bursts of packets.\n\n" +
			"stop\n" +
			"    Stop packet forwarding, and display accumulated statistics.\n\n" +
			"quit\n" +
			"    Quit to prompt.\n\n")
	}
	if all || section == "display" {
		tp.printf("\n" +
			"Display:\n" +
			"--------\n\n" +
			"show port (info|stats|summary|xstats) (port_id|all)\n" +
			"    Display information for port_id, or all.\n\n" +
			"clear port (stats|xstats) (port_id|all)\n" +
			"    Clear information for port_id, or all.\n\n" +
			"show config (rxtx|cores|fwd|txpkts)\n" +
			"    Display the given configuration.\n\n" +
			"show fwd stats all\n" +
			"    Display statistics for all fwd engines.\n\n" +
			"clear fwd stats all\n" +
			"    Clear statistics for all fwd engines.\n\n")
	}
	if all || section == "config" {
		tp.printf("\n"+
			"Configuration:\n"+
			"--------------\n"+
			"Configuration changes only become active when forwarding is started/restarted.\n\n"+
			"set verbose (level)\n"+
			"    Set the debug verbosity level X.\n\n"+
			"set nbport (num)\n"+
			"    Set number of ports.\n\n"+
			"set nbcore (num)\n"+
			"    Set number of cores.\n\n"+
			"set coremask (mask)\n"+
			"    Set the forwarding cores hexadecimal mask.\n\n"+
			"set portmask (mask)\n"+
			"    Set the forwarding ports hexadecimal mask.\n\n"+
			"set burst (num)\n"+
			"    Set number of packets per burst.\n\n"+
			"set burst tx delay (microseconds) retry (num)\n"+
			"    Set the transmit delay time and number of retries, effective when retry is enabled.\n\n"+
			"set txpkts (x[,y]*)\n"+
			"    Set the length of each segment of TXONLY and optionally CSUM packets.\n\n"+
			"set eth-peer (port_id) (peer_addr)\n"+
			"    set the peer address for certain port.\n\n"+
			"set promisc (port_id|all) (on|off)\n"+
			"    Set the promiscuous mode on port_id, or all.\n\n"+
			"set allmulti (port_id|all) (on|off)\n"+
			"    Set the allmulti mode on port_id, or all.\n\n"+
			"set fwd (%s)\n"+
			"    Set packet forwarding mode.\n\n"+
			"set fwd (%s) retry\n"+
			"    Set packet forwarding mode with retry.\n\n", engineList(), engineList())
	}
	if all || section == "ports" {
		tp.printf("\n" +
			"Port Operations:\n" +
			"----------------\n\n" +
			"port start (port_id|all)\n" +
			"    Start all ports or port_id.\n\n" +
			"port stop (port_id|all)\n" +
			"    Stop all ports or port_id.\n\n" +
			"port close (port_id|all)\n" +
			"    Close all ports or port_id.\n\n")
	}
}
