package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/devdb"
)

// TestMigrateApplySyntaxErrorStatusFailed: a syntax error in a
// transactional file is reported at its line and column, recorded in the
// history, and status reports the file failed (exit code 4).
func TestMigrateApplySyntaxErrorStatusFailed(t *testing.T) {
	url := devdb.ForTest(t)
	dir := migrationDir(t, map[string]string{
		"20240101000000_a.sql": "CREATE TABLE a (id int);\n",
		"20240102000000_b.sql": "CREATE TABLE b (id int);\nCREAT TABLE c (id int);\n",
	})
	code, out, stderr := runCLI(t, "migrate", "apply", "--url", url, "--dir", dir)
	want := filepath.Join(dir, "20240102000000_b.sql") + `:2:1: CREAT TABLE c (id int): syntax error at or near "CREAT" (SQLSTATE 42601)` + "\n"
	if code != 1 || stderr != want {
		t.Fatalf("apply: exit %d\nstderr %q\nwant   %q", code, stderr, want)
	}
	if !strings.Contains(out, "FAIL  20240102000000_b.sql  0 of 2 statements") {
		t.Fatalf("progress lines:\n%s", out)
	}
	code, out, _ = runCLI(t, "migrate", "status", "--url", url, "--dir", dir)
	if code != exitStatusFailed || !strings.Contains(out, "-- SQL:   CREAT TABLE c (id int);") || !strings.Contains(out, "(SQLSTATE 42601)") {
		t.Fatalf("status: exit %d\n%s", code, out)
	}
	if n := queryOne(t, url, `SELECT count(*)::text FROM pg_tables WHERE tablename = 'b'`); n != "0" {
		t.Fatalf("%s tables b left by the failed file", n)
	}
}
