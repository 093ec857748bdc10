package telemetry

import (
	"fmt"
	"os"
	"sort"
	"sync"

	"dpk/eal"
)

// Version is what /info and the greeting report as "version". DPDK sends
// rte_version() ("DPDK 22.11.0"); dpk speaks the telemetry v2 protocol of
// DPDK 22.11 and says so in a version suffix, the place DPDK keeps for
// "-rc1" and the like. dpdk-telemetry.py does not read the field.
const Version = "DPDK 22.11.0-dpk"

// Protocol limits of DPDK 22.11's lib/telemetry.
const (
	// MaxCmdLen bounds a command name: it has fewer bytes (MAX_CMD_LEN).
	MaxCmdLen = 56
	// MaxOutputLen bounds a reply: it has fewer bytes (MAX_OUTPUT_LEN). The
	// greeting announces it as max_output_len.
	MaxOutputLen = 16 * 1024
	// MaxConnections is the most clients served at once (MAX_CONNECTIONS).
	MaxConnections = 10
)

// Handler answers one command (telemetry_cb): cmd is the command as the
// client sent it, params what followed the first comma ("" when nothing
// did). It fills d and returns nil, or returns an error, which makes the
// reply null ({"/cmd":null}), as a negative return does in DPDK. An error
// that is ErrTruncated is no failure (DPDK's positive E2BIG): a handler may
// return what its last Add returned. A Handler
// runs on the connection's goroutine, concurrently with the application
// and with other clients' handlers: it must only call thread-safe
// control-path functions, and should return quickly.
type Handler func(cmd, params string, d *Data) error

type command struct {
	name string
	fn   Handler
	help string
}

var (
	cmdMu sync.RWMutex
	cmds  []command // sorted by name, as DPDK keeps them
)

// Register adds a command (rte_telemetry_register_cmd). The name must start
// with '/', have fewer than MaxCmdLen bytes and hold only letters, digits,
// '_' and '/'; help must have fewer than MaxStringLen bytes. Libraries
// register their commands from init functions; an application may register
// at any time, also while clients are connected. Registering a name twice
// is ErrExist (DPDK would let the new callback shadow the old one).
func Register(cmd, help string, fn Handler) error {
	if len(cmd) >= MaxCmdLen || len(cmd) == 0 || cmd[0] != '/' || !validName(cmd) {
		return fmt.Errorf("%w: command %q: must start with '/', have fewer than %d bytes and hold only letters, digits, '_' and '/'", ErrInvalid, cmd, MaxCmdLen)
	}
	if fn == nil {
		return fmt.Errorf("%w: command %q: nil handler", ErrInvalid, cmd)
	}
	if len(help) >= MaxStringLen {
		return fmt.Errorf("%w: command %q: help text of %d bytes, limit %d", ErrInvalid, cmd, len(help), MaxStringLen-1)
	}
	cmdMu.Lock()
	defer cmdMu.Unlock()
	i := sort.Search(len(cmds), func(i int) bool { return cmds[i].name >= cmd })
	if i < len(cmds) && cmds[i].name == cmd {
		return fmt.Errorf("%w: %s", ErrExist, cmd)
	}
	cmds = append(cmds, command{})
	copy(cmds[i+1:], cmds[i:])
	cmds[i] = command{name: cmd, fn: fn, help: help}
	return nil
}

// Commands returns the registered command names in order, as the "/"
// command lists them.
func Commands() []string {
	cmdMu.RLock()
	defer cmdMu.RUnlock()
	out := make([]string, len(cmds))
	for i := range cmds {
		out[i] = cmds[i].name
	}
	return out
}

func lookup(name string) (command, bool) {
	cmdMu.RLock()
	defer cmdMu.RUnlock()
	i := sort.Search(len(cmds), func(i int) bool { return cmds[i].name >= name })
	if i < len(cmds) && cmds[i].name == name {
		return cmds[i], true
	}
	return command{}, false
}

func init() {
	mustRegister("/", "Returns list of available commands, Takes no parameters", listCommands)
	mustRegister("/info", "Returns DPDK Telemetry information. Takes no parameters", info)
	mustRegister("/help", "Returns help text for a command. Parameters: string command", help)
	mustRegister("/eal/params", "Returns EAL commandline parameters used. Takes no parameters", ealParams)
	mustRegister("/eal/app_params", "Returns app commandline parameters used. Takes no parameters", ealParams)
}

func mustRegister(cmd, help string, fn Handler) {
	if err := Register(cmd, help, fn); err != nil {
		panic(err)
	}
}

func listCommands(_, _ string, d *Data) error {
	d.StartArray(StringVal)
	for _, c := range Commands() {
		d.AddArrayString(c)
	}
	return nil
}

func info(_, _ string, d *Data) error {
	d.StartDict()
	d.AddDictString("version", Version)
	d.AddDictInt("pid", os.Getpid())
	d.AddDictInt("max_output_len", MaxOutputLen)
	return nil
}

// help answers "/help,<cmd>" with {"<cmd>":"<help>"} and a bare "/help"
// with its own help text, as a string.
func help(cmd, params string, d *Data) error {
	name := params
	if name == "" {
		name = cmd
	}
	c, ok := lookup(name)
	if !ok {
		return fmt.Errorf("%w: no command %q", ErrInvalid, name)
	}
	if params == "" {
		return d.SetString(c.help)
	}
	d.StartDict()
	return d.AddDictString(params, c.help)
}

// ealParams answers /eal/params with the EAL's command line up to "--"
// (program name first) and /eal/app_params with what follows "--", as
// DPDK's eal_save_args splits argv.
func ealParams(cmd, _ string, d *Data) error {
	d.StartArray(StringVal)
	args := eal.Args()
	split := len(args)
	for i, a := range args {
		if a == "--" {
			split = i
			break
		}
	}
	if cmd == "/eal/params" {
		args = args[:split]
	} else if split < len(args) {
		args = args[split+1:]
	} else {
		args = nil
	}
	for _, a := range args {
		d.AddArrayString(a)
	}
	return nil
}
