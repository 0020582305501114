package diff_test

import (
	"strings"
	"testing"

	"ariga.io/atlas/sql/postgres"
	atlas "ariga.io/atlas/sql/schema"
)

// quoteCases have names that hold a double quote (and other characters
// that need quoting), which Atlas's planner writes between quotes without
// doubling the quote inside; each runs old→new and new→old.
var quoteCases = []acceptanceCase{
	{name: "schema and table with a quote",
		new:  `CREATE SCHEMA "EXTRA ""@/\#~_-"; CREATE TABLE "EXTRA ""@/\#~_-"."na""mes" (id int PRIMARY KEY, "x""y" text);`,
		want: []string{`CREATE SCHEMA "EXTRA ""@/\#~_-"`, `CREATE TABLE "EXTRA ""@/\#~_-"."na""mes"`, `"x""y" text`}},
	{name: "column, index and constraints with a quote",
		old:  `CREATE TABLE t (id int PRIMARY KEY);`,
		new:  `CREATE TABLE t (id int CONSTRAINT "t""pk" PRIMARY KEY, "a""b" int CONSTRAINT "a""b_check" CHECK ("a""b" > 0), r int CONSTRAINT "t""r_fk" REFERENCES t (id)); CREATE INDEX "t""a_idx" ON t ("a""b");`,
		want: []string{`ADD COLUMN "a""b" integer`, `CREATE INDEX "t""a_idx"`}},
	{name: "enum with a quote in its name",
		old: `CREATE TABLE t (id int);`,
		new: `CREATE TYPE "mo""od" AS ENUM ('a', 'b'); CREATE TABLE t (id int, m "mo""od");`},
}

func TestQuotedNames(t *testing.T) {
	for _, tc := range quoteCases {
		for _, dir := range []string{"forward", "backward"} {
			t.Run(tc.name+"/"+dir, func(t *testing.T) {
				t.Parallel()
				old, new, want := tc.old, tc.new, tc.want
				if dir == "backward" {
					old, new, want = new, old, nil
				}
				plan := planAndProve(t, old, new, noRenames)
				if plan.Empty() {
					t.Fatalf("empty plan")
				}
				for _, w := range want {
					if !strings.Contains(plan.SQL(), w) {
						t.Errorf("plan lacks %q:\n%s", w, plan.SQL())
					}
				}
			})
		}
	}
}

// TestAtlasDoesNotDoubleQuotes shows what Atlas's planner does with a
// name that holds a double quote: it writes it between quotes as it is
// ("a"b"), which PostgreSQL cannot parse; schemactl rewrites it (quotes.go).
func TestAtlasDoesNotDoubleQuotes(t *testing.T) {
	t.Parallel()
	plan, err := postgres.DefaultPlan.PlanChanges(t.Context(), "", []atlas.Change{&atlas.AddSchema{S: atlas.New(`a"b`)}})
	if err != nil {
		t.Fatal(err)
	}
	if got := plan.Changes[0].Cmd; got != `CREATE SCHEMA "a"b"` {
		t.Fatalf("Atlas writes %q now: the rewrite in diff/quotes.go may be unneeded", got)
	}
}
