package ethdev

import (
	"fmt"
	"math/bits"

	"dpk/eal"
	"dpk/telemetry"
)

// Telemetry commands of DPDK 22.11's lib/ethdev, with its help texts and
// reply keys. A port parameter that is missing, does not start with a
// digit or names no port makes the reply null, as in DPDK.
func init() {
	for _, c := range []struct {
		cmd, help string
		fn        telemetry.Handler
	}{
		{"/ethdev/list", "Returns list of available ethdev ports. Takes no parameters", telPortList},
		{"/ethdev/stats", "Returns the common stats for a port. Parameters: int port_id", telPortStats},
		{"/ethdev/xstats", "Returns the extended stats for a port. Parameters: int port_id", telPortXstats},
		{"/ethdev/link_status", "Returns the link status for a port. Parameters: int port_id", telLinkStatus},
		{"/ethdev/info", "Returns the device info for a port. Parameters: int port_id", telPortInfo},
	} {
		if err := telemetry.Register(c.cmd, c.help, c.fn); err != nil {
			panic(err)
		}
	}
}

func telPortList(_, _ string, d *telemetry.Data) error {
	d.StartArray(telemetry.IntVal)
	for _, p := range Ports() {
		d.AddArrayInt(int(p))
	}
	return nil
}

// telPortParam parses the port id parameter: DPDK takes a number that
// starts at the first byte, with atoi (/ethdev/stats) or strtoul base 0
// (the others: 0x1 is hex, 010 octal), and ignores what follows it with a
// notice. Unlike DPDK, a number too big for a port id is no port rather
// than wrapped around.
func telPortParam(params string, base0 bool) (uint16, error) {
	if params == "" || params[0] < '0' || params[0] > '9' {
		return 0, fmt.Errorf("%w: port id %q", ErrInvalid, params)
	}
	s, base := params, uint64(10)
	if base0 && s[0] == '0' {
		base = 8
		if len(s) > 2 && (s[1] == 'x' || s[1] == 'X') && telDigit(s[2]) < 16 {
			s, base = s[2:], 16
		}
	}
	var v uint64
	i := 0
	overflow := false
	for ; i < len(s) && telDigit(s[i]) < base; i++ {
		hi, lo := bits.Mul64(v, base)
		lo, carry := bits.Add64(lo, telDigit(s[i]), 0)
		overflow = overflow || hi != 0 || carry != 0
		v = lo
	}
	if i < len(s) && base0 {
		eal.Logf(eal.LogNotice, "lib.ethdev", "Extra parameters passed to ethdev telemetry command, ignoring")
	}
	if overflow || v >= MaxPorts || !IsValid(uint16(v)) {
		return 0, fmt.Errorf("%w: %s", ErrNoPort, params)
	}
	return uint16(v), nil
}

func telDigit(c byte) uint64 {
	switch {
	case '0' <= c && c <= '9':
		return uint64(c - '0')
	case 'a' <= c && c <= 'f':
		return uint64(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return uint64(c-'A') + 10
	}
	return 99
}

func telPortStats(_, params string, d *telemetry.Data) error {
	port, err := telPortParam(params, false)
	if err != nil {
		return err
	}
	s, err := StatsGet(port)
	if err != nil {
		return err
	}
	d.StartDict()
	d.AddDictU64("ipackets", s.IPackets)
	d.AddDictU64("opackets", s.OPackets)
	d.AddDictU64("ibytes", s.IBytes)
	d.AddDictU64("obytes", s.OBytes)
	d.AddDictU64("imissed", s.IMissed)
	d.AddDictU64("ierrors", s.IErrors)
	d.AddDictU64("oerrors", s.OErrors)
	d.AddDictU64("rx_nombuf", s.RxNoMbuf)
	for _, q := range []struct {
		name string
		v    *[QueueStatCounters]uint64
	}{
		{"q_ipackets", &s.QIPackets}, {"q_opackets", &s.QOPackets}, {"q_ibytes", &s.QIBytes},
		{"q_obytes", &s.QOBytes}, {"q_errors", &s.QErrors},
	} {
		a := new(telemetry.Data)
		a.StartArray(telemetry.U64Val)
		for _, v := range q.v {
			a.AddArrayU64(v)
		}
		d.AddDictContainer(q.name, a)
	}
	return nil
}

// telPortXstats replies a dict of every extended statistic; as in DPDK,
// one whose name telemetry does not allow is left out.
func telPortXstats(_, params string, d *telemetry.Data) error {
	port, err := telPortParam(params, true)
	if err != nil {
		return err
	}
	xs, err := Xstats(port)
	if err != nil {
		return err
	}
	d.StartDict()
	for _, x := range xs {
		d.AddDictU64(x.Name, x.Value)
	}
	return nil
}

func telLinkStatus(_, params string, d *telemetry.Data) error {
	port, err := telPortParam(params, true)
	if err != nil {
		return err
	}
	l, err := LinkGetNowait(port)
	if err != nil {
		return err
	}
	d.StartDict()
	if !l.Up {
		return d.AddDictString("status", "DOWN")
	}
	d.AddDictString("status", "UP")
	d.AddDictU64("speed", uint64(l.Speed))
	duplex := "half-duplex"
	if l.FullDuplex {
		duplex = "full-duplex"
	}
	return d.AddDictString("duplex", duplex)
}

// telPortInfo replies DPDK's keys, in its order. dpk keeps no per-queue
// state and no port socket, so rxq_state and txq_state say 1 (started) for
// every queue of a started port and 0 otherwise, numa_node is -1
// (SOCKET_ID_ANY), rx_mbuf_size_min is the driver's MinRxBufSize rather
// than the smallest data room of the queues' pools, and scattered_rx and
// lro reflect the requested RX offloads. dev_flags is
// RTE_ETH_DEV_AUTOFILL_QUEUE_XSTATS: Xstats lists per-queue counters for
// every driver.
func telPortInfo(_, params string, d *telemetry.Data) error {
	port, err := telPortParam(params, true)
	if err != nil {
		return err
	}
	info, err := InfoGet(port)
	if err != nil {
		return err
	}
	conf, nbRxq, nbTxq, err := ConfGet(port)
	if err != nil {
		return err
	}
	mtu, _ := MTUGet(port)
	mac, _ := MACAddrGet(port)
	started := IsStarted(port)
	d.StartDict()
	d.AddDictString("name", Name(port))
	d.AddDictInt("state", 1) // RTE_ETH_DEV_ATTACHED
	d.AddDictInt("nb_rx_queues", int(nbRxq))
	d.AddDictInt("nb_tx_queues", int(nbTxq))
	d.AddDictInt("port_id", int(port))
	d.AddDictInt("mtu", int(mtu))
	d.AddDictU64("rx_mbuf_size_min", uint64(info.MinRxBufSize))
	d.AddDictString("mac_addr", fmt.Sprintf("%02X:%02X:%02X:%02X:%02X:%02X", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]))
	d.AddDictInt("promiscuous", telBool(PromiscuousGet(port)))
	d.AddDictInt("scattered_rx", telBool(conf.RxMode.Offloads&RxOffloadScatter != 0))
	d.AddDictInt("all_multicast", telBool(AllMulticastGet(port)))
	d.AddDictInt("dev_started", telBool(started))
	d.AddDictInt("lro", telBool(conf.RxMode.Offloads&RxOffloadTCPLRO != 0))
	d.AddDictInt("dev_configured", telBool(nbRxq > 0 || nbTxq > 0))
	for _, q := range []struct {
		name string
		n    uint16
	}{{"rxq_state", nbRxq}, {"txq_state", nbTxq}} {
		a := new(telemetry.Data)
		a.StartArray(telemetry.IntVal)
		for i := uint16(0); i < q.n; i++ {
			a.AddArrayInt(telBool(started))
		}
		d.AddDictContainer(q.name, a)
	}
	d.AddDictInt("numa_node", eal.SocketIDAny)
	d.AddDictU64("dev_flags", 0x40) // RTE_ETH_DEV_AUTOFILL_QUEUE_XSTATS
	d.AddDictU64("rx_offloads", conf.RxMode.Offloads)
	d.AddDictU64("tx_offloads", conf.TxMode.Offloads)
	d.AddDictU64("ethdev_rss_hf", conf.RSS.HF)
	return nil
}

func telBool(b bool) int {
	if b {
		return 1
	}
	return 0
}
