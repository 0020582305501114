package lint

import (
	pg "github.com/pganalyze/pg_query_go/v6"
)

var (
	codeCreateIndex = register(Check{Code: "PG101", Analyzer: "concurrent_index", Severity: Error,
		Title: "index created without CONCURRENTLY on an existing table",
		Why:   "CREATE INDEX takes a SHARE lock on the table for the whole build: every INSERT, UPDATE and DELETE waits until the index is built.",
		Fix:   "Use CREATE INDEX CONCURRENTLY in a file of its own that starts with `-- atlas:txmode none` followed by a blank line (on a partitioned table: CREATE INDEX ON ONLY the parent, then CONCURRENTLY on each partition and ALTER INDEX ... ATTACH PARTITION)."})
	codeDropIndex = register(Check{Code: "PG102", Analyzer: "concurrent_index", Severity: Error,
		Title: "index dropped without CONCURRENTLY on an existing table",
		Why:   "DROP INDEX takes an ACCESS EXCLUSIVE lock on the table: all reads and writes wait, and the DROP itself waits behind every running query on the table.",
		Fix:   "Use DROP INDEX CONCURRENTLY in a file of its own that starts with `-- atlas:txmode none` followed by a blank line."})
	codeNonTx = register(Check{Code: "PG103", Analyzer: "concurrent_index", Severity: Error,
		Title: "statement that cannot run inside a transaction block in a transactional file",
		Why:   "The file runs inside one transaction, and PostgreSQL refuses this statement there (SQLSTATE 25001): the migration fails, and `migrate validate` and `migrate apply` refuse the directory before anything runs. The linter runs the statement outside the transaction (committing what came before it) to go on with the rest of the file.",
		Fix:   "Add `-- atlas:txmode none` followed by a blank line at the top of the file, or move the statement to a file of its own with that directive."})
	codeEnumTx = register(Check{Code: "PG104", Analyzer: "concurrent_index", Severity: Error,
		Title: "enum value used in the transaction that added it",
		Why:   "A value added with ALTER TYPE ... ADD VALUE cannot be used before its transaction commits (SQLSTATE 55P04 unsafe use of new value): the migration fails.",
		Fix:   "Add the value in one file and use it in a later file, or mark the file `-- atlas:txmode none` (followed by a blank line)."})
)

func init() {
	addCheck("concurrent_index", checkIndexes)
}

func checkIndexes(p *pass) {
	for _, r := range p.file.Stmts {
		if r.Err != nil && !r.EnumUnsafe {
			continue
		}
		switch {
		case r.ForcedOut:
			p.report(r, codeNonTx, "%s cannot run inside a transaction block, and the file runs in one", r.NonTx)
		case r.EnumUnsafe:
			p.report(r, codeEnumTx, "statement uses an enum value added earlier in the same transaction")
		}
		if r.After == nil {
			continue
		}
		if ix := r.Node.GetIndexStmt(); ix != nil && !ix.Concurrent {
			t := p.target(r, rangeVarName(ix.Relation))
			if p.existed(t) && createdIndex(r, t) != nil {
				p.report(r, codeCreateIndex, "index %q is built on existing table %q without CONCURRENTLY", createdIndex(r, t).Name, t.qualified())
			}
		}
		if d := r.Node.GetDropStmt(); d != nil && d.RemoveType == pg.ObjectType_OBJECT_INDEX && !d.Concurrent {
			for _, o := range d.Objects {
				idx := r.Before.lookup(listName(o.GetList().GetItems()), "iI")
				if idx == nil || !p.existed(idx) || r.After.rel(idx.OID) != nil {
					continue
				}
				if t := r.Before.rel(idx.Table); p.existed(t) {
					p.report(r, codeDropIndex, "index %q of existing table %q is dropped without CONCURRENTLY", idx.qualified(), t.qualified())
				}
			}
		}
	}
}

// createdIndex returns the index the statement added to table t, if any.
func createdIndex(r *stmtRun, t *relation) *relation {
	for _, oid := range r.After.changed {
		if a := r.After.rel(oid); a != nil && r.Before.rel(oid) == nil && (a.Kind == "i" || a.Kind == "I") && a.Table == t.OID {
			return a
		}
	}
	return nil
}
