package main

import (
	"dpk/ethdev"
	"dpk/mbuf"
	"dpk/pkt"
)

// mac rewrites each packet's Ethernet addresses before forwarding it: the
// source becomes the TX port's address and the destination the TX port's
// peer (--eth-peer, or 02:00:00:00:00:<port>) (DPDK's macfwd.c).

func init() {
	register(&engine{name: "mac", rank: 1, needRx: true, needTx: true, fwd: macForward})
}

// txVLANFlags are the TX flags a port's VLAN and QinQ insert offloads ask
// for (ol_flags_init).
func txVLANFlags(offloads uint64) uint64 {
	var fl uint64
	if offloads&ethdev.TxOffloadVLANInsert != 0 {
		fl |= mbuf.FlagTxVLAN
	}
	if offloads&ethdev.TxOffloadQinQInsert != 0 {
		fl |= txQinQFlag
	}
	if offloads&ethdev.TxOffloadMacsecInsert != 0 {
		fl |= txMacsecFlag
	}
	return fl
}

// RTE_MBUF_F_TX_QINQ and RTE_MBUF_F_TX_MACSEC, which package mbuf does not name.
const (
	txQinQFlag   uint64 = 1 << 49
	txMacsecFlag uint64 = 1 << 44
)

// setTxFields keeps only the indirect/external flags, adds fl and sets the
// L2 and L3 lengths as for Ethernet/IPv4 (mbuf_field_set).
func setTxFields(m *mbuf.Mbuf, fl uint64) {
	m.OlFlags = m.OlFlags&(mbuf.FlagIndirect|mbuf.FlagExtBuf) | fl
	m.TxOffload = m.TxOffload&^(0x7f|0x1ff<<7) | pkt.EthernetLen | pkt.IPv4MinLen<<7
}

func macForward(fs *stream) {
	n := fs.rxBurst()
	if n == 0 {
		return
	}
	fl := fs.txFlags
	for _, m := range fs.pkts[:n] {
		if m.DataLen() >= pkt.EthernetLen {
			eth := pkt.Ethernet(m.Data())
			eth.SetDst(fs.peerMAC)
			eth.SetSrc(fs.txMAC)
		}
		setTxFields(m, fl)
		m.VlanTCI = 0
		m.VlanTCIOuter = 0
	}
	fs.send(fs.pkts[:n])
}
