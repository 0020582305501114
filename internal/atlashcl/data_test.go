package atlashcl

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/migrations"
)

// envValue parses src as dir/atlas.hcl and returns env e's src values.
func envSrc(t *testing.T, dir, src, env string, vars map[string]string) (*Env, []string, error) {
	t.Helper()
	path := filepath.Join(dir, "atlas.hcl")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	e, err := LoadEnv(path, env, lookupFrom(vars))
	if err != nil {
		t.Fatal(err)
	}
	v, err := e.Src.Value()
	return e, v, err
}

func TestDataSQL(t *testing.T) {
	url := devdb.ForTest(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE TABLE tenants (name text, active bool, n int);
		INSERT INTO tenants VALUES ('acme', true, 1), ('globex', true, 2), ('initech', false, 3)`); err != nil {
		t.Fatal(err)
	}
	src := `
locals {
  url = getenv("DB_URL")
}
data "sql" "tenants" {
  url   = local.url
  query = "SELECT name FROM tenants WHERE active = $1 ORDER BY name"
  args  = [true]
}
data "sql" "numbers" {
  url   = local.url
  query = "SELECT n FROM tenants WHERE n >= $1 ORDER BY n"
  args  = [2]
}
data "sql" "none" {
  url   = local.url
  query = "SELECT name FROM tenants WHERE false"
}
env "a" {
  src     = [for t in data.sql.tenants.values : "file://${t}.sql"]
  schemas = [data.sql.tenants.value, "${data.sql.numbers.count}", "${data.sql.numbers.values[1] + 1}"]
  url     = data.sql.none.value == null ? "none" : "some"
  dev     = "${data.sql.none.count}:${length(data.sql.none.values)}"
}
env "b" {
  src = data.sql.bad.values
}
data "sql" "bad" {
  url   = local.url
  query = "SELECT nme FROM tenants"
}
`
	dir := t.TempDir()
	e, got, err := envSrc(t, dir, src, "a", map[string]string{"DB_URL": url})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"file://acme.sql", "file://globex.sql"}; !reflect.DeepEqual(got, want) {
		t.Errorf("src = %q, want %q", got, want)
	}
	if got, err := e.Schemas.Value(); err != nil || !reflect.DeepEqual(got, []string{"acme", "2", "4"}) {
		t.Errorf("schemas = %q, %v", got, err)
	}
	if got, err := e.URL.Value(); err != nil || got != "none" {
		t.Errorf("url = %q, %v", got, err)
	}
	if got, err := e.Dev.Value(); err != nil || got != "0:0" {
		t.Errorf("dev = %q, %v", got, err)
	}
	_, _, err = envSrc(t, dir, src, "b", map[string]string{"DB_URL": url})
	if err == nil || !strings.Contains(err.Error(), "atlas.hcl:28:1: data.sql.bad: query:") || !strings.Contains(err.Error(), `column "nme" does not exist`) {
		t.Errorf("bad query: %v", err)
	}
}

func TestDataSQLNoPassword(t *testing.T) {
	src := `
data "sql" "x" {
  url   = "postgres://app:s3cr3t-pw@127.0.0.1:1/db?connect_timeout=5"
  query = "SELECT 1"
}
env "a" {
  src = data.sql.x.values
}
`
	_, _, err := envSrc(t, t.TempDir(), src, "a", nil)
	if err == nil || strings.Contains(err.Error(), "s3cr3t-pw") || !strings.Contains(err.Error(), "data.sql.x: connect to") {
		t.Errorf("connection error: %v", err)
	}
	src = `
env "a" {
  src = [urlsetpath("postgres://app:s3cr3t-pw@host:bad/db", "x")]
}
`
	_, _, err = envSrc(t, t.TempDir(), src, "a", nil)
	if err == nil || strings.Contains(err.Error(), "s3cr3t-pw") || !strings.Contains(err.Error(), "atlas.hcl:3:") {
		t.Errorf("urlsetpath error: %v", err)
	}
}

func TestExternalSchema(t *testing.T) {
	dir := t.TempDir()
	src := `
data "external_schema" "ok" {
  program = ["sh", "-c", "echo 'CREATE TABLE t (id int);'"]
}
data "external_schema" "fails" {
  program = ["sh", "-c", "echo \"Traceback: no module named models, url postgres://u:s3cr3t-pw@h/db\" >&2; exit 3", "postgres://u:s3cr3t-pw@h/db"]
}
data "external_schema" "silent" {
  program = ["sh", "-c", "true"]
}
data "external_schema" "slow" {
  program = ["sleep", "30"]
}
data "external_schema" "missing" {
  program = ["no-such-program-here", "--dsn", "postgres://u:s3cr3t-pw@h/db"]
}
env "ok"      { src = data.external_schema.ok.url }
env "fails"   { src = data.external_schema.fails.url }
env "silent"  { src = data.external_schema.silent.url }
env "slow"    { src = data.external_schema.slow.url }
env "missing" { src = data.external_schema.missing.url }
env "nodata"  { src = data.external_schema.nope.url }
env "kind"    { src = data.remote_schema.x.url }
data "remote_schema" "x" {
  name = "app"
}
`
	e, got, err := envSrc(t, dir, src, "ok", nil)
	if err != nil {
		t.Fatal(err)
	}
	st, ok := e.State(got[0])
	if !ok || len(st.Parts) != 1 || string(st.Parts[0].Bytes) != "CREATE TABLE t (id int);\n" ||
		st.Parts[0].Name != `data.external_schema.ok (sh -c echo 'CREATE TABLE t (id int);')` || st.Block != "data.external_schema.ok" {
		t.Fatalf("state %q: %+v", got, st)
	}
	vars := map[string]string{"SCHEMACTL_DATA_TIMEOUT": "300ms"}
	for env, want := range map[string][]string{
		"fails":   {"atlas.hcl:5:1: data.external_schema.fails: program sh -c", "failed with exit status 3", "Traceback: no module named models"},
		"silent":  {"atlas.hcl:8:1: data.external_schema.silent: program sh -c true printed no SQL on stdout"},
		"slow":    {"atlas.hcl:11:1: data.external_schema.slow: program sleep 30 did not finish within 300ms"},
		"missing": {"program no-such-program-here --dsn postgres://u:xxxxx@h/db could not run"},
		"nodata":  {"atlas.hcl:22:23: no data source data.external_schema.nope is declared"},
		"kind":    {"atlas.hcl:24:1: data source kind \"remote_schema\" is not supported by schemactl"},
	} {
		_, _, err := envSrc(t, dir, src, env, vars)
		for _, w := range want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("env %s: %v, want %q", env, err, w)
			}
		}
		if err != nil && strings.Contains(err.Error(), "s3cr3t-pw") {
			t.Errorf("env %s: password in %v", env, err)
		}
	}
}

func TestCompositeAndHCLSchema(t *testing.T) {
	dir := t.TempDir()
	src := `
data "external_schema" "orm" {
  program = ["sh", "-c", "echo 'CREATE TABLE users (id int);'"]
}
data "composite_schema" "app" {
  schema "auth" {
    url = data.external_schema.orm.url
  }
  schema "audit" {
    url = "file://audit.sql"
  }
}
data "hcl_schema" "h" {
  paths = ["a.hcl", "b.hcl"]
  vars  = { tenant = "acme", n = 2 }
}
env "c" { src = data.composite_schema.app.url }
env "h" { src = data.hcl_schema.h.url }
env "dup" { src = data.composite_schema.dup.url }
data "composite_schema" "dup" {
  schema "a" {
    url = "file://x.sql"
  }
  schema "a" {
    url = "file://y.sql"
  }
}
`
	e, got, err := envSrc(t, dir, src, "c", nil)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := e.State(got[0])
	if st == nil || len(st.Parts) != 2 || st.Parts[0].Schema != "auth" || string(st.Parts[0].Bytes) != "CREATE TABLE users (id int);\n" ||
		st.Parts[1].Schema != "audit" || st.Parts[1].URL != "file://audit.sql" || got[0] != "mem://composite_schema/app" {
		t.Fatalf("composite %q: %+v", got, st)
	}
	e, got, err = envSrc(t, dir, src, "h", nil)
	if err != nil {
		t.Fatal(err)
	}
	st, _ = e.State(got[0])
	if st == nil || !reflect.DeepEqual(st.HCL, []string{"a.hcl", "b.hcl"}) || st.Vars["tenant"].AsString() != "acme" {
		t.Fatalf("hcl_schema: %+v", st)
	}
	if _, _, err := envSrc(t, dir, src, "dup", nil); err == nil || !strings.Contains(err.Error(), `atlas.hcl:24:3: data.composite_schema: schema "a" is given twice`) {
		t.Errorf("dup: %v", err)
	}
}

func TestTemplateDir(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir := t.TempDir()
	tpl := filepath.Join(dir, "tpl")
	for name, content := range map[string]string{
		"20240101000000_init.sql": "CREATE SCHEMA {{ .schema }};\n{{ template \"tables.tmpl\" . }}",
		"20240102000000_seed.sql": "{{ range .regions }}INSERT INTO {{ $.schema }}.regions VALUES ('{{ . }}');\n{{ end }}",
		"shared/tables.tmpl":      "CREATE TABLE {{ .schema }}.regions (name text);\n",
		"atlas.sum":               "ignored: the templates' own sum\n",
	} {
		p := filepath.Join(tpl, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	src := `
data "template_dir" "m" {
  path = "` + tpl + `"
  vars = { schema = "tenant_${atlas.env}", regions = ["eu", "us"] }
}
data "template_dir" "missing" {
  path = "` + tpl + `"
  vars = { schema = "x" }
}
env "acme" {
  migration { dir = data.template_dir.m.url }
}
env "bad" {
  migration { dir = data.template_dir.missing.url }
}
`
	path := filepath.Join(dir, "atlas.hcl")
	os.WriteFile(path, []byte(src), 0o644)
	e, err := LoadEnv(path, "acme", nil)
	if err != nil {
		t.Fatal(err)
	}
	u, err := e.Migration.Dir.Value()
	if err != nil {
		t.Fatal(err)
	}
	p, err := migrations.DirFromURL(u)
	if err != nil || filepath.Base(p) != "m" {
		t.Fatalf("dir %q: %v", u, err)
	}
	d, err := migrations.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Files) != 2 || string(d.Files[0].Bytes) != "CREATE SCHEMA tenant_acme;\nCREATE TABLE tenant_acme.regions (name text);\n" ||
		string(d.Files[1].Bytes) != "INSERT INTO tenant_acme.regions VALUES ('eu');\nINSERT INTO tenant_acme.regions VALUES ('us');\n" {
		t.Fatalf("rendered: %d files", len(d.Files))
	}
	// Rendering again reuses the directory.
	e2, _ := LoadEnv(path, "acme", nil)
	if u2, err := e2.Migration.Dir.Value(); err != nil || u2 != u {
		t.Errorf("second rendering %q, %v; want %q", u2, err, u)
	}
	e, err = LoadEnv(path, "bad", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Migration.Dir.Value(); err == nil || !strings.Contains(err.Error(), "atlas.hcl:6:1: data.template_dir.missing:") || !strings.Contains(err.Error(), `map has no entry for key "regions"`) {
		t.Errorf("missing variable: %v", err)
	}
}

func TestFunctions(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "pw.txt"), []byte("secret\n"), 0o644)
	os.MkdirAll(filepath.Join(dir, "schema", "sub"), 0o755)
	for _, n := range []string{"schema/b.sql", "schema/a.sql", "schema/sub/c.sql"} {
		os.WriteFile(filepath.Join(dir, n), nil, 0o644)
	}
	src := `
locals {
  base = "postgres://app@db:5432/app?sslmode=disable"
  pw   = trimspace(file("pw.txt"))
}
env "f" {
  src = concat(
    [urlsetpath(local.base, "tenant")],
    [urlqueryset(local.base, "search_path", "a b")],
    [urlescape("p@ss w/rd")],
    [urluserinfo(local.base, "bob", local.pw)],
    [for p in glob("schema/*.sql") : trimprefix(p, "` + dir + `/")],
    [for p in fileset("schema/**/*.sql") : trimprefix(p, "` + dir + `/")],
    [getenv("HOME_DIR"), upper("x"), jsonencode({a = 1}), tostring(startswith("abc", "ab")), format("%03d", 7)],
  )
}
`
	_, got, err := envSrc(t, dir, src, "f", map[string]string{"HOME_DIR": "/h"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"postgres://app@db:5432/tenant?sslmode=disable",
		"postgres://app@db:5432/app?search_path=a+b&sslmode=disable",
		"p%40ss+w%2Frd",
		"postgres://bob:secret@db:5432/app?sslmode=disable",
		"schema/a.sql", "schema/b.sql",
		"schema/a.sql", "schema/b.sql", "schema/sub/c.sql",
		"/h", "X", `{"a":1}`, "true", "007",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	for expr, msg := range map[string]string{
		`[getenv("UNSET_VAR")]`: "environment variable UNSET_VAR is not set",
		`[nosuchfunc("x")]`:     `There is no function named "nosuchfunc"`,
		`[local.nope]`:          `no local "nope" is declared`,
		`[file("missing.txt")]`: "missing.txt",
		`[data.sql]`:            "write data.TYPE.NAME",
	} {
		_, _, err := envSrc(t, dir, "env \"f\" {\n  src = "+expr+"\n}\n", "f", nil)
		if err == nil || !strings.Contains(err.Error(), msg) || !strings.Contains(err.Error(), "atlas.hcl:2:") {
			t.Errorf("%s: %v, want %q", expr, err, msg)
		}
	}
}

// TestSchemactlLoadsDataSources reads the project file that
// TestAtlasLoadsDataSources reads with Atlas's loader.
func TestSchemactlLoadsDataSources(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	url := devdb.ForTest(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE TABLE tenants (name text, active bool); INSERT INTO tenants VALUES ('b', true), ('a', true), ('c', false)`); err != nil {
		t.Fatal(err)
	}
	lookup := lookupFrom(map[string]string{"DB_URL": url})
	path := filepath.Join("testdata", "datasources.hcl")
	for _, env := range []string{"orm", "composite", "hcl", "tenants"} {
		e, err := LoadEnv(path, env, lookup)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range []Lazy{e.URL, e.Dev, e.Migration.Dir, e.Migration.Format} {
			if _, err := l.Value(); err != nil {
				t.Errorf("env %s: %v", env, err)
			}
		}
		for _, l := range []LazyList{e.Src, e.Schemas, e.Exclude} {
			if _, err := l.Value(); err != nil {
				t.Errorf("env %s: %v", env, err)
			}
		}
		if env == "tenants" {
			schemas, _ := e.Schemas.Value()
			dir, _ := e.Migration.Dir.Value()
			if strings.Join(schemas, ",") != "a,b" || !strings.HasSuffix(dir, "/migrations") {
				t.Errorf("env tenants: schemas %q, dir %q", schemas, dir)
			}
		}
	}
}
