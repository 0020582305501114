package diff

import (
	"fmt"
	"strings"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/postgres"
	atlas "ariga.io/atlas/sql/schema"

	"github.com/schemactl/schemactl/schema"
)

// atlas diffs the two Realms with Atlas's PostgreSQL differ, completes the
// changes where the open-source differ misses some, and plans them with
// Atlas's planner in three groups: schemas created, everything else, and
// schemas dropped.
func (p *planner) atlas() error {
	defer p.hideForeignKeys()()
	defer p.hideInherited()()
	p.recreateTables()
	changes, err := postgres.DefaultDiff.RealmDiff(p.from.Realm, p.to.Realm)
	if err != nil {
		return fmt.Errorf("diff: %w", err)
	}
	p.schemaComments(changes)
	var top, main, drops []atlas.Change
	modified := map[*atlas.Table]*atlas.ModifyTable{}
	for _, c := range changes {
		switch c := c.(type) {
		case *atlas.AddSchema, *atlas.ModifySchema:
			top = append(top, c)
		case *atlas.DropSchema:
			drops = append(drops, c)
		case *atlas.AddObject, *atlas.DropObject, *atlas.ModifyObject:
			// Enum types: planned by enums.
		case *atlas.ModifyTable:
			modified[c.T] = c
			main = append(main, c)
		default:
			main = append(main, c)
		}
	}
	err = p.matchedTables(func(t1, t2 *atlas.Table, ti1, ti2 *schema.TableInfo) error {
		m := modified[t2]
		add := func(c atlas.Change) {
			if m == nil {
				m = &atlas.ModifyTable{T: t2}
				modified[t2] = m
				main = append(main, m)
			}
			m.Changes = append(m.Changes, c)
		}
		p.fixColumnTypes(t1, t2, ti1, ti2, m, add)
		p.fixDefaults(t1, t2, ti1, ti2, m, add)
		p.fixIndexKinds(t1, t2, ti1, ti2, m, add)
		p.renamePrimaryKey(t1, t2, ti2, m)
		useIndexForKeys(modified[t2], ti1, ti2)
		return nil
	})
	if err != nil {
		return err
	}
	p.markIndexChanges(main)
	defer wrapExcludePredicates(main)()
	defer p.castDefaults(main)()
	defer stableArrayChecks(main)()
	for _, group := range []struct {
		changes []atlas.Change
		into    *[]Stmt
	}{{top, &p.schemas}, {main, &p.tables}, {drops, &p.dropSchema}} {
		stmts, err := p.planAtlas(group.changes)
		if err != nil {
			return err
		}
		*group.into = append(*group.into, stmts...)
	}
	return nil
}

// fixColumnTypes makes sure every column whose type changes (as PostgreSQL
// names types) is altered, with USING when needed: Atlas's open-source
// differ misses changes between user-defined types.
func (p *planner) fixColumnTypes(t1, t2 *atlas.Table, ti1, ti2 *schema.TableInfo, m *atlas.ModifyTable, add func(atlas.Change)) {
	for _, c2 := range t2.Columns {
		c1, ok := t1.Column(c2.Name)
		ci1, ok1 := ti1.Column(c2.Name)
		ci2, ok2 := ti2.Column(c2.Name)
		if !ok || !ok1 || !ok2 || ci1.Type == ci2.Type && ci1.Collation == ci2.Collation {
			continue
		}
		var mc *atlas.ModifyColumn
		if m != nil {
			for _, c := range m.Changes {
				if x, ok := c.(*atlas.ModifyColumn); ok && x.To == c2 {
					mc = x
				}
			}
		}
		if mc == nil {
			mc = &atlas.ModifyColumn{From: c1, To: c2}
			add(mc)
		}
		mc.Change |= atlas.ChangeType
		if using := p.using[columnKey{ti1.QName, c2.Name}]; using != "" {
			mc.Extra = append(mc.Extra, &postgres.ConvertUsing{X: using})
		}
	}
}

// constraintKind tells how an index is made: plain index, unique
// constraint, or exclusion constraint.
func constraintKind(idx *atlas.Index) string {
	for _, a := range idx.Attrs {
		if c, ok := a.(*postgres.Constraint); ok && (c.IsUnique() || c.IsExclude()) {
			return c.T
		}
	}
	return ""
}

// fixIndexKinds replaces an index that becomes a constraint (or the other
// way round): Atlas's open-source differ does not see the change.
func (p *planner) fixIndexKinds(t1, t2 *atlas.Table, ti1, ti2 *schema.TableInfo, m *atlas.ModifyTable, add func(atlas.Change)) {
	for _, idx2 := range t2.Indexes {
		idx1, ok := t1.Index(idx2.Name)
		if !ok || constraintKind(idx1) == constraintKind(idx2) || touchesIndex(m, idx2.Name) {
			continue
		}
		if constraintKind(idx2) == "u" && reusableIndex(idx1, ti1, ti2, idx2.Name) {
			// The unique index becomes the constraint's (keys_using_index.go).
			add(&postgres.AddUniqueConstraint{Name: idx2.Name, Using: idx1})
			continue
		}
		add(&atlas.ModifyIndex{From: idx1, To: idx2, Change: atlas.ChangeAttr})
	}
}

func touchesIndex(m *atlas.ModifyTable, name string) bool {
	if m == nil {
		return false
	}
	for _, c := range m.Changes {
		switch c := c.(type) {
		case *atlas.ModifyIndex:
			if c.To.Name == name || c.From.Name == name {
				return true
			}
		case *atlas.DropIndex:
			if c.I.Name == name {
				return true
			}
		case *atlas.AddIndex:
			if c.I.Name == name {
				return true
			}
		}
	}
	return false
}

// renamePrimaryKey renames a primary key whose columns stay but whose name
// changes: Atlas's open-source differ ignores the name.
func (p *planner) renamePrimaryKey(t1, t2 *atlas.Table, ti2 *schema.TableInfo, m *atlas.ModifyTable) {
	pk1, pk2 := t1.PrimaryKey, t2.PrimaryKey
	if pk1 == nil || pk2 == nil || pk1.Name == pk2.Name || pk1.Name == "" || pk2.Name == "" {
		return
	}
	if m != nil {
		for _, c := range m.Changes {
			if _, ok := c.(*atlas.ModifyPrimaryKey); ok {
				return // dropped and added under the new name
			}
		}
	}
	p.post = append(p.post, Stmt{
		SQL:     fmt.Sprintf("ALTER TABLE %s RENAME CONSTRAINT %s TO %s", ti2.QName, schema.QuoteIdent(pk1.Name), schema.QuoteIdent(pk2.Name)),
		Comment: fmt.Sprintf("rename the primary key of table %s", t2.Name),
	})
}

// planAtlas plans changes with Atlas's planner and names primary keys,
// which Atlas leaves to PostgreSQL's default <table>_pkey.
func (p *planner) planAtlas(changes []atlas.Change) ([]Stmt, error) {
	if len(changes) == 0 {
		return nil, nil
	}
	plan, err := postgres.DefaultPlan.PlanChanges(p.ctx, "", changes, func(o *migrate.PlanOptions) { o.Indent = "  " })
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	stmts := make([]Stmt, 0, len(plan.Changes))
	quoted := namesWithQuotes(p.from.Realm, p.to.Realm)
	for _, c := range p.inheritCreates(plan.Changes) {
		cmd, err := namePrimaryKey(c)
		if err != nil {
			return nil, err
		}
		stmts = append(stmts, Stmt{SQL: fixQuotes(cmd, quoted), Comment: c.Comment})
	}
	return stmts, nil
}

// namePrimaryKey writes the primary key's name into Atlas's CREATE TABLE
// and ADD PRIMARY KEY statements.
func namePrimaryKey(c *migrate.Change) (string, error) {
	cmd := c.Cmd
	replace := func(pk *atlas.Index, old, prefix string) error {
		if pk == nil || pk.Name == "" {
			return nil
		}
		n := strings.Count(cmd, old)
		if n == 0 && !strings.Contains(cmd, "PRIMARY KEY (") {
			// Another statement of the same change (DROP INDEX, ...).
			return nil
		}
		if n != 1 {
			return fmt.Errorf("plan: cannot name primary key %s in %q (found %d places)", pk.Name, cmd, n)
		}
		cmd = strings.Replace(cmd, old, prefix+"CONSTRAINT "+schema.QuoteIdent(pk.Name)+" PRIMARY KEY (", 1)
		return nil
	}
	switch src := c.Source.(type) {
	case *atlas.AddTable:
		if !strings.HasPrefix(cmd, "CREATE TABLE") {
			break
		}
		if err := replace(src.T.PrimaryKey, "\n  PRIMARY KEY (", "\n  "); err != nil {
			return "", err
		}
	case *atlas.ModifyTable:
		for _, ch := range src.Changes {
			if ap, ok := ch.(*atlas.AddPrimaryKey); ok {
				if err := replace(ap.P, "ADD PRIMARY KEY (", "ADD "); err != nil {
					return "", err
				}
			}
		}
	}
	return cmd, nil
}

// wrapExcludePredicates puts the predicate of exclusion constraints in
// parentheses, which EXCLUDE ... WHERE (predicate) requires and Atlas's
// planner does not write. The returned function restores them: the
// indexes belong to the desired state.
func wrapExcludePredicates(changes []atlas.Change) (restore func()) {
	var undo []func()
	wrap := func(idx *atlas.Index) {
		if constraintKind(idx) != "x" {
			return
		}
		for _, a := range idx.Attrs {
			if p, ok := a.(*postgres.IndexPredicate); ok && !enclosed(p.P) {
				old := p.P
				p.P = "(" + p.P + ")"
				undo = append(undo, func() { p.P = old })
			}
		}
	}
	for _, c := range changes {
		switch c := c.(type) {
		case *atlas.AddTable:
			for _, idx := range c.T.Indexes {
				wrap(idx)
			}
		case *atlas.ModifyTable:
			for _, x := range c.Changes {
				switch x := x.(type) {
				case *atlas.AddIndex:
					wrap(x.I)
				case *atlas.ModifyIndex:
					wrap(x.To)
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

// enclosed reports whether s is wrapped in one pair of parentheses.
func enclosed(s string) bool {
	if len(s) < 2 || s[0] != '(' || s[len(s)-1] != ')' {
		return false
	}
	depth, quote := 0, byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth == 0 && i != len(s)-1 {
				return false
			}
		}
	}
	return depth == 0
}
