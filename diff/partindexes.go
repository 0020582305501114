package diff

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/schemactl/schemactl/schema"
)

// A partition's part of a partitioned index (its index attached to the
// parent's) has a name of its own, which later statements use and pg_dump
// writes. PostgreSQL names the index it creates for a partition itself
// (CREATE TABLE ... PARTITION OF, CREATE INDEX on the parent), or attaches
// an index of the partition of the same definition; the plan renames what
// it gets that way to the desired state's name.

// relNames tracks the relation and constraint names of a schema as the plan
// goes, so that the names PostgreSQL chooses can be told beforehand.
type relNames struct {
	rels, cons map[string]bool
}

// partitionIndexNames returns, per schema, the relation and constraint
// names that exist when the plan creates partitions: those of the desired
// state's tables, sequences and indexes of their own, and what the
// starting state keeps.
func (p *planner) partitionIndexNames() map[string]*relNames {
	out := map[string]*relNames{}
	get := func(s string) *relNames {
		if out[s] == nil {
			out[s] = &relNames{rels: map[string]bool{}, cons: map[string]bool{}}
		}
		return out[s]
	}
	for _, t := range p.to.Catalog.Tables {
		n := get(t.Schema)
		n.rels[t.Name] = true
		for _, idx := range t.Indexes {
			if idx.Parent == "" {
				n.rels[idx.Name] = true
			}
		}
		for _, k := range t.Constraints {
			if !k.Inherited {
				n.cons[k.Name] = true
			}
		}
	}
	for _, s := range p.to.Catalog.Sequences {
		get(s.Schema).rels[s.Name] = true
	}
	for _, t1 := range p.from.Catalog.Tables {
		t2, ok := p.to.Catalog.Table(t1.QName)
		if !ok || p.recreated(t1.QName) {
			continue
		}
		if st := p.partitions[t1.QName]; t1.IsPartition() && (st == partitionRecreated || st == partitionDropped) {
			continue
		}
		n := get(t1.Schema)
		var parent1, parent2 *schema.TableInfo
		if t1.Parent != nil && t2.Parent != nil {
			parent1, _ = p.from.Catalog.Table(*t1.Parent)
			parent2, _ = p.to.Catalog.Table(*t2.Parent)
		}
		for _, i1 := range t1.Indexes {
			kept := false
			if i1.Parent == "" {
				i2 := indexNamed(t2, i1.Name)
				kept = i2 != nil && i2.Def == i1.Def
			} else if parent1 != nil && parent2 != nil {
				// Kept while the parent's index is.
				pi1, pi2 := indexNamed(parent1, i1.Parent), indexNamed(parent2, i1.Parent)
				kept = pi1 != nil && pi2 != nil && pi1.Def == pi2.Def && pi1.Constraint == pi2.Constraint
			}
			if kept {
				n.rels[i1.Name] = true
				if i1.Constraint != "" {
					n.cons[i1.Name] = true
				}
			}
		}
	}
	return out
}

// renamePartitionIndexes renames the indexes partition t2 got for its
// parent's indexes (created by PostgreSQL or attached from its own) to
// the desired state's names. t1 is the partition as it was, nil when it is
// created.
func (p *planner) renamePartitionIndexes(t1, t2 *schema.TableInfo) {
	if p.relNames == nil {
		p.relNames = p.partitionIndexNames()
	}
	names := p.relNames[t2.Schema]
	parent, ok := p.to.Catalog.Table(*t2.Parent)
	if !ok {
		return
	}
	var parent1 *schema.TableInfo
	if t1 != nil && t1.Parent != nil {
		parent1, _ = p.from.Catalog.Table(*t1.Parent)
	}
	// PostgreSQL names a partition's indexes in the order their parent's
	// indexes are created (_idx, then _idx1, ...): the order of the
	// parent's indexes in the plan, not of the partition's names.
	order := map[string]int{}
	for i, pi := range parent.Indexes {
		order[pi.Name] = i
	}
	idxs := slices.Clone(t2.Indexes)
	slices.SortStableFunc(idxs, func(a, b *schema.IndexInfo) int { return order[a.Parent] - order[b.Parent] })
	var renames []partRename
	for _, i2 := range idxs {
		if i2.Parent == "" {
			continue
		}
		pi := indexNamed(parent, i2.Parent)
		if pi == nil {
			continue
		}
		cur := ""
		if t1 != nil {
			cur = p.currentPartitionIndex(t1, parent1, pi, i2)
		}
		if cur == "" {
			cur = choosePartitionIndexName(t2.Name, pi, parent, names)
		}
		names.rels[cur] = true
		if pi.Constraint != "" {
			names.cons[cur] = true
		}
		if cur == i2.Name {
			continue
		}
		renames = append(renames, partRename{from: cur, to: i2.Name, parent: i2.Parent})
	}
	// The renames run once PostgreSQL has named them all.
	for _, r := range renames {
		delete(names.rels, r.from)
		delete(names.cons, r.from)
	}
	for _, r := range renames {
		names.rels[r.to] = true
	}
	p.post = append(p.post, partitionRenameStmts(t2, renames)...)
}

// partRename is one rename of a partition's index to its desired name.
type partRename struct{ from, to, parent string }

// partitionRenameStmts writes the renames of a partition's indexes. A
// desired name can be the one PostgreSQL gave another of them (it numbers
// the names in the order it creates the indexes: _idx, _idx1, ...): such
// an index first takes a name of its own for the time of the renames.
func partitionRenameStmts(t *schema.TableInfo, renames []partRename) []Stmt {
	from := map[string]bool{}
	for _, r := range renames {
		from[r.from] = true
	}
	var first, last []Stmt
	rename := func(a, b string) string {
		return fmt.Sprintf("ALTER INDEX %s RENAME TO %s", schema.QName{Schema: t.Schema, Name: a}, schema.QuoteIdent(b))
	}
	for i, r := range renames {
		comment := fmt.Sprintf("the index of partition %s for %s is named %s", t.Name, r.parent, r.to)
		if !from[r.to] {
			first = append(first, Stmt{SQL: rename(r.from, r.to), Comment: comment})
			continue
		}
		tmp := fmt.Sprintf("schemactl_rename_%d_%s", i, r.from)
		if len(tmp) > 63 {
			tmp = tmp[:63]
		}
		first = append([]Stmt{{SQL: rename(r.from, tmp), Comment: comment + " (its name is another's for now)"}}, first...)
		last = append(last, Stmt{SQL: rename(tmp, r.to), Comment: comment})
	}
	return append(first, last...)
}

// currentPartitionIndex is the name the kept partition t1 has, once
// Atlas's changes ran, for its parent's index pi: its index attached to
// it already, or one of its own that PostgreSQL attaches when the
// parent's index is created. "" when PostgreSQL creates one.
func (p *planner) currentPartitionIndex(t1, parent1 *schema.TableInfo, pi, i2 *schema.IndexInfo) string {
	if parent1 != nil {
		if pi1 := indexNamed(parent1, pi.Name); pi1 != nil && pi1.Def == pi.Def && pi1.Constraint == pi.Constraint {
			for _, i1 := range t1.Indexes {
				if i1.Parent == pi.Name {
					return i1.Name
				}
			}
		}
	}
	for _, i1 := range t1.Indexes {
		if i1.Parent != "" || schema.IndexBody(i1.Def) != schema.IndexBody(i2.Def) {
			continue
		}
		if pi.Constraint != "" && i1.Constraint == "" {
			continue // a key's index attaches only an index behind a key
		}
		return i1.Name
	}
	return ""
}

func indexNamed(t *schema.TableInfo, name string) *schema.IndexInfo {
	for _, idx := range t.Indexes {
		if idx.Name == name {
			return idx
		}
	}
	return nil
}

// choosePartitionIndexName is the name PostgreSQL gives the index it
// creates on partition table for the parent's index pi (ChooseIndexName:
// <table>_pkey, or <table>_<columns>_key, _excl or _idx, with a number
// after the label while the name is taken).
func choosePartitionIndexName(table string, pi *schema.IndexInfo, parent *schema.TableInfo, names *relNames) string {
	label, cols, constraint := "idx", strings.Join(indexNameColumns(pi.AttNames), "_"), false
	if pi.Constraint != "" {
		constraint = true
		for _, k := range parent.Constraints {
			if k.Name != pi.Constraint {
				continue
			}
			switch k.Type {
			case 'p':
				label, cols = "pkey", ""
			case 'x':
				label = "excl"
			default:
				label = "key"
			}
		}
	}
	for pass := 0; ; pass++ {
		l := label
		if pass > 0 {
			l += strconv.Itoa(pass)
		}
		name := makeObjectName(table, cols, l)
		if !names.rels[name] && (!constraint || !names.cons[name]) {
			return name
		}
	}
}

// indexNameColumns is ChooseIndexNameAddition's input cut as it cuts it:
// names joined until the result reaches NAMEDATALEN.
func indexNameColumns(names []string) []string {
	n := 0
	for i, s := range names {
		if i > 0 {
			n++
		}
		n += len(s)
		if n >= 64 {
			return names[:i+1]
		}
	}
	return names
}

// makeObjectName is PostgreSQL's makeObjectName: name1_name2_label, name1
// and name2 shortened (the longer first) to fit in 63 bytes.
func makeObjectName(name1, name2, label string) string {
	overhead := len(label) + 1
	if name2 != "" {
		overhead++
	}
	n1, n2 := len(name1), len(name2)
	for n1+n2 > 63-overhead {
		if n1 > n2 {
			n1--
		} else {
			n2--
		}
	}
	out := clipUTF8(name1, n1)
	if name2 != "" {
		out += "_" + clipUTF8(name2, n2)
	}
	return out + "_" + label
}

// clipUTF8 cuts s to at most n bytes without splitting a character.
func clipUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// addPartitionConstraint adds a partition's own primary key or unique
// constraint; one whose index is the partition's part of an index of the
// parent takes that index (renamed to the constraint's name before), since
// PostgreSQL would otherwise build another index for it.
func addPartitionConstraint(t *schema.TableInfo, k *schema.ConstraintInfo) Stmt {
	idx := indexNamed(t, k.Name)
	if idx == nil || idx.Parent == "" || (k.Type != 'p' && k.Type != 'u') {
		return addConstraint(t, k)
	}
	return constraintUsingIndex(t, k, "with its index for "+idx.Parent)
}

// constraintUsingIndex adds primary key or unique constraint k of
// partition t on the partition's index of the same name.
func constraintUsingIndex(t *schema.TableInfo, k *schema.ConstraintInfo, how string) Stmt {
	kind := "UNIQUE"
	if k.Type == 'p' {
		kind = "PRIMARY KEY"
	}
	sql := fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s %s USING INDEX %s", t.QName, schema.QuoteIdent(k.Name), kind, schema.QuoteIdent(k.Name))
	if i := strings.Index(k.Def, " DEFERRABLE"); i >= 0 {
		sql += k.Def[i:]
	}
	return Stmt{SQL: sql, Comment: fmt.Sprintf("add constraint %s to partition %s %s", k.Name, t.Name, how)}
}
