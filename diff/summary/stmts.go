package summary

import (
	"fmt"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
)

// Lock levels as SQL spells them.
const (
	accessExclusive   = "ACCESS EXCLUSIVE"
	shareRowExclusive = "SHARE ROW EXCLUSIVE"
	share             = "SHARE"
	shareUpdateExcl   = "SHARE UPDATE EXCLUSIVE"
)

var lockRank = map[string]int{"": 0, shareUpdateExcl: 4, share: 5, shareRowExclusive: 6, accessExclusive: 8}

var durationRank = map[string]int{"": 0, Brief: 1, Scan: 2, Rewrite: 3}

// builder collects the steps of a plan by object.
type builder struct {
	sum     *Summary
	byKey   map[string]*Object
	created map[string]bool // kind:name of objects the plan creates
	stmt    int
	comment string
}

// step adds a step to the object kind name. On an object the plan
// created, no lock or rewrite matters: nobody else sees it yet.
func (b *builder) step(kind, name string, s *Step) {
	key := kind + ":" + name
	o := b.byKey[key]
	if o == nil {
		o = &Object{Kind: kind, Name: name, New: b.created[key]}
		b.byKey[key] = o
		b.sum.Objects = append(b.sum.Objects, o)
	}
	s.Statement = b.stmt
	if o.New {
		s.Lock, s.Duration, s.Rewrite = "", "", false
	}
	o.Steps = append(o.Steps, s)
}

func (b *builder) create(kind, name string) { b.created[kind+":"+name] = true }

func rangeName(rv *pg.RangeVar) string {
	if rv == nil {
		return ""
	}
	if rv.Schemaname == "" {
		return rv.Relname
	}
	return rv.Schemaname + "." + rv.Relname
}

func listName(nodes []*pg.Node) string {
	var parts []string
	for _, n := range nodes {
		if s := n.GetString_(); s != nil {
			parts = append(parts, s.Sval)
		}
	}
	return strings.Join(parts, ".")
}

// deparse prints a node back as SQL (a type or an expression).
func deparse(n *pg.Node) string {
	if n == nil {
		return ""
	}
	if tn := n.GetTypeName(); tn != nil {
		return typeName(tn)
	}
	// The deparser wants the parse tree version of the library.
	v, err := pg.Parse("SELECT 1")
	if err != nil {
		return "?"
	}
	out, err := pg.Deparse(&pg.ParseResult{Version: v.Version, Stmts: []*pg.RawStmt{{Stmt: &pg.Node{Node: &pg.Node_SelectStmt{
		SelectStmt: &pg.SelectStmt{TargetList: []*pg.Node{{Node: &pg.Node_ResTarget{ResTarget: &pg.ResTarget{Val: n}}}}}}}}}})
	if err != nil {
		return "?"
	}
	return strings.TrimPrefix(out, "SELECT ")
}

func typeName(tn *pg.TypeName) string {
	var parts []string
	for _, n := range tn.Names {
		if s := n.GetString_(); s != nil && s.Sval != "pg_catalog" {
			parts = append(parts, s.Sval)
		}
	}
	name := strings.Join(parts, ".")
	if sql, ok := sqlTypeNames[name]; ok {
		name = sql
	}
	if len(tn.Typmods) > 0 {
		var mods []string
		for _, m := range tn.Typmods {
			mods = append(mods, deparse(m))
		}
		name += "(" + strings.Join(mods, ",") + ")"
	}
	if len(tn.ArrayBounds) > 0 {
		name += "[]"
	}
	return name
}

// sqlTypeNames spell PostgreSQL's internal type names as SQL does.
var sqlTypeNames = map[string]string{"int2": "smallint", "int4": "integer", "int8": "bigint", "float4": "real",
	"float8": "double precision", "bool": "boolean", "bpchar": "char", "timestamptz": "timestamptz"}

// volatile tells whether an expression calls a function other than the
// few stable ones PostgreSQL evaluates once for ADD COLUMN ... DEFAULT.
func volatile(n *pg.Node) bool {
	if n == nil {
		return false
	}
	found := false
	var walk func(*pg.Node)
	walk = func(n *pg.Node) {
		if n == nil || found {
			return
		}
		switch {
		case n.GetFuncCall() != nil:
			name := listName(n.GetFuncCall().Funcname)
			name = strings.TrimPrefix(name, "pg_catalog.")
			switch name {
			case "now", "current_timestamp", "transaction_timestamp", "statement_timestamp", "current_date", "current_user", "session_user", "current_setting":
			default:
				found = true
			}
			for _, a := range n.GetFuncCall().Args {
				walk(a)
			}
		case n.GetTypeCast() != nil:
			walk(n.GetTypeCast().Arg)
		case n.GetAExpr() != nil:
			walk(n.GetAExpr().Lexpr)
			walk(n.GetAExpr().Rexpr)
		case n.GetSqlvalueFunction() != nil, n.GetAConst() != nil:
		default:
			// Anything else (a subquery, a row): assume the worst.
			found = true
		}
	}
	walk(n)
	return found
}

// node adds the steps of one statement.
func (b *builder) node(n *pg.Node) {
	switch {
	case n.GetCreateStmt() != nil:
		st := n.GetCreateStmt()
		name := rangeName(st.Relation)
		b.create("table", name)
		what := "create table"
		if st.Partbound != nil && len(st.InhRelations) > 0 {
			what = "create partition of " + rangeName(st.InhRelations[0].GetRangeVar())
		}
		cols := 0
		for _, e := range st.TableElts {
			if e.GetColumnDef() != nil {
				cols++
			}
			if c := e.GetConstraint(); c != nil && c.Contype == pg.ConstrType_CONSTR_FOREIGN {
				b.step("table", rangeName(c.Pktable), &Step{Action: "referenced by a foreign key of new table " + name, Lock: shareRowExclusive, Duration: Brief})
			}
		}
		b.step("table", name, &Step{Action: fmt.Sprintf("%s (%s)", what, plural(cols, "column"))})
	case n.GetAlterTableStmt() != nil:
		b.alterTable(n.GetAlterTableStmt())
	case n.GetIndexStmt() != nil:
		st := n.GetIndexStmt()
		kind := "index"
		if st.Unique {
			kind = "unique index"
		}
		s := &Step{Action: "add " + kind + " " + st.Idxname, Lock: share, Duration: Scan}
		if st.Concurrent {
			s.Action += " (CONCURRENTLY)"
			s.Lock = shareUpdateExcl
			s.Note = "reads and writes go on during the build"
		} else {
			s.Note = "writes wait for the build"
		}
		if st.Unique {
			s.Note += "; fails on duplicate rows"
		}
		b.step("table", rangeName(st.Relation), s)
	case n.GetDropStmt() != nil:
		b.drop(n.GetDropStmt())
	case n.GetRenameStmt() != nil:
		st := n.GetRenameStmt()
		switch st.RenameType {
		case pg.ObjectType_OBJECT_COLUMN:
			b.step("table", rangeName(st.Relation), &Step{Action: fmt.Sprintf("rename column %s to %s", st.Subname, st.Newname),
				Lock: accessExclusive, Duration: Brief, Note: "breaks clients that use the old name"})
		case pg.ObjectType_OBJECT_TABLE:
			b.step("table", rangeName(st.Relation), &Step{Action: "rename to " + st.Newname, Lock: accessExclusive, Duration: Brief, Note: "breaks clients that use the old name"})
		case pg.ObjectType_OBJECT_TABCONSTRAINT:
			b.step("table", rangeName(st.Relation), &Step{Action: fmt.Sprintf("rename constraint %s to %s", st.Subname, st.Newname), Lock: accessExclusive, Duration: Brief})
		case pg.ObjectType_OBJECT_INDEX:
			b.step("index", rangeName(st.Relation), &Step{Action: "rename to " + st.Newname, Lock: shareUpdateExcl, Duration: Brief})
		default:
			b.other()
		}
	case n.GetCreateEnumStmt() != nil:
		name := listName(n.GetCreateEnumStmt().TypeName)
		b.create("type", name)
		b.step("type", name, &Step{Action: fmt.Sprintf("create enum type (%s)", plural(len(n.GetCreateEnumStmt().Vals), "value"))})
	case n.GetAlterEnumStmt() != nil:
		st := n.GetAlterEnumStmt()
		action := "add value " + quote(st.NewVal)
		if st.OldVal != "" {
			action = fmt.Sprintf("rename value %s to %s", quote(st.OldVal), quote(st.NewVal))
		}
		b.step("type", listName(st.TypeName), &Step{Action: action})
	case n.GetViewStmt() != nil:
		st := n.GetViewStmt()
		name := rangeName(st.View)
		if st.Replace {
			b.step("view", name, &Step{Action: "create or replace view", Lock: accessExclusive, Duration: Brief})
		} else {
			b.create("view", name)
			b.step("view", name, &Step{Action: "create view"})
		}
	case n.GetCreateTableAsStmt() != nil:
		name := rangeName(n.GetCreateTableAsStmt().Into.GetRel())
		b.create("materialized view", name)
		b.step("materialized view", name, &Step{Action: "create materialized view"})
	case n.GetCreateSeqStmt() != nil:
		name := rangeName(n.GetCreateSeqStmt().Sequence)
		b.create("sequence", name)
		b.step("sequence", name, &Step{Action: "create sequence"})
	case n.GetAlterSeqStmt() != nil:
		b.step("sequence", rangeName(n.GetAlterSeqStmt().Sequence), &Step{Action: lowerComment(b.comment, "alter sequence")})
	case n.GetCreateSchemaStmt() != nil:
		b.create("schema", n.GetCreateSchemaStmt().Schemaname)
		b.step("schema", n.GetCreateSchemaStmt().Schemaname, &Step{Action: "create schema"})
	case n.GetCommentStmt() != nil:
		st := n.GetCommentStmt()
		kind, name := commentTarget(st)
		action := "set comment"
		if st.Comment == "" {
			action = "remove comment"
		}
		s := &Step{Action: action}
		if kind == "table" || kind == "column" {
			s.Lock, s.Duration = shareUpdateExcl, Brief
		}
		if kind == "column" {
			i := strings.LastIndexByte(name, '.')
			s.Action += " of column " + name[i+1:]
			kind, name = "table", name[:i]
		}
		b.step(kind, name, s)
	case n.GetCreateTrigStmt() != nil:
		st := n.GetCreateTrigStmt()
		b.step("table", rangeName(st.Relation), &Step{Action: "create trigger " + st.Trigname, Lock: shareRowExclusive, Duration: Brief})
	case n.GetCreatePolicyStmt() != nil:
		st := n.GetCreatePolicyStmt()
		b.step("table", rangeName(st.Table), &Step{Action: "create policy " + st.PolicyName, Lock: accessExclusive, Duration: Brief})
	case n.GetCreateDomainStmt() != nil:
		name := listName(n.GetCreateDomainStmt().Domainname)
		b.create("domain", name)
		b.step("domain", name, &Step{Action: "create domain of " + typeName(n.GetCreateDomainStmt().TypeName)})
	case n.GetCreateFunctionStmt() != nil:
		st := n.GetCreateFunctionStmt()
		kind := "function"
		if st.IsProcedure {
			kind = "procedure"
		}
		name := listName(st.Funcname)
		if !st.Replace {
			b.create(kind, name)
		}
		b.step(kind, name, &Step{Action: map[bool]string{true: "create or replace ", false: "create "}[st.Replace] + kind})
	case n.GetCreateExtensionStmt() != nil:
		b.create("extension", n.GetCreateExtensionStmt().Extname)
		b.step("extension", n.GetCreateExtensionStmt().Extname, &Step{Action: "create extension"})
	case n.GetVariableSetStmt() != nil:
		b.step("session", "settings", &Step{Action: "set " + n.GetVariableSetStmt().Name})
	default:
		b.other()
	}
}

// other describes a statement the summary has no words for by its plan
// comment.
func (b *builder) other() {
	b.step("other", fmt.Sprintf("statement %d", b.stmt), &Step{Action: lowerComment(b.comment, "statement")})
}

func lowerComment(c, fallback string) string {
	if c == "" {
		return fallback
	}
	return c
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func commentTarget(st *pg.CommentStmt) (kind, name string) {
	kind = strings.ToLower(strings.TrimPrefix(st.Objtype.String(), "OBJECT_"))
	switch o := st.Object; {
	case o.GetList() != nil:
		name = listName(o.GetList().Items)
	case o.GetString_() != nil:
		name = o.GetString_().Sval
	case o.GetTypeName() != nil:
		name = typeName(o.GetTypeName())
	default:
		name = "?"
	}
	if kind == "tabconstraint" {
		kind = "constraint"
	}
	return kind, name
}

// drop adds the steps of a DROP statement.
func (b *builder) drop(st *pg.DropStmt) {
	kind := strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(st.RemoveType.String(), "OBJECT_")), "_", " ")
	for _, o := range st.Objects {
		var name string
		switch {
		case o.GetList() != nil:
			name = listName(o.GetList().Items)
		case o.GetString_() != nil:
			name = o.GetString_().Sval
		case o.GetTypeName() != nil:
			name = typeName(o.GetTypeName())
		default:
			name = "?"
		}
		s := &Step{Action: "drop " + kind, Lock: accessExclusive, Duration: Brief}
		switch st.RemoveType {
		case pg.ObjectType_OBJECT_TABLE, pg.ObjectType_OBJECT_SCHEMA:
			s.DataLoss = true
		case pg.ObjectType_OBJECT_INDEX:
			if st.Concurrent {
				s.Action += " (CONCURRENTLY)"
				s.Lock = shareUpdateExcl
			}
		case pg.ObjectType_OBJECT_SEQUENCE:
			s.DataLoss = true
			s.Note = "its current value is lost"
		case pg.ObjectType_OBJECT_MATVIEW:
			s.Note = "its rows are computed again if it is recreated"
		case pg.ObjectType_OBJECT_VIEW:
		default:
			s.Lock, s.Duration = "", ""
		}
		if st.Behavior == pg.DropBehavior_DROP_CASCADE {
			s.Note = strings.TrimPrefix(s.Note+"; drops what depends on it (CASCADE)", "; ")
		}
		b.step(kind, name, s)
	}
}

// alterTable adds one step per subcommand of ALTER TABLE; the statement
// takes the strongest lock of its subcommands, so every step shows it,
// with its own duration.
func (b *builder) alterTable(st *pg.AlterTableStmt) {
	table := rangeName(st.Relation)
	kind := "table"
	switch st.Objtype {
	case pg.ObjectType_OBJECT_INDEX:
		kind = "index"
	case pg.ObjectType_OBJECT_VIEW:
		kind = "view"
	case pg.ObjectType_OBJECT_MATVIEW:
		kind = "materialized view"
	case pg.ObjectType_OBJECT_SEQUENCE:
		kind = "sequence"
	case pg.ObjectType_OBJECT_FOREIGN_TABLE:
		kind = "foreign table"
	}
	var steps []*Step
	lock := ""
	for _, cn := range st.Cmds {
		c := cn.GetAlterTableCmd()
		if c == nil {
			continue
		}
		s := alterCmd(c)
		if lockRank[s.Lock] > lockRank[lock] {
			lock = s.Lock
		}
		steps = append(steps, s)
		// A foreign key also locks the table it references.
		if k := c.GetDef().GetConstraint(); k != nil && k.Contype == pg.ConstrType_CONSTR_FOREIGN {
			ref := &Step{Action: fmt.Sprintf("referenced by foreign key %s of %s", k.Conname, table), Lock: shareRowExclusive, Duration: s.Duration}
			b.step("table", rangeName(k.Pktable), ref)
		}
	}
	for _, s := range steps {
		s.Lock = lock
		b.step(kind, table, s)
	}
}

// alterCmd describes one ALTER TABLE subcommand with its own lock level
// (PostgreSQL's AlterTableGetLockLevel) and duration.
func alterCmd(c *pg.AlterTableCmd) *Step {
	s := &Step{Lock: accessExclusive, Duration: Brief}
	switch c.Subtype {
	case pg.AlterTableType_AT_AddColumn:
		cd := c.GetDef().GetColumnDef()
		s.Action = "add column " + cd.Colname + " " + typeName(cd.TypeName)
		notNull, hasDefault := false, cd.RawDefault != nil
		for _, kn := range cd.Constraints {
			k := kn.GetConstraint()
			if k == nil {
				continue
			}
			switch k.Contype {
			case pg.ConstrType_CONSTR_NOTNULL:
				notNull = true
				s.Action += " NOT NULL"
			case pg.ConstrType_CONSTR_DEFAULT:
				hasDefault = true
				s.Action += " DEFAULT " + deparse(k.RawExpr)
				if volatile(k.RawExpr) {
					s.Rewrite, s.Duration = true, Rewrite
					s.Note = "a volatile default is computed for every row"
				}
			case pg.ConstrType_CONSTR_IDENTITY, pg.ConstrType_CONSTR_GENERATED:
				s.Rewrite, s.Duration = true, Rewrite
				s.Note = "every row gets a value"
			case pg.ConstrType_CONSTR_PRIMARY, pg.ConstrType_CONSTR_UNIQUE:
				s.Duration = max2(s.Duration, Scan)
				s.Note = "builds an index"
			case pg.ConstrType_CONSTR_CHECK:
				s.Duration = max2(s.Duration, Scan)
				s.Note = "checks every row"
			}
		}
		if notNull && !hasDefault {
			s.Note = "fails on a table with rows (NOT NULL without a default)"
		}
	case pg.AlterTableType_AT_DropColumn:
		s.Action = "drop column " + c.Name
		s.DataLoss = true
	case pg.AlterTableType_AT_AlterColumnType:
		cd := c.GetDef().GetColumnDef()
		s.Action = "change type of column " + c.Name + " to " + typeName(cd.TypeName)
		if cd.RawDefault != nil {
			s.Action += " USING " + deparse(cd.RawDefault)
		}
		s.Rewrite, s.Duration = true, Rewrite
		s.Note = "no rewrite when the types are binary-compatible (e.g. varchar(n) to text); may lose data if the new type is narrower"
	case pg.AlterTableType_AT_ColumnDefault:
		if c.Def == nil {
			s.Action = "drop default of column " + c.Name
		} else {
			s.Action = "set default of column " + c.Name + " to " + deparse(c.Def)
		}
	case pg.AlterTableType_AT_SetNotNull:
		s.Action = "set column " + c.Name + " NOT NULL"
		s.Duration = Scan
		s.Note = "scans the table unless a valid CHECK proves it; fails if a row is NULL"
	case pg.AlterTableType_AT_DropNotNull:
		s.Action = "drop NOT NULL of column " + c.Name
	case pg.AlterTableType_AT_AddConstraint:
		k := c.GetDef().GetConstraint()
		s.Action = "add " + constraintKind(k) + " " + k.Conname
		switch k.Contype {
		case pg.ConstrType_CONSTR_FOREIGN:
			s.Lock = shareRowExclusive
			s.Duration = Scan
			if k.SkipValidation {
				s.Action += " (NOT VALID)"
				s.Duration = Brief
			} else {
				s.Note = "checks every row while writes wait"
			}
		case pg.ConstrType_CONSTR_CHECK:
			s.Duration = Scan
			if k.SkipValidation {
				s.Action += " (NOT VALID)"
				s.Duration = Brief
			} else {
				s.Note = "checks every row"
			}
		case pg.ConstrType_CONSTR_PRIMARY, pg.ConstrType_CONSTR_UNIQUE, pg.ConstrType_CONSTR_EXCLUSION:
			if k.Indexname != "" {
				s.Action += " USING INDEX " + k.Indexname
			} else {
				s.Duration = Scan
				s.Note = "builds an index; fails on duplicate rows"
			}
		}
	case pg.AlterTableType_AT_ValidateConstraint:
		s.Action = "validate constraint " + c.Name
		s.Lock, s.Duration = shareUpdateExcl, Scan
		s.Note = "reads and writes go on during the check"
	case pg.AlterTableType_AT_DropConstraint:
		s.Action = "drop constraint " + c.Name
	case pg.AlterTableType_AT_SetStatistics, pg.AlterTableType_AT_SetOptions, pg.AlterTableType_AT_ResetOptions:
		s.Action = "set statistics or options of column " + c.Name
		s.Lock = shareUpdateExcl
	case pg.AlterTableType_AT_SetStorage, pg.AlterTableType_AT_SetCompression:
		s.Action = "set storage of column " + c.Name
	case pg.AlterTableType_AT_SetLogged, pg.AlterTableType_AT_SetUnLogged:
		s.Action = strings.ToLower(strings.TrimPrefix(c.Subtype.String(), "AT_"))
		s.Action = map[bool]string{true: "set logged", false: "set unlogged"}[c.Subtype == pg.AlterTableType_AT_SetLogged]
		s.Rewrite, s.Duration = true, Rewrite
	case pg.AlterTableType_AT_AttachPartition:
		s.Action = "attach partition " + rangeName(c.GetDef().GetPartitionCmd().GetName())
		s.Lock, s.Duration = shareUpdateExcl, Scan
		s.Note = "scans the partition unless a valid CHECK proves its bound"
	case pg.AlterTableType_AT_DetachPartition:
		s.Action = "detach partition " + rangeName(c.GetDef().GetPartitionCmd().GetName())
		if c.GetDef().GetPartitionCmd().GetConcurrent() {
			s.Action += " (CONCURRENTLY)"
			s.Lock = shareUpdateExcl
		}
	case pg.AlterTableType_AT_ChangeOwner:
		s.Action = "change owner"
	case pg.AlterTableType_AT_EnableRowSecurity:
		s.Action = "enable row level security"
	case pg.AlterTableType_AT_DisableRowSecurity:
		s.Action = "disable row level security"
	case pg.AlterTableType_AT_ReplicaIdentity:
		s.Action = "set replica identity"
	case pg.AlterTableType_AT_AddIdentity, pg.AlterTableType_AT_SetIdentity, pg.AlterTableType_AT_DropIdentity:
		s.Action = "change identity of column " + c.Name
	default:
		s.Action = strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(c.Subtype.String(), "AT_")), "_", " ")
		if c.Name != "" {
			s.Action += " " + c.Name
		}
	}
	return s
}

func constraintKind(k *pg.Constraint) string {
	switch k.Contype {
	case pg.ConstrType_CONSTR_FOREIGN:
		return "foreign key"
	case pg.ConstrType_CONSTR_PRIMARY:
		return "primary key"
	case pg.ConstrType_CONSTR_UNIQUE:
		return "unique constraint"
	case pg.ConstrType_CONSTR_CHECK:
		return "check constraint"
	case pg.ConstrType_CONSTR_EXCLUSION:
		return "exclusion constraint"
	}
	return "constraint"
}

func max2(a, b string) string {
	if durationRank[b] > durationRank[a] {
		return b
	}
	return a
}
