package migrations

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/schemactl/schemactl/internal/pgquote"
)

// startedPrefix begins the error column of a revision whose statement
// number applied+1 was started outside a transaction and not yet known to
// have finished. To Atlas the row reads as a failed attempt at that
// statement (applied < total, error set, error_stmt the statement), which
// it is until a later run finds out otherwise.
const startedPrefix = "schemactl: started, not known to have finished: "

// startedMarker is the error text recorded before statement i of f runs.
func startedMarker(f *ApplyFile, i int) string {
	return fmt.Sprintf("%sstatement %d at %s (an interrupted run leaves this; the next apply checks the catalog)", startedPrefix, i+1, f.Stmts[i].Pos)
}

// isStartedMarker reports whether a revision's error is a started marker.
func isStartedMarker(s string) bool { return strings.HasPrefix(s, startedPrefix) }

// StartedUnknownError reports a statement that an interrupted run
// started outside a transaction, where the catalog cannot tell whether it
// took effect.
type StartedUnknownError struct {
	File  *ApplyFile
	Index int
}

func (e *StartedUnknownError) Error() string {
	f, i := e.File, e.Index
	return fmt.Sprintf("%s: statement %d (%s) was started without a transaction by an apply that was interrupted, "+
		"and the catalog cannot tell whether it took effect; check the database, then either\n"+
		"\t- if it took effect: run statements %d to %d of the file by hand and record the file with `schemactl migrate set %s`, or\n"+
		"\t- if it did not: run it by hand, then the rest of the file, and record the file with `schemactl migrate set %s`",
		f.Stmts[i].Pos, i+1, StmtHead(f.Stmts[i].Text), i+2, len(f.Stmts), f.Version, f.Version)
}

// recoverStarted looks at the revision of f for a statement that an
// interrupted run started and did not record as finished, and decides from
// the catalog whether it took effect. It returns the statements to skip
// (skip, or skip+1 when it took effect) and their partial hashes.
func (a *applier) recoverStarted(ctx context.Context, f *ApplyFile, skip int, partial []string) (int, []string, error) {
	r, ok := a.revs[f.Version]
	if !ok || !isStartedMarker(r.Error) || r.Applied != skip || skip >= len(f.Stmts) {
		return skip, partial, nil
	}
	if r.ErrorStmt != a.mask(f.hashText(skip)) {
		return 0, nil, fmt.Errorf("%s: statement %d was edited after an interrupted apply started it; restore it, or fix the database by hand and use `migrate set`", f.Stmts[skip].Pos, skip+1)
	}
	info := classifyStmt(f.Stmts[skip].Text)
	done, err := a.tookEffect(ctx, f, skip, info)
	if err != nil {
		return 0, nil, err
	}
	if !done {
		return skip, partial, nil
	}
	partial = append(partial, "h1:"+f.partialHashes()[skip])
	return skip + 1, partial, nil
}

// tookEffect tells whether the interrupted statement i of f took effect;
// an invalid index left by an interrupted CREATE INDEX CONCURRENTLY is
// dropped so that the statement builds it again.
func (a *applier) tookEffect(ctx context.Context, f *ApplyFile, i int, info stmtInfo) (bool, error) {
	pos := f.Stmts[i].Pos
	switch {
	case info.kind != kindNoTx || info.recover == recoverUnknown:
		return false, &StartedUnknownError{File: f, Index: i}
	case info.recover == recoverRerun:
		a.note("%s: statement %d (%s) was interrupted by an earlier run; running it again", pos, i+1, StmtHead(f.Stmts[i].Text))
		if info.reindex != nil {
			return false, a.dropReindexLeftovers(ctx, f, i, info.reindex)
		}
		return false, nil
	case info.recover == recoverDropIndex:
		for _, ix := range info.indexes {
			exists, err := a.relationExists(ctx, ix)
			if err != nil || exists {
				if err == nil {
					a.note("%s: statement %d (%s) was interrupted by an earlier run and index %s still exists; dropping it again", pos, i+1, StmtHead(f.Stmts[i].Text), ix)
				}
				return false, err
			}
		}
		a.note("%s: statement %d (%s) was interrupted by an earlier run but had taken effect (the index is gone); counting it as applied", pos, i+1, StmtHead(f.Stmts[i].Text))
		return true, nil
	default: // recoverCreateIndex
		ix := info.indexes[0]
		var valid *bool
		err := a.conn.QueryRow(ctx, `SELECT i.indisvalid FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
			WHERE c.relname = $1 AND c.relnamespace = (SELECT relnamespace FROM pg_catalog.pg_class WHERE oid = to_regclass($2))`,
			ix.name, info.table.String()).Scan(&valid)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			a.note("%s: statement %d (%s) was interrupted by an earlier run before index %s existed; building it", pos, i+1, StmtHead(f.Stmts[i].Text), ix)
			return false, nil
		case err != nil:
			return false, fmt.Errorf("%s: look for index %s of the interrupted statement %d: %w", pos, ix, i+1, err)
		case *valid:
			a.note("%s: statement %d (%s) was interrupted by an earlier run but index %s exists and is valid; counting it as applied", pos, i+1, StmtHead(f.Stmts[i].Text), ix)
			return true, nil
		}
		a.note("%s: statement %d (%s) was interrupted by an earlier run and left index %s invalid; dropping it and building it again", pos, i+1, StmtHead(f.Stmts[i].Text), ix)
		idx := ix
		if idx.schema == "" {
			var schema string
			if err := a.conn.QueryRow(ctx, `SELECT relnamespace::regnamespace::text FROM pg_catalog.pg_class WHERE oid = to_regclass($1)`, info.table.String()).Scan(&schema); err != nil {
				return false, fmt.Errorf("%s: find the schema of table %s: %w", pos, info.table, err)
			}
			idx.schema = strings.Trim(schema, `"`)
		}
		if _, err := a.conn.Exec(ctx, "DROP INDEX CONCURRENTLY IF EXISTS "+idx.String()); err != nil {
			return false, fmt.Errorf("%s: drop the invalid index %s left by the interrupted statement %d: %w", pos, idx, i+1, err)
		}
		return false, nil
	}
}

// dropReindexLeftovers drops the invalid indexes an interrupted REINDEX
// CONCURRENTLY (statement i of f) left on its target: PostgreSQL names
// them after the index with a _ccnew or _ccold suffix, and a new REINDEX
// skips them.
func (a *applier) dropReindexLeftovers(ctx context.Context, f *ApplyFile, i int, r *reindexTarget) error {
	scope := "true"
	var arg any = ""
	switch r.kind {
	case pg.ReindexObjectType_REINDEX_OBJECT_INDEX:
		scope, arg = "i.indrelid = (SELECT indrelid FROM pg_catalog.pg_index WHERE indexrelid = to_regclass($1))", r.rel.String()
	case pg.ReindexObjectType_REINDEX_OBJECT_TABLE:
		scope, arg = "i.indrelid = to_regclass($1)", r.rel.String()
	case pg.ReindexObjectType_REINDEX_OBJECT_SCHEMA:
		scope, arg = "n.nspname = $1", r.schema
	}
	rows, err := a.conn.Query(ctx, `SELECT format('%I.%I', n.nspname, c.relname) FROM pg_catalog.pg_index i
		JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
		WHERE NOT i.indisvalid AND c.relname ~ '_cc(new|old)[0-9]*$' AND (`+scope+`) AND $1::text IS NOT NULL ORDER BY 1`, arg)
	if err != nil {
		return fmt.Errorf("%s: look for indexes left by the interrupted statement %d: %w", f.Stmts[i].Pos, i+1, err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return fmt.Errorf("%s: look for indexes left by the interrupted statement %d: %w", f.Stmts[i].Pos, i+1, err)
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: look for indexes left by the interrupted statement %d: %w", f.Stmts[i].Pos, i+1, err)
	}
	for _, n := range names {
		a.note("%s: dropping the invalid index %s left by the interrupted statement %d", f.Stmts[i].Pos, n, i+1)
		if _, err := a.conn.Exec(ctx, "DROP INDEX CONCURRENTLY IF EXISTS "+n); err != nil {
			return fmt.Errorf("%s: drop the invalid index %s left by the interrupted statement %d: %w", f.Stmts[i].Pos, n, i+1, err)
		}
	}
	return nil
}

// relationExists reports whether the relation named n exists (an
// unqualified name is looked up in the search_path).
func (a *applier) relationExists(ctx context.Context, n qualName) (bool, error) {
	var ok bool
	if err := a.conn.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, n.String()).Scan(&ok); err != nil {
		return false, fmt.Errorf("look for %s: %w", n, err)
	}
	return ok, nil
}

// String quotes the name for SQL.
func (n qualName) String() string {
	if n.schema == "" {
		return pgquote.Ident(n.name)
	}
	return pgquote.Ident(n.schema) + "." + pgquote.Ident(n.name)
}

// note tells the user about a recovery step, through Progress when it
// listens for notes.
func (a *applier) note(format string, args ...any) {
	if n, ok := a.opts.Progress.(Noter); ok {
		n.Note(fmt.Sprintf(format, args...))
	}
	a.rep.Notes = append(a.rep.Notes, fmt.Sprintf(format, args...))
}

// Noter is an optional interface of a Progress: it hears about recovery
// steps an apply takes for statements an interrupted run left behind.
type Noter interface {
	// Note is called with one line of text.
	Note(msg string)
}
