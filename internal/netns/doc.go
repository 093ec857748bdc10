// Package netns builds small virtual networks for tests of drivers that
// talk to real Linux interfaces (net_af_packet, net_af_xdp, net_tap): network
// namespaces, veth pairs, addresses, and a way to run commands and Go code
// inside a namespace. Everything a test creates is removed by t.Cleanup,
// also when the test fails.
//
// A typical topology keeps the driver's end of each veth pair in the test's
// own namespace (the driver runs in the test process, so its interfaces must
// be there), with no address and the kernel's own traffic on it switched off
// (Quiet), and moves the far end into a namespace of its own with an address:
//
//	testutil.SkipUnlessRoot(t)
//	a := netns.New(t, "na")                      // namespace na<pid>_<n>
//	va := netns.NewVeth(t, "da")                 // da<pid>_<n> <-> da<pid>_<n>p
//	netns.Quiet(t, va.Name)                      // no IPv6, no ARP, no forwarding
//	netns.Up(t, va.Name)
//	a.Adopt(t, va.Peer)                          // the peer moves into na...
//	a.Addr(t, va.Peer, "10.99.0.1/24")           // ...gets an address
//	a.Up(t, va.Peer)
//	netns.Host.WaitRunning(t, va.Name)           // carrier on both ends
//	out := a.Run(t, "ping", "-c", "1", "10.99.0.2")
//
// Neigh adds static neighbour entries (no ARP on the wire) and Stats reads
// an interface's kernel counters, so that tests can count packets exactly.
//
// # Names
//
// Name returns names unique to the process: a short prefix, the pid and a
// counter, at most 15 bytes (IFNAMSIZ-1), so that tests running at the same
// time in other processes, or left over by a killed run, never collide.
//
// # Safety
//
// The package only creates and deletes what the caller names; it adds no
// route in the test's namespace and never touches an interface it did not
// create. Addresses belong inside the namespaces the test created; the
// interfaces left in the test's namespace should have none.
//
// # Running code inside a namespace
//
// Run and Command use `ip netns exec`. Do runs a Go function on an OS thread
// switched into the namespace: sockets it opens belong to that namespace
// and stay usable from any goroutine afterwards, so an in-process TCP server
// or UDP client can live in a namespace without a helper binary.
//
// Every function needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN) and the ip
// command from iproute2; callers skip with testutil.SkipUnlessRoot first.
// Failures end the test with t.Fatalf and the command's output.
package netns
