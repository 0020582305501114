package diff

import (
	"fmt"
	"strings"

	"github.com/schemactl/schemactl/schema"
)

// objLinker is implemented by generators whose objects have a part that
// can only be set once other objects exist (a sequence's OWNED BY).
type objLinker interface {
	// link returns the statements that set that part of to (from is nil
	// when the object is created), and the objects they need.
	link(from, to schema.PgObject) ([]string, []schema.PgRef)
}

// sequenceGen plans standalone sequences.
type sequenceGen struct{}

func seqOptions(s *schema.PgSequence) string {
	cycle := "NO CYCLE"
	if s.Cycle {
		cycle = "CYCLE"
	}
	return fmt.Sprintf("AS %s INCREMENT BY %d MINVALUE %d MAXVALUE %d START WITH %d CACHE %d %s",
		s.Type, s.Increment, s.Min, s.Max, s.Start, s.Cache, cycle)
}

func (sequenceGen) create(o schema.PgObject) []string {
	s := o.(*schema.PgSequence)
	return append([]string{"CREATE SEQUENCE " + s.SQLName + " " + seqOptions(s)}, commentIf("SEQUENCE", s.SQLName, s.Comment)...)
}

func (sequenceGen) drop(o schema.PgObject) []string {
	return []string{"DROP SEQUENCE " + o.QualifiedSQL()}
}

func (sequenceGen) alter(fo, to schema.PgObject) ([]string, bool) {
	from, s := fo.(*schema.PgSequence), to.(*schema.PgSequence)
	var stmts []string
	if seqOptions(from) != seqOptions(s) {
		stmts = append(stmts, "ALTER SEQUENCE "+s.SQLName+" "+seqOptions(s))
	}
	return append(stmts, commentChange("SEQUENCE", s.SQLName, from.Comment, s.Comment)...), false
}

func (sequenceGen) link(fo, to schema.PgObject) ([]string, []schema.PgRef) {
	s := to.(*schema.PgSequence)
	var fromOwner string
	if fo != nil {
		fromOwner = fo.(*schema.PgSequence).OwnedBySQL
	}
	if fromOwner == s.OwnedBySQL {
		return nil, nil
	}
	if s.OwnedBy == nil {
		return []string{"ALTER SEQUENCE " + s.SQLName + " OWNED BY NONE"}, nil
	}
	return []string{"ALTER SEQUENCE " + s.SQLName + " OWNED BY " + s.OwnedBySQL}, []schema.PgRef{*s.OwnedBy}
}

// domainGen plans domains.
type domainGen struct{}

func (domainGen) create(o schema.PgObject) []string {
	d := o.(*schema.PgDomain)
	var b strings.Builder
	b.WriteString("CREATE DOMAIN " + d.SQLName + " AS " + d.BaseType)
	if d.Collation != "" {
		b.WriteString(" COLLATE " + d.Collation)
	}
	if d.Default != "" {
		b.WriteString(" DEFAULT " + d.Default)
	}
	if d.NotNull {
		b.WriteString(" NOT NULL")
	}
	var later []string
	for _, c := range d.Checks {
		if c.Validated {
			b.WriteString("\n    CONSTRAINT " + c.Name + " " + stableArrayCasts(c.Def))
		} else {
			later = append(later, "ALTER DOMAIN "+d.SQLName+" ADD CONSTRAINT "+c.Name+" "+stableArrayCasts(c.Def))
		}
	}
	stmts := append([]string{b.String()}, later...)
	return append(stmts, commentIf("DOMAIN", d.SQLName, d.Comment)...)
}

func (domainGen) drop(o schema.PgObject) []string {
	return []string{"DROP DOMAIN " + o.QualifiedSQL()}
}

func (domainGen) alter(fo, to schema.PgObject) ([]string, bool) {
	from, d := fo.(*schema.PgDomain), to.(*schema.PgDomain)
	if from.BaseType != d.BaseType || from.Collation != d.Collation {
		return nil, true
	}
	var stmts []string
	if from.Default != d.Default {
		if d.Default == "" {
			stmts = append(stmts, "ALTER DOMAIN "+d.SQLName+" DROP DEFAULT")
		} else {
			stmts = append(stmts, "ALTER DOMAIN "+d.SQLName+" SET DEFAULT "+d.Default)
		}
	}
	if from.NotNull != d.NotNull {
		if d.NotNull {
			stmts = append(stmts, "ALTER DOMAIN "+d.SQLName+" SET NOT NULL")
		} else {
			stmts = append(stmts, "ALTER DOMAIN "+d.SQLName+" DROP NOT NULL")
		}
	}
	old := map[string]schema.PgDomainCheck{}
	for _, c := range from.Checks {
		old[c.Name] = c
	}
	keep := map[string]bool{}
	for _, c := range d.Checks {
		if o, ok := old[c.Name]; ok && o == c {
			keep[c.Name] = true
		}
	}
	for _, c := range from.Checks {
		if !keep[c.Name] {
			stmts = append(stmts, "ALTER DOMAIN "+d.SQLName+" DROP CONSTRAINT "+c.Name)
		}
	}
	for _, c := range d.Checks {
		if !keep[c.Name] {
			stmts = append(stmts, "ALTER DOMAIN "+d.SQLName+" ADD CONSTRAINT "+c.Name+" "+stableArrayCasts(c.Def))
		}
	}
	return append(stmts, commentChange("DOMAIN", d.SQLName, from.Comment, d.Comment)...), false
}

// compositeGen plans composite types.
type compositeGen struct{}

func attrDef(a schema.PgAttribute) string {
	s := a.Name + " " + a.Type
	if a.Collation != "" {
		s += " COLLATE " + a.Collation
	}
	return s
}

func (compositeGen) create(o schema.PgObject) []string {
	c := o.(*schema.PgComposite)
	attrs := make([]string, len(c.Attributes))
	for i, a := range c.Attributes {
		attrs[i] = attrDef(a)
	}
	stmts := []string{"CREATE TYPE " + c.SQLName + " AS (" + strings.Join(attrs, ", ") + ")"}
	stmts = append(stmts, commentIf("TYPE", c.SQLName, c.Comment)...)
	for _, a := range c.Attributes {
		stmts = append(stmts, commentIf("COLUMN", c.SQLName+"."+a.Name, a.Comment)...)
	}
	return stmts
}

func (compositeGen) drop(o schema.PgObject) []string {
	return []string{"DROP TYPE " + o.QualifiedSQL()}
}

func (compositeGen) alter(fo, to schema.PgObject) ([]string, bool) {
	from, c := fo.(*schema.PgComposite), to.(*schema.PgComposite)
	if len(c.Attributes) < len(from.Attributes) {
		return nil, true
	}
	var stmts []string
	for i, a := range from.Attributes {
		if attrDef(a) != attrDef(c.Attributes[i]) {
			return nil, true
		}
	}
	for _, a := range c.Attributes[len(from.Attributes):] {
		stmts = append(stmts, "ALTER TYPE "+c.SQLName+" ADD ATTRIBUTE "+attrDef(a))
	}
	stmts = append(stmts, commentChange("TYPE", c.SQLName, from.Comment, c.Comment)...)
	for i, a := range c.Attributes {
		old := ""
		if i < len(from.Attributes) {
			old = from.Attributes[i].Comment
		}
		stmts = append(stmts, commentChange("COLUMN", c.SQLName+"."+a.Name, old, a.Comment)...)
	}
	return stmts, false
}

// rangeGen plans range types.
type rangeGen struct{}

func (rangeGen) create(o schema.PgObject) []string {
	r := o.(*schema.PgRange)
	opts := []string{"SUBTYPE = " + r.Subtype}
	add := func(k, v string) {
		if v != "" {
			opts = append(opts, k+" = "+v)
		}
	}
	add("SUBTYPE_OPCLASS", r.Opclass)
	add("COLLATION", r.Collation)
	add("CANONICAL", r.Canonical)
	add("SUBTYPE_DIFF", r.SubtypeDiff)
	add("MULTIRANGE_TYPE_NAME", r.Multirange)
	return append([]string{"CREATE TYPE " + r.SQLName + " AS RANGE (" + strings.Join(opts, ", ") + ")"},
		commentIf("TYPE", r.SQLName, r.Comment)...)
}

func (rangeGen) drop(o schema.PgObject) []string {
	return []string{"DROP TYPE " + o.QualifiedSQL()}
}

func (rangeGen) alter(fo, to schema.PgObject) ([]string, bool) {
	from, r := fo.(*schema.PgRange), to.(*schema.PgRange)
	if from.Subtype != r.Subtype || from.Opclass != r.Opclass || from.Collation != r.Collation ||
		from.Canonical != r.Canonical || from.SubtypeDiff != r.SubtypeDiff || from.Multirange != r.Multirange {
		return nil, true
	}
	return commentChange("TYPE", r.SQLName, from.Comment, r.Comment), false
}
