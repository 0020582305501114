package bigschema

import (
	"strings"
	"testing"
)

// TestDeterministic: the same options give the same SQL; another seed
// gives other SQL; the changed version differs from the original.
func TestDeterministic(t *testing.T) {
	o := Options{Scale: 0.1, Seed: 7}
	a1, b1 := Generate(o)
	a2, b2 := Generate(o)
	if a1 != a2 || b1 != b2 {
		t.Fatal("two runs with the same options differ")
	}
	if a3, _ := Generate(Options{Scale: 0.1, Seed: 8}); a3 == a1 {
		t.Fatal("another seed gives the same schema")
	}
	if a1 == b1 {
		t.Fatal("the changed version equals the original")
	}
}

// TestFullScaleCounts: scale 1 has the benchmark's object counts.
func TestFullScaleCounts(t *testing.T) {
	c := Count(Options{Scale: 1, Seed: 1})
	if c.Schemas != 10 || c.Tables != 1500 || c.Partitioned != 40 || c.Partitions != 400 ||
		c.Views+c.MatViews != 300 || c.Functions != 400 || c.Triggers != 200 {
		t.Fatalf("counts %+v", c)
	}
	if c.Indexes < 6000 || c.ForeignKeys < 1500 {
		t.Fatalf("indexes %d, foreign keys %d", c.Indexes, c.ForeignKeys)
	}
}

// TestChangeSize: the changed version touches about 2% of the objects:
// between 1% and 4% of the original's statements differ.
func TestChangeSize(t *testing.T) {
	oldSQL, newSQL := Generate(Options{Scale: 1, Seed: 1})
	ol, nl := strings.Split(oldSQL, ";\n"), strings.Split(newSQL, ";\n")
	seen := make(map[string]bool, len(ol))
	for _, s := range ol {
		seen[s] = true
	}
	changed := 0
	for _, s := range nl {
		if !seen[s] {
			changed++
		}
	}
	if r := float64(changed) / float64(len(ol)); r < 0.01 || r > 0.04 {
		t.Fatalf("%d of %d statements changed (%.1f%%)", changed, len(ol), 100*r)
	}
}
