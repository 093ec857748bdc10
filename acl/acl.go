package acl

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"
)

// Limits, as DPDK's rte_acl.h.
const (
	// MaxCategories is the highest number of categories a context is built
	// with (RTE_ACL_MAX_CATEGORIES).
	MaxCategories = 16
	// ResultsMultiplier: Classify takes 1 category or a multiple of this
	// (RTE_ACL_RESULTS_MULTIPLIER).
	ResultsMultiplier = 4
	// MaxFields is the highest number of fields in a rule (RTE_ACL_MAX_FIELDS).
	MaxFields = 64
	// MaxPriority and MinPriority bound Rule.Priority (RTE_ACL_MAX_PRIORITY,
	// RTE_ACL_MIN_PRIORITY).
	MaxPriority = 1<<29 - 1
	MinPriority = 1
	// MaxTries is the highest number of tries a build splits the rules into
	// (RTE_ACL_MAX_TRIES).
	MaxTries = 8
	// NameSize is the longest context name plus one (RTE_ACL_NAMESIZE).
	NameSize = 32
)

// Errors. Every error the package returns is one of these or wraps one.
var (
	// ErrInvalid: a bad parameter, rule or field definition (EINVAL).
	ErrInvalid = errors.New("acl: invalid argument")
	// ErrNoSpace: the context holds its maximum number of rules (ENOMEM
	// from rte_acl_add_rules).
	ErrNoSpace = errors.New("acl: no room for the rules")
	// ErrNoMem: the compiled classifier does not fit the limits (Config's
	// MaxSize or MaxTries tries), as rte_acl_build's ENOMEM / ERANGE.
	ErrNoMem = errors.New("acl: classifier too big")
	// ErrNotSupported: the classify algorithm is not available (ENOTSUP).
	ErrNotSupported = errors.New("acl: not supported")
	// ErrExist: a context with that name exists already (EEXIST).
	ErrExist = errors.New("acl: name exists")
)

// FieldType is how a rule field matches its input bytes.
type FieldType uint8

// Field types, with DPDK's values (RTE_ACL_FIELD_TYPE_*).
const (
	// Mask matches a prefix: MaskRange is the prefix length in bits
	// (1.2.3.0/24: Value 0x01020300, MaskRange 24).
	Mask FieldType = iota
	// Range matches Value <= x <= MaskRange (ports 1000 : 2000).
	Range
	// Bitmask matches x&MaskRange == Value&MaskRange (proto 6/0xff).
	Bitmask
)

func (t FieldType) String() string {
	switch t {
	case Mask:
		return "mask"
	case Range:
		return "range"
	case Bitmask:
		return "bitmask"
	}
	return fmt.Sprintf("FieldType(%d)", uint8(t))
}

// FieldDef defines one field of the rules and where it is in the input, as
// struct rte_acl_field_def. Input is in network byte order: a field of Size
// bytes at Offset is read as a big-endian number and compared with the
// rule's values, which are in host order.
type FieldDef struct {
	Type       FieldType
	Size       uint8  // 1, 2, 4 or 8 bytes
	FieldIndex uint8  // which of Rule.Fields this definition describes
	InputIndex uint8  // DPDK's 4-byte input group; kept for compatibility, not needed by dpk
	Offset     uint32 // offset of the field in each input buffer
}

// Field is a rule's value for one field, as struct rte_acl_field: Value and
// MaskRange mean what the field's FieldType says. Bits above the field's size
// are ignored.
type Field struct {
	Value     uint64
	MaskRange uint64
}

// Rule is one ACL rule, as RTE_ACL_RULE_DEF: the categories it belongs to,
// its priority (higher wins), the value Classify returns when it wins, and
// one Field per field index.
type Rule struct {
	CategoryMask uint32 // bit c: the rule takes part in category c; not 0
	Priority     int32  // MinPriority..MaxPriority
	Userdata     uint32 // returned by Classify; 0 reads as "no match"
	Fields       []Field
}

// Params are a context's creation parameters, as struct rte_acl_param (the
// rule size is given as a number of fields).
type Params struct {
	Name      string // at most NameSize-1 bytes; unique among live contexts
	SocketID  int    // accepted for compatibility; memory is the Go heap
	MaxRules  int    // the most rules the context holds
	NumFields int    // fields per rule, 1..MaxFields
}

// Config is a build configuration, as struct rte_acl_config.
type Config struct {
	NumCategories int        // 1..MaxCategories
	Defs          []FieldDef // 1..MaxFields definitions
	// MaxSize limits the size in bytes of the compiled classifier; 0 is no
	// limit. A build that does not fit splits the rules over more tries and
	// fails with ErrNoMem if MaxTries tries do not fit either.
	MaxSize int
}

// Alg names a classify implementation, as enum rte_acl_classify_alg.
type Alg int

// Classify algorithms, with DPDK's values. dpk has one, scalar Go code with
// four lookups interleaved; Default selects it. The SIMD names exist so that
// DPDK command lines parse; SetClassifyAlg refuses them.
const (
	AlgDefault Alg = iota
	AlgScalar
	AlgSSE
	AlgAVX2
	AlgNEON
	AlgAltivec
	AlgAVX512X16
	AlgAVX512X32
)

var algNames = [...]string{"default", "scalar", "sse", "avx2", "neon", "altivec", "avx512x16", "avx512x32"}

func (a Alg) String() string {
	if a >= 0 && int(a) < len(algNames) {
		return algNames[a]
	}
	return fmt.Sprintf("Alg(%d)", int(a))
}

// ParseAlg returns the algorithm of a DPDK name ("scalar", "sse", "avx2",
// "neon", "altivec", "avx512x16", "avx512x32", or "default").
func ParseAlg(name string) (Alg, error) {
	for i, n := range algNames {
		if n == name {
			return Alg(i), nil
		}
	}
	return 0, fmt.Errorf("%w: unknown classify algorithm %q", ErrInvalid, name)
}

// Context is an ACL context, as struct rte_acl_ctx: the rules added so far
// and the classifier last built from them. Adding, resetting and building
// are not safe to run concurrently with anything else on the context;
// Classify is, with other Classify calls, from any number of goroutines.
type Context struct {
	name      string
	socketID  int
	maxRules  int
	numFields int
	alg       Alg

	rules  []ruleData // added rules
	fields []Field    // numFields per rule

	rt *classifier // the built classifier, nil before Build
}

// ruleData is the part of a rule outside its fields.
type ruleData struct {
	catMask  uint32
	priority int32
	userdata uint32
}

var registry = struct {
	sync.Mutex
	m map[string]*Context
}{m: map[string]*Context{}}

// NewContext creates an empty ACL context (rte_acl_create). Its name must
// be unique among the contexts not yet freed; FindExisting finds it by
// name.
func NewContext(p Params) (*Context, error) {
	if p.Name == "" || len(p.Name) >= NameSize {
		return nil, fmt.Errorf("%w: context name %q: want 1..%d bytes", ErrInvalid, p.Name, NameSize-1)
	}
	if p.MaxRules < 0 || p.MaxRules > maxRuleIndex {
		return nil, fmt.Errorf("%w: MaxRules %d", ErrInvalid, p.MaxRules)
	}
	if p.NumFields < 1 || p.NumFields > MaxFields {
		return nil, fmt.Errorf("%w: NumFields %d: want 1..%d", ErrInvalid, p.NumFields, MaxFields)
	}
	c := &Context{name: p.Name, socketID: p.SocketID, maxRules: p.MaxRules, numFields: p.NumFields}
	registry.Lock()
	defer registry.Unlock()
	if _, ok := registry.m[p.Name]; ok {
		return nil, fmt.Errorf("acl: context %q: %w", p.Name, ErrExist)
	}
	registry.m[p.Name] = c
	return c, nil
}

// FindExisting returns the live context of that name (rte_acl_find_existing).
func FindExisting(name string) (*Context, bool) {
	registry.Lock()
	defer registry.Unlock()
	c, ok := registry.m[name]
	return c, ok
}

// Free forgets the context: its name can be used again (rte_acl_free). The
// context must not be used afterwards.
func (c *Context) Free() {
	registry.Lock()
	if registry.m[c.name] == c {
		delete(registry.m, c.name)
	}
	registry.Unlock()
	c.rules, c.fields, c.rt = nil, nil, nil
}

// Name returns the context's name.
func (c *Context) Name() string { return c.name }

// NumRules returns the number of rules added since creation or the last reset.
func (c *Context) NumRules() int { return len(c.rules) }

// NumTries returns the number of tries of the built classifier (0 before
// Build).
func (c *Context) NumTries() int {
	if c.rt == nil {
		return 0
	}
	return len(c.rt.tries)
}

// NumCategories returns the number of categories the classifier was built
// with (0 before Build).
func (c *Context) NumCategories() int {
	if c.rt == nil {
		return 0
	}
	return c.rt.ncat
}

// Size returns the size in bytes of the built classifier's tables.
func (c *Context) Size() int {
	if c.rt == nil {
		return 0
	}
	return c.rt.size()
}

// AddRules appends rules to the context (rte_acl_add_rules): all or none.
// Each rule needs a non-zero category mask within the low MaxCategories bits,
// a priority in MinPriority..MaxPriority and exactly NumFields fields. The
// built classifier does not change until the next Build.
func (c *Context) AddRules(rules []Rule) error {
	if len(c.rules)+len(rules) > c.maxRules {
		return fmt.Errorf("acl: context %q: adding %d rules to %d of %d: %w",
			c.name, len(rules), len(c.rules), c.maxRules, ErrNoSpace)
	}
	for i := range rules {
		r := &rules[i]
		if r.CategoryMask&(1<<MaxCategories-1) == 0 || r.Priority < MinPriority || r.Priority > MaxPriority {
			return fmt.Errorf("%w: rule %d: category mask %#x, priority %d", ErrInvalid, i, r.CategoryMask, r.Priority)
		}
		if len(r.Fields) != c.numFields {
			return fmt.Errorf("%w: rule %d has %d fields, the context %d", ErrInvalid, i, len(r.Fields), c.numFields)
		}
	}
	for i := range rules {
		r := &rules[i]
		c.rules = append(c.rules, ruleData{catMask: r.CategoryMask, priority: r.Priority, userdata: r.Userdata})
		c.fields = append(c.fields, r.Fields...)
	}
	return nil
}

// Rule returns a copy of the i-th rule added.
func (c *Context) Rule(i int) Rule {
	d := c.rules[i]
	return Rule{CategoryMask: d.catMask, Priority: d.priority, Userdata: d.userdata,
		Fields: append([]Field(nil), c.fields[i*c.numFields:(i+1)*c.numFields]...)}
}

// ResetRules deletes every rule (rte_acl_reset_rules); the built classifier
// stays as it is.
func (c *Context) ResetRules() {
	c.rules = c.rules[:0]
	c.fields = c.fields[:0]
}

// Reset deletes every rule and the built classifier (rte_acl_reset).
// Classify then matches nothing until the next Build.
func (c *Context) Reset() {
	c.ResetRules()
	c.rt = nil
}

// SetClassifyAlg chooses the context's classify implementation
// (rte_acl_set_ctx_classify). dpk has only the scalar one: AlgDefault and
// AlgScalar succeed, the others return ErrNotSupported.
func (c *Context) SetClassifyAlg(a Alg) error {
	switch a {
	case AlgDefault, AlgScalar:
		c.alg = AlgScalar
		return nil
	case AlgSSE, AlgAVX2, AlgNEON, AlgAltivec, AlgAVX512X16, AlgAVX512X32:
		return fmt.Errorf("acl: classify method %v: %w (dpk has scalar only)", a, ErrNotSupported)
	}
	return fmt.Errorf("%w: classify method %d", ErrInvalid, int(a))
}

// Alg returns the context's classify implementation.
func (c *Context) Alg() Alg {
	if c.alg == AlgDefault {
		return AlgScalar
	}
	return c.alg
}

// Build compiles the rules added so far into the classifier Classify uses
// (rte_acl_build), replacing the previous one. Rules whose category mask
// has no bit below cfg.NumCategories are left out; a build with no rule
// left fails with ErrInvalid, as DPDK's. On error the previous classifier
// stays.
func (c *Context) Build(cfg Config) error {
	rt, err := build(c, &cfg)
	if err != nil {
		return fmt.Errorf("acl: build %q: %w", c.name, err)
	}
	c.rt = rt
	return nil
}

// Dump writes a description of the context to w, as rte_acl_dump.
func (c *Context) Dump(w io.Writer) {
	ncat, ntries := 0, 0
	if c.rt != nil {
		ncat, ntries = c.rt.ncat, len(c.rt.tries)
	}
	fmt.Fprintf(w, "acl context <%s>@%p\n", c.name, c)
	fmt.Fprintf(w, "  socket_id=%d\n", c.socketID)
	fmt.Fprintf(w, "  alg=%d\n", int(c.Alg()))
	fmt.Fprintf(w, "  max_rules=%d\n", c.maxRules)
	fmt.Fprintf(w, "  rule_size=%d\n", ruleSize(c.numFields))
	fmt.Fprintf(w, "  num_rules=%d\n", len(c.rules))
	fmt.Fprintf(w, "  num_categories=%d\n", ncat)
	fmt.Fprintf(w, "  num_tries=%d\n", ntries)
	if c.rt != nil {
		c.rt.dump(w)
	}
}

// ListDump writes every live context's Dump to w (rte_acl_list_dump).
func ListDump(w io.Writer) {
	registry.Lock()
	cs := make([]*Context, 0, len(registry.m))
	for _, c := range registry.m {
		cs = append(cs, c)
	}
	registry.Unlock()
	sort.Slice(cs, func(i, j int) bool { return cs[i].name < cs[j].name })
	for _, c := range cs {
		c.Dump(w)
	}
}

// ruleSize is DPDK's RTE_ACL_RULE_SZ: 16 bytes of rule data (12 and
// padding) and 16 per field.
func ruleSize(fields int) int { return 16 + 16*fields }

// maxRuleIndex is RTE_ACL_MAX_INDEX+1, the most rules a context can hold.
const maxRuleIndex = 1 << 29
