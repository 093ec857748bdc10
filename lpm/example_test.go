package lpm_test

import (
	"fmt"

	"dpk/eal"
	"dpk/lpm"
	"dpk/rcu"
)

// (The EAL is initialised by the package's TestMain; a program calls
// eal.Init first.)
func Example() {
	table, err := lpm.Create("routes", eal.SocketIDAny, lpm.Config{MaxRules: 1024, NumberTbl8s: 64})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer table.Free()

	ip := func(a, b, c, d uint32) uint32 { return a<<24 | b<<16 | c<<8 | d }
	table.Add(ip(10, 0, 0, 0), 8, 1)
	table.Add(ip(10, 1, 2, 0), 24, 2)
	table.Add(ip(10, 1, 2, 128), 25, 3)

	for _, a := range []uint32{ip(10, 9, 9, 9), ip(10, 1, 2, 3), ip(10, 1, 2, 200), ip(11, 0, 0, 1)} {
		hop, ok := table.Lookup(a)
		fmt.Println(hop, ok)
	}

	// Deleting the /24 leaves the /25; the /8 covers the rest again.
	table.Delete(ip(10, 1, 2, 0), 24)
	hops := make([]uint32, 2)
	table.LookupBulk([]uint32{ip(10, 1, 2, 3), ip(10, 1, 2, 200)}, hops)
	fmt.Println(hops[0]&lpm.MaxNextHop, hops[1]&lpm.MaxNextHop, lpm.Hits(hops))
	// Output:
	// 1 true
	// 2 true
	// 3 true
	// 0 false
	// 1 3 2
}

// Readers that look up while a writer deletes routes report quiescent
// states on an RCU variable attached to the table, so that tbl8 groups are
// not reused under them.
func ExampleLPM_RCUQsbrAdd() {
	table, _ := lpm.Create("rcu_routes", eal.SocketIDAny, lpm.Config{MaxRules: 16, NumberTbl8s: 1})
	defer table.Free()
	v, _ := rcu.NewQSBR(1)
	table.RCUQsbrAdd(lpm.RCUConfig{V: v, Mode: lpm.RCUModeDQ})

	// A reader (here in the same goroutine) with thread id 0.
	v.ThreadRegister(0)
	v.ThreadOnline(0)

	table.Add(0xc0000264, 28, 1) // 192.0.2.96/28 takes the only tbl8 group
	table.Delete(0xc0000264, 28) // the group waits for the reader
	fmt.Println(table.Add(0xc6336401, 32, 2) != nil, table.Info().Tbl8Defer)

	v.Quiescent(0) // the reader holds nothing from before
	fmt.Println(table.Add(0xc6336401, 32, 2), table.Info().Tbl8InUse)
	// Output:
	// true 1
	// <nil> 1
}
