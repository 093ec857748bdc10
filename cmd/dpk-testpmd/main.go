package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"dpk/eal"
	"dpk/internal/sys"
)

// demoTime is how long the default demo (no arguments) forwards.
const demoTime = 10 * time.Second

// demoArgs is the default run: no hugepages or root needed, two null ports
// forwarding to each other on one forwarding lcore, stats every second.
// With one CPU both lcores share it.
func demoArgs(prog string) []string {
	lcores := "0@0,1@0"
	if cpus, err := sys.Topology(); err == nil && len(cpus) >= 2 {
		lcores = fmt.Sprintf("0@%d,1@%d", cpus[0].ID, cpus[1].ID)
	} else if err == nil && len(cpus) == 1 {
		lcores = fmt.Sprintf("0@%d,1@%d", cpus[0].ID, cpus[0].ID)
	}
	return []string{prog, "--no-huge", "--lcores", lcores, "--file-prefix", fmt.Sprintf("dpk-testpmd-demo-%d", os.Getpid()),
		"--vdev", "net_null0", "--vdev", "net_null1", "--", "--forward-mode=io", "--stats-period=1"}
}

func main() {
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr))
}

// run is the whole program: EAL, then testpmd; it returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	// As DPDK's testpmd, catch SIGINT and SIGTERM before anything else:
	// they end forwarding cleanly.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)

	if len(args) == 1 {
		args = demoArgs(args[0])
		fmt.Fprintf(stdout, "dpk-testpmd: no arguments: running the default demo for %v (two net_null ports, io forwarding;\n"+
			"Ctrl-C stops it earlier). It is the same as:\n  %s\n\n", demoTime, strings.Join(args, " "))
		go func() {
			time.Sleep(demoTime)
			sig <- syscall.SIGINT
		}()
	}
	appArgs, err := eal.Init(args)
	if errors.Is(err, eal.ErrHelp) {
		eal.Usage(stdout, args[0])
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "EAL: Error - exiting with code: 1\n  Cause: Cannot init EAL: %v\n", err)
		return 1
	}
	tp := newTestpmd(args[0], stdin, stdout, stderr)
	tp.sig = sig
	code := tp.main(appArgs, stdout, stderr)
	eal.Cleanup()
	return code
}

// main is testpmd's main() after rte_eal_init.
func (tp *testpmd) main(args []string, stdout, stderr io.Writer) int {
	err := tp.run(args, stdout, stderr)
	var ex *exitError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errHelp):
		return 0
	case errors.As(err, &ex):
		// rte_exit
		tp.errorf("EAL: Error - exiting with code: %d\n  Cause: %s", ex.code, ex.msg)
		return ex.code
	}
	tp.errorf("%v\n", err)
	return 1
}

func (tp *testpmd) run(args []string, stdout, stderr io.Writer) error {
	tp.initPorts()
	if len(tp.portIDs) == 0 {
		tp.logf("No probed ethernet devices\n")
	}
	if len(tp.fwdLcoreIDs) == 0 {
		return exitf("No cores defined for forwarding\nCheck the core mask argument\n")
	}
	if len(args) > 1 {
		if err := tp.parseArgs(args); err != nil {
			return err
		}
	}
	if tp.txFirst && tp.interactive {
		return exitf("--tx-first cannot be used on interactive mode.\n")
	}
	if tp.txFirst && tp.lscInterrupt {
		tp.errorf("Warning: lsc_interrupt needs to be off when using tx_first. Disabling.\n")
		tp.lscInterrupt = false
	}
	if tp.nbRxq > 1 && tp.nbRxq > tp.nbTxq {
		tp.errorf("Warning: nb_rxq=%d enables RSS configuration, but nb_txq=%d will prevent to fully test it.\n", tp.nbRxq, tp.nbTxq)
	}
	if err := tp.initConfig(); err != nil {
		return err
	}
	if err := tp.startPort(portAll); err != nil {
		if !tp.interactive {
			return exitf("Start ports failed\n")
		}
		tp.errorf("Start ports failed\n")
	}
	for _, id := range tp.portIDs {
		tp.setPromisc(id, true)
	}
	if tp.cmdlineFile != "" {
		tp.readCmdlineFile(tp.cmdlineFile)
	}
	if tp.interactive {
		if tp.autoStart {
			tp.printf("Start automatic packet forwarding\n")
			if err := tp.startPacketForwarding(0); err != nil {
				return err
			}
		}
		tp.prompt(stdout, stderr)
	} else {
		tp.printf("No commandline core given, start packet forwarding\n")
		txFirst := 0
		if tp.txFirst {
			txFirst = 1
		}
		if err := tp.startPacketForwarding(txFirst); err != nil {
			return err
		}
		tp.waitForQuit()
	}
	tp.exit()
	return nil
}

// waitForQuit prints the statistics every --stats-period seconds until a
// signal, or without a period waits for Enter (or a signal).
func (tp *testpmd) waitForQuit() {
	if tp.statsPeriod != 0 {
		tick := time.NewTicker(time.Duration(tp.statsPeriod) * time.Second)
		defer tick.Stop()
		tp.printStats()
		for {
			select {
			case <-tp.sig:
				return
			case <-tick.C:
				tp.printStats()
			}
		}
	}
	tp.printf("Press enter to exit\n")
	enter := make(chan struct{}, 1)
	go func() {
		var b [1]byte
		tp.in.Read(b[:])
		enter <- struct{}{}
	}()
	select {
	case <-enter:
	case <-tp.sig:
	}
}

// exit stops forwarding, then stops and closes every port (pmd_test_exit).
func (tp *testpmd) exit() {
	if !tp.testDone {
		tp.stopPacketForwarding()
	}
	tp.noLinkCheck = true
	ids := append([]uint16(nil), tp.portIDs...)
	for _, id := range ids {
		tp.printf("\nStopping port %d...\n", id)
		tp.stopPort(int(id))
	}
	for _, id := range ids {
		tp.printf("\nShutting down port %d...\n", id)
		tp.closePort(int(id))
	}
	if tp.pool != nil {
		for _, lc := range tp.lcores {
			tp.pool.CacheFlush(tp.pool.DefaultCache(lc.id))
		}
		tp.pool.CacheFlush(tp.pool.DefaultCache(eal.MainLcore().ID()))
		if inUse := tp.pool.InUseCount(); inUse != 0 {
			tp.logf("%d mbufs of %s were not returned\n", inUse, tp.pool.Name())
		}
		tp.pool.Free()
		tp.pool = nil
	}
	tp.printf("\nBye...\n")
}
