package migrations

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/devdb"
)

func TestApplyFromEmptyAndAgain(t *testing.T) {
	ctx := context.Background()
	conn := mustConnect(t, devdb.ForTest(t))
	dir := writeDir(t, map[string]string{
		"1_users.sql":  "CREATE TABLE users (id int PRIMARY KEY);\nCREATE INDEX users_id ON users (id);\n",
		"2_orders.sql": "CREATE TABLE orders (id int, user_id int REFERENCES users);",
		"3.sql":        "-- nothing but a comment\n",
	})
	files := mustLoad(t, dir)
	rep, err := Apply(ctx, conn, files, testOpts())
	if err != nil {
		t.Fatal(err)
	}
	if rep.From != "" || rep.To != "3" || len(rep.Files) != 3 || rep.Statements() != 3 {
		t.Fatalf("report: from %q to %q, %d files, %d statements", rep.From, rep.To, len(rep.Files), rep.Statements())
	}
	want := `1 users type=2 2/2 err="" stmt="" partial=null op="schemactl test"
2 orders type=2 1/1 err="" stmt="" partial=null op="schemactl test"
3  type=2 0/0 err="" stmt="" partial=null op="schemactl test"
`
	if got := revisionRows(t, conn); got != want {
		t.Fatalf("history:\n%s\nwant:\n%s", got, want)
	}
	if n := queryString(t, conn, `SELECT count(*)::text FROM pg_tables WHERE tablename IN ('users', 'orders')`); n != "2" {
		t.Fatalf("tables: %s", n)
	}
	rep, err = Apply(ctx, conn, files, testOpts())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Planned) != 0 || rep.From != "3" {
		t.Fatalf("second run planned %d files from %q", len(rep.Planned), rep.From)
	}
}

// TestRevisionGolden pins the history table's layout and the values of
// its rows: they must read the same to Atlas.
func TestRevisionGolden(t *testing.T) {
	ctx := context.Background()
	conn := mustConnect(t, devdb.ForTest(t))
	dir := writeDir(t, map[string]string{
		"20240101000000_create_users.sql": "CREATE TABLE users (id int);\n\nALTER TABLE users ADD COLUMN name text;\n",
		"20240102000000_bad.sql":          "-- atlas:txmode none\n\nCREATE TABLE t1 (a int);\nCREAT TABLE t2 (a int);\n",
	})
	files := mustLoad(t, dir)
	if _, err := Apply(ctx, conn, files, testOpts()); err == nil {
		t.Fatal("want an error")
	}
	layout := queryString(t, conn, `SELECT string_agg(format('%s %s %s %s', column_name, data_type, is_nullable, coalesce(column_default, '-')), E'\n' ORDER BY ordinal_position)
		FROM information_schema.columns WHERE table_schema = 'atlas_schema_revisions' AND table_name = 'atlas_schema_revisions'`)
	wantLayout := `version character varying NO -
description character varying NO -
type bigint NO 2
applied bigint NO 0
total bigint NO 0
executed_at timestamp with time zone NO -
execution_time bigint NO -
error text YES -
error_stmt text YES -
hash character varying NO -
partial_hashes jsonb YES -
operator_version character varying NO -`
	if layout != wantLayout {
		t.Fatalf("layout:\n%s\nwant:\n%s", layout, wantLayout)
	}
	pk := queryString(t, conn, `SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'atlas_schema_revisions.atlas_schema_revisions'::regclass AND contype = 'p'`)
	if pk != "PRIMARY KEY (version)" {
		t.Fatalf("primary key: %s", pk)
	}
	// Hashes: the file hash is its atlas.sum entry; the partial hash of
	// the one applied statement is base64(sha256("CREATE TABLE t1 (a int);")).
	rows := queryString(t, conn, `SELECT string_agg(format('%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s', version, description, type, applied, total,
		executed_at > now() - interval '1 minute', execution_time > 0, error, error_stmt, hash, partial_hashes, operator_version), E'\n' ORDER BY version)
		FROM atlas_schema_revisions.atlas_schema_revisions`)
	want := `20240101000000|create_users|2|2|2|t|t|||` + files[0].Hash + `|null|schemactl test
20240102000000|bad|2|1|2|t|t|ERROR: syntax error at or near "CREAT" (SQLSTATE 42601)|CREAT TABLE t2 (a int);|` + files[1].Hash + `|["h1:2opsFQAdhf6LDK/bKSRh6gu0JbhNJRSTm97El4xlW+A="]|schemactl test`
	if rows != want {
		t.Fatalf("rows:\n%s\nwant:\n%s", rows, want)
	}
	if files[0].Hash == "" || strings.HasPrefix(files[0].Hash, "h1:") {
		t.Fatalf("hash %q", files[0].Hash)
	}
}

func TestApplyFailureInTransactionIsRecordedAndRetried(t *testing.T) {
	ctx := context.Background()
	conn := mustConnect(t, devdb.ForTest(t))
	dir := writeDir(t, map[string]string{
		"1_a.sql": "CREATE TABLE a (id int);\n",
		"2_b.sql": "CREATE TABLE b (id int);\nINSERT INTO b VALUES (1);\n\n  INSERT INTO nosuch VALUES (1);\nCREATE TABLE c (id int);\n",
	})
	rep, err := Apply(ctx, conn, mustLoad(t, dir), testOpts())
	var se *StmtError
	if !errors.As(err, &se) {
		t.Fatalf("want a statement error, got %v", err)
	}
	path := filepath.Join(dir, "2_b.sql")
	if want := path + `:4:15: INSERT INTO nosuch VALUES (1): relation "nosuch" does not exist (SQLSTATE 42P01)`; err.Error() != want {
		t.Fatalf("error:\n%s\nwant:\n%s", err, want)
	}
	if len(rep.Files) != 2 || rep.Files[0].Err != nil || rep.Files[1].Err == nil || rep.Files[1].Applied != 0 {
		t.Fatalf("report: %+v", rep.Files)
	}
	// Nothing of file 2 remains; its failure is in the history.
	if n := queryString(t, conn, `SELECT count(*)::text FROM pg_tables WHERE tablename = 'b'`); n != "0" {
		t.Fatal("table b survived the rollback")
	}
	want := `1 a type=2 1/1 err="" stmt="" partial=null op="schemactl test"
2 b type=2 0/4 err="ERROR: relation \"nosuch\" does not exist (SQLSTATE 42P01)" stmt="INSERT INTO nosuch VALUES (1);" partial=null op="schemactl test"
`
	if got := revisionRows(t, conn); got != want {
		t.Fatalf("history:\n%s\nwant:\n%s", got, want)
	}
	// Fixed, the file runs again from its first statement.
	if err := os.WriteFile(path, []byte("CREATE TABLE b (id int);\nINSERT INTO b VALUES (1);\nCREATE TABLE c (id int);\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err = Apply(ctx, conn, mustLoad(t, dir), testOpts())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Files) != 1 || rep.Files[0].Applied != 3 || rep.Files[0].Skip != 0 {
		t.Fatalf("report: %+v", rep.Files[0])
	}
	want = `1 a type=2 1/1 err="" stmt="" partial=null op="schemactl test"
2 b type=2 3/3 err="" stmt="" partial=null op="schemactl test"
`
	if got := revisionRows(t, conn); got != want {
		t.Fatalf("history:\n%s\nwant:\n%s", got, want)
	}
}

func TestApplyNoTxFileResumes(t *testing.T) {
	ctx := context.Background()
	conn := mustConnect(t, devdb.ForTest(t))
	const head = "-- atlas:txmode none\nCREATE TABLE log (n int);\nINSERT INTO log VALUES (1);\nCREATE INDEX CONCURRENTLY log_n ON log (n);\n"
	dir := writeDir(t, map[string]string{
		"1_log.sql": head + "INSERT INTO log VALUE (2);\nINSERT INTO log VALUES (3);\n",
	})
	_, err := Apply(ctx, conn, mustLoad(t, dir), testOpts())
	if err == nil || !strings.Contains(err.Error(), "1_log.sql:5:17: INSERT INTO log VALUE (2): syntax error at or near \"VALUE\" (SQLSTATE 42601)") {
		t.Fatalf("error: %v", err)
	}
	var applied, total int
	var errText string
	if err := conn.QueryRow(ctx, `SELECT applied, total, error FROM atlas_schema_revisions.atlas_schema_revisions`).Scan(&applied, &total, &errText); err != nil {
		t.Fatal(err)
	}
	if applied != 3 || total != 5 || !strings.Contains(errText, "42601") {
		t.Fatalf("revision: applied %d of %d, error %q", applied, total, errText)
	}
	// Editing an applied statement is refused.
	path := filepath.Join(dir, "1_log.sql")
	edited := strings.Replace(head, "VALUES (1)", "VALUES (10)", 1) + "INSERT INTO log VALUES (2);\nINSERT INTO log VALUES (3);\n"
	if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Apply(ctx, conn, mustLoad(t, dir), testOpts())
	if err == nil || !strings.Contains(err.Error(), "1_log.sql:3:1: statement 2 (INSERT INTO log VALUES (10)) was edited after it was applied") {
		t.Fatalf("edited file: %v", err)
	}
	// The fix of the failed statement resumes after the applied ones.
	if err := os.WriteFile(path, []byte(head+"INSERT INTO log VALUES (2);\nINSERT INTO log VALUES (3);\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := Apply(ctx, conn, mustLoad(t, dir), testOpts())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Files[0].Skip != 3 || rep.Files[0].Applied != 2 {
		t.Fatalf("resume: %+v", rep.Files[0])
	}
	if got := queryString(t, conn, `SELECT string_agg(n::text, ',' ORDER BY n) FROM log`); got != "1,2,3" {
		t.Fatalf("log: %s", got)
	}
	want := `1 log type=2 5/5 err="" stmt="" partial=null op="schemactl test"
`
	if got := revisionRows(t, conn); got != want {
		t.Fatalf("history:\n%s\nwant:\n%s", got, want)
	}
}

func TestApplyDirtyBaselineAllowDirty(t *testing.T) {
	ctx := context.Background()
	conn := mustConnect(t, devdb.ForTest(t))
	if _, err := conn.Exec(ctx, `CREATE TABLE existing (id int)`); err != nil {
		t.Fatal(err)
	}
	dir := writeDir(t, map[string]string{
		"1_existing.sql": "CREATE TABLE existing (id int);\n",
		"2_next.sql":     "CREATE TABLE next (id int);\n",
	})
	files := mustLoad(t, dir)
	_, err := Apply(ctx, conn, files, testOpts())
	var nc *NotCleanError
	if !errors.As(err, &nc) || nc.Reason != `table public.existing` {
		t.Fatalf("want not clean, got %v", err)
	}
	opts := testOpts()
	opts.Baseline, opts.AllowDirty = "1", true
	if _, err := Apply(ctx, conn, files, opts); err == nil {
		t.Fatal("baseline with allow-dirty accepted")
	}
	opts.AllowDirty = false
	opts.Baseline = "7"
	if _, err := Apply(ctx, conn, files, opts); err == nil || !strings.Contains(err.Error(), "baseline version 7") {
		t.Fatalf("unknown baseline: %v", err)
	}
	opts.Baseline = "1"
	rep, err := Apply(ctx, conn, files, opts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Baseline != "1" || len(rep.Files) != 1 || rep.Files[0].File.Version != "2" {
		t.Fatalf("report: %+v", rep)
	}
	want := `1 existing type=1 0/0 err="" stmt="" partial=null op="schemactl test"
2 next type=2 1/1 err="" stmt="" partial=null op="schemactl test"
`
	if got := revisionRows(t, conn); got != want {
		t.Fatalf("history:\n%s\nwant:\n%s", got, want)
	}

	// --allow-dirty applies from the first file.
	conn2 := mustConnect(t, devdb.ForTest(t))
	if _, err := conn2.Exec(ctx, `CREATE SCHEMA other`); err != nil {
		t.Fatal(err)
	}
	opts = testOpts()
	if _, err := Apply(ctx, conn2, files, opts); !errors.As(err, &nc) || nc.Reason != "schema other" {
		t.Fatalf("want not clean (schema), got %v", err)
	}
	opts.AllowDirty = true
	if rep, err := Apply(ctx, conn2, files, opts); err != nil || len(rep.Files) != 2 {
		t.Fatalf("allow-dirty: %v", err)
	}
}

func TestApplyExecOrder(t *testing.T) {
	ctx := context.Background()
	conn := mustConnect(t, devdb.ForTest(t))
	files := map[string]string{
		"1_a.sql": "CREATE TABLE a (id int);\n",
		"3_c.sql": "CREATE TABLE c (id int);\n",
	}
	if _, err := Apply(ctx, conn, mustLoad(t, writeDir(t, files)), testOpts()); err != nil {
		t.Fatal(err)
	}
	files["2_b.sql"] = "CREATE TABLE b (id int);\n"
	files["4_d.sql"] = "CREATE TABLE d (id int);\n"
	all := mustLoad(t, writeDir(t, files))
	_, err := Apply(ctx, conn, all, testOpts())
	var nl *NonLinearError
	if !errors.As(err, &nl) || len(nl.OutOfOrder) != 1 || nl.OutOfOrder[0].Name != "2_b.sql" || !strings.Contains(err.Error(), "2_b.sql was added out of order") {
		t.Fatalf("linear: %v", err)
	}
	opts := testOpts()
	opts.ExecOrder = ExecOrderLinearSkip
	opts.DryRun = true
	var out bytes.Buffer
	opts.DryRunOut = &out
	if _, err := Apply(ctx, conn, all, opts); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "4_d.sql: 1 statements") || strings.Contains(out.String(), "2_b.sql") {
		t.Fatalf("linear-skip dry run:\n%s", out.String())
	}
	opts = testOpts()
	opts.ExecOrder = ExecOrderNonLinear
	rep, err := Apply(ctx, conn, all, opts)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range rep.Files {
		got = append(got, f.File.Version)
	}
	if strings.Join(got, ",") != "2,4" {
		t.Fatalf("non-linear order: %v", got)
	}
}

func TestApplyTxModeAllRollsBackEverything(t *testing.T) {
	ctx := context.Background()
	conn := mustConnect(t, devdb.ForTest(t))
	dir := writeDir(t, map[string]string{
		"1_a.sql": "CREATE TABLE a (id int);\n",
		"2_b.sql": "CREATE TABLE b (id int);\n",
		"3_c.sql": "CREATE TABLE c (id int);\nSELECT 1/0;\n",
	})
	opts := testOpts()
	opts.TxMode = TxModeAll
	rep, err := Apply(ctx, conn, mustLoad(t, dir), opts)
	if err == nil || !strings.Contains(err.Error(), "3_c.sql:2:1: SELECT 1/0: division by zero (SQLSTATE 22012)") {
		t.Fatalf("error: %v", err)
	}
	if !rep.RolledBack || rep.Statements() != 0 {
		t.Fatalf("report: rolled back %v, %d statements", rep.RolledBack, rep.Statements())
	}
	if n := queryString(t, conn, `SELECT count(*)::text FROM pg_tables WHERE schemaname = 'public'`); n != "0" {
		t.Fatalf("%s tables survived", n)
	}
	want := `3 c type=2 0/2 err="ERROR: division by zero (SQLSTATE 22012)" stmt="SELECT 1/0;" partial=null op="schemactl test"
`
	if got := revisionRows(t, conn); got != want {
		t.Fatalf("history:\n%s\nwant:\n%s", got, want)
	}
	// A txmode none file cannot run inside the one transaction.
	dir2 := writeDir(t, map[string]string{"1_x.sql": "-- atlas:txmode none\nCREATE TABLE x (id int);\n"})
	if _, err := Apply(ctx, mustConnect(t, devdb.ForTest(t)), mustLoad(t, dir2), opts); err == nil || !strings.Contains(err.Error(), "conflicts with --tx-mode all") {
		t.Fatalf("txmode conflict: %v", err)
	}
}

func TestApplyLimitAndDryRun(t *testing.T) {
	ctx := context.Background()
	conn := mustConnect(t, devdb.ForTest(t))
	dir := writeDir(t, map[string]string{
		"1_a.sql": "CREATE TABLE a (id int);\n",
		"2_b.sql": "-- atlas:txmode none\nCREATE TABLE b (id int); -- trailing\n",
		"3_c.sql": "CREATE TABLE c (id int)",
	})
	files := mustLoad(t, dir)
	opts := testOpts()
	opts.DryRun = true
	var out bytes.Buffer
	opts.DryRunOut = &out
	if _, err := Apply(ctx, conn, files, opts); err != nil {
		t.Fatal(err)
	}
	want := "-- " + filepath.Join(dir, "1_a.sql") + ": 1 statements, in a transaction\nCREATE TABLE a (id int);\n" +
		"-- " + filepath.Join(dir, "2_b.sql") + ": 1 statements, without a transaction\nCREATE TABLE b (id int);\n" +
		"-- " + filepath.Join(dir, "3_c.sql") + ": 1 statements, in a transaction\nCREATE TABLE c (id int);\n"
	if out.String() != want {
		t.Fatalf("dry run:\n%s\nwant:\n%s", out.String(), want)
	}
	if ok, err := (History{Schema: DefaultRevisionsSchema}).Exists(ctx, conn); err != nil || ok {
		t.Fatalf("dry run created the history table (%v)", err)
	}
	opts = testOpts()
	opts.Limit = 2
	rep, err := Apply(ctx, conn, files, opts)
	if err != nil || len(rep.Files) != 2 || rep.To != "2" {
		t.Fatalf("limit: %v %+v", err, rep)
	}
}
