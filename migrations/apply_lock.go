package migrations

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
)

// applyLockName is the name Atlas hashes into its advisory lock key for
// `migrate apply` and `migrate set`; sharing the key keeps schemactl and
// Atlas from migrating one database at the same time.
const applyLockName = "atlas_migrate_execute"

// ApplyLockKey is the PostgreSQL advisory lock key (pg_locks.objid, with
// classid 0) that apply and set hold while they work: the 32-bit FNV-1
// hash of "atlas_migrate_execute", as Atlas computes it.
func ApplyLockKey() int64 {
	h := fnv.New32()
	h.Write([]byte(applyLockName))
	return int64(h.Sum32())
}

// ErrLocked is returned when the apply lock stayed held by another session
// for the whole lock timeout.
var ErrLocked = errors.New("another migration holds the lock on this database")

// AcquireApplyLock takes the session-level apply lock on conn, polling with
// pg_try_advisory_lock (never a blocking wait, which would sit in a
// transaction that CREATE INDEX CONCURRENTLY in the holder waits for) with
// a growing, jittered delay for up to timeout. A timeout of zero tries
// once. The returned function releases the lock.
func AcquireApplyLock(ctx context.Context, conn *pgx.Conn, timeout time.Duration) (release func(context.Context) error, err error) {
	key := ApplyLockKey()
	return pollLock(ctx, conn, timeout, `SELECT pg_try_advisory_lock($1)`, `SELECT pg_advisory_unlock($1)`, []any{key},
		func() string { return lockHolder(ctx, conn, key) })
}

// schemaLockClass is the first half of the two-part advisory lock key of
// a schema's history (pg_locks.classid, with objsubid 2).
func schemaLockClass() int32 {
	h := fnv.New32()
	h.Write([]byte("schemactl_migrate_schema"))
	return int32(h.Sum32())
}

// SchemaLockKey is the second half of the lock key of the history in
// schema (pg_locks.objid).
func SchemaLockKey(schema string) int32 {
	h := fnv.New32()
	h.Write([]byte(schema))
	return int32(h.Sum32())
}

// AcquireSchemaApplyLock is the apply lock of a target bound to one schema
// (a tenant schema of a shared database): the database's apply lock shared
// and the lock of the history's schema exclusive. Applies to different
// schemas of one database run at once; an apply to the same schema, or
// one to the whole database (schemactl's or Atlas's, which take the
// database's lock exclusive), waits.
func AcquireSchemaApplyLock(ctx context.Context, conn *pgx.Conn, schema string, timeout time.Duration) (release func(context.Context) error, err error) {
	key, class, sk := ApplyLockKey(), schemaLockClass(), SchemaLockKey(schema)
	try := `SELECT CASE WHEN pg_try_advisory_lock_shared($1)
		THEN CASE WHEN pg_try_advisory_lock($2::int4, $3::int4) THEN true ELSE NOT pg_advisory_unlock_shared($1) END
		ELSE false END`
	unlock := `SELECT pg_advisory_unlock($2::int4, $3::int4) AND pg_advisory_unlock_shared($1)`
	return pollLock(ctx, conn, timeout, try, unlock, []any{key, class, sk},
		func() string { return fmt.Sprintf("schema %q, %s", schema, lockHolder(ctx, conn, key)) })
}

// pollLock takes a lock with the query try (a boolean, never a blocking
// wait, which would sit in a transaction that CREATE INDEX CONCURRENTLY in
// the holder waits for), polling with a growing, jittered delay for up to
// timeout; unlock releases it.
func pollLock(ctx context.Context, conn *pgx.Conn, timeout time.Duration, try, unlock string, args []any, holder func() string) (release func(context.Context) error, err error) {
	start := time.Now()
	delay := 25 * time.Millisecond
	for {
		var ok bool
		if err := conn.QueryRow(ctx, try, args...).Scan(&ok); err != nil {
			return nil, fmt.Errorf("take the apply lock: %w", err)
		}
		if ok {
			return func(ctx context.Context) error {
				var released bool
				if err := conn.QueryRow(ctx, unlock, args...).Scan(&released); err != nil {
					return fmt.Errorf("release the apply lock: %w", err)
				}
				if !released {
					return errors.New("release the apply lock: it was not held")
				}
				return nil
			}, nil
		}
		elapsed := time.Since(start)
		if elapsed >= timeout {
			return nil, fmt.Errorf("%w (%s; waited %s, see --lock-timeout)", ErrLocked, holder(), elapsed.Round(time.Millisecond))
		}
		// Sleep delay plus up to half as much again, so that waiters
		// do not poll in step, but not past the timeout.
		jitter := time.Duration(rand.Int64N(int64(delay)/2 + 1))
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(min(delay+jitter, timeout-elapsed)):
		}
		delay = min(delay*2, time.Second)
	}
}

// lockHolder describes the session holding the advisory lock key.
func lockHolder(ctx context.Context, conn *pgx.Conn, key int64) string {
	var (
		pid     int32
		app     string
		started *time.Time
	)
	err := conn.QueryRow(ctx, `SELECT l.pid, coalesce(a.application_name, ''), a.backend_start
		FROM pg_catalog.pg_locks l LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
		WHERE l.locktype = 'advisory' AND l.classid = 0 AND l.objid = $1 AND l.objsubid = 1 AND l.granted
		LIMIT 1`, key).Scan(&pid, &app, &started)
	if err != nil {
		return fmt.Sprintf("advisory lock %d", key)
	}
	s := fmt.Sprintf("advisory lock %d held by backend pid %d", key, pid)
	if app != "" {
		s += fmt.Sprintf(" (%s)", app)
	}
	if started != nil {
		s += fmt.Sprintf(", connected %s ago", time.Since(*started).Round(time.Second))
	}
	return s
}

// applyLock takes the lock of an apply: a target bound to one schema
// whose history lives in that schema takes the schema's lock (see
// AcquireSchemaApplyLock), any other the database's.
func applyLock(ctx context.Context, conn *pgx.Conn, opts ApplyOptions, timeout time.Duration) (func(context.Context) error, error) {
	if opts.SchemaBound != "" && opts.History.Schema == opts.SchemaBound {
		return AcquireSchemaApplyLock(ctx, conn, opts.SchemaBound, timeout)
	}
	return AcquireApplyLock(ctx, conn, timeout)
}
