package erd

// Renamed is a rename a diff was told of, named as after it: the table
// Table was OldTable ("" when the table kept its name), and its column
// Column was OldColumn (both "" for a table rename).
type Renamed struct {
	Table     Name
	OldTable  string
	Column    string
	OldColumn string
}

// MarkRenamed marks the renames in a compared diagram whose first state
// already has the new names (as the diff planner leaves it): a renamed
// table or column is changed, "renamed from OLD". Renames of objects the
// diagram does not draw are ignored.
func (d *Diagram) MarkRenamed(rs []Renamed) {
	for _, r := range rs {
		e := d.Entity(r.Table)
		if e == nil || e.Change == Added || e.Change == Dropped {
			continue
		}
		if r.OldTable != "" && r.OldTable != r.Table.Name {
			e.Change, e.was = Changed, r.OldTable
		}
		if r.Column == "" {
			continue
		}
		if a := e.attr(r.Column); a != nil && a.Change != Added && a.Change != Dropped {
			note := "renamed from " + r.OldColumn
			if a.Note != "" {
				note += ", " + a.Note
			}
			a.Change, a.Note, e.Change = Changed, note, Changed
		}
	}
}
