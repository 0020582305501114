package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/internal/corpus"
	"github.com/schemactl/schemactl/migrations"
)

// kratosDir copies the kratos history into a temporary directory with its
// atlas.sum.
func kratosDir(t *testing.T) (string, *migrations.Dir) {
	t.Helper()
	src := corpus.Require(t, "kratos", "migrations")
	dir := filepath.Join(t.TempDir(), "migrations")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := migrations.WriteSum(dir); err != nil {
		t.Fatal(err)
	}
	d, err := migrations.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return dir, d
}

// replayDump replays the first n files of d on a fresh database and dumps
// its schema.
func replayDump(t *testing.T, d *migrations.Dir, n int) string {
	t.Helper()
	url := devdb.ForTest(t)
	if err := migrations.Replay(context.Background(), url, d.Files[:n]...); err != nil {
		t.Fatal(err)
	}
	return schemaDump(t, pgBinDir(t), url)
}

// revisionCount counts the rows of the default history table.
func revisionCount(t *testing.T, url string) int {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM atlas_schema_revisions.atlas_schema_revisions WHERE version <> '.atlas_cmd_migrate_revision'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func assertSameDump(t *testing.T, what, got, want string) {
	t.Helper()
	if got == want {
		return
	}
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) && i < len(w); i++ {
		if g[i] != w[i] {
			t.Fatalf("%s: pg_dump differs from the replay at line %d:\n got  %q\n want %q", what, i+1, g[i], w[i])
		}
	}
	t.Fatalf("%s: pg_dump has %d lines, the replay %d", what, len(g), len(w))
}

// TestMigrateDownKratos applies the whole kratos history, then reverts 1
// file, 10 more, and the rest (to version 0), comparing the database each
// time with a replay of the directory to that version (pg_dump -s).
func TestMigrateDownKratos(t *testing.T) {
	dir, d := kratosDir(t)
	dev := devdb.ForTest(t)
	target := devdb.ForTest(t)
	n := len(d.Files)
	if code, _, stderr := runCLI(t, "migrate", "apply", "--url", target, "--dir", "file://"+dir); code != 0 {
		t.Fatalf("apply: %s", stderr)
	}
	down := func(args ...string) (string, string) {
		t.Helper()
		code, out, stderr := runCLI(t, append([]string{"migrate", "down", "--url", target, "--dir", "file://" + dir, "--dev-url", dev, "--auto-approve"}, args...)...)
		if code != 0 {
			t.Fatalf("down %v: exit %d\n%s\n%s", args, code, out, stderr)
		}
		t.Logf("down %v:\n%s\n%s", args, out, stderr)
		return out, stderr
	}

	out, _ := down()
	if !strings.Contains(out, "reverted 1 file(s): the database is at version "+d.Files[n-2].Version) {
		t.Fatalf("down 1:\n%s", out)
	}
	assertSameDump(t, "down 1", schemaDump(t, pgBinDir(t), target), replayDump(t, d, n-1))
	if got := revisionCount(t, target); got != n-1 {
		t.Fatalf("down 1: %d revisions left, want %d", got, n-1)
	}

	out, _ = down("10", "--allow-data-loss")
	if !strings.Contains(out, "reverted 10 file(s): the database is at version "+d.Files[n-12].Version) {
		t.Fatalf("down 10:\n%s", out)
	}
	assertSameDump(t, "down 10", schemaDump(t, pgBinDir(t), target), replayDump(t, d, n-11))
	if got := revisionCount(t, target); got != n-11 {
		t.Fatalf("down 10: %d revisions left, want %d", got, n-11)
	}

	// The directory applies again on top: the history is consistent.
	if code, _, stderr := runCLI(t, "migrate", "apply", "--url", target, "--dir", "file://"+dir, "3"); code != 0 {
		t.Fatalf("apply after down: %s", stderr)
	}
	assertSameDump(t, "apply 3 after down 10", schemaDump(t, pgBinDir(t), target), replayDump(t, d, n-8))

	// Down to 0 drops a table that the history filled: refused without
	// --allow-data-loss, nothing changed.
	before := schemaDump(t, pgBinDir(t), target)
	code, _, stderr := runCLI(t, "migrate", "down", "--url", target, "--dir", "file://"+dir, "--dev-url", dev, "--auto-approve", "--to-version", "0")
	if code != 1 || !strings.Contains(stderr, "table public.identity_credential_types holds rows") || !strings.Contains(stderr, "not reverted: the plan would lose data") {
		t.Fatalf("down to 0 without --allow-data-loss: exit %d\n%s", code, stderr)
	}
	assertSameDump(t, "refused down", schemaDump(t, pgBinDir(t), target), before)
	if got := revisionCount(t, target); got != n-8 {
		t.Fatalf("refused down: %d revisions left, want %d", got, n-8)
	}

	out, _ = down("--to-version", "0", "--allow-data-loss")
	if !strings.Contains(out, "reverted "+strconv.Itoa(n-8)+" file(s): the database is at version 0") {
		t.Fatalf("down to 0:\n%s", out)
	}
	assertSameDump(t, "down to version 0", schemaDump(t, pgBinDir(t), target), replayDump(t, d, 0))
	if got := revisionCount(t, target); got != 0 {
		t.Fatalf("down to 0: %d revisions left", got)
	}
}

// execSQL runs statements on the database at url.
func execSQL(t *testing.T, url string, stmts ...string) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	for _, s := range stmts {
		if _, err := conn.Exec(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// TestMigrateDownRefusals: each state migrate down does not revert is
// refused with a message naming it, and the database is left as it was.
func TestMigrateDownRefusals(t *testing.T) {
	dir := writeTemp(t, map[string]string{
		"migrations/1_users.sql":  "CREATE TABLE users (id int PRIMARY KEY);\n",
		"migrations/2_email.sql":  "ALTER TABLE users ADD COLUMN email text;\n",
		"migrations/3_orders.sql": "-- atlas:txmode none\n\nCREATE TABLE orders (id int);\nCREATE INDEX CONCURRENTLY orders_id_idx ON orders (id);\n",
	})
	mdir := filepath.Join(dir, "migrations")
	if err := migrations.WriteSum(mdir); err != nil {
		t.Fatal(err)
	}
	dev := devdb.ForTest(t)
	target := devdb.ForTest(t)
	run := func(args ...string) (int, string, string) {
		t.Helper()
		return runCLI(t, append([]string{"migrate", "down", "--url", target, "--dir", "file://" + mdir, "--dev-url", dev}, args...)...)
	}
	refused := func(what string, wantCode int, want string, args ...string) {
		t.Helper()
		before := schemaDump(t, pgBinDir(t), target)
		revs := revisionCount(t, target)
		code, out, stderr := run(args...)
		if code != wantCode || !strings.Contains(stderr, want) {
			t.Fatalf("%s: exit %d, want %d with %q\n%s\n%s", what, code, wantCode, want, out, stderr)
		}
		if schemaDump(t, pgBinDir(t), target) != before || revisionCount(t, target) != revs {
			t.Fatalf("%s: the database changed", what)
		}
	}

	d0, err := migrations.Open(mdir)
	if err != nil {
		t.Fatal(err)
	}
	// No history at all.
	if code, _, stderr := run("--auto-approve"); code != 1 || !strings.Contains(stderr, "no migration history") {
		t.Fatalf("no history: %d %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "migrate", "apply", "--url", target, "--dir", "file://"+mdir, "2"); code != 0 {
		t.Fatal(stderr)
	}
	execSQL(t, target, "INSERT INTO users VALUES (1, 'a@example.com'), (2, NULL)")

	// Usage errors.
	if code, _, _ := run("1", "--to-version", "1"); code != 2 {
		t.Fatalf("N and --to-version: exit %d", code)
	}
	if code, _, _ := run("0"); code != 2 {
		t.Fatalf("N = 0: exit %d", code)
	}
	refused("more files than applied", 1, "cannot revert 3 files: the database has 2 applied", "3", "--auto-approve")
	refused("unapplied version", 1, "version 3 is not applied on the database", "--to-version", "3", "--auto-approve")
	refused("at the target already", 1, "the database is at version 2 already", "--to-version", "2", "--auto-approve")

	// The column dropped by the revert holds a value.
	refused("data loss", 1, "column public.users.email holds non-null values", "--auto-approve")
	// Without a terminal and without --auto-approve: nothing happens.
	refused("no terminal", 2, "--auto-approve", "--allow-data-loss")
	// --dry-run prints the plan and changes nothing.
	code, out, _ := run("--dry-run")
	if code != 0 || !strings.Contains(out, `ALTER TABLE "public"."users" DROP COLUMN "email";`) {
		t.Fatalf("dry run: %d\n%s", code, out)
	}

	// A database that is not at a state of the directory.
	execSQL(t, target, "ALTER TABLE users ADD COLUMN note text")
	refused("drifted database", 1, `the database is not at a state the migration directory produces: it differs from the directory replayed up to version 2 (its last applied file, 2_email.sql)`, "--auto-approve", "--allow-data-loss")
	code, _, stderr := run("--auto-approve", "--allow-data-loss")
	if !strings.Contains(stderr, "note") {
		t.Fatalf("the difference is not named: %d %s", code, stderr)
	}
	execSQL(t, target, "ALTER TABLE users DROP COLUMN note")

	// A file after the target is half-applied: its second statement fails.
	execSQL(t, target, "CREATE TABLE blocker (id int)", "CREATE INDEX orders_id_idx ON blocker (id)")
	if code, _, _ := runCLI(t, "migrate", "apply", "--url", target, "--dir", "file://"+mdir); code != 1 {
		t.Fatal("apply of 3 should fail half-way")
	}
	execSQL(t, target, "DROP TABLE blocker")
	refused("half-applied", 1, "file 3_orders.sql is half-applied (1 of its 2 statements ran, then: ", "--to-version", "1", "--auto-approve", "--allow-data-loss")

	// Once the file is finished, the revert works down to version 1.
	if code, _, stderr := runCLI(t, "migrate", "apply", "--url", target, "--dir", "file://"+mdir); code != 0 {
		t.Fatal(stderr)
	}
	// The history names a file the directory no longer has.
	other := writeTemp(t, map[string]string{"migrations/1_users.sql": "CREATE TABLE users (id int PRIMARY KEY);\n", "migrations/2_email.sql": "ALTER TABLE users ADD COLUMN email text;\n"})
	odir := filepath.Join(other, "migrations")
	if err := migrations.WriteSum(odir); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runCLI(t, "migrate", "down", "--url", target, "--dir", "file://"+odir, "--dev-url", dev, "--auto-approve")
	if code != 1 || !strings.Contains(stderr, "revision 3 (orders) of the database is not a file of") {
		t.Fatalf("unknown revision: %d %s", code, stderr)
	}

	// A database that started from a baseline reverts down to it, not
	// past it.
	based := devdb.ForTest(t)
	if err := migrations.Replay(context.Background(), based, d0.Files[:2]...); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, "migrate", "apply", "--url", based, "--dir", "file://"+mdir, "--baseline", "2"); code != 0 {
		t.Fatalf("apply with a baseline: %s", stderr)
	}
	code, _, stderr = runCLI(t, "migrate", "down", "--url", based, "--dir", "file://"+mdir, "--dev-url", dev, "--auto-approve", "--to-version", "0", "--allow-data-loss")
	if code != 1 || !strings.Contains(stderr, "version 2 is the database's baseline") {
		t.Fatalf("past the baseline: %d %s", code, stderr)
	}
	if code, out, stderr := runCLI(t, "migrate", "down", "--url", based, "--dir", "file://"+mdir, "--dev-url", dev, "--auto-approve"); code != 0 || !strings.Contains(out, "the database is at version 2") {
		t.Fatalf("down to the baseline: %d %s %s", code, out, stderr)
	}

	// Owners and grants made outside the migrations are not differences.
	role := "down_test_owner_" + strconv.Itoa(os.Getpid())
	execSQL(t, target, "CREATE ROLE "+role, "ALTER TABLE users OWNER TO "+role, "GRANT SELECT ON orders TO "+role)
	t.Cleanup(func() { execSQL(t, target, "DROP OWNED BY "+role, "DROP ROLE "+role) })

	code, out, stderr = run("--to-version", "1", "--auto-approve", "--allow-data-loss")
	if code != 0 || !strings.Contains(out, "reverted 2 file(s): the database is at version 1") {
		t.Fatalf("down to 1: %d\n%s\n%s", code, out, stderr)
	}
	assertSameDump(t, "down to 1", schemaDump(t, pgBinDir(t), target), replayDump(t, d0, 1))
	if revisionCount(t, target) != 1 {
		t.Fatal("revisions")
	}
}

// TestMigrateDownStatementByStatement: a revert that adds an enum value
// and uses it cannot run in one transaction; it runs statement by
// statement, then the history rows go.
func TestMigrateDownStatementByStatement(t *testing.T) {
	dir := writeTemp(t, map[string]string{
		"migrations/1_status.sql": "CREATE TYPE status AS ENUM ('new', 'done');\nCREATE TABLE tasks (id int PRIMARY KEY, s status NOT NULL DEFAULT 'done');\n",
		"migrations/2_drop_done.sql": "ALTER TABLE tasks ALTER COLUMN s DROP DEFAULT;\nALTER TYPE status RENAME TO status_old;\n" +
			"CREATE TYPE status AS ENUM ('new');\nALTER TABLE tasks ALTER COLUMN s TYPE status USING s::text::status;\nDROP TYPE status_old;\n",
	})
	mdir := filepath.Join(dir, "migrations")
	if err := migrations.WriteSum(mdir); err != nil {
		t.Fatal(err)
	}
	d, err := migrations.Open(mdir)
	if err != nil {
		t.Fatal(err)
	}
	dev := devdb.ForTest(t)
	target := devdb.ForTest(t)
	if code, _, stderr := runCLI(t, "migrate", "apply", "--url", target, "--dir", "file://"+mdir); code != 0 {
		t.Fatal(stderr)
	}
	code, out, stderr := runCLI(t, "migrate", "down", "--url", target, "--dir", "file://"+mdir, "--dev-url", dev, "--auto-approve")
	if code != 0 || !strings.Contains(out, "-- atlas:txmode none") || !strings.Contains(out, "ADD VALUE 'done'") {
		t.Fatalf("down: %d\n%s\n%s", code, out, stderr)
	}
	assertSameDump(t, "statement by statement", schemaDump(t, pgBinDir(t), target), replayDump(t, d, 1))
	if revisionCount(t, target) != 1 {
		t.Fatal("revisions")
	}
}
