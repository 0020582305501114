package importer

import (
	"fmt"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/schemactl/schemactl/migrations"
)

// outsideTx returns the statements of src that PostgreSQL refuses to run
// inside a transaction block (CREATE INDEX CONCURRENTLY, VACUUM, ...), as
// "line N: KIND", and the number of statements. Tools that send such a
// file without BEGIN (Flyway detects them; golang-migrate sends a file as
// one query) run it outside a transaction.
func outsideTx(path string, src []byte) (found []string, n int, err error) {
	sc, err := migrations.Scan(path, src, migrations.SplitOptions{})
	if err != nil {
		return nil, 0, err
	}
	for _, st := range sc.Stmts {
		res, err := pg.Parse(st.Text)
		if err != nil {
			continue // PostgreSQL will say more when the file runs
		}
		for _, rs := range res.Stmts {
			if k := nonTxKind(rs.Stmt); k != "" {
				found = append(found, fmt.Sprintf("line %d: %s", st.Pos.Line, k))
			}
		}
	}
	return found, len(sc.Stmts), nil
}

// nonTxKind names a statement that cannot run in a transaction block, or
// returns "".
func nonTxKind(n *pg.Node) string {
	switch {
	case n.GetIndexStmt() != nil && n.GetIndexStmt().Concurrent:
		return "CREATE INDEX CONCURRENTLY"
	case n.GetDropStmt() != nil && n.GetDropStmt().Concurrent:
		return "DROP INDEX CONCURRENTLY"
	case n.GetReindexStmt() != nil && reindexOutside(n.GetReindexStmt()):
		return "REINDEX"
	case n.GetVacuumStmt() != nil && n.GetVacuumStmt().IsVacuumcmd:
		return "VACUUM"
	case n.GetCreatedbStmt() != nil:
		return "CREATE DATABASE"
	case n.GetDropdbStmt() != nil:
		return "DROP DATABASE"
	case n.GetAlterSystemStmt() != nil:
		return "ALTER SYSTEM"
	case n.GetCreateTableSpaceStmt() != nil:
		return "CREATE TABLESPACE"
	case n.GetDropTableSpaceStmt() != nil:
		return "DROP TABLESPACE"
	case n.GetCreateSubscriptionStmt() != nil:
		return "CREATE SUBSCRIPTION"
	case n.GetAlterTableStmt() != nil && detachConcurrently(n.GetAlterTableStmt()):
		return "DETACH PARTITION CONCURRENTLY"
	}
	return ""
}

// reindexOutside: REINDEX ... CONCURRENTLY, and REINDEX SCHEMA, DATABASE
// or SYSTEM, cannot run in a transaction block.
func reindexOutside(r *pg.ReindexStmt) bool {
	if r.Kind != pg.ReindexObjectType_REINDEX_OBJECT_TABLE && r.Kind != pg.ReindexObjectType_REINDEX_OBJECT_INDEX {
		return true
	}
	for _, o := range r.Params {
		if d := o.GetDefElem(); d != nil && strings.EqualFold(d.Defname, "concurrently") {
			if b := d.Arg.GetBoolean(); d.Arg == nil || b == nil || b.Boolval {
				return true
			}
		}
	}
	return false
}

func detachConcurrently(a *pg.AlterTableStmt) bool {
	for _, c := range a.Cmds {
		if ac := c.GetAlterTableCmd(); ac != nil && ac.Subtype == pg.AlterTableType_AT_DetachPartition {
			if pc := ac.Def.GetPartitionCmd(); pc != nil && pc.Concurrent {
				return true
			}
		}
	}
	return false
}
