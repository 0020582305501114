package diff_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/diff"
	"github.com/schemactl/schemactl/schema"
)

// TestProveFailingStatement: a transactional plan, applied in one message
// for its proof, that fails at its third statement is reported at that
// statement with PostgreSQL's message, and leaves nothing behind; a plan
// whose statements end in comments is applied whole.
func TestProveFailingStatement(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	from := load(t, "")
	want := load(t, "CREATE TABLE a (id int); CREATE TABLE b (id int);")
	bad := &diff.Plan{Transactional: true, Stmts: []diff.Stmt{
		{Comment: "create a", SQL: "CREATE TABLE a (id int)"},
		{Comment: "create b", SQL: "CREATE TABLE b (id int) -- a comment at the end"},
		{Comment: "broken", SQL: "CREATE TABLE c (id no_such_type)"},
	}}
	err := diff.Prove(ctx, from.db, bad, want.state, schema.Scope{})
	var se *diff.StmtError
	if !errors.As(err, &se) || se.Index != 2 || !strings.Contains(err.Error(), `type "no_such_type" does not exist (SQLSTATE 42704)`) {
		t.Fatalf("want the third statement's error, got %v", err)
	}
	var n int
	if err := from.db.QueryRowContext(ctx, "SELECT count(*) FROM pg_class WHERE relname IN ('a', 'b', 'c')").Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d tables left behind (%v)", n, err)
	}
	good := &diff.Plan{Transactional: true, Stmts: bad.Stmts[:2]}
	if err := diff.Prove(ctx, from.db, good, want.state, schema.Scope{}); err != nil {
		t.Fatalf("prove: %v", err)
	}
}
