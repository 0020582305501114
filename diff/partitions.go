package diff

import (
	"fmt"
	"slices"
	"strings"

	"github.com/schemactl/schemactl/schema"
)

// Partitions are planned from the catalog alone: Atlas's open-source
// inspection leaves them out. A partition is created with CREATE TABLE ...
// PARTITION OF after Atlas created or changed its parent, so that it gets
// the parent's columns, keys and indexes; what it has of its own (column
// defaults, constraints, indexes, comments) follows.

// partitionChange is how a partition of the starting state is treated.
type partitionChange int

const (
	partitionKept      partitionChange = iota
	partitionReattach                  // detached before, attached with the new bound after
	partitionRecreated                 // dropped before, created after
	partitionDropped
)

// partitionsBefore drops the partitions that go (or must be recreated)
// and detaches those whose bound changes, before Atlas changes tables.
func (p *planner) partitionsBefore() error {
	p.partitions = map[schema.QName]partitionChange{}
	from := p.from.Catalog.Partitions()
	// Children first, so that a partition is detached or dropped before
	// its (sub-partitioned) parent is.
	for i := len(from) - 1; i >= 0; i-- {
		t1 := from[i]
		t2, ok := p.to.Catalog.Table(t1.QName)
		parentGone := p.partitions[*t1.Parent] == partitionRecreated || p.partitions[*t1.Parent] == partitionDropped || p.recreated(*t1.Parent)
		switch {
		case p.schemaDropped(t1.Schema):
			p.partitions[t1.QName] = partitionDropped
		case !ok:
			p.partitions[t1.QName] = partitionDropped
			if !parentGone {
				p.pre = append(p.pre, Stmt{SQL: "DROP TABLE " + t1.QName.String(), Comment: "drop partition " + t1.Name})
			}
		case !t2.IsPartition():
			return fmt.Errorf("partition %s becomes a table of its own: not supported; detach it (ALTER TABLE ... DETACH PARTITION) in a migration of its own first", t1.QName)
		case *t1.Parent != *t2.Parent || t1.PartitionKey != t2.PartitionKey || parentGone:
			p.partitions[t1.QName] = partitionRecreated
			if !parentGone {
				p.pre = append(p.pre, Stmt{SQL: "DROP TABLE " + t1.QName.String(), Comment: fmt.Sprintf("partition %s changes its parent or its partition key: drop it, its rows are lost", t1.Name)})
				p.warnf("partition %s is dropped and created again: its rows are lost", t1.QName)
			}
		case t1.Bound != t2.Bound:
			p.partitions[t1.QName] = partitionReattach
			p.pre = append(p.pre, Stmt{
				SQL:     fmt.Sprintf("ALTER TABLE %s DETACH PARTITION %s", t1.Parent, t1.QName),
				Comment: fmt.Sprintf("partition %s changes its bound: detach it", t1.Name),
			})
		}
	}
	return nil
}

// partitionsAfter creates, attaches and completes partitions once Atlas
// has created and changed their parents.
func (p *planner) partitionsAfter() error {
	for _, t2 := range p.to.Catalog.Partitions() {
		t1, existed := p.from.Catalog.Table(t2.QName)
		state := p.partitions[t2.QName]
		parent, ok := p.to.Catalog.Table(*t2.Parent)
		if !ok {
			return fmt.Errorf("partition %s: its parent %s is not in the desired state's scope", t2.QName, t2.Parent)
		}
		switch {
		case !existed || state == partitionRecreated || state == partitionDropped:
			p.createPartition(t2, parent)
			continue
		case state == partitionReattach:
			p.post = append(p.post, Stmt{
				SQL:     fmt.Sprintf("ALTER TABLE %s ATTACH PARTITION %s %s", t2.Parent, t2.QName, t2.Bound),
				Comment: fmt.Sprintf("attach partition %s with its new bound", t2.Name),
			})
		}
		p.alterPartition(t1, t2)
	}
	return nil
}

func (p *planner) createPartition(t, parent *schema.TableInfo) {
	sql := fmt.Sprintf("CREATE TABLE %s PARTITION OF %s %s", t.QName, t.Parent, t.Bound)
	if t.PartitionKey != "" {
		sql += " PARTITION BY " + t.PartitionKey
	}
	p.post = append(p.post, Stmt{SQL: sql, Comment: fmt.Sprintf("create partition %s of %s", t.Name, t.Parent.Name)})
	// What the partition has of its own, compared with what PARTITION OF
	// gives it: the parent's columns, defaults, keys and indexes.
	var clauses []string
	for _, c := range t.Columns {
		pc, ok := parent.Column(c.Name)
		if !ok {
			continue
		}
		clauses = append(clauses, columnOverrides(c, pc)...)
	}
	p.alterTableClauses(t, clauses)
	p.renamePartitionIndexes(nil, t)
	for _, k := range localConstraints(t) {
		p.post = append(p.post, addPartitionConstraint(t, k))
	}
	for _, idx := range localIndexes(t) {
		p.post = append(p.post, Stmt{SQL: idx.Def, Comment: fmt.Sprintf("create index %s on partition %s", idx.Name, t.Name)})
	}
	p.partitionComments(nil, t)
}

// alterPartition brings what a kept partition has of its own in line.
func (p *planner) alterPartition(t1, t2 *schema.TableInfo) {
	var clauses []string
	for _, c2 := range t2.Columns {
		if c1, ok := t1.Column(c2.Name); ok {
			clauses = append(clauses, columnOverrides(c2, c1)...)
		}
	}
	have := map[string]*schema.ConstraintInfo{}
	for _, k := range localConstraints(t1) {
		have[k.Name] = k
	}
	want := map[string]*schema.ConstraintInfo{}
	for _, k := range localConstraints(t2) {
		want[k.Name] = k
	}
	// Constraints go first: a column of a primary key dropped keeps its
	// NOT NULL until the key is gone.
	var drops []string
	for _, k := range localConstraints(t1) {
		if w, ok := want[k.Name]; (!ok || w.Def != k.Def) && !becomesParents(t1, t2, k) && !p.checkBecomesParents(t1, t2, k) {
			drops = append(drops, "DROP CONSTRAINT IF EXISTS "+schema.QuoteIdent(k.Name))
		}
	}
	p.alterTableClauses(t2, append(drops, clauses...))
	p.renamePartitionIndexes(t1, t2)
	// A unique index of the partition's own that becomes a key of the
	// same name is taken by it.
	takenIdx := map[string]bool{}
	for _, k := range localConstraints(t2) {
		h, ok := have[k.Name]
		if ok && h.Def == k.Def {
			continue
		}
		if i1, i2 := indexNamed(t1, k.Name), indexNamed(t2, k.Name); !ok && i1 != nil && i2 != nil && i1.Parent == "" && i1.Constraint == "" &&
			i2.Parent == "" && (k.Type == 'p' || k.Type == 'u') && schema.IndexBody(i1.Def) == schema.IndexBody(i2.Def) {
			takenIdx[k.Name] = true
			p.post = append(p.post, constraintUsingIndex(t2, k, "with the index of that name"))
			continue
		}
		p.post = append(p.post, addPartitionConstraint(t2, k))
	}
	haveIdx := map[string]*schema.IndexInfo{}
	for _, idx := range localIndexes(t1) {
		haveIdx[idx.Name] = idx
	}
	wantIdx := map[string]*schema.IndexInfo{}
	for _, idx := range localIndexes(t2) {
		wantIdx[idx.Name] = idx
	}
	for _, idx := range localIndexes(t1) {
		if w, ok := wantIdx[idx.Name]; (!ok || w.Def != idx.Def) && !indexBecomesParents(t1, t2, idx) && !takenIdx[idx.Name] {
			p.post = append(p.post, Stmt{SQL: "DROP INDEX IF EXISTS " + schema.QName{Schema: t1.Schema, Name: idx.Name}.String(), Comment: fmt.Sprintf("drop index %s of partition %s", idx.Name, t1.Name)})
		}
	}
	for _, idx := range localIndexes(t2) {
		if h, ok := haveIdx[idx.Name]; !ok || h.Def != idx.Def {
			p.post = append(p.post, Stmt{SQL: idx.Def, Comment: fmt.Sprintf("create index %s on partition %s", idx.Name, t2.Name)})
		}
	}
	p.partitionComments(t1, t2)
}

// becomesParents reports whether a constraint of a partition of its own
// becomes, with the same definition, the partition's part of
// a constraint its parent gains: PostgreSQL attaches it then, it is not
// to be dropped.
func becomesParents(t1, t2 *schema.TableInfo, k *schema.ConstraintInfo) bool {
	for _, k2 := range t2.Constraints {
		if !k2.Inherited || k2.Def != k.Def || k2.Parent == "" {
			continue
		}
		for _, k1 := range t1.Constraints {
			if k1.Parent == k2.Parent {
				return false // the parent has it already
			}
		}
		return true
	}
	return false
}

// checkBecomesParents is becomesParents for a check: PostgreSQL merges
// the partition's check with the parent's new check of the same name and
// expression.
func (p *planner) checkBecomesParents(t1, t2 *schema.TableInfo, k *schema.ConstraintInfo) bool {
	if k.Type != 'c' || t1.Parent == nil {
		return false
	}
	inherited := slices.ContainsFunc(t2.Constraints, func(k2 *schema.ConstraintInfo) bool {
		return k2.Type == 'c' && k2.Name == k.Name && k2.Def == k.Def && k2.Inherited
	})
	parent, ok := p.from.Catalog.Table(*t1.Parent)
	if !inherited || !ok {
		return false
	}
	return !slices.ContainsFunc(parent.Constraints, func(k1 *schema.ConstraintInfo) bool { return k1.Type == 'c' && k1.Name == k.Name })
}

// indexBecomesParents is becomesParents for an index: the parent's new
// index (CREATE INDEX on the partitioned table) attaches the partition's
// index of the same definition.
func indexBecomesParents(t1, t2 *schema.TableInfo, idx *schema.IndexInfo) bool {
	for _, i2 := range t2.Indexes {
		if i2.Parent == "" || schema.IndexBody(i2.Def) != schema.IndexBody(idx.Def) {
			continue
		}
		for _, i1 := range t1.Indexes {
			if i1.Parent == i2.Parent {
				return false
			}
		}
		return true
	}
	return false
}

func (p *planner) alterTableClauses(t *schema.TableInfo, clauses []string) {
	if len(clauses) == 0 {
		return
	}
	p.post = append(p.post, Stmt{
		SQL:     fmt.Sprintf("ALTER TABLE %s\n  %s", t.QName, strings.Join(clauses, ",\n  ")),
		Comment: fmt.Sprintf("set the columns of partition %s", t.Name),
	})
}

// columnOverrides returns the ALTER COLUMN clauses that turn a column
// like have into one like want (default and NOT NULL, the properties a
// partition may have of its own).
func columnOverrides(want, have *schema.ColumnInfo) []string {
	var out []string
	col := schema.QuoteIdent(want.Name)
	if want.Default != have.Default && want.Generated == "" {
		if want.Default == "" {
			out = append(out, "ALTER COLUMN "+col+" DROP DEFAULT")
		} else {
			out = append(out, "ALTER COLUMN "+col+" SET DEFAULT "+want.Default)
		}
	}
	if want.NotNull != have.NotNull {
		if want.NotNull {
			out = append(out, "ALTER COLUMN "+col+" SET NOT NULL")
		} else {
			out = append(out, "ALTER COLUMN "+col+" DROP NOT NULL")
		}
	}
	return out
}

// localConstraints are the constraints a partition has of its own,
// foreign keys aside (fkeys.go).
func localConstraints(t *schema.TableInfo) []*schema.ConstraintInfo {
	var out []*schema.ConstraintInfo
	for _, k := range t.Constraints {
		if !k.Inherited && k.Type != 'f' {
			out = append(out, k)
		}
	}
	return out
}

// localIndexes are the indexes a partition has of its own (not those it
// has for an index or key of its parent, nor those behind its own keys).
func localIndexes(t *schema.TableInfo) []*schema.IndexInfo {
	var out []*schema.IndexInfo
	for _, idx := range t.Indexes {
		if idx.Parent == "" && idx.Constraint == "" {
			out = append(out, idx)
		}
	}
	return out
}

func addConstraint(t *schema.TableInfo, k *schema.ConstraintInfo) Stmt {
	return Stmt{
		SQL:     fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s %s", t.QName, schema.QuoteIdent(k.Name), k.Def),
		Comment: fmt.Sprintf("add constraint %s to partition %s", k.Name, t.Name),
	}
}

// partitionComments sets the comments of a partition, its columns,
// constraints and indexes that differ from before (nil: a new partition).
func (p *planner) partitionComments(t1, t2 *schema.TableInfo) {
	old := func(get func(*schema.TableInfo) (string, bool)) string {
		if t1 == nil {
			return ""
		}
		s, _ := get(t1)
		return s
	}
	if t2.Comment != old(func(t *schema.TableInfo) (string, bool) { return t.Comment, true }) {
		p.post = append(p.post, commentStmt("TABLE "+t2.QName.String(), t2.Comment))
	}
	for _, c := range t2.Columns {
		name := c.Name
		if c.Comment != old(func(t *schema.TableInfo) (string, bool) {
			if c1, ok := t.Column(name); ok {
				return c1.Comment, true
			}
			return "", false
		}) {
			p.post = append(p.post, commentStmt("COLUMN "+t2.QName.String()+"."+schema.QuoteIdent(c.Name), c.Comment))
		}
	}
	for _, idx := range localIndexes(t2) {
		name := idx.Name
		if idx.Comment != old(func(t *schema.TableInfo) (string, bool) {
			for _, i := range t.Indexes {
				if i.Name == name {
					return i.Comment, true
				}
			}
			return "", false
		}) {
			p.post = append(p.post, commentStmt("INDEX "+schema.QName{Schema: t2.Schema, Name: idx.Name}.String(), idx.Comment))
		}
	}
}
