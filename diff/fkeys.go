package diff

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	atlas "ariga.io/atlas/sql/schema"

	"github.com/schemactl/schemactl/schema"
)

// Some foreign keys are planned from the catalog rather than by Atlas:
//   - those on or to a partitioned table or a partition: partitions are
//     created after Atlas's changes (partitions.go), and Atlas's
//     inspection lists the rows PostgreSQL adds for each partition of a
//     referenced partitioned table (conparentid set) as foreign keys of
//     their own;
//   - those whose referenced table is recreated, or whose referenced
//     unique index or key is dropped, changed or recreated: PostgreSQL
//     refuses to drop the index under the foreign key;
//   - those Atlas's model cannot write (DEFERRABLE, MATCH FULL, NOT
//     VALID, SET NULL or SET DEFAULT of some columns): Atlas would plan
//     them without it, and the proof would then drop and add each again
//     (a second inspection of the whole result).
// Such a foreign key is dropped first, before any other change, and added
// last, once every table, partition, key and index exists. One that is
// the same in both states and loses nothing it relies on is left alone.
// The rows PostgreSQL makes itself (a partition's copy of its parent's
// foreign key, a referencing table's row for each partition of the
// referenced table) are never planned.

// fkKey names a foreign key: its table and its name.
type fkKey struct {
	table schema.QName
	name  string
}

// foreignKeys returns the foreign keys of the catalog that are not copies
// PostgreSQL made, and the keys in a stable order.
func foreignKeys(c *schema.Catalog) (map[fkKey]*schema.ConstraintInfo, []fkKey) {
	m := map[fkKey]*schema.ConstraintInfo{}
	var keys []fkKey
	for _, t := range c.Tables {
		for _, k := range t.Constraints {
			if k.Type == 'f' && !k.Inherited {
				key := fkKey{t.QName, k.Name}
				m[key] = k
				keys = append(keys, key)
			}
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.table != b.table {
			return a.table.String() < b.table.String()
		}
		return a.name < b.name
	})
	return m, keys
}

// partish reports whether the table is partitioned or a partition.
func partish(c *schema.Catalog, q *schema.QName) bool {
	if q == nil {
		return false
	}
	t, ok := c.Table(*q)
	return ok && (t.Kind == 'p' || t.IsPartition())
}

// recreated reports whether the table is dropped and created again
// (recreate.go).
func (p *planner) recreated(q schema.QName) bool {
	return recreatedTable(p.from.Catalog, p.to.Catalog, q)
}

// losesReference reports whether the plan takes away, even for a moment,
// what the foreign key of the starting state relies on: its referenced
// table or the unique index of that table it uses.
func (p *planner) losesReference(k *schema.ConstraintInfo) bool {
	if k.RefTable == nil {
		return false
	}
	r1, ok1 := p.from.Catalog.Table(*k.RefTable)
	r2, ok2 := p.to.Catalog.Table(*k.RefTable)
	if !ok1 || !ok2 || p.recreated(*k.RefTable) {
		return true
	}
	if k.Index == "" {
		return false
	}
	var i1, i2 *schema.IndexInfo
	for _, idx := range r1.Indexes {
		if idx.Name == k.Index {
			i1 = idx
		}
	}
	for _, idx := range r2.Indexes {
		if idx.Name == k.Index {
			i2 = idx
		}
	}
	return i1 == nil || i2 == nil || schema.IndexBody(i1.Def) != schema.IndexBody(i2.Def) ||
		i1.Constraint != i2.Constraint || i1.Parent != i2.Parent
}

// atlasWritesForeignKey reports whether Atlas's model of a foreign key
// (columns, referenced columns, ON UPDATE and ON DELETE actions) holds
// all of its pg_get_constraintdef definition. A clause of the definition
// that it lacks makes the key one planned from the catalog's definition;
// a name that merely looks like such a clause costs nothing but that.
func atlasWritesForeignKey(def string) bool {
	for _, clause := range []string{" DEFERRABLE", " MATCH FULL", " MATCH PARTIAL", " NOT VALID", " SET NULL (", " SET DEFAULT ("} {
		if strings.Contains(def, clause) {
			return false
		}
	}
	return true
}

// foreignKeysBefore picks the foreign keys planned here and drops those
// that go or change.
func (p *planner) foreignKeysBefore() error {
	from, fromKeys := foreignKeys(p.from.Catalog)
	to, toKeys := foreignKeys(p.to.Catalog)
	p.fkManaged = map[fkKey]bool{}
	involved := func(c *schema.Catalog, key fkKey, k *schema.ConstraintInfo) bool {
		return partish(c, &key.table) || partish(c, k.RefTable) || !atlasWritesForeignKey(k.Def)
	}
	for _, key := range fromKeys {
		k1, k2 := from[key], to[key]
		rebuild := p.losesReference(k1) || p.recreated(key.table)
		if !rebuild && !involved(p.from.Catalog, key, k1) && (k2 == nil || !involved(p.to.Catalog, key, k2)) {
			continue // Atlas's
		}
		p.fkManaged[key] = true
		if k2 != nil && k2.Def == k1.Def && !rebuild {
			continue
		}
		p.pre = append(p.pre, Stmt{
			SQL:     fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT %s", key.table, schema.QuoteIdent(key.name)),
			Comment: fmt.Sprintf("drop foreign key %s of %s (added again after the tables change)", key.name, key.table.Name),
		})
		if k2 != nil {
			p.fkAdds = append(p.fkAdds, key)
		}
	}
	for _, key := range toKeys {
		if _, ok := from[key]; ok || !involved(p.to.Catalog, key, to[key]) {
			continue
		}
		p.fkManaged[key] = true
		p.fkAdds = append(p.fkAdds, key)
	}
	return nil
}

// foreignKeysAfter adds the foreign keys planned here, once everything
// else exists.
func (p *planner) foreignKeysAfter() error {
	to, _ := foreignKeys(p.to.Catalog)
	for _, key := range p.fkAdds {
		k := to[key]
		p.post = append(p.post, Stmt{
			SQL:     fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s %s", key.table, schema.QuoteIdent(key.name), k.Def),
			Comment: fmt.Sprintf("add foreign key %s to %s", key.name, key.table.Name),
		})
		if k.Comment != "" {
			p.post = append(p.post, commentStmt(fmt.Sprintf("CONSTRAINT %s ON %s", schema.QuoteIdent(key.name), key.table), k.Comment))
		}
	}
	return nil
}

// hideForeignKeys takes out of both Realms the foreign keys planned here
// and the copies PostgreSQL makes, so that Atlas plans neither; the
// returned function puts them back.
func (p *planner) hideForeignKeys() (restore func()) {
	var undo []func()
	for _, st := range []*schema.State{p.from, p.to} {
		for _, s := range st.Realm.Schemas {
			for _, t := range s.Tables {
				q := schema.QName{Schema: s.Name, Name: t.Name}
				ti, _ := st.Catalog.Table(q)
				hidden := func(fk *atlas.ForeignKey) bool {
					if p.fkManaged[fkKey{q, fk.Symbol}] {
						return true
					}
					if ti == nil {
						return false
					}
					for _, k := range ti.Constraints {
						if k.Name == fk.Symbol && k.Type == 'f' {
							return k.Inherited
						}
					}
					return false
				}
				if !slices.ContainsFunc(t.ForeignKeys, hidden) {
					continue
				}
				t := t
				old := t.ForeignKeys
				cols := map[*atlas.Column][]*atlas.ForeignKey{}
				for _, c := range t.Columns {
					cols[c] = c.ForeignKeys
					c.ForeignKeys = slices.DeleteFunc(slices.Clone(c.ForeignKeys), hidden)
				}
				t.ForeignKeys = slices.DeleteFunc(slices.Clone(t.ForeignKeys), hidden)
				undo = append(undo, func() {
					t.ForeignKeys = old
					for c, fks := range cols {
						c.ForeignKeys = fks
					}
				})
			}
		}
	}
	return func() {
		for _, u := range undo {
			u()
		}
	}
}
