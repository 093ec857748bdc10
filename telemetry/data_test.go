package telemetry

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func encode(d *Data) string { return string(appendData(nil, d, MaxOutputLen, 0)) }

func TestDataEncoding(t *testing.T) {
	for _, tc := range []struct {
		name  string
		build func(d *Data)
		want  string
	}{
		{"null", func(d *Data) {}, `null`},
		{"string", func(d *Data) { d.SetString("hello") }, `"hello"`},
		{"empty dict", func(d *Data) { d.StartDict() }, `{}`},
		{"empty array", func(d *Data) { d.StartArray(IntVal) }, `[]`},
		{"dict", func(d *Data) {
			d.StartDict()
			d.AddDictString("name", "net_ring0")
			d.AddDictInt("state", -1)
			d.AddDictU64("big", 1<<63)
		}, `{"name":"net_ring0","state":-1,"big":9223372036854775808}`},
		{"ints", func(d *Data) {
			d.StartArray(IntVal)
			d.AddArrayInt(0)
			d.AddArrayInt(-7)
		}, `[0,-7]`},
		{"u64s", func(d *Data) {
			d.StartArray(U64Val)
			d.AddArrayU64(^uint64(0))
		}, `[18446744073709551615]`},
		{"strings", func(d *Data) {
			d.StartArray(StringVal)
			d.AddArrayString("a")
			d.AddArrayString("b")
		}, `["a","b"]`},
		{"array of arrays", func(d *Data) {
			d.StartArray(ContainerVal)
			a, b := new(Data), new(Data)
			a.StartArray(U64Val)
			a.AddArrayU64(1)
			b.StartArray(StringVal)
			d.AddArrayContainer(a)
			d.AddArrayContainer(b)
		}, `[[1],[]]`},
		{"nested dicts", func(d *Data) {
			d.StartDict()
			in, in2 := new(Data), new(Data)
			in.StartDict()
			in2.StartArray(IntVal)
			in2.AddArrayInt(3)
			in.AddDictContainer("deep", in2)
			d.AddDictContainer("inner", in)
			d.AddDictInt("after", 1)
		}, `{"inner":{"deep":[3]},"after":1}`},
		{"escapes", func(d *Data) { d.SetString("a\"b\\c\n\r\t\x01\x7f") }, `"a\"b\\c\n\r\t\u0001` + "\x7f" + `"`},
		{"utf8", func(d *Data) { d.SetString("héllo ✓") }, `"héllo ✓"`},
		{"bad utf8", func(d *Data) { d.SetString("a\xffb") }, `"a` + "\ufffd" + `b"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d Data
			tc.build(&d)
			got := encode(&d)
			if got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
			if !json.Valid([]byte(got)) {
				t.Fatalf("invalid JSON %s", got)
			}
		})
	}
}

func TestDataRules(t *testing.T) {
	var d Data
	if err := d.AddDictInt("x", 1); !errors.Is(err, ErrInvalid) {
		t.Errorf("add to null: %v", err)
	}
	if err := d.StartArray(ValueType(9)); !errors.Is(err, ErrInvalid) {
		t.Errorf("array of bad type: %v", err)
	}
	d.StartArray(IntVal)
	if err := d.AddArrayU64(1); !errors.Is(err, ErrInvalid) {
		t.Errorf("u64 into int array: %v", err)
	}
	if err := d.AddArrayString("x"); !errors.Is(err, ErrInvalid) {
		t.Errorf("string into int array: %v", err)
	}
	for i := 0; i < MaxArrayEntries; i++ {
		if err := d.AddArrayInt(i); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.AddArrayInt(1); !errors.Is(err, ErrNoSpace) {
		t.Errorf("full array: %v", err)
	}

	d.StartDict()
	for _, name := range []string{"a b", "a-b", "a.b", "é", "x\x00"} {
		if err := d.AddDictU64(name, 1); !errors.Is(err, ErrInvalid) {
			t.Errorf("name %q: %v", name, err)
		}
	}
	if err := d.AddDictU64("ok_Name/09", 1); err != nil {
		t.Errorf("good name: %v", err)
	}
	for i := 1; i < MaxDictEntries; i++ {
		if err := d.AddDictInt("n", i); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.AddDictInt("n", 0); !errors.Is(err, ErrNoSpace) {
		t.Errorf("full dict: %v", err)
	}

	// Nesting allowed as in DPDK: dict in dict, arrays in both, and no
	// array of containers inside anything.
	d.StartDict()
	ac := new(Data)
	ac.StartArray(ContainerVal)
	if err := d.AddDictContainer("ac", ac); !errors.Is(err, ErrInvalid) {
		t.Errorf("array of containers in dict: %v", err)
	}
	dict := new(Data)
	dict.StartDict()
	if err := ac.AddArrayContainer(dict); !errors.Is(err, ErrInvalid) {
		t.Errorf("dict in array: %v", err)
	}
	if err := ac.AddArrayContainer(nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("nil container: %v", err)
	}
	if err := d.AddDictContainer("self", &d); !errors.Is(err, ErrInvalid) {
		t.Errorf("self: %v", err)
	}
	if err := d.AddDictContainer("dict", dict); err != nil {
		t.Fatal(err)
	}
	if err := dict.AddDictContainer("cycle", &d); !errors.Is(err, ErrInvalid) {
		t.Errorf("cycle: %v", err)
	}
}

func TestDataTruncation(t *testing.T) {
	var d Data
	d.StartDict()
	long := strings.Repeat("v", 200)
	if err := d.AddDictString("k", long); !errors.Is(err, ErrTruncated) {
		t.Errorf("long value: %v", err)
	}
	if err := d.AddDictU64(strings.Repeat("n", 130), 1); !errors.Is(err, ErrTruncated) {
		t.Errorf("long name: %v", err)
	}
	if got := d.dict[0].s; len(got) != MaxStringLen-1 {
		t.Errorf("value kept %d bytes", len(got))
	}
	if got := d.dict[1].name; len(got) != MaxStringLen-1 {
		t.Errorf("name kept %d bytes", len(got))
	}
	// A cut never splits a rune.
	d.StartArray(StringVal)
	if err := d.AddArrayString(strings.Repeat("é", 100)); !errors.Is(err, ErrTruncated) {
		t.Errorf("long array string: %v", err)
	}
	if s := d.array[0].s; len(s) != 126 || !utf8.ValidString(s) {
		t.Errorf("cut at %d bytes, valid %v", len(s), utf8.ValidString(s))
	}
	if err := d.SetString(strings.Repeat("x", MaxSingleStringLen)); !errors.Is(err, ErrTruncated) || len(d.str) != MaxSingleStringLen-1 {
		t.Errorf("single string: %v, %d bytes", err, len(d.str))
	}
}

// A reply never reaches MaxOutputLen bytes: what does not fit is left out,
// one value at a time, and the rest is valid JSON.
func TestReplyLimit(t *testing.T) {
	const cmd = "/test/limit"
	item := strings.Repeat("x", 100)
	var d Data
	d.StartArray(StringVal)
	for i := 0; i < MaxArrayEntries; i++ {
		d.AddArrayString(item)
	}
	out := appendData([]byte(`{"`+cmd+`":`), &d, MaxOutputLen-len(cmd)-5-2, 0)
	out = append(out, '}')
	if len(out) >= MaxOutputLen {
		t.Fatalf("reply of %d bytes", len(out))
	}
	var r map[string][]string
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatal(err)
	}
	n := len(r[cmd])
	if n == 0 || n >= MaxArrayEntries || len(out)+len(item)+3 < MaxOutputLen-1 {
		t.Fatalf("%d items in %d bytes: the cut is not at the limit", n, len(out))
	}

	// A nested container is cut to the limit on its own (as DPDK encodes
	// it into a buffer of the same size); if it then does not fit beside
	// the values before it, it is left out whole, and a smaller value after
	// it still goes in.
	d.StartDict()
	d.AddDictString("first", item)
	big := new(Data)
	big.StartArray(StringVal)
	for i := 0; i < 200; i++ {
		big.AddArrayString(item)
	}
	d.AddDictContainer("big", big)
	d.AddDictInt("last", 2)
	got := string(appendData(nil, &d, 1000, 0))
	if got != `{"first":"`+item+`","last":2}` {
		t.Fatalf("got %s", got)
	}

	// A single string too long for the reply is cut, still valid JSON.
	d.SetString(strings.Repeat(`"`, MaxSingleStringLen-1))
	s := appendData(nil, &d, 100, 0)
	if len(s) > 100 || !json.Valid(s) {
		t.Fatalf("string cut to %d bytes: %s", len(s), s)
	}
}

func TestDeepNesting(t *testing.T) {
	root := new(Data)
	root.StartDict()
	cur := root
	for i := 0; i < 2*maxDepth; i++ {
		next := new(Data)
		next.StartDict()
		cur.AddDictContainer("d", next)
		cur = next
	}
	out := appendData(nil, root, MaxOutputLen, 0)
	if !json.Valid(out) || strings.Count(string(out), "{") != maxDepth+1 {
		t.Fatalf("nesting: %s", out)
	}
}
