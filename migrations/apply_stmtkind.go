package migrations

import (
	pg "github.com/pganalyze/pg_query_go/v6"
)

// stmtKind tells how a statement of a file without a transaction can run
// together with the history record of its progress.
type stmtKind int

const (
	// kindTx runs in a transaction: it commits together with its
	// progress record, so a kill leaves both or neither.
	kindTx stmtKind = iota
	// kindNoTx cannot run inside a transaction block (CREATE INDEX
	// CONCURRENTLY, VACUUM, ...): it is recorded as started before it
	// runs, and a later run finds out from the catalog whether it took
	// effect.
	kindNoTx
	// kindTxControl is a transaction control statement of the file's own
	// (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, ...).
	kindTxControl
)

// recoveryKind tells how a later run finds out whether an interrupted
// kindNoTx statement took effect.
type recoveryKind int

const (
	// recoverUnknown: the catalog cannot tell; a person has to decide.
	recoverUnknown recoveryKind = iota
	// recoverCreateIndex: done when the index exists and is valid; an
	// invalid one is dropped and built again.
	recoverCreateIndex
	// recoverDropIndex: done when none of the indexes exists any more.
	recoverDropIndex
	// recoverRerun: running it again is harmless (VACUUM, REINDEX, ...).
	recoverRerun
)

// stmtInfo is what apply needs to know of a statement to run it safely
// outside a file transaction.
type stmtInfo struct {
	kind    stmtKind
	recover recoveryKind
	// txKind is the kind of a kindTxControl statement.
	txKind pg.TransactionStmtKind
	// chain is set for COMMIT AND CHAIN and ROLLBACK AND CHAIN.
	chain bool
	// table and index name the relations of an index statement, as
	// written (schema-qualified or not): for recoverCreateIndex the table
	// and the index name, for recoverDropIndex the indexes.
	table   qualName
	indexes []qualName
	// reindex is the target of a REINDEX CONCURRENTLY, whose interrupted
	// run leaves invalid _ccnew (and _ccold) indexes behind.
	reindex *reindexTarget
}

// reindexTarget is what a REINDEX CONCURRENTLY works on: an index, a
// table, a schema (by name), or the whole database.
type reindexTarget struct {
	kind   pg.ReindexObjectType
	rel    qualName
	schema string
}

// qualName is a possibly schema-qualified name as written in a statement.
type qualName struct{ schema, name string }

// classifyStmt parses a statement with PostgreSQL's parser and tells how
// it can run. A statement the parser rejects is kindTx: it fails inside
// its transaction, and PostgreSQL reports the syntax error.
func classifyStmt(text string) stmtInfo {
	res, err := pg.Parse(text)
	if err != nil || len(res.Stmts) != 1 {
		return stmtInfo{kind: kindTx}
	}
	n := res.Stmts[0].Stmt
	if ts := n.GetTransactionStmt(); ts != nil {
		return stmtInfo{kind: kindTxControl, txKind: ts.Kind, chain: ts.Chain}
	}
	if kind, _ := txBlockKind(n); kind == "" {
		return stmtInfo{kind: kindTx}
	}
	info := stmtInfo{kind: kindNoTx, recover: recoverUnknown}
	switch {
	case n.GetIndexStmt() != nil:
		is := n.GetIndexStmt()
		if is.Idxname == "" || is.Relation == nil {
			// PostgreSQL picks the name: nothing to look for.
			return info
		}
		info.recover = recoverCreateIndex
		info.table = qualName{schema: is.Relation.Schemaname, name: is.Relation.Relname}
		info.indexes = []qualName{{schema: is.Relation.Schemaname, name: is.Idxname}}
	case n.GetDropStmt() != nil:
		var indexes []qualName
		for _, o := range n.GetDropStmt().Objects {
			var parts []string
			for _, p := range o.GetList().GetItems() {
				parts = append(parts, p.GetString_().GetSval())
			}
			switch len(parts) {
			case 1:
				indexes = append(indexes, qualName{name: parts[0]})
			case 2:
				indexes = append(indexes, qualName{schema: parts[0], name: parts[1]})
			default:
				return info
			}
		}
		info.recover, info.indexes = recoverDropIndex, indexes
	case n.GetReindexStmt() != nil:
		rs := n.GetReindexStmt()
		info.recover = recoverRerun
		if hasOption(rs.Params, "concurrently") {
			info.reindex = &reindexTarget{kind: rs.Kind, schema: rs.Name}
			if rs.Relation != nil {
				info.reindex.rel = qualName{schema: rs.Relation.Schemaname, name: rs.Relation.Relname}
			}
		}
	case n.GetVacuumStmt() != nil, n.GetClusterStmt() != nil:
		info.recover = recoverRerun
	}
	return info
}
