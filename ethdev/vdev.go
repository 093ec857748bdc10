package ethdev

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"dpk/eal"
)

// DriverSpec registers a virtual-device driver with the vdev bus.
type DriverSpec struct {
	// Name is the driver name and the prefix of its devices' names ("net_null").
	Name string
	// Aliases are older names also accepted ("eth_null").
	Aliases []string
	// Keys are the devargs keys the driver accepts; others are refused
	// before Probe runs.
	Keys []string
	// Help documents the keys, one "key=<value>" phrase each, as DPDK's
	// RTE_PMD_REGISTER_PARAM_STRING.
	Help string
	// Probe creates the device's port(s) with Allocate.
	Probe func(args Devargs) error
}

var (
	drvMu   sync.Mutex
	drivers = map[string]*DriverSpec{}
)

// RegisterDriver adds a driver to the vdev bus; drivers call it from init.
func RegisterDriver(spec DriverSpec) {
	drvMu.Lock()
	defer drvMu.Unlock()
	for _, n := range append([]string{spec.Name}, spec.Aliases...) {
		if _, dup := drivers[n]; dup {
			panic("ethdev: driver " + n + " registered twice")
		}
		s := spec
		drivers[n] = &s
	}
}

// Drivers returns the registered driver names.
func Drivers() []string {
	drvMu.Lock()
	defer drvMu.Unlock()
	var out []string
	for n, s := range drivers {
		if n == s.Name {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// findDriver returns the driver whose name is the longest prefix of a device name.
func findDriver(dev string) *DriverSpec {
	drvMu.Lock()
	defer drvMu.Unlock()
	var best *DriverSpec
	bestLen := 0
	for n, s := range drivers {
		if strings.HasPrefix(dev, n) && len(n) > bestLen {
			best, bestLen = s, len(n)
		}
	}
	return best
}

// Probe creates a device from a devargs string, as --vdev does (rte_dev_probe).
func Probe(devargs string) error {
	d, err := ParseDevargs(devargs)
	if err != nil {
		return err
	}
	spec := findDriver(d.Name)
	if spec == nil {
		return fmt.Errorf("vdev %q: no driver for device %q (drivers: %s; is the driver imported by this program?)",
			devargs, d.Name, strings.Join(Drivers(), ", "))
	}
	for _, kv := range d.Args {
		ok := false
		for _, k := range spec.Keys {
			if k == kv.Key {
				ok = true
				break
			}
		}
		if !ok {
			valid := "none"
			if len(spec.Keys) > 0 {
				valid = strings.Join(spec.Keys, ", ")
			}
			return fmt.Errorf("vdev %q: driver %s has no argument %q (valid: %s)", devargs, spec.Name, kv.Key, valid)
		}
	}
	if err := spec.Probe(d); err != nil {
		return fmt.Errorf("vdev %q: %w", devargs, err)
	}
	return nil
}

func probeVdevs() error {
	for _, v := range eal.Vdevs() {
		if err := Probe(v); err != nil {
			return err
		}
	}
	return nil
}

func init() {
	eal.RegisterHook(eal.Hook{Name: "vdev bus", Init: probeVdevs, Cleanup: closeAll})
}
