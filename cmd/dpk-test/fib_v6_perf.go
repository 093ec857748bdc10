package main

// fib6_perf_autotest: DPDK 22.11's app/test/test_fib6_perf.c in Go. It
// adds the 1000 routes of large_route_table (lpm6_data.go) to a trie FIB
// of 4-byte next hops and 1,000,000 tbl8 groups, with next hops 1 to
// 16384, looks up the 100,000 addresses of large_ips_table (made as
// lpm6_perf_autotest makes them, from glibc's lrand48) 1024 times in one
// bulk, deletes the routes, and prints the same lines:
//
//	Average FIB Add: cycles per add
//	BULK FIB Lookup: cycles per address (fails = % that got the default 0)
//	Average FIB Delete: cycles per delete

import (
	"fmt"

	"dpk/eal"
	"dpk/fib/fib6"
	"dpk/internal/sys"
)

func init() {
	register("fib6_perf_autotest", fib6PerfAutotest)
}

func fib6PerfAutotest() error {
	fmt.Printf("No. routes = %d\n", len(lpm6LargeRouteTable))
	lpm6PrintDistribution("")

	// Only the addresses: the next hops are not needed here.
	ips := lpm6GenerateIPs(false)

	f, err := fib6.Create("test_fib6_perf", eal.SocketIDAny, fib6.Config{
		Type: fib6.Trie, DefaultNH: 0, MaxRoutes: 1000000, NHSize: fib6.NH4B,
		NumTbl8: uint32(min(fib6.NH4B.MaxNextHop(), 1000000)),
	})
	if err != nil {
		return err
	}
	defer f.Free()

	status := 0
	begin := sys.Rdtsc()
	for i := range lpm6LargeRouteTable {
		rt := &lpm6LargeRouteTable[i]
		nextHopAdd := uint64(i&(1<<14-1)) + 1
		if f.Add(rt.ip, rt.depth, nextHopAdd) == nil {
			status++
		}
	}
	total := sys.Rdtsc() - begin
	fmt.Printf("Unique added entries = %d\n", status)
	fmt.Printf("Average FIB Add: %s cycles\n", fibPrintfG(float64(total)/float64(len(lpm6LargeRouteTable))))

	total = 0
	count := 0
	batch := make([][16]byte, len(ips))
	for i := range ips {
		batch[i] = ips[i].ip
	}
	nextHops := make([]uint64, len(ips))
	for range lpm6PerfIterations {
		begin := sys.Rdtsc()
		f.LookupBulk(batch, nextHops)
		total += sys.Rdtsc() - begin
		for _, nh := range nextHops {
			if nh == 0 {
				count++
			}
		}
	}
	lookups := float64(lpm6PerfIterations * lpm6PerfBatchSize)
	fmt.Printf("BULK FIB Lookup: %.1f cycles (fails = %.1f%%)\n", float64(total)/lookups, float64(count)*100/lookups)

	begin = sys.Rdtsc()
	for i := range lpm6LargeRouteTable {
		rt := &lpm6LargeRouteTable[i]
		f.Delete(rt.ip, rt.depth)
	}
	total = sys.Rdtsc() - begin
	fmt.Printf("Average FIB Delete: %s cycles\n", fibPrintfG(float64(total)/float64(len(lpm6LargeRouteTable))))
	return nil
}
