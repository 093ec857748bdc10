package afxdp

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dpk/eal"
	"dpk/ethdev"
	"dpk/internal/drivertest"
	"dpk/internal/netns"
	"dpk/mbuf"
	"dpk/mempool"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
)

// writeObject writes b to a file in the test's temporary directory and
// returns its path.
func writeObject(t testing.TB, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestXdpProgObjectParses checks the generated object with cilium/ebpf's
// ELF reader alone (no kernel): one XDP program, relocated to an XSKMAP
// named xsks_map.
func TestXdpProgObjectParses(t *testing.T) {
	b := validUDPOnly().bytes(t)
	if _, err := elf.NewFile(bytes.NewReader(b)); err != nil {
		t.Fatalf("debug/elf: %v", err)
	}
	spec, err := ebpf.LoadCollectionSpecFromReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	m := spec.Maps[xsksMapName]
	if m == nil || m.Type != ebpf.XSKMap || m.KeySize != 4 || m.ValueSize != 4 || m.MaxEntries != 64 {
		t.Fatalf("maps %v, want xsks_map XSKMAP 4/4/64", spec.Maps)
	}
	p := spec.Programs["xdp_udp_only"]
	if p == nil || p.Type != ebpf.XDP || p.AttachType != ebpf.AttachXDP || p.License != "GPL" || p.SectionName != "xdp" {
		t.Fatalf("programs %v, want xdp_udp_only of type XDP in section xdp", spec.Programs)
	}
	refs := 0
	for _, ins := range p.Instructions {
		if ins.IsLoadFromMap() {
			if ins.Reference() != xsksMapName {
				t.Errorf("map load %v refers to %q", ins, ins.Reference())
			}
			refs++
		}
	}
	if refs != 1 || len(p.Instructions) != len(udpOnlyInsns(true)) {
		t.Errorf("%d instructions, %d map loads:\n%v", len(p.Instructions), refs, p.Instructions)
	}
}

// TestXdpProgBadObjects gives loadCustomProgram objects it must refuse,
// before anything reaches the kernel: each error names the file and the
// problem, and nothing panics.
func TestXdpProgBadObjects(t *testing.T) {
	valid := validUDPOnly().bytes(t)
	obj := func(f func(o *bpfObject)) []byte {
		o := validUDPOnly()
		f(&o)
		return o.bytes(t)
	}
	cases := []struct {
		name string
		data []byte // nil: no file at all
		want []string
	}{
		{"missing", nil, []string{"no such file or directory"}},
		{"empty", []byte{}, []string{"not a BPF ELF object", "EOF"}},
		{"text", []byte("SEC(\"xdp\") int prog(struct xdp_md *ctx) { return XDP_PASS; }\n"), []string{"not a BPF ELF object", "bad magic number"}},
		{"truncated", valid[:len(valid)/2], []string{"not a BPF ELF object", "EOF"}},
		{"x86_object", func() []byte {
			b := bytes.Clone(valid)
			b[18], b[19] = byte(elf.EM_X86_64), 0 // e_machine (little endian)
			if hostOrder() == binary.BigEndian {
				b[18], b[19] = 0, byte(elf.EM_X86_64)
			}
			return b
		}(), []string{"not a BPF ELF object", "machine type", "EM_X86_64"}},
		{"no_xsks_map", obj(func(o *bpfObject) { o.mapName = "xsk_map" }), []string{"no map named xsks_map"}},
		{"hash_map", obj(func(o *bpfObject) { o.mapType = ebpf.Hash }), []string{"map xsks_map is a Hash, not an XSKMAP"}},
		{"socket_filter", obj(func(o *bpfObject) { o.section = "socket" }), []string{"no XDP program in the object"}},
		{"tc_program", obj(func(o *bpfObject) { o.section = "tc" }), []string{"no XDP program in the object"}},
		{"bad_relocation", obj(func(o *bpfObject) { o.bigIndex = true }), []string{"not a BPF ELF object", "symbol 999 doesn't exist"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "absent.o")
			if c.data != nil {
				path = writeObject(t, c.name+".o", c.data)
			}
			x, err := loadCustomProgram(path)
			if err == nil {
				x.close()
				t.Fatalf("%s loaded", c.name)
			}
			t.Log(err)
			msg := err.Error()
			for _, w := range append([]string{"xdp_prog=" + path}, c.want...) {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not say %q", msg, w)
				}
			}
		})
	}
}

// TestXdpProgLoad loads the valid object and one the verifier refuses into
// the kernel, without attaching either.
func TestXdpProgLoad(t *testing.T) {
	needRoot(t)
	x, err := loadCustomProgram(writeObject(t, "udp.o", validUDPOnly().bytes(t)))
	if err != nil {
		t.Fatal(err)
	}
	if !x.custom || x.name != "xdp_udp_only" || x.prog.Type() != ebpf.XDP || x.xsks.Type() != ebpf.XSKMap || x.xsks.MaxEntries() != 64 {
		t.Errorf("loaded %+v: program %v, map %v", x, x.prog, x.xsks)
	}
	if err := x.detach(); err != nil { // never attached: nothing to do
		t.Errorf("detach of a program never attached: %v", err)
	}
	x.close()

	o := validUDPOnly()
	o.insns = udpOnlyInsns(false)
	_, err = loadCustomProgram(writeObject(t, "unchecked.o", o.bytes(t)))
	t.Log(err)
	if err == nil || !strings.Contains(err.Error(), "xdp_prog=") || !strings.Contains(err.Error(), "load") ||
		!strings.Contains(err.Error(), "invalid access to packet") {
		t.Errorf("program without a bounds check: %v, want the verifier's refusal", err)
	}
}

// packetTap is an AF_PACKET socket on an interface: it sees the frames
// the interface hands to the kernel's stack (XDP_PASS), not those an XDP
// program redirects to an AF_XDP socket.
type packetTap struct {
	fd int
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

func newPacketTap(t *testing.T, ifname string) *packetTap {
	t.Helper()
	ifc, err := net.InterfaceByName(ifname)
	if err != nil {
		t.Fatal(err)
	}
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, int(htons(unix.ETH_P_ALL)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ALL), Ifindex: ifc.Index}); err != nil {
		t.Fatal(err)
	}
	return &packetTap{fd: fd}
}

// collect returns the frames from src the interface received, until want
// of them arrived and then quiet more, or until d passed.
func (p *packetTap) collect(t *testing.T, src net.HardwareAddr, want int, d, quiet time.Duration) [][]byte {
	t.Helper()
	var got [][]byte
	buf := make([]byte, 4096)
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		n, from, err := unix.Recvfrom(p.fd, buf, 0)
		if err == unix.EAGAIN {
			if len(got) >= want && time.Until(end) > quiet {
				end = time.Now().Add(quiet)
			}
			time.Sleep(time.Millisecond)
			continue
		}
		if err != nil {
			t.Fatalf("packet socket: %v", err)
		}
		if ll, ok := from.(*unix.SockaddrLinklayer); ok && ll.Pkttype == unix.PACKET_OUTGOING {
			continue
		}
		if n >= 14 && bytes.Equal(buf[6:12], src) {
			got = append(got, bytes.Clone(buf[:n]))
		}
	}
	return got
}

// xdpFrames are the test's frames from src to dst: udp, IPv4 UDP, which
// the user's program redirects, and other, which it passes: ICMP and TCP
// over IPv4, UDP over IPv6, ARP.
func xdpFrames(dst, src net.HardwareAddr, tag byte) (udp, other [][]byte) {
	sip, dip := net.IPv4(10, 95, 0, 1), net.IPv4(10, 95, 0, 2)
	for i := range 8 {
		udp = append(udp, drivertest.UDPFrame(dst, src, sip, dip, uint16(2000+i), 9, bytes.Repeat([]byte{tag, byte(i)}, 20+i)))
	}
	asProto := func(proto byte, i int) []byte {
		f := drivertest.UDPFrame(dst, src, sip, dip, uint16(3000+i), 9, bytes.Repeat([]byte{tag, byte(i)}, 30))
		f[23] = proto // the IPv4 header checksum no longer matches: the stack drops it after the tap
		return f
	}
	other = append(other, asProto(1, 0), asProto(6, 1), asProto(1, 2))
	v6 := drivertest.UDPFrame(dst, src, sip, dip, 3100, 9, bytes.Repeat([]byte{tag}, 40))
	v6[12], v6[13] = 0x86, 0xdd
	v6[14+6] = 17 // an IPv6 header's next header would be here: not IPv4 all the same
	arp := make([]byte, 14+28)
	copy(arp, dst)
	copy(arp[6:], src)
	arp[12], arp[13] = 0x08, 0x06
	arp[14+27] = tag
	other = append(other, v6, arp)
	return udp, other
}

// sendFrames sends frames from port y's queue 0.
func sendFrames(t *testing.T, y uint16, mp *mempool.Mempool, frames [][]byte) {
	t.Helper()
	pkts := make([]*mbuf.Mbuf, len(frames))
	drivertest.MbufsOf(t, mp, pkts, frames...)
	sent := 0
	for try := 0; sent < len(pkts) && try < 1000; try++ {
		sent += ethdev.TxBurst(y, 0, pkts[sent:])
	}
	if sent != len(pkts) {
		mbuf.FreeBulk(pkts[sent:], eal.LcoreIDAny)
		t.Fatalf("sent %d of %d frames", sent, len(pkts))
	}
}

// rxFrames polls queue 0 of port until n frames arrived or d passed, and
// returns copies of them (the mbufs go back to their pool).
func rxFrames(port uint16, n int, d time.Duration) [][]byte {
	got := rxAll(port, 0, n, d)
	var out [][]byte
	for _, m := range got {
		out = append(out, bytes.Clone(m.Data()))
	}
	mbuf.FreeBulk(got, eal.LcoreIDAny)
	return out
}

// sameFrames reports whether got holds exactly the frames of want, in any
// order.
func sameFrames(got, want [][]byte) bool {
	if len(got) != len(want) {
		return false
	}
	used := make([]bool, len(want))
next:
	for _, g := range got {
		for i, w := range want {
			if !used[i] && bytes.Equal(g, w) {
				used[i] = true
				continue next
			}
		}
		return false
	}
	return true
}

// ipLinkShow returns `ip link show dev ifname`.
func ipLinkShow(t *testing.T, ifname string) string {
	t.Helper()
	out, err := exec.Command("ip", "link", "show", "dev", ifname).CombinedOutput()
	if err != nil {
		t.Fatalf("ip link show %s: %v: %s", ifname, err, out)
	}
	return string(out)
}

// TestXdpProg runs a port with xdp_prog= set to an object whose program
// redirects only IPv4 UDP: the port receives the UDP frames sent to its
// interface and nothing else, while the other frames reach the kernel's
// stack (an AF_PACKET socket on the interface sees them, and not the UDP
// ones). Stopped, the port has no socket in the map, and the program
// passes UDP too. Close takes the program off the interface.
func TestXdpProg(t *testing.T) {
	path := writeObject(t, "udp_only.o", validUDPOnly().bytes(t))
	v, x, y := newPair(t, ",busy_budget=0,xdp_prog="+path, "", 1)
	mp := newPool(t, "axp_xprog", 4095)
	startPort(t, x, 1, mp, 256)
	startPort(t, y, 1, mp, 256)

	name, id := attachedProg(t, v.Name)
	show := ipLinkShow(t, v.Name)
	t.Logf("%s has XDP program %q id %d\n%s", v.Name, name, id, show)
	if name != "xdp_udp_only" {
		t.Fatalf("%s has XDP program %q, want the object's xdp_udp_only", v.Name, name)
	}
	if !strings.Contains(show, "prog/xdp id ") {
		t.Errorf("ip link show does not show the program")
	}

	dst, src := netns.Host.MAC(t, v.Name), netns.Host.MAC(t, v.Peer)
	tap := newPacketTap(t, v.Name)
	udp, other := xdpFrames(dst, src, 0xa1)
	sendFrames(t, y, mp, append(append([][]byte{}, udp...), other...))
	gotBytes := rxFrames(x, len(udp)+1, time.Second) // one more: nothing else comes
	if !sameFrames(gotBytes, udp) {
		t.Errorf("the port received %d frames, want the %d UDP frames exactly:", len(gotBytes), len(udp))
		for _, b := range gotBytes {
			t.Logf("  %x", b[:min(len(b), 40)])
		}
	}
	passed := tap.collect(t, src, len(other), 3*time.Second, 200*time.Millisecond)
	t.Logf("sent %d UDP and %d other frames: the port received %d, the kernel's stack saw %d", len(udp), len(other), len(gotBytes), len(passed))
	if !sameFrames(passed, other) {
		t.Errorf("the kernel's stack saw %d frames, want the %d non-UDP frames exactly:", len(passed), len(other))
		for _, b := range passed {
			t.Logf("  %x", b[:min(len(b), 40)])
		}
	}

	// Stopped: the program stays, the map is empty, UDP goes to the stack.
	if err := ethdev.Stop(x); err != nil {
		t.Fatal(err)
	}
	if n, now := attachedProg(t, v.Name); n != name || now != id {
		t.Errorf("after stop %s has program %q id %d, want %q id %d", v.Name, n, now, name, id)
	}
	udp, _ = xdpFrames(dst, src, 0xa2)
	sendFrames(t, y, mp, udp)
	if passed := tap.collect(t, src, len(udp), 3*time.Second, 100*time.Millisecond); !sameFrames(passed, udp) {
		t.Errorf("stopped: the kernel's stack saw %d frames, want the %d UDP frames", len(passed), len(udp))
	}

	// Started again: the sockets are back in the same program's map.
	if err := ethdev.Start(x); err != nil {
		t.Fatal(err)
	}
	if _, now := attachedProg(t, v.Name); now != id {
		t.Errorf("after restart %s has program id %d, want %d", v.Name, now, id)
	}
	udp, other = xdpFrames(dst, src, 0xa3)
	sendFrames(t, y, mp, append(append([][]byte{}, udp...), other...))
	if got := rxFrames(x, len(udp)+1, time.Second); !sameFrames(got, udp) {
		t.Errorf("restarted: the port received %d frames, want the %d UDP frames exactly", len(got), len(udp))
	}
	if passed := tap.collect(t, src, len(other), 3*time.Second, 100*time.Millisecond); !sameFrames(passed, other) {
		t.Errorf("restarted: the kernel's stack saw %d frames, want the %d non-UDP frames", len(passed), len(other))
	}

	if err := ethdev.Close(x); err != nil {
		t.Fatalf("close: %v", err)
	}
	if n, id := attachedProg(t, v.Name); id != 0 {
		t.Errorf("after close %s still has XDP program %q id %d", v.Name, n, id)
	}
	if show := ipLinkShow(t, v.Name); strings.Contains(show, "xdp") {
		t.Errorf("after close, ip link show still shows XDP:\n%s", show)
	}
	if _, err := ebpf.NewProgramFromID(ebpf.ProgramID(id)); err == nil {
		t.Errorf("program id %d still exists after close", id)
	}
	ethdev.Stop(y)
	if mp.AvailCount() != mp.Size() {
		t.Errorf("%d of %d mbufs in the pool", mp.AvailCount(), mp.Size())
	}
}

// TestXdpProgStale leaves the object's program attached with no handle on
// it (a crash) and starts a port with the same xdp_prog: the program of
// the same name is replaced. Another object's program is refused.
func TestXdpProgStale(t *testing.T) {
	path := writeObject(t, "udp_only.o", validUDPOnly().bytes(t))
	v, x, _ := newPair(t, ",busy_budget=0,xdp_prog="+path, "", 1)
	ifc, err := net.InterfaceByName(v.Name)
	if err != nil {
		t.Fatal(err)
	}
	left, err := loadCustomProgram(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := xdpSet(ifc.Index, left.prog.FD(), unix.XDP_FLAGS_DRV_MODE|unix.XDP_FLAGS_UPDATE_IF_NOEXIST, -1); err != nil {
		t.Fatal(err)
	}
	left.close()
	t.Cleanup(func() { xdpSet(ifc.Index, -1, unix.XDP_FLAGS_DRV_MODE, -1) })
	_, oldID := attachedProg(t, v.Name)

	mp := newPool(t, "axp_xstale", 1023)
	startPort(t, x, 1, mp, 256)
	name, id := attachedProg(t, v.Name)
	t.Logf("stale id %d replaced by %q id %d", oldID, name, id)
	if name != "xdp_udp_only" || id == oldID || id == 0 {
		t.Errorf("after start %s has %q id %d, want xdp_udp_only in place of id %d", v.Name, name, id, oldID)
	}
	if err := ethdev.Close(x); err != nil {
		t.Fatal(err)
	}
	if n, id := attachedProg(t, v.Name); id != 0 {
		t.Errorf("after close %s has %q id %d", v.Name, n, id)
	}

	// dpk's own program, of a live process (init), is not the object's.
	leaveProgram(t, v.Name, progName(1))
	_, id = attachedProg(t, v.Name)
	p := drivertest.ProbePort(t, "net_af_xdp_xs,iface="+v.Name+",xdp_prog="+path)
	defer ethdev.Close(p)
	err = configureAndStart(p, mp)
	t.Log(err)
	if err == nil || !strings.Contains(err.Error(), "already has XDP program") || !strings.Contains(err.Error(), progName(1)) {
		t.Errorf("start over %q: %v, want an error naming it", progName(1), err)
	}
	if _, now := attachedProg(t, v.Name); now != id {
		t.Errorf("program id %d replaced by id %d", id, now)
	}
}

// configureAndStart sets up one queue pair of port p and starts it.
func configureAndStart(p uint16, mp *mempool.Mempool) error {
	err := ethdev.Configure(p, 1, 1, &ethdev.Conf{})
	if err == nil {
		err = ethdev.RxQueueSetup(p, 0, 256, -1, nil, mp)
	}
	if err == nil {
		err = ethdev.TxQueueSetup(p, 0, 256, -1, nil)
	}
	if err == nil {
		err = ethdev.Start(p)
	}
	return err
}

// TestXdpProgErrors probes and starts ports with bad xdp_prog objects:
// probe refuses a missing file, Start an object it cannot use, with the
// device's name and the problem; nothing is attached and every mbuf is
// back.
func TestXdpProgErrors(t *testing.T) {
	v, _, _ := newPair(t, "", "", 2)
	mp := newPool(t, "axp_xerr", 1023)
	dir := t.TempDir()
	err := ethdev.Probe("net_af_xdp_xe,iface=" + v.Name + ",xdp_prog=" + filepath.Join(dir, "none.o"))
	t.Log(err)
	if err == nil || !strings.Contains(err.Error(), "net_af_xdp_xe: xdp_prog") || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("probe with a missing xdp_prog: %v", err)
	}
	o := validUDPOnly()
	o.insns = udpOnlyInsns(false)
	unchecked := o.bytes(t)
	o = validUDPOnly()
	o.mapMax = 0
	noEntries := o.bytes(t)
	o.mapMax = 1
	oneEntry := o.bytes(t)
	for i, c := range []struct {
		name, path string
		want       string
		args       string
	}{
		{"not_elf", writeObject(t, "prog.c", []byte("int x;\n")), "not a BPF ELF object", ""},
		{"directory", dir, "is a directory", ""},
		{"no_xsks_map", writeObject(t, "m.o", func() []byte { o := validUDPOnly(); o.mapName = "xsks"; return o.bytes(t) }()), "no map named xsks_map", ""},
		{"verifier", writeObject(t, "v.o", unchecked), "invalid access to packet", ""},
		{"map_of_no_entries", writeObject(t, "z.o", noEntries), "xsks_map", ""},
		{"map_too_small", writeObject(t, "s.o", oneEntry), "xsks_map has 1 entries, too few for queue 1 (start_queue=0, queue_count=2)", ",queue_count=2"},
	} {
		t.Run(c.name, func(t *testing.T) {
			name := "net_af_xdp_xe" + itoa(i)
			p := drivertest.ProbePort(t, name+",iface="+v.Name+",xdp_prog="+c.path+c.args)
			defer ethdev.Close(p)
			err := configureAndStart(p, mp)
			t.Log(err)
			if err == nil || !strings.Contains(err.Error(), name+": xdp_prog="+c.path) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("start: %v, want an error with %q", err, c.want)
			}
			if n, id := attachedProg(t, v.Name); id != 0 {
				t.Errorf("%s has XDP program %q id %d after the failed start", v.Name, n, id)
			}
			if mp.AvailCount() != mp.Size() {
				t.Errorf("%d of %d mbufs in the pool", mp.AvailCount(), mp.Size())
			}
		})
	}
}

// FuzzXdpProg feeds objects to the xdp_prog reader and checker (no
// kernel: a mutated max_entries alone can make the kernel allocate
// gigabytes): it never panics, errors name the file, and what it accepts
// has an XSKMAP named xsks_map and the XDP program it names.
func FuzzXdpProg(f *testing.F) {
	valid := validUDPOnly().bytes(f)
	f.Add(valid)
	f.Add(valid[:len(valid)-40])
	f.Add(func() []byte { o := validUDPOnly(); o.mapType = ebpf.Array; return o.bytes(f) }())
	f.Add(func() []byte { o := validUDPOnly(); o.noReloc = true; return o.bytes(f) }())
	f.Add(func() []byte { o := validUDPOnly(); o.section = "socket"; return o.bytes(f) }())
	f.Add(func() []byte { b := bytes.Clone(valid); b[0x28] ^= 0xff; return b }()) // e_shoff
	f.Add([]byte("\x7fELF"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(dir, "fuzz.o")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		spec, prog, err := customSpec(path)
		if err != nil {
			if !strings.Contains(err.Error(), "xdp_prog="+path) {
				t.Errorf("error does not name the file: %v", err)
			}
			return
		}
		if m := spec.Maps[xsksMapName]; m == nil || m.Type != ebpf.XSKMap {
			t.Fatalf("accepted with maps %v", spec.Maps)
		}
		if p := spec.Programs[prog]; p == nil || p.Type != ebpf.XDP {
			t.Fatalf("accepted with program %q of %v", prog, spec.Programs)
		}
	})
}
