package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/internal/corpus"
	"github.com/schemactl/schemactl/migrations"
	"github.com/schemactl/schemactl/schema"
)

// writeTemp writes files (name → content) into a new temporary directory.
func writeTemp(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func sqlFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*.sql"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestMigrateDiffPagila writes pagila's migration from an empty directory:
// it has the views, functions and triggers too, replays cleanly, and a
// second diff has no changes.
func TestMigrateDiffPagila(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile(corpus.Require(t, "pagila", "schema.sql"))
	if err != nil {
		t.Fatal(err)
	}
	dir := writeTemp(t, map[string]string{"schema.sql": string(src)})
	dev := devdb.ForTest(t)
	mdir := filepath.Join(dir, "migrations")
	to := "file://" + filepath.Join(dir, "schema.sql")
	code, out, stderr := runCLI(t, "migrate", "diff", "init", "--dev-url", dev, "--to", to, "--dir", "file://"+mdir)
	if code != 0 {
		t.Fatalf("migrate diff: exit %d\n%s", code, stderr)
	}
	files := sqlFiles(t, mdir)
	if len(files) != 1 || strings.TrimSpace(out) != files[0] || !strings.HasSuffix(files[0], "_init.sql") {
		t.Fatalf("files %v, output %q", files, out)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"CREATE VIEW public.film_list", "CREATE MATERIALIZED VIEW public.rental_by_category", "CREATE TRIGGER film_fulltext_trigger", "CREATE AGGREGATE public.group_concat", "PARTITION OF", "CREATE DOMAIN"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the migration lacks %q", want)
		}
	}
	if code, _, stderr := runCLI(t, "migrate", "validate", "--dev-url", dev, "--dir", mdir); code != 0 {
		t.Fatalf("the migration does not replay: %s", stderr)
	}
	code, out, stderr = runCLI(t, "migrate", "diff", "again", "--dev-url", dev, "--to", to, "--dir", "file://"+mdir)
	if code != 0 || !strings.Contains(out, "no changes") {
		t.Fatalf("second diff: exit %d, out %q\n%s", code, out, stderr)
	}
	if n := len(sqlFiles(t, mdir)); n != 1 {
		t.Fatalf("%d files after a diff without changes", n)
	}
}

// TestMigrateDiffSequence writes two migrations in a row (within a second)
// with increasing versions, honours --rename, and --edit runs the editor
// before atlas.sum is written.
func TestMigrateDiffSequence(t *testing.T) {
	dir := writeTemp(t, map[string]string{
		"schema.sql": "CREATE TABLE users (id bigint PRIMARY KEY, fullname text);\n",
		"editor.sh":  "#!/bin/sh\necho '-- reviewed by the editor' >> \"$1\"\n",
	})
	if err := os.Chmod(filepath.Join(dir, "editor.sh"), 0o755); err != nil {
		t.Fatal(err)
	}
	dev := devdb.ForTest(t)
	mdir := filepath.Join(dir, "migrations")
	to := "file://" + filepath.Join(dir, "schema.sql")
	if code, _, stderr := runCLI(t, "migrate", "diff", "--dev-url", dev, "--to", to, "--dir", mdir, "users"); code != 0 {
		t.Fatalf("first diff: %s", stderr)
	}
	if err := os.WriteFile(filepath.Join(dir, "schema.sql"), []byte("CREATE TABLE users (id bigint PRIMARY KEY, full_name text, email text);\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("EDITOR", filepath.Join(dir, "editor.sh"))
	code, out, stderr := runCLI(t, "migrate", "diff", "rename", "--dev-url", dev, "--to", to, "--dir", mdir, "--rename", "column:users.fullname=full_name", "--edit")
	if code != 0 {
		t.Fatalf("second diff: exit %d\n%s", code, stderr)
	}
	files := sqlFiles(t, mdir)
	if len(files) != 2 || files[1] != strings.TrimSpace(out) {
		t.Fatalf("files %v, output %q", files, out)
	}
	v1, v2 := strings.SplitN(filepath.Base(files[0]), "_", 2)[0], strings.SplitN(filepath.Base(files[1]), "_", 2)[0]
	if v2 <= v1 {
		t.Fatalf("versions %s then %s", v1, v2)
	}
	b, err := os.ReadFile(files[1])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`RENAME COLUMN "fullname" TO "full_name"`, `ADD COLUMN "email" text`, "-- reviewed by the editor"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("second file lacks %q:\n%s", want, b)
		}
	}
	if strings.Contains(string(b), "DROP COLUMN") {
		t.Errorf("a hinted rename was planned as drop and add:\n%s", b)
	}
	if err := migrations.Verify(mdir); err != nil {
		t.Fatalf("atlas.sum after --edit: %v", err)
	}
}

// TestMigrateDiffUnprovenWritesNothing: a desired state that cannot be
// reached (here: a partition that becomes a table of its own) is an error
// and no file is written.
func TestMigrateDiffErrorWritesNothing(t *testing.T) {
	t.Parallel()
	dir := writeTemp(t, map[string]string{
		"v1.sql": "CREATE TABLE ev (at date) PARTITION BY RANGE (at); CREATE TABLE ev_1 PARTITION OF ev FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n",
		"v2.sql": "CREATE TABLE ev (at date) PARTITION BY RANGE (at); CREATE TABLE ev_1 (at date);\n",
	})
	dev := devdb.ForTest(t)
	mdir := filepath.Join(dir, "migrations")
	if code, _, stderr := runCLI(t, "migrate", "diff", "--dev-url", dev, "--to", "file://"+filepath.Join(dir, "v1.sql"), "--dir", mdir); code != 0 {
		t.Fatal(stderr)
	}
	code, _, stderr := runCLI(t, "migrate", "diff", "--dev-url", dev, "--to", "file://"+filepath.Join(dir, "v2.sql"), "--dir", mdir)
	if code != 1 || !strings.Contains(stderr, "ev_1") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if n := len(sqlFiles(t, mdir)); n != 1 {
		t.Fatalf("%d files", n)
	}
	if err := migrations.Verify(mdir); err != nil {
		t.Fatal(err)
	}
}

// TestMigrateDiffRefusesUnmodelled: what schemactl does not model stops
// the command, object by object, and nothing is written; excluded, it is
// left alone. Column statistics and storage are modelled: they are in the
// migration.
func TestMigrateDiffRefusesUnmodelled(t *testing.T) {
	t.Parallel()
	live := invalidIndexDB(t)
	dir := writeTemp(t, map[string]string{"schema.sql": "CREATE TABLE t (v text);\nALTER TABLE t ALTER COLUMN v SET STATISTICS 500;\nALTER TABLE t ALTER COLUMN v SET STORAGE EXTERNAL;\nCREATE UNLOGGED SEQUENCE s;\n"})
	dev := devdb.ForTest(t)
	mdir := filepath.Join(dir, "migrations")
	code, _, stderr := runCLI(t, "migrate", "diff", "--dev-url", dev, "--to", live, "--dir", mdir)
	if code != 1 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"not modelled", "desired state: index public.t.t_a (invalid (a failed CREATE INDEX CONCURRENTLY))"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if n := len(sqlFiles(t, mdir)); n != 0 {
		t.Fatalf("%d files written", n)
	}
	if code, _, stderr = runCLI(t, "migrate", "diff", "--dev-url", dev, "--to", live, "--dir", mdir, "--exclude", "public.t.t_a"); code != 0 {
		t.Fatalf("excluded: exit %d: %s", code, stderr)
	}
	if n := len(sqlFiles(t, mdir)); n != 1 {
		t.Fatalf("%d files", n)
	}
	mdir2 := filepath.Join(dir, "migrations2")
	if code, _, stderr = runCLI(t, "migrate", "diff", "--dev-url", dev, "--to", "file://"+filepath.Join(dir, "schema.sql"), "--dir", mdir2); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	files := sqlFiles(t, mdir2)
	if len(files) != 1 {
		t.Fatalf("%d files", len(files))
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`SET STATISTICS 500`, `SET STORAGE EXTERNAL`, `CREATE UNLOGGED SEQUENCE`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("migration lacks %q:\n%s", want, b)
		}
	}
}

// TestMigrateDiffTxModeNone: an enum value added and used by the same
// migration cannot share a transaction; the file says so the way Atlas
// reads it, and replays.
func TestMigrateDiffTxModeNone(t *testing.T) {
	t.Parallel()
	dir := writeTemp(t, map[string]string{
		"v1.sql": "CREATE TYPE mood AS ENUM ('sad');\nCREATE TABLE t (m mood);\n",
		"v2.sql": "CREATE TYPE mood AS ENUM ('sad', 'happy');\nCREATE TABLE t (m mood DEFAULT 'happy');\n",
	})
	dev := devdb.ForTest(t)
	mdir := filepath.Join(dir, "migrations")
	for _, v := range []string{"v1.sql", "v2.sql"} {
		if code, _, stderr := runCLI(t, "migrate", "diff", "--dev-url", dev, "--to", "file://"+filepath.Join(dir, v), "--dir", mdir); code != 0 {
			t.Fatalf("%s: %s", v, stderr)
		}
	}
	files := sqlFiles(t, mdir)
	b, err := os.ReadFile(files[len(files)-1])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "-- atlas:txmode none\n\n") {
		t.Fatalf("no txmode directive:\n%s", b)
	}
	f, err := migrations.ParseFile(files[len(files)-1], b)
	if err != nil || f.TxMode != migrations.TxModeNone || len(f.Warnings) > 0 {
		t.Fatalf("parsed: %v, txmode %q, warnings %v", err, f.TxMode, f.Warnings)
	}
	if code, _, stderr := runCLI(t, "migrate", "validate", "--dev-url", dev, "--dir", mdir); code != 0 {
		t.Fatalf("replay: %s", stderr)
	}
}

// TestMigrateDiffDevBaseline: what the dev baseline creates (a role, a
// schema and a function the state uses) is on both sides of the diff and
// never in the migration, also when an env names the baseline.
func TestMigrateDiffDevBaseline(t *testing.T) {
	dir := writeTemp(t, map[string]string{
		"baseline.sql": "CREATE ROLE schemactl_test_reader;\nCREATE SCHEMA shared;\nCREATE FUNCTION shared.now_utc() RETURNS timestamp LANGUAGE sql AS 'SELECT now() AT TIME ZONE ''UTC''';\n",
		"schema.sql":   "CREATE TABLE events (id bigint PRIMARY KEY, at timestamp NOT NULL DEFAULT shared.now_utc());\nGRANT SELECT ON events TO schemactl_test_reader;\n",
		"atlas.hcl": `env "local" {
  src          = "file://schema.sql"
  dev_baseline = "file://baseline.sql"
  migration {
    dir = "file://migrations"
  }
}
`,
	})
	dev := devdb.ForTest(t)
	t.Chdir(dir)
	t.Cleanup(func() {
		if db, err := schema.OpenDB(dev); err == nil {
			db.Exec("DROP ROLE IF EXISTS schemactl_test_reader")
			db.Close()
		}
	})
	code, _, stderr := runCLI(t, "migrate", "diff", "--env", "local", "--dev-url", dev)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	files := sqlFiles(t, "migrations")
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `CREATE TABLE "public"."events"`) || strings.Contains(string(b), "shared\".") && strings.Contains(string(b), "CREATE SCHEMA") || strings.Contains(string(b), "now_utc() RETURNS") || strings.Contains(string(b), "CREATE ROLE") {
		t.Fatalf("migration:\n%s", b)
	}
	// Twice on the same server: the role exists the second time.
	if code, out, stderr := runCLI(t, "check", "--env", "local", "--dev-url", dev); code != 0 {
		t.Fatalf("check: exit %d\n%s\n%s", code, out, stderr)
	}
}

// TestMigrateDiffPrivileges: with --privileges, grants are planned.
func TestMigrateDiffPrivileges(t *testing.T) {
	t.Parallel()
	dir := writeTemp(t, map[string]string{
		"baseline.sql": "CREATE ROLE schemactl_test_priv;\n",
		"schema.sql":   "CREATE TABLE t (id int);\nGRANT SELECT, INSERT ON t TO schemactl_test_priv;\n",
	})
	dev := devdb.ForTest(t)
	t.Cleanup(func() {
		if db, err := schema.OpenDB(dev); err == nil {
			db.Exec("DROP ROLE IF EXISTS schemactl_test_priv")
			db.Close()
		}
	})
	mdir := filepath.Join(dir, "migrations")
	code, _, stderr := runCLI(t, "migrate", "diff", "--dev-url", dev, "--privileges", "--dev-baseline", "file://"+filepath.Join(dir, "baseline.sql"), "--to", "file://"+filepath.Join(dir, "schema.sql"), "--dir", mdir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(sqlFiles(t, mdir)[0])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "GRANT") || !strings.Contains(string(b), "schemactl_test_priv") {
		t.Fatalf("no grant in the migration:\n%s", b)
	}
	if strings.Contains(stderr, "grants on table") {
		t.Errorf("planned grants are also reported as not modelled:\n%s", stderr)
	}
}
