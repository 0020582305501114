package migrations

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/schemactl/schemactl/devdb"
)

// The statements NonTxKind names, each checked against PostgreSQL 15:
// inside a transaction block the server refuses every one of them with
// 25001 before it does anything (CREATE DATABASE, ALTER SYSTEM and the
// tablespace and subscription statements check the transaction block
// first, so nothing leaves the dev database).
var nonTxCases = []struct{ stmt, reason string }{
	{"CREATE INDEX CONCURRENTLY t_v_idx ON t (v)", "CREATE INDEX CONCURRENTLY"},
	{"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_v_idx ON t (v)", "CREATE INDEX CONCURRENTLY"},
	{"DROP INDEX CONCURRENTLY IF EXISTS t_w_idx", "DROP INDEX CONCURRENTLY"},
	{"REINDEX INDEX CONCURRENTLY t_pkey", "REINDEX CONCURRENTLY"},
	{"REINDEX (CONCURRENTLY) TABLE t", "REINDEX CONCURRENTLY"},
	{"REINDEX SCHEMA public", "REINDEX SCHEMA"},
	{"VACUUM t", "VACUUM"},
	{"VACUUM (ANALYZE) t", "VACUUM"},
	{"CLUSTER", "CLUSTER without a table"},
	{"ALTER TABLE p DETACH PARTITION p1 CONCURRENTLY", "DETACH PARTITION CONCURRENTLY"},
	{"CREATE DATABASE schemactl_nontx_must_not_exist", "CREATE DATABASE"},
	{"DROP DATABASE IF EXISTS schemactl_nontx_must_not_exist", "DROP DATABASE"},
	{"ALTER DATABASE schemactl_nontx_must_not_exist SET TABLESPACE pg_default", "ALTER DATABASE SET TABLESPACE"},
	{"ALTER SYSTEM SET work_mem = '1GB'", "ALTER SYSTEM"},
	{"CREATE TABLESPACE schemactl_nontx LOCATION '/nonexistent'", "CREATE TABLESPACE"},
	{"DROP TABLESPACE IF EXISTS schemactl_nontx", "DROP TABLESPACE"},
	{"CREATE SUBSCRIPTION schemactl_nontx CONNECTION 'host=/nonexistent' PUBLICATION p", "CREATE SUBSCRIPTION"},
	{"DISCARD ALL", "DISCARD ALL"},
}

// Statements that run in a transaction block (PostgreSQL 15), which
// NonTxKind does not name.
var txOKCases = []string{
	"CREATE INDEX t_w_idx ON t (v)",
	"DROP INDEX t_w_idx",
	"ALTER TYPE mood ADD VALUE 'angry'",
	"REINDEX TABLE t",
	"ANALYZE t",
	"CLUSTER t USING t_pkey",
	"ALTER TABLE p DETACH PARTITION p1",
	"CREATE SUBSCRIPTION schemactl_nontx CONNECTION 'host=/nonexistent' PUBLICATION p WITH (connect = false)",
	"DROP SUBSCRIPTION schemactl_nontx",
	"DISCARD PLANS",
	"SELECT 'CREATE INDEX CONCURRENTLY x ON t (v)'",
	"ALTER DATABASE schemactl_nontx_db SET search_path = public",
}

// TestNonTxKindMatchesPostgres runs every case in a transaction block on
// the dev server: what NonTxKind names is what PostgreSQL 15 refuses there.
func TestNonTxKindMatchesPostgres(t *testing.T) {
	ctx := context.Background()
	conn, err := pgconn.Connect(ctx, devdb.ForTest(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	setup := `CREATE TABLE t (id int PRIMARY KEY, v int);
		CREATE TYPE mood AS ENUM ('ok');
		CREATE TABLE p (id int) PARTITION BY RANGE (id);
		CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10);
		CREATE PUBLICATION p;`
	if _, err := conn.Exec(ctx, setup).ReadAll(); err != nil {
		t.Fatal(err)
	}
	inTx := func(stmt string) error {
		// One statement per message: a message of several is an
		// implicit transaction block of its own.
		if _, err := conn.Exec(ctx, "BEGIN").ReadAll(); err != nil {
			t.Fatal(err)
		}
		_, err := conn.Exec(ctx, stmt).ReadAll()
		if err := rollback(ctx, conn); err != nil {
			t.Fatal(err)
		}
		return err
	}
	for _, c := range nonTxCases {
		var pg *pgconn.PgError
		if err := inTx(c.stmt); !errors.As(err, &pg) || pg.Code != "25001" {
			t.Errorf("%s: PostgreSQL in a transaction: %v, want 25001", c.stmt, err)
		}
		if got := kindOf(t, c.stmt); got != c.reason {
			t.Errorf("%s: NonTxKind %q, want %q", c.stmt, got, c.reason)
		}
	}
	for _, stmt := range txOKCases {
		var pg *pgconn.PgError
		if err := inTx(stmt); errors.As(err, &pg) && pg.Code == "25001" {
			t.Errorf("%s: PostgreSQL refused it in a transaction: %v", stmt, err)
		}
		if got := kindOf(t, stmt); got != "" {
			t.Errorf("%s: NonTxKind %q, want nothing", stmt, got)
		}
	}
}

// kindOf parses one statement and returns its NonTxKind.
func kindOf(t *testing.T, stmt string) string {
	t.Helper()
	res, err := pg.Parse(stmt)
	if err != nil || len(res.Stmts) != 1 {
		t.Fatalf("%s: %v", stmt, err)
	}
	return NonTxKind(res.Stmts[0].Stmt)
}
