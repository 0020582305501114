package diff

import (
	atlas "ariga.io/atlas/sql/schema"

	"github.com/schemactl/schemactl/schema"
)

// fixDefaults makes sure every column whose default changes, as PostgreSQL
// renders it (pg_get_expr), is altered: Atlas's open-source differ
// compares defaults with their casts trimmed, so 'x'::text and
// 'x'::character varying are equal to it. It runs after the other fixes,
// which find the changes of a column by its desired Atlas column.
func (p *planner) fixDefaults(t1, t2 *atlas.Table, ti1, ti2 *schema.TableInfo, m *atlas.ModifyTable, add func(atlas.Change)) {
	for _, c2 := range t2.Columns {
		c1, ok := t1.Column(c2.Name)
		ci1, ok1 := ti1.Column(c2.Name)
		ci2, ok2 := ti2.Column(c2.Name)
		if !ok || !ok1 || !ok2 || ci1.Default == ci2.Default || c1.Default == nil && c2.Default == nil {
			continue
		}
		mc := modifyColumn(m, c1, c2, add)
		mc.Change |= atlas.ChangeDefault
		if ci2.Default != "" {
			// Atlas's inspection trims the cast of a literal default;
			// the planner writes PostgreSQL's rendering instead. The
			// column is copied: the desired state stays as it is.
			to := *mc.To
			to.Default = &atlas.RawExpr{X: ci2.Default}
			mc.To = &to
		}
	}
}

// modifyColumn returns the change of m that modifies column c2, adding
// one when there is none.
func modifyColumn(m *atlas.ModifyTable, c1, c2 *atlas.Column, add func(atlas.Change)) *atlas.ModifyColumn {
	if m != nil {
		for _, c := range m.Changes {
			if x, ok := c.(*atlas.ModifyColumn); ok && x.To == c2 {
				return x
			}
		}
	}
	mc := &atlas.ModifyColumn{From: c1, To: c2}
	add(mc)
	return mc
}
