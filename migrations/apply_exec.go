package migrations

import (
	"context"
	"fmt"
	"strings"
	"time"
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
// that dies half-way leaves nothing of the file behind.
func (a *applier) runTx(ctx context.Context, f *ApplyFile, index int, begin, commit bool) error {
	skip, partial, err := a.resume(f)
	if err != nil {
		return err
	}
	mode := TxModeFile
	if !commit {
		mode = TxModeAll
	}
	res := a.fileStart(f, index, skip, mode)
	rev := a.newRevision(f, skip, partial, res.Start)
	var q batch
	if begin {
		q.b.WriteString("BEGIN;\n")
	}
	for _, st := range f.Stmts[skip:] {
		q.add(st.Text)
	}
	offset := 0
	if begin {
		offset = 1
	}
	done, err := a.execBatch(ctx, &q, func(n int) {
		if n > offset && a.opts.Progress != nil {
			a.opts.Progress.Stmt(f, skip+n-offset)
		}
	})
	if err != nil {
		a.rollback(ctx)
		if done < offset || done-offset >= len(q.starts) {
			return a.fileDone(res, fmt.Errorf("%s: %w", f.Path, err))
		}
		i := done - offset
		stmtErr := stmtFailure(f, skip+i, err, q.b.String(), q.starts[i])
		if a.conn.IsClosed() {
			return a.fileDone(res, stmtErr)
		}
		rev.ExecutionTime = time.Since(res.Start)
		return a.fileDone(res, a.recordFailure(ctx, rev, stmtErr, f.hashText(skip+i)))
	}
	rev.Applied = len(f.Stmts)
	rev.PartialHashes = nil
	rev.ExecutionTime = time.Since(res.Start)
	tail := a.h.upsertSQL(rev, false)
	if commit {
		tail += ";\nCOMMIT"
	}
	if _, err := a.conn.Exec(ctx, tail); err != nil {
		a.rollback(ctx)
		err = fmt.Errorf("%s: record the revision and commit: %w", f.Path, err)
		if commit && !a.conn.IsClosed() {
			rev.Applied, rev.PartialHashes = skip, partial
			return a.fileDone(res, a.recordFailure(ctx, rev, err, "COMMIT"))
		}
		return a.fileDone(res, err)
	}
	res.Applied = len(f.Stmts) - skip
	return a.fileDone(res, nil)
}

// runAll runs all files in one transaction and commits at the end; a
// failure rolls back every file of the run.
func (a *applier) runAll(ctx context.Context, pending []*ApplyFile) error {
	for i, f := range pending {
		if err := a.runTx(ctx, f, i, i == 0, false); err != nil {
			a.markRolledBack()
			return err
		}
	}
	if _, err := a.conn.Exec(ctx, "COMMIT"); err != nil {
		a.rollback(ctx)
		a.markRolledBack()
		return fmt.Errorf("commit the transaction of all files: %w", err)
	}
	return nil
}

func (a *applier) markRolledBack() {
	a.rep.RolledBack = true
	for _, r := range a.rep.Files {
		r.Applied = 0
	}
}

// runNoTx runs file f statement by statement outside a transaction,
// recording progress after each statement (applied count and running
// statement hashes) so that a later run resumes after the last one.
func (a *applier) runNoTx(ctx context.Context, f *ApplyFile, index int) error {
	skip, partial, err := a.resume(f)
	if err != nil {
		return err
	}
	res := a.fileStart(f, index, skip, TxModeNone)
	rev := a.newRevision(f, skip, partial, res.Start)
	if err := a.h.Write(ctx, a.conn, rev); err != nil {
		return a.fileDone(res, err)
	}
	sums := f.partialHashes()
	for i := skip; i < len(f.Stmts); i++ {
		var q batch
		q.add(f.Stmts[i].Text)
		if _, err := a.execBatch(ctx, &q, nil); err != nil {
			stmtErr := stmtFailure(f, i, err, q.b.String(), 0)
			if a.conn.IsClosed() {
				return a.fileDone(res, stmtErr)
			}
			rev.ExecutionTime = time.Since(res.Start)
			return a.fileDone(res, a.recordFailure(ctx, rev, stmtErr, f.hashText(i)))
		}
		res.Applied++
		rev.Applied = i + 1
		rev.PartialHashes = append(rev.PartialHashes, "h1:"+sums[i])
		rev.Error, rev.ErrorStmt = "", ""
		if rev.Applied == len(f.Stmts) {
			rev.PartialHashes = nil
		}
		rev.ExecutionTime = time.Since(res.Start)
		if err := a.h.Write(ctx, a.conn, rev); err != nil {
			return a.fileDone(res, fmt.Errorf("%s: statement %d was applied but recording it failed: %w", f.Path, i+1, err))
		}
		if p := a.opts.Progress; p != nil {
			p.Stmt(f, i+1)
		}
	}
	return a.fileDone(res, nil)
}
