package eal

import "sync"

// Hook is a subsystem that Init starts after the lcores and memory are up
// and Cleanup stops before memory goes, in reverse order: a device bus
// (rte_bus; the ethdev package registers the vdev bus, which creates a port
// for every --vdev argument), or the telemetry socket. Hooks run in
// registration order, which is package initialisation order.
type Hook struct {
	Name    string
	Init    func() error
	Cleanup func()
}

var (
	busMu sync.Mutex
	buses []Hook
)

// RegisterHook adds a hook; packages call it from init functions.
func RegisterHook(b Hook) {
	busMu.Lock()
	buses = append(buses, b)
	busMu.Unlock()
}

func registeredHooks() []Hook {
	busMu.Lock()
	defer busMu.Unlock()
	return append([]Hook(nil), buses...)
}
