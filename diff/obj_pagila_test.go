package diff

import (
	"os"
	"testing"

	"github.com/schemactl/schemactl/internal/corpus"
	"github.com/schemactl/schemactl/schema"
)

// pagilaDDL reads the pagila dump of the shared corpus.
func pagilaDDL(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(corpus.Require(t, "pagila", "schema.sql"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestPagilaRoundTrip plans pagila from an empty database, applies the plan
// and requires the result to equal pagila: object counts, then no
// difference left.
func TestPagilaRoundTrip(t *testing.T) {
	t.Parallel()
	ddl := pagilaDDL(t)
	_, want := loadState(t, ddl, schema.Scope{})
	counts := schema.ObjectCounts(want.Realm)
	for kind, n := range map[schema.PgKind]int{
		schema.PgKindView: 7, schema.PgKindMatView: 1, schema.PgKindFunction: 9, schema.PgKindAggregate: 1,
		schema.PgKindTrigger: 15,
	} {
		if counts[kind] != n {
			t.Errorf("pagila %s: got %d, want %d", kind, counts[kind], n)
		}
	}
	if n := len(want.Catalog.Domains); n != 2 {
		t.Errorf("pagila domains: got %d, want 2", n)
	}
	if n := len(want.Catalog.Sequences); n != 13 {
		t.Errorf("pagila sequences: got %d, want 13", n)
	}
	plan, err := roundTripState(t, "", ddl, ObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Stmts) < 100 {
		t.Errorf("plan has %d statements", len(plan.Stmts))
	}
	// The same with Atlas's own planner for the tables and our model of
	// domains and sequences.
	if _, err := roundTrip(t, "", ddl, ObjectOptions{}); err != nil {
		t.Fatalf("PlanObjects: %v", err)
	}
}
