package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/internal/markdown/mdtest"
)

// TestMigrateDiffSummary: on the bundled example with a new column and
// index, migrate diff --dry-run prints the plan in each format and writes
// nothing; migrate diff writes the file, prints its path on stdout and
// the summary on stderr; schema diff takes the same formats.
func TestMigrateDiffSummary(t *testing.T) {
	dev := devdb.ForTest(t)
	dir := copyExample(t)
	t.Chdir(dir)
	f, err := os.OpenFile(filepath.Join("example", "schema.sql"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("\nALTER TABLE orders ADD COLUMN channel text;\nCREATE INDEX orders_channel_idx ON orders (channel);\n")
	f.Close()
	before := sqlFiles(t, filepath.Join("example", "migrations"))

	code, out, stderr := runCLI(t, "migrate", "diff", "--env", "example", "--dev-url", dev, "--dry-run", "--format", "markdown")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	for _, want := range []string{"**Plan:** 2 statements on 1 object", "- table public.orders: add column channel text, add index orders\\_channel\\_idx",
		"| ACCESS EXCLUSIVE | brief |", "| SHARE | scan |", "```sql\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q:\n%s", want, out)
		}
	}
	mdtest.CheckStructure(t, out)
	goldenFile(t, "migrate_diff_dry_run.md", out)

	code, out, stderr = runCLI(t, "migrate", "diff", "--env", "example", "--dev-url", dev, "--dry-run", "--format", "json")
	var doc planJSON
	if code != 0 || json.Unmarshal([]byte(out), &doc) != nil || doc.Summary == nil || len(doc.Statements) != 2 || len(doc.Summary.Objects) != 1 {
		t.Fatalf("json: exit %d\n%s\n%s", code, out, stderr)
	}
	if n := len(sqlFiles(t, filepath.Join("example", "migrations"))); n != len(before) {
		t.Fatalf("--dry-run wrote a file: %d files, %d before", n, len(before))
	}
	if code, _, stderr := runCLI(t, "migrate", "diff", "--env", "example", "--dev-url", dev, "--format", "markdown"); code != 2 || !strings.Contains(stderr, "--dry-run") {
		t.Errorf("--format without --dry-run: exit %d: %s", code, stderr)
	}

	code, out, stderr = runCLI(t, "migrate", "diff", "channel", "--env", "example", "--dev-url", dev)
	if first, _, _ := strings.Cut(out, "\n"); code != 0 || !strings.HasSuffix(first, "_channel.sql") || strings.Contains(out, "plan:") {
		t.Fatalf("exit %d, stdout %q\n%s", code, out, stderr)
	}
	for _, want := range []string{"plan: 2 statements on 1 object: 1 ACCESS EXCLUSIVE lock on existing tables",
		"  table public.orders: add column channel text, add index orders_channel_idx\n",
		"      add column channel text: ACCESS EXCLUSIVE, brief\n",
		"      add index orders_channel_idx: SHARE, scan; writes wait for the build\n"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}

	code, out, stderr = runCLI(t, "schema", "diff", "--env", "example", "--dev-url", dev, "--from", "file://example/migrations", "--to", "file://example/schema.sql", "--format", "markdown")
	if code != 0 || !strings.Contains(out, "No changes") {
		t.Errorf("schema diff --format markdown: exit %d\n%s\n%s", code, out, stderr)
	}
	if code, _, stderr := runCLI(t, "schema", "diff", "--env", "example", "--dev-url", dev, "--format", "yaml"); code != 2 || !strings.Contains(stderr, "use one of sql, markdown, json") {
		t.Errorf("unknown format: exit %d: %s", code, stderr)
	}
}
