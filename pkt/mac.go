package pkt

import (
	"errors"
	"net"
)

// MAC is an IEEE 802 48-bit MAC address (rte_ether_addr). It is a value
// type: comparable, usable as a map key, and copied by assignment.
type MAC [6]byte

// BroadcastMAC is ff:ff:ff:ff:ff:ff.
var BroadcastMAC = MAC{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

// errBadMAC is returned by ParseMAC.
var errBadMAC = errors.New("pkt: invalid MAC address")

// MACFrom returns the MAC in a 6-byte net.HardwareAddr (or any 6-byte
// slice); ok is false for other lengths.
func MACFrom(b []byte) (MAC, bool) {
	if len(b) != 6 {
		return MAC{}, false
	}
	return MAC(b), true
}

// HardwareAddr returns the address as a net.HardwareAddr (it allocates).
func (a MAC) HardwareAddr() net.HardwareAddr {
	h := make(net.HardwareAddr, 6)
	copy(h, a[:])
	return h
}

// IsZero reports whether the address is 00:00:00:00:00:00.
func (a MAC) IsZero() bool { return a == MAC{} }

// IsBroadcast reports whether the address is ff:ff:ff:ff:ff:ff
// (rte_is_broadcast_ether_addr).
func (a MAC) IsBroadcast() bool { return a == BroadcastMAC }

// IsMulticast reports whether the group bit is set
// (rte_is_multicast_ether_addr); the broadcast address is multicast too.
func (a MAC) IsMulticast() bool { return a[0]&0x01 != 0 }

// IsUnicast reports whether the group bit is clear
// (rte_is_unicast_ether_addr).
func (a MAC) IsUnicast() bool { return a[0]&0x01 == 0 }

// IsLocalAdmin reports whether the locally administered bit is set
// (rte_is_local_admin_ether_addr).
func (a MAC) IsLocalAdmin() bool { return a[0]&0x02 != 0 }

// IsUniversal reports whether the locally administered bit is clear
// (rte_is_universal_ether_addr).
func (a MAC) IsUniversal() bool { return a[0]&0x02 == 0 }

// IsValidAssigned reports whether the address may be a station's own:
// unicast and not zero (rte_is_valid_assigned_ether_addr).
func (a MAC) IsValidAssigned() bool { return a.IsUnicast() && !a.IsZero() }

const hexDigits = "0123456789abcdef"

// AppendTo appends the address as "xx:xx:xx:xx:xx:xx" (lower case) to b.
func (a MAC) AppendTo(b []byte) []byte {
	for i, c := range a {
		if i > 0 {
			b = append(b, ':')
		}
		b = append(b, hexDigits[c>>4], hexDigits[c&0xf])
	}
	return b
}

// AppendUpper appends the address as "XX:XX:XX:XX:XX:XX" (upper case),
// the form of rte_ether_format_addr and testpmd's output, to b.
func (a MAC) AppendUpper(b []byte) []byte {
	const upper = "0123456789ABCDEF"
	for i, c := range a {
		if i > 0 {
			b = append(b, ':')
		}
		b = append(b, upper[c>>4], upper[c&0xf])
	}
	return b
}

// String returns the address as "xx:xx:xx:xx:xx:xx" in lower case, as
// net.HardwareAddr does.
func (a MAC) String() string {
	var buf [17]byte
	return string(a.AppendTo(buf[:0]))
}

// MarshalText implements encoding.TextMarshaler.
func (a MAC) MarshalText() ([]byte, error) { return a.AppendTo(make([]byte, 0, 17)), nil }

// UnmarshalText implements encoding.TextUnmarshaler with ParseMAC's formats.
func (a *MAC) UnmarshalText(text []byte) error {
	m, err := ParseMAC(string(text))
	if err != nil {
		return err
	}
	*a = m
	return nil
}

// ParseMAC parses a MAC address in the forms rte_ether_unformat_addr
// accepts: six groups of one or two hex digits separated by ':' or '-'
// ("02:00:00:00:00:01", "2-0-0-0-0-1"), or three groups of one to four hex
// digits separated by ':', '-' or '.' ("0200:0000:0001", "0200.0000.0001").
// The separator must be the same throughout; case does not matter. It does
// not allocate.
func ParseMAC(s string) (MAC, error) {
	var a MAC
	var sep byte
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == ':' || c == '-' || c == '.' {
			sep = c
			break
		}
	}
	if sep == 0 {
		return MAC{}, errBadMAC
	}
	var groups [6]uint16
	var digits [6]int
	n := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == sep {
			if digits[n] == 0 {
				return MAC{}, errBadMAC
			}
			n++
			if i < len(s) && n == len(groups) {
				return MAC{}, errBadMAC
			}
			continue
		}
		v, ok := unhex(s[i])
		if !ok || digits[n] == 4 {
			return MAC{}, errBadMAC
		}
		groups[n] = groups[n]<<4 | uint16(v)
		digits[n]++
	}
	switch n {
	case 6:
		if sep == '.' {
			return MAC{}, errBadMAC
		}
		for i := range a {
			if digits[i] > 2 {
				return MAC{}, errBadMAC
			}
			a[i] = byte(groups[i])
		}
	case 3:
		for i := 0; i < 3; i++ {
			a[2*i] = byte(groups[i] >> 8)
			a[2*i+1] = byte(groups[i])
		}
	default:
		return MAC{}, errBadMAC
	}
	return a, nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
