package schema

import (
	"sort"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// This file writes and reads the HCL blocks of collations, text search
// objects, operators, operator classes and families, conversions and
// extended statistics. Each kind lists its attributes (hclFields); the
// same list writes the block and reads it back, and the kind's CreateSQL
// turns what was read into SQL:
//
//	collation "ci" { schema = schema.public; provider = icu; locale = "und-u-ks-level2"; deterministic = false }
//	statistics "st_ab" { schema = schema.public; on = table.public.t; columns = "a, b"; kinds = ["ndistinct"] }

// kindField is one attribute of a block: exactly one of s, ss, b, n, m, tbl is
// set.
type kindField struct {
	name  string
	s     *string
	ss    *[]string
	b     *bool
	n     *int64
	m     *map[string][]string
	def   bool   // the default of b, not written
	ndef  int64  // the default of n, not written
	ident bool   // s is written as a bare keyword (provider = icu)
	sql   bool   // s is written as sql("...")
	tbl   *QName // a table, written as table.<schema>.<name>
}

// hclKinded is a kind written by writeKindBlock and read by readKindBlock.
type hclKinded interface {
	PgObject
	headed
	// hclType is the block type, e.g. "collation".
	hclType() string
	// hclFields lists the attributes of the block, pointing into the object.
	hclFields() []kindField
	// setName names the object from the block's schema and label.
	setName(schemaName, label string)
	// CreateSQL returns the statements creating the object.
	CreateSQL() []string
}

// hclLabeled is implemented by kinds whose block label is not their
// reference's name (operators: the symbol without the argument types).
type hclLabeled interface{ hclLabel() string }

// kindBlocks makes an empty object for each block type of this file;
// after lists those created once the tables exist.
var kindBlocks = map[string]struct {
	make  func() hclKinded
	after bool
}{
	"collation":                 {make: func() hclKinded { return &PgCollation{} }},
	"statistics":                {make: func() hclKinded { return &PgStatistics{} }, after: true},
	"text_search_configuration": {make: func() hclKinded { return &PgTSConfig{} }},
	"text_search_dictionary":    {make: func() hclKinded { return &PgTSDict{} }},
	"text_search_parser":        {make: func() hclKinded { return &PgTSParser{} }},
	"text_search_template":      {make: func() hclKinded { return &PgTSTemplate{} }},
	"conversion":                {make: func() hclKinded { return &PgConversion{} }},
	"operator":                  {make: func() hclKinded { return &PgOperator{} }},
	"operator_family":           {make: func() hclKinded { return &PgOpFamily{} }},
	"operator_class":            {make: func() hclKinded { return &PgOpClass{} }},
	"base_type":                 {make: func() hclKinded { return &PgBaseType{} }},
}

// kindBlockOrder is the order in which the blocks are written.
var kindBlockOrder = []PgKind{
	PgKindCollation, PgKindBaseType, PgKindTSParser, PgKindTSTemplate, PgKindTSDict, PgKindTSConfig, PgKindConversion,
	PgKindOperator, PgKindOpFamily, PgKindOpClass, PgKindStatistics,
}

// writeKindBlocks writes the objects of the kinds of this file.
func writeKindBlocks(body *hclwrite.Body, objs []PgObject) {
	for _, k := range kindBlockOrder {
		for _, o := range objs {
			if o.Ref().Kind == k {
				if x, ok := o.(hclKinded); ok {
					writeKindBlock(body, x)
				}
			}
		}
	}
}

func writeKindBlock(body *hclwrite.Body, o hclKinded) {
	label := o.Ref().Name
	if l, ok := o.(hclLabeled); ok {
		label = l.hclLabel()
	}
	b := newBlock(body, o.hclType(), label)
	setRef(b, "schema", "schema", o.Ref().Schema)
	for _, f := range o.hclFields() {
		switch {
		case f.s != nil && *f.s != "":
			switch {
			case f.ident:
				setIdent(b, f.name, *f.s)
			case f.sql:
				setSQL(b, f.name, *f.s)
			default:
				setString(b, f.name, *f.s)
			}
		case f.tbl != nil && f.tbl.Name != "":
			setRef(b, f.name, "table", f.tbl.Schema, f.tbl.Name)
		case f.ss != nil && len(*f.ss) > 0:
			vals := make([]cty.Value, len(*f.ss))
			for i, s := range *f.ss {
				vals[i] = cty.StringVal(s)
			}
			b.SetAttributeValue(f.name, cty.ListVal(vals))
		case f.b != nil && *f.b != f.def:
			b.SetAttributeValue(f.name, cty.BoolVal(*f.b))
		case f.n != nil && *f.n != f.ndef:
			b.SetAttributeValue(f.name, cty.NumberIntVal(*f.n))
		case f.m != nil && len(*f.m) > 0:
			keys := make([]string, 0, len(*f.m))
			for k := range *f.m {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			attrs := map[string]cty.Value{}
			for _, k := range keys {
				vals := make([]cty.Value, len((*f.m)[k]))
				for i, s := range (*f.m)[k] {
					vals[i] = cty.StringVal(s)
				}
				attrs[k] = cty.ListVal(vals)
			}
			b.SetAttributeValue(f.name, cty.ObjectVal(attrs))
		}
	}
	setComment(b, o.header().Comment)
}

// readKindBlock turns a block of this file into SQL; ok is false for
// other block types.
func readKindBlock(r *hclReader) (stmts []string, after, ok bool) {
	kb, ok := kindBlocks[r.b.Type]
	if !ok {
		return nil, false, false
	}
	o := kb.make()
	for _, f := range o.hclFields() {
		switch {
		case f.tbl != nil:
			if r.has(f.name) {
				*f.tbl, _ = r.table(f.name)
			}
		case f.s != nil:
			*f.s = r.str(f.name)
		case f.ss != nil:
			*f.ss = r.strs(f.name)
		case f.b != nil:
			*f.b = r.boolean(f.name, f.def)
		case f.n != nil:
			*f.n = r.number(f.name, f.ndef)
		case f.m != nil:
			*f.m = r.stringLists(f.name)
		}
	}
	o.header().Comment = r.str("comment")
	o.setName(r.schema(), r.name())
	return o.CreateSQL(), kb.after, true
}

// stringLists reads an object of string lists: { asciiword = ["simple"] }.
func (r *hclReader) stringLists(name string) map[string][]string {
	a, ok := r.b.Body.Attributes[name]
	if !ok {
		return nil
	}
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() || !(v.Type().IsObjectType() || v.Type().IsMapType()) {
		r.fail("%s: want an object of string lists", name)
		return nil
	}
	out := map[string][]string{}
	for k, l := range v.AsValueMap() {
		if !(l.Type().IsListType() || l.Type().IsTupleType()) {
			r.fail("%s.%s: want a list of strings", name, k)
			return nil
		}
		for _, e := range l.AsValueSlice() {
			if e.Type() != cty.String {
				r.fail("%s.%s: want a list of strings", name, k)
				return nil
			}
			out[k] = append(out[k], e.AsString())
		}
	}
	return out
}
