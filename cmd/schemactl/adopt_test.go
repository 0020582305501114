package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/internal/corpus"
)

// gitCommitAll makes dir a git repository whose branch main holds all of
// its files in one commit.
func gitCommitAll(t *testing.T, dir string) {
	t.Helper()
	t.Setenv("GIT_CONFIG_GLOBAL", os.DevNull)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"},
		{"add", "-A"},
		{"-c", "user.name=schemactl test", "-c", "user.email=test@example.invalid", "commit", "-q", "-m", "history"},
	} {
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// kratosInto copies the kratos history into dir/migrations and writes its
// atlas.sum with migrate hash.
func kratosInto(t *testing.T, dir string) string {
	t.Helper()
	src := corpus.Require(t, "kratos", "migrations")
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	mig := filepath.Join(dir, "migrations")
	if err := os.MkdirAll(mig, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(mig, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if code, _, stderr := runCLI(t, "migrate", "hash", "--dir", "file://"+mig); code != 0 {
		t.Fatalf("hash: %s", stderr)
	}
	return mig
}

// pgDump writes the schema of the database at url, as pg_dump prints it
// (the history table of apply left out), to path.
func pgDump(t *testing.T, url, path string) {
	t.Helper()
	bins, err := devdb.FindBinaries(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(filepath.Join(bins.Dir, "pg_dump"), "--schema-only", "--no-owner", "--exclude-schema=atlas_schema_revisions", url).Output()
	if err != nil {
		t.Fatalf("pg_dump: %v", err)
	}
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestAdoptKratos adopts the kratos history: it validates, applies, and
// passes check without flags against the dump of the database it built,
// in a git checkout where no file is new (its old files have hundreds of
// lint findings, which check does not judge again). A new file that
// builds an index without CONCURRENTLY on an existing table then fails
// check.
func TestAdoptKratos(t *testing.T) {
	dev := devdb.ForTest(t)
	dir := t.TempDir()
	mig := kratosInto(t, dir)
	t.Chdir(dir)
	if code, out, stderr := runCLI(t, "migrate", "validate", "--dev-url", dev); code != 0 || !strings.HasSuffix(out, ": 346 files, 534 statements: valid\n") {
		t.Fatalf("validate: exit %d\n%s\n%s", code, out, stderr)
	}
	target := devdb.ForTest(t)
	if code, out, stderr := runCLI(t, "migrate", "apply", "--url", target); code != 0 || !strings.Contains(out, "346 files, 534 statements") {
		t.Fatalf("apply: exit %d\n%s\n%s", code, out, stderr)
	}
	pgDump(t, target, filepath.Join(dir, "schema.sql"))
	gitCommitAll(t, dir)
	code, out, stderr := runCLI(t, "check", "--to", "file://schema.sql", "--dev-url", dev)
	if code != 0 || !strings.Contains(out, "nothing added or changed since the merge base with the default branch main") ||
		!strings.Contains(out, "346 files, 534 statements: intact, replays, in sync") {
		t.Fatalf("check: exit %d\n%s\n%s", code, out, stderr)
	}

	if err := os.WriteFile(filepath.Join(mig, "20990101000000000000_identities_nid_idx.sql"),
		[]byte("CREATE INDEX identities_nid_schema_idx ON identities (nid, schema_id);\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, "migrate", "hash"); code != 0 {
		t.Fatal(stderr)
	}
	code, out, stderr = runCLI(t, "check", "--to", "file://schema.sql", "--dev-url", dev)
	if code != 1 || !strings.Contains(out, "error PG101") || !strings.Contains(out, "20990101000000000000_identities_nid_idx.sql") ||
		!strings.Contains(stderr, "lint found 1 error") {
		t.Fatalf("check with a new file: exit %d\n%s\n%s", code, out, stderr)
	}
}

// TestAdoptDevBaseline: a history that alters the previous tool's own
// table, and one that relies on the search_path its runner set on the
// database, fail on the dev database with a hint that a dev baseline
// provides what is missing; with the baseline (an ALTER DATABASE naming
// the production database) validate, lint and check pass: every dev
// connection opened after the baseline sees the setting.
func TestAdoptDevBaseline(t *testing.T) {
	dev := devdb.ForTest(t)
	dir := writeTemp(t, map[string]string{
		"migrations/1_app.sql":   "CREATE SCHEMA app;\nCREATE TABLE app.users (id int PRIMARY KEY);\n",
		"migrations/2_email.sql": "ALTER TABLE users ADD COLUMN email text;\n",
		"migrations/3_tool.sql":  "ALTER TABLE public.schema_migrations ADD COLUMN applied_at timestamptz;\n",
		"schema.sql":             "CREATE SCHEMA app;\nCREATE TABLE app.users (id int PRIMARY KEY, email text);\n",
		"baseline.sql": "CREATE TABLE public.schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL);\n" +
			"ALTER DATABASE production SET search_path = app, public;\n",
	})
	t.Chdir(dir)
	if code, _, stderr := runCLI(t, "migrate", "hash"); code != 0 {
		t.Fatal(stderr)
	}
	code, out, stderr := runCLI(t, "migrate", "validate", "--dev-url", dev)
	if code != 1 || !strings.Contains(stderr, `2_email.sql:1:1: ALTER TABLE users ADD COLUMN email text: relation "users" does not exist (SQLSTATE 42P01)`) ||
		!strings.Contains(stderr, "hint: the directory never creates it") || !strings.Contains(stderr, "--dev-baseline file://baseline.sql") ||
		!strings.Contains(stderr, "ALTER DATABASE app SET search_path") {
		t.Fatalf("validate without baseline: exit %d\n%s\n%s", code, out, stderr)
	}
	os.WriteFile("only-search-path.sql", []byte("ALTER DATABASE production SET search_path = app, public;\n"), 0o644)
	code, out, stderr = runCLI(t, "migrate", "validate", "--dev-url", dev, "--dev-baseline", "file://only-search-path.sql")
	if code != 1 || !strings.Contains(stderr, `relation "public.schema_migrations" does not exist`) ||
		!strings.Contains(stderr, "CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL)") {
		t.Fatalf("validate with the search_path only: exit %d\n%s\n%s", code, out, stderr)
	}
	code, out, stderr = runCLI(t, "migrate", "lint", "--dev-url", dev, "--dev-baseline", "file://only-search-path.sql")
	if code != 1 || !strings.Contains(out, "PG403") || !strings.Contains(out, "--dev-baseline file://baseline.sql") {
		t.Fatalf("lint with the search_path only: exit %d\n%s\n%s", code, out, stderr)
	}

	code, out, stderr = runCLI(t, "migrate", "validate", "--dev-url", dev, "--dev-baseline", "file://baseline.sql")
	if code != 0 || !strings.Contains(out, "3 files, 4 statements: valid") {
		t.Fatalf("validate with the baseline: exit %d\n%s\n%s", code, out, stderr)
	}
	if code, out, stderr := runCLI(t, "migrate", "lint", "--dev-url", dev, "--dev-baseline", "file://baseline.sql"); code != 0 {
		t.Fatalf("lint with the baseline: exit %d\n%s\n%s", code, out, stderr)
	}
	code, out, stderr = runCLI(t, "check", "--to", "file://schema.sql", "--dev-url", dev, "--dev-baseline", "file://baseline.sql", "--schema", "app")
	if code != 0 || !strings.Contains(out, "in sync") {
		t.Fatalf("check with the baseline: exit %d\n%s\n%s", code, out, stderr)
	}
}
