package rcu_test

import (
	"fmt"
	"sync"
	"sync/atomic"

	"dpk/rcu"
)

// A reader goroutine reports quiescent states while a writer replaces a
// shared value and waits, with a defer queue, until the old one is no
// longer used before recycling it.
func Example() {
	v, _ := rcu.NewQSBR(1)

	type config struct{ gen int }
	var cur atomic.Pointer[config]
	cur.Store(&config{gen: 1})

	var recycled []int
	dq, _ := rcu.NewDeferQueue(rcu.DQConfig[*config]{
		Name: "configs", Size: 8, TriggerReclaimLimit: ^uint32(0),
		Free: func(c *config) { recycled = append(recycled, c.gen) },
		V:    v,
	})

	// The reader: thread id 0.
	v.ThreadRegister(0)
	v.ThreadOnline(0)
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stop.Load() {
			_ = cur.Load().gen // read the shared structure
			v.Quiescent(0)     // no reference held past this point
		}
		v.ThreadOffline(0)
	}()

	// The writer: unlink the old value, queue it, wait for its grace period.
	old := cur.Swap(&config{gen: 2})
	dq.Enqueue(old)
	for {
		if freed, _, _, _ := dq.Reclaim(1); freed == 1 {
			break
		}
	}
	stop.Store(true)
	wg.Wait()
	fmt.Println("recycled generations:", recycled)
	// Output: recycled generations: [1]
}
