package erd

import (
	"fmt"
	"sort"
	"strings"
)

// Lookup finds an entity by "schema.name" or by a name alone when one
// schema has it.
func (d *Diagram) Lookup(name string) (Name, error) {
	var found []Name
	for _, e := range d.Entities {
		if e.Name.String() == name || e.Name.Name == name {
			found = append(found, e.Name)
		}
	}
	for _, n := range found {
		if n.String() == name {
			return n, nil
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return Name{}, fmt.Errorf("no table or view %q in the state", name)
	}
	var qs []string
	for _, n := range found {
		qs = append(qs, n.String())
	}
	return Name{}, fmt.Errorf("%q is ambiguous: %s (qualify it with its schema)", name, strings.Join(qs, ", "))
}

// Around keeps the entities at most depth foreign keys away from the
// centres (in either direction; a view's neighbours are the tables it
// reads), and the views that read only kept entities.
func (d *Diagram) Around(centres []Name, depth int) *Diagram {
	adj := map[Name][]Name{}
	for _, r := range d.Relations {
		adj[r.Child] = append(adj[r.Child], r.Parent)
		adj[r.Parent] = append(adj[r.Parent], r.Child)
	}
	keep := map[Name]bool{}
	var frontier []Name
	for _, c := range centres {
		if keep[c] {
			continue
		}
		keep[c] = true
		frontier = append(frontier, c)
	}
	first := true
	for level := 0; level < depth && len(frontier) > 0; level++ {
		var next []Name
		for _, n := range frontier {
			nbrs := adj[n]
			if e := d.Entity(n); first && e != nil && len(e.Reads) > 0 {
				nbrs = append(append([]Name(nil), nbrs...), e.Reads...)
			}
			for _, m := range nbrs {
				if !keep[m] && d.Entity(m) != nil {
					keep[m] = true
					next = append(next, m)
				}
			}
		}
		first = false
		frontier = next
	}
	for _, e := range d.Entities {
		if keep[e.Name] || len(e.Reads) == 0 {
			continue
		}
		all := true
		for _, r := range e.Reads {
			if !keep[r] && d.Entity(r) != nil {
				all = false
				break
			}
		}
		if all && readsAny(e, keep) {
			keep[e.Name] = true
		}
	}
	out := &Diagram{Compared: d.Compared}
	for _, e := range d.Entities {
		if keep[e.Name] {
			out.Entities = append(out.Entities, e)
		}
	}
	out.Relations = d.Relations
	out.prune()
	return out
}

func readsAny(e *Entity, keep map[Name]bool) bool {
	for _, r := range e.Reads {
		if keep[r] {
			return true
		}
	}
	return false
}

// Changes returns the entities that differ between the two states of a
// compared diagram, and the ends of the relationships that do.
func (d *Diagram) Changes() []Name {
	seen := map[Name]bool{}
	for _, e := range d.Entities {
		if e.Change != Unchanged {
			seen[e.Name] = true
		}
	}
	for _, r := range d.Relations {
		if r.Change != Unchanged {
			seen[r.Child], seen[r.Parent] = true, true
		}
	}
	out := []Name{}
	for n := range seen {
		if d.Entity(n) != nil {
			out = append(out, n)
		}
	}
	sortNames(out)
	return out
}

// prune drops the relationships whose ends are not both drawn, keeping
// the order.
func (d *Diagram) prune() {
	in := map[Name]bool{}
	for _, e := range d.Entities {
		in[e.Name] = true
	}
	var rels []*Relation
	for _, r := range d.Relations {
		if in[r.Child] && in[r.Parent] {
			rels = append(rels, r)
		}
	}
	d.Relations = rels
	sort.SliceStable(d.Relations, func(i, j int) bool { return d.Relations[i].key() < d.Relations[j].key() })
}
