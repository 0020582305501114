package main

import (
	"flag"
	"os"
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
