package tap

import "dpk/drivers/net/internal/vnet"

// rxAction is what RX does with a frame, from its virtio_net_hdr.
type rxAction int

const (
	rxPlain rxAction = iota // nothing to do
	rxValid                 // the kernel checked the checksum (DATA_VALID)
	rxCsum                  // a partial checksum to complete
	rxLRO                   // a TCP GSO frame, delivered whole
	rxBad                   // a frame the driver cannot deliver
)

// classifyRx decides what to do with a frame of pktLen bytes whose first
// segment is first, given its virtio_net_hdr h. lro says whether the port
// takes GSO frames whole (only then does the kernel send them).
func classifyRx(h vnet.Hdr, first []byte, pktLen int, lro bool) (rxAction, vnet.GSO) {
	switch {
	case h.IsGSO():
		if !lro {
			return rxBad, vnet.GSO{}
		}
		g, ok := vnet.ParseGSO(first, h)
		if !ok || g.Proto != vnet.ProtoTCP {
			return rxBad, g
		}
		return rxLRO, g
	case h.Flags&vnet.FlagNeedsCsum != 0:
		f := int(h.CsumStart) + int(h.CsumOffset)
		if f+2 > len(first) || f+2 > pktLen {
			return rxBad, vnet.GSO{}
		}
		return rxCsum, vnet.GSO{}
	case h.Flags&vnet.FlagDataValid != 0:
		return rxValid, vnet.GSO{}
	}
	return rxPlain, vnet.GSO{}
}
