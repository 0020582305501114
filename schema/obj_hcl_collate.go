package schema

import (
	atlas "ariga.io/atlas/sql/schema"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

// Atlas's open-source HCL neither writes nor reads the collation of a
// column. schemactl writes it as a collate attribute of the column block,
// qualified as PostgreSQL names it:
//
//	column "name" { type = text; collate = "public.ci" }
//
// and sets it on Atlas's realm after Atlas has evaluated the file.

// writeColumnCollations adds the collate attributes to the column blocks
// of table block b.
func writeColumnCollations(b *hclwrite.Block, t QName, st *State) {
	if st == nil || st.Catalog == nil {
		return
	}
	ti, ok := st.Catalog.Table(t)
	if !ok {
		return
	}
	for _, cb := range b.Body().Blocks() {
		if cb.Type() != "column" || len(cb.Labels()) != 1 {
			continue
		}
		if ci, ok := ti.Column(cb.Labels()[0]); ok && ci.Collation != "" {
			setString(cb.Body(), "collate", ci.Collation)
		}
	}
}

// columnCollations records the collate attributes of the column blocks of
// table block b and returns their ranges, to be taken out of the file
// before Atlas evaluates it.
func (o *hclObjects) columnCollations(src []byte, b *hclsyntax.Block) []hcl.Range {
	if len(b.Labels) != 1 {
		return nil
	}
	var out []hcl.Range
	t := QName{Schema: (&hclReader{src: src, b: b}).schema(), Name: b.Labels[0]}
	for _, c := range b.Body.Blocks {
		a, ok := c.Body.Attributes["collate"]
		if c.Type != "column" || len(c.Labels) != 1 || !ok {
			continue
		}
		v, err := exprString(a.Expr, src)
		if err != nil || v == "" {
			continue // left to Atlas, which reports the attribute
		}
		if o.collations == nil {
			o.collations = map[QName]map[string]string{}
		}
		if o.collations[t] == nil {
			o.collations[t] = map[string]string{}
		}
		o.collations[t][c.Labels[0]] = v
		out = append(out, a.Range())
	}
	return out
}

// setCollations sets the recorded collations on the columns of r.
func (o *hclObjects) setCollations(r *atlas.Realm) {
	for t, cols := range o.collations {
		s, ok := r.Schema(t.Schema)
		if !ok {
			continue
		}
		tt, ok := s.Table(t.Name)
		if !ok {
			continue
		}
		for name, coll := range cols {
			if c, ok := tt.Column(name); ok {
				c.SetCollation(atlasCollation(coll))
			}
		}
	}
}
