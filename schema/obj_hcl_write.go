package schema

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// MarshalObjectsHCL writes, in the block names of Atlas's schema language
// (extension, domain, composite, range, sequence, function, procedure,
// aggregate, view, materialized, trigger, event_trigger, policy,
// permission, table blocks with partition_of for partitions, and the
// blocks of obj_hcl_kinds.go: collation, text_search_*, conversion,
// operator, operator_family, operator_class, statistics), the
// objects of st that Atlas's open-source HCL leaves out. The result is meant to follow Atlas's own
// HCL of the realm; LoadSource reads both back.
func MarshalObjectsHCL(st *State) ([]byte, error) {
	f := hclwrite.NewEmptyFile()
	body := f.Body()
	var objs []PgObject
	if st.Realm != nil {
		objs = Objects(st.Realm)
	}
	byKind := func(k PgKind) []PgObject {
		var out []PgObject
		for _, o := range objs {
			if o.Ref().Kind == k {
				out = append(out, o)
			}
		}
		return out
	}
	for _, o := range byKind(PgKindExtension) {
		x := o.(*PgExtension)
		b := newBlock(body, "extension", x.ID.Name)
		setRef(b, "schema", "schema", unquoteIdent(x.SchemaName))
		setString(b, "version", x.Version)
		setComment(b, x.Comment)
	}
	if st.Catalog != nil {
		for _, d := range st.Catalog.Domains {
			writeDomain(body, d)
		}
	}
	for _, o := range byKind(PgKindDomain) {
		writePgDomain(body, o.(*PgDomain))
	}
	for _, o := range byKind(PgKindComposite) {
		c := o.(*PgComposite)
		b := newBlock(body, "composite", c.ID.Name)
		setRef(b, "schema", "schema", c.ID.Schema)
		for _, a := range c.Attributes {
			fb := newBlock(b, "field", unquoteIdent(a.Name))
			setSQL(fb, "type", a.Type)
			if a.Collation != "" {
				setString(fb, "collate", a.Collation)
			}
			setComment(fb, a.Comment)
		}
		setComment(b, c.Comment)
	}
	for _, o := range byKind(PgKindRange) {
		writeRange(body, o.(*PgRange))
	}
	if st.Catalog != nil {
		for _, s := range st.Catalog.Sequences {
			b := newBlock(body, "sequence", s.Name)
			setRef(b, "schema", "schema", s.Schema)
			writeSeqOptions(b, s.Type, s.Start, s.Increment, s.Min, s.Max, s.Cache, s.Cycle)
			if s.OwnedBy != nil {
				setRef(b, "owner", "table", s.OwnedBy.Table.Schema, s.OwnedBy.Table.Name, "column", s.OwnedBy.Column)
			}
			if s.Unlogged {
				b.SetAttributeValue("unlogged", cty.True)
			}
			setComment(b, s.Comment)
		}
	}
	for _, o := range byKind(PgKindSequence) {
		s := o.(*PgSequence)
		b := newBlock(body, "sequence", s.ID.Name)
		setRef(b, "schema", "schema", s.ID.Schema)
		writeSeqOptions(b, s.Type, s.Start, s.Increment, s.Min, s.Max, s.Cache, s.Cycle)
		if s.OwnedBy != nil {
			setRef(b, "owner", "table", s.OwnedBy.Schema, s.OwnedBy.Name, "column", s.OwnedBy.Sub)
		}
		setComment(b, s.Comment)
	}
	for _, k := range []PgKind{PgKindFunction, PgKindProcedure} {
		for _, o := range byKind(k) {
			if err := writeFunction(body, o.(*PgFunction)); err != nil {
				return nil, err
			}
		}
	}
	for _, o := range byKind(PgKindAggregate) {
		writeAggregate(body, o.(*PgFunction))
	}
	for _, k := range []PgKind{PgKindView, PgKindMatView} {
		for _, o := range byKind(k) {
			writeView(body, o.(*PgView))
		}
	}
	for _, o := range byKind(PgKindTrigger) {
		writeTrigger(body, o.(*PgTrigger))
	}
	for _, o := range byKind(PgKindEventTrigger) {
		writeEventTrigger(body, o.(*PgEventTrigger))
	}
	if st.Catalog != nil {
		rls := map[QName]*PgRowSecurity{}
		for _, o := range byKind(PgKindRowSecurity) {
			r := o.(*PgRowSecurity)
			rls[QName{Schema: r.ID.Schema, Name: r.ID.Name}] = r
		}
		for _, t := range st.Catalog.Partitions() {
			if parent, ok := st.Catalog.Table(*t.Parent); ok {
				writePartition(body, t, parent, rls[t.QName])
			}
		}
	}
	for _, o := range byKind(PgKindPolicy) {
		p := o.(*PgPolicy)
		b := newBlock(body, "policy", p.ID.Sub)
		setRef(b, "on", "table", p.ID.Schema, p.ID.Name)
		if p.Permissive {
			setIdent(b, "as", "PERMISSIVE")
		} else {
			setIdent(b, "as", "RESTRICTIVE")
		}
		setIdent(b, "for", p.Command)
		roles := make([]cty.Value, len(p.Roles))
		for i, r := range p.Roles {
			roles[i] = cty.StringVal(r)
		}
		b.SetAttributeValue("to", cty.ListVal(roles))
		if p.Using != "" {
			setString(b, "using", p.Using)
		}
		if p.WithCheck != "" {
			setString(b, "check", p.WithCheck)
		}
		setComment(b, p.Comment)
	}
	writeKindBlocks(body, objs)
	writeMoreObjects(body, objs)
	for _, o := range byKind(PgKindPrivileges) {
		if err := writePermissions(body, o.(*PgPrivileges)); err != nil {
			return nil, err
		}
	}
	return f.Bytes(), nil
}

// AddObjectsHCL completes Atlas's HCL of st's realm: row_security blocks
// go into the table blocks of tables with row level security, replica
// identity and column details (hcl_details.go) into the table and column
// blocks, and the blocks of MarshalObjectsHCL follow.
func AddObjectsHCL(atlasHCL []byte, st *State) ([]byte, error) {
	f, diags := hclwrite.ParseConfig(atlasHCL, "atlas.hcl", hcl.Pos{Line: 1, Column: 1})
	if diags.HasErrors() {
		return nil, diags
	}
	rls := map[QName]*PgRowSecurity{}
	if st.Realm != nil {
		for _, o := range Objects(st.Realm) {
			if r, ok := o.(*PgRowSecurity); ok {
				rls[QName{Schema: r.ID.Schema, Name: r.ID.Name}] = r
			}
		}
	}
	for _, b := range f.Body().Blocks() {
		if b.Type() != "table" || len(b.Labels()) != 1 {
			continue
		}
		schemaName := "public"
		if a := b.Body().GetAttribute("schema"); a != nil {
			toks := strings.Split(strings.TrimSpace(string(a.Expr().BuildTokens(nil).Bytes())), ".")
			schemaName = strings.Trim(toks[len(toks)-1], `"`)
		}
		if st.Catalog != nil {
			if t, ok := st.Catalog.Table(QName{Schema: schemaName, Name: b.Labels()[0]}); ok {
				writeTableDetails(b.Body(), t)
			}
		}
		writeColumnCollations(b, QName{Schema: schemaName, Name: b.Labels()[0]}, st)
		r, ok := rls[QName{Schema: schemaName, Name: b.Labels()[0]}]
		if !ok {
			continue
		}
		rb := b.Body().AppendNewBlock("row_security", nil).Body()
		rb.SetAttributeValue("enabled", cty.BoolVal(r.Enabled))
		if r.Forced {
			rb.SetAttributeValue("enforced", cty.True)
		}
		delete(rls, QName{Schema: schemaName, Name: b.Labels()[0]})
	}
	objs, err := MarshalObjectsHCL(st)
	if err != nil {
		return nil, err
	}
	return append(f.Bytes(), objs...), nil
}

// NotInHCL lists the objects of st that MarshalObjectsHCL cannot write:
// default privileges, partitions whose parent is out of scope, and table
// inheritance (the child is written as a table of its own).
func NotInHCL(st *State) []string {
	var out []string
	if st == nil || st.Realm == nil {
		return nil
	}
	if st.Catalog != nil {
		for _, t := range st.Catalog.Tables {
			if len(t.Inherits) > 0 {
				out = append(out, fmt.Sprintf("inheritance of table %s%s (written as a table of its own)", t.QName, t.inheritsDef()))
			}
		}
		for _, t := range st.Catalog.Partitions() {
			if _, ok := st.Catalog.Table(*t.Parent); !ok {
				out = append(out, fmt.Sprintf("partition %s (its parent %s is out of scope)", t.QName, t.Parent))
			}
		}
	}
	for _, o := range Objects(st.Realm) {
		if left, ok := moreNotInHCL(o); ok {
			if left != "" {
				out = append(out, left)
			}
			continue
		}
		switch o.Ref().Kind {
		case PgKindExtension, PgKindDomain, PgKindComposite, PgKindSequence, PgKindFunction, PgKindProcedure, PgKindAggregate,
			PgKindView, PgKindMatView, PgKindTrigger, PgKindPolicy, PgKindRowSecurity,
			PgKindRange, PgKindEventTrigger, PgKindPrivileges:
		case PgKindCollation, PgKindStatistics, PgKindTSConfig, PgKindTSDict, PgKindTSParser, PgKindTSTemplate,
			PgKindConversion, PgKindOperator, PgKindOpFamily, PgKindOpClass, PgKindBaseType:
		default:
			out = append(out, o.Ref().String())
		}
	}
	return out
}

func newBlock(body *hclwrite.Body, typ, name string) *hclwrite.Body {
	body.AppendNewline()
	return body.AppendNewBlock(typ, []string{name}).Body()
}

func newPlainBlock(body *hclwrite.Body, typ string) *hclwrite.Body {
	return body.AppendNewBlock(typ, nil).Body()
}

func setString(b *hclwrite.Body, name, v string) { b.SetAttributeValue(name, cty.StringVal(v)) }

func setComment(b *hclwrite.Body, c string) {
	if c != "" {
		setString(b, "comment", c)
	}
}

// setRef writes a reference such as schema.public or table.public.t.
func setRef(b *hclwrite.Body, name string, parts ...string) {
	if validTraversal(parts) {
		b.SetAttributeTraversal(name, traversal(parts...))
		return
	}
	// Names that are not HCL identifiers are written as strings.
	setString(b, name, strings.Join(parts, "."))
}

func validTraversal(parts []string) bool {
	for _, p := range parts {
		if !hclIdent(p) {
			return false
		}
	}
	return true
}

func hclIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && (r >= '0' && r <= '9' || r == '-')) {
			return false
		}
	}
	return true
}

// setIdent writes a bare keyword such as ROW or IMMUTABLE.
func setIdent(b *hclwrite.Body, name, v string) {
	b.SetAttributeRaw(name, hclwrite.TokensForIdentifier(v))
}

// setSQL writes sql("...").
func setSQL(b *hclwrite.Body, name, v string) {
	b.SetAttributeRaw(name, hclwrite.TokensForFunctionCall("sql", hclwrite.TokensForValue(cty.StringVal(v))))
}

// setText writes a multi-line text as a heredoc when it can be one.
func setText(b *hclwrite.Body, name, v string) {
	if strings.Contains(v, "${") || strings.Contains(v, "%{") || strings.Contains("\n"+v+"\n", "\nSQL\n") || strings.HasSuffix(v, "\n") {
		setString(b, name, v)
		return
	}
	b.SetAttributeRaw(name, hclwrite.Tokens{
		{Type: hclsyntax.TokenOHeredoc, Bytes: []byte("<<SQL\n")},
		{Type: hclsyntax.TokenStringLit, Bytes: []byte(v + "\n")},
		{Type: hclsyntax.TokenCHeredoc, Bytes: []byte("SQL")},
	})
}

func writeSeqOptions(b *hclwrite.Body, typ string, start, inc, min, max, cache int64, cycle bool) {
	setSQL(b, "type", typ)
	b.SetAttributeValue("start", cty.NumberIntVal(start))
	b.SetAttributeValue("increment", cty.NumberIntVal(inc))
	b.SetAttributeValue("min_value", cty.NumberIntVal(min))
	b.SetAttributeValue("max_value", cty.NumberIntVal(max))
	b.SetAttributeValue("cache", cty.NumberIntVal(cache))
	b.SetAttributeValue("cycle", cty.BoolVal(cycle))
}

func writeDomain(body *hclwrite.Body, d *Domain) {
	b := newBlock(body, "domain", d.Name)
	setRef(b, "schema", "schema", d.Schema)
	setSQL(b, "type", d.BaseType)
	b.SetAttributeValue("null", cty.BoolVal(!d.NotNull))
	if d.Default != "" {
		setSQL(b, "default", d.Default)
	}
	if d.Collation != "" {
		setString(b, "collate", d.Collation)
	}
	for _, c := range d.Constraints {
		cb := newBlock(b, "check", c.Name)
		setString(cb, "expr", strings.TrimPrefix(c.Def, "CHECK "))
	}
	setComment(b, d.Comment)
}

func writePgDomain(body *hclwrite.Body, d *PgDomain) {
	b := newBlock(body, "domain", d.ID.Name)
	setRef(b, "schema", "schema", d.ID.Schema)
	setSQL(b, "type", d.BaseType)
	b.SetAttributeValue("null", cty.BoolVal(!d.NotNull))
	if d.Default != "" {
		setSQL(b, "default", d.Default)
	}
	if d.Collation != "" {
		setString(b, "collate", d.Collation)
	}
	for _, c := range d.Checks {
		cb := newBlock(b, "check", unquoteIdent(c.Name))
		setString(cb, "expr", strings.TrimPrefix(c.Def, "CHECK "))
	}
	setComment(b, d.Comment)
}

// funcHeader is what pg_get_functiondef prints between the signature and
// the body.
type funcHeader struct {
	attrs  []string // IMMUTABLE, STRICT, COST 5, ...
	set    []string // search_path TO 'public'
	window bool
	body   string // AS $x$...$x$, BEGIN ATOMIC ... END, RETURN ...
}

func parseFuncDef(def string) funcHeader {
	var h funcHeader
	lines := strings.Split(strings.TrimRight(def, "\n"), "\n")
	for i := 1; i < len(lines); i++ {
		l := lines[i]
		switch {
		case strings.HasPrefix(l, " RETURNS "), strings.HasPrefix(l, " LANGUAGE "):
		case strings.HasPrefix(l, " SET "):
			h.set = append(h.set, strings.TrimPrefix(l, " SET "))
		case strings.HasPrefix(l, " WINDOW"):
			h.window = true
		case strings.HasPrefix(l, " "):
			h.attrs = append(h.attrs, strings.TrimSpace(l))
		default:
			h.body = strings.Join(lines[i:], "\n")
			return h
		}
	}
	return h
}

// dollarBody returns the text between the dollar quotes of an AS clause.
func dollarBody(body string) (string, bool) {
	if !strings.HasPrefix(body, "AS $") {
		return "", false
	}
	rest := body[3:]
	end := strings.Index(rest[1:], "$")
	if end < 0 {
		return "", false
	}
	tag := rest[:end+2]
	if !strings.HasSuffix(rest, tag) || len(rest) < 2*len(tag) {
		return "", false
	}
	return rest[len(tag) : len(rest)-len(tag)], true
}

func writeFunction(body *hclwrite.Body, f *PgFunction) error {
	typ := "function"
	if f.Kind == 'p' {
		typ = "procedure"
	}
	b := newBlock(body, typ, f.Name)
	setRef(b, "schema", "schema", f.ID.Schema)
	setString(b, "lang", f.Language)
	for _, a := range f.ArgList {
		ab := newBlock(b, "arg", a.Name)
		setSQL(ab, "type", a.Type)
		if m := map[string]string{"o": "OUT", "b": "INOUT", "v": "VARIADIC"}[a.Mode]; m != "" {
			setIdent(ab, "mode", m)
		}
		if a.Default != "" {
			setSQL(ab, "default", a.Default)
		}
	}
	if f.Result != "" {
		setSQL(b, "return", f.Result)
	}
	h := parseFuncDef(f.Def)
	if len(h.attrs) > 0 {
		vals := make([]cty.Value, len(h.attrs))
		for i, a := range h.attrs {
			vals[i] = cty.StringVal(a)
		}
		b.SetAttributeValue("options", cty.ListVal(vals))
	}
	if h.window {
		b.SetAttributeValue("window", cty.True)
	}
	if len(h.set) > 0 {
		vals := make([]cty.Value, len(h.set))
		for i, s := range h.set {
			vals[i] = cty.StringVal(s)
		}
		b.SetAttributeValue("set", cty.ListVal(vals))
	}
	if src, ok := dollarBody(h.body); ok {
		setText(b, "as", src)
	} else if h.body != "" {
		// SQL-standard bodies (BEGIN ATOMIC, RETURN) and C functions.
		setText(b, "as", h.body)
		b.SetAttributeValue("raw_body", cty.True)
	} else {
		return fmt.Errorf("function %s: no body in its definition", f.SQLName)
	}
	setComment(b, f.Comment)
	return nil
}

func writeView(body *hclwrite.Body, v *PgView) {
	typ := "view"
	if v.Materialized {
		typ = "materialized"
	}
	b := newBlock(body, typ, v.ID.Name)
	setRef(b, "schema", "schema", v.ID.Schema)
	setText(b, "as", strings.TrimRight(strings.TrimSpace(v.Def), ";"))
	if v.CheckOption != "" {
		setIdent(b, "check_option", v.CheckOption)
	}
	if len(v.Options) > 0 {
		vals := make([]cty.Value, len(v.Options))
		for i, o := range v.Options {
			vals[i] = cty.StringVal(o)
		}
		b.SetAttributeValue("options", cty.ListVal(vals))
	}
	if v.Materialized && !v.WithData {
		b.SetAttributeValue("with_data", cty.False)
	}
	if v.AccessMethod != "" {
		setString(b, "using", v.AccessMethod)
	}
	for _, c := range v.Columns {
		if c.Comment != "" || c.Default != "" {
			cb := newBlock(b, "column", c.Name)
			if c.Default != "" {
				setText(cb, "default", c.Default)
			}
			setComment(cb, c.Comment)
		}
	}
	for _, ix := range v.Indexes {
		ib := newBlock(b, "index", ix.Name)
		setString(ib, "def", ix.Def)
		setComment(ib, ix.Comment)
	}
	setComment(b, v.Comment)
}

func writeTrigger(body *hclwrite.Body, t *PgTrigger) {
	b := newBlock(body, "trigger", t.ID.Sub)
	switch {
	case t.Type&(1<<6) != 0:
		writeTriggerEvents(newPlainBlock(b, "instead_of"), t)
	case t.Type&(1<<1) != 0:
		writeTriggerEvents(newPlainBlock(b, "before"), t)
	default:
		writeTriggerEvents(newPlainBlock(b, "after"), t)
	}
	setRef(b, "on", "table", t.ID.Schema, t.ID.Name)
	if t.Type&1 != 0 {
		setIdent(b, "for", "ROW")
	} else {
		setIdent(b, "for", "STATEMENT")
	}
	if i := strings.Index(t.Def, " WHEN ("); i >= 0 {
		if j := strings.LastIndex(t.Def, " EXECUTE FUNCTION "); j > i {
			setString(b, "when", t.Def[i+len(" WHEN "):j])
		}
	}
	if t.OldTable != "" || t.NewTable != "" {
		rb := newPlainBlock(b, "referencing")
		if t.OldTable != "" {
			setString(rb, "old_table", t.OldTable)
		}
		if t.NewTable != "" {
			setString(rb, "new_table", t.NewTable)
		}
	}
	if t.Constraint {
		b.SetAttributeValue("constraint", cty.True)
		if t.From != "" {
			setString(b, "from", t.From)
		}
		if t.Deferrable {
			b.SetAttributeValue("deferrable", cty.True)
		}
		if t.InitiallyDeferred {
			b.SetAttributeValue("initially_deferred", cty.True)
		}
	}
	eb := newPlainBlock(b, "execute")
	setString(eb, "function", t.Function)
	if len(t.Args) > 0 {
		vals := make([]cty.Value, len(t.Args))
		for i, a := range t.Args {
			vals[i] = cty.StringVal(a)
		}
		eb.SetAttributeValue("args", cty.ListVal(vals))
	}
	if t.Enabled != 'O' {
		setString(b, "enabled", string(t.Enabled))
	}
	setComment(b, t.Comment)
}

func writeTriggerEvents(b *hclwrite.Body, t *PgTrigger) {
	if t.Type&(1<<2) != 0 {
		b.SetAttributeValue("insert", cty.True)
	}
	if t.Type&(1<<4) != 0 {
		if len(t.UpdateOf) > 0 {
			vals := make([]cty.Value, len(t.UpdateOf))
			for i, c := range t.UpdateOf {
				vals[i] = cty.StringVal(c)
			}
			b.SetAttributeValue("update_of", cty.ListVal(vals))
		} else {
			b.SetAttributeValue("update", cty.True)
		}
	}
	if t.Type&(1<<3) != 0 {
		b.SetAttributeValue("delete", cty.True)
	}
	if t.Type&(1<<5) != 0 {
		b.SetAttributeValue("truncate", cty.True)
	}
}

// writeAggregate writes an aggregate with its arguments as SQL and the
// options of its CREATE AGGREGATE statement.
func writeAggregate(body *hclwrite.Body, f *PgFunction) {
	b := newBlock(body, "aggregate", f.Name)
	setRef(b, "schema", "schema", f.ID.Schema)
	setSQL(b, "args", f.Args)
	def := strings.TrimSuffix(f.Def, "\n)")
	if i := strings.Index(def, ") (\n    "); i >= 0 {
		opts := strings.Split(def[i+len(") (\n    "):], ",\n    ")
		vals := make([]cty.Value, len(opts))
		for i, o := range opts {
			vals[i] = cty.StringVal(o)
		}
		b.SetAttributeValue("options", cty.ListVal(vals))
	}
	setComment(b, f.Comment)
}
