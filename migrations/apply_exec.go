package migrations

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// batch is a simple-protocol query message holding several statements;
// PostgreSQL answers each with its own result, so the results received
// tell how far it got.
type batch struct {
	b      strings.Builder
	starts []int // byte offset of each statement in the message
}

func (q *batch) add(text string) {
	q.starts = append(q.starts, q.b.Len())
	q.b.WriteString(text)
	// A newline first, so that a statement ending in a -- comment is
	// still terminated.
	q.b.WriteString("\n;\n")
}

// execBatch sends the message and reads its results. It returns how many
// statements completed, and the error of the next one if any. onResult is
// called after each completed statement.
func (a *applier) execBatch(ctx context.Context, q *batch, onResult func(done int)) (int, error) {
	mrr := a.conn.PgConn().Exec(ctx, q.b.String())
	done := 0
	var stmtErr error
	for mrr.NextResult() {
		if _, err := mrr.ResultReader().Close(); err != nil {
			stmtErr = err
			break
		}
		done++
		if onResult != nil {
			onResult(done)
		}
	}
	if err := mrr.Close(); err != nil && stmtErr == nil {
		stmtErr = err
	}
	return done, stmtErr
}

// failedPart returns the index of the statement of the message that err
// belongs to: the one holding PostgreSQL's error position when it gave one
// (a syntax error rejects the whole message, so none completed), else the
// one after the done completed statements.
func (q *batch) failedPart(err error, done int) int {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Position <= 0 {
		return done
	}
	off := byteOffset(q.b.String(), int(pgErr.Position))
	for k := len(q.starts) - 1; k >= 0; k-- {
		if off >= q.starts[k] {
			return k
		}
	}
	return done
}

// stmtFailure builds the error of statement index of f, which failed with
// err at byte offset start of message msg.
func stmtFailure(f *ApplyFile, index int, err error, msg string, start int) *StmtError {
	return &StmtError{File: f, Index: index, Pos: errorPos(err, msg, start, f.Stmts[index]), Err: err}
}

// rollback ends a failed transaction. A broken connection has rolled it
// back already.
func (a *applier) rollback(ctx context.Context) {
	if a.conn.IsClosed() {
		return
	}
	_, _ = a.conn.Exec(context.WithoutCancel(ctx), "ROLLBACK")
}

// runTx runs file f in a transaction: one message with BEGIN (when begin)
// and the statements, then one with the revision and COMMIT (when commit).
// The commit is sent only after every statement has succeeded, so a client
// that dies half-way leaves nothing of the file behind. Every failure, a
// syntax error that made PostgreSQL reject the whole message and an error
// raised at COMMIT (a deferred constraint) included, is recorded in the
// history with its position.
func (a *applier) runTx(ctx context.Context, f *ApplyFile, index int, begin, commit bool, mode string) error {
	skip, partial, err := a.resume(f)
	if err != nil {
		return err
	}
	if skip, partial, err = a.recoverStarted(ctx, f, skip, partial); err != nil {
		return err
	}
	res := a.fileStart(f, index, skip, mode)
	rev := a.newRevision(f, skip, partial, res.Start)
	var q batch
	offset := 0
	if begin {
		q.add("BEGIN")
		offset = 1
	}
	for _, st := range f.Stmts[skip:] {
		q.add(st.Text)
	}
	done, err := a.execBatch(ctx, &q, func(n int) {
		if n > offset && a.opts.Progress != nil {
			a.opts.Progress.Stmt(f, skip+n-offset)
		}
	})
	if err != nil {
		a.rollback(ctx)
		part := q.failedPart(err, done)
		if part < offset || part-offset >= len(f.Stmts)-skip {
			return a.fileDone(res, fmt.Errorf("%s: %w", f.Path, err))
		}
		i := skip + part - offset
		stmtErr := stmtFailure(f, i, err, q.b.String(), q.starts[part])
		if a.conn.IsClosed() {
			return a.fileDone(res, stmtErr)
		}
		rev.ExecutionTime = time.Since(res.Start)
		return a.fileDone(res, a.recordFailure(ctx, rev, stmtErr, f.hashText(i)))
	}
	rev.Applied = len(f.Stmts)
	rev.PartialHashes = nil
	rev.ExecutionTime = time.Since(res.Start)
	var tail batch
	tail.add(a.h.upsertSQL(rev, false))
	if commit {
		tail.add("COMMIT")
	}
	if n, err := a.execBatch(ctx, &tail, nil); err != nil {
		a.rollback(ctx)
		if !commit || n == 0 || len(f.Stmts) == 0 {
			return a.fileDone(res, fmt.Errorf("%s: record the revision and commit: %w", f.Path, err))
		}
		what := "COMMIT"
		if mode == TxModeAll {
			what = "COMMIT of the transaction of all files"
		}
		last := f.Stmts[len(f.Stmts)-1]
		cerr := &StmtError{File: f, Index: len(f.Stmts) - 1, Pos: advance(last.Pos, last.Text), Err: err, At: what}
		if a.conn.IsClosed() {
			return a.fileDone(res, cerr)
		}
		rev.Applied, rev.PartialHashes = skip, partial
		return a.fileDone(res, a.recordFailure(ctx, rev, cerr, "COMMIT"))
	}
	res.Applied = len(f.Stmts) - skip
	return a.fileDone(res, nil)
}

// runAll runs all files in one transaction, committed with the last file;
// a failure rolls back every file of the run.
func (a *applier) runAll(ctx context.Context, pending []*ApplyFile) error {
	for i, f := range pending {
		if err := a.runTx(ctx, f, i, i == 0, i == len(pending)-1, TxModeAll); err != nil {
			a.markRolledBack()
			return err
		}
	}
	return nil
}

func (a *applier) markRolledBack() {
	a.rep.RolledBack = true
	for _, r := range a.rep.Files {
		r.Applied = 0
	}
}
