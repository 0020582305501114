package migrations

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
)

// StmtError is a statement of a migration file that failed on the
// database.
type StmtError struct {
	// File is the file the statement belongs to.
	File *ApplyFile
	// Index is the statement's index in File.Stmts.
	Index int
	// Pos is where the error is: the error position PostgreSQL reported
	// when it gave one, else the start of the statement.
	Pos Pos
	// Err is the database error, usually a *pgconn.PgError.
	Err error
	// At names what raised the error when it was not the statement
	// itself, e.g. "COMMIT" for a deferred constraint checked at the
	// file's commit (Pos is then the end of the file's last statement).
	At string
}

// Error formats the error as file:line:col: statement head: message
// (SQLSTATE code), followed by PostgreSQL's detail and hint lines if any.
func (e *StmtError) Error() string {
	msg := fmt.Sprintf("%s: %s: %s", e.Pos, StmtHead(e.File.Stmts[e.Index].Text), DBMessage(e.Err))
	if e.At != "" {
		msg = fmt.Sprintf("%s: at %s: %s", e.Pos, e.At, DBMessage(e.Err))
	}
	var pgErr *pgconn.PgError
	if errors.As(e.Err, &pgErr) {
		if pgErr.Detail != "" {
			msg += "\n\tDETAIL: " + pgErr.Detail
		}
		if pgErr.Hint != "" {
			msg += "\n\tHINT: " + pgErr.Hint
		}
	}
	return msg
}

// Unwrap returns the database error.
func (e *StmtError) Unwrap() error { return e.Err }

// DBMessage is a database error's message with its SQLSTATE, e.g.
// `relation "t" already exists (SQLSTATE 42P07)`.
func DBMessage(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return fmt.Sprintf("%s (SQLSTATE %s)", pgErr.Message, pgErr.Code)
	}
	return err.Error()
}

// StmtHead is the beginning of a statement for messages: its first 60
// characters with runs of white space folded into one space.
func StmtHead(text string) string {
	const max = 60
	s := strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:max])) + "..."
}

// advance returns the position reached from p after the text s.
func advance(p Pos, s string) Pos {
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		p.Line += strings.Count(s, "\n")
		p.Col = len(s) - i
		return p
	}
	p.Col += len(s)
	return p
}

// errorPos maps PostgreSQL's error position (1-based, in characters of the
// query message) to the file, given that the statement started at byte
// offset start of the message. It returns the statement's start when the
// error has no position inside the statement.
func errorPos(err error, message string, start int, st Stmt) Pos {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Position <= 0 {
		return st.Pos
	}
	chars := int(pgErr.Position) - 1
	byteOff := -1
	n := 0
	for i := range message {
		if n == chars {
			byteOff = i
			break
		}
		n++
	}
	if byteOff > start+len(st.Text) && byteOff <= start+len(st.Text)+len("\n;") {
		// At the terminator apply adds ("at or near ;"): the end of the
		// statement, where its own semicolon is.
		return advance(st.Pos, st.Text)
	}
	if byteOff < start || byteOff > start+len(st.Text) {
		return st.Pos
	}
	return advance(st.Pos, st.Text[:byteOff-start])
}
