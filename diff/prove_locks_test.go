package diff_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/schemactl/schemactl/diff"
	"github.com/schemactl/schemactl/schema"
)

// A transactional plan that needs more locks than the server's lock table
// holds in one transaction is proven statement by statement. Each of the
// two statements takes nine tenths of the table in advisory locks: either
// fits alone, both together do not.
func TestProveBeyondLockTable(t *testing.T) {
	ctx := context.Background()
	from := load(t, "")
	var capacity int
	err := from.db.QueryRowContext(ctx, `SELECT current_setting('max_locks_per_transaction')::int *
		(current_setting('max_connections')::int + current_setting('max_prepared_transactions')::int +
		 current_setting('autovacuum_max_workers')::int + 1 + current_setting('max_worker_processes')::int +
		 current_setting('max_wal_senders')::int)`).Scan(&capacity)
	if err != nil {
		t.Fatal(err)
	}
	n := capacity * 9 / 10
	lock := func(lo int) diff.Stmt {
		return diff.Stmt{Comment: "take advisory locks",
			SQL: fmt.Sprintf("SELECT count(pg_advisory_xact_lock(g)) FROM generate_series(%d, %d) g", lo, lo+n-1)}
	}
	plan := &diff.Plan{Stmts: []diff.Stmt{lock(1), lock(1 + n)}, Transactional: true}
	// The premise: in one transaction the plan fails, and leaves nothing.
	var pe *pgconn.PgError
	if err := diff.Apply(ctx, from.db, plan); !errors.As(err, &pe) || pe.Code != "53200" {
		t.Fatalf("applying %d locks twice in one transaction: got %v, want out of shared memory (53200)", n, err)
	}
	if err := diff.Prove(ctx, from.db, plan, from.state, schema.Scope{}); err != nil {
		t.Fatalf("prove: %v", err)
	}
}
