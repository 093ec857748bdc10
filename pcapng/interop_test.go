package pcapng

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Interop with Wireshark's tools: files editcap and mergecap write read back
// as the originals, and files this package writes open in tshark and capinfos
// without a warning. The tests skip when the tools are missing, except in CI
// (CI set), where they fail.

// rootWarning is what Wireshark's tools print on stderr when run as root; it
// says nothing about the file.
const rootWarning = `Running as user "root" and group "root". This could be dangerous.`

// runTool runs a tool and returns its stdout; it fails the test if the tool
// exits non-zero or prints anything on stderr but the root warning.
func runTool(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(requireTool(t, name), args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var warnings []string
	for _, line := range strings.Split(stderr.String(), "\n") {
		if line = strings.TrimSpace(line); line != "" && line != rootWarning {
			warnings = append(warnings, line)
		}
	}
	if err != nil || len(warnings) > 0 {
		t.Fatalf("%s %s: %v; stderr:\n%s", name, strings.Join(args, " "), err, strings.Join(warnings, "\n"))
	}
	return stdout.String()
}

// source is one shared capture, read with this package.
type source struct {
	name string
	hdr  PcapHeader
	pkts []packet
}

func loadSources(t *testing.T) []source {
	t.Helper()
	dir := pcapDir(t)
	var srcs []source
	for _, f := range sharedPcaps(t) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r, err := NewPcapReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		name, _ := filepath.Rel(dir, f)
		srcs = append(srcs, source{name: name, hdr: r.Header(), pkts: readAll(t, r)})
	}
	return srcs
}

func readFileAll(t *testing.T, path string) (Reader, []packet) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return r, readAll(t, r)
}

// TestEditcapInterop converts every shared capture with editcap to pcapng,
// to nanosecond pcap, and from that to pcapng with packet comments
// (if_tsresol 9), and checks the reader gives the original packets.
func TestEditcapInterop(t *testing.T) {
	requireTool(t, "editcap")
	files := sharedPcaps(t)
	if testing.Short() {
		files = files[:min(len(files), 4)]
	}
	dir := t.TempDir()
	root := pcapDir(t)
	for _, f := range files {
		name, _ := filepath.Rel(root, f)
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			orig, err := NewPcapReader(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			want := readAll(t, orig)

			ng := filepath.Join(dir, "a.pcapng")
			runTool(t, "editcap", "-F", "pcapng", f, ng)
			r, got := readFileAll(t, ng)
			samePackets(t, got, want, 0)
			ngr := r.(*PcapngReader)
			ifc, _ := ngr.Interface(0)
			if r.Format() != FormatPcapng || ifc.LinkType != orig.LinkType() || ifc.TSResol != ResolutionMicro ||
				!strings.Contains(ngr.Section().UserAppl, "Editcap") {
				t.Fatalf("pcapng from editcap: interface %+v, section %+v", ifc, ngr.Section())
			}

			nsec := filepath.Join(dir, "b.pcap")
			runTool(t, "editcap", "-F", "nsecpcap", f, nsec)
			r, got = readFileAll(t, nsec)
			samePackets(t, got, want, 0)
			if h := r.(*PcapReader).Header(); !h.Nanosecond || h.LinkType != orig.LinkType() || h.SnapLen != orig.Header().SnapLen {
				t.Fatalf("nanosecond pcap from editcap: header %+v", h)
			}

			usec := filepath.Join(dir, "c.pcap")
			runTool(t, "editcap", "-F", "pcap", nsec, usec)
			_, got = readFileAll(t, usec)
			samePackets(t, got, want, 0)

			ngc := filepath.Join(dir, "d.pcapng")
			runTool(t, "editcap", "-F", "pcapng", "-a", "1:dpk interop", nsec, ngc)
			r, got = readFileAll(t, ngc)
			samePackets(t, got, want, 0)
			if ifc, _ := r.Interface(0); ifc.TSResol != ResolutionNano {
				t.Fatalf("pcapng from a nanosecond pcap: tsresol %v", ifc.TSResol)
			}
			if c := string(got[0].opts.Comment); c != "dpk interop" {
				t.Fatalf("comment %q", c)
			}
		})
	}
}

// TestMergecapInterfaces merges captures of different link types with
// mergecap into one pcapng with several interfaces.
func TestMergecapInterfaces(t *testing.T) {
	requireTool(t, "mergecap")
	dir := pcapDir(t)
	names := []string{"tcpdump/mpls-traceroute.pcap", "zeek/pbb.pcap", "tcpdump/vxlan.pcap"}
	var want []packet
	var lts []LinkType
	var args []string
	for _, n := range names {
		f := filepath.Join(dir, n)
		r, pkts := readFileAll(t, f)
		want = append(want, pkts...)
		for range pkts {
			lts = append(lts, r.LinkType())
		}
		args = append(args, f)
	}
	out := filepath.Join(t.TempDir(), "m.pcapng")
	runTool(t, "mergecap", append([]string{"-a", "-F", "pcapng", "-w", out}, args...)...)
	r, got := readFileAll(t, out)
	if n := r.(*PcapngReader).NumInterfaces(); n < 2 {
		t.Fatalf("%d interfaces", n)
	}
	for i := range got {
		ifc, ok := r.Interface(got[i].ci.InterfaceIndex)
		if !ok || ifc.LinkType != lts[i] {
			t.Fatalf("packet %d: interface %d %+v, want link type %v", i, got[i].ci.InterfaceIndex, ifc, lts[i])
		}
		got[i].ci.InterfaceIndex = 0
	}
	samePackets(t, got, want, 0)
}

// TestTsharkReadsOurFiles writes the packets of every shared capture in
// each format variant and checks tshark and capinfos read them without a
// warning, with the same lengths, timestamps and comments.
func TestTsharkReadsOurFiles(t *testing.T) {
	requireTool(t, "tshark")
	srcs := loadSources(t)
	dir := t.TempDir()
	type variant struct {
		name     string
		format   Format
		order    binary.ByteOrder
		nano     bool       // pcap
		res      Resolution // pcapng
		sections bool       // pcapng: a section per source file
	}
	for _, v := range []variant{
		{name: "pcap-usec-le", format: FormatPcap, order: binary.LittleEndian},
		{name: "pcap-nsec-be", format: FormatPcap, order: binary.BigEndian, nano: true},
		{name: "pcapng-le-nano", format: FormatPcapng, order: binary.LittleEndian, res: ResolutionNano},
		{name: "pcapng-be-micro", format: FormatPcapng, order: binary.BigEndian},
		{name: "pcapng-le-bin20", format: FormatPcapng, order: binary.LittleEndian, res: BinaryResolution(20)},
		{name: "pcapng-be-sections", format: FormatPcapng, order: binary.BigEndian, res: ResolutionNano, sections: true},
	} {
		t.Run(v.name, func(t *testing.T) {
			path := filepath.Join(dir, v.name+"."+v.format.String())
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var comments []string
			if v.format == FormatPcap {
				// One link type per pcap file: Ethernet only.
				w, err := NewPcapWriter(f, LinkTypeEthernet, 0, v.nano, WithByteOrder(v.order))
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range srcs {
					if s.hdr.LinkType != LinkTypeEthernet {
						continue
					}
					for _, p := range s.pkts {
						if err := w.WritePacket(p.ci, p.data); err != nil {
							t.Fatal(err)
						}
						comments = append(comments, "")
					}
				}
				if err := w.Flush(); err != nil {
					t.Fatal(err)
				}
			} else {
				w, err := NewPcapngWriter(f, WithByteOrder(v.order), WithSection(Section{
					Hardware: "x86_64", OS: "Linux", UserAppl: "dpk pcapng test", Comment: v.name}))
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for si, s := range srcs {
					if v.sections && si > 0 {
						if err := w.NewSection(Section{UserAppl: "dpk", Comment: s.name}); err != nil {
							t.Fatal(err)
						}
					}
					id, err := w.AddInterface(Interface{
						LinkType: s.hdr.LinkType, SnapLen: s.hdr.SnapLen, TSResol: v.res,
						Name: "net_pcap" + strconv.Itoa(si), Description: s.name,
					})
					if err != nil {
						t.Fatal(err)
					}
					for _, p := range s.pkts {
						ci := p.ci
						ci.InterfaceIndex = id
						var o PacketOptions
						c := ""
						if n%10 == 0 {
							c = fmt.Sprintf("packet %d of %s", n, s.name)
							o.Comment = []byte(c)
						}
						o.Flags = FlagsInbound + uint32(n%2)
						if err := w.WritePacketWithOptions(ci, p.data, o); err != nil {
							t.Fatal(err)
						}
						comments = append(comments, c)
						n++
					}
					if err := w.WriteStatistics(id, time.Unix(1700000000, 0), uint64(len(s.pkts)), 0); err != nil {
						t.Fatal(err)
					}
				}
				if err := w.Flush(); err != nil {
					t.Fatal(err)
				}
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			_, ours := readFileAll(t, path)
			if len(ours) != len(comments) {
				t.Fatalf("read back %d packets, wrote %d", len(ours), len(comments))
			}

			out := runTool(t, "tshark", "-r", path, "-T", "fields", "-E", "separator=/t",
				"-e", "frame.len", "-e", "frame.cap_len", "-e", "frame.time_epoch", "-e", "frame.comment")
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			if len(lines) != len(ours) {
				t.Fatalf("tshark shows %d packets, want %d", len(lines), len(ours))
			}
			for i, line := range lines {
				p := ours[i]
				want := fmt.Sprintf("%d\t%d\t%d.%09d\t%s", p.ci.Length, p.ci.CaptureLength,
					p.ci.Timestamp.Unix(), p.ci.Timestamp.Nanosecond(), comments[i])
				if line != want {
					t.Fatalf("packet %d: tshark says %q, want %q", i+1, line, want)
				}
			}

			out = runTool(t, "capinfos", "-c", "-M", path)
			sc := bufio.NewScanner(strings.NewReader(out))
			found := false
			for sc.Scan() {
				if k, val, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "Number of packets" {
					found = true
					if n, _ := strconv.Atoi(strings.TrimSpace(val)); n != len(ours) {
						t.Fatalf("capinfos: %s packets, want %d", strings.TrimSpace(val), len(ours))
					}
				}
			}
			if !found {
				t.Fatalf("capinfos output has no packet count:\n%s", out)
			}
			t.Logf("%s: %d packets; tshark and capinfos agree, no warnings", v.name, len(ours))
		})
	}
}
