package migrations

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/schemactl/schemactl/devdb"
)

func TestHistoryRoundTrip(t *testing.T) {
	ctx := context.Background()
	conn := mustConnect(t, devdb.ForTest(t))
	h := History{Schema: "odd \"schema\""}
	if err := h.Create(ctx, conn); err != nil {
		t.Fatal(err)
	}
	// Values that need quoting, under both settings of
	// standard_conforming_strings.
	for i, scs := range []string{"on", "off"} {
		if _, err := conn.Exec(ctx, "SET standard_conforming_strings = "+scs); err != nil {
			t.Fatal(err)
		}
		in := &Revision{
			Version: "v" + scs, Description: `it's a \path\ with 'quotes'`, Type: RevisionTypeExecute, Applied: 1, Total: 3,
			ExecutedAt: time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC), ExecutionTime: 1500 * time.Microsecond,
			Error: `ERROR: "x" \n (SQLSTATE 42000)`, ErrorStmt: `SELECT E'\\';`, Hash: "abc=",
			PartialHashes: []string{`h1:a\b"c`}, OperatorVersion: "schemactl test",
		}
		if err := h.Write(ctx, conn, in); err != nil {
			t.Fatal(err)
		}
		revs, err := h.Read(ctx, conn)
		if err != nil {
			t.Fatal(err)
		}
		if len(revs) != i+1 {
			t.Fatalf("%d revisions", len(revs))
		}
		got := revs[i]
		if !got.ExecutedAt.Equal(in.ExecutedAt) {
			t.Fatalf("executed_at %v, want %v", got.ExecutedAt, in.ExecutedAt)
		}
		got.ExecutedAt = in.ExecutedAt
		if got.Description != in.Description || got.Error != in.Error || got.ErrorStmt != in.ErrorStmt ||
			strings.Join(got.PartialHashes, ",") != strings.Join(in.PartialHashes, ",") || got.ExecutionTime != in.ExecutionTime ||
			got.Applied != 1 || got.Total != 3 || got.Type != RevisionTypeExecute || got.Hash != "abc=" {
			t.Fatalf("standard_conforming_strings=%s: read %+v, wrote %+v", scs, got, in)
		}
	}
	// Atlas's identifier row is not a migration.
	if _, err := conn.Exec(ctx, `INSERT INTO `+h.Table()+` (version, description, executed_at, execution_time, hash, operator_version)
		VALUES ('.atlas_cloud_identifier', 'd6c1c7b2-0000-4000-8000-000000000000', now(), 0, '', 'Atlas CLI v0.32.0')`); err != nil {
		t.Fatal(err)
	}
	revs, err := h.Read(ctx, conn)
	if err != nil || len(revs) != 2 {
		t.Fatalf("%d revisions (%v)", len(revs), err)
	}
	// An update keeps the first description and executed_at, as Atlas.
	up := *revs[0]
	up.Description, up.ExecutedAt, up.Applied = "changed", time.Now(), 3
	if err := h.Write(ctx, conn, &up); err != nil {
		t.Fatal(err)
	}
	revs, _ = h.Read(ctx, conn)
	if revs[0].Description == "changed" || revs[0].Applied != 3 || !revs[0].ExecutedAt.Equal(time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC)) {
		t.Fatalf("after update: %+v", revs[0])
	}
}

func TestResolveHistory(t *testing.T) {
	ctx := context.Background()
	url := devdb.ForTest(t)
	conn := mustConnect(t, url)
	cfg := func(u string) *pgx.ConnConfig {
		c, err := ParseConnConfig(u)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	h, err := ResolveHistory(ctx, conn, cfg(url), "")
	if err != nil || h.Schema != DefaultRevisionsSchema {
		t.Fatalf("unbound: %+v %v", h, err)
	}
	bound := url + "&search_path=app"
	if got := BoundSchema(cfg(bound)); got != "app" {
		t.Fatalf("bound schema %q", got)
	}
	if got := BoundSchema(cfg(url + "&search_path=%22My%20App%22,public")); got != "My App" {
		t.Fatalf("quoted bound schema %q", got)
	}
	h, err = ResolveHistory(ctx, conn, cfg(bound), "")
	if err != nil || h.Schema != "app" {
		t.Fatalf("bound: %+v %v", h, err)
	}
	if h, err = ResolveHistory(ctx, conn, cfg(bound), "mine"); err != nil || h.Schema != "mine" {
		t.Fatalf("flag: %+v %v", h, err)
	}
	// A history in the default schema makes a bound connection without a
	// history of its own ambiguous.
	if err := (History{Schema: DefaultRevisionsSchema}).Create(ctx, conn); err != nil {
		t.Fatal(err)
	}
	if _, err := ResolveHistory(ctx, conn, cfg(bound), ""); err == nil || !strings.Contains(err.Error(), "ambiguous history table") {
		t.Fatalf("want ambiguity, got %v", err)
	}

	// Applying through a bound connection keeps the history in that
	// schema and checks only that schema for cleanliness.
	if _, err := conn.Exec(ctx, `CREATE SCHEMA app; CREATE TABLE public.unrelated (id int)`); err != nil {
		t.Fatal(err)
	}
	bconn := mustConnect(t, bound)
	dir := writeDir(t, map[string]string{"1_a.sql": "CREATE TABLE a (id int);\n"})
	opts := testOpts()
	opts.History, opts.SchemaBound = History{Schema: "app"}, "app"
	if _, err := Apply(ctx, bconn, mustLoad(t, dir), opts); err != nil {
		t.Fatal(err)
	}
	if got := queryString(t, conn, `SELECT string_agg(schemaname || '.' || tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'app'`); got != "app.a,app.atlas_schema_revisions" {
		t.Fatalf("tables in app: %s", got)
	}
}

func TestApplyLockTimeout(t *testing.T) {
	ctx := context.Background()
	url := devdb.ForTest(t)
	holder := mustConnect(t, url)
	if _, err := holder.Exec(ctx, `SET application_name = 'other-apply'`); err != nil {
		t.Fatal(err)
	}
	release, err := AcquireApplyLock(ctx, holder, 0)
	if err != nil {
		t.Fatal(err)
	}
	conn := mustConnect(t, url)
	dir := writeDir(t, map[string]string{"1_a.sql": "CREATE TABLE a (id int);\n"})
	opts := testOpts()
	opts.LockTimeout = 300 * time.Millisecond
	start := time.Now()
	_, err = Apply(ctx, conn, mustLoad(t, dir), opts)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "(other-apply)") {
		t.Fatalf("want ErrLocked naming the holder, got %v", err)
	}
	if d := time.Since(start); d < 200*time.Millisecond || d > 2*time.Second {
		t.Fatalf("gave up after %s", d)
	}
	// Once released, apply proceeds.
	go func() {
		time.Sleep(200 * time.Millisecond)
		release(ctx)
	}()
	opts.LockTimeout = 10 * time.Second
	if _, err := Apply(ctx, conn, mustLoad(t, dir), opts); err != nil {
		t.Fatal(err)
	}
	// Atlas's key: FNV-1 32 of "atlas_migrate_execute".
	if ApplyLockKey() != 2686470616 {
		t.Fatalf("lock key %d", ApplyLockKey())
	}
}

func TestProgressOutput(t *testing.T) {
	f := &ApplyFile{Name: "1_a.sql", Stmts: make([]Stmt, 3)}
	var term bytes.Buffer
	p := NewTermProgress(&term)
	p.Plan("", "1", []*ApplyFile{f})
	p.FileStart(f, 0, 1)
	p.Stmt(f, 2)
	p.FileDone(f, &FileResult{File: f, Skip: 1, Applied: 2})
	p.Close()
	out := term.String()
	if !strings.Contains(out, "\r\x1b[K[1/1] 1_a.sql  statement 2/3  ") || !strings.HasSuffix(out, "\r\x1b[K") {
		t.Fatalf("terminal output %q", out)
	}
	var lines bytes.Buffer
	lp := &LineProgress{W: &lines}
	lp.FileDone(f, &FileResult{File: f, Skip: 1, Applied: 2, Duration: 1500 * time.Microsecond})
	lp.FileDone(f, &FileResult{File: f, Applied: 1, Err: errors.New("x"), Duration: 2 * time.Second})
	if want := "ok    1_a.sql  3 statements (resumed after 1)  2ms\nFAIL  1_a.sql  1 of 3 statements  2s\n"; lines.String() != want {
		t.Fatalf("lines %q, want %q", lines.String(), want)
	}
}
