package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/migrations"
)

const pinsProject = `env "app" {
  src = "file://schema.sql"
  migration {
    dir = "file://migrations"
  }
  pin "cfn" {
    file = "deploy/template.yaml"
    key  = "Resources.DBSchemaMigration.Properties.MigrationHash"
  }
  pin "json" {
    file = "deploy/params.json"
    key  = "Parameters.1.Value"
  }
  pin "toml" {
    file = "deploy/values.toml"
    key  = "migrations.hash"
  }
  pin "dotenv" {
    file    = ".env"
    pattern = "MIGRATION_HASH=(.*)"
    format  = "h1"
  }
}
`

// pinFiles are the deploy files of pinsProject, each with comments and
// other keys around a value "OLD".
var pinFiles = map[string]string{
	"deploy/template.yaml": "# stack\nResources:\n  Fn:\n    Properties:\n      Name: !Sub \"${AWS::StackName}-fn\"   # keep\n  DBSchemaMigration:\n    Type: Custom::Migration\n    Properties:\n      ServiceToken: !GetAtt Fn.Arn\n      MigrationHash: \"OLD\" # the hash\n      After: 1\n",
	"deploy/params.json":   "[\n  {\"Parameters\": 0},\n  {\"Name\": \"x\"}\n]\n",
	"deploy/values.toml":   "# values\n[migrations]\nhash = 'OLD'   # pinned\nother = \"keep\"\n",
	".env":                 "# env\nDATABASE_URL=postgres://db/app\nMIGRATION_HASH=OLD\nTAIL=1\n",
}

func TestPinsUpdatedByHashNewAndDiff(t *testing.T) {
	files := map[string]string{
		"atlas.hcl":             pinsProject,
		"schema.sql":            "CREATE TABLE t (id int);\n",
		"migrations/1_init.sql": "CREATE TABLE t (id int);\n",
		"deploy/template.yaml":  pinFiles["deploy/template.yaml"],
		"deploy/params.json":    "{\"Parameters\": [\n  {\"Name\": \"Stage\", \"Value\": \"dev\"},\n  {\"Name\": \"MigrationHash\", \"Value\": \"OLD\"}\n]}\n",
		"deploy/values.toml":    pinFiles["deploy/values.toml"],
		".env":                  pinFiles[".env"],
	}
	dir := writeTemp(t, files)
	t.Chdir(dir)
	code, out, stderr := runCLI(t, "migrate", "hash", "--env", "app")
	if code != 0 {
		t.Fatalf("hash: %d %s", code, stderr)
	}
	digest := sumDigest(t, "migrations")
	if strings.Count(out, "updated") != 4 {
		t.Fatalf("hash output:\n%s", out)
	}
	wantFiles := map[string]string{
		"deploy/template.yaml": strings.Replace(files["deploy/template.yaml"], `"OLD"`, `"`+digest+`"`, 1),
		"deploy/params.json":   strings.Replace(files["deploy/params.json"], `"OLD"`, `"`+digest+`"`, 1),
		"deploy/values.toml":   strings.Replace(files["deploy/values.toml"], `'OLD'`, `'`+digest+`'`, 1),
		".env":                 strings.Replace(files[".env"], "=OLD", "=h1:"+digest, 1),
	}
	assertFiles(t, wantFiles)
	if code, out, _ := runCLI(t, "migrate", "hash", "--print", "--dir", "migrations"); code != 0 || out != digest+"\n" {
		t.Fatalf("--print: %d %q, want %q", code, out, digest)
	}
	// A second hash changes nothing and says nothing.
	if code, out, _ := runCLI(t, "migrate", "hash", "--env", "app"); code != 0 || out != "" {
		t.Fatalf("second hash: %d %q", code, out)
	}

	// migrate new adds a file: every pin follows.
	if code, _, stderr := runCLI(t, "migrate", "new", "more", "--env", "app"); code != 0 {
		t.Fatalf("new: %s", stderr)
	}
	next := sumDigest(t, "migrations")
	if next == digest {
		t.Fatal("the directory's hash did not change")
	}
	for name, content := range wantFiles {
		wantFiles[name] = strings.Replace(content, digest, next, 1)
	}
	assertFiles(t, wantFiles)

	// migrate diff writes a migration for a changed desired state.
	if err := os.WriteFile("schema.sql", []byte("CREATE TABLE t (id int, name text);\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dev := devdb.ForTest(t)
	if code, _, stderr := runCLI(t, "migrate", "diff", "add_name", "--env", "app", "--dev-url", dev); code != 0 {
		t.Fatalf("diff: %s", stderr)
	}
	third := sumDigest(t, "migrations")
	for name, content := range wantFiles {
		wantFiles[name] = strings.Replace(content, next, third, 1)
	}
	assertFiles(t, wantFiles)

	// check passes, then fails on a stale pin naming file:line, found and
	// expected, and still reports the rest.
	if code, out, stderr := runCLI(t, "check", "--env", "app", "--dev-url", dev); code != 0 {
		t.Fatalf("check: %d\n%s\n%s", code, out, stderr)
	}
	stale := strings.Replace(wantFiles["deploy/values.toml"], third, "STALE", 1)
	if err := os.WriteFile("deploy/values.toml", []byte(stale), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr = runCLI(t, "check", "--env", "app", "--dev-url", dev)
	want := `deploy/values.toml:3: pin "toml" (migrations.hash) is stale: found "STALE", expected "` + third + `"`
	if code != 1 || !strings.Contains(stderr, want) || !strings.Contains(stderr, "1 pinned migration hash(es) are stale") || !strings.Contains(out, "in sync") {
		t.Fatalf("check with a stale pin: %d\n%s\n%s\nwant %s", code, out, stderr, want)
	}
	// A pin whose key is missing is an error naming the pin block and the
	// key; nothing is written.
	broken := strings.Replace(wantFiles["deploy/template.yaml"], "MigrationHash:", "MigrationHsh:", 1)
	if err := os.WriteFile("deploy/template.yaml", []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runCLI(t, "migrate", "hash", "--env", "app")
	if code != 1 || !strings.Contains(stderr, `atlas.hcl:6:3: pin "cfn" (Resources.DBSchemaMigration.Properties.MigrationHash): deploy/template.yaml:9: no key "MigrationHash" under Resources.DBSchemaMigration.Properties (keys there: ServiceToken, MigrationHsh, After)`) {
		t.Fatalf("missing key: %d %s", code, stderr)
	}
	if b, _ := os.ReadFile("deploy/template.yaml"); string(b) != broken {
		t.Fatal("the broken file was changed")
	}
}

// sumDigest is the first line of dir's atlas.sum without "h1:".
func sumDigest(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, migrations.SumFileName))
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(b), "\n")
	if !strings.HasPrefix(first, "h1:") {
		t.Fatalf("atlas.sum starts with %q", first)
	}
	return strings.TrimPrefix(first, "h1:")
}

func assertFiles(t *testing.T, want map[string]string) {
	t.Helper()
	for name, content := range want {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != content {
			t.Fatalf("%s:\n%s\nwant:\n%s", name, b, content)
		}
	}
}
