package schema

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// This file writes and reads the HCL of partitions, range types, event
// triggers and privileges.
//
// A partition is a table block with partition_of (Atlas's open-source
// HCL has only the partitioned table's key, the partition block):
//
//	table "payment_p2022_01" {
//	  schema       = schema.public
//	  partition_of = table.public.payment
//	  for_values   = "FROM ('2022-01-01') TO ('2022-02-01')"   # or default = true
//	  partition { type = RANGE; columns = [column.x] }           # sub-partitioned
//	  column "n" { null = false; default = sql("0"); comment = "..." }
//	  constraint "payment_p2022_01_customer_id_fkey" { def = "FOREIGN KEY ..." }
//	  index "payment_p2022_01_customer_id_idx" { def = "CREATE INDEX ..." }
//	  row_security { enabled = true }
//	  comment = "..."
//	}
//
// Such a block holds only what the partition has of its own: the columns,
// keys and indexes it gets from its parent (PARTITION OF) are left out;
// column blocks carry the differences from the parent's column.
//
// The other blocks:
//
//	range "floatrange" { schema = schema.public; subtype = sql("double precision"); subtype_diff = "float8mi" }
//	event_trigger "no_drops" { on = sql_drop; tags = ["DROP TABLE"]; execute = function.public.f }
//	permission { for = table.public.t; to = PUBLIC; privileges = [SELECT, UPDATE]; grantable = true }

// writePartition writes the table block of a partition.
func writePartition(body *hclwrite.Body, t *TableInfo, parent *TableInfo, rls *PgRowSecurity) {
	b := newBlock(body, "table", t.Name)
	setRef(b, "schema", "schema", t.Schema)
	setRef(b, "partition_of", "table", t.Parent.Schema, t.Parent.Name)
	if t.Bound == "DEFAULT" {
		b.SetAttributeValue("default", cty.True)
	} else {
		setString(b, "for_values", strings.TrimPrefix(t.Bound, "FOR VALUES "))
	}
	if t.Options != "" {
		setString(b, "options", t.Options)
	}
	if t.PartitionKey != "" {
		writePartitionKey(newPlainBlock(b, "partition"), t.PartitionKey)
	}
	for _, c := range t.Columns {
		pc, ok := parent.Column(c.Name)
		if !ok {
			continue
		}
		setNull := c.NotNull != pc.NotNull
		setDefault := c.Default != pc.Default && c.Generated == ""
		if !setNull && !setDefault && c.Comment == "" {
			continue
		}
		cb := newPlainBlockLabel(b, "column", c.Name)
		if setNull {
			cb.SetAttributeValue("null", cty.BoolVal(!c.NotNull))
		}
		if setDefault {
			if c.Default == "" {
				cb.SetAttributeValue("default", cty.NullVal(cty.String))
			} else {
				setSQL(cb, "default", c.Default)
			}
		}
		setComment(cb, c.Comment)
	}
	for _, k := range t.Constraints {
		if k.Inherited {
			continue
		}
		kb := newPlainBlockLabel(b, "constraint", k.Name)
		setString(kb, "def", k.Def)
		setComment(kb, k.Comment)
	}
	for _, idx := range t.Indexes {
		switch {
		case idx.Parent != "":
			// Created by PARTITION OF for the parent's index; the block
			// keeps its name.
			ib := newPlainBlockLabel(b, "index", idx.Name)
			setString(ib, "partition_of", idx.Parent)
			setComment(ib, idx.Comment)
		case idx.Constraint == "":
			ib := newPlainBlockLabel(b, "index", idx.Name)
			setString(ib, "def", idx.Def)
			setComment(ib, idx.Comment)
		}
	}
	if rls != nil {
		rb := newPlainBlock(b, "row_security")
		rb.SetAttributeValue("enabled", cty.BoolVal(rls.Enabled))
		if rls.Forced {
			rb.SetAttributeValue("enforced", cty.True)
		}
	}
	setComment(b, t.Comment)
}

func newPlainBlockLabel(body *hclwrite.Body, typ, label string) *hclwrite.Body {
	return body.AppendNewBlock(typ, []string{label}).Body()
}

// writePartitionKey writes a pg_get_partkeydef key ("RANGE (a, lower(b))")
// as Atlas's partition block: columns when every part is a column, by
// blocks otherwise.
func writePartitionKey(b *hclwrite.Body, key string) {
	typ, list, _ := strings.Cut(key, " ")
	setIdent(b, "type", typ)
	parts := splitTopLevel(strings.TrimSuffix(strings.TrimPrefix(list, "("), ")"), ',')
	var cols []string
	for _, p := range parts {
		if name, ok := plainIdent(p); ok {
			cols = append(cols, name)
		}
	}
	if len(cols) == len(parts) && validTraversal(cols) {
		toks := make([]hclwrite.Tokens, len(cols))
		for i, c := range cols {
			toks[i] = hclwrite.TokensForTraversal(traversal("column", c))
		}
		b.SetAttributeRaw("columns", hclwrite.TokensForTuple(toks))
		return
	}
	for _, p := range parts {
		bb := newPlainBlock(b, "by")
		if name, ok := plainIdent(p); ok && hclIdent(name) {
			bb.SetAttributeTraversal("column", traversal("column", name))
		} else {
			setString(bb, "expr", p)
		}
	}
}

// plainIdent reports whether s is one (possibly quoted) identifier and
// returns it unquoted.
func plainIdent(s string) (string, bool) {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' && !strings.Contains(strings.ReplaceAll(s[1:len(s)-1], `""`, ""), `"`) {
		return unquoteIdent(s), true
	}
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || i > 0 && (r >= '0' && r <= '9' || r == '$')) {
			return "", false
		}
	}
	return s, s != ""
}

// partitionKeySQL reads Atlas's partition block back as a PARTITION BY key.
func partitionKeySQL(r *hclReader) string {
	typ := r.str("type")
	var parts []string
	if a, ok := r.b.Body.Attributes["columns"]; ok {
		t, ok := a.Expr.(*hclsyntax.TupleConsExpr)
		if !ok {
			r.fail("columns: want a list of column references")
			return ""
		}
		for _, e := range t.Exprs {
			s, err := exprString(e, r.src)
			if err != nil {
				r.fail("columns: %v", err)
			}
			parts = append(parts, QuoteIdent(strings.TrimPrefix(s, "column.")))
		}
	}
	for _, by := range r.blocks("by") {
		if c := by.ref("column"); len(c) > 0 {
			parts = append(parts, QuoteIdent(c[len(c)-1]))
		} else {
			parts = append(parts, by.str("expr"))
		}
		if by.err != nil && r.err == nil {
			r.err = by.err
		}
	}
	if typ == "" || len(parts) == 0 {
		r.fail("partition: want a type and columns or by blocks")
	}
	return typ + " (" + strings.Join(parts, ", ") + ")"
}

// traversal builds a reference such as column.x.
func traversal(parts ...string) hcl.Traversal {
	t := hcl.Traversal{hcl.TraverseRoot{Name: parts[0]}}
	for _, p := range parts[1:] {
		t = append(t, hcl.TraverseAttr{Name: p})
	}
	return t
}

// partitionSQL turns the table block of a partition into SQL.
func partitionSQL(r *hclReader) []string {
	q := QName{Schema: r.schema(), Name: r.name()}
	parent, _ := r.table("partition_of")
	s := "CREATE TABLE " + q.String() + " PARTITION OF " + parent.String()
	switch {
	case r.boolean("default", false):
		s += " DEFAULT"
	case r.str("for_values") != "":
		s += " FOR VALUES " + r.str("for_values")
	default:
		r.fail("want for_values or default = true")
	}
	for _, p := range r.blocks("partition") {
		s += " PARTITION BY " + partitionKeySQL(p)
		if p.err != nil && r.err == nil {
			r.err = p.err
		}
	}
	if o := r.str("options"); o != "" {
		s += " WITH (" + o + ")"
	}
	stmts := []string{s}
	var clauses, comments []string
	for _, c := range r.blocks("column") {
		col := QuoteIdent(c.name())
		if c.has("null") {
			if c.boolean("null", true) {
				clauses = append(clauses, "ALTER COLUMN "+col+" DROP NOT NULL")
			} else {
				clauses = append(clauses, "ALTER COLUMN "+col+" SET NOT NULL")
			}
		}
		if a, ok := c.b.Body.Attributes["default"]; ok {
			if v, diags := a.Expr.Value(nil); !diags.HasErrors() && v.IsNull() {
				clauses = append(clauses, "ALTER COLUMN "+col+" DROP DEFAULT")
			} else {
				clauses = append(clauses, "ALTER COLUMN "+col+" SET DEFAULT "+c.str("default"))
			}
		}
		if cm := c.str("comment"); cm != "" {
			comments = append(comments, fmt.Sprintf("COMMENT ON COLUMN %s.%s IS %s", q, col, QuoteLiteral(cm)))
		}
		if c.err != nil && r.err == nil {
			r.err = c.err
		}
	}
	if len(clauses) > 0 {
		stmts = append(stmts, "ALTER TABLE "+q.String()+" "+strings.Join(clauses, ", "))
	}
	// The indexes PARTITION OF created for the parent's indexes get their
	// names first, so that no local index finds its name taken.
	for _, ix := range r.blocks("index") {
		if of := ix.str("partition_of"); of != "" {
			stmts = append(stmts, renameAttachedIndex(QName{Schema: parent.Schema, Name: of}, q, ix.name()))
		}
	}
	for _, k := range r.blocks("constraint") {
		stmts = append(stmts, "ALTER TABLE "+q.String()+" ADD CONSTRAINT "+QuoteIdent(k.name())+" "+k.str("def"))
		if cm := k.str("comment"); cm != "" {
			comments = append(comments, fmt.Sprintf("COMMENT ON CONSTRAINT %s ON %s IS %s", QuoteIdent(k.name()), q, QuoteLiteral(cm)))
		}
	}
	for _, ix := range r.blocks("index") {
		if ix.str("partition_of") == "" {
			stmts = append(stmts, ix.str("def"))
		}
		if cm := ix.str("comment"); cm != "" {
			comments = append(comments, fmt.Sprintf("COMMENT ON INDEX %s IS %s", QName{Schema: q.Schema, Name: ix.name()}, QuoteLiteral(cm)))
		}
		if ix.err != nil && r.err == nil {
			r.err = ix.err
		}
	}
	for _, rs := range r.blocks("row_security") {
		if rs.boolean("enabled", false) {
			stmts = append(stmts, "ALTER TABLE "+q.String()+" ENABLE ROW LEVEL SECURITY")
		}
		if rs.boolean("enforced", false) {
			stmts = append(stmts, "ALTER TABLE "+q.String()+" FORCE ROW LEVEL SECURITY")
		}
	}
	if cm := r.str("comment"); cm != "" {
		comments = append(comments, fmt.Sprintf("COMMENT ON TABLE %s IS %s", q, QuoteLiteral(cm)))
	}
	return append(stmts, comments...)
}

// renameAttachedIndex returns the statement giving the index of partition
// t that belongs to the parent's index parentIdx the name want.
func renameAttachedIndex(parentIdx, t QName, want string) string {
	return fmt.Sprintf(`DO $rename$
DECLARE n text;
BEGIN
	SELECT c.relname INTO n FROM pg_catalog.pg_inherits i
		JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
		JOIN pg_catalog.pg_index x ON x.indexrelid = c.oid
	WHERE i.inhparent = %s::regclass AND x.indrelid = %s::regclass;
	IF n IS NULL THEN
		RAISE EXCEPTION 'partition %% has no index of %%', %s, %s;
	END IF;
	IF n <> %s THEN
		EXECUTE pg_catalog.format('ALTER INDEX %%I.%%I RENAME TO %%I', %s, n, %s);
	END IF;
END
$rename$`, QuoteLiteral(parentIdx.String()), QuoteLiteral(t.String()), QuoteLiteral(t.String()), QuoteLiteral(parentIdx.String()),
		QuoteLiteral(want), QuoteLiteral(t.Schema), QuoteLiteral(want))
}

// writeRange writes a range type.
func writeRange(body *hclwrite.Body, rt *PgRange) {
	b := newBlock(body, "range", rt.ID.Name)
	setRef(b, "schema", "schema", rt.ID.Schema)
	setSQL(b, "subtype", rt.Subtype)
	for _, a := range []struct{ name, v string }{
		{"subtype_opclass", rt.Opclass}, {"collate", rt.Collation}, {"canonical", rt.Canonical},
		{"subtype_diff", rt.SubtypeDiff}, {"multirange", rt.Multirange},
	} {
		if a.v != "" {
			setString(b, a.name, a.v)
		}
	}
	setComment(b, rt.Comment)
}

// rangeSQL turns a range block into SQL.
func rangeSQL(r *hclReader) []string {
	opts := []string{"SUBTYPE = " + r.str("subtype")}
	for _, a := range []struct{ name, sql string }{
		{"subtype_opclass", "SUBTYPE_OPCLASS"}, {"collate", "COLLATION"}, {"canonical", "CANONICAL"},
		{"subtype_diff", "SUBTYPE_DIFF"}, {"multirange", "MULTIRANGE_TYPE_NAME"},
	} {
		if v := r.str(a.name); v != "" {
			opts = append(opts, a.sql+" = "+v)
		}
	}
	stmts := []string{"CREATE TYPE " + r.qname() + " AS RANGE (" + strings.Join(opts, ", ") + ")"}
	if c := r.str("comment"); c != "" {
		stmts = append(stmts, fmt.Sprintf("COMMENT ON TYPE %s IS %s", r.qname(), QuoteLiteral(c)))
	}
	return stmts
}

// writeEventTrigger writes an event trigger in Atlas's event_trigger form.
func writeEventTrigger(body *hclwrite.Body, e *PgEventTrigger) {
	b := newBlock(body, "event_trigger", e.ID.Name)
	setIdent(b, "on", e.Event)
	if len(e.Tags) > 0 {
		vals := make([]cty.Value, len(e.Tags))
		for i, t := range e.Tags {
			vals[i] = cty.StringVal(t)
		}
		b.SetAttributeValue("tags", cty.ListVal(vals))
	}
	fn := strings.Split(e.Function, ".")
	for i, p := range fn {
		fn[i] = unquoteIdent(p)
	}
	if len(fn) == 2 && strings.Count(e.Function, `"`) == 0 {
		setRef(b, "execute", "function", fn[0], fn[1])
	} else {
		// A name with dots or quotes: the function as SQL.
		setSQL(b, "execute", e.Function)
	}
	if e.Enabled != 'O' {
		setString(b, "enabled", string(e.Enabled))
	}
	setComment(b, e.Comment)
}

// eventTriggerSQL turns an event_trigger block into SQL.
func eventTriggerSQL(r *hclReader) []string {
	name := QuoteIdent(r.name())
	s := "CREATE EVENT TRIGGER " + name + " ON " + r.str("on")
	if tags := r.strs("tags"); len(tags) > 0 {
		for i, t := range tags {
			tags[i] = QuoteLiteral(t)
		}
		s += " WHEN TAG IN (" + strings.Join(tags, ", ") + ")"
	}
	fn := ""
	if a, ok := r.b.Body.Attributes["execute"]; ok {
		if _, isRef := a.Expr.(*hclsyntax.ScopeTraversalExpr); isRef {
			p := r.ref("execute")
			switch len(p) {
			case 1:
				fn = QName{Schema: "public", Name: p[0]}.String()
			case 2:
				fn = QName{Schema: p[0], Name: p[1]}.String()
			}
		} else {
			fn = r.str("execute")
		}
	}
	if fn == "" {
		r.fail("execute: want function.<schema>.<name>")
	}
	stmts := []string{s + " EXECUTE FUNCTION " + fn + "()"}
	if en := r.str("enabled"); en != "" && en != "O" {
		what := map[string]string{"D": "DISABLE", "R": "ENABLE REPLICA", "A": "ENABLE ALWAYS"}[en]
		if what == "" {
			r.fail("enabled: want D, R or A")
		}
		stmts = append(stmts, "ALTER EVENT TRIGGER "+name+" "+what)
	}
	if c := r.str("comment"); c != "" {
		stmts = append(stmts, fmt.Sprintf("COMMENT ON EVENT TRIGGER %s IS %s", name, QuoteLiteral(c)))
	}
	return stmts
}

// permissionRoot names the HCL block type the target of a privilege is
// referenced by, per kind.
var permissionRoot = map[PgKind]string{
	PgKindSchema: "schema", PgKindTable: "table", PgKindColumn: "table", PgKindSequence: "sequence",
	PgKindView: "view", PgKindMatView: "materialized", PgKindFunction: "function", PgKindProcedure: "procedure",
	PgKindAggregate: "aggregate", PgKindDomain: "domain", PgKindEnum: "enum", PgKindRange: "range",
	PgKindComposite: "composite",
}

// writePermissions writes the privileges on one object as permission
// blocks, one per grantee and grant option. An object whose privileges
// are all revoked gets one block granting PUBLIC nothing.
func writePermissions(body *hclwrite.Body, p *PgPrivileges) error {
	if len(p.DependsOn) != 1 {
		return fmt.Errorf("%s: no target", p.ID)
	}
	target := p.DependsOn[0]
	root := permissionRoot[target.Kind]
	if root == "" {
		return fmt.Errorf("%s: privileges on a %s cannot be written in HCL", p.ID, target.Kind)
	}
	type group struct {
		grantee   string
		grantable bool
	}
	privs := map[group][]string{}
	var order []group
	for _, it := range p.Items {
		g, priv, _ := strings.Cut(it, "=")
		k := group{grantee: g, grantable: strings.HasSuffix(priv, "*")}
		if _, ok := privs[k]; !ok {
			order = append(order, k)
		}
		privs[k] = append(privs[k], strings.TrimSuffix(priv, "*"))
	}
	if len(order) == 0 {
		order = append(order, group{grantee: "PUBLIC"})
		privs[order[0]] = nil
	}
	sort.SliceStable(order, func(i, j int) bool {
		if order[i].grantee != order[j].grantee {
			return order[i].grantee < order[j].grantee
		}
		return !order[i].grantable
	})
	for _, g := range order {
		body.AppendNewline()
		b := body.AppendNewBlock("permission", nil).Body()
		args := ""
		name := target.Name
		if i := strings.IndexByte(name, '('); i >= 0 && (root == "function" || root == "procedure" || root == "aggregate") {
			name, args = name[:i], strings.TrimSuffix(name[i+1:], ")")
		}
		switch target.Kind {
		case PgKindSchema:
			setRef(b, "for", "schema", target.Name)
		case PgKindColumn:
			setRef(b, "for", "table", target.Schema, target.Name, "column", target.Sub)
		default:
			setRef(b, "for", root, target.Schema, name)
		}
		if root == "function" || root == "procedure" || root == "aggregate" {
			setString(b, "args", args)
		}
		if g.grantee == "PUBLIC" {
			setIdent(b, "to", "PUBLIC")
		} else {
			setString(b, "to", unquoteIdent(g.grantee))
		}
		toks := make([]hclwrite.Tokens, len(privs[g]))
		for i, pr := range privs[g] {
			toks[i] = hclwrite.TokensForIdentifier(pr)
		}
		b.SetAttributeRaw("privileges", hclwrite.TokensForTuple(toks))
		if g.grantable {
			b.SetAttributeValue("grantable", cty.True)
		}
	}
	return nil
}

// permissionTarget returns the GRANT target of a permission block (e.g.
// `TABLE "public"."t"`) and the column list, " (c)" for a column.
func permissionTarget(r *hclReader) (target, col string) {
	a, ok := r.b.Body.Attributes["for"]
	if !ok {
		r.fail("for: want the object the privileges are on")
		return "", ""
	}
	var parts []string
	if tr, ok := a.Expr.(*hclsyntax.ScopeTraversalExpr); ok {
		parts = traversalNames(tr.Traversal)
	} else {
		s, err := exprString(a.Expr, r.src)
		if err != nil {
			r.fail("for: %v", err)
			return "", ""
		}
		parts = strings.Split(s, ".")
	}
	if len(parts) < 2 {
		r.fail("for: want a reference such as table.public.t")
		return "", ""
	}
	root, rest := parts[0], parts[1:]
	if root == "schema" {
		return "SCHEMA " + QuoteIdent(rest[0]), ""
	}
	if len(rest) == 1 || len(rest) == 3 && rest[1] == "column" {
		rest = append([]string{"public"}, rest...)
	}
	q := QName{Schema: rest[0], Name: rest[1]}
	switch root {
	case "table", "view", "materialized":
		if len(rest) == 4 && rest[2] == "column" {
			col = " (" + QuoteIdent(rest[3]) + ")"
		}
		return "TABLE " + q.String(), col
	case "sequence":
		return "SEQUENCE " + q.String(), ""
	case "function", "aggregate":
		return "FUNCTION " + q.String() + "(" + r.str("args") + ")", ""
	case "procedure":
		return "PROCEDURE " + q.String() + "(" + r.str("args") + ")", ""
	case "domain", "enum", "range", "composite":
		return "TYPE " + q.String(), ""
	}
	r.fail("for: privileges on a %s are not supported", root)
	return "", ""
}

// permissionsSQL turns the permission blocks of a file into SQL: per
// object, PUBLIC's default privileges are revoked, then the blocks'
// privileges granted, so that the object ends with exactly those.
func permissionsSQL(rs []*hclReader) ([]hclItem, error) {
	type obj struct {
		pos    string
		target string
		col    string
		grants []string
	}
	var objs []*obj
	byKey := map[string]*obj{}
	for _, r := range rs {
		target, col := permissionTarget(r)
		to := strings.TrimPrefix(r.str("to"), "role.")
		if to != "PUBLIC" {
			to = QuoteIdent(to)
		}
		privs := r.strs("privileges")
		if r.err != nil {
			return nil, r.err
		}
		o, ok := byKey[target+col]
		if !ok {
			o = &obj{pos: r.pos(), target: target, col: col}
			byKey[target+col] = o
			objs = append(objs, o)
		}
		for _, p := range privs {
			s := "GRANT " + p + col + " ON " + target + " TO " + to
			if r.boolean("grantable", false) {
				s += " WITH GRANT OPTION"
			}
			o.grants = append(o.grants, s)
		}
		if r.err != nil {
			return nil, r.err
		}
	}
	// Privileges on a table first: revoking them revokes those on its
	// columns too.
	sort.SliceStable(objs, func(i, j int) bool { return objs[i].col == "" && objs[j].col != "" })
	items := make([]hclItem, len(objs))
	for i, o := range objs {
		items[i] = hclItem{pos: o.pos, stmts: append([]string{"REVOKE ALL" + o.col + " ON " + o.target + " FROM PUBLIC"}, o.grants...)}
	}
	return items, nil
}
