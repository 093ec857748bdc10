package telemetry

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// Errors of the Data builder and of Register.
var (
	// ErrInvalid means an argument breaks a rule of DPDK's telemetry
	// library (EINVAL): a bad command or value name, a value of the wrong
	// type for the container, a container that may not be nested there.
	ErrInvalid = errors.New("telemetry: invalid argument")
	// ErrNoSpace means a dict or array is full (ENOSPC): MaxDictEntries or
	// MaxArrayEntries values are in it already.
	ErrNoSpace = errors.New("telemetry: container full")
	// ErrTruncated means a string was longer than its limit and was stored
	// shortened (DPDK's positive E2BIG): the value is in the container.
	ErrTruncated = errors.New("telemetry: string truncated")
	// ErrExist means a command of that name is registered already.
	ErrExist = errors.New("telemetry: command registered already")
)

// Limits of a Data, DPDK's RTE_TEL_MAX_*. As in C they count a terminating
// NUL byte, so a string holds at most one byte less.
const (
	// MaxStringLen bounds dict names, string values in dicts and arrays, and
	// help texts (RTE_TEL_MAX_STRING_LEN).
	MaxStringLen = 128
	// MaxSingleStringLen bounds a Data that is a single string
	// (RTE_TEL_MAX_SINGLE_STRING_LEN).
	MaxSingleStringLen = 8192
	// MaxDictEntries is the most entries of a dict (RTE_TEL_MAX_DICT_ENTRIES).
	MaxDictEntries = 256
	// MaxArrayEntries is the most values of an array (RTE_TEL_MAX_ARRAY_ENTRIES).
	MaxArrayEntries = 512
)

// ValueType is the type of the values of an array (rte_tel_value_type).
type ValueType int

// Value types, in DPDK's order.
const (
	// StringVal is a string (RTE_TEL_STRING_VAL).
	StringVal ValueType = iota
	// IntVal is a signed integer (RTE_TEL_INT_VAL).
	IntVal
	// U64Val is an unsigned 64-bit integer (RTE_TEL_U64_VAL).
	U64Val
	// ContainerVal is a nested Data (RTE_TEL_CONTAINER).
	ContainerVal
)

// String returns the type's name: "string", "int", "u64" or "container".
func (t ValueType) String() string {
	switch t {
	case StringVal:
		return "string"
	case IntVal:
		return "int"
	case U64Val:
		return "u64"
	case ContainerVal:
		return "container"
	}
	return fmt.Sprintf("ValueType(%d)", int(t))
}

// kind is what a Data holds (DPDK's tel_container_types).
type kind uint8

const (
	kindNull kind = iota
	kindString
	kindDict
	kindArrayString
	kindArrayInt
	kindArrayU64
	kindArrayContainer
)

type value struct {
	s string
	i int
	u uint64
	c *Data
}

type entry struct {
	name string
	typ  ValueType
	value
}

// Data is the reply of a command under construction (struct rte_tel_data):
// null, a single string, a dict of named values, or an array of values of
// one type. A command's callback receives an empty (null) Data and fills it
// with StartDict, StartArray or SetString and then the Add methods, which
// check their arguments as DPDK's rte_tel_data_* functions do. The zero
// value is an empty Data, ready for use as a nested container.
//
// A Data is not safe for concurrent use. A container added to another
// belongs to it from then on and must not be changed.
type Data struct {
	kind  kind
	str   string
	dict  []entry
	array []value
}

// StartArray makes d an empty array of values of type t
// (rte_tel_data_start_array).
func (d *Data) StartArray(t ValueType) error {
	var k kind
	switch t {
	case StringVal:
		k = kindArrayString
	case IntVal:
		k = kindArrayInt
	case U64Val:
		k = kindArrayU64
	case ContainerVal:
		k = kindArrayContainer
	default:
		return fmt.Errorf("%w: array of %v", ErrInvalid, t)
	}
	*d = Data{kind: k}
	return nil
}

// StartDict makes d an empty dict (rte_tel_data_start_dict).
func (d *Data) StartDict() error {
	*d = Data{kind: kindDict}
	return nil
}

// SetString makes d a single string (rte_tel_data_string). A string of
// MaxSingleStringLen bytes or more is stored shortened and ErrTruncated
// returned.
func (d *Data) SetString(s string) error {
	s, err := truncate(s, MaxSingleStringLen)
	*d = Data{kind: kindString, str: s}
	return err
}

// AddArrayString appends a string to an array of StringVal
// (rte_tel_data_add_array_string).
func (d *Data) AddArrayString(s string) error {
	if err := d.arrayRoom(kindArrayString); err != nil {
		return err
	}
	s, err := truncate(s, MaxStringLen)
	d.array = append(d.array, value{s: s})
	return err
}

// AddArrayInt appends an integer to an array of IntVal
// (rte_tel_data_add_array_int).
func (d *Data) AddArrayInt(v int) error {
	if err := d.arrayRoom(kindArrayInt); err != nil {
		return err
	}
	d.array = append(d.array, value{i: v})
	return nil
}

// AddArrayU64 appends an unsigned integer to an array of U64Val
// (rte_tel_data_add_array_u64).
func (d *Data) AddArrayU64(v uint64) error {
	if err := d.arrayRoom(kindArrayU64); err != nil {
		return err
	}
	d.array = append(d.array, value{u: v})
	return nil
}

// AddArrayContainer appends c to an array of ContainerVal
// (rte_tel_data_add_array_container). As in DPDK, c must be an array of
// strings, ints or u64s.
func (d *Data) AddArrayContainer(c *Data) error {
	if err := d.arrayRoom(kindArrayContainer); err != nil {
		return err
	}
	if c == nil || !c.isSimpleArray() {
		return fmt.Errorf("%w: an array's container must be an array of strings, ints or u64s", ErrInvalid)
	}
	d.array = append(d.array, value{c: c})
	return nil
}

// AddDictString adds a named string to a dict (rte_tel_data_add_dict_string).
// The name may hold only letters, digits, '_' and '/'.
func (d *Data) AddDictString(name, v string) error {
	if err := d.dictRoom(name); err != nil {
		return err
	}
	name, err1 := truncate(name, MaxStringLen)
	v, err2 := truncate(v, MaxStringLen)
	d.dict = append(d.dict, entry{name: name, typ: StringVal, value: value{s: v}})
	return errors.Join(err1, err2)
}

// AddDictInt adds a named integer to a dict (rte_tel_data_add_dict_int).
func (d *Data) AddDictInt(name string, v int) error {
	if err := d.dictRoom(name); err != nil {
		return err
	}
	name, err := truncate(name, MaxStringLen)
	d.dict = append(d.dict, entry{name: name, typ: IntVal, value: value{i: v}})
	return err
}

// AddDictU64 adds a named unsigned integer to a dict (rte_tel_data_add_dict_u64).
func (d *Data) AddDictU64(name string, v uint64) error {
	if err := d.dictRoom(name); err != nil {
		return err
	}
	name, err := truncate(name, MaxStringLen)
	d.dict = append(d.dict, entry{name: name, typ: U64Val, value: value{u: v}})
	return err
}

// AddDictContainer adds a named nested container to a dict
// (rte_tel_data_add_dict_container). As in DPDK, c must be a dict or an
// array of strings, ints or u64s; it may not contain d.
func (d *Data) AddDictContainer(name string, c *Data) error {
	if c == nil || (c.kind != kindDict && !c.isSimpleArray()) {
		return fmt.Errorf("%w: a dict's container must be a dict or an array of strings, ints or u64s", ErrInvalid)
	}
	if c == d || c.contains(d) {
		return fmt.Errorf("%w: container %q would contain itself", ErrInvalid, name)
	}
	if err := d.dictRoom(name); err != nil {
		return err
	}
	name, err := truncate(name, MaxStringLen)
	d.dict = append(d.dict, entry{name: name, typ: ContainerVal, value: value{c: c}})
	return err
}

func (d *Data) arrayRoom(k kind) error {
	if d.kind != k {
		return fmt.Errorf("%w: data is not an array of that type", ErrInvalid)
	}
	if len(d.array) >= MaxArrayEntries {
		return fmt.Errorf("%w: %d array entries", ErrNoSpace, len(d.array))
	}
	return nil
}

func (d *Data) dictRoom(name string) error {
	if d.kind != kindDict {
		return fmt.Errorf("%w: data is not a dict", ErrInvalid)
	}
	if len(d.dict) >= MaxDictEntries {
		return fmt.Errorf("%w: %d dict entries", ErrNoSpace, len(d.dict))
	}
	if !validName(name) {
		return fmt.Errorf("%w: name %q: only letters, digits, '_' and '/' allowed", ErrInvalid, name)
	}
	return nil
}

func (d *Data) isSimpleArray() bool {
	return d.kind == kindArrayString || d.kind == kindArrayInt || d.kind == kindArrayU64
}

// contains reports whether x is nested anywhere in d. Only dicts nest
// containers that can nest further, so cycles can only go through dicts.
func (d *Data) contains(x *Data) bool {
	if d.kind != kindDict {
		return false
	}
	for i := range d.dict {
		if c := d.dict[i].c; c != nil && (c == x || c.contains(x)) {
			return true
		}
	}
	return false
}

// validName reports whether s has only the characters DPDK allows in value
// and command names: ASCII letters and digits, '_' and '/'.
func validName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '/') {
			return false
		}
	}
	return true
}

// truncate shortens s to fewer than limit bytes (C's strlcpy into a buffer
// of limit bytes), cutting at a UTF-8 boundary.
func truncate(s string, limit int) (string, error) {
	if len(s) < limit {
		return s, nil
	}
	n := limit - 1
	// Step back over at most three continuation bytes: the start of the
	// rune that would be cut in two.
	for k := 1; k < utf8.UTFMax && n > 0 && !utf8.RuneStart(s[n]); k++ {
		n--
	}
	return s[:n], fmt.Errorf("%w: %d bytes, limit %d", ErrTruncated, len(s), limit-1)
}
