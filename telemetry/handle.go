package telemetry

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"dpk/eal"
)

// MaxMsgLen is the most bytes of a client message that are read: the
// socket keeps the first MaxMsgLen bytes of a longer message and drops the
// rest, as DPDK's 1024-byte read buffer (with its terminating NUL) does.
const MaxMsgLen = 1023

// Handle answers one client message as the socket does and returns the
// reply: "/cmd" or "/cmd,params" gives {"/cmd":<data>}. It is the whole
// protocol after the greeting, without the socket, for tests and for
// applications that want to serve telemetry over something else.
//
// Parsing follows DPDK's strtok: the message ends at its first NUL byte
// and after MaxMsgLen bytes, leading commas are skipped, the command runs
// to the next comma and the parameters are the rest (with any further
// commas). Nothing is trimmed. An unknown command, a command of MaxCmdLen
// bytes or more, a handler's error (other than ErrTruncated) and a handler
// that leaves its Data empty all reply null. A handler that panics is
// answered with null too, and the panic logged.
//
// Unlike DPDK, the command name in the reply is escaped, so every reply is
// valid JSON and valid UTF-8 (DPDK copies it raw: /a"b gives {"/a"b":null}).
func Handle(msg []byte) []byte {
	if len(msg) > MaxMsgLen {
		msg = msg[:MaxMsgLen]
	}
	if i := bytes.IndexByte(msg, 0); i >= 0 {
		msg = msg[:i]
	}
	line := strings.TrimLeft(string(msg), ",")
	if line == "" {
		// strtok found no command, and DPDK prints the NULL name with
		// glibc's printf: the reply of DPDK 22.11 on Linux, byte for byte.
		return []byte(`{"(null)":null}`)
	}
	name, params, _ := strings.Cut(line, ",")

	var d Data
	var err error
	if len(name) < MaxCmdLen {
		if c, ok := lookup(name); ok {
			err = call(c.fn, name, params, &d)
		}
	}

	shown := name
	if len(shown) > MaxCmdLen {
		shown = shown[:MaxCmdLen] // "%.*s" with MAX_CMD_LEN
	}
	out := make([]byte, 0, 64)
	out = append(out, '{')
	out = appendString(out, shown)
	out = append(out, ':')
	if err != nil && !errors.Is(err, ErrTruncated) {
		return append(out, "null}"...)
	}
	// The reply, its closing brace and C's NUL fit in MaxOutputLen bytes.
	out = appendData(out, &d, MaxOutputLen-len(out)-2, 0)
	return append(out, '}')
}

// call runs a handler, turning a panic into an error.
func call(fn Handler, cmd, params string, d *Data) (err error) {
	defer func() {
		if r := recover(); r != nil {
			eal.Logf(eal.LogErr, logType, "command %q panicked: %v", cmd, r)
			err = fmt.Errorf("telemetry: command %q panicked: %v", cmd, r)
		}
	}()
	return fn(cmd, params, d)
}
