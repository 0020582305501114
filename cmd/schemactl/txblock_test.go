package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/migrations"
)

// TestTxBlockRefusedBeforeAnythingRuns: CREATE INDEX CONCURRENTLY in a
// file that runs in a transaction fails validate and apply before any
// file runs, with file:line and the fix, and lint reports PG103; with
// `-- atlas:txmode none` the same directory passes all three.
func TestTxBlockRefusedBeforeAnythingRuns(t *testing.T) {
	dev := devdb.ForTest(t)
	files := map[string]string{
		"1_a.sql":   "CREATE TABLE a (x int);\n",
		"2_idx.sql": "-- an index on a\nCREATE INDEX CONCURRENTLY IF NOT EXISTS a_x ON a (x);\n",
	}
	dir := lintDir(t, files)
	pos := dir + "/2_idx.sql:2:1: CREATE INDEX CONCURRENTLY cannot run inside a transaction block"

	code, out, stderr := runCLI(t, "--dev-url", dev, "migrate", "validate", "--dir", "file://"+dir)
	if code != 1 || out != "" || !strings.Contains(stderr, pos) || !strings.Contains(stderr, "fix: "+migrations.TxBlockFix) {
		t.Fatalf("validate: exit %d\nstdout %q\nstderr %q", code, out, stderr)
	}

	noHistory := func(url, what string) {
		t.Helper()
		if got := queryOne(t, url, `SELECT (SELECT count(*) FROM pg_class WHERE relname = 'atlas_schema_revisions')::text || ' ' || coalesce(to_regclass('public.a')::text, '-')`); got != "0 -" {
			t.Fatalf("%s: history table and table a after the refusal: %s", what, got)
		}
	}
	for _, args := range [][]string{nil, {"--tx-mode", "all"}, {"--baseline", "1"}, {"--dry-run"}} {
		url := devdb.ForTest(t)
		code, out, stderr := runCLI(t, append([]string{"migrate", "apply", "--url", url, "--dir", "file://" + dir}, args...)...)
		if code == 0 || !strings.Contains(stderr, "nothing was applied") || !strings.Contains(stderr, pos) || !strings.Contains(stderr, migrations.TxBlockFix) {
			t.Fatalf("apply %v: exit %d\nstdout %q\nstderr %q", args, code, out, stderr)
		}
		if len(args) > 0 && args[0] == "--tx-mode" && !strings.Contains(stderr, "--tx-mode all runs every file in one") {
			t.Errorf("apply --tx-mode all does not say why: %s", stderr)
		}
		noHistory(url, strings.Join(args, " "))
	}
	url := devdb.ForTest(t)
	code, out, _ = runCLI(t, "migrate", "apply", "--url", url, "--dir", "file://"+dir, "--format", "json")
	var rep map[string]json.RawMessage
	var e struct {
		File      string
		Line, Col int
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code == 0 || json.Unmarshal(rep["error"], &e) != nil ||
		e.File != dir+"/2_idx.sql" || e.Line != 2 || e.Col != 1 {
		t.Fatalf("apply json: exit %d\n%s", code, out)
	}
	noHistory(url, "--format json")

	code, out, stderr = runCLI(t, "--dev-url", dev, "migrate", "lint", "--dir", "file://"+dir)
	if code != 1 || !strings.Contains(out, dir+"/2_idx.sql:2:1: error PG103: CREATE INDEX CONCURRENTLY cannot run inside a transaction block") {
		t.Fatalf("lint: exit %d\n%s%s", code, out, stderr)
	}

	files["2_idx.sql"] = "-- atlas:txmode none\n\n" + files["2_idx.sql"]
	dir = lintDir(t, files)
	if code, out, stderr := runCLI(t, "--dev-url", dev, "migrate", "validate", "--dir", "file://"+dir); code != 0 || !strings.Contains(out, ": valid") {
		t.Fatalf("validate with the directive: exit %d\n%s%s", code, out, stderr)
	}
	url = devdb.ForTest(t)
	if code, out, stderr := runCLI(t, "migrate", "apply", "--url", url, "--dir", "file://"+dir); code != 0 {
		t.Fatalf("apply with the directive: exit %d\n%s%s", code, out, stderr)
	}
	if got := queryOne(t, url, `SELECT (SELECT count(*) FROM atlas_schema_revisions.atlas_schema_revisions)::text || ' ' || coalesce(to_regclass('public.a_x')::text, '-')`); got != "2 a_x" {
		t.Fatalf("after apply with the directive: %s", got)
	}
	if code, out, stderr := runCLI(t, "--dev-url", dev, "migrate", "lint", "--dir", "file://"+dir); code != 0 || strings.Contains(out, "PG103") {
		t.Fatalf("lint with the directive: exit %d\n%s%s", code, out, stderr)
	}
}
