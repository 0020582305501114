package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/schema"
)

// invalidIndexDB returns the URL of a database holding table t (a int)
// and the invalid index t_a a failed CREATE INDEX CONCURRENTLY leaves:
// something schemactl does not model.
func invalidIndexDB(t *testing.T) string {
	t.Helper()
	url := devdb.ForTest(t)
	db, err := schema.OpenDB(url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, "CREATE TABLE t (a int); INSERT INTO t VALUES (1), (1)"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "CREATE UNIQUE INDEX CONCURRENTLY t_a ON t (a)"); err == nil {
		t.Fatal("the unique index was built on duplicates")
	}
	return url
}

// TestCheckRefusesUnmodelled: check does not call a directory in sync with
// a desired state holding what schemactl does not model; it names it. A
// column order the directory cannot reach is an error naming the table.
func TestCheckRefusesUnmodelled(t *testing.T) {
	t.Parallel()
	dev := devdb.ForTest(t)
	live := invalidIndexDB(t)
	dir := writeTemp(t, map[string]string{
		"reordered.sql":         "CREATE TABLE t (z int, a int);\n",
		"migrations/1_init.sql": "CREATE TABLE t (a int);\n",
	})
	mdir := filepath.Join(dir, "migrations")
	if code, _, stderr := runCLI(t, "migrate", "hash", "--dir", "file://"+mdir); code != 0 {
		t.Fatalf("hash: %s", stderr)
	}
	code, out, stderr := runCLI(t, "check", "--dev-url", dev, "--to", live, "--dir", "file://"+mdir)
	if code != 1 || strings.Contains(out, "in sync") || !strings.Contains(stderr, "desired state: index public.t.t_a (invalid") {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	code, out, stderr = runCLI(t, "check", "--dev-url", dev, "--to", "file://"+filepath.Join(dir, "reordered.sql"), "--dir", "file://"+mdir)
	if code != 1 || !strings.Contains(stderr, `table "public"."t": column(s) z, a out of place`) {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
}
