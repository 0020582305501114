package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/schemactl/schemactl/devdb"
)

// teamState is a desired state as an application team writes it: its own
// schema, trusted extensions kept in a schema of their own, a type of an
// extension in a column, an operator class of another in an index, a view,
// a trigger function, a sequence-backed identity.
const teamState = `CREATE SCHEMA extensions;
CREATE EXTENSION citext WITH SCHEMA extensions;
CREATE EXTENSION pg_trgm WITH SCHEMA extensions;
CREATE SCHEMA app;
CREATE TABLE app.users (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email extensions.citext NOT NULL UNIQUE,
  name text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_name_trgm ON app.users USING gin (name extensions.gin_trgm_ops);
CREATE TABLE app.orders (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES app.users ON DELETE CASCADE,
  total numeric(12,2) NOT NULL CHECK (total >= 0)
);
CREATE INDEX orders_user_id ON app.orders (user_id);
CREATE VIEW app.user_totals AS
  SELECT u.id, u.email, coalesce(sum(o.total), 0) AS total
  FROM app.users u LEFT JOIN app.orders o ON o.user_id = u.id GROUP BY u.id, u.email;
CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
CREATE TRIGGER users_touch BEFORE UPDATE ON app.users FOR EACH ROW EXECUTE FUNCTION app.touch();
`

// TestTeamConfiguredServer runs the main job against a server set up the
// way production servers are rather than like the embedded dev server: a
// large connection limit and lock table, pg_stat_statements preloaded and
// installed by the operators, reached over TCP as a role that is not a
// superuser (CREATEDB only), with a database whose default search_path is
// not the default. That server is both the remote dev server (--dev-url)
// and the target: migrate diff, migrate lint, migrate apply, migrate
// status, check, and schema diff of the migrated database against the
// desired state, which must find nothing to do.
func TestTeamConfiguredServer(t *testing.T) {
	ctx := context.Background()
	addr := fmt.Sprintf("127.%d.%d.%d", 1+rand.IntN(250), 1+rand.IntN(250), 1+rand.IntN(250))
	c, err := devdb.StartLocal(ctx, devdb.Options{Settings: map[string]string{
		"listen_addresses":          addr,
		"max_connections":           "300",
		"max_locks_per_transaction": "4096",
		"shared_preload_libraries":  "pg_stat_statements",
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	admin := c.URL("postgres")
	port := strings.TrimPrefix(admin[strings.Index(admin, "port="):], "port=")
	port, _, _ = strings.Cut(port, "&")
	const pw = "deployer-secret-pw"
	for _, sql := range []string{
		"CREATE ROLE deployer LOGIN CREATEDB PASSWORD '" + pw + "'",
		"CREATE DATABASE prod OWNER deployer",
		"ALTER DATABASE prod SET search_path = app, extensions, public",
		// Guard rails that teams put on their deploy roles.
		"ALTER ROLE deployer SET statement_timeout = '3s'",
		"ALTER ROLE deployer SET lock_timeout = '1s'",
		"ALTER ROLE deployer SET idle_in_transaction_session_timeout = '2s'",
		"ALTER ROLE deployer SET default_transaction_isolation = 'serializable'",
		// The role of the shared dev server has a tight statement_timeout
		// (a server shared by a team's CI jobs): scratch databases must
		// not inherit it.
		"CREATE ROLE ci LOGIN CREATEDB PASSWORD '" + pw + "'",
		"ALTER ROLE ci SET statement_timeout = '10ms'",
		"ALTER ROLE ci SET idle_in_transaction_session_timeout = '10ms'",
	} {
		execOn(t, admin, sql)
	}
	execOn(t, c.URL("prod"), "CREATE EXTENSION pg_stat_statements")
	tcpAs := func(role, db string) string {
		return fmt.Sprintf("postgres://%s:%s@%s:%s/%s?sslmode=disable", role, pw, addr, port, db)
	}
	tcp := func(db string) string { return tcpAs("deployer", db) }
	for _, s := range []string{"max_connections", "max_locks_per_transaction"} {
		t.Logf("%s = %s", s, queryOne(t, tcp("prod"), "SHOW "+s))
	}

	work := t.TempDir()
	state := filepath.Join(work, "schema.sql")
	if err := os.WriteFile(state, []byte(teamState), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(work, "migrations")
	dev := tcpAs("ci", "postgres")
	var outputs strings.Builder
	cli := func(want int, args ...string) string {
		t.Helper()
		code, out, errOut := runCLI(t, append([]string{"--dev-url", dev}, args...)...)
		outputs.WriteString(out + errOut)
		if code != want {
			t.Fatalf("%v: exit %d, want %d\n%s\n%s", args, code, want, out, errOut)
		}
		return out + errOut
	}
	cli(0, "migrate", "diff", "init", "--to", "file://"+state, "--dir", "file://"+dir)
	cli(0, "migrate", "lint", "--dir", "file://"+dir, "--latest", "1")
	cli(0, "check", "--to", "file://"+state, "--dir", "file://"+dir)
	cli(0, "migrate", "apply", "--url", tcp("prod"), "--dir", "file://"+dir)
	if out := cli(0, "migrate", "status", "--url", tcp("prod"), "--dir", "file://"+dir); !strings.Contains(out, "current") && !strings.Contains(out, "Current") {
		t.Errorf("status after apply:\n%s", out)
	}
	// The operators' extension is theirs: the migrated database equals the
	// desired state once it is left out.
	out := cli(0, "schema", "diff", "--from", tcp("prod"), "--to", "file://"+state, "--schema", "app,extensions")
	t.Logf("schema diff:\n%s", out)
	if strings.Contains(out, "CREATE") || strings.Contains(out, "DROP") || strings.Contains(out, "ALTER") {
		t.Errorf("the migrated database differs from the desired state:\n%s", out)
	}
	if got := queryOne(t, tcp("prod"), "SELECT count(*)::text FROM pg_class WHERE relnamespace = 'app'::regnamespace AND relkind IN ('r', 'v', 'i')"); got != "8" {
		t.Errorf("app holds %s tables, views and indexes, want 8", got)
	}
	// A change, planned against the directory on the same server.
	changed := strings.Replace(teamState, "DEFAULT now()\n);", "DEFAULT now(),\n  nickname extensions.citext\n);", 1)
	if err := os.WriteFile(state, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	cli(1, "check", "--to", "file://"+state, "--dir", "file://"+dir)
	cli(0, "migrate", "diff", "nickname", "--to", "file://"+state, "--dir", "file://"+dir)
	cli(0, "check", "--to", "file://"+state, "--dir", "file://"+dir)
	cli(0, "migrate", "apply", "--url", tcp("prod"), "--dir", "file://"+dir)
	if got := queryOne(t, tcp("prod"), "SELECT t.typnamespace::regnamespace::text || '.' || t.typname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid WHERE a.attrelid = 'app.users'::regclass AND a.attname = 'nickname'"); got != "extensions.citext" {
		t.Errorf("nickname is %s", got)
	}
	// No scratch database is left on the dev server.
	if got := queryOne(t, admin, "SELECT coalesce(string_agg(datname, ', '), '') FROM pg_database WHERE datname NOT IN ('postgres', 'prod', 'template0', 'template1')"); got != "" {
		t.Errorf("databases left on the server: %s", got)
	}
	if strings.Contains(outputs.String(), pw) {
		t.Error("the password was printed")
	}
}

// execOn runs sql on the database of url.
func execOn(t *testing.T, url, sql string) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}
