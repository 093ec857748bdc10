// Command dpk-lab shows dpk forwarding real traffic, in one command:
//
//	go run ./cmd/dpk-lab
//
// As root it builds two network namespaces, A and B, each linked to the
// lab's own namespace by a veth pair, and has dpk forward between the two
// near ends (testpmd's io mode, both directions, on a worker lcore):
//
//	netns A: 10.N.0.1 ─ veth ─ dpk port 0 ═ io forward ═ dpk port 1 ─ veth ─ 10.N.0.2 :netns B
//
// A UDP sender in A (a goroutine on an OS thread switched into A with
// setns, sending with sendmmsg at --rate packets per second) puts a
// sequence number and a CLOCK_MONOTONIC send time in every payload; a
// receiver in B counts what arrives and measures loss (sequence gaps) and
// one-way latency (both namespaces share the host's monotonic clock) into
// a log-bucket histogram. The lab shows throughput (Mpps, Mbit/s of
// Ethernet frames), loss, latency min/avg/p99 and the forwarder's TSC
// cycles per packet once a second, on one line rewritten in place on a
// terminal or as plain lines otherwise, then a summary; and it removes
// every namespace and interface it made, also on Ctrl-C (SIGINT, SIGTERM:
// exit status 130 or 143) or on failure. Leftovers of a run killed with
// SIGKILL are removed by the next run: their names carry the dead
// process's pid (namespaces dpklab<pid>_<n>a/b, interfaces dl<pid>_<n>a/b,
// EAL files of --file-prefix dpklab<pid>).
//
// Both namespaces are on one subnet with static neighbour entries for each
// other, so no ARP crosses dpk and every frame already carries the right
// destination MAC: io forwarding passes it on unchanged. The near ends have
// no address, no ARP and no IPv6. The sender's sockets send without a UDP
// checksum (SO_NO_CHECK), so no driver has a partial checksum to finish.
//
// --driver picks the dpk driver on the links: af_xdp (net_af_xdp, the
// default), af_packet (net_af_packet) or tap (net_tap: the tap interfaces
// the driver creates are moved into the namespaces in place of veths). A
// driver not compiled into this build falls back to af_packet, saying so.
//
// Without root (or without the ip command) the lab says so and runs the
// same measurement inside the process over net_ring: a generator builds
// UDP frames in mbufs with a TSC stamp, dpk forwards ring to ring, a sink
// measures. --driver ring asks for that lab as root too.
//
// # Command line
//
// EAL options come first, then "--", then the lab's options; without "--"
// every argument is the lab's. The lab gives the EAL two lcores on the
// first two CPUs, --no-huge unless hugepages are free and it runs as root,
// and --file-prefix dpklab<pid>; EAL options on the command line replace
// those defaults.
//
//	dpk-lab [EAL options --] [--duration 10s] [--rate 100000] [--size 64]
//	        [--flows 1] [--driver af_xdp|af_packet|tap|ring] [--burst 32]
//	        [--report FILE.html] [--sweep-burst 1,4,8,16,32,64]
//
// --rate 0 sends as fast as the sender can. --sweep-burst repeats the run
// once per burst size and prints Mpps and cycles per packet against burst
// size; cycles per packet are the TSC cycles of the forwarding loop's polls
// that moved packets, divided by the packets forwarded (testpmd's
// --record-core-cycles), so they include the drivers' system calls and,
// for veths, the kernel's delivery to the far namespace. --report writes a
// self-contained HTML page (inline SVG, no JavaScript) with throughput and
// latency over time and, for a sweep, the two plots against burst size.
package main
