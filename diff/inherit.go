package diff

import (
	"fmt"
	"slices"
	"strings"

	"ariga.io/atlas/sql/migrate"
	atlas "ariga.io/atlas/sql/schema"

	"github.com/schemactl/schemactl/schema"
)

// Table inheritance. A relationship that goes is removed first (ALTER
// TABLE ... NO INHERIT: the child keeps its columns, now its own), so that
// parent and child can then be changed or dropped in any order. A new
// child table is created by Atlas's CREATE TABLE with INHERITS (parents)
// added and only the columns and checks it has of its own: it gets the
// others from its parents, after which the defaults and NOT NULL it has
// of its own are set. An existing table that gains a parent gets the
// parent's columns and checks it lacks (Atlas's plan), then ALTER TABLE
// ... INHERIT; PostgreSQL counts such columns as both its own and
// inherited. The columns and checks a child inherits through a parent it
// keeps are hidden from Atlas: a change of the parent's column or check
// reaches the children by itself.

// inheritance is what the planner knows about inheritance.
type inheritance struct {
	// newChildren are the tables Atlas creates with INHERITS, by the
	// Atlas table of the desired state.
	newChildren map[*atlas.Table]*schema.TableInfo
	// hiddenCols are the columns hidden from Atlas, by child.
	hiddenCols map[schema.QName]map[string]bool
	// rejoined are the parents a child leaves and joins again, by child.
	rejoined map[schema.QName]map[schema.QName]bool
}

// keptParents are the parents a child has in both states, those it
// leaves for a moment aside (rejoined).
func (p *planner) keptParents(t1, t2 *schema.TableInfo) []schema.QName {
	var out []schema.QName
	if t1 == nil || t2 == nil {
		return nil
	}
	for _, q := range t2.Inherits {
		if t1.InheritsFrom(q) && !p.inherit.rejoined[t2.QName][q] {
			out = append(out, q)
		}
	}
	return out
}

// rejoins reports whether the child must leave the parent and join it
// again: the parent drops a column or check that the child keeps as its
// own, which PostgreSQL would drop from the child too; after NO INHERIT
// the child's columns and checks are its own.
func (p *planner) rejoins(t1, t2 *schema.TableInfo, parent schema.QName) bool {
	p1, ok1 := p.from.Catalog.Table(parent)
	p2, ok2 := p.to.Catalog.Table(parent)
	if !ok1 || !ok2 {
		return false
	}
	for _, c2 := range t2.Columns {
		c1, ok := t1.Column(c2.Name)
		_, inP1 := p1.Column(c2.Name)
		_, inP2 := p2.Column(c2.Name)
		if ok && !c1.Local && c2.Local && inP1 && !inP2 {
			return true
		}
	}
	check := func(t *schema.TableInfo, name string) *schema.ConstraintInfo {
		for _, k := range t.Constraints {
			if k.Type == 'c' && k.Name == name {
				return k
			}
		}
		return nil
	}
	for _, k2 := range t2.Constraints {
		if k2.Type != 'c' || !k2.Local {
			continue
		}
		k1 := check(t1, k2.Name)
		if k1 != nil && !k1.Local && check(p1, k2.Name) != nil && check(p2, k2.Name) == nil {
			return true
		}
	}
	return false
}

// inheritBefore removes the relationships that go.
func (p *planner) inheritBefore() error {
	p.inherit = inheritance{
		newChildren: map[*atlas.Table]*schema.TableInfo{},
		hiddenCols:  map[schema.QName]map[string]bool{},
		rejoined:    map[schema.QName]map[schema.QName]bool{},
	}
	for _, t1 := range p.from.Catalog.Tables {
		if p.schemaDropped(t1.Schema) {
			continue
		}
		t2, _ := p.to.Catalog.Table(t1.QName)
		for _, q := range t1.Inherits {
			comment := fmt.Sprintf("table %s no longer inherits from %s (it keeps its columns)", t1.Name, q.Name)
			if t2 != nil && t2.InheritsFrom(q) {
				if !p.rejoins(t1, t2, q) {
					continue
				}
				if p.inherit.rejoined[t1.QName] == nil {
					p.inherit.rejoined[t1.QName] = map[schema.QName]bool{}
				}
				p.inherit.rejoined[t1.QName][q] = true
				comment = fmt.Sprintf("table %s leaves %s for a moment: it keeps what %s drops", t1.Name, q.Name, q.Name)
			}
			p.pre = append(p.pre, Stmt{
				SQL:     fmt.Sprintf("ALTER TABLE %s NO INHERIT %s", t1.QName, q),
				Comment: comment,
			})
		}
	}
	return nil
}

// hiddenFromAtlas tells which columns and checks of a child Atlas must not
// see, in the starting and in the desired state.
func (p *planner) hiddenFromAtlas(q schema.QName) (fromCols, toCols, fromChecks, toChecks map[string]bool) {
	fromCols, toCols, fromChecks, toChecks = map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	t1, ok1 := p.from.Catalog.Table(q)
	t2, ok2 := p.to.Catalog.Table(q)
	if !ok1 {
		t1 = nil
	}
	if !ok2 {
		t2 = nil
	}
	newChild := t2 != nil && len(t2.Inherits) > 0 && t1 == nil
	kept := p.keptParents(t1, t2)
	supplies := func(c *schema.Catalog, col string) bool {
		for _, pq := range kept {
			if pt, ok := c.Table(pq); ok {
				if _, ok := pt.Column(col); ok {
					return true
				}
			}
		}
		return false
	}
	hasCheck := func(c *schema.Catalog, name string) bool {
		for _, pq := range kept {
			if pt, ok := c.Table(pq); ok && slices.ContainsFunc(pt.Constraints, func(k *schema.ConstraintInfo) bool { return k.Type == 'c' && k.Name == name }) {
				return true
			}
		}
		return false
	}
	var colNames, checkNames []string
	for _, t := range []*schema.TableInfo{t1, t2} {
		if t == nil {
			continue
		}
		for _, c := range t.Columns {
			colNames = append(colNames, c.Name)
		}
		for _, k := range t.Constraints {
			if k.Type == 'c' {
				checkNames = append(checkNames, k.Name)
			}
		}
	}
	col := func(t *schema.TableInfo, name string) *schema.ColumnInfo {
		if t == nil {
			return nil
		}
		c, _ := t.Column(name)
		return c
	}
	check := func(t *schema.TableInfo, name string) *schema.ConstraintInfo {
		if t == nil {
			return nil
		}
		for _, k := range t.Constraints {
			if k.Type == 'c' && k.Name == name {
				return k
			}
		}
		return nil
	}
	for _, name := range colNames {
		c1, c2 := col(t1, name), col(t2, name)
		hideTo := c2 != nil && !c2.Local && (newChild || supplies(p.to.Catalog, name))
		hideFrom := c1 != nil && !c1.Local && supplies(p.from.Catalog, name)
		fromCols[name] = c1 != nil && (hideFrom || hideTo)
		toCols[name] = c2 != nil && (hideTo || hideFrom)
	}
	for _, name := range checkNames {
		k1, k2 := check(t1, name), check(t2, name)
		hideTo := k2 != nil && k2.Inherited && !k2.Local && (newChild || hasCheck(p.to.Catalog, name))
		hideFrom := k1 != nil && k1.Inherited && !k1.Local && hasCheck(p.from.Catalog, name)
		fromChecks[name] = k1 != nil && (hideFrom || hideTo)
		toChecks[name] = k2 != nil && (hideTo || hideFrom)
	}
	return fromCols, toCols, fromChecks, toChecks
}

// hideInherited takes the inherited columns and checks out of both
// Realms for Atlas's diff; the returned function puts them back.
func (p *planner) hideInherited() (restore func()) {
	var undo []func()
	children := map[schema.QName]bool{}
	for _, c := range []*schema.Catalog{p.from.Catalog, p.to.Catalog} {
		for _, t := range c.Tables {
			if len(t.Inherits) > 0 {
				children[t.QName] = true
			}
		}
	}
	if len(children) == 0 {
		return func() {}
	}
	hide := func(t *atlas.Table, cols, checks map[string]bool) {
		oldCols, oldAttrs := t.Columns, t.Attrs
		colAttrs := map[*atlas.Column][]atlas.Attr{}
		isHiddenCheck := func(a atlas.Attr) bool {
			ck, ok := a.(*atlas.Check)
			return ok && checks[ck.Name]
		}
		t.Columns = slices.DeleteFunc(slices.Clone(t.Columns), func(c *atlas.Column) bool { return cols[c.Name] })
		t.Attrs = slices.DeleteFunc(slices.Clone(t.Attrs), isHiddenCheck)
		for _, c := range oldCols {
			colAttrs[c] = c.Attrs
			c.Attrs = slices.DeleteFunc(slices.Clone(c.Attrs), isHiddenCheck)
		}
		undo = append(undo, func() {
			t.Columns, t.Attrs = oldCols, oldAttrs
			for c, a := range colAttrs {
				c.Attrs = a
			}
		})
	}
	for q := range children {
		fromCols, toCols, fromChecks, toChecks := p.hiddenFromAtlas(q)
		p.inherit.hiddenCols[q] = toCols
		if s, ok := p.from.Realm.Schema(q.Schema); ok {
			if t, ok := s.Table(q.Name); ok {
				hide(t, fromCols, fromChecks)
			}
		}
		if s, ok := p.to.Realm.Schema(q.Schema); ok {
			if t, ok := s.Table(q.Name); ok {
				hide(t, toCols, toChecks)
				if t2, _ := p.to.Catalog.Table(q); len(t2.Inherits) > 0 {
					if _, existed := p.from.Catalog.Table(q); !existed || p.recreated(q) {
						p.inherit.newChildren[t] = t2
					}
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

// inheritCreates adds INHERITS to Atlas's CREATE TABLE of new children,
// and moves the statements that create a child after those that create
// its parents.
func (p *planner) inheritCreates(changes []*migrate.Change) []*migrate.Change {
	if len(p.inherit.newChildren) == 0 {
		return changes
	}
	created := map[schema.QName]*atlas.Table{}
	for _, c := range changes {
		if at, ok := c.Source.(*atlas.AddTable); ok && at.T.Schema != nil {
			created[schema.QName{Schema: at.T.Schema.Name, Name: at.T.Name}] = at.T
		}
	}
	for _, c := range changes {
		at, ok := c.Source.(*atlas.AddTable)
		if !ok {
			continue
		}
		ti, ok := p.inherit.newChildren[at.T]
		if !ok || !strings.HasPrefix(c.Cmd, "CREATE TABLE") {
			continue
		}
		names := make([]string, len(ti.Inherits))
		for i, q := range ti.Inherits {
			names[i] = q.String()
		}
		// Atlas writes "(," when the table has no column of its own.
		c.Cmd = strings.Replace(c.Cmd, " (,\n", " (\n", 1)
		c.Cmd = strings.TrimRight(c.Cmd, " \n") + " INHERITS (" + strings.Join(names, ", ") + ")"
	}
	// Children after their parents: move each child's statements after
	// the last statement creating one of its parents, until none moves.
	for moved, rounds := true, 0; moved && rounds < len(changes); rounds++ {
		moved = false
		for child, ti := range p.inherit.newChildren {
			first := slices.IndexFunc(changes, func(c *migrate.Change) bool { return sourceTable(c) == child })
			last := -1
			for _, q := range ti.Inherits {
				if pt, ok := created[q]; ok {
					for i, c := range changes {
						if sourceTable(c) == pt && i > last {
							last = i
						}
					}
				}
			}
			if first < 0 || last < first {
				continue
			}
			var mine, rest []*migrate.Change
			for i, c := range changes {
				if sourceTable(c) == child && i < last {
					mine = append(mine, c)
				} else {
					rest = append(rest, c)
				}
			}
			at := slices.IndexFunc(rest, func(c *migrate.Change) bool { return c == changes[last] })
			changes = slices.Concat(rest[:at+1], mine, rest[at+1:])
			moved = true
		}
	}
	return changes
}

func sourceTable(c *migrate.Change) *atlas.Table {
	if at, ok := c.Source.(*atlas.AddTable); ok {
		return at.T
	}
	return nil
}

// inheritAfter adds the new relationships of existing tables and sets
// what children have of their own on the columns they inherit.
func (p *planner) inheritAfter() error {
	for _, t2 := range p.to.Catalog.Tables {
		if len(t2.Inherits) == 0 {
			continue
		}
		t1, existed := p.from.Catalog.Table(t2.QName)
		existed = existed && !p.recreated(t2.QName)
		if existed {
			for _, q := range t2.Inherits {
				if !t1.InheritsFrom(q) || p.inherit.rejoined[t2.QName][q] {
					p.post = append(p.post, Stmt{
						SQL:     fmt.Sprintf("ALTER TABLE %s INHERIT %s", t2.QName, q),
						Comment: fmt.Sprintf("table %s inherits from %s", t2.Name, q.Name),
					})
				}
			}
		}
		var clauses []string
		var comments []Stmt
		for _, c2 := range t2.Columns {
			if !p.inherit.hiddenCols[t2.QName][c2.Name] {
				continue
			}
			have, oldComment := p.inheritedColumn(t1, t2, c2.Name, existed)
			if have == nil {
				continue
			}
			clauses = append(clauses, columnOverrides(c2, have)...)
			if c2.Comment != oldComment {
				comments = append(comments, commentStmt("COLUMN "+t2.QName.String()+"."+schema.QuoteIdent(c2.Name), c2.Comment))
			}
		}
		if len(clauses) > 0 {
			p.post = append(p.post, Stmt{
				SQL:     fmt.Sprintf("ALTER TABLE ONLY %s\n  %s", t2.QName, strings.Join(clauses, ",\n  ")),
				Comment: fmt.Sprintf("set what table %s has of its own on the columns it inherits", t2.Name),
			})
		}
		p.post = append(p.post, comments...)
	}
	return nil
}

// inheritedColumn returns what an inherited column of a child is like
// once the plan's other statements ran: a new child's column is its first
// parent's; an existing child's keeps its own default and NOT NULL unless
// its parent's change (the change reaches the children).
func (p *planner) inheritedColumn(t1, t2 *schema.TableInfo, name string, existed bool) (*schema.ColumnInfo, string) {
	parentCol := func(c *schema.Catalog, parents []schema.QName) *schema.ColumnInfo {
		for _, q := range parents {
			if pt, ok := c.Table(q); ok {
				if col, ok := pt.Column(name); ok {
					return col
				}
			}
		}
		return nil
	}
	if !existed {
		return parentCol(p.to.Catalog, t2.Inherits), ""
	}
	c1, ok := t1.Column(name)
	if !ok {
		// Added to a parent: the child gets the parent's.
		return parentCol(p.to.Catalog, t2.Inherits), ""
	}
	have := *c1
	kept := p.keptParents(t1, t2)
	pf, pt := parentCol(p.from.Catalog, kept), parentCol(p.to.Catalog, kept)
	if pf != nil && pt != nil {
		if pf.Default != pt.Default {
			have.Default = pt.Default
		}
		if pf.NotNull != pt.NotNull {
			have.NotNull = pt.NotNull
		}
	}
	return &have, c1.Comment
}
