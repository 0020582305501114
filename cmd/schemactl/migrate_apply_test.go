package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/internal/corpus"
	"github.com/schemactl/schemactl/migrations"
)

// migrationDir writes files (name -> content) and their atlas.sum into a
// new directory.
func migrationDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := migrations.WriteSum(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// copyKratos copies the kratos migrations of the corpus into a new
// directory with an atlas.sum.
func copyKratos(t testing.TB) string {
	t.Helper()
	src := corpus.Require(t, "kratos", "migrations")
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Skipf("kratos corpus not available: %v", err)
	}
	dir := t.TempDir()
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
	return dir
}

func queryOne(t *testing.T, url, sql string) string {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var s string
	if err := conn.QueryRow(context.Background(), sql).Scan(&s); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return s
}

func TestMigrateApplyKratos(t *testing.T) {
	dir := copyKratos(t)
	url := devdb.ForTest(t)
	code, out, stderr := runCLI(t, "migrate", "status", "--url", url, "--dir", "file://"+dir)
	if code != exitStatusPending || !strings.Contains(out, "Migration Status: PENDING") || !strings.Contains(out, "Pending Files:   346") {
		t.Fatalf("status before: exit %d\n%s%s", code, out, stderr)
	}
	code, out, stderr = runCLI(t, "migrate", "apply", "--url", url, "--dir", "file://"+dir)
	if code != 0 {
		t.Fatalf("apply: exit %d\n%s", code, stderr)
	}
	if strings.Count(out, "\nok  ") != 345 || !regexp.MustCompile(`Migrated to version \d+ from an empty history \(346 files, \d+ statements\)`).MatchString(out) {
		t.Fatalf("apply output:\n%s", out)
	}
	code, out, stderr = runCLI(t, "migrate", "status", "--url", url, "--dir", dir)
	if code != 0 || !strings.Contains(out, "Migration Status: OK") || !strings.Contains(out, "Next Version:    Already at latest version") {
		t.Fatalf("status after: exit %d\n%s%s", code, out, stderr)
	}
	if n := queryOne(t, url, `SELECT count(*)::text FROM atlas_schema_revisions.atlas_schema_revisions WHERE applied = total AND type = 2 AND error = ''`); n != "346" {
		t.Fatalf("%s applied revisions", n)
	}
	// The -- atlas:txmode none files ran without a transaction: their
	// concurrently built indexes are valid.
	if n := queryOne(t, url, `SELECT count(*)::text FROM pg_index WHERE NOT indisvalid`); n != "0" {
		t.Fatalf("%s invalid indexes", n)
	}
	code, out, _ = runCLI(t, "migrate", "apply", "--url", url, "--dir", dir)
	if code != 0 || out != "No migration files to execute\n" {
		t.Fatalf("second apply: exit %d %q", code, out)
	}
}

func TestMigrateApplyErrorStatusSet(t *testing.T) {
	url := devdb.ForTest(t)
	files := map[string]string{
		"1_a.sql": "CREATE TABLE a (id int);\n",
		"2_b.sql": "CREATE TABLE b (id int);\n\nALTER TABLE b ADD COLUMN name txt;\n",
		"3_c.sql": "CREATE TABLE c (id int);\n",
	}
	dir := migrationDir(t, files)
	code, out, stderr := runCLI(t, "migrate", "apply", "--url", url, "--dir", dir)
	want := filepath.Join(dir, "2_b.sql") + `:3:31: ALTER TABLE b ADD COLUMN name txt: type "txt" does not exist (SQLSTATE 42704)` + "\n"
	if code != 1 || stderr != want {
		t.Fatalf("apply: exit %d\nstderr %q\nwant   %q", code, stderr, want)
	}
	if !strings.Contains(out, "ok    1_a.sql  1 statements") || !strings.Contains(out, "FAIL  2_b.sql  0 of 2 statements") {
		t.Fatalf("progress lines:\n%s", out)
	}
	code, out, _ = runCLI(t, "migrate", "status", "--url", url, "--dir", dir)
	if code != exitStatusFailed || !strings.HasPrefix(out, "Migration Status: FAILED\n") || !strings.Contains(out, `-- ERROR: ERROR: type "txt" does not exist (SQLSTATE 42704)`) || !strings.Contains(out, "-- SQL:   ALTER TABLE b ADD COLUMN name txt;") {
		t.Fatalf("status: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, "migrate", "status", "--url", url, "--dir", dir, "--format", "json")
	var st migrations.Status
	if err := json.Unmarshal([]byte(out), &st); code != exitStatusFailed || err != nil || st.Status != migrations.StatusFailed || st.Failed != "2" || st.Current != "2" || len(st.Pending) != 2 {
		t.Fatalf("status json: exit %d, %v\n%s", code, err, out)
	}
	code, out, _ = runCLI(t, "migrate", "status", "--url", url, "--dir", dir, "--format", "{{ .Current }} {{ len .Pending }} {{ json .Failed }}")
	if code != exitStatusFailed || out != `2 2 "2"` {
		t.Fatalf("status template: exit %d %q", code, out)
	}
	// Marking 2 as done by hand: 3 is pending, exit code 3.
	code, out, stderr = runCLI(t, "migrate", "set", "2", "--url", url, "--dir", dir)
	if code != 0 || out != "Current version is 2 (1 set):\n  + 2 (b)\n" {
		t.Fatalf("set: exit %d %q %q", code, out, stderr)
	}
	if code, out, _ = runCLI(t, "migrate", "status", "--url", url, "--dir", dir); code != exitStatusPending {
		t.Fatalf("status after set: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, "migrate", "apply", "--url", url, "--dir", dir, "--dry-run")
	if code != 0 || out != "-- "+filepath.Join(dir, "3_c.sql")+": 1 statements, in a transaction\nCREATE TABLE c (id int);\n" {
		t.Fatalf("dry run: exit %d %q", code, out)
	}
	code, out, stderr = runCLI(t, "migrate", "apply", "1", "--url", url, "--dir", dir)
	if code != 0 || !strings.Contains(out, "Migrated to version 3 from 2 (1 files, 1 statements)") {
		t.Fatalf("apply 1: exit %d %q %q", code, out, stderr)
	}
	if code, _, _ := runCLI(t, "migrate", "status", "--url", url, "--dir", dir); code != 0 {
		t.Fatalf("status at the end: exit %d", code)
	}
}

func TestMigrateApplyUsageErrors(t *testing.T) {
	dir := migrationDir(t, map[string]string{"1_a.sql": "SELECT 1;\n"})
	for _, args := range [][]string{
		{"migrate", "apply", "--dir", dir, "zero"},
		{"migrate", "apply", "--dir", dir, "0"},
		{"migrate", "apply", "--dir", dir, "1", "2"},
		{"migrate", "apply", "--dir", dir, "--tx-mode", "some"},
		{"migrate", "apply", "--dir", dir, "--exec-order", "random"},
		{"migrate", "apply", "--dir", dir, "--baseline", "1", "--allow-dirty"},
		{"migrate", "status", "--dir", dir, "--format", "{{ .Nope"},
		{"migrate", "status", "--dir", dir, "extra"},
		{"migrate", "set", "1", "2", "--dir", dir},
	} {
		if code, _, stderr := runCLI(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, stderr)
		}
	}
}

// TestMigratePasswordNeverPrinted gives the password in --url to apply,
// status and set, on a database that accepts the connection and on one
// that does not exist: it must not appear in any output, error or in the
// history.
func TestMigratePasswordNeverPrinted(t *testing.T) {
	const secret = "Zq7-hunter2-pw"
	url := devdb.ForTest(t)
	withPW := strings.Replace(url, "postgres@", "postgres:"+secret+"@", 1)
	dir := migrationDir(t, map[string]string{
		"1_a.sql": "CREATE TABLE a (id int);\n",
		"2_b.sql": "SELECT nosuch;\n",
	})
	var all strings.Builder
	for _, args := range [][]string{
		{"migrate", "set", "1", "--url", withPW, "--dir", dir},
		{"migrate", "apply", "--url", withPW, "--dir", dir},
		{"migrate", "apply", "--url", withPW, "--dir", dir, "--dry-run"},
		{"migrate", "status", "--url", withPW, "--dir", dir},
		{"migrate", "status", "--url", withPW, "--dir", dir, "--format", "json"},
		{"migrate", "apply", "--url", strings.Replace(withPW, "/schemactl_", "/nosuchdb_", 1), "--dir", dir},
		{"migrate", "status", "--url", "postgres://u:" + secret + "@/db?host=/nonexistent-dir", "--dir", dir, "--connect-timeout", "300ms"},
		{"migrate", "apply", "--url", "postgres://u:" + secret + "@127.0.0.1:1/db", "--dir", dir, "--connect-timeout", "0"},
		{"migrate", "apply", "--url", "postgres://u:" + secret + "@[bad/db", "--dir", dir},
	} {
		code, out, stderr := runCLI(t, args...)
		if code == 0 && args[1] == "apply" && !strings.Contains(strings.Join(args, " "), "dry-run") {
			t.Errorf("%v: exit 0, want a failure", args)
		}
		all.WriteString(out + stderr)
	}
	if strings.Contains(all.String(), secret) {
		t.Fatalf("password printed:\n%s", all.String())
	}
	hist := queryOne(t, url, `SELECT string_agg(r::text, E'\n') FROM atlas_schema_revisions.atlas_schema_revisions r`)
	if strings.Contains(hist, secret) || !strings.Contains(hist, "nosuch") {
		t.Fatalf("history:\n%s", hist)
	}
}

func TestMigrateApplyFormat(t *testing.T) {
	url := devdb.ForTest(t)
	dir := migrationDir(t, map[string]string{
		"1_a.sql": "CREATE TABLE a (id int);\nCREATE TABLE a2 (id int);\n",
		"2_b.sql": "CREATE TABLE b (id int);\n\nALTER TABLE b ADD COLUMN name txt;\n",
		"3_c.sql": "CREATE TABLE c (id int);\n",
	})
	code, out, stderr := runCLI(t, "migrate", "apply", "--url", url, "--dir", dir, "--format", "json")
	if code != 1 || !strings.Contains(stderr, "SQLSTATE 42704") {
		t.Fatalf("apply: exit %d, stderr %q", code, stderr)
	}
	var v applyView
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if v.Current != "1" || v.Target != "3" || len(v.Applied) != 2 || v.Applied[0].Statements != 2 ||
		v.Applied[1].Error == "" || v.Pending != 2 || !strings.Contains(v.Error, "txt") {
		t.Fatalf("report: %+v", v)
	}
	// Fix the file (and the sum), then a template prints the new version.
	os.WriteFile(filepath.Join(strings.TrimPrefix(dir, "file://"), "2_b.sql"), []byte("CREATE TABLE b (id int);\n\nALTER TABLE b ADD COLUMN name text;\n"), 0o644)
	if code, _, stderr := runCLI(t, "migrate", "hash", "--dir", dir); code != 0 {
		t.Fatal(stderr)
	}
	code, out, stderr = runCLI(t, "migrate", "apply", "--url", url, "--dir", dir, "--format", "{{ .Previous }}->{{ .Current }} {{ len .Applied }}")
	if code != 0 || out != "2->3 2" {
		t.Fatalf("template: exit %d %q %q", code, out, stderr)
	}
	if code, _, _ := runCLI(t, "migrate", "apply", "--url", url, "--dir", dir, "--format", "{{ .Nope"); code != 2 {
		t.Fatalf("bad template: exit %d, want 2", code)
	}
}

// TestSchemaCommandsLeaveHistoryAlone: a declarative apply or an inspection
// of a migrated database never sees, nor drops, the migration history.
func TestSchemaCommandsLeaveHistoryAlone(t *testing.T) {
	url := devdb.ForTest(t)
	dir := migrationDir(t, map[string]string{"1_t.sql": "CREATE TABLE t (id bigint PRIMARY KEY);\n"})
	if code, _, stderr := runCLI(t, "migrate", "apply", "--url", url, "--dir", dir); code != 0 {
		t.Fatal(stderr)
	}
	code, out, stderr := runCLI(t, "schema", "inspect", "--url", url)
	if code != 0 || strings.Contains(out, "atlas_schema_revisions") {
		t.Fatalf("inspect: exit %d %s\n%s", code, stderr, out)
	}
	desired := filepath.Join(t.TempDir(), "desired.sql")
	os.WriteFile(desired, []byte("CREATE TABLE t (id bigint PRIMARY KEY, v text);\n"), 0o644)
	code, out, stderr = runCLI(t, "schema", "apply", "--url", url, "--to", "file://"+desired, "--auto-approve")
	if code != 0 || strings.Contains(out, "DROP") || !strings.Contains(out, `ADD COLUMN "v"`) {
		t.Fatalf("apply: exit %d %s\n%s", code, stderr, out)
	}
	if code, out, _ := runCLI(t, "migrate", "status", "--url", url, "--dir", dir); code != 0 {
		t.Fatalf("history damaged: status exit %d\n%s", code, out)
	}
}
