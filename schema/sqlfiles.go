package schema

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/schemactl/schemactl/internal/srcpos"
	"github.com/schemactl/schemactl/migrations"
)

// readSQLFile reads and splits a desired-state SQL file. psql meta-command
// lines (the \restrict and \unrestrict lines of recent pg_dump versions,
// \connect, \set, ...) are not SQL and are skipped; the rows after a
// `COPY ... FROM stdin` statement are kept for that statement.
func readSQLFile(path string) (*sqlFile, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return splitSQL(filepath.Base(path), path, src)
}

// splitSQL splits the SQL text src of a file (path names it in
// positions and messages) into its statements and COPY rows.
func splitSQL(name, path string, src []byte) (*sqlFile, error) {
	if err := srcpos.CheckText(path, src); err != nil {
		return nil, err
	}
	sc, rows, err := scanCopyStdin(path, src)
	if err != nil {
		return nil, err
	}
	f := &sqlFile{File: &migrations.File{
		Name:      name,
		Path:      path,
		Bytes:     src,
		Stmts:     sc.Stmts,
		Meta:      sc.Meta,
		Delimiter: sc.Delimiter,
		TxMode:    migrations.TxModeFile,
	}}
	for i, st := range sc.Stmts {
		if data, ok := rows[st.Start]; ok {
			if f.copies == nil {
				f.copies = map[int][]byte{}
			}
			f.copies[i] = data
		}
	}
	return f, nil
}

// reCreatePublic matches a statement that creates the public schema, as a
// pg_dump of a database whose public schema was recreated has.
var reCreatePublic = regexp.MustCompile(`(?is)^\s*CREATE\s+SCHEMA\s+(public|"public")(\s+AUTHORIZATION\s+.*)?\s*$`)

// reDropSchema matches the start of a DROP SCHEMA statement.
var reDropSchema = regexp.MustCompile(`(?is)^\s*DROP\s+SCHEMA\s`)

// createsPublic reports whether the state creates the public schema
// before anything drops it: the dev database's public schema must then go
// first. A state that drops public itself (DROP SCHEMA ... public ...
// CASCADE, then CREATE SCHEMA public) runs as psql runs it, on a database
// that has public until that statement.
func createsPublic(files []*sqlFile) bool {
	for _, f := range files {
		for _, s := range f.Stmts {
			if reCreatePublic.MatchString(s.Text) {
				return true
			}
			if reDropSchema.MatchString(s.Text) && dropsPublic(s.Text) {
				return false
			}
		}
	}
	return false
}

// dropsPublic reports whether a DROP SCHEMA statement names public.
func dropsPublic(text string) bool {
	tree, err := pg.Parse(text)
	if err != nil || len(tree.Stmts) != 1 {
		return false
	}
	d := tree.Stmts[0].Stmt.GetDropStmt()
	if d == nil || d.RemoveType != pg.ObjectType_OBJECT_SCHEMA {
		return false
	}
	for _, o := range d.Objects {
		if o.GetString_() != nil && o.GetString_().Sval == "public" {
			return true
		}
	}
	return false
}

// execSQLFiles runs SQL files on conn in order, each in one transaction
// (one round trip). A file that cannot run in a transaction (CREATE INDEX
// CONCURRENTLY, ...) or that needs more locks than the server's lock table
// holds runs again statement by statement, except on a remote dev server
// (remote), where it is a LockTableError (locktable.go). Errors name
// file:line:col, PostgreSQL's message and its SQLSTATE.
func execSQLFiles(ctx context.Context, conn *pgconn.PgConn, files []*sqlFile, remote bool) error {
	for _, f := range files {
		if len(f.copies) > 0 {
			err := execWithCopies(ctx, conn, f, true)
			if remote && LockTableFull(err) {
				return lockTableError(ctx, conn, f)
			}
			if needsNoTx(err) {
				err = execWithCopies(ctx, conn, f, false)
			}
			if err != nil {
				return err
			}
			continue
		}
		err := migrations.ExecFile(ctx, conn, f.File)
		if remote && LockTableFull(err) {
			return lockTableError(ctx, conn, f)
		}
		if needsNoTx(err) {
			g := *f.File
			g.TxMode = migrations.TxModeNone
			err = migrations.ExecFile(ctx, conn, &g)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// needsNoTx reports whether a file failed because it ran in a transaction:
// 25001 active_sql_transaction, or the lock table ran out (LockTableFull).
func needsNoTx(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && pg.Code == "25001" || LockTableFull(err)
}

// LockTableFull reports whether err is PostgreSQL running out of room in
// its shared lock table (53200 out_of_memory with the
// max_locks_per_transaction hint): the transaction took more locks than
// the server holds, and smaller transactions would pass.
func LockTableFull(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && pg.Code == "53200" && strings.Contains(pg.Hint+pg.Message, "max_locks_per_transaction")
}

// reCreateRole matches the statements that create cluster-wide roles.
var reCreateRole = regexp.MustCompile(`(?is)^\s*CREATE\s+(ROLE|USER|GROUP)\s`)

// roleExists reports whether a CREATE ROLE failed because the role
// exists: duplicate_object, or, when another dev database's baseline
// created it at the same moment and committed first, the unique violation
// of pg_authid's name index.
func roleExists(err error) bool {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		return false
	}
	return pg.Code == "42710" || pg.Code == "23505" && pg.ConstraintName == "pg_authid_rolname_index"
}

// execBaseline runs the dev baseline statement by statement. Roles are
// cluster-wide: a CREATE ROLE for a role that exists (created by the
// baseline of another dev database on the same server) is skipped. An
// `ALTER DATABASE name SET ...` sets the dev database whatever the name
// (the baseline names the production database; each dev database has a
// name of its own): connections opened afterwards see the setting.
func execBaseline(ctx context.Context, conn *pgconn.PgConn, files []*sqlFile) error {
	for _, f := range files {
		for i := range f.Stmts {
			if data, ok := f.copies[i]; ok {
				if _, err := conn.CopyFrom(ctx, bytes.NewReader(data), f.Stmts[i].Text); err != nil {
					return fmt.Errorf("dev baseline: %w", &migrations.ExecError{Pos: f.Stmts[i].Pos, Stmt: f.Stmts[i].Text, Err: err})
				}
				continue
			}
			one := *f.File
			one.Stmts = f.Stmts[i : i+1]
			one.TxMode = migrations.TxModeNone
			if text, ok, err := onCurrentDatabase(ctx, conn, f.Stmts[i].Text); err != nil {
				return fmt.Errorf("dev baseline: %s: %w", f.Stmts[i].Pos, err)
			} else if ok {
				st := f.Stmts[i]
				st.Text = text
				one.Stmts = []migrations.Stmt{st}
			}
			err := migrations.ExecFile(ctx, conn, &one)
			if err != nil && reCreateRole.MatchString(f.Stmts[i].Text) && roleExists(err) {
				continue
			}
			if err != nil {
				return fmt.Errorf("dev baseline: %w", err)
			}
		}
	}
	return nil
}

// ApplyBaseline runs the dev baseline named by baseline (a file:// URL of
// SQL files, as LoadOptions.Baseline) on the database at url. Commands
// that use a dev database outside this package (lint) call it so that
// their dev database starts where the loaded states start.
func ApplyBaseline(ctx context.Context, url, baseline string) error {
	files, err := readBaseline(baseline)
	if err != nil || len(files) == 0 {
		return err
	}
	conn, err := pgconn.Connect(ctx, url)
	if err != nil {
		return fmt.Errorf("dev baseline: connect to the dev database: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return execBaseline(ctx, conn, files)
}

// reAlterDatabase matches the start of an ALTER DATABASE statement.
var reAlterDatabase = regexp.MustCompile(`(?is)^\s*ALTER\s+DATABASE\s`)

// onCurrentDatabase rewrites `ALTER DATABASE name SET|RESET ...` to name
// the database conn is connected to; ok is false for any other statement.
func onCurrentDatabase(ctx context.Context, conn *pgconn.PgConn, text string) (string, bool, error) {
	if !reAlterDatabase.MatchString(text) {
		return "", false, nil
	}
	tree, err := pg.Parse(text)
	if err != nil || len(tree.Stmts) != 1 || tree.Stmts[0].Stmt.GetAlterDatabaseSetStmt() == nil {
		return "", false, nil
	}
	rows, err := conn.Exec(ctx, "SELECT current_database()").ReadAll()
	if err != nil {
		return "", false, err
	}
	if len(rows) != 1 || len(rows[0].Rows) != 1 {
		return "", false, fmt.Errorf("current_database(): no row")
	}
	tree.Stmts[0].Stmt.GetAlterDatabaseSetStmt().Dbname = string(rows[0].Rows[0][0])
	out, err := pg.Deparse(tree)
	if err != nil {
		return "", false, fmt.Errorf("rewrite ALTER DATABASE for the dev database: %w", err)
	}
	return out, true, nil
}
