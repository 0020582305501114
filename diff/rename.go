package diff

import (
	"fmt"
	"strings"

	atlas "ariga.io/atlas/sql/schema"

	"github.com/schemactl/schemactl/schema"
)

// Rename is a rename hint given by the user. schemactl never guesses a
// rename: without a hint, a table or column that disappears on one side
// and appears on the other is dropped and added.
type Rename struct {
	Kind   string // "table" or "column"
	Schema string // empty: the only schema holding the table
	Table  string // the table (its old name for a table rename)
	From   string // old column name (column renames)
	To     string // new name
}

// String formats the hint in the syntax ParseRename reads.
func (r Rename) String() string {
	t := r.Table
	if r.Schema != "" {
		t = r.Schema + "." + t
	}
	if r.Kind == "table" {
		return "table:" + t + "=" + r.To
	}
	return "column:" + t + "." + r.From + "=" + r.To
}

// ParseRename reads a rename hint:
//
//	table:OLD=NEW             rename table OLD to NEW
//	table:SCHEMA.OLD=NEW
//	column:TABLE.OLD=NEW      rename column OLD of TABLE to NEW
//	column:SCHEMA.TABLE.OLD=NEW
//
// Names are taken literally (no quoting); a table rename keeps the schema.
func ParseRename(s string) (Rename, error) {
	kind, rest, ok := strings.Cut(s, ":")
	if !ok {
		return Rename{}, fmt.Errorf("invalid rename %q: want table:OLD=NEW or column:TABLE.OLD=NEW", s)
	}
	lhs, to, ok := strings.Cut(rest, "=")
	if !ok || to == "" || lhs == "" {
		return Rename{}, fmt.Errorf("invalid rename %q: want %s:...=NEW", s, kind)
	}
	parts := strings.Split(lhs, ".")
	r := Rename{Kind: kind, To: to}
	switch {
	case kind == "table" && len(parts) == 1:
		r.Table = parts[0]
	case kind == "table" && len(parts) == 2:
		r.Schema, r.Table = parts[0], parts[1]
	case kind == "column" && len(parts) == 2:
		r.Table, r.From = parts[0], parts[1]
	case kind == "column" && len(parts) == 3:
		r.Schema, r.Table, r.From = parts[0], parts[1], parts[2]
	default:
		return Rename{}, fmt.Errorf("invalid rename %q: want table:[SCHEMA.]OLD=NEW or column:[SCHEMA.]TABLE.OLD=NEW", s)
	}
	for _, p := range parts {
		if p == "" {
			return Rename{}, fmt.Errorf("invalid rename %q: empty name", s)
		}
	}
	return r, nil
}

// renames applies the user's rename hints to the starting state and plans
// the ALTER ... RENAME statements, which run before everything else.
func (p *planner) renames() error {
	for _, r := range p.opts.Renames {
		t, err := findTable(p.from.Realm, r.Schema, r.Table, "current")
		if err != nil {
			return fmt.Errorf("rename %s: %w", r, err)
		}
		old := schema.QName{Schema: t.Schema.Name, Name: t.Name}
		switch r.Kind {
		case "table":
			if _, err := findTable(p.to.Realm, t.Schema.Name, r.To, "desired"); err != nil {
				return fmt.Errorf("rename %s: %w", r, err)
			}
			if _, exists := t.Schema.Table(r.To); exists {
				return fmt.Errorf("rename %s: table %s.%s already exists in the current state", r, t.Schema.Name, r.To)
			}
			p.schemas = append(p.schemas, Stmt{
				SQL:     fmt.Sprintf("ALTER TABLE %s RENAME TO %s", old, schema.QuoteIdent(r.To)),
				Comment: fmt.Sprintf("rename table %s to %s", old.Name, r.To),
			})
			t.Name = r.To
			renameCatalogTable(p.from.Catalog, old, r.To)
		case "column":
			c, ok := t.Column(r.From)
			if !ok {
				return fmt.Errorf("rename %s: column %s does not exist in table %s.%s of the current state", r, r.From, old.Schema, old.Name)
			}
			if _, exists := t.Column(r.To); exists {
				return fmt.Errorf("rename %s: column %s already exists in table %s.%s", r, r.To, old.Schema, old.Name)
			}
			tt, err := findTable(p.to.Realm, old.Schema, old.Name, "desired")
			if err != nil {
				return fmt.Errorf("rename %s: %w", r, err)
			}
			if _, ok := tt.Column(r.To); !ok {
				return fmt.Errorf("rename %s: column %s does not exist in table %s.%s of the desired state", r, r.To, old.Schema, old.Name)
			}
			p.schemas = append(p.schemas, Stmt{
				SQL:     fmt.Sprintf("ALTER TABLE %s RENAME COLUMN %s TO %s", old, schema.QuoteIdent(r.From), schema.QuoteIdent(r.To)),
				Comment: fmt.Sprintf("rename column %s.%s to %s", old.Name, r.From, r.To),
			})
			c.Name = r.To
			renameCatalogColumn(p.from.Catalog, old, r.From, r.To)
		default:
			return fmt.Errorf("rename %s: unknown kind %q (want table or column)", r, r.Kind)
		}
	}
	return nil
}

// findTable finds a table by name, in the given schema or, when it is
// empty, in the only schema that has one by that name.
func findTable(r *atlas.Realm, schemaName, name, which string) (*atlas.Table, error) {
	var found []*atlas.Table
	for _, s := range r.Schemas {
		if schemaName != "" && s.Name != schemaName {
			continue
		}
		if t, ok := s.Table(name); ok {
			found = append(found, t)
		}
	}
	switch len(found) {
	case 0:
		if schemaName != "" {
			return nil, fmt.Errorf("table %s.%s does not exist in the %s state", schemaName, name, which)
		}
		return nil, fmt.Errorf("table %s does not exist in the %s state", name, which)
	case 1:
		return found[0], nil
	default:
		return nil, fmt.Errorf("table %s exists in several schemas of the %s state; qualify it (SCHEMA.%s)", name, which, name)
	}
}

func renameCatalogTable(c *schema.Catalog, old schema.QName, to string) {
	newName := schema.QName{Schema: old.Schema, Name: to}
	for _, t := range c.Tables {
		if t.QName == old {
			t.Name = to
		}
		if t.Parent != nil && *t.Parent == old {
			t.Parent = &newName
		}
	}
	for _, s := range c.Sequences {
		if s.OwnedBy != nil && s.OwnedBy.Table == old {
			s.OwnedBy.Table = newName
		}
	}
	c.Reindex()
}

func renameCatalogColumn(c *schema.Catalog, table schema.QName, from, to string) {
	// Partitions (at any depth) have the column too, renamed with it.
	affected := map[schema.QName]bool{table: true}
	for changed := true; changed; {
		changed = false
		for _, t := range c.Tables {
			if t.Parent != nil && affected[*t.Parent] && !affected[t.QName] {
				affected[t.QName], changed = true, true
			}
		}
	}
	for _, t := range c.Tables {
		if !affected[t.QName] {
			continue
		}
		if col, ok := t.Column(from); ok {
			col.Name = to
		}
	}
	for _, s := range c.Sequences {
		if s.OwnedBy != nil && s.OwnedBy.Table == table && s.OwnedBy.Column == from {
			s.OwnedBy.Column = to
		}
	}
}
