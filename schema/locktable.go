package schema

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/schemactl/schemactl/migrations"
)

// A desired-state file is loaded in one transaction, which holds a lock
// on every relation it creates until it commits; PostgreSQL's lock table
// holds max_locks_per_transaction locks per connection slot. The embedded
// dev server is sized for large states (devdb); on a remote dev server
// too small for a state, loading it file by file would only hide the
// problem at a cost (one round trip per statement), so the load stops
// with a LockTableError that names the setting and the value the state
// needs.

// LockTableError is returned when a remote dev server's lock table cannot
// hold the locks of loading a state file in one transaction.
type LockTableError struct {
	// File is the file that did not fit.
	File string
	// Locks is the number of relations the file creates: the locks its
	// transaction holds at its end.
	Locks int
	// PerTx and Slots size the server's lock table: max_locks_per_transaction
	// and the connection slots it is multiplied by.
	PerTx, Slots int
	// Need is the max_locks_per_transaction the file needs.
	Need int
}

func (e *LockTableError) Error() string {
	return fmt.Sprintf("the dev server is too small for this state: loading %s in one transaction takes %d locks, "+
		"and the server's lock table holds %d (max_locks_per_transaction = %d, times %d connection slots); "+
		"set max_locks_per_transaction to at least %d on the dev server (then restart it), or use the embedded dev server",
		e.File, e.Locks, e.PerTx*e.Slots, e.PerTx, e.Slots, e.Need)
}

// lockTableError measures what loading f (which ran out of lock table in
// one transaction on conn) needs: f is run statement by statement, and
// the relations it created are counted. The database is left with f
// loaded; the caller drops it with the error.
func lockTableError(ctx context.Context, conn *pgconn.PgConn, f *sqlFile) error {
	before, err := queryInt(ctx, conn, countRelationsQuery)
	if err != nil {
		return err
	}
	if len(f.copies) > 0 {
		err = execWithCopies(ctx, conn, f, false)
	} else {
		g := *f.File
		g.TxMode = migrations.TxModeNone
		err = migrations.ExecFile(ctx, conn, &g)
	}
	if err != nil {
		return err
	}
	after, err := queryInt(ctx, conn, countRelationsQuery)
	if err != nil {
		return err
	}
	perTx, err := queryInt(ctx, conn, "SELECT pg_catalog.current_setting('max_locks_per_transaction')::int")
	if err != nil {
		return err
	}
	slots, err := queryInt(ctx, conn, lockSlotsQuery)
	if err != nil {
		return err
	}
	e := &LockTableError{File: f.Name, Locks: after - before, PerTx: perTx, Slots: slots}
	// A quarter more: the table is shared with the server's other
	// sessions, and a transaction takes a few locks besides its
	// relations'.
	e.Need = (e.Locks*5/4 + slots - 1) / slots
	if e.Need <= perTx {
		e.Need = perTx * 2
	}
	return e
}

// countRelationsQuery counts the relations of the database outside the
// system catalogs (tables, their TOAST tables, indexes, sequences,
// views): those a loading transaction locks.
const countRelationsQuery = `SELECT pg_catalog.count(*)::int FROM pg_catalog.pg_class WHERE oid >= 16384`

// lockSlotsQuery gives what PostgreSQL multiplies max_locks_per_transaction
// by to size its lock table: the server processes that may hold locks and
// the prepared transactions.
const lockSlotsQuery = `SELECT (pg_catalog.current_setting('max_connections')::int
	+ pg_catalog.current_setting('autovacuum_max_workers')::int + 1
	+ pg_catalog.current_setting('max_worker_processes')::int
	+ pg_catalog.current_setting('max_wal_senders')::int
	+ pg_catalog.current_setting('max_prepared_transactions')::int)`

// queryInt runs a query returning one integer.
func queryInt(ctx context.Context, conn *pgconn.PgConn, query string) (int, error) {
	res := conn.ExecParams(ctx, query, nil, nil, nil, nil).Read()
	if res.Err != nil {
		return 0, fmt.Errorf("%s: %w", query, res.Err)
	}
	if len(res.Rows) != 1 || len(res.Rows[0]) != 1 {
		return 0, fmt.Errorf("%s: want one value", query)
	}
	n, err := strconv.Atoi(string(res.Rows[0][0]))
	if err != nil {
		return 0, fmt.Errorf("%s: %w", query, err)
	}
	return n, nil
}
