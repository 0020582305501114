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
	start := time.Now()
	delay := 25 * time.Millisecond
	for {
		var ok bool
		if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&ok); err != nil {
			return nil, fmt.Errorf("take the apply lock: %w", err)
		}
		if ok {
			return func(ctx context.Context) error {
				var released bool
				if err := conn.QueryRow(ctx, `SELECT pg_advisory_unlock($1)`, key).Scan(&released); err != nil {
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
			return nil, fmt.Errorf("%w (%s; waited %s, see --lock-timeout)", ErrLocked, lockHolder(ctx, conn, key), elapsed.Round(time.Millisecond))
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
