package migrations

import (
	"errors"
	"fmt"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
)

// NonTxKind names a parsed statement that PostgreSQL refuses to run
// inside a transaction block (SQLSTATE 25001), e.g. "CREATE INDEX
// CONCURRENTLY", or returns "" when it can run there. It is the one list
// that apply, validate, lint and the importers share.
//
// Statements that PostgreSQL refuses only in some server states (CALL of
// a procedure that commits, DROP SUBSCRIPTION of a subscription with a
// replication slot, ...) are not named: they can run in a transaction.
func NonTxKind(n *pg.Node) string {
	kind, always := txBlockKind(n)
	if !always {
		return ""
	}
	return kind
}

// txBlockKind names a statement that cannot, or may not, run inside a
// transaction block; always tells that PostgreSQL refuses it there
// whatever the state of the server.
func txBlockKind(n *pg.Node) (kind string, always bool) {
	if n == nil {
		return "", false
	}
	switch {
	case n.GetIndexStmt() != nil && n.GetIndexStmt().Concurrent:
		return "CREATE INDEX CONCURRENTLY", true
	case n.GetDropStmt() != nil && n.GetDropStmt().Concurrent:
		return "DROP INDEX CONCURRENTLY", true
	case n.GetReindexStmt() != nil:
		rs := n.GetReindexStmt()
		switch {
		case hasOption(rs.Params, "concurrently"):
			return "REINDEX CONCURRENTLY", true
		case rs.Kind == pg.ReindexObjectType_REINDEX_OBJECT_SCHEMA:
			return "REINDEX SCHEMA", true
		case rs.Kind == pg.ReindexObjectType_REINDEX_OBJECT_DATABASE:
			return "REINDEX DATABASE", true
		case rs.Kind == pg.ReindexObjectType_REINDEX_OBJECT_SYSTEM:
			return "REINDEX SYSTEM", true
		}
	case n.GetVacuumStmt() != nil && n.GetVacuumStmt().IsVacuumcmd:
		return "VACUUM", true
	case n.GetClusterStmt() != nil && n.GetClusterStmt().Relation == nil:
		return "CLUSTER without a table", true
	case n.GetAlterTableStmt() != nil:
		for _, c := range n.GetAlterTableStmt().Cmds {
			if pc := c.GetAlterTableCmd().GetDef().GetPartitionCmd(); pc != nil && pc.Concurrent {
				return "DETACH PARTITION CONCURRENTLY", true
			}
		}
	case n.GetCreatedbStmt() != nil:
		return "CREATE DATABASE", true
	case n.GetDropdbStmt() != nil:
		return "DROP DATABASE", true
	case n.GetAlterDatabaseStmt() != nil && hasOption(n.GetAlterDatabaseStmt().Options, "tablespace"):
		return "ALTER DATABASE SET TABLESPACE", true
	case n.GetAlterSystemStmt() != nil:
		return "ALTER SYSTEM", true
	case n.GetCreateTableSpaceStmt() != nil:
		return "CREATE TABLESPACE", true
	case n.GetDropTableSpaceStmt() != nil:
		return "DROP TABLESPACE", true
	case n.GetDiscardStmt() != nil && n.GetDiscardStmt().Target == pg.DiscardMode_DISCARD_ALL:
		return "DISCARD ALL", true
	case n.GetTransactionStmt() != nil:
		switch n.GetTransactionStmt().Kind {
		case pg.TransactionStmtKind_TRANS_STMT_COMMIT_PREPARED:
			return "COMMIT PREPARED", true
		case pg.TransactionStmtKind_TRANS_STMT_ROLLBACK_PREPARED:
			return "ROLLBACK PREPARED", true
		}
	case n.GetCreateSubscriptionStmt() != nil:
		// Refused when it creates a replication slot, which it does
		// unless told not to.
		opts := n.GetCreateSubscriptionStmt().Options
		noSlot := (hasSetting(opts, "create_slot") && !hasOption(opts, "create_slot")) ||
			(hasSetting(opts, "connect") && !hasOption(opts, "connect"))
		return "CREATE SUBSCRIPTION", !noSlot
	case n.GetAlterSubscriptionStmt() != nil:
		return "ALTER SUBSCRIPTION", false
	case n.GetDropSubscriptionStmt() != nil:
		return "DROP SUBSCRIPTION", false
	case n.GetCallStmt() != nil:
		// The procedure may commit, which a transaction block forbids.
		return "CALL", false
	}
	return "", false
}

// hasSetting reports whether a list of DefElem options names name.
func hasSetting(opts []*pg.Node, name string) bool {
	for _, o := range opts {
		if d := o.GetDefElem(); d != nil && strings.EqualFold(d.Defname, name) {
			return true
		}
	}
	return false
}

// hasOption reports whether a list of DefElem options turns name on: it
// is there without a value, or with a value other than false, off or 0.
func hasOption(opts []*pg.Node, name string) bool {
	for _, o := range opts {
		d := o.GetDefElem()
		if d == nil || !strings.EqualFold(d.Defname, name) {
			continue
		}
		switch {
		case d.Arg == nil:
			return true
		case d.Arg.GetBoolean() != nil:
			return d.Arg.GetBoolean().Boolval
		case d.Arg.GetString_() != nil:
			v := strings.ToLower(d.Arg.GetString_().Sval)
			return v != "false" && v != "off" && v != "0"
		case d.Arg.GetInteger() != nil:
			return d.Arg.GetInteger().Ival != 0
		}
		return true
	}
	return false
}

// TxBlockFix is the fix for a statement that PostgreSQL refuses to run in
// the transaction its file runs in.
const TxBlockFix = "add `-- atlas:txmode none` followed by a blank line at the top of the file, or move the statement to a file of its own with that directive"

// TxBlockError is a statement that PostgreSQL refuses to run inside a
// transaction block, in a file that would run in one. Validate and apply
// report it before anything runs.
type TxBlockError struct {
	// Pos is where the statement starts.
	Pos Pos
	// Kind names the statement, as NonTxKind does.
	Kind string
	// All is set when the file would run in the one transaction of
	// --tx-mode all rather than in its own.
	All bool
}

// Error formats the error as "file:line:col: KIND cannot run ...; fix: ...".
func (e *TxBlockError) Error() string {
	if e.All {
		return fmt.Sprintf("%s: %s cannot run inside a transaction block, and --tx-mode all runs every file in one; fix: %s, and apply without --tx-mode all", e.Pos, e.Kind, TxBlockFix)
	}
	return fmt.Sprintf("%s: %s cannot run inside a transaction block, and the file runs in one; fix: %s", e.Pos, e.Kind, TxBlockFix)
}

// txBlockWords are the keywords of which every statement NonTxKind names
// holds one: a statement without any is not parsed.
var txBlockWords = []string{"CONCURRENTLY", "VACUUM", "REINDEX", "CLUSTER", "DATABASE", "SYSTEM",
	"TABLESPACE", "DISCARD", "PREPARED", "SUBSCRIPTION"}

// txBlockErrors returns a *TxBlockError for each statement of stmts, run
// in a transaction, that PostgreSQL refuses there, joined in one error,
// or nil. A statement that does not parse is left to PostgreSQL.
func txBlockErrors(stmts []Stmt, all bool) error {
	var errs []error
	for _, st := range stmts {
		upper := strings.ToUpper(st.Text)
		found := false
		for _, w := range txBlockWords {
			if strings.Contains(upper, w) {
				found = true
				break
			}
		}
		if !found {
			continue
		}
		res, err := pg.Parse(st.Text)
		if err != nil {
			continue
		}
		for _, rs := range res.Stmts {
			if k := NonTxKind(rs.Stmt); k != "" {
				errs = append(errs, &TxBlockError{Pos: st.Pos, Kind: k, All: all})
				break
			}
		}
	}
	return errors.Join(errs...)
}

// CheckTxBlocks returns an error naming, as file:line:col, every statement
// of a file of files that would run in the file's transaction (no
// `-- atlas:txmode none`) and that PostgreSQL refuses to run inside a
// transaction block; nil when there is none.
func CheckTxBlocks(files []*File) error {
	var errs []error
	for _, f := range files {
		if f.TxMode == TxModeNone {
			continue
		}
		if err := txBlockErrors(f.Stmts, false); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
