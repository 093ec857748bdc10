package ethdev

import "sync/atomic"

// counter is a statistics counter with one writer and any number of
// readers. Readers always use an atomic load. The writer's update is a
// plain load and an ordered store (storeRelaxed): on amd64 without the race
// detector that is one MOV, where sync/atomic's Store is an XCHG, a full
// barrier that profiling showed costing a quarter of a net_ring io burst.
type counter struct{ v uint64 }

// Load returns the counter's value.
func (c *counter) Load() uint64 { return atomic.LoadUint64(&c.v) }

func (c *counter) add(n uint64) { storeRelaxed(&c.v, loadRelaxed(&c.v)+n) }

func (c *counter) reset() { atomic.StoreUint64(&c.v, 0) }
