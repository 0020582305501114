package diff

import (
	"fmt"

	"github.com/schemactl/schemactl/schema"
)

// replicaBefore resets to DEFAULT the replica identity of a table whose
// replica identity index the plan drops or replaces, before the index
// goes: PostgreSQL leaves a table whose index is dropped with an identity
// that behaves as NOTHING.
func (p *planner) replicaBefore() error {
	for _, t1 := range p.from.Catalog.Tables {
		if t1.ReplicaIdentity != 'i' || t1.ReplicaIndex == "" {
			continue
		}
		if _, ok := p.kept(t1.QName); !ok {
			continue
		}
		t2, ok := p.to.Catalog.Table(t1.QName)
		if !ok || p.replicaIndexKept(t1, t2) {
			continue
		}
		p.pre = append(p.pre, Stmt{
			SQL:     fmt.Sprintf("ALTER TABLE %s REPLICA IDENTITY DEFAULT", t1.QName),
			Comment: fmt.Sprintf("reset the replica identity of table %s before its index %s changes", t1.Name, t1.ReplicaIndex),
		})
	}
	return nil
}

// replicaIndexKept reports whether the replica identity index of t1 is in
// t2 with the same definition (so that the plan leaves it alone).
func (p *planner) replicaIndexKept(t1, t2 *schema.TableInfo) bool {
	var def1, def2 string
	for _, idx := range t1.Indexes {
		if idx.Name == t1.ReplicaIndex {
			def1 = idx.Def
		}
	}
	for _, idx := range t2.Indexes {
		if idx.Name == t1.ReplicaIndex {
			def2 = idx.Def
		}
	}
	return def1 != "" && def1 == def2
}

// replicaAfter sets the replica identity of the tables (and partitions)
// whose identity changes, once their indexes exist.
func (p *planner) replicaAfter() error {
	for _, t2 := range p.to.Catalog.Tables {
		have := &schema.TableInfo{ReplicaIdentity: 'd'}
		if t1, ok := p.kept(t2.QName); ok {
			have = t1
			if t1.ReplicaIdentity == 'i' && !p.replicaIndexKept(t1, t2) {
				have = &schema.TableInfo{ReplicaIdentity: 'd'} // reset by replicaBefore
			}
		}
		if have.ReplicaIdentity == t2.ReplicaIdentity && have.ReplicaIndex == t2.ReplicaIndex {
			continue
		}
		p.post = append(p.post, Stmt{
			SQL:     fmt.Sprintf("ALTER TABLE %s %s", t2.QName, t2.ReplicaIdentityClause()),
			Comment: fmt.Sprintf("set the replica identity of table %s", t2.Name),
		})
	}
	return nil
}
