package eal_test

import (
	"fmt"

	"dpk/eal"
)

// Initialise the EAL from a DPDK command line, run a function on every
// lcore and reserve a named memzone.
func Example() {
	rest, err := eal.Init([]string{"app", "--no-huge", "--in-memory", "-l", "0", "--log-level", "lib.eal:error", "--", "--app-flag"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer eal.Cleanup()
	fmt.Println("app args:", rest[1:])

	eal.MpRemoteLaunch(func(lc *eal.Lcore) error {
		fmt.Println("hello from lcore", lc.ID())
		return nil
	}, true)
	eal.MpWaitLcore()

	mz, err := eal.MemzoneReserve("example", 4096, eal.SocketIDAny, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	found, _ := eal.MemzoneLookup("example")
	fmt.Println(found.Name(), found.Len(), found.Addr() == mz.Addr())
	// Output:
	// app args: [--app-flag]
	// hello from lcore 0
	// example 4096 true
}
