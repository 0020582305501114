package migrations

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/devdb"
)

// placedFailure applies dir and checks that file version failed at
// file:line:col pos with SQLSTATE code, is recorded as failed with
// errorStmt, and that status reports it failed.
func placedFailure(t *testing.T, files map[string]string, version, pos, code, errorStmt string) {
	t.Helper()
	placedFailureMode(t, TxModeFile, files, version, pos, code, errorStmt)
}

func placedFailureMode(t *testing.T, mode string, files map[string]string, version, pos, code, errorStmt string) {
	t.Helper()
	ctx := context.Background()
	conn := mustConnect(t, devdb.ForTest(t))
	dir := writeDir(t, files)
	loaded := mustLoad(t, dir)
	opts := testOpts()
	opts.TxMode = mode
	_, err := Apply(ctx, conn, loaded, opts)
	var se *StmtError
	if !errors.As(err, &se) {
		t.Fatalf("want a StmtError, got %v", err)
	}
	if !strings.HasPrefix(err.Error(), dir+"/"+pos+": ") || !strings.Contains(err.Error(), "(SQLSTATE "+code+")") {
		t.Fatalf("error %q, want it at %s with SQLSTATE %s", err, pos, code)
	}
	got := queryString(t, conn, `SELECT applied || '/' || total || ' ' || error_stmt || ' | ' || error FROM atlas_schema_revisions.atlas_schema_revisions WHERE version = $1`, version)
	if !strings.HasPrefix(got, errorStmt+" | ") || !strings.Contains(got, "(SQLSTATE "+code+")") {
		t.Fatalf("revision %s: %q, want error_stmt %q", version, got, errorStmt)
	}
	st, err := ReadStatus(ctx, conn, testOpts().History, loaded)
	if err != nil || st.Failed != version {
		t.Fatalf("status: failed %q, err %v", st.Failed, err)
	}
	if n := queryString(t, conn, `SELECT count(*)::text FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'rolled%'`); n != "0" {
		t.Fatalf("%s tables of the failed file were left", n)
	}
}

func TestTxSyntaxErrorRecordedWithPosition(t *testing.T) {
	placedFailure(t, map[string]string{
		"20240101000000_a.sql": "CREATE TABLE a (id int);\n",
		"20240102000000_b.sql": "CREATE TABLE rolled_b (id int);\n\n  CREAT TABLE c (id int);\n",
	}, "20240102000000", "20240102000000_b.sql:3:3", "42601", "0/2 CREAT TABLE c (id int);")
}

func TestTxDeferredConstraintAtCommitRecorded(t *testing.T) {
	placedFailure(t, map[string]string{
		"1_b.sql": "CREATE TABLE rolled_p (id int PRIMARY KEY);\nCREATE TABLE rolled_c (p int REFERENCES rolled_p DEFERRABLE INITIALLY DEFERRED);\nINSERT INTO rolled_c VALUES (1);\n",
	}, "1", "1_b.sql:3:32", "23503", "0/3 COMMIT")
}

func TestTxModeAllDeferredConstraintAtCommitRecorded(t *testing.T) {
	placedFailureMode(t, TxModeAll, map[string]string{
		"1_a.sql": "CREATE TABLE rolled_p (id int PRIMARY KEY);\nCREATE TABLE rolled_c (p int REFERENCES rolled_p DEFERRABLE INITIALLY DEFERRED);\n",
		"2_b.sql": "INSERT INTO rolled_c VALUES (1);\n",
	}, "2", "2_b.sql:1:32", "23503", "0/1 COMMIT")
}

func TestTxModeAllSyntaxErrorRecorded(t *testing.T) {
	placedFailureMode(t, TxModeAll, map[string]string{
		"1_a.sql": "CREATE TABLE rolled_a (id int);\n",
		"2_b.sql": "CREATE TABLE rolled_b (id int);\nSELECT 1 FROM;\n",
	}, "2", "2_b.sql:2:14", "42601", "0/2 SELECT 1 FROM;")
}

func TestNoTxDeferredConstraintAtCommitRecorded(t *testing.T) {
	placedFailure(t, map[string]string{
		"1_a.sql": "CREATE TABLE p (id int PRIMARY KEY);\nCREATE TABLE c (p int REFERENCES p DEFERRABLE INITIALLY DEFERRED);\n",
		"2_b.sql": "-- atlas:txmode none\nINSERT INTO p VALUES (1);\nINSERT INTO c VALUES (2);\n",
	}, "2", "2_b.sql:3:1", "23503", "1/2 INSERT INTO c VALUES (2);")
}

func TestBeginAtomicBodyErrorPlaced(t *testing.T) {
	placedFailure(t, map[string]string{
		"1_f.sql": "CREATE TABLE rolled_t (id int);\nCREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT 1;\n  SELECT nosuch FROM rolled_t;\nEND;\n",
	}, "1", "1_f.sql:5:10", "42703", "0/2 CREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT 1;\n  SELECT nosuch FROM rolled_t;\nEND;")
}

func TestSQLFunctionBodyErrorPlaced(t *testing.T) {
	placedFailure(t, map[string]string{
		"1_f.sql": "CREATE TABLE rolled_t (id int);\nCREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$\n  SELECT nosuch FROM rolled_t\n$$;\n",
	}, "1", "1_f.sql:3:10", "42703", "0/2 CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$\n  SELECT nosuch FROM rolled_t\n$$;")
}

func TestNoTxSyntaxErrorPlaced(t *testing.T) {
	placedFailure(t, map[string]string{
		"1_a.sql": "CREATE TABLE a (id int);\n",
		"2_b.sql": "-- atlas:txmode none\nCREATE TABLE b (id int);\nCREATE TABLE c (id int,);\n",
	}, "2", "2_b.sql:3:24", "42601", "1/2 CREATE TABLE c (id int,);")
}
