package main

import (
	"os"
	"os/exec"
	"path/filepath"
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

// TestExampleORM runs the ORM example for real: the SQLAlchemy models
// are in sync with its migrations; a model change makes check fail;
// `make create-migrations` writes the migration that brings them back in
// sync.
func TestExampleORM(t *testing.T) {
	py := ormPython(t)
	t.Setenv("PATH", py+string(os.PathListSeparator)+os.Getenv("PATH"))
	dev := devdb.ForTest(t)
	dir := copyORMExample(t)
	t.Chdir(dir)
	code, out, stderr := runCLI(t, "check", "--env", "orm", "--dev-url", dev)
	if code != 0 || !strings.Contains(out, "in sync with data.external_schema.sqlalchemy") {
		t.Fatalf("check on the ORM example: exit %d\n%s\n%s", code, out, stderr)
	}
	models, err := os.ReadFile("models.py")
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(models), "server_default=func.now())\n",
		"server_default=func.now())\n    due_at = Column(DateTime(timezone=True))\n", 1)
	if changed == string(models) {
		t.Fatal("models.py has no lent_at column to add a column after")
	}
	os.WriteFile("models.py", []byte(changed), 0o644)
	code, out, stderr = runCLI(t, "check", "--env", "orm", "--dev-url", dev)
	if code != 1 || !strings.Contains(out, `ALTER TABLE "public"."loans" ADD COLUMN "due_at" timestamptz NULL;`) || !strings.Contains(stderr, "not in sync") {
		t.Fatalf("check after a model change: exit %d\n%s\n%s", code, out, stderr)
	}
	// The example's own Makefile, with this test binary as schemactl.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("make", "create-migrations", "NAME=add_due_at", "SCHEMACTL="+self)
	cmd.Env = append(os.Environ(), "SCHEMACTL_TEST_RUN_MAIN=1", "SCHEMACTL_DEV_URL="+dev)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make create-migrations: %v\n%s", err, b)
	}
	files, _ := filepath.Glob(filepath.Join("migrations", "*_add_due_at.sql"))
	if len(files) != 1 {
		t.Fatalf("migration files: %q", files)
	}
	if b, _ := os.ReadFile(files[0]); !strings.Contains(string(b), `ADD COLUMN "due_at" timestamptz NULL`) {
		t.Errorf("%s:\n%s", files[0], b)
	}
	if code, out, stderr := runCLI(t, "check", "--env", "orm", "--dev-url", dev); code != 0 {
		t.Fatalf("check after create-migrations: exit %d\n%s\n%s", code, out, stderr)
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
