package schema

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// This file writes and reads the HCL of range types, event triggers and
// privileges (partitions: obj_hcl_partition.go):
//
//	range "floatrange" { schema = schema.public; subtype = sql("double precision"); subtype_diff = "float8mi" }
//	event_trigger "no_drops" { on = sql_drop; tags = ["DROP TABLE"]; execute = function.public.f }
//	permission { for = table.public.t; to = PUBLIC; privileges = [SELECT, UPDATE]; grantable = true }

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
