package main

import (
	"strconv"
	"strings"
)

// This file is the command parser of DPDK's cmdline library as testpmd
// uses it: each command is a list of tokens, each token a literal (with
// "a|b" alternatives) or a typed value; a line runs the first command all
// of whose tokens it matches.

// Typed tokens.
const (
	tokNum  = "<num>"  // a decimal number that fits in 32 bits
	tokPort = "<port>" // a port id (16 bits)
	tokMode = "<mode>" // a forwarding mode
	tokStr  = "<str>"  // any word
)

// command is one command line form (cmdline_parse_inst_t).
type command struct {
	tokens []string
	run    func(tp *testpmd, f []string)
}

// commands is filled by the cmd_*.go files' init functions.
var commands []command

func addCommands(cs ...command) { commands = append(commands, cs...) }

// matchToken reports whether a word fits a token.
func matchToken(tok, word string) bool {
	switch tok {
	case tokNum:
		_, err := strconv.ParseUint(word, 10, 32)
		return err == nil
	case tokPort:
		_, err := strconv.ParseUint(word, 10, 16)
		return err == nil
	case tokMode:
		return engineByName(word) != nil
	case tokStr:
		return true
	}
	for _, alt := range strings.Split(tok, "|") {
		if alt == word {
			return true
		}
	}
	return false
}

func (c *command) match(f []string) bool {
	if len(f) != len(c.tokens) {
		return false
	}
	for i, t := range c.tokens {
		if !matchToken(t, f[i]) {
			return false
		}
	}
	return true
}

// execute runs one command line; it reports false for "quit".
func (tp *testpmd) execute(line string) bool {
	line = strings.TrimSpace(line)
	if line == "" || strings.HasPrefix(line, "#") {
		return true
	}
	f := strings.Fields(line)
	if f[0] == "quit" && len(f) == 1 {
		return false
	}
	for i := range commands {
		if commands[i].match(f) {
			commands[i].run(tp, f)
			return true
		}
	}
	for i := range commands {
		if matchToken(commands[i].tokens[0], f[0]) {
			tp.printf("Bad arguments\n")
			return true
		}
	}
	tp.printf("Command not found\n")
	return true
}

// num converts a token already checked by matchToken.
func num(s string) uint64 {
	n, _ := strconv.ParseUint(s, 10, 32)
	return n
}

// portArg turns "all" into portAll and a number into a port id.
func portArg(s string) int {
	if s == "all" {
		return portAll
	}
	return int(num(s))
}

func init() {
	addCommands(command{tokens: []string{"quit"}, run: func(*testpmd, []string) {}})
}
