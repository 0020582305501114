package schema

import (
	"bytes"
	"context"
	"fmt"
	"regexp"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/schemactl/schemactl/migrations"
)

// sqlFile is a desired-state (or baseline) SQL file: its statements, and
// the rows that follow its `COPY ... FROM stdin` statements, as psql reads
// them (the lines up to `\.`), by statement index.
type sqlFile struct {
	*migrations.File
	copies map[int][]byte
}

// reCopyStdin matches a COPY statement that reads its rows from the
// script itself, as pg_dump writes them.
var reCopyStdin = regexp.MustCompile(`(?is)^COPY\s.*\sFROM\s+STDIN(\s|$)`)

// reCopyLine matches a line that may be such a statement, whole on its
// line as pg_dump writes it.
var reCopyLine = regexp.MustCompile(`(?im)^COPY\s[^\n]*\sFROM\s+STDIN\b[^\n]*;[ \t\r]*$`)

// scanCopyStdin splits src into statements as psql would: the rows after
// each `COPY ... FROM stdin;` line (from the next line up to a line `\.`,
// or the end of the file) are data, not SQL. It returns the statements of
// the script with those lines blanked (the same length and line breaks, so
// that every position stays right) and the rows of each COPY statement by
// its start offset. A COPY line is one only where a statement starts (not
// inside a function body or a string).
func scanCopyStdin(path string, src []byte) (*migrations.Script, map[int][]byte, error) {
	buf, owned := src, false
	rows := map[int][]byte{}
	for from := 0; from < len(buf); {
		loc := reCopyLine.FindIndex(buf[from:])
		if loc == nil {
			break
		}
		ms, me := from+loc[0], from+loc[1]
		from = me
		sc, err := migrations.Scan(path, buf[:me], migrations.SplitOptions{})
		if err != nil || len(sc.Stmts) == 0 {
			continue
		}
		if last := sc.Stmts[len(sc.Stmts)-1]; last.Start != ms || !reCopyStdin.MatchString(last.Text) {
			continue
		}
		start := me + 1
		if start > len(buf) {
			rows[ms] = nil
			break
		}
		end, next := len(buf), len(buf)
		for i := start; i < len(buf); {
			lineEnd := len(buf)
			if j := bytes.IndexByte(buf[i:], '\n'); j >= 0 {
				lineEnd = i + j
			}
			if bytes.Equal(bytes.TrimRight(buf[i:lineEnd], "\r"), []byte(`\.`)) {
				end, next = i, lineEnd
				break
			}
			i = lineEnd + 1
		}
		if !owned {
			buf, owned = append([]byte(nil), src...), true
		}
		rows[ms] = append([]byte(nil), buf[start:end]...)
		for i := start; i < next; i++ {
			if buf[i] != '\n' && buf[i] != '\r' {
				buf[i] = ' '
			}
		}
		from = next
	}
	sc, err := migrations.Scan(path, buf, migrations.SplitOptions{})
	if err != nil {
		return nil, nil, err
	}
	return sc, rows, nil
}

// execWithCopies runs a file that has COPY ... FROM stdin rows: the
// statements one by one and the rows of each COPY through the COPY
// protocol, in one transaction unless tx is false.
func execWithCopies(ctx context.Context, conn *pgconn.PgConn, f *sqlFile, tx bool) error {
	if tx {
		if err := conn.Exec(ctx, "BEGIN").Close(); err != nil {
			return fmt.Errorf("%s: %w", f.Path, err)
		}
	}
	run := func() error {
		for i := range f.Stmts {
			st := &f.Stmts[i]
			if data, ok := f.copies[i]; ok {
				if _, err := conn.CopyFrom(ctx, bytes.NewReader(data), st.Text); err != nil {
					return &migrations.ExecError{Pos: st.Pos, Stmt: st.Text, Err: err}
				}
				continue
			}
			one := *f.File
			one.Stmts = f.Stmts[i : i+1]
			one.TxMode = migrations.TxModeNone
			if err := migrations.ExecFile(ctx, conn, &one); err != nil {
				return err
			}
		}
		return nil
	}
	err := run()
	if !tx {
		return err
	}
	if err != nil {
		if conn.TxStatus() != 'I' {
			if rerr := conn.Exec(context.WithoutCancel(ctx), "ROLLBACK").Close(); rerr != nil {
				return fmt.Errorf("%w (and rollback failed: %v)", err, rerr)
			}
		}
		return err
	}
	if err := conn.Exec(ctx, "COMMIT").Close(); err != nil {
		return fmt.Errorf("%s: COMMIT (end of file): %w", f.Path, err)
	}
	return nil
}
