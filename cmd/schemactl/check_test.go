package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/devdb"
)

// copyExample copies the bundled example (schema.sql, migrations/) and an
// atlas.hcl with env "example" into a temporary directory.
func copyExample(t *testing.T) string {
	t.Helper()
	files := map[string]string{}
	root := filepath.Join("..", "..")
	for _, name := range []string{"atlas.hcl", "example/schema.sql", "example/deploy/template.yaml"} {
		b, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = string(b)
	}
	entries, err := os.ReadDir(filepath.Join(root, "example", "migrations"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(root, "example", "migrations", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files["example/migrations/"+e.Name()] = string(b)
	}
	return writeTemp(t, files)
}

// TestCheckExample runs the real check on the bundled example (exit 0),
// then on a copy whose desired state gained a column without a migration
// (exit 1, the missing statement printed).
func TestCheckExample(t *testing.T) {
	dev := devdb.ForTest(t)
	dir := copyExample(t)
	t.Chdir(dir)
	code, out, stderr := runCLI(t, "check", "--env", "example", "--dev-url", dev)
	if code != 0 || !strings.Contains(out, "in sync") {
		t.Fatalf("check on the example: exit %d\n%s\n%s", code, out, stderr)
	}
	f, err := os.OpenFile(filepath.Join("example", "schema.sql"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("\nALTER TABLE customers ADD COLUMN phone text;\n"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	code, out, stderr = runCLI(t, "check", "--env", "example", "--dev-url", dev)
	if code != 1 || !strings.Contains(out, `ALTER TABLE "public"."customers" ADD COLUMN "phone" text NULL;`) {
		t.Fatalf("check after adding a column: exit %d\n%s\n%s", code, out, stderr)
	}
	if !strings.Contains(stderr, "not in sync") {
		t.Errorf("stderr: %q", stderr)
	}
	// The migration that check asks for makes it pass.
	if code, _, stderr := runCLI(t, "migrate", "diff", "add_phone", "--env", "example", "--dev-url", dev); code != 0 {
		t.Fatal(stderr)
	}
	if code, out, stderr := runCLI(t, "check", "--env", "example", "--dev-url", dev); code != 0 {
		t.Fatalf("check after migrate diff: exit %d\n%s\n%s", code, out, stderr)
	}
}

// TestCheckIntegrity: an edited migration file fails the atlas.sum check.
func TestCheckIntegrity(t *testing.T) {
	dev := devdb.ForTest(t)
	dir := copyExample(t)
	t.Chdir(dir)
	files, _ := filepath.Glob(filepath.Join("example", "migrations", "*.sql"))
	if err := os.WriteFile(files[0], []byte("-- edited\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, "check", "--env", "example", "--dev-url", dev)
	if code != 1 || !strings.Contains(stderr, "atlas.sum") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

// TestCheckGitBase: nothing is checked when neither the desired state nor
// the directory changed since the merge base; a change runs the check.
func TestCheckGitBase(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	dev := devdb.ForTest(t)
	dir := copyExample(t)
	t.Chdir(dir)
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"},
		{"-c", "user.email=t@example.com", "-c", "user.name=t", "add", "."},
		{"-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-q", "-m", "example"},
	} {
		if out, err := exec.Command("git", args...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v: %s", args, err, out)
		}
	}
	code, out, stderr := runCLI(t, "check", "--env", "example", "--dev-url", dev, "--git-base", "main")
	if code != 0 || !strings.Contains(out, "nothing changed") {
		t.Fatalf("unchanged: exit %d\n%s\n%s", code, out, stderr)
	}
	if err := os.WriteFile(filepath.Join("example", "schema.sql"), []byte("CREATE TABLE only_this (id int);\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ = runCLI(t, "check", "--env", "example", "--dev-url", dev, "--git-base", "main")
	if code != 1 || strings.Contains(out, "nothing changed") || !strings.Contains(out, "only_this") {
		t.Fatalf("changed: exit %d\n%s", code, out)
	}
}
