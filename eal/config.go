package eal

import "fmt"

// ProcType is the multi-process role given by --proc-type.
type ProcType int

// Process roles, as DPDK's RTE_PROC_*.
// The zero value is primary, DPDK's default.
const (
	ProcPrimary ProcType = iota
	ProcSecondary
	ProcAuto
)

func (p ProcType) String() string {
	switch p {
	case ProcPrimary:
		return "primary"
	case ProcSecondary:
		return "secondary"
	case ProcAuto:
		return "auto"
	}
	return fmt.Sprintf("ProcType(%d)", int(p))
}

// LcoreMap is one lcore of the -l/--lcores/-c options: the lcore id and the
// CPUs its thread may run on.
type LcoreMap struct {
	ID   uint32
	CPUs []int
}

// LogLevel is a DPDK log level: 1 (emergency) to 8 (debug).
type LogLevel int

// DPDK's log levels (RTE_LOG_*).
const (
	LogEmerg   LogLevel = 1
	LogAlert   LogLevel = 2
	LogCrit    LogLevel = 3
	LogErr     LogLevel = 4
	LogWarning LogLevel = 5
	LogNotice  LogLevel = 6
	LogInfo    LogLevel = 7
	LogDebug   LogLevel = 8
)

// LogRule is one --log-level option: a component pattern (a glob such as
// "pmd.net.*" or "lib.eal"; empty for the global level) and its level.
type LogRule struct {
	Pattern string
	Regexp  bool // Pattern is a regular expression ("regex,level" form)
	Level   LogLevel
}

// Config is the parsed EAL command line. Zero values mean "not given".
type Config struct {
	Lcores      []LcoreMap // from -l, --lcores or -c; nil means every online CPU
	MainLcore   int        // --main-lcore; -1 when not given (first lcore)
	Channels    int        // -n (accepted, unused: no memory controller to tune)
	MemoryMB    uint64     // -m
	SocketMem   []uint64   // --socket-mem, MB per socket
	SocketLimit []uint64   // --socket-limit, MB per socket
	NoHuge      bool       // --no-huge
	HugeDir     string     // --huge-dir
	FilePrefix  string     // --file-prefix (default "rte")
	ProcType    ProcType   // --proc-type
	InMemory    bool       // --in-memory
	Vdevs       []string   // --vdev arguments, in order, unparsed
	LogRules    []LogRule  // --log-level, in order
	NoTelemetry bool       // --no-telemetry
	IOVAMode    string     // --iova-mode ("va" or empty)
	Allow       []string   // -a/--allow (PCI devices: accepted, unused)
	Block       []string   // -b/--block
	NoPCI       bool       // --no-pci
	NoShconf    bool       // --no-shconf
	Notes       []string   // informational notes produced while parsing (e.g. about PCI options)
}
