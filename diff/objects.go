package diff

import (
	"fmt"
	"slices"
	"strings"

	"github.com/schemactl/schemactl/schema"
)

// schemaDropped reports whether the plan drops the schema (with CASCADE,
// which drops everything in it).
func (p *planner) schemaDropped(name string) bool {
	_, inFrom := p.from.Catalog.Schemas[name]
	_, inTo := p.to.Catalog.Schemas[name]
	return inFrom && !inTo
}

func commentStmt(what string, comment string) Stmt {
	v := "NULL"
	if comment != "" {
		v = schema.QuoteLiteral(comment)
	}
	return Stmt{SQL: fmt.Sprintf("COMMENT ON %s IS %s", what, v), Comment: "set comment of " + strings.ToLower(what)}
}

// enums plans enum types: created, values added in place when the old
// values keep their order, recreated otherwise, and dropped.
func (p *planner) enums() error {
	for _, e2 := range p.to.Catalog.Enums {
		q := e2.QName.String()
		e1, ok := p.from.Catalog.Enum(e2.QName)
		if !ok {
			p.types = append(p.types, Stmt{SQL: createEnum(e2), Comment: "create enum type " + e2.Name})
			if e2.Comment != "" {
				p.types = append(p.types, commentStmt("TYPE "+q, e2.Comment))
			}
			continue
		}
		if !slices.Equal(e1.Values, e2.Values) {
			if isSubsequence(e1.Values, e2.Values) {
				p.addEnumValues(e1, e2)
			} else if err := p.recreateEnum(e1, e2); err != nil {
				return err
			}
		}
		if e1.Comment != e2.Comment {
			p.types = append(p.types, commentStmt("TYPE "+q, e2.Comment))
		}
	}
	for _, e1 := range p.from.Catalog.Enums {
		if _, ok := p.to.Catalog.Enum(e1.QName); !ok && !p.schemaDropped(e1.Schema) {
			p.drops = append(p.drops, Stmt{SQL: "DROP TYPE " + e1.QName.String(), Comment: "drop enum type " + e1.Name})
		}
	}
	return nil
}

func createEnum(e *schema.Enum) string {
	vals := make([]string, len(e.Values))
	for i, v := range e.Values {
		vals[i] = schema.QuoteLiteral(v)
	}
	return fmt.Sprintf("CREATE TYPE %s AS ENUM (%s)", e.QName, strings.Join(vals, ", "))
}

// isSubsequence reports whether a appears in b in the same order.
func isSubsequence(a, b []string) bool {
	i := 0
	for _, v := range b {
		if i < len(a) && a[i] == v {
			i++
		}
	}
	return i == len(a)
}

func (p *planner) addEnumValues(e1, e2 *schema.Enum) {
	have := map[string]bool{}
	for _, v := range e1.Values {
		have[v] = true
	}
	for i, v := range e2.Values {
		if have[v] {
			continue
		}
		sql := fmt.Sprintf("ALTER TYPE %s ADD VALUE %s", e2.QName, schema.QuoteLiteral(v))
		switch {
		case i > 0:
			sql += " AFTER " + schema.QuoteLiteral(e2.Values[i-1])
		case len(e1.Values) > 0:
			sql += " BEFORE " + schema.QuoteLiteral(e1.Values[0])
		}
		p.types = append(p.types, Stmt{SQL: sql, Comment: fmt.Sprintf("add value %s to enum type %s", v, e2.Name)})
		p.addedEnumValues = append(p.addedEnumValues, schema.QuoteLiteral(v))
		have[v] = true
	}
}

// recreateEnum replaces an enum whose values are reordered or removed:
// the old type is renamed, the new one created, every column converted
// through text, and the old type dropped. Converting fails at run time if
// a row holds a removed value.
func (p *planner) recreateEnum(e1, e2 *schema.Enum) error {
	for _, d := range p.from.Catalog.Domains {
		if d.BaseType == e1.QName.String() || strings.HasSuffix(d.BaseType, "."+e1.Name) {
			return fmt.Errorf("enum %s: its values are reordered or removed, which needs the type recreated, but domain %s is based on it; change the domain first", e1.QName, d.QName)
		}
	}
	oldName := truncateIdent(e1.Name + "_old")
	old := schema.QName{Schema: e1.Schema, Name: oldName}
	q := e2.QName.String()
	p.types = append(p.types,
		Stmt{SQL: fmt.Sprintf("ALTER TYPE %s RENAME TO %s", q, schema.QuoteIdent(oldName)), Comment: fmt.Sprintf("enum type %s changes the order of or removes values: recreate it", e2.Name)},
		Stmt{SQL: createEnum(e2), Comment: "create enum type " + e2.Name},
	)
	removed := []string{}
	for _, v := range e1.Values {
		if !slices.Contains(e2.Values, v) {
			removed = append(removed, v)
		}
	}
	if len(removed) > 0 {
		p.warnf("enum %s loses value(s) %s: the migration fails if a row still holds one", e2.QName, strings.Join(removed, ", "))
	}
	for _, t := range p.from.Catalog.Tables {
		if t.IsPartition() {
			continue // converted with its partitioned table
		}
		var clauses []string
		typeText := "" // the type as PostgreSQL prints it in expressions
		for _, c := range t.Columns {
			array := c.TypeName == schema.QName{Schema: e1.Schema, Name: "_" + e1.Name}
			if c.TypeName != e1.QName && !array {
				continue
			}
			typeText = strings.TrimSuffix(c.Type, "[]")
			col := schema.QuoteIdent(c.Name)
			typ, textT := q, "text"
			if array {
				typ, textT = q+"[]", "text[]"
			}
			if c.Default != "" {
				clauses = append(clauses, fmt.Sprintf("ALTER COLUMN %s DROP DEFAULT", col))
			}
			clauses = append(clauses, fmt.Sprintf("ALTER COLUMN %s TYPE %s USING %s::%s::%s", col, typ, col, textT, typ))
			if c.Default != "" {
				clauses = append(clauses, fmt.Sprintf("ALTER COLUMN %s SET DEFAULT %s", col, c.Default))
			}
		}
		if len(clauses) == 0 {
			continue
		}
		// Checks and indexes whose expressions hold a value of the old type
		// (e.g. CHECK (s <> 'c'::public.st)) cannot be carried over by
		// ALTER COLUMN TYPE: they are dropped first and made again.
		ref := "::" + typeText
		var drops, checks []string
		var indexes []Stmt
		for _, k := range t.Constraints {
			if k.Type == 'c' && !k.Inherited && strings.Contains(k.Def, ref) {
				drops = append(drops, "DROP CONSTRAINT "+schema.QuoteIdent(k.Name))
				checks = append(checks, fmt.Sprintf("ADD CONSTRAINT %s %s", schema.QuoteIdent(k.Name), stableArrayCasts(k.Def)))
			}
		}
		for _, idx := range t.Indexes {
			if idx.Parent == "" && idx.Constraint == "" && strings.Contains(idx.Def, ref) {
				p.types = append(p.types, Stmt{SQL: "DROP INDEX " + schema.QName{Schema: t.Schema, Name: idx.Name}.String(), Comment: fmt.Sprintf("drop index %s, made again for the new enum type %s", idx.Name, e2.Name)})
				indexes = append(indexes, Stmt{SQL: idx.Def, Comment: fmt.Sprintf("create index %s again", idx.Name)})
			}
		}
		p.types = append(p.types, Stmt{
			SQL:     fmt.Sprintf("ALTER TABLE %s\n  %s", t.QName, strings.Join(append(drops, clauses...), ",\n  ")),
			Comment: fmt.Sprintf("convert the columns of table %s to the new enum type %s", t.Name, e2.Name),
		})
		if len(checks) > 0 {
			p.types = append(p.types, Stmt{
				SQL:     fmt.Sprintf("ALTER TABLE %s\n  %s", t.QName, strings.Join(checks, ",\n  ")),
				Comment: fmt.Sprintf("add the checks of table %s again", t.Name),
			})
		}
		p.types = append(p.types, indexes...)
	}
	p.types = append(p.types, Stmt{SQL: "DROP TYPE " + old.String(), Comment: "drop the old enum type " + e2.Name})
	return nil
}

// truncateIdent cuts a name to PostgreSQL's 63 bytes, on a rune boundary.
func truncateIdent(s string) string {
	for len(s) > 63 {
		_, size := lastRune(s)
		s = s[:len(s)-size]
	}
	return s
}

func lastRune(s string) (rune, int) {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i]&0xC0 != 0x80 {
			return rune(s[i]), len(s) - i
		}
	}
	return 0, 1
}

// domains plans domains: created (bases first), altered, dropped.
func (p *planner) domains() error {
	for _, d2 := range sortDomains(p.to.Catalog.Domains) {
		q := d2.QName.String()
		d1, ok := p.from.Catalog.Domain(d2.QName)
		if !ok {
			// A domain over a table's row type comes after the tables.
			group := &p.types
			if rowTypeOf(p.to.Realm, d2.BaseType) {
				group = &p.post
			}
			*group = append(*group, Stmt{SQL: createDomain(d2), Comment: "create domain " + d2.Name, uses: typeUses(p.to.Realm, d2.BaseType)})
			if d2.Comment != "" {
				*group = append(*group, commentStmt("DOMAIN "+q, d2.Comment))
			}
			continue
		}
		if d1.BaseType != d2.BaseType || d1.Collation != d2.Collation {
			return fmt.Errorf("domain %s: changing its base type or collation (%s to %s) is not supported; create a new domain and move the columns to it", d2.QName, d1.BaseType, d2.BaseType)
		}
		alter := func(action, what string) {
			p.types = append(p.types, Stmt{SQL: fmt.Sprintf("ALTER DOMAIN %s %s", q, action), Comment: what + " of domain " + d2.Name})
		}
		if d1.Default != d2.Default {
			if d2.Default == "" {
				alter("DROP DEFAULT", "drop the default")
			} else {
				alter("SET DEFAULT "+d2.Default, "set the default")
			}
		}
		if d1.NotNull != d2.NotNull {
			if d2.NotNull {
				alter("SET NOT NULL", "set NOT NULL")
			} else {
				alter("DROP NOT NULL", "drop NOT NULL")
			}
		}
		for _, k1 := range d1.Constraints {
			if k2, ok := domainConstraint(d2, k1.Name); !ok || k2.Def != k1.Def {
				alter("DROP CONSTRAINT "+schema.QuoteIdent(k1.Name), "drop constraint "+k1.Name)
			}
		}
		for _, k2 := range d2.Constraints {
			if k1, ok := domainConstraint(d1, k2.Name); !ok || k1.Def != k2.Def {
				alter("ADD CONSTRAINT "+schema.QuoteIdent(k2.Name)+" "+stableArrayCasts(k2.Def), "add constraint "+k2.Name)
			}
		}
		if d1.Comment != d2.Comment {
			p.types = append(p.types, commentStmt("DOMAIN "+q, d2.Comment))
		}
	}
	from := sortDomains(p.from.Catalog.Domains)
	slices.Reverse(from) // a domain over another one goes first
	for _, d1 := range from {
		if _, ok := p.to.Catalog.Domain(d1.QName); !ok && !p.schemaDropped(d1.Schema) {
			// A domain over a table's row type goes before the tables.
			group := &p.drops
			if rowTypeOf(p.from.Realm, d1.BaseType) {
				group = &p.pre
			}
			*group = append(*group, Stmt{SQL: "DROP DOMAIN " + d1.QName.String(), Comment: "drop domain " + d1.Name, uses: typeUses(p.from.Realm, d1.BaseType)})
		}
	}
	return nil
}

func domainConstraint(d *schema.Domain, name string) (schema.DomainConstraint, bool) {
	for _, k := range d.Constraints {
		if k.Name == name {
			return k, true
		}
	}
	return schema.DomainConstraint{}, false
}

func createDomain(d *schema.Domain) string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE DOMAIN %s AS %s", d.QName, d.BaseType)
	if d.Collation != "" {
		b.WriteString(" COLLATE " + d.Collation)
	}
	if d.Default != "" {
		b.WriteString(" DEFAULT " + d.Default)
	}
	if d.NotNull {
		b.WriteString(" NOT NULL")
	}
	for _, k := range d.Constraints {
		fmt.Fprintf(&b, "\n  CONSTRAINT %s %s", schema.QuoteIdent(k.Name), stableArrayCasts(k.Def))
	}
	return b.String()
}

// sortDomains orders domains so that a domain comes after the domain it
// is based on.
func sortDomains(ds []*schema.Domain) []*schema.Domain {
	out := make([]*schema.Domain, 0, len(ds))
	done := map[*schema.Domain]bool{}
	var visit func(d *schema.Domain, depth int)
	visit = func(d *schema.Domain, depth int) {
		if done[d] || depth > len(ds) {
			return
		}
		sch, name, ok := typeQName(d.BaseType)
		for _, b := range ds {
			if b != d && (d.BaseType == b.QName.String() || ok && sch == b.Schema && name == b.Name) {
				visit(b, depth+1)
			}
		}
		if !done[d] {
			done[d] = true
			out = append(out, d)
		}
	}
	for _, d := range ds {
		visit(d, 0)
	}
	return out
}

// sequences plans standalone sequences: created or altered before the
// tables whose defaults use them, dropped after.
func (p *planner) sequences() error {
	for _, s2 := range p.to.Catalog.Sequences {
		q := s2.QName.String()
		s1, ok := p.from.Catalog.Sequence(s2.QName)
		if !ok {
			p.types = append(p.types, Stmt{SQL: strings.TrimSpace("CREATE " + unloggedKeyword(s2) + "SEQUENCE " + q + " " + createSeqClauses(s2.SeqOptions)), Comment: "create sequence " + s2.Name})
			if s2.Comment != "" {
				p.types = append(p.types, commentStmt("SEQUENCE "+q, s2.Comment))
			}
			continue
		}
		if s1.SeqOptions != s2.SeqOptions {
			p.types = append(p.types, Stmt{SQL: "ALTER SEQUENCE " + q + " " + seqClauses(s1.SeqOptions, s2.SeqOptions), Comment: "change the options of sequence " + s2.Name})
		}
		if s1.Comment != s2.Comment {
			p.types = append(p.types, commentStmt("SEQUENCE "+q, s2.Comment))
		}
		p.types = append(p.types, sequencePersistence(s1, s2)...)
	}
	for _, s1 := range p.from.Catalog.Sequences {
		if _, ok := p.to.Catalog.Sequence(s1.QName); !ok && !p.schemaDropped(s1.Schema) {
			// IF EXISTS: a sequence owned by a column dropped in this plan
			// is gone already.
			p.drops = append(p.drops, Stmt{SQL: "DROP SEQUENCE IF EXISTS " + s1.QName.String(), Comment: "drop sequence " + s1.Name})
		}
	}
	return nil
}

// sequencesAfter sets the owning column of sequences once the tables exist.
func (p *planner) sequencesAfter() error {
	for _, s2 := range p.to.Catalog.Sequences {
		var before *schema.ColumnRef
		if s1, ok := p.from.Catalog.Sequence(s2.QName); ok {
			before = s1.OwnedBy
		}
		if before != nil && (s2.OwnedBy == nil || *before != *s2.OwnedBy || p.recreated(before.Table)) {
			// Before the tables change: dropping the owning column or
			// table would drop the sequence.
			p.types = append(p.types, Stmt{SQL: "ALTER SEQUENCE " + s2.QName.String() + " OWNED BY NONE", Comment: "sequence " + s2.Name + " is no longer owned by column " + before.Table.Name + "." + before.Column})
			before = nil
		}
		if s2.OwnedBy != nil && (before == nil || *before != *s2.OwnedBy) {
			p.post = append(p.post, Stmt{
				SQL:     fmt.Sprintf("ALTER SEQUENCE %s OWNED BY %s.%s", s2.QName, s2.OwnedBy.Table, schema.QuoteIdent(s2.OwnedBy.Column)),
				Comment: fmt.Sprintf("sequence %s is owned by column %s.%s", s2.Name, s2.OwnedBy.Table.Name, s2.OwnedBy.Column),
			})
		}
	}
	return nil
}

// seqClauses returns the CREATE/ALTER SEQUENCE options that turn a
// sequence with options have into one with options want. The type comes
// first: it changes the bounds PostgreSQL defaults to, so they are given
// whenever it changes.
func seqClauses(have, want schema.SeqOptions) string {
	var c []string
	typeChanged := have.Type != want.Type
	if typeChanged {
		c = append(c, "AS "+want.Type)
	}
	if have.Increment != want.Increment {
		c = append(c, fmt.Sprintf("INCREMENT BY %d", want.Increment))
	}
	if typeChanged || have.Min != want.Min {
		c = append(c, fmt.Sprintf("MINVALUE %d", want.Min))
	}
	if typeChanged || have.Max != want.Max {
		c = append(c, fmt.Sprintf("MAXVALUE %d", want.Max))
	}
	if have.Start != want.Start {
		c = append(c, fmt.Sprintf("START WITH %d", want.Start))
	}
	if have.Cache != want.Cache {
		c = append(c, fmt.Sprintf("CACHE %d", want.Cache))
	}
	if have.Cycle != want.Cycle {
		if want.Cycle {
			c = append(c, "CYCLE")
		} else {
			c = append(c, "NO CYCLE")
		}
	}
	return strings.Join(c, " ")
}

// createSeqClauses returns the CREATE SEQUENCE options of a sequence,
// leaving out those PostgreSQL defaults to.
func createSeqClauses(want schema.SeqOptions) string {
	def := defaultSeqOptions(want) // bounds for the type and the sign of the increment
	def.Increment = 1
	def.Start = def.Min
	if want.Increment < 0 {
		def.Start = def.Max
	}
	clauses := seqClauses(def, want)
	if want.Type != "bigint" {
		clauses = strings.TrimSpace("AS " + want.Type + " " + clauses)
	}
	return clauses
}
