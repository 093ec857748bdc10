package main

// fib_perf_autotest: DPDK 22.11's app/test/test_fib_perf.c in Go. It
// generates lpm_perf_autotest's table of 1,076,806 IPv4 routes (per class
// A, B and C and per depth, the counts of rule_count; consecutive
// prefixes spread over the class from a random start; then five fixed
// routes swapped into the table), drawing from glibc's lrand48 as DPDK
// does, so the table is the very one of DPDK's run. It adds the routes to
// a DIR24_8 FIB of 4-byte next hops, looks up 1024 batches of 4096 random
// addresses in bulks of 32, deletes the routes, and prints the same lines:
//
//	Average FIB Add: cycles per add
//	BULK FIB Lookup: cycles per address (fails = % that got the default 0)
//	Average FIB Delete: cycles per delete
//
// As in DPDK, the delete figure is not reset after the lookups: it is
// (time of all lookups + time of all deletes) / number of routes. The
// lookup addresses come from a generator of dpk's (DPDK's rte_rand is
// seeded from the TSC, so its addresses differ from run to run anyway).

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"dpk/eal"
	"dpk/fib"
	"dpk/internal/sys"
)

func init() {
	register("fib_perf_autotest", fibPerfAutotest)
}

const (
	fibPerfIterations = 1 << 10
	fibPerfBatchSize  = 1 << 12
	fibPerfBulkSize   = 32
	fibPerfMaxRules   = 1200000
)

// fibPerfRuleCount is test_fib_perf.c's (and test_lpm_perf.c's)
// rule_count: routes per depth 1..32 in IP classes A (first bit 0), B
// (first bits 10) and C (first bits 110).
var fibPerfRuleCount = [3][32]uint32{
	{0, 0, 1, 0, 2, 1, 3, 185, 26, 16, 39, 144, 233, 528, 866, 3856,
		3268, 5662, 17301, 22226, 11147, 16746, 17120, 77578, 401, 656, 1107, 1121, 2316, 717, 10, 66},
	{0, 0, 0, 0, 1, 1, 1, 3, 3, 30, 25, 168, 305, 569, 1129, 50800,
		1645, 1820, 3506, 3258, 3424, 4971, 6885, 39771, 424, 170, 433, 92, 366, 377, 2, 200},
	{0, 0, 0, 0, 0, 0, 0, 12, 8, 9, 33, 69, 237, 1007, 1717, 14663,
		8070, 16185, 48261, 36870, 33960, 50638, 61422, 466549, 1829, 4824, 4927, 5914, 10254, 4905, 1, 716},
}

// fibPerfDepthCounts is the route count per depth of the generated table,
// as DPDK's run prints it (and /work/shared/data/lpm/dpdk_lpm_perf_depths.txt
// holds): the sums of fibPerfRuleCount plus the five fixed routes.
var fibPerfDepthCounts = [32]uint32{
	0, 0, 1, 0, 3, 2, 4, 201, 37, 55, 97, 381, 775, 2104, 3712, 69319,
	12983, 23667, 69068, 62354, 48531, 72355, 85427, 583900, 2654, 5650, 6467, 7127, 12936, 5999, 13, 984,
}

type fibPerfRoute struct {
	ip    uint32
	depth uint8
}

// fibPerfTable is generate_large_route_rule_table.
type fibPerfTable struct {
	routes []fibPerfRoute // len(routes) is MAX_RULE_NUM
	n      uint32
}

// prefixes is generate_random_rule_prefix.
func (t *fibPerfTable) prefixes(class int, depth uint8) {
	headMask := [3]uint32{0x00000000, 0x80000000, 0xC0000000}[class]
	fixedBits := uint8(class + 1)
	ruleNum := fibPerfRuleCount[class][depth-1]
	if ruleNum == 0 {
		return
	}
	classDepth := depth - fixedBits
	rng := uint32(1) << classDepth
	mask := rng - 1
	step := uint32(1)
	if rng > ruleNum {
		step = uint32(math.Round(float64(rng) / float64(ruleNum)))
	}
	start := libcRand48.lrand48() & mask
	for range ruleNum {
		t.routes[t.n] = fibPerfRoute{start<<(32-depth) | headMask, depth}
		t.n++
		start = (start + step) & mask
	}
}

// insert is insert_rule_in_random_pos.
func (t *fibPerfTable) insert(ip uint32, depth uint8) {
	var pos uint32
	for try := 1; ; try++ {
		pos = libcRand48.lrand48()
		if try >= 10 || pos <= t.n {
			break
		}
	}
	if pos > t.n || pos >= fibPerfMaxRules {
		pos = t.n >> 1
	}
	tmp := t.routes[pos]
	t.routes[pos] = fibPerfRoute{ip, depth}
	if t.n < fibPerfMaxRules {
		t.routes[t.n] = tmp
		t.n++
	}
}

func fibPerfGenerate() []fibPerfRoute {
	t := &fibPerfTable{routes: make([]fibPerfRoute, fibPerfMaxRules)}
	for class := range 3 {
		for depth := uint8(1); depth <= 32; depth++ {
			t.prefixes(class, depth)
		}
	}
	ipv4 := func(a, b, c, d uint32) uint32 { return a<<24 | b<<16 | c<<8 | d }
	t.insert(ipv4(0, 0, 0, 0), 8)
	t.insert(ipv4(10, 2, 23, 147), 32)
	t.insert(ipv4(192, 168, 100, 10), 24)
	t.insert(ipv4(192, 168, 25, 100), 24)
	t.insert(ipv4(192, 168, 129, 124), 32)
	return t.routes[:t.n]
}

// fibPerfDistribution counts the routes per depth.
func fibPerfDistribution(routes []fibPerfRoute) [32]uint32 {
	var c [32]uint32
	for _, r := range routes {
		if r.depth >= 1 && r.depth <= 32 {
			c[r.depth-1]++
		}
	}
	return c
}

// fibPrintDistribution is test_fib_perf.c's print_route_distribution.
func fibPrintDistribution(counts []uint32, n int) {
	var b strings.Builder
	b.WriteString("Route distribution per prefix width:\n")
	b.WriteString("DEPTH    QUANTITY (PERCENT)\n")
	b.WriteString("---------------------------\n")
	for i, c := range counts {
		fmt.Fprintf(&b, "%02d%15d (%.2f)\n", i+1, c, float64(c)/float64(n)*100)
	}
	b.WriteString("\n")
	fmt.Print(b.String())
}

func fibPerfAutotest() error {
	const nextHopAdd = 0xAA
	routes := fibPerfGenerate()
	fmt.Printf("No. routes = %d\n", len(routes))
	counts := fibPerfDistribution(routes)
	fibPrintDistribution(counts[:], len(routes))

	f, err := fib.Create("test_fib_perf", eal.SocketIDAny, fib.Config{
		Type: fib.DIR24_8, MaxRoutes: 2000000, DefaultNH: 0, NHSize: fib.NH4B, NumTbl8: 65535,
	})
	if err != nil {
		return err
	}
	defer f.Free()

	status := 0
	begin := sys.Rdtsc()
	for _, r := range routes {
		if f.Add(r.ip, r.depth, nextHopAdd) == nil {
			status++
		}
	}
	total := sys.Rdtsc() - begin
	fmt.Printf("Unique added entries = %d\n", status)
	fmt.Printf("Average FIB Add: %s cycles\n", fibPrintfG(float64(total)/float64(len(routes))))

	total = 0
	count := 0
	rnd := rand.New(rand.NewPCG(sys.Rdtsc(), 0))
	ipBatch := make([]uint32, fibPerfBatchSize)
	nextHops := make([]uint64, fibPerfBulkSize)
	for range fibPerfIterations {
		for j := range ipBatch {
			ipBatch[j] = uint32(rnd.Uint64())
		}
		begin := sys.Rdtsc()
		for j := 0; j < fibPerfBatchSize; j += fibPerfBulkSize {
			f.LookupBulk(ipBatch[j:j+fibPerfBulkSize], nextHops)
			for _, nh := range nextHops {
				if nh == 0 {
					count++
				}
			}
		}
		total += sys.Rdtsc() - begin
	}
	lookups := float64(fibPerfIterations * fibPerfBatchSize)
	fmt.Printf("BULK FIB Lookup: %.1f cycles (fails = %.1f%%)\n", float64(total)/lookups, float64(count)*100/lookups)

	// DPDK does not reset total_time: the lookups' time counts too.
	begin = sys.Rdtsc()
	for _, r := range routes {
		f.Delete(r.ip, r.depth)
	}
	total += sys.Rdtsc() - begin
	fmt.Printf("Average FIB Delete: %s cycles\n", fibPrintfG(float64(total)/float64(len(routes))))
	return nil
}
