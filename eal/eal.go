package eal

import (
	"errors"
	"fmt"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"

	"dpk/internal/sys"
)

// ErrAlready is returned by Init when the EAL is initialised already (EALREADY).
var ErrAlready = errors.New("eal: already initialised")

// evalState is everything Init sets up; Cleanup tears it down.
type evalState struct {
	cfg      *Config
	args     []string // the EAL arguments as given
	appArgs  []string
	log      *logger
	mem      *memory
	lcores   [MaxLcore]*Lcore
	order    []uint32
	mainID   uint32
	topo     []sys.CPU
	oldProcs int
	mainCPUs []int
}

var (
	cur    atomic.Pointer[evalState]
	initMu sync.Mutex
)

func state() *evalState { return cur.Load() }

// Init initialises the Environment Abstraction Layer from a DPDK-style
// command line (rte_eal_init): args[0] is the program name, then EAL
// options, then optionally "--" and the application's options. It returns
// the application's arguments with args[0] first.
//
// Init reserves the memory window, creates or attaches to the shared memory
// configuration of --file-prefix, starts one goroutine per worker lcore
// (locked to an OS thread pinned to its CPUs) and pins the calling thread as
// the main lcore. A bad option is an error naming it; -h gives ErrHelp.
func Init(args []string) ([]string, error) {
	cfg, rest, err := ParseArgs(args)
	if err != nil {
		return nil, err
	}
	if err := InitConfig(cfg); err != nil {
		return nil, err
	}
	st := state()
	st.args = append([]string(nil), args...)
	st.appArgs = rest
	return rest, nil
}

// InitConfig initialises the EAL from an already parsed configuration.
func InitConfig(cfg *Config) error {
	initMu.Lock()
	defer initMu.Unlock()
	if cur.Load() != nil {
		return ErrAlready
	}
	st := &evalState{cfg: cfg, log: newLogger(cfg.LogRules)}
	for _, n := range cfg.Notes {
		st.log.logf(LogNotice, "lib.eal", "%s", n)
	}
	if cfg.IOVAMode != "" && cfg.IOVAMode != "va" {
		return fmt.Errorf("eal: --iova-mode %s: dpk supports only va", cfg.IOVAMode)
	}
	var err error
	st.topo, err = sys.Topology()
	if err != nil {
		return err
	}
	if err := st.setupLcores(cfg); err != nil {
		return err
	}
	st.mem, err = setupMemory(cfg, st.log)
	if err != nil {
		return err
	}
	cur.Store(st)
	if err := st.startLcores(); err != nil {
		cur.Store(nil)
		st.stopLcores()
		st.mem.close()
		return err
	}
	for _, h := range registeredHooks() {
		if h.Init == nil {
			continue
		}
		if herr := h.Init(); herr != nil {
			cleanupLocked() // closes the memory too
			return fmt.Errorf("eal: %s: %w", h.Name, herr)
		}
	}
	return nil
}

func (st *evalState) setupLcores(cfg *Config) error {
	online := map[int]sys.CPU{}
	for _, c := range st.topo {
		online[c.ID] = c
	}
	maps := cfg.Lcores
	if maps == nil {
		for _, c := range st.topo {
			if c.ID < MaxLcore {
				maps = append(maps, LcoreMap{ID: uint32(c.ID), CPUs: []int{c.ID}})
			}
		}
	}
	if len(maps) == 0 {
		return errors.New("eal: no lcores enabled")
	}
	for _, lm := range maps {
		if lm.ID >= MaxLcore {
			return fmt.Errorf("eal: lcore %d: ids must be below %d", lm.ID, MaxLcore)
		}
		if st.lcores[lm.ID] != nil {
			return fmt.Errorf("eal: lcore %d given twice", lm.ID)
		}
		if len(lm.CPUs) == 0 {
			return fmt.Errorf("eal: lcore %d has no cpu", lm.ID)
		}
		for _, c := range lm.CPUs {
			if _, ok := online[c]; !ok {
				return fmt.Errorf("eal: lcore %d: cpu %d is not online (online cpus: %s)", lm.ID, c, cpuList(st.topo))
			}
		}
		st.lcores[lm.ID] = &Lcore{id: lm.ID, cpus: append([]int(nil), lm.CPUs...), socket: online[lm.CPUs[0]].Node}
		st.order = append(st.order, lm.ID)
	}
	sort.Slice(st.order, func(i, j int) bool { return st.order[i] < st.order[j] })
	st.mainID = st.order[0]
	if cfg.MainLcore >= 0 {
		if cfg.MainLcore >= MaxLcore || st.lcores[cfg.MainLcore] == nil {
			return fmt.Errorf("eal: --main-lcore %d is not one of the enabled lcores", cfg.MainLcore)
		}
		st.mainID = uint32(cfg.MainLcore)
	}
	st.lcores[st.mainID].main = true
	return nil
}

func cpuList(cpus []sys.CPU) string {
	s := ""
	for i, c := range cpus {
		if i > 0 {
			s += ","
		}
		s += fmt.Sprint(c.ID)
	}
	return s
}

func (st *evalState) startLcores() error {
	need := len(st.order) + 2
	st.oldProcs = runtime.GOMAXPROCS(0)
	if st.oldProcs < need {
		runtime.GOMAXPROCS(need)
	}
	for _, id := range st.order {
		lc := st.lcores[id]
		lc.launch = make(chan LcoreFunc)
		lc.done = make(chan error, 1)
		if lc.main {
			continue
		}
		ready := make(chan error)
		go lc.worker(ready, lc.launch)
		if err := <-ready; err != nil {
			close(lc.launch)
			lc.launch = nil
			return fmt.Errorf("eal: start lcore %d: %w", id, err)
		}
	}
	// The calling thread becomes the main lcore, as in DPDK.
	m := st.lcores[st.mainID]
	st.mainCPUs, _ = sys.ThreadAffinity()
	if err := sys.PinThread(m.cpus); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("eal: pin main lcore %d: %w", m.id, err)
	}
	return nil
}

func (st *evalState) stopLcores() {
	for _, id := range st.order {
		lc := st.lcores[id]
		if lc.main || lc.launch == nil {
			continue
		}
		if lc.State() == Running {
			<-lc.done
		}
		close(lc.launch)
		lc.launch = nil
	}
}

// Cleanup releases what Init set up (rte_eal_cleanup): it waits for running
// lcore functions, stops the worker lcores, unmaps memory and, in the
// primary, removes the runtime files. It must be called from the thread
// that called Init.
func Cleanup() error {
	initMu.Lock()
	defer initMu.Unlock()
	return cleanupLocked()
}

func cleanupLocked() error {
	st := cur.Load()
	if st == nil {
		return ErrNotInit
	}
	bs := registeredHooks()
	for i := len(bs) - 1; i >= 0; i-- {
		if bs[i].Cleanup != nil {
			bs[i].Cleanup()
		}
	}
	runCleanupHooks()
	st.stopLcores()
	cur.Store(nil)
	st.mem.close()
	if st.mainCPUs != nil {
		sys.SetThreadAffinity(st.mainCPUs)
	}
	runtime.UnlockOSThread()
	if st.oldProcs > 0 {
		runtime.GOMAXPROCS(st.oldProcs)
	}
	return nil
}

var (
	hooksMu sync.Mutex
	hooks   []func()
)

// OnCleanup registers fn to run at the start of the next Cleanup, in
// reverse order of registration; libraries use it to drop process-local
// handles to shared memory.
func OnCleanup(fn func()) {
	hooksMu.Lock()
	hooks = append(hooks, fn)
	hooksMu.Unlock()
}

func runCleanupHooks() {
	hooksMu.Lock()
	hs := hooks
	hooks = nil
	hooksMu.Unlock()
	for i := len(hs) - 1; i >= 0; i-- {
		hs[i]()
	}
}

// Initialized reports whether Init has run (and Cleanup has not).
func Initialized() bool { return state() != nil }

// Args returns the command line given to Init.
func Args() []string {
	if st := state(); st != nil {
		return append([]string(nil), st.args...)
	}
	return nil
}

// AppArgs returns the application's arguments that Init returned.
func AppArgs() []string {
	if st := state(); st != nil {
		return append([]string(nil), st.appArgs...)
	}
	return nil
}

// Conf returns the parsed EAL configuration (read-only).
func Conf() *Config {
	if st := state(); st != nil {
		return st.cfg
	}
	return nil
}

// Vdevs returns the --vdev arguments in order, for ethdev to probe.
func Vdevs() []string {
	if st := state(); st != nil {
		return append([]string(nil), st.cfg.Vdevs...)
	}
	return nil
}

// FilePrefix returns the --file-prefix in use ("rte" by default).
func FilePrefix() string {
	if st := state(); st != nil {
		return st.mem.prefix
	}
	return ""
}

// RunDir returns the runtime directory (rte_eal_get_runtime_dir); empty with --in-memory.
func RunDir() string {
	if st := state(); st != nil && !st.mem.inMemory {
		return st.mem.runDir
	}
	return ""
}

// ProcessType returns ProcPrimary or ProcSecondary (rte_eal_process_type).
func ProcessType() ProcType {
	if IsPrimary() {
		return ProcPrimary
	}
	return ProcSecondary
}

// setupMemory decides the page kind, creates the window and the shared
// configuration and, in a primary, preallocates -m / --socket-mem.
func setupMemory(cfg *Config, log *logger) (*memory, error) {
	m := &memory{lockFd: -1, cfgFd: -1, log: log, prefix: cfg.FilePrefix, inMemory: cfg.InMemory || cfg.NoShconf}
	if m.prefix == "" {
		m.prefix = "rte"
	}
	m.runDir = RuntimeDir(m.prefix)
	if !cfg.NoHuge {
		m.pickHugepages(cfg)
	}
	if err := m.reserveWindow(windowSize); err != nil {
		return nil, err
	}
	if err := m.openConfig(cfg.ProcType); err != nil {
		m.close()
		return nil, err
	}
	if !m.primary {
		m.lock()
		err := m.syncSegs()
		m.unlock()
		if err != nil {
			m.close()
			return nil, err
		}
		log.logf(LogInfo, "lib.eal", "secondary process attached to %s (%d memsegs)", m.runDir, m.mapped)
		return m, nil
	}
	pre := cfg.MemoryMB << 20
	for i, mb := range cfg.SocketMem {
		if mb == 0 {
			continue
		}
		m.lock()
		err := m.grow(mb<<20, i)
		m.unlock()
		if err != nil {
			m.close()
			return nil, fmt.Errorf("eal: --socket-mem: %w", err)
		}
	}
	if pre > 0 {
		m.lock()
		err := m.grow(pre, 0)
		m.unlock()
		if err != nil {
			m.close()
			return nil, fmt.Errorf("eal: -m %d: %w", cfg.MemoryMB, err)
		}
	}
	return m, nil
}

// pickHugepages chooses hugetlbfs (or a hugetlb memfd) when hugepages are free.
func (m *memory) pickHugepages(cfg *Config) {
	mounts, _ := sys.HugeMounts()
	var mnt *sys.HugeMount
	for i := range mounts {
		if cfg.HugeDir == "" || mounts[i].Dir == cfg.HugeDir {
			mnt = &mounts[i]
			break
		}
	}
	if cfg.HugeDir != "" && mnt == nil {
		m.log.logf(LogWarning, "lib.eal", "--huge-dir %s is not a hugetlbfs mount", cfg.HugeDir)
	}
	pg := sys.DefaultHugepageSize()
	if mnt != nil {
		pg = mnt.PageSize
	}
	if pg == 0 || sys.FreeHugepages(pg) == 0 {
		m.log.logf(LogWarning, "lib.eal", "no free hugepages reserved: using ordinary pages (memfd); run with --no-huge to silence this, or reserve hugepages: echo 256 > /proc/sys/vm/nr_hugepages")
		return
	}
	m.hugePage = pg
	if mnt != nil && !m.inMemory {
		m.hugeDir = mnt.Dir
	} else {
		m.useHugeMemfd = true
	}
}
