package diff

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/schemactl/schemactl/schema"
)

// applyForProof applies the plan to the dev database that Prove checks.
// A transactional plan goes in one message (BEGIN, the statements,
// COMMIT): one round trip, where Apply takes one per statement (thousands
// for a large schema). When it fails, its transaction is rolled back and
// the plan is applied again by Apply, statement by statement, which
// fails at the same statement and names it; a lock table that ran out is
// returned as it is, for Prove.
func applyForProof(ctx context.Context, db *sql.DB, plan *Plan) error {
	if !plan.Transactional || len(plan.Stmts) < 2 {
		return Apply(ctx, db, plan)
	}
	var b strings.Builder
	b.WriteString("BEGIN;\n")
	for _, s := range plan.Stmts {
		// On a line of its own: a statement may end with a comment.
		b.WriteString(s.SQL)
		b.WriteString("\n;\n")
	}
	b.WriteString("COMMIT;\n")
	err := onPgConn(ctx, db, func(conn *pgconn.PgConn) error {
		_, err := conn.Exec(ctx, b.String()).ReadAll()
		if err != nil {
			if rerr := conn.Exec(ctx, "ROLLBACK").Close(); rerr != nil {
				return fmt.Errorf("%w (and rollback failed: %v)", err, rerr)
			}
		}
		return err
	})
	if err == nil || schema.LockTableFull(err) {
		return err
	}
	return Apply(ctx, db, plan)
}

// onPgConn runs fn on a connection of db.
func onPgConn(ctx context.Context, db *sql.DB, fn func(*pgconn.PgConn) error) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		return fn(sc.Conn().PgConn())
	})
}
