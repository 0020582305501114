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

// killOnRecord makes the backend that writes revision version with the
// given applied count terminate itself, as a kill of apply at that instant
// would: the write and whatever its transaction holds are lost.
func killOnRecord(t *testing.T, conn *pgx.Conn, version string, applied int) {
	t.Helper()
	ctx := context.Background()
	for _, q := range []string{
		`CREATE FUNCTION atlas_schema_revisions.test_kill() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.version = TG_ARGV[0] AND NEW.applied = TG_ARGV[1]::int AND NEW.error = '' THEN
				PERFORM pg_terminate_backend(pg_backend_pid());
				PERFORM pg_sleep(10);
			END IF;
			RETURN NEW;
		END $$`,
		`CREATE TRIGGER test_kill BEFORE INSERT OR UPDATE ON atlas_schema_revisions.atlas_schema_revisions
			FOR EACH ROW EXECUTE FUNCTION atlas_schema_revisions.test_kill('` + version + `', '` + string(rune('0'+applied)) + `')`,
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
}

func dropKillOnRecord(t *testing.T, conn *pgx.Conn) {
	t.Helper()
	if _, err := conn.Exec(context.Background(), `DROP FUNCTION atlas_schema_revisions.test_kill() CASCADE`); err != nil {
		t.Fatal(err)
	}
}

// applyOnNewConn applies files on a connection of its own, which a kill
// may end.
func applyOnNewConn(t *testing.T, url string, files []*ApplyFile, opts ApplyOptions) (*ApplyReport, error) {
	t.Helper()
	ctx := context.Background()
	conn, err := Connect(ctx, url, ConnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	return Apply(ctx, conn, files, opts)
}

// TestNoTxKillBetweenStatementAndRecord kills apply right after the
// statement of a txmode none file, at the write of its progress record:
// the statement must not survive without its record, and the next apply
// must finish the file.
func TestNoTxKillBetweenStatementAndRecord(t *testing.T) {
	const stmt = "ALTER TABLE identities ADD COLUMN external_id varchar(64) NULL CHECK (external_id IS NULL OR external_id != '');"
	t.Run("directive", func(t *testing.T) { killBetweenStatementAndRecord(t, "-- atlas:txmode none\n"+stmt, TxModeFile) })
	t.Run("tx-mode none", func(t *testing.T) { killBetweenStatementAndRecord(t, stmt, TxModeNone) })
}

func killBetweenStatementAndRecord(t *testing.T, file2, mode string) {
	url := devdb.ForTest(t)
	conn := mustConnect(t, url)
	dir := writeDir(t, map[string]string{
		"1_a.sql": "CREATE TABLE identities (id int);\n",
		"2_b.sql": file2,
	})
	files := mustLoad(t, dir)
	opts := testOpts()
	opts.Limit = 1
	if _, err := applyOnNewConn(t, url, files, opts); err != nil {
		t.Fatal(err)
	}
	killOnRecord(t, conn, "2", 1)
	opts = testOpts()
	opts.TxMode = mode
	if _, err := applyOnNewConn(t, url, files, opts); err == nil {
		t.Fatal("the killed apply succeeded")
	}
	dropKillOnRecord(t, conn)
	if _, err := applyOnNewConn(t, url, files, opts); err != nil {
		t.Fatalf("apply after the kill: %v", err)
	}
	if n := queryString(t, conn, `SELECT count(*)::text FROM information_schema.columns WHERE table_name = 'identities' AND column_name = 'external_id'`); n != "1" {
		t.Fatalf("%s external_id columns", n)
	}
	if got := queryString(t, conn, `SELECT applied || '/' || total || ' ' || error FROM atlas_schema_revisions.atlas_schema_revisions WHERE version = '2'`); got != "1/1 " {
		t.Fatalf("revision 2: %q", got)
	}
}

// TestNoTxOwnTransaction runs a txmode none file that manages its own
// transaction, killed at the record of its COMMIT: the transaction and its
// records go together.
func TestNoTxOwnTransaction(t *testing.T) {
	url := devdb.ForTest(t)
	conn := mustConnect(t, url)
	dir := writeDir(t, map[string]string{
		"1_a.sql": "CREATE TABLE a (id int);\n",
		"2_b.sql": "-- atlas:txmode none\nCREATE TABLE b (id int);\nBEGIN;\nINSERT INTO a VALUES (1);\nINSERT INTO b VALUES (2);\nCOMMIT;\nINSERT INTO a VALUES (3);\n",
	})
	files := mustLoad(t, dir)
	opts := testOpts()
	opts.Limit = 1
	if _, err := applyOnNewConn(t, url, files, opts); err != nil {
		t.Fatal(err)
	}
	killOnRecord(t, conn, "2", 5)
	if _, err := applyOnNewConn(t, url, files, testOpts()); err == nil {
		t.Fatal("the killed apply succeeded")
	}
	if got := queryString(t, conn, `SELECT (SELECT count(*) FROM a) || ' ' || (SELECT applied FROM atlas_schema_revisions.atlas_schema_revisions WHERE version = '2')`); got != "0 1" {
		t.Fatalf("rows of a, applied after the kill: %s", got)
	}
	dropKillOnRecord(t, conn)
	if _, err := applyOnNewConn(t, url, files, testOpts()); err != nil {
		t.Fatal(err)
	}
	if got := queryString(t, conn, `SELECT string_agg(id::text, ',' ORDER BY id) FROM (SELECT id FROM a UNION ALL SELECT id FROM b) x`); got != "1,2,3" {
		t.Fatalf("rows: %s", got)
	}
}

// TestNoTxConcurrentIndexRecorded kills apply after CREATE INDEX
// CONCURRENTLY finished but before its record: the next apply finds the
// valid index, counts the statement as applied and says so.
func TestNoTxConcurrentIndexRecorded(t *testing.T) {
	url := devdb.ForTest(t)
	conn := mustConnect(t, url)
	dir := writeDir(t, map[string]string{
		"1_a.sql": "CREATE TABLE t (id int);\n",
		"2_b.sql": "-- atlas:txmode none\nCREATE INDEX CONCURRENTLY t_id ON t (id);\nINSERT INTO t VALUES (1);\n",
	})
	files := mustLoad(t, dir)
	opts := testOpts()
	opts.Limit = 1
	if _, err := applyOnNewConn(t, url, files, opts); err != nil {
		t.Fatal(err)
	}
	killOnRecord(t, conn, "2", 1)
	if _, err := applyOnNewConn(t, url, files, testOpts()); err == nil {
		t.Fatal("the killed apply succeeded")
	}
	if got := queryString(t, conn, `SELECT applied || ' ' || error FROM atlas_schema_revisions.atlas_schema_revisions WHERE version = '2'`); !strings.HasPrefix(got, "0 "+startedPrefix) {
		t.Fatalf("revision 2 after the kill: %q", got)
	}
	dropKillOnRecord(t, conn)
	var out bytes.Buffer
	opts = testOpts()
	opts.Progress = &LineProgress{W: &out}
	if _, err := applyOnNewConn(t, url, files, opts); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "2_b.sql:2:1: statement 1 (CREATE INDEX CONCURRENTLY t_id ON t (id)) was interrupted by an earlier run but index \"t_id\" exists and is valid; counting it as applied") {
		t.Fatalf("output:\n%s", out.String())
	}
	if got := queryString(t, conn, `SELECT (SELECT count(*) FROM t) || ' ' || (SELECT applied || '/' || total || error FROM atlas_schema_revisions.atlas_schema_revisions WHERE version = '2')`); got != "1 2/2" {
		t.Fatalf("rows, revision: %q", got)
	}
}

// TestNoTxInterruptedConcurrentIndexRebuilt terminates CREATE INDEX
// CONCURRENTLY while it waits for an old snapshot, which leaves an invalid
// index: the next apply drops it and builds it again.
func TestNoTxInterruptedConcurrentIndexRebuilt(t *testing.T) {
	url := devdb.ForTest(t)
	conn := mustConnect(t, url)
	files := mustLoad(t, writeDir(t, map[string]string{
		"1_a.sql": "CREATE TABLE t (id int);\nINSERT INTO t SELECT generate_series(1, 100);\n",
		"2_b.sql": "-- atlas:txmode none\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_id ON t (id);\n",
	}))
	interruptWaiting(t, url, files, "CREATE INDEX CONCURRENTLY")
	if got := queryString(t, conn, `SELECT indisvalid::text FROM pg_index WHERE indexrelid = 't_id'::regclass`); got != "false" {
		t.Fatalf("index valid after the interruption: %s", got)
	}
	var out bytes.Buffer
	opts := testOpts()
	opts.Progress = &LineProgress{W: &out}
	if _, err := applyOnNewConn(t, url, files, opts); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `left index "t_id" invalid; dropping it and building it again`) {
		t.Fatalf("output:\n%s", out.String())
	}
	if got := queryString(t, conn, `SELECT indisvalid::text FROM pg_index WHERE indexrelid = 't_id'::regclass`); got != "true" {
		t.Fatalf("index valid after resume: %s", got)
	}
}

// TestNoTxInterruptedReindexConcurrentlyCleaned terminates REINDEX
// CONCURRENTLY while it waits, which leaves an invalid t_id_ccnew index:
// the next apply drops it and runs the REINDEX again.
func TestNoTxInterruptedReindexConcurrentlyCleaned(t *testing.T) {
	url := devdb.ForTest(t)
	conn := mustConnect(t, url)
	files := mustLoad(t, writeDir(t, map[string]string{
		"1_a.sql": "CREATE TABLE t (id int);\nINSERT INTO t SELECT generate_series(1, 100);\nCREATE INDEX t_id ON t (id);\n",
		"2_b.sql": "-- atlas:txmode none\nREINDEX INDEX CONCURRENTLY t_id;\n",
	}))
	interruptWaiting(t, url, files, "REINDEX INDEX CONCURRENTLY")
	if got := queryString(t, conn, `SELECT string_agg(c.relname || ' ' || i.indisvalid, ', ' ORDER BY c.relname) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 't'::regclass`); got != "t_id true, t_id_ccnew false" {
		t.Fatalf("indexes after the interruption: %s", got)
	}
	var out bytes.Buffer
	opts := testOpts()
	opts.Progress = &LineProgress{W: &out}
	if _, err := applyOnNewConn(t, url, files, opts); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `dropping the invalid index public.t_id_ccnew left by the interrupted statement 1`) {
		t.Fatalf("output:\n%s", out.String())
	}
	if got := queryString(t, conn, `SELECT string_agg(c.relname || ' ' || i.indisvalid, ', ' ORDER BY c.relname) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 't'::regclass`); got != "t_id true" {
		t.Fatalf("indexes after resume: %s", got)
	}
}

// interruptWaiting applies the first file of files, then the rest while
// an old snapshot makes the statement starting with stmt wait, and
// terminates that apply's backend there.
func interruptWaiting(t *testing.T, url string, files []*ApplyFile, stmt string) {
	t.Helper()
	ctx := context.Background()
	conn := mustConnect(t, url)
	opts := testOpts()
	opts.Limit = 1
	if _, err := applyOnNewConn(t, url, files, opts); err != nil {
		t.Fatal(err)
	}
	holder := mustConnect(t, url)
	if _, err := holder.Exec(ctx, "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM t"); err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		c, err := Connect(ctx, url, ConnOptions{AppName: "schemactl-test-wait"})
		if err != nil {
			errc <- err
			return
		}
		defer c.Close(ctx)
		_, err = Apply(ctx, c, files, testOpts())
		errc <- err
	}()
	waitFor(t, 20*time.Second, "the statement to wait", func() bool {
		return queryString(t, conn, `SELECT count(*)::text FROM pg_stat_activity WHERE application_name = 'schemactl-test-wait' AND query LIKE $1 AND wait_event_type = 'Lock'`, stmt+"%") == "1"
	})
	if _, err := conn.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'schemactl-test-wait'`); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err == nil {
		t.Fatal("the terminated apply succeeded")
	}
	if _, err := holder.Exec(ctx, "COMMIT"); err != nil {
		t.Fatal(err)
	}
}

// TestNoTxStartedUnknown leaves a statement whose effect the catalog
// cannot tell started: apply stops, naming it and the ways on.
func TestNoTxStartedUnknown(t *testing.T) {
	url := devdb.ForTest(t)
	conn := mustConnect(t, url)
	dir := writeDir(t, map[string]string{
		"1_a.sql": "CREATE TABLE t (id int);\nCREATE PROCEDURE p() LANGUAGE plpgsql AS $$ BEGIN INSERT INTO t VALUES (1); COMMIT; END $$;\n",
		"2_b.sql": "-- atlas:txmode none\nCALL p();\nINSERT INTO t VALUES (2);\n",
	})
	files := mustLoad(t, dir)
	opts := testOpts()
	opts.Limit = 1
	if _, err := applyOnNewConn(t, url, files, opts); err != nil {
		t.Fatal(err)
	}
	killOnRecord(t, conn, "2", 1)
	if _, err := applyOnNewConn(t, url, files, testOpts()); err == nil {
		t.Fatal("the killed apply succeeded")
	}
	dropKillOnRecord(t, conn)
	_, err := applyOnNewConn(t, url, files, testOpts())
	var se *StartedUnknownError
	if !errors.As(err, &se) {
		t.Fatalf("want a StartedUnknownError, got %v", err)
	}
	for _, want := range []string{"2_b.sql:2:1: statement 1 (CALL p())", "schemactl migrate set 2", "run it by hand"} {
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("error lacks %q:\n%v", want, err)
		}
	}
	st, err := ReadStatus(context.Background(), conn, testOpts().History, files)
	if err != nil || st.Failed != "2" {
		t.Fatalf("status: %+v %v", st, err)
	}
}
