package main

import (
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"net/netip"
	"testing"

	"dpk/ethdev"
	"dpk/internal/testutil"
	"dpk/mbuf"
	"dpk/pkt"
)

// oracle is the expected verdict for a flow: a port, or hopDrop+reason.
type oracle func(f flow) uint16

// checkClassify classifies flows in bursts on a worker over tables built
// from rs4 and rs6 and compares every verdict with want.
func checkClassify(t *testing.T, mode lookupMode, rs4, rs6 *ruleSet, flows []flow, want oracle) {
	t.Helper()
	tb, err := buildTables(mode, rs4, rs6, 0xffffffff, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer tb.free()
	conf := &fwdConf{enabled: 0xffffffff}
	var txq [ethdev.MaxPorts]uint16
	w := newWorker(conf, 0, nil, &txq, newRouter(tb, defaultBurst), defaultBurst)
	mp := newPool(t, 2*defaultBurst)
	hits := map[uint16]int{}
	for off := 0; off < len(flows); off += defaultBurst {
		fl := flows[off:min(len(flows), off+defaultBurst)]
		frames := make([][]byte, len(fl))
		for i, f := range fl {
			frames[i] = f.frame()
		}
		ms := toMbufs(t, mp, frames)
		w.classify(ms)
		for i, f := range fl {
			exp := want(f)
			if w.hop[i] != exp {
				t.Errorf("%s %v:%d -> %v:%d proto %d: verdict %#x, want %#x", mode, f.src, f.sport, f.dst, f.dport, f.proto, w.hop[i], exp)
			}
			hits[exp]++
		}
		mbuf.FreeBulk(ms, 0)
	}
	t.Logf("%s: %d flows, verdicts %v", mode, len(flows), hits)
	if len(hits) < 3 {
		t.Errorf("too few distinct verdicts to mean anything: %v", hits)
	}
}

const noRoute = hopDrop + dropNoRoute

// randAddr returns an address of the family, inside p half of the time.
func randAddr(rng *rand.Rand, v6 bool, p netip.Prefix) netip.Addr {
	var b [16]byte
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	var a netip.Addr
	if v6 {
		a = netip.AddrFrom16(b)
	} else {
		a = netip.AddrFrom4([4]byte(b[:4]))
	}
	if !p.IsValid() || rng.IntN(2) == 0 {
		return a
	}
	// Keep p's bits, randomise the rest.
	pb := p.Masked().Addr().AsSlice()
	ab := a.AsSlice()
	for i := range ab {
		bits := min(8, max(0, p.Bits()-8*i))
		m := byte(0xff << (8 - bits))
		ab[i] = pb[i]&m | ab[i]&^m
	}
	out, _ := netip.AddrFromSlice(ab)
	return out
}

// lpmOracle is a linear longest-prefix search: the longest prefix that
// contains the address, the last one given among equal prefixes.
func lpmOracle(routes []lpmRoute) oracle {
	masked := make([]netip.Prefix, len(routes))
	for i, r := range routes {
		masked[i] = r.prefix.Masked()
	}
	return func(f flow) uint16 {
		best, hop := -1, uint16(noRoute)
		for i, p := range masked {
			if p.Bits() >= best && p.Contains(f.dst) {
				best, hop = p.Bits(), uint16(routes[i].port)
			}
		}
		return hop
	}
}

func TestClassifyLPM(t *testing.T) {
	testutil.InitEAL(t, "--in-memory")
	rng := rand.New(rand.NewPCG(7, 11))
	for _, c := range []struct {
		name     string
		rs4, rs6 *ruleSet
	}{
		{"default cfg", mustRead(t, cfgFile(t, "lpm_default_v4.cfg"), modeLPM, false), mustRead(t, cfgFile(t, "lpm_default_v6.cfg"), modeLPM, true)},
		{"random routes", randLPM(rng, false, 200), randLPM(rng, true, 200)},
	} {
		t.Run(c.name, func(t *testing.T) {
			var flows []flow
			for _, rs := range []*ruleSet{c.rs4, c.rs6} {
				for range 1000 {
					r := rs.lpm[rng.IntN(len(rs.lpm))]
					v6 := r.prefix.Addr().Is6()
					flows = append(flows, flow{src: randAddr(rng, v6, netip.Prefix{}), dst: randAddr(rng, v6, r.prefix), proto: 17, sport: 9, dport: 9})
				}
			}
			rng.Shuffle(len(flows), func(i, j int) { flows[i], flows[j] = flows[j], flows[i] })
			o4, o6 := lpmOracle(c.rs4.lpm), lpmOracle(c.rs6.lpm)
			checkClassify(t, modeLPM, c.rs4, c.rs6, flows, func(f flow) uint16 {
				if f.dst.Is6() {
					return o6(f)
				}
				return o4(f)
			})
		})
	}
}

func mustRead(t *testing.T, path string, mode lookupMode, v6 bool) *ruleSet {
	t.Helper()
	rs, err := readRuleFile(path, mode, v6)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// randLPM makes n routes of random prefixes (of 1 to all bits) to ports 0
// to 15.
func randLPM(rng *rand.Rand, v6 bool, n int) *ruleSet {
	rs := &ruleSet{}
	bits := 32
	if v6 {
		bits = 128
	}
	var last netip.Prefix
	for i := range n {
		// Nest a third of the prefixes in the one before, for overlaps.
		base := netip.Prefix{}
		if i%3 != 0 {
			base = last
		}
		p := netip.PrefixFrom(randAddr(rng, v6, base), 1+rng.IntN(bits))
		if rng.IntN(4) == 0 {
			p = netip.PrefixFrom(p.Addr(), 8+rng.IntN(bits/4)) // many short ones
		}
		rs.lpm = append(rs.lpm, lpmRoute{prefix: p, port: uint8(rng.IntN(16))})
		last = p
	}
	return rs
}

// emOracle is a linear search for the exact 5-tuple, the last rule given
// among equal ones.
func emOracle(rules []emRoute) oracle {
	return func(f flow) uint16 {
		sp, dp := f.wirePorts()
		hop := uint16(noRoute)
		for _, r := range rules {
			if r.dst == f.dst && r.src == f.src && r.proto == f.proto && r.sport == sp && r.dport == dp {
				hop = uint16(r.port)
			}
		}
		return hop
	}
}

func TestClassifyEM(t *testing.T) {
	testutil.InitEAL(t, "--in-memory")
	rng := rand.New(rand.NewPCG(3, 5))
	rs4 := mustRead(t, cfgFile(t, "em_default_v4.cfg"), modeEM, false)
	rs6 := mustRead(t, cfgFile(t, "em_default_v6.cfg"), modeEM, true)
	// Add pings and TCP flows to the sample routes.
	for i := range 32 {
		rs4.em = append(rs4.em, emRoute{dst: randAddr(rng, false, netip.Prefix{}), src: randAddr(rng, false, netip.Prefix{}), proto: []uint8{1, 6}[i%2], dport: uint16(i%2) * 80, sport: uint16(i%2) * 4000, port: uint8(i % 16)})
		rs6.em = append(rs6.em, emRoute{dst: randAddr(rng, true, netip.Prefix{}), src: randAddr(rng, true, netip.Prefix{}), proto: []uint8{58, 6}[i%2], dport: uint16(i%2) * 80, sport: uint16(i%2) * 4000, port: uint8(i % 16)})
	}
	for _, rs := range []*ruleSet{rs4, rs6} {
		var flows []flow
		for range 2000 {
			r := rs.em[rng.IntN(len(rs.em))]
			f := flow{src: r.src, dst: r.dst, proto: r.proto, sport: r.sport, dport: r.dport}
			switch rng.IntN(8) {
			case 0:
				f.sport++
			case 1:
				f.dport ^= 1
			case 2:
				f.proto = []uint8{6, 17, 1}[rng.IntN(3)]
			case 3:
				f.src, f.dst = f.dst, f.src
			case 4:
				f.dst = randAddr(rng, f.dst.Is6(), netip.PrefixFrom(f.dst, f.dst.BitLen()-8))
			}
			if !hasPorts(f.proto) {
				f.sport, f.dport = uint16(rng.Uint32()), uint16(rng.Uint32()) // ICMP type, code, checksum: ignored
			}
			flows = append(flows, f)
		}
		checkClassify(t, modeEM, rs4, rs6, flows, emOracle(rs.em))
	}
}

// aclOracle returns the first rule (in file order) that matches: its port,
// a deny, or no route.
func aclOracle(rules []aclRule) oracle {
	return func(f flow) uint16 {
		sp, dp := f.wirePorts()
		for _, r := range rules {
			if r.src.Masked().Contains(f.src) && r.dst.Masked().Contains(f.dst) &&
				f.proto&r.pmask == r.proto&r.pmask &&
				sp >= r.sport[0] && sp <= r.sport[1] && dp >= r.dport[0] && dp <= r.dport[1] {
				if r.deny {
					return hopDrop + dropACL
				}
				return uint16(r.port)
			}
		}
		return noRoute
	}
}

// randACL makes n random ACL lines: a quarter deny rules, wildcards and
// narrow ranges mixed.
func randACL(rng *rand.Rand, v6 bool, n int) *ruleSet {
	rs := &ruleSet{}
	bits := 32
	if v6 {
		bits = 128
	}
	rangeOf := func() [2]uint16 {
		switch rng.IntN(3) {
		case 0:
			return [2]uint16{0, 65535}
		case 1:
			p := uint16(rng.IntN(2048))
			return [2]uint16{p, p}
		}
		lo := uint16(rng.IntN(2048))
		return [2]uint16{lo, lo + uint16(rng.IntN(4096))}
	}
	for i := range n {
		r := aclRule{
			src:   netip.PrefixFrom(randAddr(rng, v6, netip.Prefix{}), rng.IntN(bits/2)),
			dst:   netip.PrefixFrom(randAddr(rng, v6, netip.Prefix{}), rng.IntN(bits/2+1)),
			sport: rangeOf(), dport: rangeOf(),
			port: uint32(rng.IntN(16)), deny: i%4 == 3,
		}
		if rng.IntN(2) == 0 {
			r.proto, r.pmask = []uint8{6, 17, 1}[rng.IntN(3)], 0xff
		}
		rs.acl = append(rs.acl, r)
	}
	// A catch-all route at the end for part of the space.
	rs.acl = append(rs.acl, aclRule{src: netip.PrefixFrom(randAddr(rng, v6, netip.Prefix{}), 1), dst: netip.PrefixFrom(randAddr(rng, v6, netip.Prefix{}), 0), sport: [2]uint16{0, 65535}, dport: [2]uint16{0, 65535}, port: 7})
	return rs
}

func TestClassifyACL(t *testing.T) {
	testutil.InitEAL(t, "--in-memory")
	rng := rand.New(rand.NewPCG(5, 8))
	rs4, rs6 := randACL(rng, false, 60), randACL(rng, true, 60)
	for _, rs := range []*ruleSet{rs4, rs6} {
		var flows []flow
		for range 2000 {
			r := rs.acl[rng.IntN(len(rs.acl))]
			v6 := r.src.Addr().Is6()
			f := flow{src: randAddr(rng, v6, r.src), dst: randAddr(rng, v6, r.dst), proto: []uint8{6, 17, 1}[rng.IntN(3)]}
			f.sport, f.dport = r.sport[0]+uint16(rng.IntN(3)), r.dport[1]-uint16(rng.IntN(3))
			if rng.IntN(4) == 0 {
				f.sport, f.dport = uint16(rng.Uint32()), uint16(rng.Uint32())
			}
			flows = append(flows, f)
		}
		checkClassify(t, modeACL, rs4, rs6, flows, aclOracle(rs.acl))
	}
	// DPDK's sample files.
	a4, a6 := mustRead(t, "testdata/acl_v4.cfg", modeACL, false), mustRead(t, "testdata/acl_v6.cfg", modeACL, true)
	flows := []flow{
		{src: netip.MustParseAddr("1.2.3.4"), dst: netip.MustParseAddr("198.18.1.77"), proto: 17, sport: 9, dport: 9},
		{src: netip.MustParseAddr("198.18.5.1"), dst: netip.MustParseAddr("198.18.2.1"), proto: 6, sport: 999, dport: 23},
		{src: netip.MustParseAddr("10.0.0.1"), dst: netip.MustParseAddr("198.18.2.1"), proto: 6, sport: 999, dport: 23},
		{src: netip.MustParseAddr("10.0.0.1"), dst: netip.MustParseAddr("198.18.9.1"), proto: 17, sport: 1, dport: 2},
	}
	for i := range 4 {
		flows = append(flows, flow{src: netip.MustParseAddr("1.1.1.1"), dst: netip.AddrFrom4([4]byte{198, 18, byte(i), 9}), proto: 1})
		flows = append(flows, flow{src: netip.MustParseAddr("::1"), dst: benchAddr6(byte(i), 9), proto: 58})
	}
	flows = append(flows, flow{src: netip.MustParseAddr("::1"), dst: benchAddr6(1, 0x4d), proto: 17})
	want := func(f flow) uint16 {
		if f.src.Is6() {
			return aclOracle(a6.acl)(f)
		}
		return aclOracle(a4.acl)(f)
	}
	if got := []uint16{want(flows[0]), want(flows[1]), want(flows[2]), want(flows[3])}; fmt.Sprint(got) != fmt.Sprint([]uint16{hopDrop + dropACL, hopDrop + dropACL, 2, noRoute}) {
		t.Fatalf("oracle on the sample rules: %#x", got)
	}
	checkClassify(t, modeACL, a4, a6, flows, want)
}

// TestClassifyDrops checks the verdicts for packets that never reach a
// lookup.
func TestClassifyDrops(t *testing.T) {
	testutil.InitEAL(t, "--in-memory")
	a, b := benchAddr4(1, 1), benchAddr4(2, 2)
	ok := flow{src: a, dst: b, proto: 17}
	ttl1 := flow{src: a, dst: b, proto: 17, ttl: 1}
	hl1 := flow{src: benchAddr6(0, 1), dst: benchAddr6(1, 1), proto: 17, ttl: 1}
	frames := [][]byte{ok.frame(), ttl1.frame(), hl1.frame(), ok.frame(), ok.frame(), ok.frame()}
	frames[3][ethLen+ipv4Cksum] ^= 0xff                          // bad checksum
	frames[4][ethLen] = 0x55                                     // version 5
	binary.BigEndian.PutUint16(frames[5][12:], pkt.EtherTypeARP) // ARP
	want := []uint16{2, hopDrop + dropTTL, hopDrop + dropTTL, hopDrop + dropBadIPv4, hopDrop + dropBadIPv4, hopDrop + dropNotIP}

	tb, err := buildTables(modeLPM, defaultRules(modeLPM, false), defaultRules(modeLPM, true), 0xffff, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer tb.free()
	var txq [ethdev.MaxPorts]uint16
	w := newWorker(&fwdConf{enabled: 0xffff}, 0, nil, &txq, newRouter(tb, defaultBurst), defaultBurst)
	ms := toMbufs(t, newPool(t, 64), frames)
	w.classify(ms)
	for i := range want {
		if w.hop[i] != want[i] {
			t.Errorf("packet %d: verdict %#x, want %#x", i, w.hop[i], want[i])
		}
	}
	mbuf.FreeBulk(ms, 0)
}
