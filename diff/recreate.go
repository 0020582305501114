package diff

import (
	"fmt"
	"slices"

	atlas "ariga.io/atlas/sql/schema"

	"github.com/schemactl/schemactl/schema"
)

// A table that becomes partitioned, stops being partitioned or changes its
// partition key cannot be altered into its new form: PostgreSQL has no
// such ALTER TABLE. It is dropped and created again, with its partitions,
// indexes and keys; the foreign keys to it are dropped before and added
// after (fkeys.go), a sequence it owns is released first (objects.go).
// Its rows are lost: the statement says so, the plan carries a warning
// and the lint reports the DROP TABLE as a data loss. Keeping the rows
// means copying them in a migration of one's own (create the new table
// under another name, INSERT ... SELECT, drop the old, rename), which
// only the user can write: whether every row fits a partition is for
// them to decide.

// recreatedTable reports whether the table is dropped and created again:
// it becomes partitioned or stops being, its partition key changes, or (a
// partition) it changes its parent or its parent is recreated.
func recreatedTable(from, to *schema.Catalog, q schema.QName) bool {
	for depth := 0; depth < 100; depth++ {
		t1, ok1 := from.Table(q)
		t2, ok2 := to.Table(q)
		if !ok1 || !ok2 {
			return false
		}
		if (t1.Kind == 'p') != (t2.Kind == 'p') || t1.PartitionKey != t2.PartitionKey || t1.IsPartition() != t2.IsPartition() {
			return true
		}
		if !t1.IsPartition() {
			return false
		}
		if *t1.Parent != *t2.Parent {
			return true
		}
		q = *t1.Parent
	}
	return false
}

// recreateTables takes the tables recreated out of the starting Realm, so
// that Atlas creates them, and drops them first.
func (p *planner) recreateTables() {
	for _, s := range p.from.Realm.Schemas {
		s.Tables = slices.DeleteFunc(s.Tables, func(t *atlas.Table) bool {
			q := schema.QName{Schema: s.Name, Name: t.Name}
			if !p.recreated(q) {
				return false
			}
			t2, _ := p.to.Catalog.Table(q)
			why := "stops being partitioned"
			switch t1, _ := p.from.Catalog.Table(q); {
			case t2.Kind == 'p' && t1.Kind != 'p':
				why = "becomes partitioned (" + t2.PartitionKey + ")"
			case t2.Kind == 'p':
				why = "changes its partition key to " + t2.PartitionKey
			}
			p.pre = append(p.pre, Stmt{
				SQL:     "DROP TABLE " + q.String(),
				Comment: fmt.Sprintf("table %s %s: PostgreSQL cannot alter it into that, it is dropped and created again and its rows are lost", t.Name, why),
			})
			p.warnf("table %s %s: it is dropped and created again, its rows are lost; copy them in a migration of your own to keep them", q, why)
			return true
		})
	}
}
