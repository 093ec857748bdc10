// Package eal is dpk's Environment Abstraction Layer, as DPDK's lib/eal:
// it parses DPDK's EAL command line, starts the lcores, and owns the memory
// that every other package allocates from.
//
// # Command line
//
// Init takes the same options as rte_eal_init (-l/--lcores/-c, --main-lcore,
// -n, -m, --socket-mem, --no-huge, --huge-dir, --file-prefix, --proc-type,
// --in-memory, --vdev, --log-level, --no-telemetry, --iova-mode, -a/-b/--no-pci)
// and returns the application's arguments after "--". A bad or unknown option
// is an error naming it.
//
// # Lcores
//
// Each worker lcore is a goroutine locked to an OS thread pinned with
// sched_setaffinity to its CPUs; the goroutine that called Init becomes the
// main lcore and is pinned too. RemoteLaunch, MpRemoteLaunch and WaitLcore
// behave as DPDK's. Go has no thread-local storage, so a launched function
// receives its *Lcore, from which it learns its id and socket and passes
// them on (for example to pick its mempool cache).
//
// # Memory
//
// Each process reserves one window of address space and maps the memory
// segments (memsegs) into it at fixed offsets: files in a hugetlbfs mount,
// hugetlb memfds, or, with --no-huge or when no hugepages are free, ordinary
// memfd pages (with a warning). Memzones are named, aligned pieces of that
// memory; their directory lives in <runtime dir>/config (/var/run/dpdk/<prefix>
// for root), so a secondary process (--proc-type secondary, same
// --file-prefix) finds them by name. Because the Go runtime places its heap
// at random, the window's base differs between processes: shared structures
// store window offsets (VirtToOffset, OffsetToVirt), never addresses. With
// --in-memory no memory or configuration file is written and there are no
// secondaries (the telemetry socket still lives in the runtime directory,
// as in DPDK).
//
// Memzone reservation is control-path work and takes a lock (a mutex, and a
// file lock shared with other processes); nothing in the packet path does.
package eal
