package diff

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/schema"
)

// TestBaseTypeDump applies the plan from a database with a base type and
// a column of it to one where the type has a comment, a new storage and
// a second column, and requires pg_dump --schema-only of both to match.
func TestBaseTypeDump(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	old := mytextF + `CREATE TYPE mytext (INPUT = mytext_in, OUTPUT = mytext_out, STORAGE = extended, COLLATABLE = true, CATEGORY = 'S');
CREATE TABLE t (v mytext);`
	new := mytextF + `CREATE TYPE mytext (INPUT = mytext_in, OUTPUT = mytext_out, STORAGE = main, COLLATABLE = true, CATEGORY = 'S');
COMMENT ON TYPE mytext IS 'text';
CREATE TABLE t (v mytext, w mytext[]);` + myint
	bins, err := devdb.FindBinaries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	load := func(ddl string) (string, *schema.State) {
		url := devdb.ForTest(t)
		db, err := schema.OpenDB(url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.ExecContext(ctx, ddl); err != nil {
			t.Fatal(err)
		}
		st, err := schema.InspectDB(ctx, db, schema.Scope{})
		if err != nil {
			t.Fatal(err)
		}
		return url, st
	}
	fromURL, from := load(old)
	toURL, to := load(new)
	plan, err := Diff(ctx, from, to, Options{})
	if err != nil {
		t.Fatal(err)
	}
	db, err := schema.OpenDB(fromURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := Prove(ctx, db, plan, to, schema.Scope{}); err != nil {
		t.Fatalf("prove: %v\n%s", err, plan.SQL())
	}
	dump := func(url string) string {
		out, err := exec.Command(filepath.Join(bins.Dir, "pg_dump"), "--schema-only", "--no-owner", "--no-privileges", "-d", url).Output()
		if err != nil {
			t.Fatalf("pg_dump: %v", err)
		}
		var b strings.Builder
		for _, l := range strings.SplitAfter(string(out), "\n") {
			if !strings.HasPrefix(l, `\restrict `) && !strings.HasPrefix(l, `\unrestrict `) {
				b.WriteString(l)
			}
		}
		return b.String()
	}
	if g, w := dump(fromURL), dump(toURL); g != w {
		t.Fatalf("pg_dump differs after the plan:\n--- got\n%s\n--- want\n%s\nplan:\n%s", g, w, plan.SQL())
	}
}
