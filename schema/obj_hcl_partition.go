package schema

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// This file writes and reads the HCL of partitions.
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
	if t.Persistence == 'u' {
		b.SetAttributeValue("unlogged", cty.True)
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
		if !setNull && !setDefault && c.Comment == "" && !hasColumnDetails(c, pc) {
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
		writeColumnDetails(cb, c, pc)
		setComment(cb, c.Comment)
	}
	writeReplicaIdentity(b, t)
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
	create := "CREATE TABLE "
	if r.boolean("unlogged", false) {
		create = "CREATE UNLOGGED TABLE "
	}
	s := create + q.String() + " PARTITION OF " + parent.String()
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
	var clauses, comments, details []string
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
		details = append(details, columnDetailsSQL(c, q)...)
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
	stmts = append(stmts, details...)
	stmts = append(stmts, replicaIdentitySQL(r, q)...)
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
