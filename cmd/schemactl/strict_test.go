package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/devdb"
)

// TestCheckRefusesUnmodelled: check does not call a directory in sync with
// a desired state holding what schemactl does not model; it names it. A
// column order the directory cannot reach is an error naming the table.
func TestCheckRefusesUnmodelled(t *testing.T) {
	t.Parallel()
	dev := devdb.ForTest(t)
	dir := writeTemp(t, map[string]string{
		"schema.sql":            "CREATE TABLE t (a int);\nCREATE UNLOGGED SEQUENCE s;\n",
		"reordered.sql":         "CREATE TABLE t (z int, a int);\n",
		"migrations/1_init.sql": "CREATE TABLE t (a int);\n",
	})
	mdir := filepath.Join(dir, "migrations")
	if code, _, stderr := runCLI(t, "migrate", "hash", "--dir", "file://"+mdir); code != 0 {
		t.Fatalf("hash: %s", stderr)
	}
	code, out, stderr := runCLI(t, "check", "--dev-url", dev, "--to", "file://"+filepath.Join(dir, "schema.sql"), "--dir", "file://"+mdir)
	if code != 1 || strings.Contains(out, "in sync") || !strings.Contains(stderr, "desired state: table property public.s (unlogged sequence)") {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	code, out, stderr = runCLI(t, "check", "--dev-url", dev, "--to", "file://"+filepath.Join(dir, "reordered.sql"), "--dir", "file://"+mdir)
	if code != 1 || !strings.Contains(stderr, `table "public"."t": column(s) z, a out of place`) {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
}
