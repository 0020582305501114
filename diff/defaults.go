package diff

import (
	"strings"

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

// castDefaults writes PostgreSQL's rendering of a literal default whose
// cast is to another type than its column's (a varchar column with
// DEFAULT 'active'::text, as Rails' structure.sql has), or of an
// unquoted constant on a string column (text DEFAULT 0), in the tables
// and columns Atlas creates: Atlas's inspection trims the cast, and the
// literal alone is cast to the column's type, which PostgreSQL stores as
// another default ('active'::character varying). The returned function
// puts the desired columns back as they were.
func (p *planner) castDefaults(changes []atlas.Change) (restore func()) {
	var undo []func()
	fix := func(t *atlas.Table, c *atlas.Column) {
		if t == nil || t.Schema == nil || c.Default == nil {
			return
		}
		ti, ok := p.to.Catalog.Table(schema.QName{Schema: t.Schema.Name, Name: t.Name})
		if !ok {
			return
		}
		ci, ok := ti.Column(c.Name)
		if !ok || ci.Generated != "" {
			return
		}
		_, literal := c.Default.(*atlas.Literal)
		if !literalCastElsewhere(ci.Default, ci.Type) && !(literal && bareOnString(ci.Default, ci.Type)) {
			return
		}
		old := c.Default
		c.Default = &atlas.RawExpr{X: ci.Default}
		undo = append(undo, func() { c.Default = old })
	}
	for _, ch := range changes {
		switch ch := ch.(type) {
		case *atlas.AddTable:
			for _, c := range ch.T.Columns {
				fix(ch.T, c)
			}
		case *atlas.ModifyTable:
			for _, x := range ch.Changes {
				if a, ok := x.(*atlas.AddColumn); ok {
					fix(ch.T, a.C)
				}
			}
		}
	}
	return func() {
		for _, u := range undo {
			u()
		}
	}
}

// bareOnString reports whether def is an unquoted constant (DEFAULT 0 on
// a text column, which PostgreSQL keeps as the integer 0 cast on
// assignment) on a column of a string type: Atlas writes it quoted, which
// PostgreSQL stores as '0'::text.
func bareOnString(def, typ string) bool {
	if def == "" || strings.HasPrefix(def, "'") {
		return false
	}
	switch strings.TrimSuffix(stripTypmod(typ), "[]") {
	case "text", "character varying", "character", "\"char\"", "name":
		return true
	}
	return false
}

// literalCastElsewhere reports whether def, as pg_get_expr renders a
// default, is a quoted literal with a cast ('x'::text) to another type
// than typ (format_type of the column) once both lose their type
// modifiers: 'x'::character varying on a varchar(20) column is the
// column's own cast, 'x'::text on it is not.
func literalCastElsewhere(def, typ string) bool {
	if !strings.HasPrefix(def, "'") {
		return false
	}
	i := 1
	for i < len(def) {
		if def[i] == '\'' {
			if i+1 < len(def) && def[i+1] == '\'' {
				i += 2
				continue
			}
			break
		}
		i++
	}
	rest := def[i+1:]
	if i >= len(def) || !strings.HasPrefix(rest, "::") {
		return false
	}
	cast := rest[2:]
	if strings.ContainsAny(cast, " ") && !knownMultiWordType(cast) {
		return false
	}
	return stripTypmod(cast) != stripTypmod(typ)
}

// knownMultiWordType reports whether s, without array brackets and type
// modifiers, is one of the type names format_type writes with spaces.
func knownMultiWordType(s string) bool {
	switch strings.TrimSuffix(stripTypmod(s), "[]") {
	case "character varying", "character", "bit varying", "double precision",
		"timestamp without time zone", "timestamp with time zone",
		"time without time zone", "time with time zone":
		return true
	}
	return strings.HasPrefix(stripTypmod(s), "interval")
}

// stripTypmod removes the parenthesised type modifiers of a type name
// ("character varying(20)[]" → "character varying[]",
// "timestamp(6) without time zone" → "timestamp without time zone").
func stripTypmod(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '(':
			depth++
		case r == ')':
			if depth > 0 {
				depth--
			}
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}
