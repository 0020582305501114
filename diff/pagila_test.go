package diff_test

import (
	"context"
	"testing"

	"github.com/schemactl/schemactl/diff"
	"github.com/schemactl/schemactl/schema"
)

const pagila = "file:///work/shared/corpus/pagila/schema.sql"

// TestPagilaFromEmpty plans the whole pagila schema from an empty
// database and proves the plan; what is not modelled is reported.
func TestPagilaFromEmpty(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	opts := schema.LoadOptions{Dev: testProvider{t}}
	to, err := schema.Load(ctx, pagila, opts)
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
	kinds := map[schema.Kind]int{}
	for _, o := range to.Unmodelled() {
		kinds[o.Kind]++
	}
	for k, n := range map[schema.Kind]int{schema.KindView: 7, schema.KindMatView: 1, schema.KindTrigger: 15, schema.KindAggregate: 1, schema.KindFunction: 9} {
		if kinds[k] != n {
			t.Errorf("%d unmodelled %s, want %d", kinds[k], k, n)
		}
	}
	t.Logf("%d statements", len(plan.Stmts))
	if testing.Verbose() {
		t.Log(plan.SQL())
	}
}
