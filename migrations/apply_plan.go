package migrations

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Execution orders (--exec-order) for files whose version is lower than
// the last applied revision (files added out of order, e.g. after a merge).
const (
	ExecOrderLinear     = "linear"      // refuse to apply them (the default)
	ExecOrderLinearSkip = "linear-skip" // skip them
	ExecOrderNonLinear  = "non-linear"  // apply them first
)

// NonLinearError reports files added below the last applied version under
// ExecOrderLinear.
type NonLinearError struct {
	// OutOfOrder are the files that are not applied but sort before the
	// last applied revision.
	OutOfOrder []*ApplyFile
	// Last is the last applied version.
	Last string
}

func (e *NonLinearError) Error() string {
	names := make([]string, len(e.OutOfOrder))
	for i, f := range e.OutOfOrder {
		names[i] = f.Name
	}
	what := "file " + names[0] + " was"
	if len(names) > 1 {
		what = "files " + strings.Join(names, ", ") + " were"
	}
	return fmt.Sprintf("migration %s added out of order (below the last applied version %s): use --exec-order non-linear to apply them, or --exec-order linear-skip to skip them", what, e.Last)
}

// pendingFiles returns the files still to run after the revisions revs
// (non-empty, in version order), with Atlas's rules: the last revision, when
// partly applied or failed, is pending again; files newer than it are
// pending; unapplied files between the first and the last revision are
// handled according to order.
func pendingFiles(files []*ApplyFile, revs []*Revision, order string) ([]*ApplyFile, error) {
	last := revs[len(revs)-1]
	partial := last.Applied != last.Total
	idx := -1
	for i, f := range files {
		if partial && f.Version == last.Version || !partial && f.Version <= last.Version {
			idx = i
		}
	}
	if idx == -1 {
		if partial {
			return nil, fmt.Errorf("revision %s (%s) is partly applied but its migration file is not in the directory", last.Version, last.Description)
		}
		return files, nil
	}
	if !partial {
		idx++
	}
	pending := files[idx:]
	if order == ExecOrderLinearSkip {
		return pending, nil
	}
	applied := make(map[string]bool, len(revs))
	for _, r := range revs {
		applied[r.Version] = true
	}
	var skipped []*ApplyFile
	for _, f := range files[:idx] {
		if f.Version >= revs[0].Version && !applied[f.Version] {
			skipped = append(skipped, f)
		}
	}
	switch {
	case len(skipped) == 0:
		return pending, nil
	case order == ExecOrderNonLinear:
		return append(skipped, pending...), nil
	default:
		return nil, &NonLinearError{OutOfOrder: skipped, Last: last.Version}
	}
}

// sortFiles orders files by version, bytewise as Atlas does, and rejects
// two files with one version.
func sortFiles(files []*ApplyFile) ([]*ApplyFile, error) {
	out := append([]*ApplyFile(nil), files...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("files %s and %s have the same version %s", out[i-1].Name, out[i].Name, out[i].Version)
		}
	}
	return out, nil
}

// NotCleanError reports that a database without history holds objects, so
// applying from the first file would collide with them.
type NotCleanError struct {
	// Reason names the first object found, e.g. `table "public"."users"`.
	Reason string
}

func (e *NotCleanError) Error() string {
	return fmt.Sprintf("the database has no migration history but is not clean (found %s): use --baseline VERSION to start after the files it already reflects, or --allow-dirty to apply all files anyway", e.Reason)
}

// checkClean returns a *NotCleanError when the database holds user objects
// outside the history table. With schemaBound set (the URL's search_path
// names one schema), only that schema is looked at; otherwise any schema
// other than public and the history schema counts, and so does any
// table, view, sequence, function or type in those two. Objects that
// belong to extensions are ignored.
func checkClean(ctx context.Context, q Querier, schemaBound, historySchema string) error {
	const query = `
WITH ext AS (SELECT classid, objid FROM pg_catalog.pg_depend WHERE deptype = 'e'),
scope AS (SELECT unnest($1::text[]) AS nspname)
SELECT what FROM (
	SELECT 1 AS o, format('schema %I', n.nspname) AS what
	FROM pg_catalog.pg_namespace n
	WHERE NOT $3 AND n.nspname NOT IN (SELECT nspname FROM scope)
		AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
		AND (n.oid) NOT IN (SELECT objid FROM ext WHERE classid = 'pg_catalog.pg_namespace'::regclass)
	UNION ALL
	SELECT 2, format('%s %I.%I', CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
			WHEN 'S' THEN 'sequence' WHEN 'f' THEN 'foreign table' WHEN 'c' THEN 'type' ELSE 'table' END, n.nspname, c.relname)
	FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
	WHERE n.nspname IN (SELECT nspname FROM scope) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c')
		AND NOT (n.nspname = $2 AND c.relname = 'atlas_schema_revisions')
		AND c.oid NOT IN (SELECT objid FROM ext WHERE classid = 'pg_catalog.pg_class'::regclass)
	UNION ALL
	SELECT 3, format('function %I.%I', n.nspname, p.proname)
	FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
	WHERE n.nspname IN (SELECT nspname FROM scope)
		AND p.oid NOT IN (SELECT objid FROM ext WHERE classid = 'pg_catalog.pg_proc'::regclass)
	UNION ALL
	SELECT 4, format('type %I.%I', n.nspname, t.typname)
	FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
	WHERE n.nspname IN (SELECT nspname FROM scope) AND t.typtype IN ('d', 'e', 'r')
		AND t.oid NOT IN (SELECT objid FROM ext WHERE classid = 'pg_catalog.pg_type'::regclass)
) x ORDER BY o, what LIMIT 1`
	scope := []string{"public", historySchema}
	if schemaBound != "" {
		scope = []string{schemaBound}
	}
	var what string
	err := q.QueryRow(ctx, query, scope, historySchema, schemaBound != "").Scan(&what)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("check that the database is clean: %w", err)
	default:
		return &NotCleanError{Reason: what}
	}
}
