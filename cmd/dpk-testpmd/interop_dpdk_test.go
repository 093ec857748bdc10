package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"dpk/internal/testutil"
	"dpk/pcapng"
)

// TestVerboseOracleDPDK is an oracle test of the verbose dump against DPDK
// 22.11's own dpdk-testpmd: every Ethernet packet of the shared captures
// (shared/data/pcaps/*/*.pcap, merged into one pcap file) is received by
// both tools over net_pcap in rxonly mode with "set verbose 1", and the
// two lines each prints per packet are parsed and compared field by field:
// the sw ptype names, every length (length, nb_segs, l2_len ... inner_l4_len),
// the other fields and the ol_flags line. A difference fails the test
// unless testdata/verbose_known_differences.txt lists it with its reason;
// an entry that no longer matches anything fails it too, so the list stays
// true. The number of dump lines that differ as text is logged, as is the
// line diff of the rest of the output.
//
// dpk-testpmd runs twice: with DPDK's command line, and with
// --enable-rx-timestamp, with which dpk's net_pcap stamps packets as
// DPDK's always does, so that every dump line can be compared as text.
func TestVerboseOracleDPDK(t *testing.T) {
	needDPDKTool(t, dpdkTestpmd)
	stdbuf := needTool(t, "stdbuf", "coreutils")
	pcaps := sharedPcapDir(t)
	known := loadKnownDifferences(t, filepath.Join("testdata", "verbose_known_differences.txt"))
	bin := testpmdBinary(t)

	dir := t.TempDir()
	merged := filepath.Join(dir, "merged.pcap")
	pkts := mergeCaptures(t, pcaps, merged)
	if len(pkts) == 0 {
		t.Fatalf("no Ethernet packet in %s", pcaps)
	}

	run := func(name string, argv ...string) string {
		t.Helper()
		start := time.Now()
		prefix := testutil.Prefix(t)
		cleanRuntimeDir(t, prefix)
		args := append(argv[:len(argv):len(argv)], "--no-huge", "-m", "256", "--no-pci")
		args = append(args, interopLcores()...)
		args = append(args, "--file-prefix", prefix, "--vdev", "net_pcap0,rx_pcap="+merged+",tx_pcap=/dev/null",
			"--", "-i", "--total-num-mbufs=2048")
		if name == "dpk-stamped" {
			args = append(args, "--enable-rx-timestamp")
		}
		p := startProc(t, name, args...)
		p.waitOut("testpmd> ", 1, 30*time.Second)
		p.send("set verbose 1\nset fwd rxonly\nstart\n")
		p.waitOut("\n  ol_flags: ", len(pkts), 30*time.Second)
		p.quit("stop\nquit\n", 30*time.Second)
		out := p.out.String()
		if !strings.Contains(out, "\nBye...\n") {
			t.Errorf("%s: no Bye... at the end:\n%s", name, tail(out, 2000))
		}
		t.Logf("%s: %d packets dumped in %v", name, len(pkts), time.Since(start).Round(time.Millisecond))
		return out
	}
	// DPDK's stdout is block-buffered on a pipe: stdbuf makes it line-buffered.
	dpdkOut := run("dpdk-testpmd", stdbuf, "-oL", dpdkTestpmd)
	dpdk := parseDump(t, "dpdk-testpmd", dpdkOut)
	for _, r := range []string{"dpk-plain", "dpk-stamped"} {
		out := run(r, bin)
		dpk := parseDump(t, r, out)
		comparePacketDumps(t, r, pkts, dpdk, dpk, known)
		logOtherLineDiff(t, r, dpdkOut, out)
	}
	for _, k := range known {
		if k.used == 0 {
			t.Errorf("%s:%d: known difference %q no longer seen (run %s, packets %s): remove it",
				k.file, k.line, k.field, k.run, k.packets)
		}
	}
}

// capPacket is one packet of the merged capture: where it comes from.
type capPacket struct {
	file  string // relative to the pcaps directory
	index int    // 1-based, as tshark's frame numbers
	len   int
}

func (c capPacket) id() string { return fmt.Sprintf("%s#%d", c.file, c.index) }

// mergeCaptures writes every Ethernet packet of the captures under dir
// (one level of subdirectories) into one microsecond pcap file at out.
// Captures of another link type are skipped, as are packets shorter than
// an Ethernet header (dpdk-testpmd's dump reads 14 bytes unchecked and
// crashes on them); both are logged.
func mergeCaptures(t *testing.T, dir, out string) []capPacket {
	t.Helper()
	var files []string
	for _, pat := range []string{"*/*.pcap", "*/*.pcapng", "*/*.cap"} {
		m, err := filepath.Glob(filepath.Join(dir, pat))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	sort.Strings(files)
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := pcapng.NewPcapWriter(f, pcapng.LinkTypeEthernet, pcapng.MaxSnapLen, false)
	if err != nil {
		t.Fatal(err)
	}
	var pkts []capPacket
	nfiles := 0
	for _, path := range files {
		rel, _ := filepath.Rel(dir, path)
		got, err := readCapture(path, func(ci pcapng.CaptureInfo, lt pcapng.LinkType, index int, data []byte) (bool, error) {
			if lt != pcapng.LinkTypeEthernet {
				return false, fmt.Errorf("link type %v, not Ethernet", lt)
			}
			if len(data) < 14 {
				t.Logf("%s#%d: %d bytes, shorter than an Ethernet header: cut out (dpdk-testpmd crashes on it)", rel, index, len(data))
				return true, nil
			}
			ts := ci.Timestamp
			if ts.Before(time.Unix(0, 0)) || !ts.Before(time.Unix(1<<32, 0)) {
				ts = time.Unix(0, 0) // not representable in a pcap file
			}
			if err := w.WritePacket(pcapng.CaptureInfo{Timestamp: ts, Length: max(ci.Length, len(data))}, data); err != nil {
				return false, err
			}
			pkts = append(pkts, capPacket{file: rel, index: index, len: len(data)})
			return true, nil
		})
		switch {
		case err != nil && got == 0:
			t.Logf("%s: skipped: %v", rel, err)
		case err != nil:
			t.Logf("%s: %d packets, then: %v", rel, got, err)
			nfiles++
		default:
			nfiles++
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	t.Logf("merged %d packets of %d of %d captures in %s", len(pkts), nfiles, len(files), dir)
	return pkts
}

// readCapture calls fn for each packet of a capture file until fn returns
// false or an error; it returns how many packets fn took.
func readCapture(path string, fn func(ci pcapng.CaptureInfo, lt pcapng.LinkType, index int, data []byte) (bool, error)) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r, err := pcapng.NewReader(bufio.NewReader(f))
	if err != nil {
		return 0, err
	}
	n := 0
	for i := 1; ; i++ {
		data, ci, err := r.ReadPacket()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		lt := r.LinkType()
		if ifc, ok := r.Interface(ci.InterfaceIndex); ok {
			lt = ifc.LinkType
		}
		ok, err := fn(ci, lt, i, data)
		if err != nil {
			return n, err
		}
		if !ok {
			return n, nil
		}
		n++
	}
}

// dumpedPacket is one packet of a verbose dump: its lines as printed and
// their fields.
type dumpedPacket struct {
	lines  []string          // the "  src=" line, the "  ol_flags: " line, any "INVALID mbuf" line
	fields map[string]string // field name -> value, e.g. "sw ptype" -> "L2_ETHER L3_IPV4 L4_UDP"
	order  []string          // field names in printed order
}

// parseDump extracts the received packets' lines from a testpmd output.
func parseDump(t *testing.T, name, out string) []*dumpedPacket {
	t.Helper()
	var pkts []*dumpedPacket
	var cur *dumpedPacket
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimRight(l, "\r")
		switch {
		case strings.HasPrefix(l, "  src="):
			cur = &dumpedPacket{lines: []string{l}, fields: map[string]string{}}
			pkts = append(pkts, cur)
			for _, tok := range strings.Split(strings.TrimPrefix(l, "  "), " - ") {
				k, v := splitField(tok)
				if _, dup := cur.fields[k]; !dup {
					cur.order = append(cur.order, k)
				}
				cur.fields[k] = v
			}
		case cur != nil && strings.HasPrefix(l, "  ol_flags: "):
			cur.lines = append(cur.lines, l)
			cur.fields["ol_flags"] = strings.TrimSpace(strings.TrimPrefix(l, "  ol_flags: "))
			cur.order = append(cur.order, "ol_flags")
		case cur != nil && strings.HasPrefix(l, "INVALID mbuf: "):
			cur.lines = append(cur.lines, l)
			cur.fields["INVALID mbuf"] = strings.TrimPrefix(l, "INVALID mbuf: ")
			cur.order = append(cur.order, "INVALID mbuf")
		default:
			cur = nil
		}
	}
	for i, p := range pkts {
		if _, ok := p.fields["ol_flags"]; !ok {
			t.Errorf("%s: packet %d has no ol_flags line: %q", name, i+1, p.lines[0])
		}
	}
	return pkts
}

// splitField splits one " - " separated part of a dump line into a name
// and a value: "l2_len=14", "sw ptype: L2_ETHER ", "timestamp 1575842394599412 ".
// The whole text is the name of a part with neither.
func splitField(tok string) (string, string) {
	tok = strings.TrimSpace(tok)
	colon, eq, sp := strings.Index(tok, ": "), strings.Index(tok, "="), strings.Index(tok, " ")
	switch {
	case colon >= 0 && (eq < 0 || colon < eq):
		return tok[:colon], strings.TrimSpace(tok[colon+2:])
	case eq >= 0: // "l2_len=14", "Receive queue=0x0", "RSS hash=0x1"
		return tok[:eq], tok[eq+1:]
	case sp >= 0:
		return tok[:sp], strings.TrimSpace(tok[sp+1:])
	}
	return tok, ""
}

// lengthFields are the dump's lengths, which must agree.
var lengthFields = []string{"length", "nb_segs", "l2_len", "l3_len", "l4_len", "tunnel_len", "inner_l2_len", "inner_l3_len", "inner_l4_len"}

// comparePacketDumps compares the dumps packet by packet.
func comparePacketDumps(t *testing.T, run string, pkts []capPacket, dpdk, dpk []*dumpedPacket, known []*knownDiff) {
	t.Helper()
	if len(dpdk) != len(pkts) || len(dpk) != len(pkts) {
		t.Errorf("%s: %d packets merged, DPDK dumped %d, dpk %d", run, len(pkts), len(dpdk), len(dpk))
	}
	n := min(len(pkts), len(dpdk), len(dpk))
	lines, lineDiffs := 0, 0
	fieldDiffs := map[string]int{}   // field -> packets
	knownUse := map[*knownDiff]int{} // this run's uses
	unknown := 0
	ptypes := map[string]int{}
	for i := 0; i < n; i++ {
		a, b, src := dpdk[i], dpk[i], pkts[i]
		ptypes[a.fields["sw ptype"]]++
		lines += max(len(a.lines), len(b.lines))
		for j := 0; j < max(len(a.lines), len(b.lines)); j++ {
			if j >= len(a.lines) || j >= len(b.lines) || a.lines[j] != b.lines[j] {
				lineDiffs++
			}
		}
		names := append([]string(nil), a.order...)
		for _, k := range b.order {
			if _, ok := a.fields[k]; !ok {
				names = append(names, k)
			}
		}
		for _, k := range names {
			va, okA := a.fields[k]
			vb, okB := b.fields[k]
			if okA == okB && va == vb {
				continue
			}
			fieldDiffs[k]++
			if kd := matchKnown(known, run, src.id(), k); kd != nil {
				kd.used++
				knownUse[kd]++
				continue
			}
			unknown++
			what := "differs"
			for _, l := range lengthFields {
				if k == l {
					what = "(a length) differs"
				}
			}
			if k == "sw ptype" {
				what = "(the packet type) differs"
			}
			if unknown <= 40 {
				t.Errorf("%s: packet %d (%s, %d bytes): %q %s:\n  DPDK: %s\n  dpk:  %s",
					run, i+1, src.id(), src.len, k, what, fieldText(va, okA), fieldText(vb, okB))
				t.Logf("  DPDK lines:\n    %s\n  dpk lines:\n    %s", strings.Join(a.lines, "\n    "), strings.Join(b.lines, "\n    "))
			}
		}
	}
	if unknown > 40 {
		t.Errorf("%s: %d field differences not in the known list (first 40 shown)", run, unknown)
	}
	var fd []string
	for k, c := range fieldDiffs {
		fd = append(fd, fmt.Sprintf("%q in %d packets", k, c))
	}
	sort.Strings(fd)
	var kn []string
	for kd, c := range knownUse {
		kn = append(kn, fmt.Sprintf("%s:%d (%s, %d packets): %s", kd.file, kd.line, kd.field, c, kd.reason))
	}
	sort.Strings(kn)
	t.Logf("%s: %d packets compared (%d distinct sw ptypes); %d of %d dump lines differ as text; field differences: %s; %d not in the known list",
		run, n, len(ptypes), lineDiffs, lines, orNone(strings.Join(fd, ", ")), unknown)
	for _, k := range kn {
		t.Logf("%s: known difference %s", run, k)
	}
}

func fieldText(v string, ok bool) string {
	if !ok {
		return "(not printed)"
	}
	return fmt.Sprintf("%q", v)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// logOtherLineDiff logs how many lines of the rest of the output (all but
// the packets' dump lines) differ between the tools, with the lines.
func logOtherLineDiff(t *testing.T, run, dpdkOut, dpkOut string) {
	t.Helper()
	rest := func(s string) []string {
		var out []string
		for _, l := range strings.Split(s, "\n") {
			if strings.HasPrefix(l, "  src=") || strings.HasPrefix(l, "  ol_flags: ") || strings.HasPrefix(l, "INVALID mbuf: ") {
				continue
			}
			out = append(out, l)
		}
		return out
	}
	a, b := rest(dpdkOut), rest(dpkOut)
	diff := lineDiff(a, b)
	t.Logf("%s: rest of stdout: %d and %d lines, %d lines differ:\n%s", run, len(a), len(b), len(diff), strings.Join(diff, "\n"))
}

// lineDiff returns the lines of a not in b ("- ") and of b not in a ("+ "),
// by longest common subsequence.
func lineDiff(a, b []string) []string {
	lcs := make([][]int32, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int32, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []string
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			i++
			j++
		case i < len(a) && (j == len(b) || lcs[i+1][j] >= lcs[i][j+1]):
			out = append(out, fmt.Sprintf("  - %q", a[i]))
			i++
		default:
			out = append(out, fmt.Sprintf("  + %q", b[j]))
			j++
		}
	}
	return out
}

// knownDiff is one entry of testdata/verbose_known_differences.txt.
type knownDiff struct {
	file    string
	line    int
	run     string // "dpk-plain", "dpk-stamped" or "*"
	packets string // "<capture>#<n>" or "*"
	field   string // as parseDump names it
	reason  string
	used    int
}

// loadKnownDifferences reads the known differences: lines
// "run | packets | field | reason", # comments.
func loadKnownDifferences(t *testing.T, path string) []*knownDiff {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []*knownDiff
	for i, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		f := strings.SplitN(l, "|", 4)
		if len(f) != 4 {
			t.Fatalf("%s:%d: want \"run | packets | field | reason\": %q", path, i+1, l)
		}
		for j := range f {
			f[j] = strings.TrimSpace(f[j])
		}
		switch {
		case f[0] != "*" && f[0] != "dpk-plain" && f[0] != "dpk-stamped":
			t.Fatalf("%s:%d: run %q: want dpk-plain, dpk-stamped or *", path, i+1, f[0])
		case f[1] != "*" && !strings.Contains(f[1], "#"):
			t.Fatalf("%s:%d: packets %q: want * or <capture>#<n>", path, i+1, f[1])
		case f[2] == "" || f[3] == "":
			t.Fatalf("%s:%d: a field and a reason are needed", path, i+1)
		}
		out = append(out, &knownDiff{file: path, line: i + 1, run: f[0], packets: f[1], field: f[2], reason: f[3]})
	}
	return out
}

func matchKnown(known []*knownDiff, run, id, field string) *knownDiff {
	for _, k := range known {
		if (k.run == "*" || k.run == run) && (k.packets == "*" || k.packets == id) && k.field == field {
			return k
		}
	}
	return nil
}

// The dump parser on DPDK's lines (no DPDK needed).
func TestParseVerboseDump(t *testing.T) {
	out := "port 0/queue 0: received 2 packets\n" +
		"  src=00:25:9E:81:B3:54 - dst=00:E0:00:9B:6D:81 - pool=mb_pool_0 - type=0x0800 - length=122 - nb_segs=1 - timestamp 1315421608139390  - sw ptype: L2_ETHER L3_IPV4 TUNNEL_GRE  - l2_len=14 - l3_len=20 - tunnel_len=8 - Receive queue=0x0\n" +
		"  ol_flags: RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN RTE_MBUF_F_RX_OUTER_L4_CKSUM_UNKNOWN \n" +
		"  src=00:00:00:00:00:01 - dst=00:00:00:00:00:02 - pool=mb_pool_0 - type=0x0800 - length=64 - nb_segs=1 - RSS hash=0x1 - RSS queue=0x0 - QinQ VLAN tci=0x5, VLAN tci outer=0x6 - sw ptype: L2_ETHER  - l2_len=14 - Receive queue=0x0\n" +
		"  ol_flags: RTE_MBUF_F_RX_RSS_HASH \n" +
		"INVALID mbuf: bad pkt_len\n" +
		"testpmd> "
	pkts := parseDump(t, "test", out)
	if len(pkts) != 2 {
		t.Fatalf("%d packets, want 2", len(pkts))
	}
	want := []map[string]string{{
		"src": "00:25:9E:81:B3:54", "dst": "00:E0:00:9B:6D:81", "pool": "mb_pool_0", "type": "0x0800", "length": "122", "nb_segs": "1",
		"timestamp": "1315421608139390", "sw ptype": "L2_ETHER L3_IPV4 TUNNEL_GRE", "l2_len": "14", "l3_len": "20", "tunnel_len": "8",
		"Receive queue": "0x0", "ol_flags": "RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN RTE_MBUF_F_RX_OUTER_L4_CKSUM_UNKNOWN",
	}, {
		"src": "00:00:00:00:00:01", "dst": "00:00:00:00:00:02", "pool": "mb_pool_0", "type": "0x0800", "length": "64", "nb_segs": "1",
		"RSS hash": "0x1", "RSS queue": "0x0", "QinQ VLAN tci": "0x5, VLAN tci outer=0x6", "sw ptype": "L2_ETHER", "l2_len": "14",
		"Receive queue": "0x0", "ol_flags": "RTE_MBUF_F_RX_RSS_HASH", "INVALID mbuf": "bad pkt_len",
	}}
	for i, w := range want {
		got := pkts[i].fields
		if len(got) != len(w) {
			t.Errorf("packet %d: %d fields %q, want %d", i+1, len(got), got, len(w))
		}
		for k, v := range w {
			if got[k] != v {
				t.Errorf("packet %d: %q = %q, want %q", i+1, k, got[k], v)
			}
		}
	}
	if n := len(pkts[1].lines); n != 3 {
		t.Errorf("packet 2: %d lines, want 3", n)
	}
	if d := lineDiff([]string{"a", "b", "c"}, []string{"a", "x", "c", "d"}); strings.Join(d, ",") != `  - "b",  + "x",  + "d"` {
		t.Errorf("lineDiff: %q", d)
	}
}
