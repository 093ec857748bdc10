// Command dpk-test mirrors DPDK's dpdk-test: it takes EAL options, then the
// names of autotests to run, runs them in order and prints their output and
// "Test OK" or "Test Failed" for each, with the same test names and output
// lines as DPDK 22.11 so that one parser reads both.
//
//	dpk-test --no-huge -l 0-1 ring_perf_autotest
//
// With no test name it lists the tests. The exit status is 0 only when every
// named test passed.
package main

import (
	"errors"
	"fmt"
	"os"
	"runtime/pprof"
	"sort"

	"dpk/eal"
)

// autotest is one registered test, as DPDK's REGISTER_TEST_COMMAND.
type autotest struct {
	name string
	fn   func() error
}

var tests = map[string]autotest{}

// register adds a test; it is called from init functions.
func register(name string, fn func() error) {
	if _, dup := tests[name]; dup {
		panic("dpk-test: duplicate test " + name)
	}
	tests[name] = autotest{name: name, fn: fn}
}

// errSkipped is returned by a test that cannot run here (DPDK's TEST_SKIPPED).
var errSkipped = errors.New("skipped")

func main() {
	// DPK_CPUPROFILE=FILE writes a CPU profile of the run, for example to
	// refresh default.pgo (see README's performance section).
	if f := os.Getenv("DPK_CPUPROFILE"); f != "" {
		out, err := os.Create(f)
		if err != nil {
			fmt.Fprintln(os.Stderr, "dpk-test:", err)
			os.Exit(2)
		}
		if err := pprof.StartCPUProfile(out); err != nil {
			fmt.Fprintln(os.Stderr, "dpk-test:", err)
			os.Exit(2)
		}
		code := run(os.Args)
		pprof.StopCPUProfile()
		out.Close()
		os.Exit(code)
	}
	os.Exit(run(os.Args))
}

func run(args []string) int {
	rest, err := eal.Init(args)
	if errors.Is(err, eal.ErrHelp) {
		eal.Usage(os.Stdout, args[0])
		fmt.Println("\nTests:")
		listTests()
		return 0
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "dpk-test: %v\n", err)
		return 2
	}
	defer eal.Cleanup()
	names := rest[1:]
	if len(names) == 0 {
		listTests()
		return 0
	}
	for _, n := range names {
		if _, ok := tests[n]; !ok {
			fmt.Fprintf(os.Stderr, "dpk-test: unknown test %q (run dpk-test with no test name to list them)\n", n)
			return 2
		}
	}
	status := 0
	for _, n := range names {
		fmt.Printf("RTE>>%s\n", n)
		err := tests[n].fn()
		switch {
		case err == nil:
			fmt.Println("Test OK")
		case errors.Is(err, errSkipped):
			fmt.Printf("Test Skipped: %v\n", err)
		default:
			fmt.Printf("%v\nTest Failed\n", err)
			status = 1
		}
	}
	return status
}

func listTests() {
	names := make([]string, 0, len(tests))
	for n := range tests {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Println("\t" + n)
	}
}
