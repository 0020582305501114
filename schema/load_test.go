package schema_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/migrations"
	"github.com/schemactl/schemactl/schema"
)

func tableNames(l *schema.Loaded) []string {
	var names []string
	for _, s := range l.Realm.Schemas {
		for _, t := range s.Tables {
			names = append(names, s.Name+"."+t.Name)
		}
	}
	return names
}

func hasTable(l *schema.Loaded, name string) bool {
	for _, n := range tableNames(l) {
		if n == name {
			return true
		}
	}
	return false
}

// A pg_dump of recent versions: \restrict lines, SET lines, a public
// schema created by the dump, a function body that reads a table created
// later (check_function_bodies = false).
const dumpLike = `\restrict 3fa9c0Kd2
--
-- PostgreSQL database dump
--
SET statement_timeout = 0;
SET check_function_bodies = false;
SELECT pg_catalog.set_config('search_path', '', false);

CREATE SCHEMA public;
COMMENT ON SCHEMA public IS 'standard public schema';

CREATE FUNCTION public.n_users() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM public.users $$;

CREATE TABLE public.users (
    id integer NOT NULL,
    email text
);
ALTER TABLE ONLY public.users ADD CONSTRAINT users_pkey PRIMARY KEY (id);

\unrestrict 3fa9c0Kd2
`

func TestLoadPgDump(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"dump.sql": dumpLike})
	l := mustLoad(t, "file://"+filepath.Join(dir, "dump.sql"), schema.LoadOptions{})
	if !hasTable(l, "public.users") {
		t.Fatalf("tables: %v", tableNames(l))
	}
	var found bool
	for _, o := range schema.Objects(l.State.Realm) {
		if o.Ref().String() == "function public.n_users()" {
			found = true
		}
	}
	if !found {
		t.Errorf("the function is not modelled: %v", schema.Objects(l.State.Realm))
	}
}

func TestLoadSQLErrorPosition(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"a.sql": "CREATE TABLE a (id int);\n\nCREATE TABLE b (\n  id nosuchtype\n);\nCREATE TABLE c (id int REFERENCES missing);\n"})
	_, err := schema.Load(context.Background(), "file://"+filepath.Join(dir, "a.sql"), schema.LoadOptions{Dev: dev(t)})
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, want := range []string{filepath.Join(dir, "a.sql") + ":4:6:", `type "nosuchtype" does not exist`, "42704"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
}

func TestLoadDirectoryAndGlob(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"schema/01_types.sql":  "CREATE TYPE status AS ENUM ('on', 'off');",
		"schema/02_tables.sql": "CREATE TABLE things (s status);",
		"schema/notes.txt":     "not SQL",
	})
	l := mustLoad(t, "file://"+filepath.Join(dir, "schema")+"/", schema.LoadOptions{})
	if !hasTable(l, "public.things") {
		t.Fatalf("tables: %v", tableNames(l))
	}
	g := mustLoad(t, "file://"+filepath.Join(dir, "schema", "0*.sql"), schema.LoadOptions{})
	if !hasTable(g, "public.things") {
		t.Fatalf("glob tables: %v", tableNames(g))
	}
}

// TestLoadBigSchema loads 3000 tables, each with an index, from one file
// in one transaction: the dev cluster's lock table must hold them.
func TestLoadBigSchema(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for i := 0; i < 3000; i++ {
		fmt.Fprintf(&b, "CREATE TABLE t%04d (id int PRIMARY KEY, v text);\nCREATE INDEX t%04d_v ON t%04d (v);\n", i, i, i)
	}
	dir := writeFiles(t, map[string]string{"big.sql": b.String()})
	l := mustLoad(t, "file://"+filepath.Join(dir, "big.sql"), schema.LoadOptions{})
	if n := len(tableNames(l)); n != 3000 {
		t.Fatalf("%d tables", n)
	}
	if n := len(l.Catalog.Tables[0].Indexes); n != 2 {
		t.Fatalf("%d indexes on %s", n, l.Catalog.Tables[0].Name)
	}
}

func TestLoadDevBaseline(t *testing.T) {
	t.Parallel()
	role := "schemactl_test_app_" + strings.ReplaceAll(strings.ToLower(t.Name()), "/", "_")
	dir := writeFiles(t, map[string]string{
		"baseline.sql": fmt.Sprintf("CREATE ROLE %s;\nCREATE SCHEMA shared;\nCREATE FUNCTION shared.now_utc() RETURNS timestamp LANGUAGE sql AS 'SELECT now() AT TIME ZONE ''UTC''';\n", role),
		"schema.sql":   fmt.Sprintf("CREATE TABLE t (id int, at timestamp DEFAULT shared.now_utc());\nALTER TABLE t OWNER TO %s;\n", role),
	})
	opts := schema.LoadOptions{Baseline: "file://" + filepath.Join(dir, "baseline.sql")}
	// Twice on the same server: the role exists the second time.
	a := mustLoad(t, "file://"+filepath.Join(dir, "schema.sql"), opts)
	b := mustLoad(t, "file://"+filepath.Join(dir, "schema.sql"), opts)
	for _, l := range []*schema.Loaded{a, b} {
		if !hasTable(l, "public.t") {
			t.Fatalf("tables: %v", tableNames(l))
		}
		for _, o := range l.Unmodelled() {
			if o.Kind == schema.KindFunction {
				t.Errorf("the baseline's function is reported: %v", o)
			}
		}
	}
	if _, err := a.DB.Exec("DROP OWNED BY " + role); err != nil {
		t.Log(err)
	}
	if _, err := b.DB.Exec("DROP OWNED BY " + role + "; DROP ROLE " + role); err != nil {
		t.Log(err)
	}
}

func TestLoadHCL(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"hcl/schema.hcl": `schema "public" {}
enum "status" {
  schema = schema.public
  values = ["on", "off"]
}`,
		"hcl/tables.hcl": `table "users" {
  schema = schema.public
  column "id" {
    type = int
  }
  column "status" {
    type = enum.status
  }
  primary_key {
    columns = [column.id]
  }
}`,
	})
	l := mustLoad(t, "file://"+filepath.Join(dir, "hcl"), schema.LoadOptions{})
	if !hasTable(l, "public.users") {
		t.Fatalf("tables: %v", tableNames(l))
	}
	if _, ok := l.Catalog.Enum(schema.QName{Schema: "public", Name: "status"}); !ok {
		t.Fatalf("enum missing: %+v", l.Catalog.Enums)
	}
	bad := writeFiles(t, map[string]string{"bad.hcl": "table \"x\" {\n  schema = schema.public\n  column \"id\" {\n    type = \n  }\n}\n"})
	_, err := schema.Load(context.Background(), "file://"+filepath.Join(bad, "bad.hcl"), schema.LoadOptions{Dev: dev(t)})
	if err == nil || !strings.Contains(err.Error(), filepath.Join(bad, "bad.hcl")+":4:") {
		t.Fatalf("want an error at bad.hcl:4, got %v", err)
	}
	unknown := writeFiles(t, map[string]string{"u.hcl": "schema \"public\" {}\ntable \"x\" {\n  schema = schema.public\n  column \"id\" {\n    type = nosuchtype\n  }\n}\n"})
	_, err = schema.Load(context.Background(), "file://"+filepath.Join(unknown, "u.hcl"), schema.LoadOptions{Dev: dev(t)})
	if err == nil || !strings.Contains(err.Error(), filepath.Join(unknown, "u.hcl")+":5:12:") || !strings.Contains(err.Error(), "nosuchtype") {
		t.Fatalf("want an error at u.hcl:5:12, got %v", err)
	}
}

func TestLoadMigrationDirectory(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"migrations/20240101000000_users.sql": "CREATE TABLE users (id int PRIMARY KEY);\n",
		"migrations/20240102000000_email.sql": "ALTER TABLE users ADD COLUMN email text;\n",
	})
	mdir := filepath.Join(dir, "migrations")
	if err := migrations.WriteSum(mdir); err != nil {
		t.Fatal(err)
	}
	l := mustLoad(t, "file://"+mdir, schema.LoadOptions{})
	ti, ok := l.Catalog.Table(schema.QName{Schema: "public", Name: "users"})
	if !ok || len(ti.Columns) != 2 {
		t.Fatalf("users: %+v", ti)
	}
	// An edited file breaks atlas.sum.
	if err := os.WriteFile(filepath.Join(mdir, "20240102000000_email.sql"), []byte("ALTER TABLE users ADD COLUMN mail text;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := schema.Load(context.Background(), "file://"+mdir, schema.LoadOptions{Dev: dev(t)}); err == nil || !strings.Contains(err.Error(), "atlas.sum") {
		t.Fatalf("want an atlas.sum error, got %v", err)
	}
}

func TestLoadLiveDatabase(t *testing.T) {
	t.Parallel()
	url := devdb.ForTest(t)
	db, err := schema.OpenDB(url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE TABLE live (id int); CREATE VIEW live_v AS SELECT * FROM live;"); err != nil {
		t.Fatal(err)
	}
	l := mustLoad(t, url, schema.LoadOptions{})
	if l.IsDev() || !hasTable(l, "public.live") {
		t.Fatalf("live: dev=%v tables=%v", l.IsDev(), tableNames(l))
	}
	if len(l.Unmodelled()) != 0 || schema.ObjectCounts(l.State.Realm)[schema.PgKindView] != 1 {
		t.Fatalf("unmodelled: %v, objects: %v", l.Unmodelled(), schema.Objects(l.State.Realm))
	}
}

func TestLoadScope(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"s.sql": `
CREATE SCHEMA a; CREATE SCHEMA b;
CREATE TABLE a.keep (id int); CREATE TABLE a.tmp_x (id int); CREATE TABLE b.other (id int);
CREATE SEQUENCE a.tmp_seq; CREATE VIEW a.tmp_v AS SELECT 1 AS one;`})
	l := mustLoad(t, "file://"+filepath.Join(dir, "s.sql"), schema.LoadOptions{Scope: schema.Scope{Schemas: []string{"a"}, Exclude: []string{"a.tmp_*"}}})
	if got := strings.Join(tableNames(l), ","); got != "a.keep" {
		t.Fatalf("tables: %s", got)
	}
	if len(l.Catalog.Sequences) != 0 || len(l.Unmodelled()) != 0 {
		t.Fatalf("excluded objects remain: %+v %v", l.Catalog.Sequences, l.Unmodelled())
	}
}

func TestParseSource(t *testing.T) {
	dir := writeFiles(t, map[string]string{"x.sql": "", "y.hcl": "", "m/atlas.sum": "", "mixed/a.sql": "", "mixed/b.hcl": ""})
	for _, tc := range []struct {
		url  string
		kind schema.SourceKind
		err  string
	}{
		{url: "postgres://u:pw@h/db", kind: schema.SourceDatabase},
		{url: "file://" + filepath.Join(dir, "x.sql"), kind: schema.SourceSQL},
		{url: "file://" + filepath.Join(dir, "y.hcl"), kind: schema.SourceHCL},
		{url: "file://" + filepath.Join(dir, "m"), kind: schema.SourceMigrations},
		{url: filepath.Join(dir, "x.sql"), kind: schema.SourceSQL},
		{url: "file://" + filepath.Join(dir, "mixed"), err: "mixes"},
		{url: "file://" + filepath.Join(dir, "none*.sql"), err: "matches no file"},
		{url: "mysql://x", err: "unsupported"},
	} {
		src, err := schema.ParseSource(tc.url)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: want error %q, got %v", tc.url, tc.err, err)
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v", tc.url, err)
		case tc.err == "" && src.Kind != tc.kind:
			t.Errorf("%s: kind %v, want %v", tc.url, src.Kind, tc.kind)
		}
	}
}

// TestLoadDevBaselineRoleCreatedMeanwhile: two dev databases on one
// server run the same baseline at the same time (migrate diff loads both
// sides at once). When the other one creates the role first, PostgreSQL
// reports a unique violation, not "already exists": the role exists all
// the same and the baseline goes on. Deterministic: the other creation is
// held open until this one waits for it.
func TestLoadDevBaselineRoleCreatedMeanwhile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	role := "schemactl_test_meanwhile_" + fmt.Sprint(os.Getpid())
	dir := writeFiles(t, map[string]string{"baseline.sql": "CREATE ROLE " + role + ";\n"})
	other, err := pgconn.Connect(ctx, devdb.ForTest(t))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	t.Cleanup(func() { other.Exec(ctx, "DROP ROLE IF EXISTS "+role).ReadAll() })
	if _, err := other.Exec(ctx, "BEGIN; CREATE ROLE "+role).ReadAll(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- schema.ApplyBaseline(ctx, devdb.ForTest(t), "file://"+filepath.Join(dir, "baseline.sql"))
	}()
	watch, err := pgconn.Connect(ctx, devdb.ForTest(t))
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Close(ctx)
	for deadline := time.Now().Add(time.Minute); ; {
		res, err := watch.Exec(ctx, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%CREATE ROLE "+role+"%'").ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if string(res[0].Rows[0][0]) == "1" {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("the baseline ended before the other creation committed: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the baseline's CREATE ROLE never waited for the other one")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := other.Exec(ctx, "COMMIT").ReadAll(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("baseline: %v", err)
	}
}

// TestLoadDropsAndCreatesPublic: a state that uses the public schema,
// drops it and creates it again (as some test fixtures do) loads as psql
// loads it: public exists until the state drops it.
func TestLoadDropsAndCreatesPublic(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"s.sql": `CREATE EXTENSION IF NOT EXISTS pgcrypto;
DROP SCHEMA IF EXISTS app, public CASCADE;
CREATE SCHEMA public;
CREATE TABLE public.t (id uuid);
`})
	l := mustLoad(t, "file://"+filepath.Join(dir, "s.sql"), schema.LoadOptions{})
	if !hasTable(l, "public.t") {
		t.Fatalf("tables: %v", tableNames(l))
	}
}
