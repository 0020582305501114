package migrations

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
)

// ExecError is a migration statement that PostgreSQL refused. Its message
// is `file:line:col: <statement head>: <PostgreSQL message> (SQLSTATE
// xxxxx)`, where the position is PostgreSQL's error position inside the
// statement when it gives one, else the start of the statement.
type ExecError struct {
	// Pos is where the error is.
	Pos Pos
	// Stmt is the statement that failed.
	Stmt string
	// Err is PostgreSQL's error (a *pgconn.PgError) or the connection's.
	Err error
}

// Error formats the error as file:line:col: head: message (SQLSTATE code),
// followed by PostgreSQL's detail and hint lines if any (as apply does).
func (e *ExecError) Error() string {
	msg := fmt.Sprintf("%s: %s: %s", e.Pos, StmtHead(e.Stmt), DBMessage(e.Err))
	var pg *pgconn.PgError
	if errors.As(e.Err, &pg) {
		if pg.Detail != "" {
			msg += "\n\tDETAIL: " + pg.Detail
		}
		if pg.Hint != "" {
			msg += "\n\tHINT: " + pg.Hint
		}
	}
	return msg
}

// Unwrap returns the PostgreSQL error.
func (e *ExecError) Unwrap() error { return e.Err }

// Replay connects to dbURL and runs the files' statements in order on that
// one connection: each file in its own transaction, or statement by
// statement without a transaction for `-- atlas:txmode none`. It stops at
// the first failure and returns an *ExecError for it.
func Replay(ctx context.Context, dbURL string, files ...*File) error {
	conn, err := Connect(ctx, dbURL, ConnOptions{AppName: "schemactl"})
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return ReplayConn(ctx, conn.PgConn(), files...)
}

// ReplayConn is Replay on a connection the caller holds (for a *pgx.Conn,
// pass its PgConn()). Consecutive transactional files go out together in
// one message of at most batchBytes, each still in a transaction of its
// own (see replayBatch).
func ReplayConn(ctx context.Context, conn *pgconn.PgConn, files ...*File) error {
	for i := 0; i < len(files); {
		j, size := i, 0
		for j < len(files) && batchable(files[j]) && (j == i || size+len(files[j].Bytes) <= batchBytes) {
			size += len(files[j].Bytes)
			j++
		}
		if j-i < 2 {
			if err := ExecFile(ctx, conn, files[i]); err != nil {
				return err
			}
			i++
			continue
		}
		if err := replayBatch(ctx, conn, files[i:j]); err != nil {
			return err
		}
		i = j
	}
	return nil
}

// batchBytes bounds the size of the files replayBatch sends in one
// message.
const batchBytes = 1 << 20

// batchable tells whether a file can share a message with others: it runs
// in a transaction and has statements.
func batchable(f *File) bool {
	return f.TxMode != TxModeNone && len(f.Stmts) > 0
}

// addTx adds a transactional file to the message as ExecFile sends it
// (BEGIN, the statements, COMMIT) and returns the offset of each of its
// statements in the message.
func (q *batch) addTx(f *File) []int {
	q.b.WriteString("BEGIN;\n")
	first := len(q.starts)
	for _, st := range f.Stmts {
		q.add(st.Text)
	}
	q.b.WriteString("COMMIT;\n")
	return q.starts[first:]
}

// replayBatch runs transactional files in one message, one round trip for
// all (most migration files hold a statement or two: the round trip, not
// the statement, is what a file costs). Each file keeps its own BEGIN and
// COMMIT, so the files before a failing one stay committed, the failing
// one is rolled back and the rest do not run. The results tell which file
// failed (BEGIN, one per statement, COMMIT, for each file): it runs again
// alone (ExecFile), which reports the failing statement precisely, and
// the files after it follow.
func replayBatch(ctx context.Context, conn *pgconn.PgConn, files []*File) error {
	var q batch
	for _, f := range files {
		q.addTx(f)
	}
	results, err := conn.Exec(ctx, q.b.String()).ReadAll()
	if err == nil {
		return nil
	}
	if rerr := rollback(ctx, conn); rerr != nil {
		return fmt.Errorf("%s: %w (and rollback failed: %v)", files[0].Path, err, rerr)
	}
	n := 0
	for i, f := range files {
		end := n + len(f.Stmts) + 2
		if end <= len(results) && committed(results[n:end]) {
			n = end
			continue
		}
		if n < len(results) && (results[n].Err != nil || results[n].CommandTag.String() != "BEGIN") {
			break // not the shape sent: which files ran is unknown
		}
		if err := ExecFile(ctx, conn, f); err != nil {
			return err
		}
		return ReplayConn(ctx, conn, files[i+1:]...)
	}
	return fmt.Errorf("replay of %s to %s: %w", files[0].Path, files[len(files)-1].Path, err)
}

// committed tells whether the results of one file of a batch are those of
// a file that ran and committed.
func committed(rs []*pgconn.Result) bool {
	for _, r := range rs {
		if r.Err != nil {
			return false
		}
	}
	return rs[0].CommandTag.String() == "BEGIN" && rs[len(rs)-1].CommandTag.String() == "COMMIT"
}

// ExecFile runs one migration file on conn, honouring its transaction
// mode. A transactional file is sent in one round trip; when it fails
// without an error position, its statements are run again one by one in
// a transaction that is rolled back, to find the failing one.
func ExecFile(ctx context.Context, conn *pgconn.PgConn, f *File) error {
	if len(f.Stmts) == 0 {
		return nil
	}
	if f.TxMode == TxModeNone {
		for i := range f.Stmts {
			if err := execStmt(ctx, conn, f, &f.Stmts[i]); err != nil {
				return err
			}
		}
		return nil
	}
	var msg batch
	starts := msg.addTx(f)
	q := msg.b.String()
	_, err := conn.Exec(ctx, q).ReadAll()
	if err == nil {
		return nil
	}
	if rerr := rollback(ctx, conn); rerr != nil {
		return fmt.Errorf("%s: %w (and rollback failed: %v)", f.Path, err, rerr)
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Position > 0 {
		off := byteOffset(q, int(pg.Position))
		for i, st := range f.Stmts {
			if off >= starts[i] && off < starts[i]+len(st.Text) {
				return execError(f, &f.Stmts[i], off-starts[i], err)
			}
		}
	}
	return locate(ctx, conn, f, err)
}

// locate runs a failed transactional file again statement by statement in
// a transaction that it rolls back, and returns the error of the first
// statement that fails. When none fails again, the original error is
// reported at the file's last statement (it came from COMMIT, such as a
// deferred constraint).
func locate(ctx context.Context, conn *pgconn.PgConn, f *File, orig error) error {
	if _, err := conn.Exec(ctx, "BEGIN").ReadAll(); err != nil {
		return fmt.Errorf("%s: %w", f.Path, err)
	}
	defer rollback(ctx, conn)
	for i := range f.Stmts {
		if err := execStmt(ctx, conn, f, &f.Stmts[i]); err != nil {
			return err
		}
	}
	last := &f.Stmts[len(f.Stmts)-1]
	return &ExecError{Pos: last.Pos, Stmt: "COMMIT (end of file)", Err: orig}
}

// execStmt runs one statement on its own.
func execStmt(ctx context.Context, conn *pgconn.PgConn, f *File, st *Stmt) error {
	_, err := conn.Exec(ctx, st.Text).ReadAll()
	if err == nil {
		return nil
	}
	off := -1
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Position > 0 {
		off = byteOffset(st.Text, int(pg.Position))
	}
	return execError(f, st, off, err)
}

// execError builds the error of statement st failing at byte offset off
// of its text (-1: at its start).
func execError(f *File, st *Stmt, off int, err error) error {
	pos := st.Pos
	if off > 0 && off < len(st.Text) {
		pos = posAt(f.Path, lineStarts(f.Bytes), st.Start+off)
	}
	return &ExecError{Pos: pos, Stmt: st.Text, Err: err}
}

// rollback ends a failed transaction, if the connection is in one.
func rollback(ctx context.Context, conn *pgconn.PgConn) error {
	if conn.TxStatus() == 'I' {
		return nil
	}
	_, err := conn.Exec(context.WithoutCancel(ctx), "ROLLBACK").ReadAll()
	return err
}

// byteOffset converts PostgreSQL's error position (1-based, counted in
// characters) into a byte offset of q.
func byteOffset(q string, position int) int {
	n := 1
	for i := range q {
		if n == position {
			return i
		}
		n++
	}
	return len(q)
}
