package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/schemactl/schemactl/devdb"
)

// TestMigrateDiffCastAndForeignData: casts, rules, foreign data and
// publications are planned like any object, with no warning that they
// are left out.
func TestMigrateDiffCastAndForeignData(t *testing.T) {
	t.Parallel()
	dir := writeTemp(t, map[string]string{"schema.sql": `CREATE TYPE pair AS (a int, b int);
CREATE FUNCTION pair_text(pair) RETURNS text LANGUAGE sql IMMUTABLE AS $$SELECT $1.a || ',' || $1.b$$;
CREATE CAST (pair AS text) WITH FUNCTION pair_text(pair) AS ASSIGNMENT;
CREATE TABLE t (id int PRIMARY KEY);
CREATE TABLE log (id int);
CREATE RULE t_log AS ON INSERT TO t DO ALSO INSERT INTO log VALUES (NEW.id);
CREATE EXTENSION postgres_fdw;
CREATE SERVER s FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'db.example');
CREATE FOREIGN TABLE ft (id int) SERVER s;
CREATE PUBLICATION p FOR TABLE t;
`})
	dev := devdb.ForTest(t)
	mdir := filepath.Join(dir, "migrations")
	code, _, stderr := runCLI(t, "migrate", "diff", "--dev-url", dev, "--to", "file://"+filepath.Join(dir, "schema.sql"), "--dir", mdir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Contains(stderr, "warning") {
		t.Errorf("stderr warns:\n%s", stderr)
	}
	files := sqlFiles(t, mdir)
	if len(files) != 1 {
		t.Fatalf("%d files", len(files))
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"CREATE CAST (public.pair AS text)", "CREATE RULE t_log", "CREATE SERVER s", "CREATE FOREIGN TABLE public.ft", "CREATE PUBLICATION p"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("migration lacks %q:\n%s", want, b)
		}
	}
}

// TestSchemaInspectHidesPasswords: no output of schema inspect holds a
// user mapping's password.
func TestSchemaInspectHidesPasswords(t *testing.T) {
	t.Parallel()
	const secret = "pw-inspect-8c1e"
	dir := writeTemp(t, map[string]string{"schema.sql": `CREATE EXTENSION postgres_fdw;
CREATE SERVER s FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'db.example');
CREATE USER MAPPING FOR PUBLIC SERVER s OPTIONS (user 'app', password '` + secret + `');
`})
	dev := devdb.ForTest(t)
	url := "file://" + filepath.Join(dir, "schema.sql")
	for _, format := range []string{"hcl", "sql", "json"} {
		code, stdout, stderr := runCLI(t, "schema", "inspect", "--dev-url", dev, "--url", url, "--format", format)
		if strings.Contains(stdout+stderr, secret) {
			t.Errorf("--format %s prints the password:\n%s\n%s", format, stdout, stderr)
		}
		switch format {
		case "hcl":
			if code != 0 || !strings.Contains(stdout, "user_mapping {") || !strings.Contains(stderr, "password option (never written)") {
				t.Errorf("--format hcl: exit %d\n%s\n%s", code, stdout, stderr)
			}
		case "sql":
			if code == 0 || !strings.Contains(stderr, "writes no password") {
				t.Errorf("--format sql: exit %d\n%s\n%s", code, stdout, stderr)
			}
		}
	}
}

// TestSubscriptionsNeverPrintConnection: no output of schema inspect or
// schema diff holds a subscription's connection string, and a live
// database's subscription is recreated on the dev database of the proof
// (without it) so that its changes are planned.
func TestSubscriptionsNeverPrintConnection(t *testing.T) {
	t.Parallel()
	const secret = "pw-sub-5e1f"
	const conn = "host=publisher.invalid dbname=app user=rep password=" + secret
	dir := writeTemp(t, map[string]string{"schema.sql": `CREATE SUBSCRIPTION feed CONNECTION '` + conn + `' PUBLICATION orders WITH (binary = true);
`})
	dev := devdb.ForTest(t)
	url := "file://" + filepath.Join(dir, "schema.sql")
	for _, format := range []string{"hcl", "sql", "json"} {
		code, stdout, stderr := runCLI(t, "schema", "inspect", "--dev-url", dev, "--url", url, "--format", format)
		if strings.Contains(stdout+stderr, secret) || strings.Contains(stdout+stderr, "publisher.invalid") {
			t.Errorf("--format %s prints the connection string:\n%s\n%s", format, stdout, stderr)
		}
		switch format {
		case "hcl":
			if code != 0 || !strings.Contains(stdout, `subscription "feed" {`) || !strings.Contains(stderr, "connection string (never written)") {
				t.Errorf("--format hcl: exit %d\n%s\n%s", code, stdout, stderr)
			}
		case "sql":
			if code == 0 || !strings.Contains(stderr, "subscription feed must be created with its connection string") {
				t.Errorf("--format sql: exit %d\n%s\n%s", code, stdout, stderr)
			}
		}
	}
	live := devdb.ForTest(t)
	db, err := sql.Open("pgx", live)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE SUBSCRIPTION feed CONNECTION '` + conn + `' PUBLICATION orders WITH (connect = false); ALTER SUBSCRIPTION feed ENABLE`); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, "schema", "diff", "--dev-url", dev, "--from", live, "--to", url)
	if code != 0 || !strings.Contains(stdout, "ALTER SUBSCRIPTION feed SET (binary = true)") || strings.Contains(stdout+stderr, secret) {
		t.Errorf("schema diff: exit %d\n%s\n%s", code, stdout, stderr)
	}
	other := strings.Replace(url, "schema.sql", "other.sql", 1)
	if err := os.WriteFile(strings.TrimPrefix(other, "file://"), []byte(`CREATE SUBSCRIPTION feed CONNECTION 'host=publisher.invalid password=`+secret+`2' PUBLICATION orders;`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = runCLI(t, "schema", "diff", "--dev-url", dev, "--from", live, "--to", other)
	if code == 0 || !strings.Contains(stderr, "the connection string of subscription feed differs") || strings.Contains(stdout+stderr, secret) {
		t.Errorf("schema diff to another connection: exit %d\n%s\n%s", code, stdout, stderr)
	}
}
