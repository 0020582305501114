package lint

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/internal/corpus"
	"github.com/schemactl/schemactl/internal/markdown/mdtest"
	"github.com/schemactl/schemactl/migrations"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/markdown")

// riskyMigration is a file on top of pagila with a finding of most kinds:
// an index built without CONCURRENTLY, a volatile default (rewrite), a
// dropped column, SET NOT NULL, a foreign key validated at once, and one
// index built the safe way.
const riskyMigration = `-- add a note to rentals, drop the picture of staff
ALTER TABLE public.rental ADD COLUMN note text;
CREATE INDEX rental_note_idx ON public.rental (note);
ALTER TABLE public.customer ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid();
ALTER TABLE public.staff DROP COLUMN picture;
ALTER TABLE public.film ALTER COLUMN description SET NOT NULL;
ALTER TABLE public.payment_p2022_01 ADD CONSTRAINT payment_p2022_01_rental_fk FOREIGN KEY (rental_id) REFERENCES public.rental (rental_id);
`

// copyFiles copies the named files of src into a new directory called
// migrations (so that the report's paths do not depend on the test's
// temporary directory) and opens it.
func copyFiles(t *testing.T, src string, names []string, extra map[string]string) (dir string, files []*migrations.File) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "migrations")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(src, n))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(n)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for n, content := range extra {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, openDir(t, dir)
}

// markdownOf renders a report with the directory's path replaced by
// "migrations".
func markdownOf(t *testing.T, rep *Report, dir string) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteMarkdown(&b, rep, MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(b.String(), dir, "migrations")
}

// golden compares out with testdata/markdown/name (rewritten with
// -update).
func golden(t *testing.T, name, out string) {
	t.Helper()
	path := filepath.Join("testdata", "markdown", name)
	if *update {
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to write it)", err, t.Name())
	}
	if out != string(want) {
		t.Errorf("markdown differs from %s (go test -run %s -update rewrites it); got:\n%s", path, t.Name(), out)
	}
}

// markdownCases lints the bundled example, a risky file on pagila and the
// last five files of the kratos history.
func markdownCases(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	t.Run("example", func(t *testing.T) {
		dir, files := copyFiles(t, "../example/migrations", []string{"20261125111113_init.sql"}, nil)
		out["example.md"] = markdownOf(t, lintFiles(t, files, true), dir)
	})
	t.Run("pagila", func(t *testing.T) {
		pagila := corpus.Require(t, "pagila", "schema.sql")
		dir, _ := copyFiles(t, filepath.Dir(pagila), []string{"schema.sql"}, map[string]string{"2_rental_note.sql": riskyMigration})
		if err := os.Rename(filepath.Join(dir, "schema.sql"), filepath.Join(dir, "1_pagila.sql")); err != nil {
			t.Fatal(err)
		}
		files := openDir(t, dir)
		out["pagila.md"] = markdownOf(t, lintFiles(t, files, false), dir)
	})
	t.Run("kratos", func(t *testing.T) {
		src := corpus.Require(t, "kratos", "migrations")
		ents, err := os.ReadDir(src)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range ents {
			if strings.HasSuffix(e.Name(), ".sql") {
				names = append(names, e.Name())
			}
		}
		dir, files := copyFiles(t, src, names, nil)
		rep, err := lintLast(t, files, 5)
		if err != nil {
			t.Fatal(err)
		}
		out["kratos.md"] = markdownOf(t, rep, dir)
	})
	return out
}

func TestMarkdownGolden(t *testing.T) {
	for name, md := range markdownCases(t) {
		golden(t, name, md)
	}
}

// lintLast lints the last n files on a fresh database.
func lintLast(t *testing.T, files []*migrations.File, n int) (*Report, error) {
	t.Helper()
	linted := map[string]bool{}
	for _, f := range files[len(files)-n:] {
		linted[f.Name] = true
	}
	return Run(context.Background(), devdb.ForTest(t), files, Options{Linted: linted})
}

// TestMarkdownRenders renders the golden reports with cmark-gfm: the
// tables, collapsible sections and sql blocks are HTML elements, and the
// statements come out as written.
func TestMarkdownRenders(t *testing.T) {
	names, err := filepath.Glob(filepath.Join("testdata", "markdown", "*.md"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no golden file: %v", err)
	}
	for _, n := range names {
		t.Run(filepath.Base(n), func(t *testing.T) {
			b, err := os.ReadFile(n)
			if err != nil {
				t.Fatal(err)
			}
			root := mdtest.CheckStructure(t, string(b))
			if len(root.All("table")) == 0 {
				t.Error("no table rendered")
			}
		})
	}
	// A finding whose text holds Markdown renders as that text.
	var b bytes.Buffer
	if err := WriteMarkdown(&b, sampleReport(), MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	root := mdtest.CheckStructure(t, b.String())
	if !strings.Contains(root.Text, `index "i" on 100% of "t": built without CONCURRENTLY`) ||
		!strings.Contains(root.Text, "migrations/2_b,c.sql") || len(root.All("em")) != 0 {
		t.Errorf("finding text not rendered as written:\n%s", b.String())
	}
}

// TestMarkdownFailedStatement: a statement that fails on the dev database
// is shown as such, and the files after it as not analyzed.
func TestMarkdownFailedStatement(t *testing.T) {
	files := writeDir(t, map[string]string{
		"1_t.sql":    "CREATE TABLE t (id int);\n",
		"2_bad.sql":  "ALTER TABLE t ADD COLUMN x int;\nALTER TABLE nope ADD COLUMN y int;\n",
		"3_next.sql": "ALTER TABLE t ADD COLUMN z int;\n",
	})
	rep, err := Run(context.Background(), devdb.ForTest(t), files, Options{Linted: map[string]bool{"2_bad.sql": true, "3_next.sql": true}})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteMarkdown(&b, rep, MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"❌ **lint failed: ", "(incomplete)", "**Line 2** · failed on the dev database", "```sql\nALTER TABLE nope ADD COLUMN y int\n```",
		"error `PG403`", "**Not analyzed:** `" + files[2].Path + "`"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	mdtest.CheckStructure(t, out)
}
