package diff_test

import (
	"testing"

	"ariga.io/atlas/sql/postgres"
	atlas "ariga.io/atlas/sql/schema"

	"github.com/schemactl/schemactl/diff"
)

// atlasColumn inspects DDL with Atlas's open-source driver alone and
// returns column c of table public.t.
func atlasColumn(t *testing.T, ddl, c string) *atlas.Column {
	t.Helper()
	l := load(t, ddl)
	drv, err := postgres.Open(l.db)
	if err != nil {
		t.Fatal(err)
	}
	s, err := drv.InspectSchema(t.Context(), "public", nil)
	if err != nil {
		t.Fatal(err)
	}
	tb, ok := s.Table("t")
	if !ok {
		t.Fatal("no table t")
	}
	col, ok := tb.Column(c)
	if !ok {
		t.Fatalf("no column %s", c)
	}
	return col
}

// TestAtlasLosesTimePrecisionSix shows what Atlas's driver does with
// timestamp(6): it formats it as timestamp, which its planner writes and
// its differ takes as equal; schemactl's inspection keeps PostgreSQL's
// name of the type.
func TestAtlasLosesTimePrecisionSix(t *testing.T) {
	t.Parallel()
	col := atlasColumn(t, `CREATE TABLE t (a timestamp(6));`, "a")
	f, err := postgres.FormatType(col.Type.Type)
	if err != nil {
		t.Fatal(err)
	}
	if f != "timestamp" {
		t.Fatalf("Atlas formats timestamp(6) as %q now: the workaround in schema/typmod.go may be unneeded", f)
	}
	plan := planAndProve(t, `CREATE TABLE t (a timestamp);`, `CREATE TABLE t (a timestamp(6));`, diff.Options{})
	if plan.Empty() {
		t.Fatal("no plan from timestamp to timestamp(6)")
	}
}

// TestAtlasTrimsDefaultCasts shows that Atlas's differ takes 'x'::text and
// 'x'::character varying as the same default; schemactl compares
// PostgreSQL's rendering and plans the change.
func TestAtlasTrimsDefaultCasts(t *testing.T) {
	t.Parallel()
	c1 := atlasColumn(t, `CREATE TABLE t (a text DEFAULT 'x');`, "a")
	c2 := atlasColumn(t, `CREATE TABLE t (a text DEFAULT 'x'::varchar);`, "a")
	t1, t2 := atlas.NewTable("t").AddColumns(c1), atlas.NewTable("t").AddColumns(c2)
	changes, err := postgres.DefaultDiff.TableDiff(t1, t2)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 0 {
		t.Fatalf("Atlas sees the default change now (%v): the workaround in diff/defaults.go may be unneeded", changes)
	}
	plan := planAndProve(t, `CREATE TABLE t (a text DEFAULT 'x');`, `CREATE TABLE t (a text DEFAULT 'x'::varchar);`, diff.Options{})
	if plan.Empty() {
		t.Fatal("no plan for the default change")
	}
}
