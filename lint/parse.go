package lint

import (
	"fmt"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
)

// stmtClass tells the engine what a statement can change, which decides
// what it has to observe after running it.
type stmtClass int

const (
	// classData cannot change the schema (SELECT, INSERT, UPDATE, ...):
	// nothing is observed.
	classData stmtClass = iota
	// classSession changes no table or schema that the realm models:
	// session state (SET), data in bulk (TRUNCATE, VACUUM, CLUSTER), views
	// and functions (CREATE [OR REPLACE] VIEW, FUNCTION, PROCEDURE: the
	// realm holds neither, and a column default, index or generated column
	// names a function by its signature, which OR REPLACE keeps): the
	// catalog snapshot is taken, the schema is not inspected.
	classSession
	// classTable changes only relations that it locks (or creates or
	// drops): only those tables are inspected again.
	classTable
	// classOther may change anything (types, schemas, DO blocks, unknown
	// statements): the whole realm is inspected again.
	classOther
)

// parseStmt parses one statement with PostgreSQL's parser. It returns nil
// when the text is not exactly one statement that the parser accepts.
func parseStmt(text string) (*pg.Node, error) {
	res, err := pg.Parse(text)
	if err != nil {
		return nil, err
	}
	if len(res.Stmts) != 1 {
		return nil, fmt.Errorf("expected one statement, parsed %d", len(res.Stmts))
	}
	return res.Stmts[0].Stmt, nil
}

// classify returns the class of a parsed statement (classOther for nil).
func classify(n *pg.Node) stmtClass {
	if n == nil {
		return classOther
	}
	switch {
	case n.GetSelectStmt() != nil, n.GetInsertStmt() != nil, n.GetUpdateStmt() != nil,
		n.GetDeleteStmt() != nil, n.GetMergeStmt() != nil, n.GetCopyStmt() != nil,
		n.GetExplainStmt() != nil, n.GetTransactionStmt() != nil, n.GetLockStmt() != nil,
		n.GetNotifyStmt() != nil, n.GetVariableShowStmt() != nil, n.GetGrantStmt() != nil,
		n.GetGrantRoleStmt() != nil, n.GetCreateRoleStmt() != nil, n.GetAlterRoleStmt() != nil,
		n.GetDropRoleStmt() != nil, n.GetCreatedbStmt() != nil, n.GetDropdbStmt() != nil,
		n.GetAlterSystemStmt() != nil, n.GetCheckPointStmt() != nil:
		return classData
	case n.GetVariableSetStmt() != nil, n.GetTruncateStmt() != nil, n.GetVacuumStmt() != nil,
		n.GetClusterStmt() != nil, n.GetReindexStmt() != nil, n.GetViewStmt() != nil,
		n.GetCreateFunctionStmt() != nil:
		return classSession
	case n.GetCreateStmt() != nil, n.GetAlterTableStmt() != nil, n.GetIndexStmt() != nil,
		n.GetCommentStmt() != nil, n.GetCreateTrigStmt() != nil, n.GetCreateSeqStmt() != nil,
		n.GetAlterSeqStmt() != nil, n.GetCreateTableAsStmt() != nil:
		return classTable
	case n.GetDropStmt() != nil:
		switch n.GetDropStmt().RemoveType {
		case pg.ObjectType_OBJECT_TABLE, pg.ObjectType_OBJECT_INDEX, pg.ObjectType_OBJECT_SEQUENCE,
			pg.ObjectType_OBJECT_TRIGGER:
			return classTable
		}
	case n.GetRenameStmt() != nil:
		switch n.GetRenameStmt().RenameType {
		case pg.ObjectType_OBJECT_TABLE, pg.ObjectType_OBJECT_COLUMN, pg.ObjectType_OBJECT_INDEX,
			pg.ObjectType_OBJECT_TABCONSTRAINT, pg.ObjectType_OBJECT_SEQUENCE, pg.ObjectType_OBJECT_TRIGGER:
			return classTable
		}
	}
	return classOther
}

// adds tells whether a statement only adds relations, constraints,
// triggers or comments (CREATE TABLE, CREATE INDEX, ...) and changes no
// existing relation in a way the engine models: its observation looks
// only at new relations and at the tables of new indexes and
// constraints, not at every table it locks (an FK's referenced table).
func adds(n *pg.Node) bool {
	switch {
	case n.GetCreateStmt() != nil, n.GetCreateTableAsStmt() != nil, n.GetCreateSeqStmt() != nil,
		n.GetCommentStmt() != nil, n.GetCreateTrigStmt() != nil:
		return true
	case n.GetIndexStmt() != nil:
		return !n.GetIndexStmt().Concurrent
	}
	return false
}

// removedFrom returns the tables of snap from which a statement may only
// delete catalog rows: the table of an index it drops, the table of an
// ALTER TABLE ... DROP. Their observation reads them in full: a deletion
// leaves no newer row behind (see observeQuery).
func removedFrom(n *pg.Node, snap *snapshot) []uint32 {
	var out []uint32
	if d := n.GetDropStmt(); d != nil && d.RemoveType == pg.ObjectType_OBJECT_INDEX {
		for _, o := range d.Objects {
			if idx := snap.lookup(listName(o.GetList().GetItems()), "iI"); idx != nil {
				out = append(out, idx.Table)
			}
		}
	}
	if a := n.GetAlterTableStmt(); a != nil {
		for _, c := range a.Cmds {
			if strings.HasPrefix(c.GetAlterTableCmd().GetSubtype().String(), "AT_Drop") {
				if t := snap.lookup(rangeVarName(a.Relation), "rp"); t != nil {
					out = append(out, t.OID)
				}
				break
			}
		}
	}
	return out
}

// addsEnumValue tells whether a statement adds a value to an enum
// (ALTER TYPE ... ADD VALUE): using the value in the same transaction
// fails.
func addsEnumValue(n *pg.Node) bool {
	ae := n.GetAlterEnumStmt()
	return ae != nil && ae.NewVal != ""
}

// hasOption reports whether a DefElem list names the option.
func hasOption(opts []*pg.Node, name string) bool {
	for _, o := range opts {
		if d := o.GetDefElem(); d != nil && strings.EqualFold(d.Defname, name) {
			if d.Arg == nil {
				return true
			}
			if b := d.Arg.GetBoolean(); b != nil {
				return b.Boolval
			}
			if s := d.Arg.GetString_(); s != nil {
				v := strings.ToLower(s.Sval)
				return v != "false" && v != "off" && v != "0"
			}
			if i := d.Arg.GetInteger(); i != nil {
				return i.Ival != 0
			}
			return true
		}
	}
	return false
}

// qname is a possibly schema-qualified name as written.
type qname struct{ Schema, Name string }

func (q qname) String() string {
	if q.Schema == "" {
		return q.Name
	}
	return q.Schema + "." + q.Name
}

func rangeVarName(r *pg.RangeVar) qname {
	if r == nil {
		return qname{}
	}
	return qname{Schema: r.Schemaname, Name: r.Relname}
}

// listName turns a list of String nodes (a qualified name) into a qname.
func listName(nodes []*pg.Node) qname {
	var parts []string
	for _, n := range nodes {
		if s := n.GetString_(); s != nil {
			parts = append(parts, s.Sval)
		}
	}
	switch len(parts) {
	case 0:
		return qname{}
	case 1:
		return qname{Name: parts[0]}
	default:
		return qname{Schema: parts[len(parts)-2], Name: parts[len(parts)-1]}
	}
}

// typeName returns the lower-case last part of a type name and its
// type modifiers count, e.g. ("varchar", 1), and whether it is an array.
func typeName(t *pg.TypeName) (name string, schema string, array bool) {
	if t == nil {
		return "", "", false
	}
	q := listName(t.Names)
	return strings.ToLower(q.Name), strings.ToLower(q.Schema), len(t.ArrayBounds) > 0
}

// alterCmds returns the subcommands of an ALTER TABLE statement.
func alterCmds(a *pg.AlterTableStmt) []*pg.AlterTableCmd {
	var cmds []*pg.AlterTableCmd
	for _, c := range a.Cmds {
		if ac := c.GetAlterTableCmd(); ac != nil {
			cmds = append(cmds, ac)
		}
	}
	return cmds
}

// isIfExists reports whether a statement guards itself with IF [NOT]
// EXISTS (or OR REPLACE), so that running it twice is harmless.
func isIdempotent(n *pg.Node) bool {
	switch {
	case n == nil:
		return false
	case n.GetCreateStmt() != nil:
		return n.GetCreateStmt().IfNotExists
	case n.GetIndexStmt() != nil:
		return n.GetIndexStmt().IfNotExists
	case n.GetDropStmt() != nil:
		return n.GetDropStmt().MissingOk
	case n.GetCreateSchemaStmt() != nil:
		return n.GetCreateSchemaStmt().IfNotExists
	case n.GetCreateSeqStmt() != nil:
		return n.GetCreateSeqStmt().IfNotExists
	case n.GetCreateExtensionStmt() != nil:
		return n.GetCreateExtensionStmt().IfNotExists
	case n.GetCreateFunctionStmt() != nil:
		return n.GetCreateFunctionStmt().Replace
	case n.GetViewStmt() != nil:
		return n.GetViewStmt().Replace
	case n.GetCreateTrigStmt() != nil:
		return n.GetCreateTrigStmt().Replace
	case n.GetAlterEnumStmt() != nil:
		return n.GetAlterEnumStmt().SkipIfNewValExists || n.GetAlterEnumStmt().OldVal != ""
	case n.GetAlterTableStmt() != nil:
		for _, c := range alterCmds(n.GetAlterTableStmt()) {
			switch c.Subtype {
			case pg.AlterTableType_AT_AddColumn, pg.AlterTableType_AT_DropColumn,
				pg.AlterTableType_AT_DropConstraint:
				if !c.MissingOk {
					return false
				}
			case pg.AlterTableType_AT_AddConstraint, pg.AlterTableType_AT_AddIndex,
				pg.AlterTableType_AT_AddIndexConstraint:
				return false
			}
		}
		return true
	case n.GetRenameStmt() != nil:
		return false
	case n.GetSelectStmt() != nil, n.GetVariableSetStmt() != nil, n.GetVacuumStmt() != nil,
		n.GetReindexStmt() != nil, n.GetCommentStmt() != nil, n.GetUpdateStmt() != nil,
		n.GetDeleteStmt() != nil, n.GetTruncateStmt() != nil, n.GetGrantStmt() != nil:
		return true
	}
	return false
}

// clusterWide reports whether a statement acts on the server rather than
// the database, or (DISCARD) resets the linter's own session: the linter
// does not run it on the dev server.
func clusterWide(n *pg.Node) bool {
	return n != nil && (n.GetCreatedbStmt() != nil || n.GetDropdbStmt() != nil || n.GetAlterSystemStmt() != nil ||
		n.GetCreateTableSpaceStmt() != nil || n.GetDropTableSpaceStmt() != nil || n.GetAlterDatabaseStmt() != nil ||
		n.GetAlterDatabaseSetStmt() != nil || n.GetDiscardStmt() != nil)
}
