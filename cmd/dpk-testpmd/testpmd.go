package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"dpk/ethdev"
	"dpk/mempool"
	"dpk/pkt"
)

// Limits and defaults, as DPDK's app/test-pmd/testpmd.h.
const (
	maxPktBurst        = 512 // MAX_PKT_BURST
	defPktBurst        = 32  // DEF_PKT_BURST
	defMbufCache       = 250 // DEF_MBUF_CACHE
	rxDescMax          = 2048
	txDescMax          = 2048
	minTotalNumMbufs   = 1024
	txonlyDefPacketLen = 64
	maxSegsPerPkt      = 255 // RTE_MAX_SEGS_PER_PKT
	burstTxWaitUs      = 1
	burstTxRetries     = 64
	mbufPoolNamePrefix = "mb_pool"
	defaultMbufData    = 2176 // RTE_MBUF_DEFAULT_BUF_SIZE
	flowgenDefFlows    = 1024
)

// portTopology is how forwarding ports are paired (--port-topology).
type portTopology int

const (
	topoPaired portTopology = iota
	topoChained
	topoLoop
)

// portStatus is testpmd's state of a port (RTE_PORT_*).
type portStatus int

const (
	portStopped portStatus = iota
	portStarted
	portClosed
	portHandling
)

// port is testpmd's record of one ethdev port (struct rte_port).
type port struct {
	id                 uint16
	status             portStatus
	needReconfig       bool
	needReconfigQueues bool
	socket             int
	mac                pkt.MAC
	info               ethdev.DevInfo
	conf               ethdev.Conf
	rxConf             ethdev.RxConf
	txConf             ethdev.TxConf
	// stats is the snapshot the forward statistics count from.
	stats  ethdev.Stats
	rxDump []*ethdev.RxCallback
	txDump []*ethdev.TxCallback
	// nic_stats_display's previous sample, for the rates.
	prevPktsRx, prevPktsTx, prevBytesRx, prevBytesTx uint64
	prevNs                                           int64
}

// fwdConfig is the forwarding configuration in use (struct fwd_config).
type fwdConfig struct {
	eng         *engine
	nbFwdLcores int
	nbFwdPorts  int
	streams     []*stream
}

// console serialises the output of the main and the forwarding lcores.
type console struct {
	mu sync.Mutex
	w  io.Writer
}

func (c *console) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.w.Write(p)
}

// set redirects the output (to a line-editing terminal and back).
func (c *console) set(w io.Writer) {
	c.mu.Lock()
	c.w = w
	c.mu.Unlock()
}

// exitError ends the program as DPDK's rte_exit does.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func exitf(format string, args ...any) error {
	return &exitError{code: 1, msg: fmt.Sprintf(format, args...)}
}

// testpmd is the application: DPDK's testpmd globals gathered in one value.
type testpmd struct {
	out    *console
	errOut *console
	in     io.Reader
	prog   string
	sig    chan os.Signal

	// Options.
	interactive     bool
	autoStart       bool
	txFirst         bool
	statsPeriod     uint64
	cmdlineFile     string
	nbRxq, nbTxq    uint16
	nbRxd, nbTxd    uint16
	burst           uint16
	mbCache         uint32
	mbufDataSize    uint16
	totalNumMbufs   uint32
	topology        portTopology
	noFlushRx       bool
	numa            bool
	noLinkCheck     bool
	lscInterrupt    bool
	recordBursts    bool
	rxOffloads      uint64
	txOffloads      uint64
	maxRxPktLen     uint32
	txSegLens       []uint16
	txPktLen        uint16
	txonlyMultiFlow bool
	txIPSrc         uint32
	txIPDst         uint32
	txUDPSrc        uint16
	txUDPDst        uint16
	flowgenFlows    int
	flowgenClones   uint16
	retry           bool
	retryNum        uint32
	retryDelayUs    uint32
	verbose         atomic.Uint32 // read by the forwarding lcores
	peers           [ethdev.MaxPorts]pkt.MAC

	// Ports and lcores.
	ports       [ethdev.MaxPorts]*port
	portIDs     []uint16 // probed ports (ports_ids)
	fwdPortIDs  []uint16 // forwarding ports (fwd_ports_ids)
	nbFwdPorts  int
	fwdLcoreIDs []uint32 // forwarding lcores (fwd_lcores_cpuids)
	nbFwdLcores int
	lcores      []*fwdLcore
	pool        *mempool.Mempool

	eng      *engine // cur_fwd_eng
	cfg      fwdConfig
	testDone bool

	warnedOddPorts bool
	epoch          time.Time // the origin of the rates' monotonic clock
	txTmpl         txTemplate
}

func newTestpmd(prog string, in io.Reader, out, errOut io.Writer) *testpmd {
	tp := &testpmd{
		out:          &console{w: out},
		errOut:       &console{w: errOut},
		in:           in,
		prog:         prog,
		nbRxq:        1,
		nbTxq:        1,
		burst:        defPktBurst,
		mbCache:      defMbufCache,
		mbufDataSize: defaultMbufData,
		numa:         true,
		lscInterrupt: true,
		txSegLens:    []uint16{txonlyDefPacketLen},
		txPktLen:     txonlyDefPacketLen,
		txIPSrc:      198<<24 | 18<<16 | 0<<8 | 1,
		txIPDst:      198<<24 | 18<<16 | 0<<8 | 2,
		txUDPSrc:     9,
		txUDPDst:     9,
		flowgenFlows: flowgenDefFlows,
		retryNum:     burstTxRetries,
		retryDelayUs: burstTxWaitUs,
		eng:          engineByName("io"),
		testDone:     true,
		epoch:        time.Now(),
	}
	// set_def_peer_eth_addrs: 02:00:00:00:00:<port>.
	for i := range tp.peers {
		tp.peers[i] = pkt.MAC{0x02, 0, 0, 0, 0, byte(i)}
	}
	return tp
}

func (tp *testpmd) printf(format string, args ...any) {
	fmt.Fprintf(tp.out, format, args...)
}

func (tp *testpmd) errorf(format string, args ...any) {
	fmt.Fprintf(tp.errOut, format, args...)
}

// logf prints a testpmd log line (TESTPMD_LOG) to the error output.
func (tp *testpmd) logf(format string, args ...any) {
	fmt.Fprintf(tp.errOut, "testpmd: "+format, args...)
}

// macString formats a MAC address as rte_ether_format_addr does (upper case).
func macString(a pkt.MAC) string {
	return fmt.Sprintf("%02X:%02X:%02X:%02X:%02X:%02X", a[0], a[1], a[2], a[3], a[4], a[5])
}

// portIsInvalid reports whether id names no port, printing DPDK's warning
// when warn is set (port_id_is_invalid).
func (tp *testpmd) portIsInvalid(id uint16, warn bool) bool {
	if int(id) < ethdev.MaxPorts && tp.ports[id] != nil && tp.ports[id].status != portClosed {
		return false
	}
	if warn {
		tp.errorf("Invalid port %d\n", id)
	}
	return true
}

// printValidPorts is print_valid_ports.
func (tp *testpmd) printValidPorts() {
	s := "The valid ports array is ["
	for _, p := range tp.portIDs {
		s += fmt.Sprintf(" %d", p)
	}
	tp.printf("%s ]\n", s)
}
