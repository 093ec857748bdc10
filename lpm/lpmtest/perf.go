package lpmtest

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Route is a prefix of the generated table.
type Route struct {
	IP    uint32
	Depth uint8
}

// Lrand48 is the C library's lrand48 generator: a 48-bit linear
// congruential generator. DPDK's lpm_perf_autotest draws its routes from
// lrand48 without seeding it, so its table is the same in every run. The
// zero Lrand48 starts where glibc's unseeded lrand48 does, from state 0
// (not the 0x1234abcd330e of the old System V library), so it gives the
// same sequence: 0, 2116118, 89401895, ...
type Lrand48 struct {
	x uint64
}

// Next returns the next value, in [0, 2^31).
func (r *Lrand48) Next() uint32 {
	r.x = (r.x*0x5deece66d + 0xb) & (1<<48 - 1)
	return uint32(r.x >> 17)
}

// The per-class route counts of DPDK 22.11's test_lpm_perf.c (struct
// route_rule_count): routes per depth (index depth-1) in class A (first
// bit 0), B (first bits 10) and C (first bits 110), taken from a real BGP
// table.
var (
	classA = [32]uint32{0, 0, 1, 0, 2, 1, 3, 185, 26, 16, 39, 144, 233, 528, 866, 3856,
		3268, 5662, 17301, 22226, 11147, 16746, 17120, 77578, 401, 656, 1107, 1121, 2316, 717, 10, 66}
	classB = [32]uint32{0, 0, 0, 0, 1, 1, 1, 3, 3, 30, 25, 168, 305, 569, 1129, 50800,
		1645, 1820, 3506, 3258, 3424, 4971, 6885, 39771, 424, 170, 433, 92, 366, 377, 2, 200}
	classC = [32]uint32{0, 0, 0, 0, 0, 0, 0, 12, 8, 9, 33, 69, 237, 1007, 1717, 14663,
		8070, 16185, 48261, 36870, 33960, 50638, 61422, 466549, 1829, 4824, 4927, 5914, 10254, 4905, 1, 716}
)

// extraRoutes are the five routes DPDK adds at random positions after the
// generated ones (private addresses and 0.0.0.0/8).
var extraRoutes = [5]Route{
	{0x00000000, 8},  // 0.0.0.0/8
	{0x0a021793, 32}, // 10.2.23.147/32
	{0xc0a8640a, 24}, // 192.168.100.10/24
	{0xc0a81964, 24}, // 192.168.25.100/24
	{0xc0a8817c, 32}, // 192.168.129.124/32
}

// PerfDepthCounts returns the number of routes per depth (index depth-1)
// of DPDK 22.11's lpm_perf_autotest table: 1,076,806 routes in all.
func PerfDepthCounts() [32]uint32 {
	var n [32]uint32
	for i := range n {
		n[i] = classA[i] + classB[i] + classC[i]
	}
	for _, r := range extraRoutes {
		n[r.Depth-1]++
	}
	return n
}

// ReadDepthCounts parses "depth count" lines (as
// shared/data/lpm/dpdk_lpm_perf_depths.txt); lines starting with # and
// lines that are not two numbers are skipped. Every depth 1 to 32 must
// appear.
func ReadDepthCounts(r io.Reader) ([32]uint32, error) {
	var n [32]uint32
	var seen [32]bool
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 2 || strings.HasPrefix(f[0], "#") {
			continue
		}
		d, err1 := strconv.ParseUint(f[0], 10, 8)
		c, err2 := strconv.ParseUint(f[1], 10, 32)
		if err1 != nil || err2 != nil {
			continue
		}
		if d < 1 || d > 32 {
			return n, fmt.Errorf("depth %d out of range", d)
		}
		n[d-1], seen[d-1] = uint32(c), true
	}
	if err := sc.Err(); err != nil {
		return n, err
	}
	for i, ok := range seen {
		if !ok {
			return n, fmt.Errorf("no count for depth %d", i+1)
		}
	}
	return n, nil
}

// splitClasses divides the routes of each depth (less DPDK's five extra
// routes) among the classes A, B and C. For DPDK's own counts this gives
// back its table; for other counts, each depth's routes are divided in
// the proportions DPDK's table has at that depth (all in class A where it
// has none).
func splitClasses(total [32]uint32) (a, b, c [32]uint32) {
	var extra [32]uint32
	for _, r := range extraRoutes {
		extra[r.Depth-1]++
	}
	for i := range total {
		t := total[i]
		if t >= extra[i] {
			t -= extra[i]
		} else {
			t = 0
		}
		s := uint64(classA[i]) + uint64(classB[i]) + uint64(classC[i])
		switch {
		case uint64(t) == s:
			a[i], b[i], c[i] = classA[i], classB[i], classC[i]
		case s == 0:
			a[i] = t
		default:
			a[i] = uint32(uint64(t) * uint64(classA[i]) / s)
			b[i] = uint32(uint64(t) * uint64(classB[i]) / s)
			c[i] = t - a[i] - b[i]
		}
	}
	return a, b, c
}

// maxPerfRules is MAX_RULE_NUM of test_lpm_perf.c.
const maxPerfRules = 1200000

// PerfRoutes generates the route table of DPDK 22.11's lpm_perf_autotest
// (generate_large_route_rule_table) with the given routes per depth (index
// depth-1; PerfDepthCounts for DPDK's): for each class and depth, prefixes
// spread evenly over the class's space from a random start, then five
// fixed routes inserted at random positions. With DPDK's counts and a
// zero Lrand48 the table is the one DPDK tests with, route for route.
func PerfRoutes(counts [32]uint32, rnd *Lrand48) []Route {
	a, b, c := splitClasses(counts)
	routes := make([]Route, 0, maxPerfRules)
	classes := []struct {
		n     *[32]uint32
		bits  uint8
		first uint32
	}{{&a, 1, 0x00000000}, {&b, 2, 0x80000000}, {&c, 3, 0xc0000000}}
	for _, cl := range classes {
		for depth := uint8(1); depth <= 32; depth++ {
			n := cl.n[depth-1]
			if n == 0 || depth < cl.bits {
				continue
			}
			span := uint32(1) << (depth - cl.bits)
			mask := span - 1
			step := uint32(1)
			if span > n {
				step = uint32(math.Round(float64(span) / float64(n)))
			}
			start := rnd.Next() & mask
			for k := uint32(0); k < n && len(routes) < maxPerfRules; k++ {
				ip := uint32(uint64(start)<<(32-depth)) | cl.first
				routes = append(routes, Route{ip, depth})
				start = (start + step) & mask
			}
		}
	}
	for _, r := range extraRoutes {
		routes = insertRandom(routes, r, rnd)
	}
	return routes
}

// insertRandom is insert_rule_in_random_pos: put r at a random position
// and move what was there to the end.
func insertRandom(routes []Route, r Route, rnd *Lrand48) []Route {
	n := uint32(len(routes))
	var pos uint32
	for try := 0; ; {
		pos = rnd.Next()
		try++
		if try >= 10 || pos <= n {
			break
		}
	}
	if pos > n || pos >= maxPerfRules {
		pos = n >> 1
	}
	if pos == n {
		// DPDK writes r past the end, then overwrites it with the
		// (zeroed) old entry at that position.
		return append(routes, Route{})
	}
	tmp := routes[pos]
	routes[pos] = r
	if n < maxPerfRules {
		routes = append(routes, tmp)
	}
	return routes
}
