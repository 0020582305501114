package diff_test

import (
	"context"
	"testing"

	"github.com/schemactl/schemactl/diff"
	"github.com/schemactl/schemactl/internal/corpus"
	"github.com/schemactl/schemactl/schema"
)

// TestPagilaFromEmpty plans the whole pagila schema from an empty
// database and proves the plan, views, functions and triggers included.
func TestPagilaFromEmpty(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	opts := schema.LoadOptions{Dev: testProvider{t}}
	to, err := schema.Load(ctx, "file://"+corpus.Require(t, "pagila", "schema.sql"), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer to.Close(ctx)
	from, err := schema.NewEmpty(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer from.Close(ctx)
	plan, err := diff.Diff(ctx, from.State, to.State, diff.Options{Casts: diff.DBCasts{DB: to.DB}})
	if err != nil {
		t.Fatal(err)
	}
	if err := diff.Prove(ctx, from.DB, plan, to.State, schema.Scope{}); err != nil {
		t.Fatalf("%v\n%s", err, plan.SQL())
	}
	kinds := schema.ObjectCounts(to.State.Realm)
	for k, n := range map[schema.PgKind]int{schema.PgKindView: 7, schema.PgKindMatView: 1, schema.PgKindTrigger: 15, schema.PgKindAggregate: 1, schema.PgKindFunction: 9} {
		if kinds[k] != n {
			t.Errorf("%d %s, want %d", kinds[k], k, n)
		}
	}
	if len(to.Unmodelled()) > 0 {
		t.Errorf("unmodelled: %v", to.Unmodelled())
	}
	t.Logf("%d statements", len(plan.Stmts))
	if testing.Verbose() {
		t.Log(plan.SQL())
	}
}
