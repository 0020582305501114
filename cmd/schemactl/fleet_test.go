package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestFleetApplyTargetsFile applies a directory to databases on three
// clusters and to the tenant schemas of one database, one of which fails
// on its third file; it checks the lines, the summary, the exit code, the
// history of every target, the connection bound seen in pg_stat_activity,
// a rerun that applies only what is pending, and the JSON report.
func TestFleetApplyTargetsFile(t *testing.T) {
	nc, ndb, ns := fleetScale()
	l := startFleetLab(t, nc, ndb, ns)
	const nfiles = 5
	dir := migrationDir(t, fleetFiles(nfiles))
	// The bad target is at its second file and holds a table of the
	// third one already.
	bad := l.dbURLs[1][3]
	if code, out, errOut := runCLI(t, "migrate", "apply", "2", "--url", bad, "--dir", "file://"+dir); code != 0 {
		t.Fatalf("apply 2: %s%s", out, errOut)
	}
	l.exec(bad, "CREATE TABLE t03 (id int)")
	targets := l.targetsFile(l.targets)
	total := len(l.targets)

	const parallel = 6
	w := l.watchConns()
	code, out, errOut := runCLI(t, "migrate", "apply", "--targets", targets, "--dir", "file://"+dir, "--parallel", fmt.Sprint(parallel))
	peak := w.end()
	if code != 1 {
		t.Fatalf("exit %d, want 1 (a target failed)\n%s\n%s", code, out, errOut)
	}
	for i, n := range peak {
		if n > parallel {
			t.Errorf("server %d: %d schemactl connections at once, want at most --parallel %d", i, n, parallel)
		}
	}
	t.Logf("peak schemactl connections per server with --parallel %d: %v", parallel, peak)
	badName := bad
	wantFail := fmt.Sprintf("FAILED   %s", badName)
	if !strings.Contains(out, wantFail) || !strings.Contains(out, "20240101000003_t03.sql:3:1: CREATE TABLE t03") || !strings.Contains(out, `relation "t03" already exists (SQLSTATE 42P07)`) {
		t.Errorf("no failed line with file:line and error for %s:\n%s", bad, out)
	}
	wantSummary := fmt.Sprintf("Fleet apply: %d targets in ", total)
	if !strings.Contains(out, wantSummary) || !strings.Contains(out, fmt.Sprintf("parallel %d: %d applied, 0 already current, 1 failed, 0 skipped", parallel, total-1)) {
		t.Errorf("summary:\n%s", out)
	}
	applied := 0
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "applied  ") {
			applied++
		}
	}
	if applied != total-1 {
		t.Errorf("%d applied lines, want one per target that succeeded (%d)", applied, total-1)
	}
	for _, u := range l.targets {
		revs := revisionsOf(t, u)
		want := nfiles
		if u == bad {
			want = 2
		}
		if len(revs) != want {
			t.Errorf("%s: %d versions recorded, want %d: %v", u, len(revs), want, revs)
		}
		for v, n := range revs {
			if n != 1 {
				t.Errorf("%s: version %s recorded %d times", u, v, n)
			}
		}
	}
	// A schema target keeps its history in its schema.
	if got := queryOne(t, l.shared, "SELECT count(*)::text FROM pg_tables WHERE tablename = 'atlas_schema_revisions'"); got != fmt.Sprint(ns) {
		t.Errorf("history tables in the shared database: %s, want one per tenant schema (%d)", got, ns)
	}

	// Rerun, default parallelism, JSON: only the failed target has work,
	// and it fails again.
	w = l.watchConns()
	code, out, errOut = runCLI(t, "migrate", "apply", "--targets", targets, "--dir", "file://"+dir, "--format", "json")
	peak = w.end()
	if code != 1 {
		t.Fatalf("rerun: exit %d, want 1\n%s\n%s", code, out, errOut)
	}
	for i, n := range peak {
		if n > defaultServerParallel {
			t.Errorf("server %d: %d schemactl connections at once, want at most %d without --parallel", i, n, defaultServerParallel)
		}
	}
	var rep fleetJSON
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("JSON: %v\n%s", err, out)
	}
	if s := rep.Summary; s.Targets != total || s.Current != total-1 || s.Failed != 1 || s.Applied != 0 || s.Parallel < 1 || s.Parallel > nc*defaultServerParallel {
		t.Errorf("rerun summary: %+v", s)
	}
	for _, tj := range rep.Targets {
		if tj.Status != "failed" {
			continue
		}
		if tj.Name != badName || tj.Error == nil || tj.Error.Line != 3 || !strings.HasSuffix(tj.Error.File, "20240101000003_t03.sql") || tj.Error.SQLState != "42P07" {
			t.Errorf("failed target in JSON: %+v %+v", tj, tj.Error)
		}
	}

	// Fixed by hand, the bad target takes its last three files; the
	// others stay as they are.
	l.exec(bad, "DROP TABLE t03")
	code, out, errOut = runCLI(t, "migrate", "apply", "--targets", targets, "--dir", "file://"+dir)
	if code != 0 || !strings.Contains(out, fmt.Sprintf("1 applied, %d already current, 0 failed, 0 skipped", total-1)) ||
		!strings.Contains(out, "3 files (10 statements) to 20240101000005 from 20240101000003") {
		t.Fatalf("after the fix: exit %d\n%s\n%s", code, out, errOut)
	}
	if revs := revisionsOf(t, bad); len(revs) != nfiles {
		t.Errorf("bad target after the fix: %v", revs)
	}
}

// TestFleetServerDown stops one of three servers: its targets are
// reported failed at once (server down), the others applied, exit 1; once
// a rerun finds the others current.
func TestFleetServerDown(t *testing.T) {
	l := startFleetLab(t, 3, 4, 0)
	dir := migrationDir(t, fleetFiles(3))
	targets := l.targetsFile(l.targets)
	if err := l.clusters[2].Close(); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "migrate", "apply", "--targets", targets, "--dir", "file://"+dir, "--connect-timeout", "0")
	if code != 1 || !strings.Contains(out, "12 targets in ") || !strings.Contains(out, "8 applied, 0 already current, 4 failed, 0 skipped") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, u := range l.dbURLs[2] {
		if !strings.Contains(out, "FAILED   "+u+"  server down: ") {
			t.Errorf("%s not reported down:\n%s", u, out)
		}
	}
	for _, urls := range l.dbURLs[:2] {
		for _, u := range urls {
			if revs := revisionsOf(t, u); len(revs) != 3 {
				t.Errorf("%s: %v", u, revs)
			}
		}
	}
	code, out, _ = runCLI(t, "migrate", "apply", "--targets", targets, "--dir", "file://"+dir, "--connect-timeout", "0", "--format", "json")
	var rep fleetJSON
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 1 {
		t.Fatalf("exit %d, %v\n%s", code, err, out)
	}
	if s := rep.Summary; s.Current != 8 || s.Failed != 4 || s.Applied != 0 {
		t.Errorf("rerun: %+v", s)
	}
}

// TestFleetDown reverts the last file on every target of a fleet, and
// refuses to ask a fleet questions.
func TestFleetDown(t *testing.T) {
	l := startFleetLab(t, 1, 3, 0)
	dir := migrationDir(t, fleetFiles(3))
	targets := l.targetsFile(l.targets)
	if code, out, errOut := runCLI(t, "migrate", "apply", "--targets", targets, "--dir", "file://"+dir); code != 0 {
		t.Fatalf("apply: %s%s", out, errOut)
	}
	if code, _, errOut := runCLI(t, "migrate", "down", "--targets", targets, "--dir", "file://"+dir); code != 2 || !strings.Contains(errOut, "--auto-approve") {
		t.Fatalf("down without --auto-approve: exit %d %s", code, errOut)
	}
	code, out, errOut := runCLI(t, "migrate", "down", "--targets", targets, "--dir", "file://"+dir, "--auto-approve", "--allow-data-loss")
	if code != 0 || !strings.Contains(out, "Fleet down: 3 targets") || !strings.Contains(out, "3 reverted, 0 already current, 0 failed") ||
		!strings.Contains(out, "reverted 1 file(s): the database is at version 20240101000002") {
		t.Fatalf("down: exit %d\n%s%s", code, out, errOut)
	}
	for _, u := range l.targets {
		if revs := revisionsOf(t, u); len(revs) != 2 {
			t.Errorf("%s: %v", u, revs)
		}
		if got := queryOne(t, u, "SELECT count(*)::text FROM pg_tables WHERE tablename = 't03'"); got != "0" {
			t.Errorf("%s: t03 still there", u)
		}
	}
}
