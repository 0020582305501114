package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/devdb"
)

// TestCheckLint: a migration that builds an index on an existing table
// without CONCURRENTLY fails check at its lint step, even though the
// directory is in sync, when --latest picks it (outside a git checkout no
// file is new, so none is linted by default); the lint block can pick it
// too and make the finding a warning.
func TestCheckLint(t *testing.T) {
	dev := devdb.ForTest(t)
	dir := copyExample(t)
	t.Chdir(dir)
	f, err := os.OpenFile(filepath.Join("example", "schema.sql"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("\nCREATE INDEX customers_name_idx ON customers (name);\n")
	f.Close()
	if code, _, stderr := runCLI(t, "migrate", "diff", "name_idx", "--env", "example", "--dev-url", dev); code != 0 {
		t.Fatal(stderr)
	}
	code, out, stderr := runCLI(t, "check", "--env", "example", "--dev-url", dev)
	if code != 0 || !strings.Contains(out, "lint: no file linted: example/migrations is not in a git checkout") {
		t.Fatalf("outside a git checkout: exit %d\n%s\n%s", code, out, stderr)
	}
	code, out, stderr = runCLI(t, "check", "--env", "example", "--dev-url", dev, "--latest", "1")
	if code != 1 || !strings.Contains(out, "error PG101") || !strings.Contains(stderr, "lint found 1 error") {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	hcl, err := os.ReadFile("atlas.hcl")
	if err != nil {
		t.Fatal(err)
	}
	// The lint block picks the files (latest = 1) as --latest would.
	os.WriteFile("atlas.hcl", append(hcl, []byte("\nlint {\n  latest = 1\n  concurrent_index {\n    error = false\n  }\n}\n")...), 0o644)
	code, out, stderr = runCLI(t, "check", "--env", "example", "--dev-url", dev)
	if code != 0 || !strings.Contains(out, "warning PG101") || !strings.Contains(out, "in sync") {
		t.Fatalf("with the lint block: exit %d\n%s\n%s", code, out, stderr)
	}
}
