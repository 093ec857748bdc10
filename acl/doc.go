// Package acl is DPDK's rte_acl in Go: a packet classifier that finds, for
// each input (a 5-tuple, a header, any fixed layout of bytes), the
// highest-priority rule that matches it, in up to 16 categories at once.
//
// # Rules and fields
//
// The user says what a rule is made of: a list of FieldDefs, each a field
// of 1, 2, 4 or 8 bytes at some offset of the input, compared as a
// big-endian number in one of three ways:
//
//   - Mask: a prefix, as an address and its length (10.0.0.0/8);
//   - Range: low <= x <= high (ports 1024 : 65535);
//   - Bitmask: x&mask == value&mask (protocol 6/0xff, TCP flags).
//
// A Rule gives each field a value and a mask, range end or prefix length
// (Field, as struct rte_acl_field), a priority, a category mask and the
// userdata Classify returns when the rule wins. The lifecycle is DPDK's:
// NewContext (rte_acl_create), AddRules, Build with a Config naming the
// field definitions and the number of categories, then Classify on bursts
// of inputs from any number of goroutines. ResetRules drops the rules and
// keeps the classifier; Reset drops both; a new Build replaces the
// classifier. Classify writes, per input and category, the userdata of the
// best matching rule of that category, or 0. Inputs are read in network
// byte order, rule values are given in host order, as in DPDK.
//
// Between rules of equal priority dpk picks the one DPDK 22.11's builder
// merges first, which is what librte_acl returns whenever it builds a
// single trie and the tied rules share their categories: the wilder rule
// (DPDK's "wildness" of fields 1.. of the definitions, compared in order),
// and between rules as wild, the one added last. DPDK is not consistent
// beyond that, and neither DPDK nor dpk promises more: when librte_acl
// splits the rules over several tries a tie goes to the later trie, and
// when tied rules have different categories its trie merge can hand a tie
// to the rule merged later. dpk's choice is the same whatever the build
// does. With distinct priorities, as dpdk-test-acl and ClassBench rule sets
// have, the results are DPDK's (checked against librte_acl on the
// ClassBench and dpdk-test-acl rule sets and on random ones).
//
// # The compiled classifier
//
// Build turns the rules into byte-wise deterministic automata, as DPDK
// does: each field of each definition contributes its bytes, most
// significant first, in the order of the definitions, and the automaton
// reads one input byte per step. A state is the set of rules (and, within
// a range field, the piece of the range, DPDK's low/middle/high split) that
// can still match given the bytes read so far. It is built by subset
// construction with memoisation, two ideas keeping it small:
//
//   - a rule that matches whatever the remaining bytes are makes every rule
//     below it in every category it has irrelevant: they are dropped, and a
//     state whose rules all match whatever follows is final at once, so
//     that walks end early and default rules do not multiply states;
//   - equal states are shared (hash-consed bottom up), which minimises the
//     acyclic automaton; bytes no rule looks at are skipped altogether.
//
// The automaton is stored as DPDK's runtime is: one array of 64-bit
// transitions, each holding where the next node's transitions start and
// how an input byte picks one of them. A node whose byte values fall in at
// most five intervals keeps the four bounds in the transition itself and is
// resolved with a few arithmetic operations (DPDK's QRANGE node); a node
// with more intervals has 256 transitions in four groups of 64, identical
// groups stored once (DPDK's DFA node). A final state is a transition that
// loops on itself and whose number indexes the table of results, per
// category. Classify walks four inputs at a time through the array, one
// load per input byte, without allocating and with no work per rule.
//
// When a set of rules would make an automaton too big, the rules are split
// over several automata (tries, up to MaxTries as DPDK's) in DPDK's order
// of wildness, the wild rules apart from the specific ones; Classify walks
// each and keeps, per category, the best result. Config.MaxSize caps the
// size of the tables the same way; Context.Size and Dump tell what a build
// made.
//
// # Cost
//
// Classify costs one memory load and a handful of arithmetic operations per
// input byte of the fields (13 for the IPv4 5-tuple) per trie. On the
// ClassBench sets of about 1000 rules it runs at or above the speed of
// DPDK 22.11's scalar classifier on the same machine (cmd/dpk-test-acl
// prints the same figures as dpdk-test-acl). Build is a control-path
// operation: it allocates freely and takes milliseconds to seconds.
//
// Contexts live on the Go heap, process-local; FindExisting finds one by
// name as rte_acl_find_existing does. Package dpk/acl/classbench reads
// and writes the ClassBench and dpdk-test-acl rule and trace formats.
package acl
