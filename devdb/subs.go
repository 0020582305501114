package devdb

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/schemactl/schemactl/internal/pgquote"
)

// dropWithSubscriptions runs drop (a DROP DATABASE); when PostgreSQL
// refuses because the database holds subscriptions (55006, object in use:
// it never drops them itself, as they may hold slots elsewhere), they are
// dropped first, without connecting to their publishers (disabled, slot
// unset: a dev database's subscriptions have no slot of their own), and
// the drop runs again. url is the dev database's URL.
func dropWithSubscriptions(ctx context.Context, url string, drop func() error) error {
	err := drop()
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "55006" {
		return err
	}
	conn, cerr := pgx.Connect(ctx, url)
	if cerr != nil {
		return errors.Join(err, cerr)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	rows, qerr := conn.Query(ctx, `SELECT s.subname FROM pg_catalog.pg_subscription s
	JOIN pg_catalog.pg_database d ON d.oid = s.subdbid WHERE d.datname = pg_catalog.current_database()`)
	if qerr != nil {
		return errors.Join(err, qerr)
	}
	names, qerr := pgx.CollectRows(rows, pgx.RowTo[string])
	if qerr != nil || len(names) == 0 {
		return errors.Join(err, qerr)
	}
	for _, n := range names {
		q := pgquote.Ident(n)
		for _, s := range []string{"ALTER SUBSCRIPTION " + q + " DISABLE", "ALTER SUBSCRIPTION " + q + " SET (slot_name = NONE)", "DROP SUBSCRIPTION " + q} {
			if _, xerr := conn.Exec(ctx, s); xerr != nil {
				return fmt.Errorf("drop the subscriptions of the dev database: %s: %w", s, xerr)
			}
		}
	}
	conn.Close(ctx)
	return drop()
}
