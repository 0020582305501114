package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/internal/bigschema"
)

// largeScale is the scale of the generated schema for the round-trip
// test: small by default, SCHEMACTL_LARGE_SCALE=1 for the full 1,500
// tables (minutes, not part of `make test`).
func largeScale(t *testing.T) float64 {
	s := os.Getenv("SCHEMACTL_LARGE_SCALE")
	if s == "" {
		return 0.02
	}
	if testing.Short() {
		t.Skip("SCHEMACTL_LARGE_SCALE set, but -short")
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v <= 0 {
		t.Fatalf("SCHEMACTL_LARGE_SCALE=%q: want a positive number", s)
	}
	return v
}

// pgBinDir is the directory of PostgreSQL's programs (psql, pg_dump).
func pgBinDir(t testing.TB) string {
	t.Helper()
	b, err := devdb.FindBinaries(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return b.Dir
}

// psqlLoad loads an SQL file into a database with psql, stopping at the
// first error.
func psqlLoad(t testing.TB, bin, url, file string) {
	t.Helper()
	if out, err := exec.Command(filepath.Join(bin, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", file).CombinedOutput(); err != nil {
		t.Fatalf("psql -f %s: %v\n%s", file, err, out)
	}
}

// schemaDump is `pg_dump --schema-only` of a database without owners,
// privileges, the revision history, and the random \restrict fence.
func schemaDump(t testing.TB, bin, url string) string {
	t.Helper()
	out, err := exec.Command(filepath.Join(bin, "pg_dump"), "--schema-only", "--no-owner", "--no-privileges", "--exclude-schema=atlas_schema_revisions", "-d", url).Output()
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

// TestLargeSchemaRoundTrip: the generated large schema (internal/bigschema)
// is written by `migrate diff` from an empty directory; `migrate apply` of
// the directory gives exactly what psql gives for the same SQL (pg_dump
// --schema-only of both), and a second diff has no changes. Then the
// changed version: the migration `migrate diff` writes from the old state
// to the new one, applied, gives exactly psql's load of the new SQL.
func TestLargeSchemaRoundTrip(t *testing.T) {
	t.Parallel()
	scale := largeScale(t)
	oldSQL, newSQL := bigschema.Generate(bigschema.Options{Scale: scale, Seed: 1})
	dir := writeTemp(t, map[string]string{"old/schema.sql": oldSQL, "new/schema.sql": newSQL})
	bin := pgBinDir(t)
	want := map[string]string{}
	for _, v := range []string{"old", "new"} {
		ref := devdb.ForTest(t)
		psqlLoad(t, bin, ref, filepath.Join(dir, v, "schema.sql"))
		want[v] = schemaDump(t, bin, ref)
	}
	dev := devdb.ForTest(t)
	target := devdb.ForTest(t)
	mdir := "file://" + filepath.Join(dir, "migrations")
	step := func(name, state string) {
		t.Helper()
		to := "file://" + filepath.Join(dir, state, "schema.sql")
		if code, _, stderr := runCLI(t, "migrate", "diff", name, "--dev-url", dev, "--to", to, "--dir", mdir); code != 0 {
			t.Fatalf("migrate diff %s: exit %d\n%s", name, code, stderr)
		}
		if code, _, stderr := runCLI(t, "migrate", "apply", "--url", target, "--dir", mdir); code != 0 {
			t.Fatalf("migrate apply after %s: exit %d\n%s", name, code, stderr)
		}
		if got := schemaDump(t, bin, target); got != want[state] {
			t.Fatalf("after %s the database differs from psql's load of %s/schema.sql:\n%s", name, state, firstDiff(want[state], got))
		}
		code, out, stderr := runCLI(t, "migrate", "diff", name+"_again", "--dev-url", dev, "--to", to, "--dir", mdir)
		if code != 0 || !strings.Contains(out, "no changes") {
			t.Fatalf("diff after %s: exit %d, out %q\n%s", name, code, out, stderr)
		}
	}
	step("init", "old")
	step("change", "new")
	if n := len(sqlFiles(t, filepath.Join(dir, "migrations"))); n != 2 {
		t.Fatalf("%d migration files, want 2", n)
	}
}
