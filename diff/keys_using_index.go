package diff

import (
	"ariga.io/atlas/sql/postgres"
	atlas "ariga.io/atlas/sql/schema"

	"github.com/schemactl/schemactl/schema"
)

// A unique index that becomes a primary key or a unique constraint keeps
// its index: ALTER TABLE ... ADD CONSTRAINT ... PRIMARY KEY USING INDEX
// (or UNIQUE USING INDEX) turns the index into the constraint's, renaming
// it to the constraint's name, without building it again. PostgreSQL
// allows it on plain tables only: on a partitioned table the index is
// dropped and the constraint added.

// indexBody returns the definition of the table's index without its name
// ("" when there is no such index).
func indexBody(t *schema.TableInfo, name string) string {
	for _, idx := range t.Indexes {
		if idx.Name == name {
			return schema.IndexBody(idx.Def)
		}
	}
	return ""
}

// constraintIndexBody returns the definition, without its name, of the
// index behind the table's constraint.
func constraintIndexBody(t *schema.TableInfo, constraint string) string {
	for _, idx := range t.Indexes {
		if idx.Constraint == constraint {
			return schema.IndexBody(idx.Def)
		}
	}
	return ""
}

// reusableIndex reports whether idx of t1 (a plain unique index) is what
// the constraint of t2 needs: same definition, on a table that is not
// partitioned.
func reusableIndex(idx *atlas.Index, t1, t2 *schema.TableInfo, constraint string) bool {
	if idx == nil || !idx.Unique || constraintKind(idx) != "" || t1.Kind == 'p' || t2.Kind == 'p' {
		return false
	}
	body := indexBody(t1, idx.Name)
	return body != "" && body == constraintIndexBody(t2, constraint)
}

// useIndexForKeys rewrites, in the changes of a table, a dropped unique
// index and an added primary key or unique constraint of the same
// definition into one ADD CONSTRAINT ... USING INDEX.
func useIndexForKeys(m *atlas.ModifyTable, ti1, ti2 *schema.TableInfo) {
	if m == nil {
		return
	}
	drops := map[string]int{}
	for i, c := range m.Changes {
		if d, ok := c.(*atlas.DropIndex); ok {
			drops[schema.IndexBody(indexDef(ti1, d.I.Name))] = i
		}
	}
	remove := map[int]bool{}
	for i, c := range m.Changes {
		var name string
		switch c := c.(type) {
		case *atlas.AddPrimaryKey:
			name = c.P.Name
			if name == "" {
				name = ti2.Name + "_pkey"
			}
		case *atlas.AddIndex:
			if constraintKind(c.I) != "u" {
				continue
			}
			name = c.I.Name
		default:
			continue
		}
		j, ok := drops[constraintIndexBody(ti2, name)]
		if !ok || remove[j] {
			continue
		}
		old := m.Changes[j].(*atlas.DropIndex).I
		if !reusableIndex(old, ti1, ti2, name) {
			continue
		}
		if _, pk := c.(*atlas.AddPrimaryKey); pk {
			m.Changes[i] = &postgres.AddPKConstraint{Name: name, Using: old}
		} else {
			m.Changes[i] = &postgres.AddUniqueConstraint{Name: name, Using: old}
		}
		remove[j] = true
	}
	kept := m.Changes[:0]
	for i, c := range m.Changes {
		if !remove[i] {
			kept = append(kept, c)
		}
	}
	m.Changes = kept
}

func indexDef(t *schema.TableInfo, name string) string {
	for _, idx := range t.Indexes {
		if idx.Name == name {
			return idx.Def
		}
	}
	return ""
}
