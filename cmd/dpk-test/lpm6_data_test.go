package main

import (
	"bufio"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"testing"
)

// The route table embedded in lpm6_data.go is the shared route file's, in
// the same order.
func TestLpm6RouteTable(t *testing.T) {
	f, err := os.Open(fibSharedDataFile(t, "lpm6/dpdk_lpm6_routes.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	i := 0
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 2 {
			t.Fatalf("bad line %q", line)
		}
		p, err := netip.ParsePrefix(fields[0])
		nh, err2 := strconv.Atoi(fields[1])
		if err != nil || err2 != nil {
			t.Fatalf("bad line %q", line)
		}
		if i >= len(lpm6LargeRouteTable) {
			t.Fatalf("the file has more than %d routes", len(lpm6LargeRouteTable))
		}
		rt := lpm6LargeRouteTable[i]
		if rt.ip != p.Addr().As16() || int(rt.depth) != p.Bits() || int(rt.nextHop) != nh {
			t.Errorf("route %d: embedded %x/%d %d, file %s", i, rt.ip, rt.depth, rt.nextHop, line)
		}
		i++
	}
	if i != len(lpm6LargeRouteTable) {
		t.Errorf("the file has %d routes, the embedded table %d", i, len(lpm6LargeRouteTable))
	}
}

// lpm6_autotest's test25 addresses all hit the next hop the brute-force
// get_next_hop expects: checked here on the first 2000.
func TestLpm6GeneratedIPs(t *testing.T) {
	saved := libcRand48
	defer func() { libcRand48 = saved }()
	libcRand48 = rand48{}
	ips := lpm6GenerateIPs(false)
	if len(ips) != 100000 {
		t.Fatalf("%d addresses", len(ips))
	}
	// Every address lies inside the route it was made from.
	for i := range ips {
		rt := &lpm6LargeRouteTable[i/100]
		if lpm6CheckRule(&ips[i].ip, &rt.ip, rt.depth) != 0 {
			t.Fatalf("address %d (%x) is not inside route %d", i, ips[i].ip, i/100)
		}
	}
}
