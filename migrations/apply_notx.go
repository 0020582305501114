package migrations

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	pg "github.com/pganalyze/pg_query_go/v6"
)

// runNoTx runs file f statement by statement without a file transaction,
// so that a kill at any instant leaves a history the next run can resume
// from:
//   - a statement that can run in a transaction runs in one together with
//     the record of its progress (applied count and running statement
//     hashes), in one message: both commit or neither;
//   - a statement that cannot (CREATE INDEX CONCURRENTLY, VACUUM, ...) is
//     recorded as started first (see startedMarker), then runs, then is
//     recorded as applied; the next run finds out from the catalog whether
//     an interrupted one took effect (recoverStarted);
//   - inside a transaction the file begins itself, each statement's record
//     joins that transaction.
func (a *applier) runNoTx(ctx context.Context, f *ApplyFile, index int) error {
	skip, partial, err := a.resume(f)
	if err != nil {
		return err
	}
	if skip, partial, err = a.recoverStarted(ctx, f, skip, partial); err != nil {
		return err
	}
	if skip == len(f.Stmts) {
		partial = nil
	}
	res := a.fileStart(f, index, skip, TxModeNone)
	rev := a.newRevision(f, skip, partial, res.Start)
	if err := a.h.Write(ctx, a.conn, rev); err != nil {
		return a.fileDone(res, err)
	}
	r := &noTxRun{a: a, f: f, res: res, rev: rev, sums: f.partialHashes()}
	for i := skip; i < len(f.Stmts); i++ {
		if err := r.step(ctx, i); err != nil {
			return a.fileDone(res, err)
		}
		if p := a.opts.Progress; p != nil {
			p.Stmt(f, i+1)
		}
	}
	if r.inTx {
		a.rollback(ctx)
		r.restore()
		err := fmt.Errorf("%s: the transaction begun by statement %d is still open at the end of the file; it was rolled back (end it with COMMIT)", f.Stmts[r.txAt].Pos, r.txAt+1)
		return a.fileDone(res, r.fail(ctx, err, r.txAt))
	}
	return a.fileDone(res, nil)
}

// noTxRun is the state of runNoTx.
type noTxRun struct {
	a    *applier
	f    *ApplyFile
	res  *FileResult
	rev  *Revision // as committed, or as it will commit with the file's own transaction
	sums []string

	// inTx is set inside a transaction begun by the file (its BEGIN is
	// statement txAt); txRev and txApplied are the state before it.
	inTx      bool
	txAt      int
	txRev     Revision
	txApplied int
}

// next is the revision once statement i is applied.
func (r *noTxRun) next(i int) *Revision {
	n := *r.rev
	n.Applied = i + 1
	n.PartialHashes = append(append([]string(nil), r.rev.PartialHashes...), "h1:"+r.sums[i])
	if n.Applied == len(r.f.Stmts) {
		n.PartialHashes = nil
	}
	n.Error, n.ErrorStmt = "", ""
	n.ExecutionTime = time.Since(r.res.Start)
	return &n
}

// applied takes note that the statement of revision n is applied.
func (r *noTxRun) applied(n *Revision) {
	r.rev = n
	r.res.Applied++
}

// restore goes back to the state before the file's own transaction.
func (r *noTxRun) restore() {
	rev := r.txRev
	r.rev, r.res.Applied, r.inTx = &rev, r.txApplied, false
}

// fail records err of statement i as the file's failure.
func (r *noTxRun) fail(ctx context.Context, err error, i int) error {
	if r.a.conn.IsClosed() {
		return err
	}
	r.rev.ExecutionTime = time.Since(r.res.Start)
	return r.a.recordFailure(ctx, r.rev, err, r.f.hashText(i))
}

func (r *noTxRun) step(ctx context.Context, i int) error {
	info := classifyStmt(r.f.Stmts[i].Text)
	switch {
	case r.inTx || info.kind == kindTxControl:
		return r.ownTx(ctx, i, info)
	case info.kind == kindNoTx:
		return r.alone(ctx, i)
	default:
		return r.atomic(ctx, i)
	}
}

// atomic runs statement i and its progress record in one transaction.
func (r *noTxRun) atomic(ctx context.Context, i int) error {
	a, f := r.a, r.f
	next := r.next(i)
	var q batch
	q.add("BEGIN")
	q.add(f.Stmts[i].Text)
	q.add(a.h.upsertSQL(next, false))
	q.add("COMMIT")
	done, err := a.execBatch(ctx, &q, nil)
	if err == nil {
		r.applied(next)
		return nil
	}
	a.rollback(ctx)
	switch part := q.failedPart(err, done); {
	case part == 1 && mustRunAlone(err) && !a.conn.IsClosed():
		// The parser did not know it, but the server does.
		return r.alone(ctx, i)
	case part == 1:
		return r.fail(ctx, stmtFailure(f, i, err, q.b.String(), q.starts[1]), i)
	case part == 3:
		// A deferred constraint of the statement, checked at COMMIT.
		return r.fail(ctx, &StmtError{File: f, Index: i, Pos: f.Stmts[i].Pos, Err: err, At: "COMMIT after " + StmtHead(f.Stmts[i].Text)}, i)
	default:
		return fmt.Errorf("%s: statement %d: record its progress: %w (the statement was rolled back)", f.Stmts[i].Pos, i+1, err)
	}
}

// mustRunAlone reports whether err says that the statement cannot run in a
// transaction block.
func mustRunAlone(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "25001" || pgErr.Code == "2D000")
}

// alone runs statement i outside any transaction: recorded as started,
// run, recorded as applied.
func (r *noTxRun) alone(ctx context.Context, i int) error {
	a, f := r.a, r.f
	r.rev.Error, r.rev.ErrorStmt = a.mask(startedMarker(f, i)), a.mask(f.hashText(i))
	r.rev.ExecutionTime = time.Since(r.res.Start)
	if err := a.h.Write(ctx, a.conn, r.rev); err != nil {
		return fmt.Errorf("%s: statement %d: record that it starts: %w", f.Stmts[i].Pos, i+1, err)
	}
	var q batch
	q.add(f.Stmts[i].Text)
	if _, err := a.execBatch(ctx, &q, nil); err != nil {
		return r.fail(ctx, stmtFailure(f, i, err, q.b.String(), 0), i)
	}
	next := r.next(i)
	if err := a.h.Write(ctx, a.conn, next); err != nil {
		return fmt.Errorf("%s: statement %d was applied but recording it failed (the next apply checks the catalog): %w", f.Stmts[i].Pos, i+1, err)
	}
	r.applied(next)
	return nil
}

// ownTx runs statement i when it is a transaction control statement or
// runs inside the file's own transaction: its record travels in the same
// message, inside that transaction (before a COMMIT, after a BEGIN).
func (r *noTxRun) ownTx(ctx context.Context, i int, info stmtInfo) error {
	a, f := r.a, r.f
	next := r.next(i)
	up := a.h.upsertSQL(next, false)
	ctl := info.kind == kindTxControl
	begins := ctl && !r.inTx && (info.txKind == pg.TransactionStmtKind_TRANS_STMT_BEGIN || info.txKind == pg.TransactionStmtKind_TRANS_STMT_START)
	ends := ctl && r.inTx && !info.chain && (info.txKind == pg.TransactionStmtKind_TRANS_STMT_COMMIT ||
		info.txKind == pg.TransactionStmtKind_TRANS_STMT_ROLLBACK || info.txKind == pg.TransactionStmtKind_TRANS_STMT_PREPARE)
	var q batch
	stmtPart := 0
	if ends && info.txKind != pg.TransactionStmtKind_TRANS_STMT_ROLLBACK {
		q.add(up)
		stmtPart = 1
		q.add(f.Stmts[i].Text)
	} else {
		q.add(f.Stmts[i].Text)
		q.add(up)
	}
	if begins {
		r.inTx, r.txAt, r.txRev, r.txApplied = true, i, *r.rev, r.res.Applied
	}
	done, err := a.execBatch(ctx, &q, nil)
	if err != nil {
		if r.inTx {
			a.rollback(ctx)
			r.restore()
		}
		if part := q.failedPart(err, done); part != stmtPart {
			return fmt.Errorf("%s: statement %d: record its progress: %w", f.Stmts[i].Pos, i+1, err)
		}
		return r.fail(ctx, stmtFailure(f, i, err, q.b.String(), q.starts[stmtPart]), i)
	}
	r.applied(next)
	if ends {
		r.inTx = false
	}
	return nil
}
