package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/internal/corpus"
	"github.com/schemactl/schemactl/schema"
)

// corpusCases are the directories of the shared corpus that hold a real
// schema to round-trip: every <name>/schema.sql, with an optional
// <name>/baseline.sql (the roles the schema grants to, which a real
// deployment has before any migration) and an optional <name>/EXPECTED_ERROR:
// a schema the tool cannot plan yet, with the error `migrate diff` must
// stop with (no migration written) — the test fails as soon as the tool
// either writes a migration for it or fails another way.
func corpusCases(t *testing.T) (dir string, names []string) {
	t.Helper()
	dir = filepath.Dir(corpus.Require(t, "pagila", "schema.sql"))
	dir = filepath.Dir(dir)
	m, err := filepath.Glob(filepath.Join(dir, "*", "schema.sql"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range m {
		names = append(names, filepath.Base(filepath.Dir(p)))
	}
	sort.Strings(names)
	return dir, names
}

// TestCorpusRoundTrip takes every real schema of the corpus as a new user
// would: `migrate diff` from an empty directory with the embedded dev
// database (no --dev-url), `migrate apply` to a fresh database, and then
// `pg_dump --schema-only` of that database must equal pg_dump of psql's
// load of the same file, and a second diff must have no changes.
//
// The dumps are compared as pg_dump prints them, privileges included (the
// plan has the grants: --privileges), with three things left out: the
// `\restrict KEY` fence lines, whose key is random in every dump; the
// atlas_schema_revisions schema, the migration history that `migrate
// apply` keeps in the database it applies to; and owners (--no-owner):
// schemactl, like every migration tool, does not plan ownership, the
// objects of a migration belong to the role that applies it.
func TestCorpusRoundTrip(t *testing.T) {
	t.Parallel()
	dir, names := corpusCases(t)
	bin := pgBinDir(t)
	for _, name := range names {
		name := name
		t.Run(name, func(t *testing.T) {
			corpusRoundTrip(t, bin, filepath.Join(dir, name))
		})
	}
}

func corpusRoundTrip(t *testing.T, bin, caseDir string) {
	start := time.Now()
	work := t.TempDir()
	schemaFile := filepath.Join(caseDir, "schema.sql")
	baseline := filepath.Join(caseDir, "baseline.sql")
	hasBaseline := fileExists(baseline)
	// The baseline (roles) is run as the dev baseline is: a role that
	// exists on the server is skipped.
	load := func(url string) {
		if hasBaseline {
			if err := schema.ApplyBaseline(context.Background(), url, "file://"+baseline); err != nil {
				t.Fatal(err)
			}
		}
	}
	ref := devdb.ForTest(t)
	load(ref)
	psqlLoad(t, bin, ref, schemaFile)
	want := corpusDump(t, bin, ref)

	mdir := "file://" + filepath.Join(work, "migrations")
	args := []string{"--to", "file://" + schemaFile, "--dir", mdir, "--privileges"}
	if hasBaseline {
		args = append(args, "--dev-baseline", "file://"+baseline)
	}
	code, _, stderr := runCLI(t, append([]string{"migrate", "diff", "init"}, args...)...)
	if want, err := os.ReadFile(filepath.Join(caseDir, "EXPECTED_ERROR")); err == nil {
		w := strings.TrimSpace(string(want))
		if code == 0 || !strings.Contains(stderr, w) {
			t.Fatalf("migrate diff: exit %d, want a failure with %q (EXPECTED_ERROR); stderr:\n%s", code, w, stderr)
		}
		if n := len(sqlFiles(t, filepath.Join(work, "migrations"))); n != 0 {
			t.Fatalf("migrate diff failed but wrote %d file(s)", n)
		}
		t.Logf("%s: fails as expected: %s", filepath.Base(caseDir), w)
		return
	}
	if code != 0 {
		t.Fatalf("migrate diff from an empty directory: exit %d\n%s", code, stderr)
	}
	target := devdb.ForTest(t)
	load(target)
	if code, _, stderr := runCLI(t, "migrate", "apply", "--url", target, "--dir", mdir); code != 0 {
		t.Fatalf("migrate apply: exit %d\n%s", code, stderr)
	}
	if got := corpusDump(t, bin, target); got != want {
		t.Fatalf("the migrated database differs from psql's load of %s:\n%s", schemaFile, dumpDiff(want, got))
	}
	code, out, stderr := runCLI(t, append([]string{"migrate", "diff", "again"}, args...)...)
	if code != 0 || !strings.Contains(out, "no changes") {
		files := sqlFiles(t, filepath.Join(work, "migrations"))
		extra := ""
		if len(files) > 1 {
			b, _ := os.ReadFile(files[len(files)-1])
			extra = string(b)
		}
		t.Fatalf("second diff: exit %d, out %q\n%s%s", code, out, stderr, extra)
	}
	t.Logf("%s: round trip in %s", filepath.Base(caseDir), time.Since(start).Round(time.Millisecond))
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// corpusDump is `pg_dump --schema-only --no-owner` of a database,
// privileges kept, without the migration history and the \restrict fence
// (see TestCorpusRoundTrip).
func corpusDump(t *testing.T, bin, url string) string {
	t.Helper()
	out, err := exec.Command(filepath.Join(bin, "pg_dump"), "--schema-only", "--no-owner", "--exclude-schema=atlas_schema_revisions", "-d", url).Output()
	if err != nil {
		t.Fatalf("pg_dump: %v", err)
	}
	var b strings.Builder
	for _, l := range strings.SplitAfter(string(out), "\n") {
		if !strings.HasPrefix(l, `\restrict `) && !strings.HasPrefix(l, `\unrestrict `) {
			b.WriteString(l)
		}
	}
	// An entry left with no statement is dropped: pg_dump writes the
	// header of the public schema's entry whenever that schema's owner
	// differs from initdb's, and with --no-owner only comments remain.
	entries, order := dumpEntries(b.String())
	var o strings.Builder
	for _, k := range order {
		if !hasStatement(entries[k]) {
			continue
		}
		if k != "(preamble)" && k != "(end)" {
			o.WriteString("-- " + k + "\n")
		}
		o.WriteString(entries[k])
	}
	return o.String()
}

// hasStatement reports whether a dump entry has a line that is not a
// comment.
func hasStatement(s string) bool {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "--") {
			return true
		}
	}
	return false
}

// dumpDiff names the pg_dump entries that differ between two dumps: each
// entry (from its "-- Name: ...; Type: ..." header) present on one side
// only or different, at most 20 of them, with the first differing lines.
func dumpDiff(want, got string) string {
	we, wo := dumpEntries(want)
	ge, _ := dumpEntries(got)
	var b strings.Builder
	n := 0
	seen := map[string]bool{}
	report := func(key, msg string) {
		if seen[key] {
			return
		}
		seen[key] = true
		n++
		if n <= 20 {
			b.WriteString(msg)
		}
	}
	for _, k := range wo {
		g, ok := ge[k]
		switch {
		case !ok:
			report(k, "  missing after apply: "+k+"\n"+indent(we[k]))
		case g != we[k]:
			report(k, "  different: "+k+"\n"+firstDiff(we[k], g)+"\n")
		}
	}
	_, gotOrder := dumpEntries(got)
	for _, k := range gotOrder {
		if _, ok := we[k]; !ok {
			report(k, "  not in psql's load: "+k+"\n"+indent(ge[k]))
		}
	}
	if n == 0 {
		return "the same entries in another order:\n" + firstDiff(want, got)
	}
	if n > 20 {
		b.WriteString("  ... and more\n")
	}
	return b.String()
}

// dumpEntries splits a pg_dump script at its "-- Name:" headers, keyed by
// the header (name, type, schema).
func dumpEntries(s string) (map[string]string, []string) {
	m := map[string]string{}
	var order []string
	key := "(preamble)"
	var cur strings.Builder
	flush := func() {
		if _, ok := m[key]; !ok {
			order = append(order, key)
		}
		m[key] += cur.String()
		cur.Reset()
	}
	for _, l := range strings.SplitAfter(s, "\n") {
		if strings.HasPrefix(l, "-- PostgreSQL database dump complete") {
			flush()
			key = "(end)"
		}
		if strings.HasPrefix(l, "-- Name: ") {
			flush()
			key = strings.TrimSpace(strings.TrimPrefix(l, "-- "))
			if i := strings.Index(key, "; Owner:"); i >= 0 {
				key = key[:i]
			}
			continue
		}
		cur.WriteString(l)
	}
	flush()
	return m, order
}

func indent(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		if l = strings.TrimSpace(l); l != "" && l != "--" {
			b.WriteString("    " + l + "\n")
		}
	}
	return b.String()
}
