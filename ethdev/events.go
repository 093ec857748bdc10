package ethdev

import (
	"fmt"
	"sync"
)

// Event is a port event type (rte_eth_event_type).
type Event int

// Port events.
const (
	EventUnknown Event = iota
	EventIntrLSC       // link status changed
	EventQueueState
	EventIntrReset
	EventVFMbox
	EventMACsec
	EventIntrRmv // device removed
	EventNew     // port probed
	EventDestroy // port closed
)

func (e Event) String() string {
	switch e {
	case EventIntrLSC:
		return "LSC"
	case EventIntrRmv:
		return "device removal"
	case EventNew:
		return "new"
	case EventDestroy:
		return "destroy"
	case EventIntrReset:
		return "reset"
	case EventQueueState:
		return "queue state"
	}
	return fmt.Sprintf("event %d", int(e))
}

// EventFunc is called for a port event (rte_eth_dev_cb_fn).
type EventFunc func(port uint16, ev Event, arg any)

type eventCB struct {
	ev  Event
	fn  EventFunc
	arg any
	id  int
}

type eventList struct {
	mu   sync.Mutex
	cbs  []eventCB
	next int
}

var anyPortEvents eventList

// EventHandle identifies a registered event callback.
type EventHandle struct {
	port uint16
	all  bool
	id   int
}

// CallbackRegister registers fn for event ev on port, or on every port
// when allPorts is true (RTE_ETH_ALL) (rte_eth_dev_callback_register).
func CallbackRegister(port uint16, allPorts bool, ev Event, fn EventFunc, arg any) (EventHandle, error) {
	l := &anyPortEvents
	if !allPorts {
		d, err := dev(port)
		if err != nil {
			return EventHandle{}, err
		}
		l = &d.events
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.next++
	l.cbs = append(l.cbs, eventCB{ev: ev, fn: fn, arg: arg, id: l.next})
	return EventHandle{port: port, all: allPorts, id: l.next}, nil
}

// CallbackUnregister removes a callback (rte_eth_dev_callback_unregister).
func CallbackUnregister(h EventHandle) {
	l := &anyPortEvents
	if !h.all {
		d, err := dev(h.port)
		if err != nil {
			return
		}
		l = &d.events
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, c := range l.cbs {
		if c.id == h.id {
			l.cbs = append(l.cbs[:i], l.cbs[i+1:]...)
			return
		}
	}
}

// EventProcess runs the callbacks for an event of port (drivers call it,
// as rte_eth_dev_callback_process). Callbacks run on the caller's goroutine.
func EventProcess(port uint16, ev Event) {
	var run []eventCB
	if d, err := dev(port); err == nil {
		d.events.mu.Lock()
		run = append(run, d.events.cbs...)
		d.events.mu.Unlock()
	}
	anyPortEvents.mu.Lock()
	run = append(run, anyPortEvents.cbs...)
	anyPortEvents.mu.Unlock()
	for _, c := range run {
		if c.ev == ev {
			c.fn(port, ev, c.arg)
		}
	}
}
