package afxdp

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"

	"dpk/eal"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"golang.org/x/sys/unix"
)

const (
	// progPrefix starts the name of dpk's own XDP program; the owner's
	// pid follows, so that a later run can tell a program left by a
	// process that died (stale) from one a live process uses.
	progPrefix = "dpk_xsk_"
	// xsksMapName is the name the XSKMAP must have in a program given
	// with xdp_prog= (DPDK's and libbpf's name).
	xsksMapName = "xsks_map"
	// xdpPass is the XDP_PASS action.
	xdpPass = 2
	// xdpMdRxQueueIndex is the offset of rx_queue_index in struct xdp_md.
	xdpMdRxQueueIndex = 16
)

// xdpProgram is the XDP program of a port and its XSKMAP, attached to the
// port's interface from the first Start to Close.
type xdpProgram struct {
	prog    *ebpf.Program
	xsks    *ebpf.Map
	coll    *ebpf.Collection // a program loaded from xdp_prog=, else nil
	name    string           // the program's name as the kernel shows it
	custom  bool
	ifindex int
	mode    uint32 // XDP_FLAGS_DRV_MODE or XDP_FLAGS_SKB_MODE once attached
}

// ownName is the name of dpk's program in this process.
func ownName() string { return progName(os.Getpid()) }

func progName(pid int) string { return progPrefix + strconv.Itoa(pid) }

// redirectInsns is DPDK's (and libbpf's) default AF_XDP program, in BPF
// assembly:
//
//	return bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);
//
// A packet goes to the socket bound to the queue it arrived on, or, when
// there is none, on to the kernel's stack.
func redirectInsns(xsks *ebpf.Map) asm.Instructions {
	return asm.Instructions{
		asm.LoadMem(asm.R2, asm.R1, xdpMdRxQueueIndex, asm.Word),
		asm.LoadMapPtr(asm.R1, xsks.FD()),
		asm.Mov.Imm(asm.R3, xdpPass),
		asm.FnRedirectMap.Call(),
		asm.Return(),
	}
}

// newOwnProgram makes the XSKMAP, with entries queue ids, and the
// redirect program named name.
func newOwnProgram(name string, entries uint32) (*xdpProgram, error) {
	m, err := ebpf.NewMap(&ebpf.MapSpec{
		Name: xsksMapName, Type: ebpf.XSKMap, KeySize: 4, ValueSize: 4, MaxEntries: entries,
	})
	if err != nil {
		return nil, fmt.Errorf("create XSKMAP of %d entries: %w", entries, bpfHint(err))
	}
	p, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Name: name, Type: ebpf.XDP, License: "Dual BSD/GPL", Instructions: redirectInsns(m),
	})
	if err != nil {
		m.Close()
		return nil, fmt.Errorf("load the XDP redirect program: %w", bpfHint(err))
	}
	return &xdpProgram{prog: p, xsks: m, name: name}, nil
}

// loadCustomProgram loads the program of an ELF object (xdp_prog=path): its
// XDP program, and its map named xsks_map, where sockets are put by queue
// id as with dpk's own program.
func loadCustomProgram(path string) (*xdpProgram, error) {
	spec, prog, err := customSpec(path)
	if err != nil {
		return nil, err
	}
	coll, err := ebpf.NewCollection(spec)
	if err != nil {
		return nil, fmt.Errorf("xdp_prog=%s: load: %w", path, bpfHint(err))
	}
	x := &xdpProgram{prog: coll.Programs[prog], xsks: coll.Maps[xsksMapName], coll: coll, custom: true}
	info, err := x.prog.Info()
	if err != nil {
		coll.Close()
		return nil, fmt.Errorf("xdp_prog=%s: program info: %w", path, err)
	}
	x.name = info.Name
	return x, nil
}

// customSpec reads the ELF object of xdp_prog=path and checks it without
// the kernel's help: it has a map named xsks_map, an XSKMAP, and an XDP
// program, whose name it returns (the first by name if there are more).
func customSpec(path string) (*ebpf.CollectionSpec, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, "", fmt.Errorf("xdp_prog=%s: %w", path, err)
	}
	spec, err := ebpf.LoadCollectionSpecFromReader(f)
	f.Close()
	if err != nil {
		// A short file is only "EOF" to the ELF reader: say what is wrong.
		return nil, "", fmt.Errorf("xdp_prog=%s: not a BPF ELF object dpk can read: %w", path, err)
	}
	ms, ok := spec.Maps[xsksMapName]
	if !ok {
		return nil, "", fmt.Errorf("xdp_prog=%s: no map named %s (the program must redirect to an XSKMAP of that name)", path, xsksMapName)
	}
	if ms.Type != ebpf.XSKMap {
		return nil, "", fmt.Errorf("xdp_prog=%s: map %s is a %v, not an XSKMAP", path, xsksMapName, ms.Type)
	}
	var names []string
	for n, p := range spec.Programs {
		if p.Type == ebpf.XDP {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return nil, "", fmt.Errorf("xdp_prog=%s: no XDP program in the object", path)
	}
	sort.Strings(names)
	if len(names) > 1 {
		eal.Logf(eal.LogWarning, logType, "xdp_prog=%s: %d XDP programs (%s): using %s", path, len(names), strings.Join(names, ", "), names[0])
	}
	return spec, names[0], nil
}

// bpfHint explains the usual reasons the kernel refuses a BPF object.
func bpfHint(err error) error {
	switch {
	case errors.Is(err, unix.EPERM):
		return fmt.Errorf("%w: loading BPF programs needs CAP_BPF and CAP_NET_ADMIN (run as root); on kernels before 5.11 also a high enough RLIMIT_MEMLOCK", err)
	case errors.Is(err, ebpf.ErrNotSupported):
		return fmt.Errorf("%w: the kernel lacks XSKMAP or XDP support (CONFIG_XDP_SOCKETS, CONFIG_BPF_SYSCALL)", err)
	}
	return err
}

// close releases the program and map; the kernel frees them once no
// interface or socket holds them.
func (x *xdpProgram) close() {
	if x.coll != nil {
		x.coll.Close()
		return
	}
	x.prog.Close()
	x.xsks.Close()
}

// attachedHere records the interfaces this process's ports have a program
// attached to, so that a program of this process's pid is stale only if no
// port holds it.
var attachedHere = struct {
	sync.Mutex
	m map[int]bool
}{m: map[int]bool{}}

// verdict is what to do about the program found on an interface.
type verdict int

const (
	verdictAttach  verdict = iota // nothing there
	verdictReplace                // a stale program: replace it
	verdictRefuse                 // someone's program: leave it and fail
)

// judge decides about the attached program named name: dpk's programs are
// stale when their process is gone (or is this one and no port of it holds
// the interface); a program of the same name as a custom one is taken to
// be that program left by an earlier run. Anything else is refused.
func judge(name, want string, custom bool, inUseHere bool, alive func(pid int) bool) (verdict, string) {
	if custom {
		if name == want {
			return verdictReplace, "a program of the same name, left by an earlier run"
		}
		return verdictRefuse, ""
	}
	if !strings.HasPrefix(name, progPrefix) {
		return verdictRefuse, ""
	}
	pid, err := strconv.Atoi(name[len(progPrefix):])
	if err != nil || pid <= 0 {
		return verdictRefuse, ""
	}
	if pid == os.Getpid() {
		if inUseHere {
			return verdictRefuse, ""
		}
		return verdictReplace, "left by a port of this process that was not closed"
	}
	if alive(pid) {
		return verdictRefuse, ""
	}
	return verdictReplace, fmt.Sprintf("left by process %d, which is gone", pid)
}

// pidAlive reports whether a process pid exists.
func pidAlive(pid int) bool {
	err := unix.Kill(pid, 0)
	return err == nil || errors.Is(err, unix.EPERM)
}

// attach puts the program on interface ifindex (ifname for messages):
// native XDP first, generic XDP when the driver has none. A stale program
// is replaced (atomically with XDP_FLAGS_REPLACE when it is in native
// mode, else detached first); any other program makes attach fail.
func (x *xdpProgram) attach(ifindex int, ifname, port string) error {
	st, err := xdpQuery(ifindex)
	if err != nil {
		return err
	}
	attachedHere.Lock()
	defer attachedHere.Unlock()
	if st.attached != xdpAttachedNone {
		if err := x.replaceStale(st, ifindex, ifname, port); err != nil || x.mode != 0 {
			if err == nil {
				attachedHere.m[ifindex] = true
				x.ifindex = ifindex
			}
			return err
		}
	}
	for _, mode := range []uint32{unix.XDP_FLAGS_DRV_MODE, unix.XDP_FLAGS_SKB_MODE} {
		err = xdpSet(ifindex, x.prog.FD(), mode|unix.XDP_FLAGS_UPDATE_IF_NOEXIST, -1)
		if err == nil {
			x.mode = mode
			break
		}
		if errors.Is(err, unix.EBUSY) || errors.Is(err, unix.EEXIST) {
			return fmt.Errorf("attach XDP program to %s: another program was attached meanwhile: %w", ifname, err)
		}
		if mode == unix.XDP_FLAGS_DRV_MODE {
			eal.Logf(eal.LogInfo, logType, "%s: %s has no native XDP (%v): using generic XDP", port, ifname, err)
		}
	}
	if err != nil {
		return fmt.Errorf("attach XDP program to %s (native and generic): %w", ifname, err)
	}
	attachedHere.m[ifindex] = true
	x.ifindex = ifindex
	eal.Logf(eal.LogInfo, logType, "%s: XDP program %s attached to %s in %s mode", port, x.name, ifname, modeName(x.mode))
	return nil
}

// replaceStale deals with the program(s) found on the interface. It sets
// x.mode when it attached x in the stale one's place; it leaves it 0 when
// it detached the stale one for attach to go on.
func (x *xdpProgram) replaceStale(st xdpState, ifindex int, ifname, port string) error {
	for _, mode := range []uint32{unix.XDP_FLAGS_DRV_MODE, unix.XDP_FLAGS_SKB_MODE, unix.XDP_FLAGS_HW_MODE} {
		id := st.id(mode)
		if id == 0 {
			continue
		}
		old, err := ebpf.NewProgramFromID(ebpf.ProgramID(id))
		if err != nil {
			return fmt.Errorf("%s already has XDP program id %d (%s mode), which dpk cannot inspect: %w", ifname, id, modeName(mode), err)
		}
		name := "?"
		if info, err := old.Info(); err == nil {
			name = info.Name
		}
		v, why := judge(name, x.name, x.custom, attachedHere.m[ifindex], pidAlive)
		if v != verdictReplace || mode == unix.XDP_FLAGS_HW_MODE {
			old.Close()
			return fmt.Errorf("%s already has XDP program %q (id %d, %s mode) attached: dpk does not replace it; remove it with `ip link set dev %s xdp off` (or xdpgeneric off) if it is not in use", ifname, name, id, modeName(mode), ifname)
		}
		eal.Logf(eal.LogWarning, logType, "%s: %s has a stale XDP program %q (id %d, %s mode), %s: replacing it", port, ifname, name, id, modeName(mode), why)
		if mode == unix.XDP_FLAGS_DRV_MODE {
			err = xdpSet(ifindex, x.prog.FD(), mode|unix.XDP_FLAGS_REPLACE, old.FD())
			old.Close()
			if err != nil {
				return fmt.Errorf("replace stale XDP program %q on %s: %w", name, ifname, err)
			}
			x.mode = mode
			eal.Logf(eal.LogInfo, logType, "%s: XDP program %s attached to %s in %s mode, in place of the stale one", port, x.name, ifname, modeName(mode))
			return nil
		}
		err = xdpSet(ifindex, -1, mode|unix.XDP_FLAGS_REPLACE, old.FD())
		old.Close()
		if err != nil {
			return fmt.Errorf("detach stale XDP program %q from %s: %w", name, ifname, err)
		}
	}
	return nil
}

// detach takes the program off its interface, if it is still there.
func (x *xdpProgram) detach() error {
	if x.mode == 0 {
		return nil
	}
	attachedHere.Lock()
	delete(attachedHere.m, x.ifindex)
	attachedHere.Unlock()
	err := xdpSet(x.ifindex, -1, x.mode|unix.XDP_FLAGS_REPLACE, x.prog.FD())
	x.mode = 0
	if err != nil && (errors.Is(err, unix.ENODEV) || errors.Is(err, unix.EEXIST)) {
		return nil // the interface is gone, or the program was replaced
	}
	return err
}
