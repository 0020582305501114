package diff

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/postgres"
	atlas "ariga.io/atlas/sql/schema"
	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/schema"
)

// objTestDB is a fresh database with an Atlas driver on it.
type objTestDB struct {
	db  *sql.DB
	drv migrate.Driver
}

func newObjTestDB(t testing.TB, ddl string) *objTestDB {
	t.Helper()
	db, err := sql.Open("pgx", devdb.ForTest(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if ddl != "" {
		if _, err := db.Exec(ddl); err != nil {
			t.Fatalf("load: %v\n%s", err, ddl)
		}
	}
	drv, err := postgres.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	return &objTestDB{db: db, drv: drv}
}

// inspect reads the realm with Atlas and schema.InspectObjects.
func (d *objTestDB) inspect(ctx context.Context, opts ObjectOptions) (*atlas.Realm, error) {
	r, err := d.drv.InspectRealm(ctx, nil)
	if err != nil {
		return nil, err
	}
	if err := schema.InspectObjects(ctx, d.db, r, schema.ObjectOptions{IncludePrivileges: opts.IncludePrivileges}); err != nil {
		return nil, err
	}
	return r, nil
}

// planBetween plans from the state of d to the realm to.
func (d *objTestDB) planBetween(ctx context.Context, from, to *atlas.Realm, opts ObjectOptions) ([]*migrate.Change, error) {
	// Without a connection: Atlas would evaluate default expressions in
	// the old database, where new functions do not exist yet.
	changes, err := postgres.DefaultDiff.RealmDiff(from, to)
	if err != nil {
		return nil, err
	}
	return PlanObjects(from, to, changes, func(cs []atlas.Change) ([]*migrate.Change, error) {
		p, err := d.drv.PlanChanges(ctx, "plan", cs)
		if err != nil {
			return nil, err
		}
		return p.Changes, nil
	}, opts)
}

// apply runs the statements on one connection, in order.
func (d *objTestDB) apply(ctx context.Context, stmts []*migrate.Change) error {
	conn, err := d.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, s := range stmts {
		if _, err := conn.ExecContext(ctx, s.Cmd); err != nil {
			return fmt.Errorf("%s: %w", s.Cmd, err)
		}
	}
	return nil
}

func planText(stmts []*migrate.Change) string {
	var b strings.Builder
	for _, s := range stmts {
		b.WriteString(s.Cmd + ";\n")
	}
	return b.String()
}

// roundTrip loads old and new into two databases, plans old → new,
// applies the plan on the old one, inspects it again and requires no
// difference left. It returns the plan.
func roundTrip(t *testing.T, old, new string, opts ObjectOptions) ([]*migrate.Change, error) {
	t.Helper()
	ctx := context.Background()
	a, b := newObjTestDB(t, old), newObjTestDB(t, new)
	from, err := a.inspect(ctx, opts)
	if err != nil {
		return nil, err
	}
	to, err := b.inspect(ctx, opts)
	if err != nil {
		return nil, err
	}
	plan, err := a.planBetween(ctx, from, to, opts)
	if err != nil {
		return nil, err
	}
	if err := a.apply(ctx, plan); err != nil {
		t.Fatalf("apply: %v\nplan:\n%s", err, planText(plan))
	}
	after, err := a.inspect(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	left, err := a.planBetween(ctx, after, to, opts)
	if err != nil {
		t.Fatalf("diff after apply: %v\nplan:\n%s", err, planText(plan))
	}
	if len(left) > 0 {
		t.Fatalf("difference left after apply:\n%s\nplan was:\n%s", planText(left), planText(plan))
	}
	return plan, nil
}

// loadState loads ddl into a fresh database and inspects it the way the
// commands do (schema.InspectDB).
func loadState(t *testing.T, ddl string, scope schema.Scope) (*sql.DB, *schema.State) {
	t.Helper()
	ctx := context.Background()
	db, err := schema.OpenDB(devdb.ForTest(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if strings.TrimSpace(ddl) != "" {
		if _, err := db.ExecContext(ctx, ddl); err != nil {
			t.Fatalf("load: %v\n%s", err, ddl)
		}
	}
	st, err := schema.InspectDB(ctx, db, scope)
	if err != nil {
		t.Fatalf("inspect: %v", err)
	}
	return db, st
}

// roundTripState is roundTrip through the commands' pipeline: Diff, then
// Prove on a database built from old, then a second Diff that must be
// empty. Planning errors are returned.
func roundTripState(t *testing.T, old, new string, opts ObjectOptions) (*Plan, error) {
	t.Helper()
	ctx := context.Background()
	scope := schema.Scope{IncludePrivileges: opts.IncludePrivileges}
	fromDB, from := loadState(t, old, scope)
	toDB, to := loadState(t, new, scope)
	plan, err := Diff(ctx, from, to, Options{Casts: DBCasts{DB: toDB}})
	if err != nil {
		return nil, err
	}
	if err := Prove(ctx, fromDB, plan, to, scope); err != nil {
		t.Fatalf("prove: %v\nplan:\n%s", err, plan.SQL())
	}
	again, err := schema.InspectDB(ctx, fromDB, scope)
	if err != nil {
		t.Fatal(err)
	}
	rest, err := Diff(ctx, again, to, Options{Casts: DBCasts{DB: toDB}})
	if err != nil {
		t.Fatalf("second diff: %v\nplan:\n%s", err, plan.SQL())
	}
	if !rest.Empty() {
		t.Fatalf("second diff is not empty:\n%s\nfirst plan:\n%s", rest.SQL(), plan.SQL())
	}
	return plan, nil
}

// planChanges returns the statements of plan (nil: none) as the changes
// checkCase takes.
func planChanges(plan *Plan) []*migrate.Change {
	if plan == nil {
		return nil
	}
	var stmts []*migrate.Change
	for _, s := range plan.Stmts {
		stmts = append(stmts, &migrate.Change{Cmd: s.SQL})
	}
	return stmts
}

// checkPipeline runs case c through the commands' pipeline (plan, proof,
// empty second diff: roundTripState) and checks its plan or error.
func checkPipeline(t *testing.T, c objCase) {
	t.Helper()
	plan, err := roundTripState(t, c.old, c.new, c.opts)
	checkCase(t, c, planChanges(plan), err)
}
