package schema

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"ariga.io/atlas/sql/postgres"
	atlas "ariga.io/atlas/sql/schema"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/schemactl/schemactl/internal/srcpos"
)

// hclObjects are the objects of HCL files written in the block names that
// Atlas's open-source HCL does not evaluate, as SQL to run around the
// creation of Atlas's realm.
type hclObjects struct {
	schemas map[string]bool // schemas the objects created before tables need
	before  []hclItem       // extensions, domains, composites, sequences, functions
	after   []hclItem       // views, triggers, policies, sequence owners, partitions
	perms   []*hclReader    // permission blocks, turned into SQL once all files are read
	// typmods are the column types written with a precision of 6, by
	// table (typmod.go).
	typmods map[QName]map[string]string
	// collations of columns (obj_hcl_collate.go), set on Atlas's realm
	collations map[QName]map[string]string
}

// hclItem is the SQL of one object, with where it was defined.
type hclItem struct {
	pos   string
	stmts []string
}

// objectBlocks are the block types read by this file.
var objectBlocks = map[string]bool{
	"extension": true, "domain": true, "composite": true, "sequence": true, "function": true,
	"procedure": true, "aggregate": true, "view": true, "materialized": true, "trigger": true, "policy": true,
	"range": true, "event_trigger": true, "permission": true,
	"cast": true, "rule": true, "language": true, "access_method": true, "transform": true,
	"foreign_data_wrapper": true, "server": true, "user_mapping": true, "foreign_table": true, "publication": true,
	"subscription": true,
}

// evalHCLObjects is EvalHCL for files that may hold object blocks: those
// are taken out (and references to domains and composite types in column
// types replaced by sql("...")) before Atlas evaluates the rest.
func evalHCLObjects(paths []string, vars map[string]cty.Value) (*atlas.Realm, *hclObjects, error) {
	objs := &hclObjects{schemas: map[string]bool{}, typmods: map[QName]map[string]string{}}
	p := hclparse.NewParser()
	for _, path := range paths {
		src, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, err
		}
		if err := srcpos.CheckText(path, src); err != nil {
			return nil, nil, err
		}
		clean, err := objs.split(path, src)
		if err != nil {
			return nil, nil, err
		}
		if _, diags := p.ParseHCL(clean, path); diags.HasErrors() {
			return nil, nil, hclError(diags)
		}
	}
	perms, err := permissionsSQL(objs.perms)
	if err != nil {
		return nil, nil, err
	}
	objs.after = append(objs.after, perms...)
	var r atlas.Realm
	if err := postgres.EvalHCL.Eval(p, &r, vars); err != nil {
		var diags hcl.Diagnostics
		if errors.As(err, &diags) && diags.HasErrors() {
			return nil, nil, hclError(diags)
		}
		return nil, nil, evalError(paths, err)
	}
	objs.setCollations(&r)
	return &r, objs, nil
}

// split reads the object blocks of one file and returns the file without
// them.
func (o *hclObjects) split(path string, src []byte) ([]byte, error) {
	f, diags := hclsyntax.ParseConfig(src, path, hcl.Pos{Line: 1, Column: 1})
	if diags.HasErrors() {
		return nil, hclError(diags)
	}
	body := f.Body.(*hclsyntax.Body)
	// Schemas of domains and composite types, for references without one.
	typeSchema := map[string]string{}
	for _, b := range body.Blocks {
		if (b.Type == "domain" || b.Type == "composite") && len(b.Labels) == 1 {
			r := &hclReader{src: src, b: b}
			typeSchema[b.Type+"."+b.Labels[0]] = r.schema()
		}
	}
	type edit struct {
		from, to int
		text     string
	}
	var edits []edit
	for _, b := range body.Blocks {
		if _, kind := kindBlocks[b.Type]; objectBlocks[b.Type] || kind {
			r := &hclReader{src: src, b: b}
			if err := o.read(r); err != nil {
				return nil, err
			}
			rng := b.Range()
			// Keep the newlines, so that Atlas's errors keep their lines.
			edits = append(edits, edit{rng.Start.Byte, rng.End.Byte, strings.Repeat("\n", strings.Count(string(src[rng.Start.Byte:rng.End.Byte]), "\n"))})
			continue
		}
		if b.Type != "table" {
			continue
		}
		if _, ok := b.Body.Attributes["partition_of"]; ok && len(b.Labels) == 1 {
			// A partition (obj_hcl_parts.go): created after its parent.
			r := &hclReader{src: src, b: b}
			stmts := partitionSQL(r)
			if r.err != nil {
				return nil, r.err
			}
			o.after = append(o.after, hclItem{pos: r.pos(), stmts: stmts})
			rng := b.Range()
			edits = append(edits, edit{rng.Start.Byte, rng.End.Byte, strings.Repeat("\n", strings.Count(string(src[rng.Start.Byte:rng.End.Byte]), "\n"))})
			continue
		}
		for _, rng := range o.columnCollations(src, b) {
			edits = append(edits, edit{rng.Start.Byte, rng.End.Byte, ""})
		}
		for _, c := range b.Body.Blocks {
			if c.Type != "row_security" || len(b.Labels) != 1 {
				continue
			}
			r := &hclReader{src: src, b: c}
			t := QName{Schema: (&hclReader{src: src, b: b}).schema(), Name: b.Labels[0]}
			var stmts []string
			if r.boolean("enabled", false) {
				stmts = append(stmts, "ALTER TABLE "+t.String()+" ENABLE ROW LEVEL SECURITY")
			}
			if r.boolean("enforced", false) {
				stmts = append(stmts, "ALTER TABLE "+t.String()+" FORCE ROW LEVEL SECURITY")
			}
			if r.err != nil {
				return nil, r.err
			}
			if len(stmts) > 0 {
				o.after = append(o.after, hclItem{pos: r.pos(), stmts: stmts})
			}
			rng := c.Range()
			edits = append(edits, edit{rng.Start.Byte, rng.End.Byte, strings.Repeat("\n", strings.Count(string(src[rng.Start.Byte:rng.End.Byte]), "\n"))})
		}
		// Replica identity and column details (hcl_details.go).
		if len(b.Labels) == 1 {
			tr := &hclReader{src: src, b: b}
			t := QName{Schema: tr.schema(), Name: b.Labels[0]}
			var stmts []string
			blank := func(a *hclsyntax.Attribute) {
				rng := a.SrcRange
				edits = append(edits, edit{rng.Start.Byte, rng.End.Byte, strings.Repeat("\n", strings.Count(string(src[rng.Start.Byte:rng.End.Byte]), "\n"))})
			}
			if a, ok := b.Body.Attributes["unlogged"]; ok {
				if tr.boolean("unlogged", false) {
					stmts = append(stmts, "ALTER TABLE "+t.String()+" SET UNLOGGED")
				}
				blank(a)
			}
			if a, ok := b.Body.Attributes["options"]; ok {
				if o := tr.str("options"); o != "" {
					stmts = append(stmts, "ALTER TABLE "+t.String()+" SET ("+o+")")
				}
				blank(a)
			}
			if a, ok := b.Body.Attributes["cluster_on"]; ok {
				if ix := tr.str("cluster_on"); ix != "" {
					stmts = append(stmts, "ALTER TABLE "+t.String()+" CLUSTER ON "+QuoteIdent(ix))
				}
				blank(a)
			}
			for _, c := range b.Body.Blocks {
				if a, ok := c.Body.Attributes["options"]; ok && c.Type == "index" && len(c.Labels) == 1 {
					ir := &hclReader{src: src, b: c}
					if o := ir.str("options"); o != "" {
						stmts = append(stmts, "ALTER INDEX "+QName{Schema: t.Schema, Name: c.Labels[0]}.String()+" SET ("+o+")")
					}
					if ir.err != nil {
						return nil, ir.err
					}
					blank(a)
				}
				if a, ok := c.Body.Attributes["statistics"]; ok && c.Type == "index" && len(c.Labels) == 1 {
					ir := &hclReader{src: src, b: c}
					if v := ir.str("statistics"); v != "" {
						var clauses []string
						for _, kv := range strings.Split(v, ",") {
							col, n, ok := strings.Cut(strings.TrimSpace(kv), "=")
							_, err1 := strconv.Atoi(strings.TrimSpace(col))
							_, err2 := strconv.Atoi(strings.TrimSpace(n))
							if !ok || err1 != nil || err2 != nil {
								ir.fail("statistics: want column=target, e.g. \"1=3000, 2=100\", not %q", v)
								return nil, ir.err
							}
							clauses = append(clauses, "ALTER COLUMN "+strings.TrimSpace(col)+" SET STATISTICS "+strings.TrimSpace(n))
						}
						stmts = append(stmts, "ALTER INDEX "+QName{Schema: t.Schema, Name: c.Labels[0]}.String()+" "+strings.Join(clauses, ", "))
					}
					if ir.err != nil {
						return nil, ir.err
					}
					blank(a)
				}
				if c.Type != "column" || len(c.Labels) != 1 {
					continue
				}
				cr := &hclReader{src: src, b: c}
				if a, ok := c.Body.Attributes["type"]; ok {
					rng := a.Expr.Range()
					if typ := hclTypeSQL(string(src[rng.Start.Byte:rng.End.Byte]), func() (string, error) { return exprString(a.Expr, src) }); typ != "" {
						if o.typmods[t] == nil {
							o.typmods[t] = map[string]string{}
						}
						o.typmods[t][c.Labels[0]] = typ
					}
				}
				stmts = append(stmts, columnDetailsSQL(cr, t)...)
				if cr.err != nil {
					return nil, cr.err
				}
				for _, n := range detailAttrs {
					if a, ok := c.Body.Attributes[n]; ok {
						blank(a)
					}
				}
			}
			if a, ok := b.Body.Attributes["replica_identity"]; ok {
				stmts = append(stmts, replicaIdentitySQL(tr, t)...)
				blank(a)
			}
			if tr.err != nil {
				return nil, tr.err
			}
			if len(stmts) > 0 {
				o.after = append(o.after, hclItem{pos: tr.pos(), stmts: stmts})
			}
		}
		for _, c := range b.Body.Blocks {
			a, ok := c.Body.Attributes["type"]
			if c.Type != "column" || !ok {
				continue
			}
			tr, ok := a.Expr.(*hclsyntax.ScopeTraversalExpr)
			if !ok {
				continue
			}
			names := traversalNames(tr.Traversal)
			if len(names) < 2 || names[0] != "domain" && names[0] != "composite" {
				continue
			}
			q := ""
			if len(names) == 3 {
				q = QName{Schema: names[1], Name: names[2]}.String()
			} else {
				s := typeSchema[names[0]+"."+names[1]]
				if s == "" {
					s = "public"
				}
				q = QName{Schema: s, Name: names[1]}.String()
			}
			rng := tr.Range()
			edits = append(edits, edit{rng.Start.Byte, rng.End.Byte, fmt.Sprintf("sql(%q)", q)})
		}
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].from > edits[j].from })
	out := append([]byte(nil), src...)
	for _, e := range edits {
		out = append(out[:e.from], append([]byte(e.text), out[e.to:]...)...)
	}
	return out, nil
}

// hclReader reads the attributes of one block.
type hclReader struct {
	src []byte
	b   *hclsyntax.Block
	err error
}

func (r *hclReader) pos() string {
	rng := r.b.DefRange()
	return fmt.Sprintf("%s:%d:%d", rng.Filename, rng.Start.Line, rng.Start.Column)
}

// fail records the first error of the block, placed at the block; an
// argument that is a positioned error (an expression's diagnostic) places
// the error there instead and gives only its message.
func (r *hclReader) fail(format string, args ...any) {
	if r.err != nil {
		return
	}
	pos := r.pos()
	for i, a := range args {
		if e, ok := a.(*srcpos.Error); ok {
			pos = fmt.Sprintf("%s:%d:%d", e.File, e.Line, e.Col)
			args[i] = e.Msg
		}
	}
	if r.name() == "" {
		r.err = fmt.Errorf("%s: %s: %s", pos, r.b.Type, fmt.Sprintf(format, args...))
		return
	}
	r.err = fmt.Errorf("%s: %s %q: %s", pos, r.b.Type, r.name(), fmt.Sprintf(format, args...))
}

func (r *hclReader) name() string {
	if len(r.b.Labels) > 0 {
		return r.b.Labels[0]
	}
	return ""
}

func (r *hclReader) sub(b *hclsyntax.Block) *hclReader { return &hclReader{src: r.src, b: b} }

func (r *hclReader) blocks(typ string) []*hclReader {
	var out []*hclReader
	for _, b := range r.b.Body.Blocks {
		if b.Type == typ {
			out = append(out, r.sub(b))
		}
	}
	return out
}

func (r *hclReader) has(name string) bool {
	_, ok := r.b.Body.Attributes[name]
	return ok
}

// str reads a string: a literal, a heredoc, sql("...") or a bare keyword.
func (r *hclReader) str(name string) string {
	a, ok := r.b.Body.Attributes[name]
	if !ok {
		return ""
	}
	s, err := exprString(a.Expr, r.src)
	if err != nil {
		r.fail("%s: %v", name, err)
	}
	return s
}

func (r *hclReader) strs(name string) []string {
	a, ok := r.b.Body.Attributes[name]
	if !ok {
		return nil
	}
	t, ok := a.Expr.(*hclsyntax.TupleConsExpr)
	if !ok {
		r.fail("%s: want a list", name)
		return nil
	}
	out := make([]string, len(t.Exprs))
	for i, e := range t.Exprs {
		s, err := exprString(e, r.src)
		if err != nil {
			r.fail("%s: %v", name, err)
		}
		out[i] = s
	}
	return out
}

func (r *hclReader) boolean(name string, def bool) bool {
	a, ok := r.b.Body.Attributes[name]
	if !ok {
		return def
	}
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() || v.Type() != cty.Bool {
		r.fail("%s: want true or false", name)
		return def
	}
	return v.True()
}

func (r *hclReader) number(name string, def int64) int64 {
	a, ok := r.b.Body.Attributes[name]
	if !ok {
		return def
	}
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() || v.Type() != cty.Number {
		r.fail("%s: want a number", name)
		return def
	}
	n, _ := v.AsBigFloat().Int64()
	return n
}

// ref reads a reference (schema.public, table.public.t) as its parts
// after the root; a string "a.b" is read the same way.
func (r *hclReader) ref(name string) []string {
	a, ok := r.b.Body.Attributes[name]
	if !ok {
		return nil
	}
	if tr, ok := a.Expr.(*hclsyntax.ScopeTraversalExpr); ok {
		return traversalNames(tr.Traversal)[1:]
	}
	s, err := exprString(a.Expr, r.src)
	if err != nil {
		r.fail("%s: %v", name, err)
	}
	parts := strings.Split(s, ".")
	if len(parts) > 1 && (parts[0] == "schema" || parts[0] == "table") {
		parts = parts[1:]
	}
	return parts
}

// schema returns the schema of the block (schema = schema.x), public by
// default.
func (r *hclReader) schema() string {
	if p := r.ref("schema"); len(p) > 0 {
		return p[0]
	}
	return "public"
}

// qname is the quoted, qualified name of the block.
func (r *hclReader) qname() string { return QName{Schema: r.schema(), Name: r.name()}.String() }

// table reads a table reference (on = table.t or table.s.t) as SQL.
func (r *hclReader) table(name string) (QName, []string) {
	p := r.ref(name)
	switch {
	case len(p) >= 2 && p[1] == "column":
		return QName{Schema: "public", Name: p[0]}, p[1:]
	case len(p) >= 2:
		return QName{Schema: p[0], Name: p[1]}, p[2:]
	case len(p) == 1:
		return QName{Schema: "public", Name: p[0]}, nil
	}
	r.fail("%s: want a table reference", name)
	return QName{}, nil
}

func traversalNames(t hcl.Traversal) []string {
	var out []string
	for _, s := range t {
		switch s := s.(type) {
		case hcl.TraverseRoot:
			out = append(out, s.Name)
		case hcl.TraverseAttr:
			out = append(out, s.Name)
		case hcl.TraverseIndex:
			if s.Key.Type() == cty.String {
				out = append(out, s.Key.AsString())
			}
		}
	}
	return out
}

// exprString evaluates a string-like expression without variables.
func exprString(e hclsyntax.Expression, src []byte) (string, error) {
	switch e := e.(type) {
	case *hclsyntax.FunctionCallExpr:
		if e.Name == "sql" && len(e.Args) == 1 {
			return exprString(e.Args[0], src)
		}
		return "", fmt.Errorf("unknown function %s", e.Name)
	case *hclsyntax.ScopeTraversalExpr:
		return strings.Join(traversalNames(e.Traversal), "."), nil
	}
	v, diags := e.Value(nil)
	if diags.HasErrors() {
		return "", srcpos.HCL(diags)
	}
	if v.Type() != cty.String {
		return "", fmt.Errorf("want a string")
	}
	s := v.AsString()
	rng := e.Range()
	if rng.Start.Byte < len(src) && strings.HasPrefix(string(src[rng.Start.Byte:]), "<<") {
		s = strings.TrimSuffix(s, "\n")
	}
	return s, nil
}

// read turns one object block into SQL.
func (o *hclObjects) read(r *hclReader) error {
	var before, after []string
	comment := func(what, name string, r *hclReader) []string {
		if c := r.str("comment"); c != "" {
			return []string{fmt.Sprintf("COMMENT ON %s %s IS %s", what, name, QuoteLiteral(c))}
		}
		return nil
	}
	if stmts, later, ok := readKindBlock(r); ok {
		if later {
			after = stmts
		} else {
			o.schemas[r.schema()] = true
			before = stmts
		}
	}
	switch r.b.Type {
	case "extension":
		s := "CREATE EXTENSION IF NOT EXISTS " + QuoteIdent(r.name())
		if p := r.ref("schema"); len(p) > 0 {
			s += " WITH SCHEMA " + QuoteIdent(p[0])
			o.schemas[p[0]] = true
		}
		if v := r.str("version"); v != "" {
			s += " VERSION " + QuoteLiteral(v)
		}
		before = append([]string{s}, comment("EXTENSION", QuoteIdent(r.name()), r)...)
	case "domain":
		o.schemas[r.schema()] = true
		s := "CREATE DOMAIN " + r.qname() + " AS " + r.str("type")
		if c := r.str("collate"); c != "" {
			s += " COLLATE " + c
		}
		if d := r.str("default"); d != "" {
			s += " DEFAULT " + d
		}
		if !r.boolean("null", true) {
			s += " NOT NULL"
		}
		for _, c := range r.blocks("check") {
			s += " CONSTRAINT " + QuoteIdent(c.name()) + " CHECK (" + c.str("expr") + ")"
			if c.err != nil {
				return c.err
			}
		}
		before = append([]string{s}, comment("DOMAIN", r.qname(), r)...)
	case "composite":
		o.schemas[r.schema()] = true
		var fields, comments []string
		for _, f := range r.blocks("field") {
			d := QuoteIdent(f.name()) + " " + f.str("type")
			if c := f.str("collate"); c != "" {
				d += " COLLATE " + c
			}
			fields = append(fields, d)
			comments = append(comments, comment("COLUMN", r.qname()+"."+QuoteIdent(f.name()), f)...)
			if f.err != nil {
				return f.err
			}
		}
		before = append([]string{"CREATE TYPE " + r.qname() + " AS (" + strings.Join(fields, ", ") + ")"}, comment("TYPE", r.qname(), r)...)
		before = append(before, comments...)
	case "sequence":
		o.schemas[r.schema()] = true
		typ := r.str("type")
		if typ == "" {
			typ = "bigint"
		}
		unlogged := ""
		if r.boolean("unlogged", false) {
			unlogged = "UNLOGGED "
		}
		s := fmt.Sprintf("CREATE %sSEQUENCE %s AS %s INCREMENT BY %d", unlogged, r.qname(), typ, r.number("increment", 1))
		if r.has("min_value") {
			s += fmt.Sprintf(" MINVALUE %d", r.number("min_value", 1))
		}
		if r.has("max_value") {
			s += fmt.Sprintf(" MAXVALUE %d", r.number("max_value", 1))
		}
		if r.has("start") {
			s += fmt.Sprintf(" START WITH %d", r.number("start", 1))
		}
		s += fmt.Sprintf(" CACHE %d", r.number("cache", 1))
		if r.boolean("cycle", false) {
			s += " CYCLE"
		}
		before = append([]string{s}, comment("SEQUENCE", r.qname(), r)...)
		if r.has("owner") {
			t, col := r.table("owner")
			if len(col) != 2 || col[0] != "column" {
				r.fail("owner: want table.<table>.column.<column>")
			} else {
				after = append(after, "ALTER SEQUENCE "+r.qname()+" OWNED BY "+t.String()+"."+QuoteIdent(col[1]))
			}
		}
	case "function", "procedure":
		o.schemas[r.schema()] = true
		stmts, err := functionSQL(r)
		if err != nil {
			return err
		}
		before = stmts
	case "aggregate":
		o.schemas[r.schema()] = true
		args := r.str("args")
		if args == "" {
			args = "*"
		}
		q := r.qname() + "(" + args + ")"
		before = append([]string{"CREATE AGGREGATE " + q + " (\n    " + strings.Join(r.strs("options"), ",\n    ") + "\n)"},
			comment("AGGREGATE", q, r)...)
	case "range":
		o.schemas[r.schema()] = true
		before = rangeSQL(r)
	case "event_trigger":
		after = eventTriggerSQL(r)
	case "permission":
		o.perms = append(o.perms, r)
		return nil
	case "view", "materialized":
		after = viewSQL(r)
	case "trigger":
		after = triggerSQL(r)
	case "cast", "rule", "language", "access_method", "transform",
		"foreign_data_wrapper", "server", "user_mapping", "foreign_table", "publication", "subscription":
		stmts, early := moreSQL(r)
		if early {
			before = stmts
		} else {
			after = stmts
		}
	case "policy":
		t, _ := r.table("on")
		s := "CREATE POLICY " + QuoteIdent(r.name()) + " ON " + t.String()
		if as := r.str("as"); as != "" {
			s += " AS " + as
		}
		if f := r.str("for"); f != "" {
			s += " FOR " + f
		}
		if to := r.strs("to"); len(to) > 0 {
			s += " TO " + strings.Join(to, ", ")
		}
		if u := r.str("using"); u != "" {
			s += " USING (" + u + ")"
		}
		if c := r.str("check"); c != "" {
			s += " WITH CHECK (" + c + ")"
		}
		after = append([]string{s}, comment("POLICY", QuoteIdent(r.name())+" ON "+t.String(), r)...)
	}
	if r.err != nil {
		return r.err
	}
	if len(before) > 0 {
		o.before = append(o.before, hclItem{pos: r.pos(), stmts: before})
	}
	if len(after) > 0 {
		o.after = append(o.after, hclItem{pos: r.pos(), stmts: after})
	}
	return nil
}

// dollarQuote quotes a function body with a tag it does not contain.
func dollarQuote(body string) string {
	tag := "$function$"
	for i := 0; strings.Contains(body, tag); i++ {
		tag = fmt.Sprintf("$function%d$", i)
	}
	return tag + body + tag
}

func functionSQL(r *hclReader) ([]string, error) {
	var args, identity []string
	for _, a := range r.blocks("arg") {
		mode := a.str("mode")
		d := ""
		if mode != "" && mode != "IN" {
			d = mode + " "
		}
		if a.name() != "" {
			d += QuoteIdent(a.name()) + " "
		}
		d += a.str("type")
		if def := a.str("default"); def != "" {
			d += " DEFAULT " + def
		}
		if a.err != nil {
			return nil, a.err
		}
		args = append(args, d)
		if mode != "OUT" {
			identity = append(identity, a.str("type"))
		}
	}
	word := "FUNCTION"
	if r.b.Type == "procedure" {
		word = "PROCEDURE"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE %s %s(%s)", word, r.qname(), strings.Join(args, ", "))
	if ret := r.str("return"); ret != "" {
		b.WriteString("\n RETURNS " + ret)
	}
	lang := r.str("lang")
	if lang == "" {
		lang = "sql"
	}
	b.WriteString("\n LANGUAGE " + lang)
	if r.boolean("window", false) {
		b.WriteString("\n WINDOW")
	}
	for _, opt := range r.strs("options") {
		b.WriteString("\n " + opt)
	}
	for _, s := range r.strs("set") {
		b.WriteString("\n SET " + s)
	}
	body := r.str("as")
	if r.boolean("raw_body", false) {
		b.WriteString("\n" + body)
	} else {
		b.WriteString("\nAS " + dollarQuote(body))
	}
	stmts := []string{b.String()}
	if c := r.str("comment"); c != "" {
		stmts = append(stmts, fmt.Sprintf("COMMENT ON %s %s(%s) IS %s", word, r.qname(), strings.Join(identity, ", "), QuoteLiteral(c)))
	}
	return stmts, r.err
}

func viewSQL(r *hclReader) []string {
	word := "VIEW"
	if r.b.Type == "materialized" {
		word = "MATERIALIZED VIEW"
	}
	s := "CREATE " + word + " " + r.qname()
	if u := r.str("using"); u != "" {
		s += " USING " + QuoteIdent(u)
	}
	opts := r.strs("options")
	if c := r.str("check_option"); c != "" {
		opts = append(opts, "check_option="+strings.ToLower(c))
	}
	if len(opts) > 0 {
		s += " WITH (" + strings.Join(opts, ", ") + ")"
	}
	s += " AS\n" + r.str("as")
	if r.b.Type == "materialized" && !r.boolean("with_data", true) {
		s += "\nWITH NO DATA"
	}
	stmts := []string{s}
	if c := r.str("comment"); c != "" {
		stmts = append(stmts, fmt.Sprintf("COMMENT ON %s %s IS %s", word, r.qname(), QuoteLiteral(c)))
	}
	for _, c := range r.blocks("column") {
		if cm := c.str("comment"); cm != "" {
			stmts = append(stmts, fmt.Sprintf("COMMENT ON COLUMN %s.%s IS %s", r.qname(), QuoteIdent(c.name()), QuoteLiteral(cm)))
		}
		if d := c.str("default"); d != "" {
			stmts = append(stmts, fmt.Sprintf("ALTER %s %s ALTER COLUMN %s SET DEFAULT %s", word, r.qname(), QuoteIdent(c.name()), d))
		}
	}
	for _, ix := range r.blocks("index") {
		stmts = append(stmts, ix.str("def"))
		if cm := ix.str("comment"); cm != "" {
			stmts = append(stmts, fmt.Sprintf("COMMENT ON INDEX %s IS %s", QName{Schema: r.schema(), Name: ix.name()}, QuoteLiteral(cm)))
		}
	}
	return stmts
}

func triggerSQL(r *hclReader) []string {
	t, _ := r.table("on")
	var b strings.Builder
	b.WriteString("CREATE ")
	if r.boolean("constraint", false) {
		b.WriteString("CONSTRAINT ")
	}
	b.WriteString("TRIGGER " + QuoteIdent(r.name()) + " ")
	for _, when := range []struct{ block, sql string }{{"before", "BEFORE"}, {"after", "AFTER"}, {"instead_of", "INSTEAD OF"}} {
		for _, e := range r.blocks(when.block) {
			var evs []string
			if e.boolean("insert", false) {
				evs = append(evs, "INSERT")
			}
			if e.boolean("delete", false) {
				evs = append(evs, "DELETE")
			}
			if e.boolean("update", false) {
				evs = append(evs, "UPDATE")
			}
			if cols := e.strs("update_of"); len(cols) > 0 {
				for i, c := range cols {
					cols[i] = QuoteIdent(c)
				}
				evs = append(evs, "UPDATE OF "+strings.Join(cols, ", "))
			}
			if e.boolean("truncate", false) {
				evs = append(evs, "TRUNCATE")
			}
			b.WriteString(when.sql + " " + strings.Join(evs, " OR "))
		}
	}
	b.WriteString(" ON " + t.String())
	if f := r.str("from"); f != "" {
		b.WriteString(" FROM " + f)
	}
	if r.boolean("deferrable", false) {
		b.WriteString(" DEFERRABLE")
		if r.boolean("initially_deferred", false) {
			b.WriteString(" INITIALLY DEFERRED")
		}
	}
	for _, ref := range r.blocks("referencing") {
		b.WriteString(" REFERENCING")
		if o := ref.str("old_table"); o != "" {
			b.WriteString(" OLD TABLE AS " + QuoteIdent(o))
		}
		if n := ref.str("new_table"); n != "" {
			b.WriteString(" NEW TABLE AS " + QuoteIdent(n))
		}
	}
	forEach := r.str("for")
	if forEach == "" {
		forEach = "STATEMENT"
	}
	b.WriteString(" FOR EACH " + forEach)
	if w := r.str("when"); w != "" {
		if !strings.HasPrefix(w, "(") {
			w = "(" + w + ")"
		}
		b.WriteString(" WHEN " + w)
	}
	for _, e := range r.blocks("execute") {
		args := e.strs("args")
		for i, a := range args {
			args[i] = QuoteLiteral(a)
		}
		b.WriteString(" EXECUTE FUNCTION " + e.str("function") + "(" + strings.Join(args, ", ") + ")")
	}
	stmts := []string{b.String()}
	if en := r.str("enabled"); en != "" && en != "O" {
		what := map[string]string{"D": "DISABLE", "R": "ENABLE REPLICA", "A": "ENABLE ALWAYS"}[en]
		if what == "" {
			r.fail("enabled: want D, R or A")
		}
		stmts = append(stmts, "ALTER TABLE "+t.String()+" "+what+" TRIGGER "+QuoteIdent(r.name()))
	}
	if c := r.str("comment"); c != "" {
		stmts = append(stmts, fmt.Sprintf("COMMENT ON TRIGGER %s ON %s IS %s", QuoteIdent(r.name()), t, QuoteLiteral(c)))
	}
	return stmts
}

// runBefore creates the schemas the objects need and the objects that
// tables may use; it returns those that could not be created yet (a
// function whose body reads a table).
func (o *hclObjects) runBefore(ctx context.Context, db *sql.DB) ([]hclItem, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	for _, s := range sortedSet(o.schemas) {
		if _, err := conn.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+QuoteIdent(s)); err != nil {
			return nil, fmt.Errorf("create schema %s: %w", s, err)
		}
	}
	left, _ := runItems(ctx, conn, o.before)
	return left, nil
}

// runAfter creates the objects that need the tables, and those left over
// from runBefore.
func (o *hclObjects) runAfter(ctx context.Context, db *sql.DB, left []hclItem) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = runItems(ctx, conn, append(left, o.after...))
	return err
}

// runItems creates items in passes until none is left or a pass creates
// none: objects may depend on each other in any order in the files.
func runItems(ctx context.Context, conn *sql.Conn, items []hclItem) ([]hclItem, error) {
	if _, err := conn.ExecContext(ctx, "SET check_function_bodies = false"); err != nil {
		return items, err
	}
	for len(items) > 0 {
		var left []hclItem
		var firstErr error
		for _, it := range items {
			if err := runItem(ctx, conn, it); err != nil {
				if firstErr == nil {
					firstErr = err
				}
				left = append(left, it)
			}
		}
		if len(left) == len(items) {
			return left, firstErr
		}
		items = left
	}
	return nil, nil
}

// runItem runs the statements of one item in a transaction.
func runItem(ctx context.Context, conn *sql.Conn, it hclItem) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	for _, s := range it.stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			tx.Rollback()
			return fmt.Errorf("%s: %s: %w", it.pos, firstLine(s), err)
		}
	}
	return tx.Commit()
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " ..."
	}
	return s
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
