package acl_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"sync"
	"testing"

	"dpk/acl"
	"dpk/acl/classbench"
)

// v4 is the IPv4 5-tuple layout of dpdk-test-acl.
var v4 = classbench.IPv4

// rule4 makes an IPv4 5-tuple rule: src/dst as address and prefix, port
// ranges and proto/mask.
func rule4(prio int32, ud uint32, src uint32, sl uint64, dst uint32, dl uint64, sp, dp [2]uint64, proto, pmask uint64) acl.Rule {
	return acl.Rule{CategoryMask: 1, Priority: prio, Userdata: ud, Fields: []acl.Field{
		{Value: proto, MaskRange: pmask},
		{Value: uint64(src), MaskRange: sl},
		{Value: uint64(dst), MaskRange: dl},
		{Value: sp[0], MaskRange: sp[1]},
		{Value: dp[0], MaskRange: dp[1]},
	}}
}

var anyPort = [2]uint64{0, 65535}

// tuple4 makes an input for the IPv4 layout.
func tuple4(src, dst uint32, sp, dp uint16, proto uint8) []byte {
	b := make([]byte, 16)
	b[0] = proto
	binary.BigEndian.PutUint32(b[4:], src)
	binary.BigEndian.PutUint32(b[8:], dst)
	binary.BigEndian.PutUint16(b[12:], sp)
	binary.BigEndian.PutUint16(b[14:], dp)
	return b
}

func TestNewContext(t *testing.T) {
	tests := []struct {
		name string
		p    acl.Params
		err  error
	}{
		{"ok", acl.Params{Name: "ctx-ok", MaxRules: 10, NumFields: 5}, nil},
		{"no name", acl.Params{MaxRules: 10, NumFields: 5}, acl.ErrInvalid},
		{"long name", acl.Params{Name: strings.Repeat("x", acl.NameSize), MaxRules: 10, NumFields: 5}, acl.ErrInvalid},
		{"no fields", acl.Params{Name: "ctx-nofields", MaxRules: 10}, acl.ErrInvalid},
		{"too many fields", acl.Params{Name: "ctx-many", MaxRules: 10, NumFields: acl.MaxFields + 1}, acl.ErrInvalid},
		{"negative rules", acl.Params{Name: "ctx-neg", MaxRules: -1, NumFields: 5}, acl.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := acl.NewContext(tt.p)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err %v, want %v", err, tt.err)
			}
			if err == nil {
				c.Free()
			}
		})
	}
}

func TestFindExisting(t *testing.T) {
	c, err := acl.NewContext(acl.Params{Name: "find-me", MaxRules: 1, NumFields: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := acl.NewContext(acl.Params{Name: "find-me", MaxRules: 1, NumFields: 1}); !errors.Is(err, acl.ErrExist) {
		t.Errorf("second context of the same name: err %v, want ErrExist", err)
	}
	if got, ok := acl.FindExisting("find-me"); !ok || got != c {
		t.Errorf("FindExisting = %p, %v; want %p", got, ok, c)
	}
	var buf bytes.Buffer
	acl.ListDump(&buf)
	if !strings.Contains(buf.String(), "acl context <find-me>") {
		t.Errorf("ListDump misses the context:\n%s", buf.String())
	}
	c.Free()
	if _, ok := acl.FindExisting("find-me"); ok {
		t.Error("found after Free")
	}
	c2, err := acl.NewContext(acl.Params{Name: "find-me", MaxRules: 1, NumFields: 1})
	if err != nil {
		t.Fatalf("name not reusable after Free: %v", err)
	}
	c2.Free()
}

func TestAddRules(t *testing.T) {
	good := rule4(1, 1, 0, 0, 0, 0, anyPort, anyPort, 0, 0)
	tests := []struct {
		name  string
		rules func() []acl.Rule
		err   error
	}{
		{"ok", func() []acl.Rule { return []acl.Rule{good, good} }, nil},
		{"no category", func() []acl.Rule { r := good; r.CategoryMask = 0; return []acl.Rule{r} }, acl.ErrInvalid},
		{"category above 16", func() []acl.Rule { r := good; r.CategoryMask = 1 << 16; return []acl.Rule{r} }, acl.ErrInvalid},
		{"priority 0", func() []acl.Rule { r := good; r.Priority = 0; return []acl.Rule{r} }, acl.ErrInvalid},
		{"priority too high", func() []acl.Rule { r := good; r.Priority = acl.MaxPriority + 1; return []acl.Rule{r} }, acl.ErrInvalid},
		{"fields", func() []acl.Rule { r := good; r.Fields = r.Fields[:4]; return []acl.Rule{r} }, acl.ErrInvalid},
		{"too many", func() []acl.Rule { return []acl.Rule{good, good, good, good} }, acl.ErrNoSpace},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := acl.NewContext(acl.Params{Name: "add", MaxRules: 3, NumFields: 5})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Free()
			err = c.AddRules(tt.rules())
			if !errors.Is(err, tt.err) {
				t.Fatalf("err %v, want %v", err, tt.err)
			}
			if err != nil && c.NumRules() != 0 {
				t.Errorf("%d rules added by a failed AddRules", c.NumRules())
			}
		})
	}
}

func TestBuildErrors(t *testing.T) {
	defs := v4.Defs()
	good := rule4(1, 1, 0x0a000000, 8, 0, 0, anyPort, anyPort, 6, 0xff)
	tests := []struct {
		name  string
		rules []acl.Rule
		cfg   acl.Config
	}{
		{"no categories", []acl.Rule{good}, acl.Config{Defs: defs}},
		{"17 categories", []acl.Rule{good}, acl.Config{NumCategories: 17, Defs: defs}},
		{"no defs", []acl.Rule{good}, acl.Config{NumCategories: 1}},
		{"bad size", []acl.Rule{good}, acl.Config{NumCategories: 1, Defs: []acl.FieldDef{{Type: acl.Mask, Size: 3}}}},
		{"bad type", []acl.Rule{good}, acl.Config{NumCategories: 1, Defs: []acl.FieldDef{{Type: 3, Size: 1}}}},
		{"field index", []acl.Rule{good}, acl.Config{NumCategories: 1, Defs: []acl.FieldDef{{Type: acl.Mask, Size: 1, FieldIndex: 5}}}},
		{"no rules", nil, acl.Config{NumCategories: 1, Defs: defs}},
		{"rules in other categories", []acl.Rule{func() acl.Rule { r := good; r.CategoryMask = 2; return r }()}, acl.Config{NumCategories: 1, Defs: defs}},
		{"prefix too long", []acl.Rule{rule4(1, 1, 0, 33, 0, 0, anyPort, anyPort, 0, 0)}, acl.Config{NumCategories: 1, Defs: defs}},
		{"empty range", []acl.Rule{rule4(1, 1, 0, 0, 0, 0, [2]uint64{10, 9}, anyPort, 0, 0)}, acl.Config{NumCategories: 1, Defs: defs}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := acl.NewContext(acl.Params{Name: "builderr", MaxRules: 10, NumFields: 5})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Free()
			if err := c.AddRules(tt.rules); err != nil {
				t.Fatal(err)
			}
			if err := c.Build(tt.cfg); !errors.Is(err, acl.ErrInvalid) {
				t.Fatalf("err %v, want ErrInvalid", err)
			}
		})
	}
}

// TestClassifyBasics checks the example of DPDK's documentation and the
// contract of Classify around it.
func TestClassifyBasics(t *testing.T) {
	rules := []acl.Rule{
		// 192.168.0.0/16 -> any, dst ports 0..1023, TCP: priority 10
		rule4(10, 1, 0xc0a80000, 16, 0, 0, anyPort, [2]uint64{0, 1023}, 6, 0xff),
		// 192.168.1.0/24 -> 10.0.0.1/32, any port, any proto: priority 20
		rule4(20, 2, 0xc0a80100, 24, 0x0a000001, 32, anyPort, anyPort, 0, 0),
		// everything, UDP: priority 1
		rule4(1, 3, 0, 0, 0, 0, anyPort, anyPort, 17, 0xff),
	}
	c := newBuilt(t, v4.Defs(), 5, rules, acl.Config{NumCategories: 1})
	tests := []struct {
		name string
		in   []byte
		want uint32
	}{
		{"tcp 80 from 192.168.2.1", tuple4(0xc0a80201, 0x08080808, 1234, 80, 6), 1},
		{"tcp 8080 from 192.168.2.1", tuple4(0xc0a80201, 0x08080808, 1234, 8080, 6), 0},
		{"tcp 80 to 10.0.0.1 from 192.168.1.9", tuple4(0xc0a80109, 0x0a000001, 1234, 80, 6), 2},
		{"udp to 10.0.0.1 from 192.168.1.9", tuple4(0xc0a80109, 0x0a000001, 53, 53, 17), 2},
		{"udp elsewhere", tuple4(0x01020304, 0x05060708, 53, 53, 17), 3},
		{"port 1023 edge", tuple4(0xc0a8ffff, 0, 0, 1023, 6), 1},
		{"port 1024 edge", tuple4(0xc0a8ffff, 0, 0, 1024, 6), 0},
		{"icmp", tuple4(0xc0a80201, 0x08080808, 0, 0, 1), 0},
	}
	data := make([][]byte, len(tests))
	for i, tt := range tests {
		data[i] = tt.in
	}
	for _, cats := range []int{1, 4, 16} {
		res := make([]uint32, len(data)*cats)
		for i := range res {
			res[i] = 0xdead
		}
		if err := c.Classify(data, res, cats); err != nil {
			t.Fatal(err)
		}
		for i, tt := range tests {
			if got := res[i*cats]; got != tt.want {
				t.Errorf("%d categories, %s: got %d, want %d", cats, tt.name, got, tt.want)
			}
			for k := 1; k < cats; k++ {
				if res[i*cats+k] != 0 {
					t.Errorf("%d categories, %s: category %d (not built) = %d, want 0", cats, tt.name, k, res[i*cats+k])
				}
			}
		}
	}

	for _, cats := range []int{0, 2, 3, 5, 17, 20} {
		if err := c.Classify(data, make([]uint32, 100), cats); !errors.Is(err, acl.ErrInvalid) {
			t.Errorf("%d categories: err %v, want ErrInvalid", cats, err)
		}
	}
	if err := c.Classify(data, make([]uint32, len(data)-1), 1); !errors.Is(err, acl.ErrInvalid) {
		t.Errorf("short results: err %v, want ErrInvalid", err)
	}
	if err := c.Classify([][]byte{make([]byte, 15)}, make([]uint32, 1), 1); !errors.Is(err, acl.ErrInvalid) {
		t.Errorf("short input: err %v, want ErrInvalid", err)
	}
	if err := c.Classify(nil, nil, 1); err != nil {
		t.Errorf("no input: %v", err)
	}
	if err := c.ClassifyAlg(data, make([]uint32, len(data)), 1, acl.AlgAVX2); !errors.Is(err, acl.ErrNotSupported) {
		t.Errorf("ClassifyAlg(avx2): err %v, want ErrNotSupported", err)
	}
	if err := c.ClassifyAlg(data, make([]uint32, len(data)), 1, acl.AlgScalar); err != nil {
		t.Errorf("ClassifyAlg(scalar): %v", err)
	}

	// ResetRules keeps the classifier; Reset drops it.
	c.ResetRules()
	if c.NumRules() != 0 {
		t.Errorf("%d rules after ResetRules", c.NumRules())
	}
	res := make([]uint32, len(data))
	if err := c.Classify(data, res, 1); err != nil || res[0] != 1 {
		t.Errorf("after ResetRules: %v, result %d, want 1", err, res[0])
	}
	c.Reset()
	if err := c.Classify(data, res, 1); err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r != 0 {
			t.Errorf("after Reset: input %d matched %d", i, r)
		}
	}
	if c.NumTries() != 0 || c.NumCategories() != 0 || c.Size() != 0 {
		t.Errorf("after Reset: %d tries, %d categories, %d bytes", c.NumTries(), c.NumCategories(), c.Size())
	}
}

// TestEqualPriority pins the choice between rules of equal priority to
// what DPDK 22.11 does when it builds one trie (checked against librte_acl):
// the rule its builder merges first wins, which is the wilder one (DPDK's
// wildness of fields 1.., in order), and between rules as wild, the one
// added last.
func TestEqualPriority(t *testing.T) {
	wide := rule4(5, 1, 0x0a000000, 8, 0, 0, anyPort, anyPort, 0, 0)
	tests := []struct {
		name  string
		rules []acl.Rule
		in    []byte
		want  uint32
	}{
		{"as wild: the last added",
			[]acl.Rule{wide, func() acl.Rule { r := wide; r.Userdata = 2; return r }()},
			tuple4(0x0a010203, 0, 0, 0, 6), 2},
		{"the second less wild (dst): the first",
			[]acl.Rule{wide, rule4(5, 2, 0x0a000000, 8, 0x01000000, 8, anyPort, anyPort, 0, 0)},
			tuple4(0x0a010203, 0x01020304, 0, 0, 6), 1},
		{"the first less wild (dst): the second",
			[]acl.Rule{rule4(5, 1, 0x0a000000, 8, 0x01000000, 8, anyPort, anyPort, 0, 0), func() acl.Rule { r := wide; r.Userdata = 2; return r }()},
			tuple4(0x0a010203, 0x01020304, 0, 0, 6), 2},
		{"three rules: the last of the wildest",
			[]acl.Rule{wide, rule4(5, 2, 0x0a010000, 16, 0, 0, anyPort, anyPort, 0, 0), func() acl.Rule { r := wide; r.Userdata = 3; return r }()},
			tuple4(0x0a010203, 0x01020304, 0, 0, 6), 3},
		{"wildness of field 0 (proto) does not count",
			[]acl.Rule{rule4(5, 1, 0x0a000000, 8, 0, 0, anyPort, anyPort, 6, 0xff), func() acl.Rule { r := wide; r.Userdata = 2; return r }()},
			tuple4(0x0a010203, 0, 0, 0, 6), 2},
		{"higher priority wins whatever the order",
			[]acl.Rule{wide, rule4(6, 2, 0x0a010000, 16, 0x01000000, 8, anyPort, anyPort, 0, 0), func() acl.Rule { r := wide; r.Userdata = 3; return r }()},
			tuple4(0x0a010203, 0x01020304, 0, 0, 6), 2},
		{"port wildness",
			[]acl.Rule{rule4(5, 1, 0, 0, 0, 0, anyPort, [2]uint64{0, 1023}, 0, 0), rule4(5, 2, 0, 0, 0, 0, anyPort, [2]uint64{0, 100}, 0, 0)},
			tuple4(0, 0, 0, 80, 6), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newBuilt(t, v4.Defs(), 5, tt.rules, acl.Config{NumCategories: 1})
			res := make([]uint32, 1)
			if err := c.Classify([][]byte{tt.in}, res, 1); err != nil {
				t.Fatal(err)
			}
			if res[0] != tt.want {
				t.Errorf("got %d, want %d", res[0], tt.want)
			}
		})
	}
}

// TestCategories checks rules in several categories with categories of
// their own winners.
func TestCategories(t *testing.T) {
	r1 := rule4(10, 1, 0x0a000000, 8, 0, 0, anyPort, anyPort, 0, 0)
	r1.CategoryMask = 1<<0 | 1<<2
	r2 := rule4(20, 2, 0x0a010000, 16, 0, 0, anyPort, anyPort, 0, 0)
	r2.CategoryMask = 1<<1 | 1<<2
	r3 := rule4(5, 3, 0, 0, 0, 0, anyPort, anyPort, 0, 0)
	r3.CategoryMask = 1<<3 | 1<<0
	c := newBuilt(t, v4.Defs(), 5, []acl.Rule{r1, r2, r3}, acl.Config{NumCategories: 4})
	data := [][]byte{tuple4(0x0a010101, 0, 0, 0, 0), tuple4(0x0a020202, 0, 0, 0, 0), tuple4(0x0b000000, 0, 0, 0, 0)}
	want := [][4]uint32{{1, 2, 2, 3}, {1, 0, 1, 3}, {3, 0, 0, 3}}
	res := make([]uint32, len(data)*4)
	if err := c.Classify(data, res, 4); err != nil {
		t.Fatal(err)
	}
	for i := range data {
		if got := [4]uint32(res[i*4 : i*4+4]); got != want[i] {
			t.Errorf("input %d: got %v, want %v", i, got, want[i])
		}
	}
}

// TestMaxSize checks that a size limit splits the rules over more tries,
// with the same results, and fails when nothing fits.
func TestMaxSize(t *testing.T) {
	files := dataFiles(t, "classbench/fw1_1k")
	rules := loadRules(t, files[0], v4)
	free := newBuilt(t, v4.Defs(), 5, rules, acl.Config{NumCategories: 1})
	limit := free.Size() / 3
	small := newBuilt(t, v4.Defs(), 5, rules, acl.Config{NumCategories: 1, MaxSize: limit})
	if small.Size() > limit || small.NumTries() < 2 {
		t.Errorf("MaxSize %d: %d bytes in %d tries", limit, small.Size(), small.NumTries())
	}
	data := tuples(classbench.Generate(v4.Defs(), rules, 16, 5000, 3), 16)
	a, b := make([]uint32, len(data)), make([]uint32, len(data))
	if err := free.Classify(data, a, 1); err != nil {
		t.Fatal(err)
	}
	if err := small.Classify(data, b, 1); err != nil {
		t.Fatal(err)
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("input %d: %d with one trie, %d with %d", i, a[i], b[i], small.NumTries())
		}
	}
	c, _ := acl.NewContext(acl.Params{Name: "tiny", MaxRules: len(rules), NumFields: 5})
	defer c.Free()
	c.AddRules(rules)
	if err := c.Build(acl.Config{NumCategories: 1, Defs: v4.Defs(), MaxSize: 1000}); !errors.Is(err, acl.ErrNoMem) {
		t.Errorf("MaxSize 1000: err %v, want ErrNoMem", err)
	}
}

// TestClassifyAllocs checks that Classify does not allocate.
func TestClassifyAllocs(t *testing.T) {
	files := dataFiles(t, "classbench/acl1_1k")
	rules := loadRules(t, files[0], v4)
	one := newBuilt(t, v4.Defs(), 5, rules, acl.Config{NumCategories: 4})
	restore := acl.SetMaxStates(400)
	many := newBuilt(t, v4.Defs(), 5, rules, acl.Config{NumCategories: 4})
	restore()
	if many.NumTries() < 2 {
		t.Fatalf("wanted several tries, got %d", many.NumTries())
	}
	buf := classbench.Generate(v4.Defs(), rules, 16, 300, 1)
	data := tuples(buf, 16)
	res := make([]uint32, len(data)*16)
	for _, c := range []*acl.Context{one, many} {
		for _, cats := range []int{1, 4, 16} {
			if n := testing.AllocsPerRun(20, func() { c.Classify(data, res, cats) }); n != 0 {
				t.Errorf("%d tries, %d categories: %v allocations per Classify", c.NumTries(), cats, n)
			}
			if n := testing.AllocsPerRun(20, func() { c.ClassifyFlat(buf, 16, res, cats) }); n != 0 {
				t.Errorf("%d tries, %d categories: %v allocations per ClassifyFlat", c.NumTries(), cats, n)
			}
		}
	}
}

// TestConcurrentClassify runs Classify from several goroutines at once.
func TestConcurrentClassify(t *testing.T) {
	files := dataFiles(t, "classbench/ipc1_1k")
	rules := loadRules(t, files[0], v4)
	c := newBuilt(t, v4.Defs(), 5, rules, acl.Config{NumCategories: 1})
	data := tuples(classbench.Generate(v4.Defs(), rules, 16, 2000, 5), 16)
	want := make([]uint32, len(data))
	if err := c.Classify(data, want, 1); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got := make([]uint32, len(data))
			for it := 0; it < 5; it++ {
				if err := c.Classify(data, got, 1); err != nil {
					t.Error(err)
					return
				}
				for i := range got {
					if got[i] != want[i] {
						t.Errorf("input %d: %d, want %d", i, got[i], want[i])
						return
					}
				}
			}
		}()
	}
	wg.Wait()
}

func TestAlg(t *testing.T) {
	c, _ := acl.NewContext(acl.Params{Name: "alg", MaxRules: 1, NumFields: 1})
	defer c.Free()
	for _, name := range []string{"default", "scalar", "sse", "avx2", "neon", "altivec", "avx512x16", "avx512x32"} {
		a, err := acl.ParseAlg(name)
		if err != nil {
			t.Fatalf("ParseAlg(%q): %v", name, err)
		}
		if a.String() != name {
			t.Errorf("ParseAlg(%q).String() = %q", name, a)
		}
		err = c.SetClassifyAlg(a)
		if ok := a == acl.AlgDefault || a == acl.AlgScalar; ok != (err == nil) || !ok && !errors.Is(err, acl.ErrNotSupported) {
			t.Errorf("SetClassifyAlg(%v): %v", a, err)
		}
	}
	if c.Alg() != acl.AlgScalar {
		t.Errorf("Alg() = %v", c.Alg())
	}
	if _, err := acl.ParseAlg("fast"); !errors.Is(err, acl.ErrInvalid) {
		t.Errorf("ParseAlg(fast): %v", err)
	}
}

func TestDump(t *testing.T) {
	rules := []acl.Rule{rule4(1, 1, 0, 0, 0, 0, anyPort, anyPort, 0, 0)}
	c := newBuilt(t, v4.Defs(), 5, rules, acl.Config{NumCategories: 3})
	var buf bytes.Buffer
	c.Dump(&buf)
	for _, want := range []string{"acl context <" + c.Name() + ">@", "rule_size=96", "num_rules=1", "num_categories=3", "num_tries=1"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("Dump lacks %q:\n%s", want, buf.String())
		}
	}
}
