// Package telemetry is DPDK's lib/telemetry (protocol v2, as in DPDK
// 22.11): a unix socket on which a running dpk application answers
// queries about itself in JSON, so that DPDK's own client,
// usertools/dpdk-telemetry.py, and tools built on it work unchanged.
//
// # The socket
//
// eal.Init opens a SOCK_SEQPACKET socket at <runtime dir>/dpdk_telemetry.v2
// (/var/run/dpdk/<file-prefix>/ for root), through an EAL hook that this
// package registers when it is linked in; eal.Cleanup closes it, ends every
// connection and removes the file. As in DPDK there is no socket with
// --no-telemetry or in a secondary process; with --in-memory the runtime
// directory is created for the socket alone and removed again. Connect with
//
//	dpdk-telemetry.py -f <file-prefix>
//
// A client is greeted with {"version":"DPDK 22.11.0-dpk","pid":<pid>,
// "max_output_len":16384}; then each message it sends is one command,
// "/cmd" or "/cmd,params", and each reply one JSON object {"/cmd":<data>},
// null for an unknown command or a failed one. Replies are compact JSON of
// fewer than MaxOutputLen bytes: values that do not fit are left out. At
// most MaxConnections clients are served at once; one more is sent an
// {"error":...} object instead of the greeting and disconnected.
//
// # Commands
//
// Register adds a command: a name such as "/mylib/stats", a help text and a
// Handler, which fills a Data (rte_tel_data) with a dict, an array, or a
// string. Libraries register from init functions; this package registers
// "/", "/help", "/info", "/eal/params" and "/eal/app_params", ethdev the
// "/ethdev/..." commands and mempool the "/mempool/..." ones. Handle runs
// one message without the socket.
//
// # Concurrency
//
// Each client has its own goroutine, and handlers run on it, concurrently
// with each other and with the application's lcores: a handler may call
// only thread-safe control-path functions. Register may be called at any
// time. Nothing here is on the packet path.
//
// # Errors
//
// The Data builder and Register return ErrInvalid for what DPDK rejects
// with EINVAL (bad names, wrong value types, disallowed nesting),
// ErrNoSpace when a dict or array is full, and ErrTruncated when a string
// was stored shortened. On the wire there are no error messages: a failed
// command replies null, as in DPDK.
package telemetry
