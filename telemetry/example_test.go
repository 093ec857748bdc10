package telemetry_test

import (
	"errors"
	"fmt"

	"dpk/telemetry"
)

// A library registers a command, usually from an init function; every
// client of the socket can then call it. Handle runs a message as the
// socket does, without a socket.
func Example() {
	err := telemetry.Register("/example/counters", "Returns the example's counters. Parameters: string name",
		func(cmd, params string, d *telemetry.Data) error {
			d.StartDict()
			d.AddDictString("name", params)
			d.AddDictU64("packets", 1234)
			q := new(telemetry.Data)
			q.StartArray(telemetry.U64Val)
			q.AddArrayU64(1000)
			q.AddArrayU64(234)
			return d.AddDictContainer("per_queue", q)
		})
	if err != nil && !errors.Is(err, telemetry.ErrExist) {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s\n", telemetry.Handle([]byte("/example/counters,rx")))
	fmt.Printf("%s\n", telemetry.Handle([]byte("/help,/example/counters")))
	fmt.Printf("%s\n", telemetry.Handle([]byte("/example/nope")))
	// Output:
	// {"/example/counters":{"name":"rx","packets":1234,"per_queue":[1000,234]}}
	// {"/help":{"/example/counters":"Returns the example's counters. Parameters: string name"}}
	// {"/example/nope":null}
}
