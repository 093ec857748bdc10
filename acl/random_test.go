package acl_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"dpk/acl"
	"dpk/acl/classbench"
)

// randomLayout returns field definitions of random types, sizes and
// offsets (fields may overlap), with field indexes in random order, the
// number of fields of a rule and the input size.
func randomLayout(rng *rand.Rand) (defs []acl.FieldDef, nfields, size int) {
	n := 1 + rng.IntN(7)
	nfields = n + rng.IntN(3)
	perm := rng.Perm(nfields)
	for i := 0; i < n; i++ {
		sz := []uint8{1, 2, 4, 8}[rng.IntN(4)]
		d := acl.FieldDef{
			Type:       acl.FieldType(rng.IntN(3)),
			Size:       sz,
			FieldIndex: uint8(perm[i]),
			InputIndex: uint8(i),
			Offset:     uint32(rng.IntN(24)),
		}
		defs = append(defs, d)
		size = max(size, int(d.Offset)+int(sz))
	}
	return defs, nfields, size + rng.IntN(4)
}

// randomRules returns rules drawing their values from small pools, so that
// they overlap and share edges, with few priorities, so that they tie.
func randomRules(rng *rand.Rand, defs []acl.FieldDef, nfields, n, nprio int) []acl.Rule {
	pools := make([][]uint64, len(defs))
	for i, d := range defs {
		m := uint64(1)<<(8*uint(d.Size)) - 1
		if d.Size == 8 {
			m = ^uint64(0)
		}
		for k := 0; k < 4; k++ {
			pools[i] = append(pools[i], rng.Uint64()&m)
		}
		pools[i] = append(pools[i], 0, m, m/2)
	}
	var rules []acl.Rule
	for i := 0; i < n; i++ {
		r := acl.Rule{
			CategoryMask: uint32(1 + rng.IntN(1<<acl.MaxCategories-1)),
			Priority:     int32(1 + rng.IntN(nprio)),
			Userdata:     uint32(i + 1),
			Fields:       make([]acl.Field, nfields),
		}
		if rng.IntN(3) == 0 {
			r.CategoryMask = 1 << rng.IntN(4)
		}
		for k, d := range defs {
			bits := 8 * uint64(d.Size)
			m := uint64(1)<<bits - 1
			if d.Size == 8 {
				m = ^uint64(0)
			}
			v := pools[k][rng.IntN(len(pools[k]))]
			var f acl.Field
			switch d.Type {
			case acl.Mask:
				f = acl.Field{Value: v, MaskRange: []uint64{0, bits, bits / 2, 1, uint64(rng.IntN(int(bits) + 1))}[rng.IntN(5)]}
			case acl.Bitmask:
				f = acl.Field{Value: v, MaskRange: []uint64{0, m, rng.Uint64() & m, 0x0f}[rng.IntN(4)]}
			case acl.Range:
				w := pools[k][rng.IntN(len(pools[k]))]
				lo, hi := min(v, w), max(v, w)
				if rng.IntN(4) == 0 {
					hi = lo + uint64(rng.IntN(3))
					if hi < lo || hi > m {
						hi = lo
					}
				}
				f = acl.Field{Value: lo, MaskRange: hi}
			}
			r.Fields[d.FieldIndex] = f
		}
		rules = append(rules, r)
	}
	return rules
}

// TestRandom checks random layouts and rule sets against the oracle, with
// every category count Classify takes, and with the rules forced apart
// into several tries.
func TestRandom(t *testing.T) {
	rounds := 150
	if testing.Short() || raceEnabled {
		rounds = 30
	}
	rng := rand.New(rand.NewPCG(42, 42))
	for round := 0; round < rounds; round++ {
		defs, nfields, size := randomLayout(rng)
		nrules := 1 + rng.IntN(120)
		rules := randomRules(rng, defs, nfields, nrules, 1+rng.IntN(5))
		ncat := 1 + rng.IntN(acl.MaxCategories)
		split := rng.IntN(3) == 0
		name := fmt.Sprintf("round%d/%drules/%dcat/split=%v", round, nrules, ncat, split)
		t.Run(name, func(t *testing.T) {
			if split {
				defer acl.SetMaxStates(50 + rng.IntN(400))()
			}
			c, err := acl.NewContext(acl.Params{Name: "random", MaxRules: nrules, NumFields: nfields})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Free()
			if err := c.AddRules(rules); err != nil {
				t.Fatal(err)
			}
			err = c.Build(acl.Config{NumCategories: ncat, Defs: defs})
			if split && errors.Is(err, acl.ErrNoMem) {
				t.Skip("needs more tries than allowed:", err)
			}
			if err != nil {
				// Every rule may be outside the built categories.
				if errors.Is(err, acl.ErrInvalid) {
					for _, r := range rules {
						if r.CategoryMask&(1<<ncat-1) != 0 {
							t.Fatal(err)
						}
					}
					return
				}
				t.Fatal(err)
			}
			if split {
				t.Logf("%d tries", c.NumTries())
			}
			o := newOracle(defs, rules, ncat)
			data := tuples(classbench.Generate(defs, rules, size, 1500, uint64(round)), size)
			for _, cats := range []int{1, 4, 8, 12, 16} {
				checkOracle(t, c, o, data, cats)
			}
		})
	}
}

// TestClassifyFlat checks that the flat form gives what the slice form does.
func TestClassifyFlat(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	defs, nfields, size := randomLayout(rng)
	rules := randomRules(rng, defs, nfields, 50, 3)
	c := newBuilt(t, defs, nfields, rules, acl.Config{NumCategories: 4})
	buf := classbench.Generate(defs, rules, size, 333, 3)
	a := make([]uint32, 333*4)
	b := make([]uint32, 333*4)
	if err := c.Classify(tuples(buf, size), a, 4); err != nil {
		t.Fatal(err)
	}
	if err := c.ClassifyFlat(buf, size, b, 4); err != nil {
		t.Fatal(err)
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("result %d: Classify %d, ClassifyFlat %d", i, a[i], b[i])
		}
	}
}

// TestBurstSizes checks bursts of every size around the four inputs walked
// at a time and the chunk Classify resolves at once.
func TestBurstSizes(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	defs, nfields, size := randomLayout(rng)
	rules := randomRules(rng, defs, nfields, 40, 3)
	c := newBuilt(t, defs, nfields, rules, acl.Config{NumCategories: 2})
	o := newOracle(defs, rules, 2)
	data := tuples(classbench.Generate(defs, rules, size, 200, 4), size)
	for _, n := range []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 63, 64, 65, 66, 67, 131} {
		for _, cats := range []int{1, 4} {
			checkOracle(t, c, o, data[len(data)-n:], cats)
		}
	}
}
