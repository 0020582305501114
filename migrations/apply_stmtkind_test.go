package migrations

import "testing"

func TestClassifyStmt(t *testing.T) {
	for _, c := range []struct {
		sql     string
		kind    stmtKind
		recover recoveryKind
	}{
		{"ALTER TABLE identities ADD COLUMN external_id varchar(64)", kindTx, 0},
		{"CREATE INDEX i ON t (a)", kindTx, 0},
		{"DROP INDEX IF EXISTS i", kindTx, 0},
		{"CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON s.t (a)", kindNoTx, recoverCreateIndex},
		{"CREATE UNIQUE INDEX CONCURRENTLY ON t (a)", kindNoTx, recoverUnknown},
		{"DROP INDEX CONCURRENTLY IF EXISTS s.i", kindNoTx, recoverDropIndex},
		{"REINDEX INDEX CONCURRENTLY i", kindNoTx, recoverRerun},
		{"REINDEX TABLE t", kindTx, 0},
		{"REINDEX DATABASE app", kindNoTx, recoverRerun},
		{"VACUUM (ANALYZE) t", kindNoTx, recoverRerun},
		{"ANALYZE t", kindTx, 0},
		{"CLUSTER", kindNoTx, recoverRerun},
		{"CREATE DATABASE d", kindNoTx, recoverUnknown},
		{"ALTER SYSTEM SET work_mem = '8MB'", kindNoTx, recoverUnknown},
		{"CALL p()", kindNoTx, recoverUnknown},
		{"ALTER TABLE p DETACH PARTITION c CONCURRENTLY", kindNoTx, recoverUnknown},
		{"ALTER TABLE p DETACH PARTITION c", kindTx, 0},
		{"BEGIN", kindTxControl, 0},
		{"COMMIT", kindTxControl, 0},
		{"CREAT TABLE t (a int)", kindTx, 0},
	} {
		got := classifyStmt(c.sql)
		if got.kind != c.kind || got.recover != c.recover {
			t.Errorf("%s: kind %d recover %d, want %d %d", c.sql, got.kind, got.recover, c.kind, c.recover)
		}
	}
	info := classifyStmt("CREATE INDEX CONCURRENTLY i ON s.t (a)")
	if info.table != (qualName{"s", "t"}) || len(info.indexes) != 1 || info.indexes[0] != (qualName{"s", "i"}) {
		t.Fatalf("create index names: %+v", info)
	}
	info = classifyStmt("DROP INDEX CONCURRENTLY s.i")
	if len(info.indexes) != 1 || info.indexes[0] != (qualName{"s", "i"}) {
		t.Fatalf("drop index names: %+v", info)
	}
}
