package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMigrateImport(t *testing.T) {
	src := t.TempDir()
	for name, content := range map[string]string{
		"00001_users.sql": "-- +goose Up\nCREATE TABLE users (id int PRIMARY KEY);\n-- +goose Down\nDROP TABLE users;\n",
		"00002_index.sql": "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY users_id_idx ON users (id);\n",
		"notes.txt":       "x\n",
	} {
		if err := os.WriteFile(filepath.Join(src, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dst := filepath.Join(t.TempDir(), "migrations")
	code, out, stderr := runCLI(t, "migrate", "import", "--from", "file://"+src+"?format=goose", "--to", "file://"+dst, "--verbose")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := dst + ": 2 files from " + src + " (goose), 1 with -- atlas:txmode none\n1 down part left out (an Atlas directory has no down files)\n"
	if out != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", out, want)
	}
	if !strings.Contains(stderr, "notes.txt: not a goose migration name") {
		t.Errorf("stderr: %s", stderr)
	}
	b, err := os.ReadFile(filepath.Join(dst, "00002_index.sql"))
	if err != nil || string(b) != "-- atlas:txmode none\n\nCREATE INDEX CONCURRENTLY users_id_idx ON users (id);\n" {
		t.Errorf("00002_index.sql: %q, %v", b, err)
	}
	// The result is a valid directory for the other commands.
	if code, _, stderr := runCLI(t, "migrate", "validate", "--dir", "file://"+dst); code != 0 {
		t.Fatalf("migrate validate: exit %d: %s", code, stderr)
	}
	// A second import into the same directory is refused, leaving it as is.
	code, _, stderr = runCLI(t, "migrate", "import", "--from", src, "--dir-format", "goose", "--to", dst)
	if code != 1 || !strings.Contains(stderr, "already holds") {
		t.Errorf("second import: exit %d: %s", code, stderr)
	}
	for _, args := range [][]string{
		{"migrate", "import", "--from", src},
		{"migrate", "import", "--from", "file://" + src + "?format=goose", "--dir-format", "flyway"},
		{"migrate", "import", "--from", "file://" + src + "?format=goose", "--to", "file://x?format=goose"},
		{"migrate", "import", "--to", dst},
	} {
		if code, _, _ := runCLI(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}
