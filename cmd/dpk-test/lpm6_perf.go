package main

// lpm6_perf_autotest: DPDK 22.11's app/test/test_lpm6_perf.c in Go. It
// adds the 1000 routes of large_route_table (lpm6_data.go) with next hop
// 0xAA, then looks up the 100,000 addresses of large_ips_table, built as
// test_lpm6_data.h's generate_large_ips_table builds them (from glibc's
// lrand48, so the very same addresses as DPDK's run), 1024 times one by
// one and 1024 times in one bulk, and deletes the routes, printing the
// same lines:
//
//	Average LPM Add: cycles per add
//	Average LPM Lookup: cycles per lookup (fails = % of lookups that miss)
//	BULK LPM Lookup: likewise for LookupBulk
//	Average LPM Delete: cycles per delete
//
// As in DPDK, the delete figure is not reset after the bulk lookups: it is
// (time of all bulk lookups + time of all deletes) / 1000, which the
// lookups dominate.

import (
	"fmt"
	"strings"

	"dpk/eal"
	"dpk/internal/sys"
	"dpk/lpm6"
)

func init() {
	register("lpm6_perf_autotest", lpm6PerfAutotest)
}

// lpm6Route is struct rules_tbl_entry.
type lpm6Route struct {
	ip      [16]byte
	depth   uint8
	nextHop uint8
}

const (
	lpm6PerfIterations = 1 << 10
	lpm6PerfBatchSize  = 100000
	lpm6NumIPs         = len(lpm6LargeRouteTable) * 100 // NUM_IPS_ENTRIES
)

// lpm6IP is struct ips_tbl_entry.
type lpm6IP struct {
	ip      [16]byte
	nextHop uint8
}

// lpm6MaskPrefix is mask_ip6_prefix: it copies the first depth bits of
// in into out. Its depth is a uint8 that wraps when a depth that is not a
// multiple of 8 goes below zero, after which the rest of in is copied too;
// so does this one.
func lpm6MaskPrefix(out *[16]byte, in *[16]byte, depth uint8) {
	for k := range out {
		switch {
		case depth >= 8:
			out[k] = in[k]
		case depth > 0:
			maskIn := byte(0xff << (8 - depth))
			out[k] = in[k]&maskIn | out[k]&^maskIn
		default:
			return
		}
		depth -= 8
	}
}

// lpm6CheckRule is check_lpm6_rule: 0 when ip matches rule/depth.
func lpm6CheckRule(ip, rule *[16]byte, depth uint8) int {
	for k := range ip {
		switch {
		case depth >= 8:
			if ip[k] != rule[k] {
				return -1
			}
		case depth > 0:
			m := byte(0xff << (8 - depth))
			if ip[k]&m == rule[k]&m {
				return 0
			}
			return -1
		default:
			return 0
		}
		depth -= 8
	}
	return 0
}

// lpm6GenerateIPs is generate_large_ips_table: 100 addresses per route,
// random bytes from lrand48 with the route's prefix laid over them, and,
// when withNextHop is set, the next hop the brute-force get_next_hop
// expects for each.
func lpm6GenerateIPs(withNextHop bool) []lpm6IP {
	ips := make([]lpm6IP, lpm6NumIPs)
	for i := range ips {
		for j := range ips[i].ip {
			ips[i].ip[j] = byte(libcRand48.lrand48())
		}
	}
	per := lpm6NumIPs / len(lpm6LargeRouteTable)
	for i := range ips {
		rt := &lpm6LargeRouteTable[i/per]
		lpm6MaskPrefix(&ips[i].ip, &rt.ip, rt.depth)
	}
	if withNextHop {
		for i := range ips {
			maxDepth := uint8(0)
			for j := range lpm6LargeRouteTable {
				rt := &lpm6LargeRouteTable[j]
				if rt.depth >= maxDepth && lpm6CheckRule(&ips[i].ip, &rt.ip, rt.depth) == 0 {
					ips[i].nextHop = rt.nextHop
					maxDepth = rt.depth
				}
			}
		}
	}
	return ips
}

// lpm6PrintDistribution is print_route_distribution of test_lpm6_perf.c
// (its header lines end in a blank, as DPDK's do); trailer is printed
// after "width:" and after the dashes.
func lpm6PrintDistribution(trailer string) {
	var b strings.Builder
	fmt.Fprintf(&b, "Route distribution per prefix width:%s\n", trailer)
	b.WriteString("DEPTH    QUANTITY (PERCENT)\n")
	fmt.Fprintf(&b, "---------------------------%s\n", trailer)
	n := len(lpm6LargeRouteTable)
	for d := 1; d <= 128; d++ {
		count := 0
		for j := range lpm6LargeRouteTable {
			if int(lpm6LargeRouteTable[j].depth) == d {
				count++
			}
		}
		fmt.Fprintf(&b, "%02d%15d (%.2f)\n", d, count, float64(count)/float64(n)*100)
	}
	b.WriteString("\n")
	fmt.Print(b.String())
}

func lpm6PerfAutotest() error {
	const nextHopAdd = 0xAA
	fmt.Printf("No. routes = %d\n", len(lpm6LargeRouteTable))
	lpm6PrintDistribution(" ")

	// Only the addresses: the next hops are not needed here.
	ips := lpm6GenerateIPs(false)

	l, err := lpm6.Create("test_lpm6_perf", eal.SocketIDAny, lpm6.Config{MaxRules: 1000000, NumberTbl8s: 1 << 16})
	if err != nil {
		return err
	}
	defer l.Free()

	status := 0
	begin := sys.Rdtsc()
	for i := range lpm6LargeRouteTable {
		rt := &lpm6LargeRouteTable[i]
		if l.Add(rt.ip, rt.depth, nextHopAdd) == nil {
			status++
		}
	}
	total := sys.Rdtsc() - begin
	fmt.Printf("Unique added entries = %d\n", status)
	fmt.Printf("Average LPM Add: %s cycles\n", fibPrintfG(float64(total)/float64(len(lpm6LargeRouteTable))))

	// Single lookups.
	total = 0
	count := 0
	for range lpm6PerfIterations {
		begin := sys.Rdtsc()
		for j := range ips {
			if _, ok := l.Lookup(&ips[j].ip); !ok {
				count++
			}
		}
		total += sys.Rdtsc() - begin
	}
	lookups := float64(lpm6PerfIterations * lpm6PerfBatchSize)
	fmt.Printf("Average LPM Lookup: %.1f cycles (fails = %.1f%%)\n", float64(total)/lookups, float64(count)*100/lookups)

	// Bulk lookups.
	total = 0
	count = 0
	batch := make([][16]byte, len(ips))
	for i := range ips {
		batch[i] = ips[i].ip
	}
	nextHops := make([]int32, len(ips))
	for range lpm6PerfIterations {
		begin := sys.Rdtsc()
		l.LookupBulk(batch, nextHops)
		total += sys.Rdtsc() - begin
		for _, nh := range nextHops {
			if nh < 0 {
				count++
			}
		}
	}
	fmt.Printf("BULK LPM Lookup: %.1f cycles (fails = %.1f%%)\n", float64(total)/lookups, float64(count)*100/lookups)

	// Delete. DPDK does not reset total_time here: the figure carries
	// the bulk lookups' time too.
	begin = sys.Rdtsc()
	for i := range lpm6LargeRouteTable {
		rt := &lpm6LargeRouteTable[i]
		l.Delete(rt.ip, rt.depth)
	}
	total += sys.Rdtsc() - begin
	fmt.Printf("Average LPM Delete: %s cycles\n", fibPrintfG(float64(total)/float64(len(lpm6LargeRouteTable))))

	l.DeleteAll()
	return nil
}

// fibPrintfG formats v as C's printf("%g").
func fibPrintfG(v float64) string { return fmt.Sprintf("%.6g", v) }
