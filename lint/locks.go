package lint

import (
	"fmt"
	"maps"
	"sort"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"

	pg "github.com/pganalyze/pg_query_go/v6"
)

// Static lock levels. Reading pg_locks costs a walk of the whole shared
// lock table, whose size follows max_locks_per_transaction and
// max_connections rather than what the session holds: on a server set up
// for big schemas it costs most of a lint run. For the common DDL
// statements PostgreSQL's documented lock levels follow from the parse
// tree; the engine derives those and reads pg_locks only for the other
// statements.
//
// What the engine needs of the locks (see observeQuery and
// check.lockedTables) are the relation locks of SHARE UPDATE EXCLUSIVE or
// stronger on relations that existed before the statement; weaker locks
// and locks on relations the statement creates are covered otherwise. A
// statement gets static locks only when nothing but PostgreSQL's own code
// can run with it: the database has no user-defined function in a
// procedural or SQL language (a trigger or default could take any lock),
// no event trigger and no inheritance (ALTER TABLE recurses to children),
// see worldQuery; and the statement names only relations the snapshot
// knows, of the kind the rule is for. CREATE TABLE, CREATE INDEX on plain
// columns and COMMENT run no user code and recurse to no other table:
// they need only ddlWorldQuery (no event trigger, no user-defined
// operator class), so that a schema with functions or partitions still
// spares pg_locks for most of its statements.

// worldQuery tells whether the database allows static lock levels: no
// user function outside C and internal languages (OIDs from 16384 are
// user objects; languages 12 and 13 are internal and C), no event trigger,
// no inheritance. Each part reads an index range or a catalog that is
// empty in most databases.
const worldQuery = `NOT EXISTS (SELECT 1 FROM pg_proc WHERE oid >= '16384'::oid AND prolang NOT IN ('12'::oid, '13'::oid))
 AND NOT EXISTS (SELECT 1 FROM pg_event_trigger) AND NOT EXISTS (SELECT 1 FROM pg_inherits)`

// Lock modes as pg_locks spells them.
const (
	lockShare          = "ShareLock"
	lockShareRowExcl   = "ShareRowExclusiveLock"
	lockAccessExcl     = "AccessExclusiveLock"
	lockShareUpdateExc = "ShareUpdateExclusiveLock"
)

// ddlWorldQuery tells whether the database allows static lock levels for
// the statements plainDDL accepts: no event trigger, no user-defined
// operator class (an index build on plain columns then calls only
// PostgreSQL's own support functions). A database with functions in SQL
// or PL/pgSQL, or with partitions, still allows them: those statements
// evaluate no expression and recurse to no other table.
const ddlWorldQuery = `NOT EXISTS (SELECT 1 FROM pg_event_trigger) AND NOT EXISTS (SELECT 1 FROM pg_opclass WHERE oid >= '16384'::oid)`

// plainDDL tells whether a statement's locks hold in any database that
// ddlWorldQuery allows: CREATE TABLE without inheritance (createTable
// takes no other case; no default or check is evaluated on a new table,
// and a foreign key to a partitioned table is left to pg_locks), CREATE
// INDEX on plain columns without a predicate or collation (no expression
// to evaluate; resolve takes no partitioned table), and COMMENT.
func plainDDL(n *pg.Node) bool {
	switch {
	case n.GetCreateStmt() != nil, n.GetCommentStmt() != nil:
		return true
	case n.GetIndexStmt() != nil:
		st := n.GetIndexStmt()
		if st.WhereClause != nil {
			return false
		}
		for _, p := range append(append([]*pg.Node{}, st.IndexParams...), st.IndexIncludingParams...) {
			el := p.GetIndexElem()
			if el == nil || el.Name == "" || el.Expr != nil || len(el.Collation) > 0 || len(el.Opclassopts) > 0 {
				return false
			}
		}
		return true
	}
	return false
}

// staticLocks returns the locks of SHARE UPDATE EXCLUSIVE or stronger that
// statement n takes on relations of snap, and whether they are known
// statically (ok false: read pg_locks).
func staticLocks(n *pg.Node, snap *snapshot) (locks []heldLock, ok bool) {
	if n == nil || snap == nil || !snap.staticOK && !(snap.ddlOK && plainDDL(n)) {
		return nil, false
	}
	for i, s := range snap.searchPath {
		// Type names (keepsRows) resolve in pg_catalog first unless the
		// path names it later.
		if s == "information_schema" || s == "pg_catalog" && i > 0 {
			return nil, false
		}
	}
	l := &lockSet{snap: snap, ok: true}
	switch {
	case n.GetVariableSetStmt() != nil:
		// SET, RESET: no relation lock.
	case n.GetCreateStmt() != nil:
		l.createTable(n.GetCreateStmt())
	case n.GetIndexStmt() != nil:
		st := n.GetIndexStmt()
		if st.Concurrent {
			return nil, false
		}
		l.add(l.resolve(st.Relation, false, "rm"), lockShare)
	case n.GetDropStmt() != nil:
		l.dropIndex(n.GetDropStmt())
	case n.GetCommentStmt() != nil:
		l.comment(n.GetCommentStmt())
	case n.GetAlterTableStmt() != nil:
		l.alterTable(n.GetAlterTableStmt())
	case n.GetRenameStmt() != nil:
		st := n.GetRenameStmt()
		switch {
		case st.RenameType == pg.ObjectType_OBJECT_TABLE,
			st.RenameType == pg.ObjectType_OBJECT_COLUMN && st.RelationType == pg.ObjectType_OBJECT_TABLE:
			l.add(l.resolve(st.Relation, st.MissingOk, "r"), lockAccessExcl)
		default:
			return nil, false
		}
	default:
		return nil, false
	}
	if !l.ok {
		return nil, false
	}
	return l.locks, true
}

// lockSet collects static locks; ok turns false at the first thing the
// rules do not cover.
type lockSet struct {
	snap  *snapshot
	locks []heldLock
	ok    bool
}

// resolve finds the relation a statement names. A name the snapshot does
// not know ends the static derivation (it may be a catalog or temporary
// relation) unless missingOK (IF EXISTS) and the name cannot be a
// catalog's: then the statement locks nothing. kinds are the relkinds the
// rule is for.
func (l *lockSet) resolve(rv *pg.RangeVar, missingOK bool, kinds string) *relation {
	if rv == nil || rv.Relpersistence == "t" {
		l.ok = false
		return nil
	}
	return l.resolveName(rangeVarName(rv), missingOK, kinds)
}

func (l *lockSet) resolveName(q qname, missingOK bool, kinds string) *relation {
	r := l.snap.lookup(q, "")
	switch {
	case r != nil && strings.Contains(kinds, r.Kind):
		return r
	case r == nil && missingOK && !strings.HasPrefix(q.Name, "pg_") && !strings.HasPrefix(q.Schema, "pg_") &&
		q.Schema != "information_schema":
		return nil
	}
	l.ok = false
	return nil
}

func (l *lockSet) add(r *relation, mode string) {
	if r == nil {
		return
	}
	for _, h := range l.locks {
		if h.OID == r.OID && h.Mode == mode {
			return
		}
	}
	l.locks = append(l.locks, heldLock{OID: r.OID, Mode: mode})
}

// createTable: CREATE TABLE locks the new table, its indexes and
// sequences (new relations), and each table its foreign keys reference in
// SHARE ROW EXCLUSIVE mode (their triggers are created there).
func (l *lockSet) createTable(st *pg.CreateStmt) {
	if st.Relation == nil || st.Relation.Relpersistence == "t" || len(st.InhRelations) > 0 || st.Partbound != nil {
		l.ok = false
		return
	}
	if l.snap.lookup(rangeVarName(st.Relation), "") != nil {
		// IF NOT EXISTS on an existing relation, or an error.
		l.ok = false
		return
	}
	self := st.Relation.Relname
	ref := func(c *pg.Constraint) {
		if c.Contype != pg.ConstrType_CONSTR_FOREIGN {
			return
		}
		if c.Pktable != nil && c.Pktable.Relname == self && (c.Pktable.Schemaname == "" || c.Pktable.Schemaname == st.Relation.Schemaname) {
			return // the table itself: a new relation
		}
		l.add(l.resolve(c.Pktable, false, "r"), lockShareRowExcl)
	}
	for _, e := range append(append([]*pg.Node{}, st.TableElts...), st.Constraints...) {
		switch {
		case e.GetColumnDef() != nil:
			for _, c := range e.GetColumnDef().Constraints {
				if cc := c.GetConstraint(); cc != nil {
					ref(cc)
				}
			}
		case e.GetConstraint() != nil:
			ref(e.GetConstraint())
		case e.GetTableLikeClause() != nil:
			// LIKE reads its source in ACCESS SHARE mode.
			l.resolve(e.GetTableLikeClause().Relation, false, "rpvmf")
		default:
			l.ok = false
		}
	}
}

// commentKinds are the relkinds COMMENT ON accepts for each kind of
// relation it names.
var commentKinds = map[pg.ObjectType]string{
	pg.ObjectType_OBJECT_TABLE: "rp", pg.ObjectType_OBJECT_VIEW: "v", pg.ObjectType_OBJECT_MATVIEW: "m",
	pg.ObjectType_OBJECT_INDEX: "iI", pg.ObjectType_OBJECT_SEQUENCE: "S", pg.ObjectType_OBJECT_FOREIGN_TABLE: "f",
}

// comment: COMMENT ON a relation, or on a column of one, locks the
// relation in SHARE UPDATE EXCLUSIVE mode (get_object_address); on a
// function, procedure, type, domain or schema it takes no relation lock.
// Other objects are left to pg_locks.
func (l *lockSet) comment(st *pg.CommentStmt) {
	switch st.Objtype {
	case pg.ObjectType_OBJECT_FUNCTION, pg.ObjectType_OBJECT_PROCEDURE, pg.ObjectType_OBJECT_TYPE,
		pg.ObjectType_OBJECT_DOMAIN, pg.ObjectType_OBJECT_SCHEMA:
		return
	case pg.ObjectType_OBJECT_COLUMN:
		items := st.Object.GetList().GetItems()
		if len(items) < 2 {
			l.ok = false
			return
		}
		l.add(l.resolveName(listName(items[:len(items)-1]), false, "rpvmf"), lockShareUpdateExc)
		return
	}
	kinds, ok := commentKinds[st.Objtype]
	if !ok || st.Object.GetList() == nil {
		l.ok = false
		return
	}
	l.add(l.resolveName(listName(st.Object.GetList().GetItems()), false, kinds), lockShareUpdateExc)
}

// dropIndex: DROP INDEX locks each index and its table in ACCESS
// EXCLUSIVE mode. CASCADE (dependent constraints of other tables) and
// CONCURRENTLY are left to pg_locks.
func (l *lockSet) dropIndex(st *pg.DropStmt) {
	if st.RemoveType != pg.ObjectType_OBJECT_INDEX || st.Concurrent || st.Behavior == pg.DropBehavior_DROP_CASCADE {
		l.ok = false
		return
	}
	for _, o := range st.Objects {
		idx := l.resolveName(listName(o.GetList().GetItems()), st.MissingOk, "i")
		if idx == nil {
			continue
		}
		l.add(l.snap.rel(idx.Table), lockAccessExcl)
		l.add(idx, lockAccessExcl)
	}
}

// alterTable: ALTER TABLE takes the strongest level of its subcommands
// (PostgreSQL's AlterTableGetLockLevel) on the table; a foreign key also
// locks the referenced table, and the table again, in SHARE ROW EXCLUSIVE
// mode (for its triggers); a primary key or unique constraint builds an
// index in SHARE mode. Subcommands whose effect reaches other relations
// (column types, drops of columns and constraints) are left to pg_locks.
func (l *lockSet) alterTable(st *pg.AlterTableStmt) {
	if st.Objtype != pg.ObjectType_OBJECT_TABLE {
		l.ok = false
		return
	}
	t := l.resolve(st.Relation, st.MissingOk, "r")
	if t == nil {
		return
	}
	level := ""
	raise := func(mode string) {
		if level == "" || lockRank[mode] > lockRank[level] {
			level = mode
		}
	}
	constraint := func(c *pg.Constraint, inColumn bool) {
		switch c.Contype {
		case pg.ConstrType_CONSTR_FOREIGN:
			raise(lockShareRowExcl)
			l.add(t, lockShareRowExcl)
			if c.Pktable != nil && c.Pktable.Relname == t.Name && l.snap.lookup(rangeVarName(c.Pktable), "") == t {
				return
			}
			l.add(l.resolve(c.Pktable, false, "r"), lockShareRowExcl)
		case pg.ConstrType_CONSTR_PRIMARY, pg.ConstrType_CONSTR_UNIQUE:
			if c.Indexname != "" {
				l.ok = false
				return
			}
			raise(lockAccessExcl)
			l.add(t, lockShare)
		case pg.ConstrType_CONSTR_CHECK:
			raise(lockAccessExcl)
		case pg.ConstrType_CONSTR_NOTNULL, pg.ConstrType_CONSTR_NULL, pg.ConstrType_CONSTR_DEFAULT:
			if !inColumn {
				l.ok = false
			}
			raise(lockAccessExcl)
		default:
			l.ok = false
		}
	}
	for _, n := range st.Cmds {
		c := n.GetAlterTableCmd()
		if c == nil {
			l.ok = false
			return
		}
		switch c.Subtype {
		case pg.AlterTableType_AT_AddColumn:
			raise(lockAccessExcl)
			cd := c.GetDef().GetColumnDef()
			if cd == nil || !l.keepsRows(cd) {
				l.ok = false
				return
			}
			for _, cn := range cd.Constraints {
				if cc := cn.GetConstraint(); cc != nil {
					constraint(cc, true)
				}
			}
		case pg.AlterTableType_AT_AddConstraint:
			cc := c.GetDef().GetConstraint()
			if cc == nil {
				l.ok = false
				return
			}
			constraint(cc, false)
		case pg.AlterTableType_AT_ColumnDefault, pg.AlterTableType_AT_DropNotNull, pg.AlterTableType_AT_SetNotNull:
			raise(lockAccessExcl)
		default:
			l.ok = false
			return
		}
	}
	if level != "" {
		l.add(t, level)
	}
}

// keepsRows tells whether adding column cd leaves the table's files as
// they are: a rewrite also rebuilds (and locks) every index of the table.
// It does when the column's type is built in or an enum and its default
// a constant or a stable value function (evaluated once); a volatile
// default, an identity, a generated column or a domain (its checks) may
// rewrite or scan the table.
func (l *lockSet) keepsRows(cd *pg.ColumnDef) bool {
	if cd.RawDefault != nil || cd.CookedDefault != nil || cd.Identity != "" || cd.Generated != "" || !l.plainType(cd.TypeName) {
		return false
	}
	for _, n := range cd.Constraints {
		c := n.GetConstraint()
		if c == nil {
			return false
		}
		switch c.Contype {
		case pg.ConstrType_CONSTR_DEFAULT:
			if !l.constant(c.RawExpr) {
				return false
			}
		case pg.ConstrType_CONSTR_IDENTITY, pg.ConstrType_CONSTR_GENERATED:
			return false
		}
	}
	return true
}

// builtinTypes are type names as the parser leaves them unqualified that
// name types of pg_catalog (the parser qualifies the SQL-standard ones,
// e.g. pg_catalog.int4).
var builtinTypes = map[string]bool{
	"text": true, "uuid": true, "jsonb": true, "json": true, "bytea": true, "date": true, "inet": true,
	"cidr": true, "macaddr": true, "timestamptz": true, "timetz": true, "money": true, "xml": true,
	"tsvector": true, "int2": true, "int4": true, "int8": true, "float4": true, "float8": true,
	"bool": true, "varchar": true, "bpchar": true, "numeric": true, "timestamp": true, "time": true,
	"interval": true, "oid": true, "char": true,
}

// plainType tells whether a type is built in or an enum the snapshot
// knows.
func (l *lockSet) plainType(tn *pg.TypeName) bool {
	if tn == nil || tn.Setof || tn.PctType {
		return false
	}
	var names []string
	for _, n := range tn.Names {
		s := n.GetString_()
		if s == nil {
			return false
		}
		names = append(names, s.Sval)
	}
	switch len(names) {
	case 1:
		if builtinTypes[names[0]] {
			return true
		}
		for _, sc := range l.snap.searchPath {
			if l.snap.enums[sc+"."+names[0]] != nil {
				return true
			}
		}
	case 2:
		return names[0] == "pg_catalog" || l.snap.enums[names[0]+"."+names[1]] != nil
	}
	return false
}

// constant tells whether a default expression is a constant, a cast of
// one to a plain type, or a SQL value function (CURRENT_TIMESTAMP, ...).
func (l *lockSet) constant(n *pg.Node) bool {
	switch {
	case n == nil:
		return false
	case n.GetAConst() != nil, n.GetSqlvalueFunction() != nil:
		return true
	case n.GetTypeCast() != nil:
		return l.plainType(n.GetTypeCast().TypeName) && l.constant(n.GetTypeCast().Arg)
	}
	return false
}

// setsConfig tells whether a statement that is not observed calls
// set_config, which can change the search path the static rules resolve
// names with: the next statement then reads pg_locks (and the path).
func setsConfig(n *pg.Node) bool {
	found := false
	if n != nil {
		walkFuncNames(n, func(name string) { found = found || name == "set_config" })
	}
	return found
}

// dynamicData tells whether a statement that is not observed (classData)
// may take locks of SHARE UPDATE EXCLUSIVE or stronger: LOCK, and the
// built-in functions that maintain BRIN and GIN indexes. The transaction
// then reads pg_locks until it ends.
func dynamicData(n *pg.Node) bool {
	if n == nil || n.GetLockStmt() != nil {
		return true
	}
	found := false
	walkFuncNames(n, func(name string) {
		if strings.HasPrefix(name, "brin_") || strings.HasPrefix(name, "gin_") {
			found = true
		}
	})
	return found
}

// createsTemp tells whether a statement creates a temporary relation: the
// snapshot does not follow those, and one could hide a user relation of
// the same name for the rest of the session.
func createsTemp(n *pg.Node) bool {
	// (Callers check mayNameTemp first: walking the tree costs more.)
	found := false
	walkRangeVars(n, func(rv *pg.RangeVar) {
		if rv.Relpersistence == "t" || strings.HasPrefix(rv.Schemaname, "pg_temp") {
			found = true
		}
	})
	return found
}

// mayNameTemp tells whether a statement's text can create or name a
// temporary relation: either takes TEMP or TEMPORARY (a relation's
// persistence) or a pg_temp schema, so the text holds "temp" in some
// case; a statement without it needs no walk of its parse tree
// (createsTemp).
func mayNameTemp(text string) bool {
	for i := 0; i+4 <= len(text); i++ {
		if (text[i]|0x20) == 't' && (text[i+1]|0x20) == 'e' && (text[i+2]|0x20) == 'm' && (text[i+3]|0x20) == 'p' {
			return true
		}
	}
	return false
}

// makesInheritance tells whether a statement can add inheritance (a
// partition or a child table), which worldQuery rules out.
func makesInheritance(n *pg.Node) bool {
	if c := n.GetCreateStmt(); c != nil {
		return len(c.InhRelations) > 0 || c.Partbound != nil
	}
	if a := n.GetAlterTableStmt(); a != nil {
		for _, cmd := range a.Cmds {
			switch cmd.GetAlterTableCmd().GetSubtype() {
			case pg.AlterTableType_AT_AddInherit, pg.AlterTableType_AT_AttachPartition:
				return true
			}
		}
	}
	return false
}

// makesCode tells whether a statement creates (or replaces) a function or
// procedure in a language other than C and internal, which worldQuery
// rules out. Without a LANGUAGE clause the body is SQL.
func makesCode(n *pg.Node) bool {
	f := n.GetCreateFunctionStmt()
	if f == nil {
		return false
	}
	for _, o := range f.Options {
		if d := o.GetDefElem(); d != nil && d.Defname == "language" {
			lang := d.Arg.GetString_().GetSval()
			return !strings.EqualFold(lang, "c") && !strings.EqualFold(lang, "internal")
		}
	}
	return true
}

// walkMessages calls f on every message of a parse tree.
func walkMessages(m protoreflect.Message, f func(protoreflect.Message)) {
	f(m)
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsList() && fd.Message() != nil:
			for i, l := 0, v.List(); i < l.Len(); i++ {
				walkMessages(l.Get(i).Message(), f)
			}
		case !fd.IsMap() && fd.Message() != nil:
			walkMessages(v.Message(), f)
		}
		return true
	})
}

// walkFuncNames calls f with the last part of every function name called
// in the tree, lower-cased.
func walkFuncNames(n *pg.Node, f func(string)) {
	walkMessages(n.ProtoReflect(), func(m protoreflect.Message) {
		if fc, ok := m.Interface().(*pg.FuncCall); ok && len(fc.Funcname) > 0 {
			if s := fc.Funcname[len(fc.Funcname)-1].GetString_(); s != nil {
				f(strings.ToLower(s.Sval))
			}
		}
	})
}

// walkRangeVars calls f on every relation name of the tree.
func walkRangeVars(n *pg.Node, f func(*pg.RangeVar)) {
	if n == nil {
		return
	}
	walkMessages(n.ProtoReflect(), func(m protoreflect.Message) {
		if rv, ok := m.Interface().(*pg.RangeVar); ok {
			f(rv)
		}
	})
}

// ownLocksQuery reads the relation locks of SHARE UPDATE EXCLUSIVE or
// stronger that the session holds, as the observation queries see them
// (verifyLocks).
const ownLocksQuery = `SELECT coalesce(json_agg(json_build_array(relation, mode)), '[]') FROM pg_locks
 WHERE pid = pg_backend_pid() AND locktype = 'relation' AND granted AND relation >= '16384'::oid
  AND mode NOT IN ('AccessShareLock', 'RowShareLock', 'RowExclusiveLock')
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`

// verifyLocks (tests) reads pg_locks after every observed statement of a
// transaction and, for a statement whose locks were derived statically,
// reports any difference between the new locks it recorded and those
// pg_locks shows, on the relations that existed when the transaction
// began (the others are new: see staticLocks).
func (e *engine) verifyLocks(r *stmtRun, obs *observation, after *snapshot) error {
	actual := map[heldLock]bool{}
	if r.static {
		if obs == nil || obs.ownLocks == nil {
			return fmt.Errorf("%s: static locks not checked", r.Stmt.Pos)
		}
		var err error
		if actual, err = decodeLocks(obs.ownLocks); err != nil {
			return err
		}
	} else {
		// The observation sent the locks not held before it.
		for l := range e.verifyHeld {
			actual[l] = true
		}
		for l := range after.locks {
			if lockRank[l.Mode] >= lockRank[lockShareUpdateExc] {
				actual[l] = true
			}
		}
	}
	defer func() { e.verifyHeld = actual }()
	if !r.static {
		return nil
	}
	want, got := map[heldLock]bool{}, map[heldLock]bool{}
	for l := range actual {
		if !e.verifyHeld[l] && e.txRels.get(l.OID) != nil {
			want[l] = true
		}
	}
	for _, l := range r.NewLocks {
		if e.txRels.get(l.OID) != nil {
			got[l] = true
		}
	}
	if !maps.Equal(want, got) {
		e.verify(r, nil, fmt.Errorf("static locks %v, pg_locks shows %v", sortedLocks(got), sortedLocks(want)))
	}
	return nil
}

func sortedLocks(m map[heldLock]bool) []string {
	var out []string
	for l := range m {
		out = append(out, fmt.Sprintf("%d:%s", l.OID, l.Mode))
	}
	sort.Strings(out)
	return out
}
