package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/devdb"
)

// lintDir writes migration files and their atlas.sum into a new directory.
func lintDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if code, _, stderr := runCLI(t, "migrate", "hash", "--dir", dir); code != 0 {
		t.Fatalf("hash: %s", stderr)
	}
	return dir
}

var lintFixture = map[string]string{
	"1_base.sql":  "CREATE TABLE t (id bigint PRIMARY KEY, v text);\n",
	"2_index.sql": "SET lock_timeout = '1s';\nCREATE INDEX t_v_idx ON t (v);\n",
}

func TestMigrateLint(t *testing.T) {
	dev := devdb.ForTest(t)
	dir := lintDir(t, lintFixture)
	code, out, stderr := runCLI(t, "--dev-url", dev, "migrate", "lint", "--dir", "file://"+dir, "--latest", "1")
	if code != 1 || stderr != "" {
		t.Fatalf("exit %d, stderr %q\n%s", code, stderr, out)
	}
	for _, want := range []string{dir + "/2_index.sql:2:1: error PG101: index \"t_v_idx\"", "    CREATE INDEX t_v_idx ON t (v)\n", "fix: Use CREATE INDEX CONCURRENTLY", "1 error, 0 warnings in 1 linted file"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("colours when not on a terminal")
	}

	code, out, _ = runCLI(t, "migrate", "lint", "--dev-url", dev, "--dir", dir, "--format", "json")
	var doc struct {
		Files    []string
		Findings []struct{ Code, Severity, File string }
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != 1 || len(doc.Files) != 2 || len(doc.Findings) != 1 || doc.Findings[0].Code != "PG101" {
		t.Fatalf("json: exit %d, %v\n%s", code, err, out)
	}

	code, out, _ = runCLI(t, "migrate", "lint", "--dev-url", dev, "--dir", dir, "--format", "github")
	if code != 1 || !strings.HasPrefix(out, "::error file="+dir+"/2_index.sql,line=2,col=1,title=PG101 ") {
		t.Fatalf("github: exit %d\n%s", code, out)
	}

	// atlas.hcl makes the analyzer's findings warnings: exit 0.
	cfg := filepath.Join(t.TempDir(), "atlas.hcl")
	os.WriteFile(cfg, []byte("env \"ci\" {\n  lint {\n    concurrent_index {\n      error = false\n    }\n  }\n}\n"), 0o644)
	code, out, stderr = runCLI(t, "migrate", "lint", "--dev-url", dev, "--dir", dir, "--config", "file://"+cfg, "--env", "ci")
	if code != 0 || !strings.Contains(out, "warning PG101") {
		t.Fatalf("config: exit %d %s\n%s", code, stderr, out)
	}

	// The first file alone is clean.
	code, out, _ = runCLI(t, "migrate", "lint", "--dev-url", dev, "--dir", lintDir(t, map[string]string{"1_base.sql": lintFixture["1_base.sql"]}))
	if code != 0 || !strings.Contains(out, "0 errors, 0 warnings in 1 linted file") {
		t.Fatalf("clean: exit %d\n%s", code, out)
	}
}

func TestMigrateLintUsage(t *testing.T) {
	for _, args := range [][]string{
		{"migrate", "lint", "--format", "xml"},
		{"migrate", "lint", "--latest", "1", "--git-base", "main"},
		{"migrate", "lint", "--color", "sometimes"},
		{"migrate", "lint", "extra"},
	} {
		if code, _, stderr := runCLI(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, stderr)
		}
	}
	if code, _, stderr := runCLI(t, "migrate", "lint", "--config", "/nonexistent/atlas.hcl"); code != 1 || !strings.Contains(stderr, "read project file") {
		t.Errorf("missing config: exit %d: %s", code, stderr)
	}
}

func TestMigrateLintGitBase(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	repo := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", repo, "-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "commit.gpgsign=false"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q", "-b", "main")
	dir := filepath.Join(repo, "migrations")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "1_base.sql"), []byte(lintFixture["1_base.sql"]), 0o644)
	runCLI(t, "migrate", "hash", "--dir", dir)
	git("add", ".")
	git("commit", "-q", "-m", "base")
	os.WriteFile(filepath.Join(dir, "2_index.sql"), []byte(lintFixture["2_index.sql"]), 0o644)
	runCLI(t, "migrate", "hash", "--dir", dir)
	code, out, stderr := runCLI(t, "--dev-url", devdb.ForTest(t), "migrate", "lint", "--dir", dir, "--git-base", "main", "--format", "json")
	var doc struct{ Files []string }
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != 1 || len(doc.Files) != 1 || !strings.HasSuffix(doc.Files[0], "2_index.sql") {
		t.Fatalf("exit %d %s: %v\n%s", code, stderr, err, out)
	}
	if code, _, stderr := runCLI(t, "--dev-url", devdb.ForTest(t), "migrate", "lint", "--dir", dir, "--git-base", "no-such-ref"); code != 1 || !strings.Contains(stderr, "git merge-base") {
		t.Fatalf("bad ref: exit %d: %s", code, stderr)
	}
}

// TestMigrateLintEnv: --env brings the env's migration dir and dev
// baseline (a schema the migrations use but do not create).
func TestMigrateLintEnv(t *testing.T) {
	dir := writeTemp(t, map[string]string{
		"atlas.hcl":    "env \"local\" {\n  dev_baseline = \"file://baseline.sql\"\n  migration {\n    dir = \"file://db\"\n  }\n}\n",
		"baseline.sql": "CREATE SCHEMA IF NOT EXISTS shared;\n",
		"db/1_a.sql":   "CREATE TABLE shared.t (id bigint PRIMARY KEY);\nCREATE INDEX t_id2 ON shared.t (id);\n",
	})
	t.Chdir(dir)
	if code, _, stderr := runCLI(t, "migrate", "hash", "--dir", "db"); code != 0 {
		t.Fatal(stderr)
	}
	code, out, stderr := runCLI(t, "migrate", "lint", "--env", "local", "--dev-url", devdb.ForTest(t))
	if code != 0 || !strings.Contains(out, "0 errors, 0 warnings in 1 linted file") {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
}
