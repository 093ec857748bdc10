package ethdev

import (
	"fmt"
	"strings"
)

// MACAddrGet returns the port's primary MAC address (rte_eth_macaddr_get).
func MACAddrGet(port uint16) (EtherAddr, error) {
	d, err := dev(port)
	if err != nil {
		return EtherAddr{}, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.mac, nil
}

// MACAddrSet sets the primary MAC address (rte_eth_dev_default_mac_addr_set).
func MACAddrSet(port uint16, mac EtherAddr) error {
	d, err := dev(port)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if mac.IsMulticast() || mac == (EtherAddr{}) {
		return fmt.Errorf("%w: port %d: %s is not a unicast address", ErrInvalid, port, mac)
	}
	if s, ok := d.drv.(MACSetter); ok {
		if err := s.SetMAC(mac); err != nil {
			return err
		}
	}
	d.mac = mac
	return nil
}

// MACAddrAdd adds an extra address (rte_eth_dev_mac_addr_add).
func MACAddrAdd(port uint16, mac EtherAddr) error {
	d, err := dev(port)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, m := range d.macs {
		if m == mac {
			return nil
		}
	}
	info := d.info()
	if uint32(len(d.macs))+1 >= info.MaxMACAddrs {
		return fmt.Errorf("%w: port %d: at most %d MAC addresses", ErrNotSupported, port, info.MaxMACAddrs)
	}
	if a, ok := d.drv.(MACAdder); ok {
		if err := a.AddMAC(mac); err != nil {
			return err
		}
	}
	d.macs = append(d.macs, mac)
	return nil
}

// MACAddrRemove removes an extra address (rte_eth_dev_mac_addr_remove).
func MACAddrRemove(port uint16, mac EtherAddr) error {
	d, err := dev(port)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for i, m := range d.macs {
		if m == mac {
			if a, ok := d.drv.(MACAdder); ok {
				if err := a.RemoveMAC(mac); err != nil {
					return err
				}
			}
			d.macs = append(d.macs[:i], d.macs[i+1:]...)
			return nil
		}
	}
	return fmt.Errorf("%w: port %d: %s not added", ErrInvalid, port, mac)
}

// MACAddrs returns the primary then the extra addresses.
func MACAddrs(port uint16) []EtherAddr {
	d, err := dev(port)
	if err != nil {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]EtherAddr{d.mac}, d.macs...)
}

// MTUGet returns the MTU (rte_eth_dev_get_mtu).
func MTUGet(port uint16) (uint16, error) {
	d, err := dev(port)
	if err != nil {
		return 0, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.mtu, nil
}

// MTUSet sets the MTU (rte_eth_dev_set_mtu) within the driver's range.
func MTUSet(port uint16, mtu uint16) error {
	d, err := dev(port)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	info := d.info()
	if mtu < info.MinMTU || mtu > info.MaxMTU {
		return fmt.Errorf("%w: port %d: mtu %d outside %d..%d", ErrInvalid, port, mtu, info.MinMTU, info.MaxMTU)
	}
	if s, ok := d.drv.(MTUSetter); ok {
		if err := s.SetMTU(mtu); err != nil {
			return err
		}
	}
	d.mtu = mtu
	return nil
}

// PromiscuousSet turns promiscuous mode on or off (rte_eth_promiscuous_enable/disable).
func PromiscuousSet(port uint16, on bool) error {
	d, err := dev(port)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if p, ok := d.drv.(Promiscuous); ok {
		if err := p.SetPromiscuous(on); err != nil {
			return err
		}
	}
	d.promisc = on
	return nil
}

// PromiscuousGet reports promiscuous mode (rte_eth_promiscuous_get).
func PromiscuousGet(port uint16) bool {
	d, err := dev(port)
	if err != nil {
		return false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.promisc
}

// AllMulticastSet turns all-multicast mode on or off.
func AllMulticastSet(port uint16, on bool) error {
	d, err := dev(port)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if p, ok := d.drv.(Promiscuous); ok {
		if err := p.SetAllMulticast(on); err != nil {
			return err
		}
	}
	d.allmulti = on
	return nil
}

// AllMulticastGet reports all-multicast mode.
func AllMulticastGet(port uint16) bool {
	d, err := dev(port)
	if err != nil {
		return false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.allmulti
}

// VLANFilter adds or removes a VLAN id from the port's filter (rte_eth_dev_vlan_filter).
func VLANFilter(port, vid uint16, on bool) error {
	d, err := dev(port)
	if err != nil {
		return err
	}
	if vid > 4095 {
		return fmt.Errorf("%w: vlan id %d", ErrInvalid, vid)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	f, ok := d.drv.(VLANFilterer)
	if !ok || d.conf.RxMode.Offloads&RxOffloadVLANFilter == 0 {
		return fmt.Errorf("%w: port %d: vlan filter (enable the VLAN_FILTER rx offload on a driver that has it)", ErrNotSupported, port)
	}
	return f.VLANFilter(vid, on)
}

// LinkGet returns the link status, waiting for it to settle (rte_eth_link_get).
func LinkGet(port uint16) (Link, error) { return linkGet(port, true) }

// LinkGetNowait returns the link status at once (rte_eth_link_get_nowait).
func LinkGetNowait(port uint16) (Link, error) { return linkGet(port, false) }

func linkGet(port uint16, wait bool) (Link, error) {
	d, err := dev(port)
	if err != nil {
		return Link{}, err
	}
	return d.drv.Link(wait)
}

// SetLinkUp sets the link administratively up (rte_eth_dev_set_link_up).
func SetLinkUp(port uint16) error { return setLink(port, true) }

// SetLinkDown sets the link administratively down (rte_eth_dev_set_link_down).
func SetLinkDown(port uint16) error { return setLink(port, false) }

func setLink(port uint16, up bool) error {
	d, err := dev(port)
	if err != nil {
		return err
	}
	s, ok := d.drv.(LinkSetter)
	if !ok {
		return fmt.Errorf("%w: port %d: set link", ErrNotSupported, port)
	}
	return s.SetLink(up)
}

// StatsGet returns the port's counters (rte_eth_stats_get).
func StatsGet(port uint16) (Stats, error) {
	d, err := dev(port)
	if err != nil {
		return Stats{}, err
	}
	var s Stats
	if err := d.drv.Stats(&s); err != nil {
		return Stats{}, err
	}
	return s, nil
}

// StatsReset clears the port's counters (rte_eth_stats_reset).
func StatsReset(port uint16) error {
	d, err := dev(port)
	if err != nil {
		return err
	}
	return d.drv.StatsReset()
}

// XstatNames returns the extended statistics' names (rte_eth_xstats_get_names):
// DPDK's generic names first, then the driver's.
func XstatNames(port uint16) ([]string, error) {
	d, err := dev(port)
	if err != nil {
		return nil, err
	}
	names := []string{"rx_good_packets", "tx_good_packets", "rx_good_bytes", "tx_good_bytes",
		"rx_missed_errors", "rx_errors", "tx_errors", "rx_mbuf_allocation_errors"}
	d.mu.Lock()
	nrx, ntx := int(min(d.nbRxq, QueueStatCounters)), int(min(d.nbTxq, QueueStatCounters))
	d.mu.Unlock()
	for q := 0; q < nrx; q++ {
		names = append(names, fmt.Sprintf("rx_q%d_packets", q), fmt.Sprintf("rx_q%d_bytes", q), fmt.Sprintf("rx_q%d_errors", q))
	}
	for q := 0; q < ntx; q++ {
		names = append(names, fmt.Sprintf("tx_q%d_packets", q), fmt.Sprintf("tx_q%d_bytes", q))
	}
	if x, ok := d.drv.(XstatsProvider); ok {
		names = append(names, x.XstatNames()...)
	}
	return names, nil
}

// Xstats returns every extended statistic with its id and name (rte_eth_xstats_get).
func Xstats(port uint16) ([]Xstat, error) {
	d, err := dev(port)
	if err != nil {
		return nil, err
	}
	names, err := XstatNames(port)
	if err != nil {
		return nil, err
	}
	s, err := StatsGet(port)
	if err != nil {
		return nil, err
	}
	vals := []uint64{s.IPackets, s.OPackets, s.IBytes, s.OBytes, s.IMissed, s.IErrors, s.OErrors, s.RxNoMbuf}
	d.mu.Lock()
	nrx, ntx := int(min(d.nbRxq, QueueStatCounters)), int(min(d.nbTxq, QueueStatCounters))
	d.mu.Unlock()
	for q := 0; q < nrx; q++ {
		vals = append(vals, s.QIPackets[q], s.QIBytes[q], s.QErrors[q])
	}
	for q := 0; q < ntx; q++ {
		vals = append(vals, s.QOPackets[q], s.QOBytes[q])
	}
	if x, ok := d.drv.(XstatsProvider); ok {
		dv := make([]uint64, len(x.XstatNames()))
		x.Xstats(dv)
		vals = append(vals, dv...)
	}
	out := make([]Xstat, 0, len(names))
	for i := range names {
		if i >= len(vals) {
			break
		}
		out = append(out, Xstat{ID: uint64(i), Name: names[i], Value: vals[i]})
	}
	return out, nil
}

// XstatByName returns the value of one extended statistic (rte_eth_xstats_get_id_by_name + get_by_id).
func XstatByName(port uint16, name string) (uint64, error) {
	xs, err := Xstats(port)
	if err != nil {
		return 0, err
	}
	for _, x := range xs {
		if x.Name == name {
			return x.Value, nil
		}
	}
	return 0, fmt.Errorf("%w: port %d has no xstat %q", ErrInvalid, port, name)
}

// XstatsReset clears the basic and the driver's extended counters (rte_eth_xstats_reset).
func XstatsReset(port uint16) error {
	d, err := dev(port)
	if err != nil {
		return err
	}
	if x, ok := d.drv.(XstatsProvider); ok {
		x.XstatsReset()
	}
	return d.drv.StatsReset()
}

// String describes a port in one line, for logs.
func String(port uint16) string {
	d, err := dev(port)
	if err != nil {
		return fmt.Sprintf("port %d: %v", port, err)
	}
	var info DevInfo
	d.mu.Lock()
	info = d.info()
	mac := d.mac
	d.mu.Unlock()
	return strings.TrimSpace(fmt.Sprintf("port %d (%s, driver %s, MAC %s)", port, d.name, info.DriverName, mac))
}
