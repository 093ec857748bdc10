package ring_test

import (
	"fmt"
	"unsafe"

	"dpk/eal"
	"dpk/ring"
)

// A ring over memory the caller provides: here Go memory, which needs no
// EAL. Eight-byte values go in and come out in order.
func Example() {
	size, _ := ring.MemSize(8, 8)
	mem := make([]uint64, size/8)
	r, err := ring.Init(unsafe.Pointer(&mem[0]), "example", 8, 8, ring.FlagSPEnq|ring.FlagSCDeq)
	if err != nil {
		fmt.Println(err)
		return
	}
	n, free := r.EnqueueBurstU64([]uint64{1, 2, 3, 4, 5, 6, 7, 8, 9})
	fmt.Println("enqueued", n, "free", free)

	out := make([]uint64, 4)
	n, avail := r.DequeueBulkU64(out)
	fmt.Println("dequeued", out[:n], "left", avail)

	n, _ = r.DequeueBulkU64(make([]uint64, 5))
	fmt.Println("bulk of 5 from 3:", n)
	// Output:
	// enqueued 7 free 0
	// dequeued [1 2 3 4] left 3
	// bulk of 5 from 3: 0
}

// A named ring in an EAL memzone, found again by name as another process
// of the same --file-prefix would find it. (The EAL is started by this
// package's TestMain; a program calls eal.Init first.)
func ExampleCreate() {
	r, err := ring.CreateElem("jobs", 16, 1024, eal.SocketIDAny, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Free()

	type job struct{ id, arg uint64 }
	in := []job{{1, 10}, {2, 20}}
	r.EnqueueBulkElem(unsafe.Pointer(&in[0]), uint32(len(in)))

	other, _ := ring.Lookup("jobs")
	out := make([]job, 2)
	n, _ := other.DequeueBurstElem(unsafe.Pointer(&out[0]), 2)
	fmt.Println(n, out, other.Capacity())
	// Output: 2 [{1 10} {2 20}] 1023
}
