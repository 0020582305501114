package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/devdb"
)

// ormPython returns the directory of a python3 that has SQLAlchemy (the
// first on PATH, else the system's), skipping the test without one
// except in CI, which installs it (.ci/run).
func ormPython(t *testing.T) string {
	t.Helper()
	var tried []string
	for _, name := range []string{"python3", "/usr/bin/python3"} {
		p, err := exec.LookPath(name)
		if err != nil {
			continue
		}
		tried = append(tried, p)
		if exec.Command(p, "-c", "import sqlalchemy").Run() == nil {
			return filepath.Dir(p)
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("no python3 with SQLAlchemy (tried %q); .ci/run installs python3-sqlalchemy", tried)
	}
	t.Skipf("no python3 with SQLAlchemy (tried %q): apt-get install python3-sqlalchemy", tried)
	return ""
}

// copyORMExample copies example/orm into a temporary directory.
func copyORMExample(t *testing.T) string {
	t.Helper()
	root := filepath.Join("..", "..", "example", "orm")
	files := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.Contains(p, "__pycache__") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		files[rel] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return writeTemp(t, files)
}

// TestORMFlowEndToEnd runs the ORM example's whole flow for real, as a
// team does: the shipped models and migrations are in sync; a model
// change and `make create-migrations` write a migration file, atlas.sum
// and the deploy template's pin; `make check-migrations` is green; a
// model change whose migration was written by hand, without
// create-migrations, makes check fail naming the drift and the stale
// pin; create-migrations repairs both; the directory is applied to a
// target; `migrate down 1` leaves the target equal to the directory
// replayed without its last file.
func TestORMFlowEndToEnd(t *testing.T) {
	py := ormPython(t)
	t.Setenv("PATH", py+string(os.PathListSeparator)+os.Getenv("PATH"))
	dev := devdb.ForTest(t)
	t.Setenv("SCHEMACTL_DEV_URL", dev)
	dir := copyORMExample(t)
	t.Chdir(dir)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// make runs the example's Makefile with this test binary as schemactl.
	make := func(args ...string) (string, error) {
		cmd := exec.Command("make", append(args, "SCHEMACTL="+self)...)
		cmd.Env = append(os.Environ(), "SCHEMACTL_TEST_RUN_MAIN=1")
		b, err := cmd.CombinedOutput()
		return string(b), err
	}
	pinned := func() string {
		b, err := os.ReadFile(filepath.Join("deploy", "template.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		_, v, _ := strings.Cut(string(b), "MigrationHash: ")
		v, _, _ = strings.Cut(v, "\n")
		return strings.Trim(v, `"`)
	}
	dirHash := func() string {
		b, err := os.ReadFile(filepath.Join("migrations", "atlas.sum"))
		if err != nil {
			t.Fatal(err)
		}
		line, _, _ := strings.Cut(string(b), "\n")
		return strings.TrimPrefix(line, "h1:")
	}
	editModels := func(old, new string) {
		t.Helper()
		b, err := os.ReadFile("models.py")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), old) {
			t.Fatalf("models.py lacks %q", old)
		}
		os.WriteFile("models.py", []byte(strings.Replace(string(b), old, new, 1)), 0o644)
	}

	// The shipped example is in sync, its pin current.
	if out, err := make("check-migrations"); err != nil || !strings.Contains(out, "in sync with data.external_schema.sqlalchemy") {
		t.Fatalf("check-migrations on the shipped example: %v\n%s", err, out)
	}
	if pinned() != dirHash() {
		t.Fatalf("shipped pin %q, directory hash %q", pinned(), dirHash())
	}

	// A model change, and create-migrations: a file, atlas.sum, the pin.
	lentAt := "server_default=func.now())\n"
	dueAt := "    due_at = Column(DateTime(timezone=True))\n"
	editModels(lentAt, lentAt+dueAt)
	before := dirHash()
	if out, err := make("create-migrations", "NAME=add_due_at"); err != nil {
		t.Fatalf("create-migrations: %v\n%s", err, out)
	}
	files, _ := filepath.Glob(filepath.Join("migrations", "*_add_due_at.sql"))
	if len(files) != 1 {
		t.Fatalf("migration files: %q", files)
	}
	if b, _ := os.ReadFile(files[0]); !strings.Contains(string(b), `ALTER TABLE "public"."loans" ADD COLUMN "due_at" timestamptz NULL;`) {
		t.Errorf("%s:\n%s", files[0], b)
	}
	if dirHash() == before || pinned() != dirHash() {
		t.Fatalf("after create-migrations: pin %q, atlas.sum %q (before %q)", pinned(), dirHash(), before)
	}
	if out, err := make("check-migrations"); err != nil {
		t.Fatalf("check-migrations after create-migrations: %v\n%s", err, out)
	}

	// Two more columns; a migration written by hand for one of them and
	// hashed without the env: the drift and the stale pin are named.
	editModels(dueAt, dueAt+"    returned_at = Column(DateTime(timezone=True))\n    note = Column(Text)\n")
	byHand := filepath.Join("migrations", "20991231000000_returned_at.sql")
	os.WriteFile(byHand, []byte("ALTER TABLE loans ADD COLUMN returned_at timestamptz;\n"), 0o644)
	if code, _, stderr := runCLI(t, "migrate", "hash", "--dir", "file://migrations"); code != 0 {
		t.Fatal(stderr)
	}
	stale := pinned()
	out, err := make("check-migrations")
	if err == nil {
		t.Fatalf("check-migrations passed with a model change and a stale pin:\n%s", out)
	}
	for _, want := range []string{
		`ALTER TABLE "public"."loans" ADD COLUMN "note" text NULL;`,
		"not in sync",
		`deploy/template.yaml:19: pin "deploy" (Resources.SchemaMigration.Properties.MigrationHash) is stale: found "` + stale + `", expected "` + dirHash() + `"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("check-migrations output lacks %q:\n%s", want, out)
		}
	}
	if out, err := make("create-migrations", "NAME=add_note"); err != nil {
		t.Fatalf("create-migrations: %v\n%s", err, out)
	}
	if out, err := make("check-migrations"); err != nil || pinned() != dirHash() {
		t.Fatalf("check-migrations after the repair (pin %q, hash %q): %v\n%s", pinned(), dirHash(), err, out)
	}

	// Apply to a target, then revert the last file.
	target := devdb.ForTest(t)
	if code, out, stderr := runCLI(t, "migrate", "apply", "--env", "orm", "--url", target); code != 0 {
		t.Fatalf("migrate apply: exit %d\n%s\n%s", code, out, stderr)
	}
	if code, out, _ := runCLI(t, "migrate", "status", "--env", "orm", "--url", target); code != 0 || !strings.Contains(out, "Executed Files:  4") || !strings.Contains(out, "Pending Files:   0") {
		t.Fatalf("migrate status after apply: exit %d\n%s", code, out)
	}
	if code, out, stderr := runCLI(t, "migrate", "down", "1", "--env", "orm", "--url", target, "--dev-url", dev, "--auto-approve"); code != 0 {
		t.Fatalf("migrate down 1: exit %d\n%s\n%s", code, out, stderr)
	}
	// The directory without its last file, replayed on a fresh database.
	all, _ := filepath.Glob(filepath.Join("migrations", "*.sql"))
	sort.Strings(all)
	trimmed := t.TempDir()
	for _, f := range all[:len(all)-1] {
		b, _ := os.ReadFile(f)
		os.WriteFile(filepath.Join(trimmed, filepath.Base(f)), b, 0o644)
	}
	if code, _, stderr := runCLI(t, "migrate", "hash", "--dir", "file://"+trimmed); code != 0 {
		t.Fatal(stderr)
	}
	ref := devdb.ForTest(t)
	if code, out, stderr := runCLI(t, "migrate", "apply", "--dir", "file://"+trimmed, "--url", ref); code != 0 {
		t.Fatalf("replay without the last file: exit %d\n%s\n%s", code, out, stderr)
	}
	_, got, _ := runCLI(t, "schema", "inspect", "--url", target)
	_, want, _ := runCLI(t, "schema", "inspect", "--url", ref)
	if got != want || !strings.Contains(got, "returned_at") || strings.Contains(got, `"note"`) {
		t.Fatalf("after migrate down 1 the target is\n%s\nthe directory without its last file gives\n%s", got, want)
	}
	// Exit 3: a file is pending again.
	if code, out, _ := runCLI(t, "migrate", "status", "--env", "orm", "--url", target); code != 3 || !strings.Contains(out, "Executed Files:  3") || !strings.Contains(out, "Pending Files:   1") {
		t.Errorf("migrate status after migrate down 1: exit %d\n%s", code, out)
	}
}

// TestExternalSchemaErrors: a program's failure and an error in its SQL
// name the program; the SQL error is at its line and column.
func TestExternalSchemaErrors(t *testing.T) {
	dev := devdb.ForTest(t)
	dir := writeTemp(t, map[string]string{
		"atlas.hcl": `
data "external_schema" "bad_sql" {
  program = ["sh", "-c", "printf 'CREATE TABLE a (id int);\n  CREATE TABLEX b (id int);\n'"]
}
data "external_schema" "fails" {
  program = ["sh", "-c", "echo 'ModuleNotFoundError: models' >&2; exit 2"]
}
env "bad_sql" {
  src = data.external_schema.bad_sql.url
}
env "fails" {
  src = data.external_schema.fails.url
}
`,
	})
	t.Chdir(dir)
	code, _, stderr := runCLI(t, "migrate", "diff", "--env", "bad_sql", "--dev-url", dev)
	if code == 0 || !strings.Contains(stderr, `data.external_schema.bad_sql (sh -c printf 'CREATE TABLE a (id int);`) || !strings.Contains(stderr, "):2:10: ") || !strings.Contains(stderr, "TABLEX") {
		t.Errorf("SQL error: exit %d\n%s", code, stderr)
	}
	code, _, stderr = runCLI(t, "check", "--env", "fails", "--dev-url", dev)
	if code == 0 || !strings.Contains(stderr, "atlas.hcl:5:1: data.external_schema.fails: program sh -c") || !strings.Contains(stderr, "exit status 2") || !strings.Contains(stderr, "ModuleNotFoundError: models") {
		t.Errorf("failing program: exit %d\n%s", code, stderr)
	}
	if entries, _ := os.ReadDir("migrations"); len(entries) != 0 {
		t.Errorf("a failed diff wrote %d files", len(entries))
	}
}

// TestCompositeHCLTemplateSources: a composite_schema loads each part
// into its schema, an hcl_schema reads its variables, and a template_dir
// is applied as a rendered migration directory.
func TestCompositeHCLTemplateSources(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dev := devdb.ForTest(t)
	dir := writeTemp(t, map[string]string{
		"audit.sql": "CREATE TABLE events (id bigint PRIMARY KEY, at timestamptz);\n",
		"schema.hcl": `
variable "tenant" {
  type = string
}
schema "public" {}
table "settings" {
  schema = schema.public
  column "tenant" {
    type    = text
    default = var.tenant
  }
}
`,
		"templates/20240101000000_init.sql": "CREATE SCHEMA {{ .schema }};\nCREATE TABLE {{ .schema }}.notes (id bigint);\n",
		"atlas.hcl": `
data "external_schema" "users" {
  program = ["sh", "-c", "echo 'CREATE TABLE users (id bigint PRIMARY KEY, name text);'"]
}
data "composite_schema" "app" {
  schema "auth" {
    url = data.external_schema.users.url
  }
  schema "audit" {
    url = "file://audit.sql"
  }
}
data "hcl_schema" "h" {
  path = "schema.hcl"
  vars = { tenant = "acme" }
}
data "template_dir" "t" {
  path = "templates"
  vars = { schema = "tenant_${atlas.env}" }
}
env "composite" {
  src = data.composite_schema.app.url
  migration {
    dir = "file://composite"
  }
}
env "hcl" {
  src = data.hcl_schema.h.url
  migration {
    dir = "file://hcl"
  }
}
env "blue" {
  url = getenv("TARGET_URL")
  migration {
    dir = data.template_dir.t.url
  }
}
`,
	})
	t.Chdir(dir)
	if code, _, stderr := runCLI(t, "migrate", "diff", "--env", "composite", "--dev-url", dev); code != 0 {
		t.Fatalf("composite: %s", stderr)
	}
	got := filesText(t, "composite")
	for _, want := range []string{`CREATE SCHEMA "auth"`, `CREATE TABLE "auth"."users"`, `CREATE SCHEMA "audit"`, `CREATE TABLE "audit"."events"`} {
		if !strings.Contains(got, want) {
			t.Errorf("composite migration lacks %s:\n%s", want, got)
		}
	}
	if strings.Contains(got, `"public"."users"`) || strings.Contains(got, `"public"."events"`) {
		t.Errorf("a part left its schema:\n%s", got)
	}
	if code, _, stderr := runCLI(t, "migrate", "diff", "--env", "hcl", "--dev-url", dev); code != 0 {
		t.Fatalf("hcl: %s", stderr)
	}
	if got := filesText(t, "hcl"); !strings.Contains(got, `"tenant" text NOT NULL DEFAULT 'acme'`) {
		t.Errorf("hcl_schema migration:\n%s", got)
	}
	target := devdb.ForTest(t)
	t.Setenv("TARGET_URL", target)
	if code, out, stderr := runCLI(t, "migrate", "apply", "--env", "blue"); code != 0 {
		t.Fatalf("apply a template_dir: exit %d\n%s\n%s", code, out, stderr)
	}
	if code, out, stderr := runCLI(t, "schema", "inspect", "--url", target); code != 0 || !strings.Contains(out, "tenant_blue") {
		t.Errorf("the rendered migration was not applied: exit %d\n%s\n%s", code, out, stderr)
	}
	// New migrations go to the templates, not to the rendering.
	for _, args := range [][]string{{"migrate", "new", "--env", "blue", "x"}, {"migrate", "diff", "--env", "blue", "--to", "file://audit.sql"}} {
		if code, _, stderr := runCLI(t, args...); code != 2 || !strings.Contains(stderr, `the migration directory of env "blue" is data.template_dir.t, a rendering of the templates in templates`) {
			t.Errorf("%q: exit %d\n%s", args, code, stderr)
		}
	}
}

// filesText is the content of the .sql files of dir.
func filesText(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	for _, f := range sqlFiles(t, dir) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(data)
	}
	return b.String()
}
