package erd

import "strings"

// Compare makes the diagram of a change from one state to another: every
// entity of either, marked added, dropped or changed (a column, key,
// index, check or option differs, or the view's query), with its columns
// marked the same way (dropped columns last), and the relationships of
// both, marked too.
func Compare(from, to *Diagram) *Diagram {
	out := &Diagram{Compared: true}
	for _, e := range to.Entities {
		f := from.Entity(e.Name)
		if f == nil {
			out.Entities = append(out.Entities, marked(e, Added))
			continue
		}
		out.Entities = append(out.Entities, merge(f, e))
	}
	for _, f := range from.Entities {
		if to.Entity(f.Name) == nil {
			out.Entities = append(out.Entities, marked(f, Dropped))
		}
	}
	old := map[string]*Relation{}
	for _, r := range from.Relations {
		old[r.key()] = r
	}
	seen := map[string]bool{}
	for _, r := range to.Relations {
		c := *r
		seen[r.key()] = true
		switch o := old[r.key()]; {
		case o == nil:
			c.Change = Added
		case o.details != r.details || o.Optional != r.Optional || o.OneToOne != r.OneToOne || o.Identifying != r.Identifying:
			c.Change = Changed
		}
		out.Relations = append(out.Relations, &c)
	}
	for _, r := range from.Relations {
		if !seen[r.key()] {
			c := *r
			c.Change = Dropped
			out.Relations = append(out.Relations, &c)
		}
	}
	out.sort()
	return out
}

// marked copies an entity with it and all its columns marked ch.
func marked(e *Entity, ch Change) *Entity {
	c := *e
	c.Change = ch
	c.Attrs = nil
	for _, a := range e.Attrs {
		ca := *a
		ca.Change = ch
		c.Attrs = append(c.Attrs, &ca)
	}
	return &c
}

// merge is the entity of the second state with its columns compared to
// the first's.
func merge(f, e *Entity) *Entity {
	c := *e
	c.Attrs = nil
	changed := f.Kind != e.Kind || f.details != e.details || f.Comment != e.Comment || f.Partitions != e.Partitions
	for _, a := range e.Attrs {
		ca := *a
		if o := f.attr(a.Name); o == nil {
			ca.Change = Added
		} else if note := attrChanges(o, a); note != "" {
			ca.Change, ca.Note = Changed, note
		}
		if ca.Change != Unchanged {
			changed = true
		}
		c.Attrs = append(c.Attrs, &ca)
	}
	for _, o := range f.Attrs {
		if e.attr(o.Name) == nil {
			ca := *o
			ca.Change = Dropped
			c.Attrs = append(c.Attrs, &ca)
			changed = true
		}
	}
	if changed {
		c.Change = Changed
	}
	return &c
}

func (e *Entity) attr(name string) *Attr {
	for _, a := range e.Attrs {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// attrChanges describes how a column changed, "" when it did not.
func attrChanges(o, a *Attr) string {
	var notes []string
	if o.Type != a.Type {
		notes = append(notes, "type "+shortTypeName(o.Type)+" → "+shortTypeName(a.Type))
	}
	if o.NotNull != a.NotNull {
		if a.NotNull {
			notes = append(notes, "NOT NULL")
		} else {
			notes = append(notes, "nullable")
		}
	}
	if o.PK != a.PK {
		notes = append(notes, onOff(a.PK, "primary key"))
	}
	if o.UK != a.UK {
		notes = append(notes, onOff(a.UK, "unique"))
	}
	od, ad := strings.Split(o.details, "\x00"), strings.Split(a.details, "\x00")
	for i := range ad {
		if i < len(od) && od[i] != ad[i] {
			notes = append(notes, strings.SplitN(ad[i], " ", 2)[0])
		}
	}
	if o.Comment != a.Comment {
		notes = append(notes, "comment")
	}
	return strings.Join(notes, ", ")
}

func onOff(on bool, what string) string {
	if on {
		return what
	}
	return "no " + what
}
