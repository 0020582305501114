package main

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/internal/markdown/mdtest"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata")

// goldenFile compares out with testdata/name (rewritten with -update);
// dir is the test's directory, replaced by "." in out.
func goldenFile(t *testing.T, name, out string) {
	t.Helper()
	path := filepath.Join(testdataDir, name)
	if *update {
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -run %s -update writes it)", err, t.Name())
	}
	if out != string(want) {
		t.Errorf("output differs from %s (go test -run %s -update rewrites it); got:\n%s", path, t.Name(), out)
	}
}

// testdataDir is this package's testdata, as an absolute path (tests
// change directory).
var testdataDir = func() string {
	d, err := filepath.Abs("testdata")
	if err != nil {
		panic(err)
	}
	return d
}()

// riskyExample adds to the bundled example a file that builds an index
// without CONCURRENTLY and drops a column, while the desired state keeps
// the column: check fails at lint and at the comparison.
func riskyExample(t *testing.T) string {
	t.Helper()
	dir := copyExample(t)
	t.Chdir(dir)
	risky := "CREATE INDEX orders_placed_at_idx ON orders (placed_at);\nALTER TABLE customers DROP COLUMN created_at;\n"
	if err := os.WriteFile(filepath.Join("example", "migrations", "20261201000000_risky.sql"), []byte(risky), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, "migrate", "hash", "--env", "example"); code != 0 {
		t.Fatal(stderr)
	}
	return dir
}

// TestCheckMarkdown: check --format markdown writes one report with every
// step's outcome, the lint findings of the new file and the statements
// missing from the directory; it renders with cmark-gfm.
func TestCheckMarkdown(t *testing.T) {
	dev := devdb.ForTest(t)
	riskyExample(t)
	code, out, stderr := runCLI(t, "check", "--env", "example", "--dev-url", dev, "--latest", "1", "--format", "markdown")
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, out, stderr)
	}
	for _, want := range []string{"❌ **check failed: lint: lint found 2 error(s); desired state: not in sync", "error `PG101`", "error `DS103`",
		"### Not in sync with", "```sql\nCREATE INDEX orders_placed_at_idx ON orders (placed_at)\n```"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	goldenFile(t, "check_risky.md", out)
	mdtest.CheckStructure(t, out)

	// The same directory without the risky file passes.
	if err := os.Remove(filepath.Join("example", "migrations", "20261201000000_risky.sql")); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, "migrate", "hash", "--env", "example"); code != 0 {
		t.Fatal(stderr)
	}
	code, out, stderr = runCLI(t, "check", "--env", "example", "--dev-url", dev, "--latest", "1", "--format", "markdown")
	if code != 0 || !strings.HasPrefix(out, "✅ **check passed: example/migrations: 1 files") {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	mdtest.CheckStructure(t, out)
	if code, _, stderr := runCLI(t, "check", "--env", "example", "--dev-url", dev, "--format", "yaml"); code != 2 || !strings.Contains(stderr, "use one of text, markdown") {
		t.Errorf("unknown format: exit %d: %s", code, stderr)
	}
}

// TestCheckMarkdownSkippedAndBroken: with --git-base and nothing changed
// the markdown report and a template say the check was skipped; a file
// edited after atlas.sum fails the integrity step, in the report too.
func TestCheckMarkdownSkippedAndBroken(t *testing.T) {
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
	code, out, stderr := runCLI(t, "check", "--env", "example", "--dev-url", dev, "--git-base", "main", "--format", "markdown")
	if code != 0 || !strings.HasPrefix(out, "✅ **check skipped: nothing changed since main (merge base ") {
		t.Fatalf("unchanged: exit %d\n%s\n%s", code, out, stderr)
	}
	code, out, _ = runCLI(t, "check", "--env", "example", "--dev-url", dev, "--git-base", "main", "--format", "{{ .Verdict }}|{{ len .Steps }}")
	if code != 0 || !strings.HasPrefix(out, "check skipped: nothing changed") || !strings.HasSuffix(out, "|0") {
		t.Fatalf("unchanged, template: exit %d\n%s", code, out)
	}
	files, _ := filepath.Glob(filepath.Join("example", "migrations", "*.sql"))
	if err := os.WriteFile(files[0], []byte("-- edited\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr = runCLI(t, "check", "--env", "example", "--dev-url", dev, "--git-base", "main", "--format", "markdown")
	if code != 1 || !strings.HasPrefix(out, "❌ **check failed: integrity") || !strings.Contains(out, "| integrity | ❌ failed |") ||
		strings.Contains(out, "| replay |") || !strings.Contains(stderr, "atlas.sum") {
		t.Fatalf("edited file: exit %d\n%s\n%s", code, out, stderr)
	}
	mdtest.CheckStructure(t, out)
}
