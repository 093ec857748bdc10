package ethdev

import (
	"fmt"
	"strconv"
	"strings"
)

// Devargs is a parsed device argument string (rte_devargs + rte_kvargs):
// "net_pcap0,rx_pcap=in.pcap,tx_pcap=out.pcap".
type Devargs struct {
	Name string
	Args []KV
}

// KV is one key=value pair of a devargs string; Value is empty for a bare key.
type KV struct {
	Key, Value string
}

// maxDevargsLen bounds a devargs string.
const maxDevargsLen = 4096

// ParseDevargs parses "name[,key=value]...". Values may hold commas inside
// brackets ("queues=[0,1]"), as DPDK's kvargs allow. Errors name the
// offending part.
func ParseDevargs(s string) (Devargs, error) {
	var d Devargs
	if len(s) > maxDevargsLen {
		return d, fmt.Errorf("devargs: %d bytes, longer than %d", len(s), maxDevargsLen)
	}
	parts, err := splitTop(s)
	if err != nil {
		return d, fmt.Errorf("devargs %q: %w", s, err)
	}
	d.Name = strings.TrimSpace(parts[0])
	if d.Name == "" {
		return d, fmt.Errorf("devargs %q: empty device name", s)
	}
	for _, c := range d.Name {
		if !(c == '_' || c == '-' || c == '.' || c == ':' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return d, fmt.Errorf("devargs %q: bad character %q in device name %q", s, c, d.Name)
		}
	}
	for _, p := range parts[1:] {
		if p == "" {
			continue
		}
		k, v, _ := strings.Cut(p, "=")
		k = strings.TrimSpace(k)
		if k == "" {
			return d, fmt.Errorf("devargs %q: empty key in %q", s, p)
		}
		for _, c := range k {
			if !(c == '_' || c == '-' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
				return d, fmt.Errorf("devargs %q: bad character %q in key %q", s, c, k)
			}
		}
		d.Args = append(d.Args, KV{Key: k, Value: v})
	}
	return d, nil
}

// splitTop splits on commas outside brackets.
func splitTop(s string) ([]string, error) {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[':
			depth++
		case ']':
			depth--
			if depth < 0 {
				return nil, fmt.Errorf("unbalanced ']' at byte %d", i)
			}
		case ',':
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	if depth != 0 {
		return nil, fmt.Errorf("unbalanced '[' (missing ']')")
	}
	return append(parts, s[start:]), nil
}

// Get returns the last value given for key.
func (d Devargs) Get(key string) (string, bool) {
	v, ok := "", false
	for _, kv := range d.Args {
		if kv.Key == key {
			v, ok = kv.Value, true
		}
	}
	return v, ok
}

// GetAll returns every value given for key, in order (keys may repeat, as
// net_pcap's rx_pcap does for several queues).
func (d Devargs) GetAll(key string) []string {
	var out []string
	for _, kv := range d.Args {
		if kv.Key == key {
			out = append(out, kv.Value)
		}
	}
	return out
}

// Uint returns key's value as an unsigned integer (decimal or 0x hex), def
// if absent, and an error naming the key if malformed or above max.
func (d Devargs) Uint(key string, def, max uint64) (uint64, error) {
	v, ok := d.Get(key)
	if !ok {
		return def, nil
	}
	n, err := strconv.ParseUint(strings.TrimSpace(v), 0, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %s=%q is not a number", d.Name, key, v)
	}
	if n > max {
		return 0, fmt.Errorf("%s: %s=%d is above the maximum %d", d.Name, key, n, max)
	}
	return n, nil
}

// Bool returns key's value as a boolean (0/1, true/false, yes/no, on/off;
// a bare key is true), def if absent.
func (d Devargs) Bool(key string, def bool) (bool, error) {
	v, ok := d.Get(key)
	if !ok {
		return def, nil
	}
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "1", "true", "yes", "on", "y":
		return true, nil
	case "0", "false", "no", "off", "n":
		return false, nil
	}
	return false, fmt.Errorf("%s: %s=%q is not a boolean (use 0 or 1)", d.Name, key, v)
}

// String formats the devargs back into DPDK's form.
func (d Devargs) String() string {
	var b strings.Builder
	b.WriteString(d.Name)
	for _, kv := range d.Args {
		b.WriteByte(',')
		b.WriteString(kv.Key)
		if kv.Value != "" {
			b.WriteByte('=')
			b.WriteString(kv.Value)
		}
	}
	return b.String()
}
