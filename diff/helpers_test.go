package diff_test

import (
	"context"
	"database/sql"
	"os"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/diff"
	"github.com/schemactl/schemactl/schema"
)

func TestMain(m *testing.M) { os.Exit(devdb.Main(m)) }

// loaded is a fresh test database holding some DDL, inspected.
type loaded struct {
	db    *sql.DB
	state *schema.State
}

func load(t *testing.T, ddl string) loaded {
	t.Helper()
	ctx := context.Background()
	url := devdb.ForTest(t)
	db, err := schema.OpenDB(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if strings.TrimSpace(ddl) != "" {
		if _, err := db.ExecContext(ctx, ddl); err != nil {
			t.Fatalf("load DDL: %v\n%s", err, ddl)
		}
	}
	st, err := schema.InspectDB(ctx, db, schema.Scope{})
	if err != nil {
		t.Fatalf("inspect: %v", err)
	}
	return loaded{db: db, state: st}
}

// planAndProve diffs old to new, applies the plan on a database built from
// old and asserts it reaches new; it returns the plan.
func planAndProve(t *testing.T, oldDDL, newDDL string, opts diff.Options) *diff.Plan {
	t.Helper()
	ctx := context.Background()
	from, to := load(t, oldDDL), load(t, newDDL)
	opts.Casts = diff.DBCasts{DB: to.db}
	plan, err := diff.Diff(ctx, from.state, to.state, opts)
	if err != nil {
		t.Fatalf("diff: %v", err)
	}
	if err := diff.Prove(ctx, from.db, plan, to.state, schema.Scope{}); err != nil {
		t.Fatalf("prove: %v\nplan:\n%s", err, plan.SQL())
	}
	// The result, inspected afresh, has nothing left to change.
	again, err := schema.InspectDB(ctx, from.db, schema.Scope{})
	if err != nil {
		t.Fatal(err)
	}
	rest, err := diff.Diff(ctx, again, to.state, diff.Options{Casts: diff.DBCasts{DB: to.db}})
	if err != nil {
		t.Fatalf("second diff: %v", err)
	}
	if !rest.Empty() {
		t.Fatalf("second diff is not empty:\n%s\nfirst plan:\n%s", rest.SQL(), plan.SQL())
	}
	return plan
}

// testProvider hands out devdb.ForTest databases as a devdb.Provider.
type testProvider struct{ t *testing.T }

func (p testProvider) NewDatabase(context.Context) (*devdb.Database, error) {
	return &devdb.Database{URL: devdb.ForTest(p.t)}, nil
}
func (testProvider) Close() error   { return nil }
func (testProvider) String() string { return "test databases" }
