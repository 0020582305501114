package erd

import (
	"fmt"
	"sort"
	"strings"

	"ariga.io/atlas/sql/postgres"
	atlas "ariga.io/atlas/sql/schema"

	"github.com/schemactl/schemactl/schema"
)

// Build makes the diagram of a state: its tables (partitions folded into
// their partitioned table, whose foreign keys they carry), views,
// materialized views and foreign tables, and a relationship per foreign
// key between two of them.
func Build(st *schema.State) (*Diagram, error) {
	if st == nil || st.Realm == nil {
		return nil, fmt.Errorf("erd: no state to draw")
	}
	b := &builder{st: st, d: &Diagram{}, byName: map[Name]*Entity{}}
	for _, s := range st.Realm.Schemas {
		for _, t := range s.Tables {
			b.table(s.Name, t)
		}
	}
	for _, s := range st.Realm.Schemas {
		for _, o := range s.Objects {
			switch o := o.(type) {
			case *schema.PgView:
				b.view(o)
			case *schema.PgForeignTable:
				b.foreign(o)
			}
		}
	}
	for _, s := range st.Realm.Schemas {
		for _, t := range s.Tables {
			for _, fk := range t.ForeignKeys {
				b.foreignKey(s.Name, t, fk)
			}
		}
	}
	if err := b.partitions(); err != nil {
		return nil, err
	}
	b.d.sort()
	return b.d, nil
}

type builder struct {
	st     *schema.State
	d      *Diagram
	byName map[Name]*Entity
}

func (b *builder) add(e *Entity) {
	if _, ok := b.byName[e.Name]; ok {
		return
	}
	b.byName[e.Name] = e
	b.d.Entities = append(b.d.Entities, e)
}

// info returns the catalog's view of a table, nil when it has none.
func (b *builder) info(n Name) *schema.TableInfo {
	if b.st.Catalog == nil {
		return nil
	}
	ti, ok := b.st.Catalog.Table(schema.QName{Schema: n.Schema, Name: n.Name})
	if !ok {
		return nil
	}
	return ti
}

func (b *builder) table(schemaName string, t *atlas.Table) {
	e := &Entity{Name: Name{schemaName, t.Name}, Kind: KindTable}
	ti := b.info(e.Name)
	if ti != nil {
		if ti.Kind == 'p' {
			e.Kind = KindPartitioned
			e.PartitionKey = ti.PartitionKey
		}
		for _, p := range ti.Inherits {
			e.Inherits = append(e.Inherits, Name{p.Schema, p.Name})
		}
		e.Comment = ti.Comment
		e.details = tableDetails(ti)
	}
	pk := map[string]bool{}
	if t.PrimaryKey != nil {
		for _, p := range t.PrimaryKey.Parts {
			if p.C != nil {
				pk[p.C.Name] = true
			}
		}
	}
	uk := map[string]bool{}
	for _, idx := range uniqueKeys(t) {
		if len(idx) == 1 {
			uk[idx[0]] = true
		}
	}
	fk := map[string]bool{}
	for _, k := range t.ForeignKeys {
		for _, c := range k.Columns {
			fk[c.Name] = true
		}
	}
	for _, c := range t.Columns {
		a := &Attr{Name: c.Name, PK: pk[c.Name], FK: fk[c.Name], UK: uk[c.Name] && !pk[c.Name]}
		a.NotNull = c.Type != nil && !c.Type.Null
		if c.Type != nil {
			a.Type = c.Type.Raw
		}
		if ti != nil {
			if ci, ok := ti.Column(c.Name); ok {
				a.Type = shortType(ci.Type, schemaName)
				a.NotNull = ci.NotNull
				a.Comment = ci.Comment
				a.details = columnDetails(ci)
			}
		}
		e.Attrs = append(e.Attrs, a)
	}
	b.add(e)
}

// uniqueKeys lists the column sets that are unique in the table: the
// primary key and the unique indexes on columns only, without predicate.
func uniqueKeys(t *atlas.Table) [][]string {
	var out [][]string
	cols := func(idx *atlas.Index) []string {
		var cs []string
		for _, p := range idx.Parts {
			if p.C == nil {
				return nil
			}
			cs = append(cs, p.C.Name)
		}
		return cs
	}
	if t.PrimaryKey != nil {
		if cs := cols(t.PrimaryKey); cs != nil {
			out = append(out, cs)
		}
	}
	for _, idx := range t.Indexes {
		if !idx.Unique || partial(idx) {
			continue
		}
		if cs := cols(idx); cs != nil {
			out = append(out, cs)
		}
	}
	return out
}

func partial(idx *atlas.Index) bool {
	for _, a := range idx.Attrs {
		if p, ok := a.(*postgres.IndexPredicate); ok && p.P != "" {
			return true
		}
	}
	return false
}

func (b *builder) view(v *schema.PgView) {
	ref := v.Ref()
	e := &Entity{Name: Name{ref.Schema, ref.Name}, Kind: KindView, Comment: v.Comment}
	if v.Materialized {
		e.Kind = KindMatView
	}
	for _, c := range v.Columns {
		e.Attrs = append(e.Attrs, &Attr{Name: c.Name, Type: shortType(c.Type, ref.Schema), Comment: c.Comment})
	}
	reads := map[Name]bool{}
	for _, d := range v.Deps() {
		switch d.Kind {
		case schema.PgKindColumn, schema.PgKindTable, schema.PgKindView, schema.PgKindMatView, schema.PgKindForeignTable:
			n := Name{d.Schema, d.Name}
			if n != e.Name {
				reads[n] = true
			}
		}
	}
	for n := range reads {
		e.Reads = append(e.Reads, n)
	}
	sortNames(e.Reads)
	idx := make([]string, 0, len(v.Indexes))
	for _, i := range v.Indexes {
		idx = append(idx, i.Def)
	}
	sort.Strings(idx)
	e.details = v.Def + "\x00" + strings.Join(v.Options, ",") + "\x00" + v.CheckOption + "\x00" + strings.Join(idx, "\x00")
	b.add(e)
}

func (b *builder) foreign(f *schema.PgForeignTable) {
	ref := f.Ref()
	e := &Entity{Name: Name{ref.Schema, ref.Name}, Kind: KindForeign, Comment: f.Comment}
	for _, c := range f.Columns {
		e.Attrs = append(e.Attrs, &Attr{
			Name: unquote(c.Name), Type: shortType(c.Type, ref.Schema), NotNull: c.NotNull, Comment: c.Comment,
			details: c.Default + "\x00" + c.Collation + "\x00" + strings.Join(c.Options, ","),
		})
	}
	e.details = f.Server + "\x00" + strings.Join(f.Checks, "\x00") + "\x00" + strings.Join(f.Options, ",")
	b.add(e)
}

func (b *builder) foreignKey(schemaName string, t *atlas.Table, fk *atlas.ForeignKey) {
	if fk.RefTable == nil {
		return
	}
	refSchema := schemaName
	if fk.RefTable.Schema != nil {
		refSchema = fk.RefTable.Schema.Name
	}
	r := &Relation{Name: fk.Symbol, Child: Name{schemaName, t.Name}, Parent: b.root(Name{refSchema, fk.RefTable.Name})}
	for _, c := range fk.Columns {
		r.Columns = append(r.Columns, c.Name)
	}
	for _, c := range fk.RefColumns {
		r.RefColumns = append(r.RefColumns, c.Name)
	}
	r.details = string(fk.OnUpdate) + "\x00" + string(fk.OnDelete)
	b.relate(r, uniqueKeys(t))
}

// relate completes a relationship's cardinality from the child's columns
// and adds it, once per child, parent and columns.
func (b *builder) relate(r *Relation, unique [][]string) {
	child := b.byName[r.Child]
	if child == nil {
		return
	}
	set := map[string]bool{}
	for _, c := range r.Columns {
		set[c] = true
	}
	pk := map[string]bool{}
	for _, a := range child.Attrs {
		if !set[a.Name] {
			continue
		}
		if !a.NotNull {
			r.Optional = true
		}
		if a.PK {
			pk[a.Name] = true
		}
		a.FK = true
	}
	r.Identifying = len(pk) == len(set) && len(set) > 0
	for _, u := range unique {
		if len(u) == 0 {
			continue
		}
		all := true
		for _, c := range u {
			if !set[c] {
				all = false
				break
			}
		}
		if all {
			r.OneToOne = true
			break
		}
	}
	for _, o := range b.d.Relations {
		if o.key() == r.key() {
			return
		}
	}
	b.d.Relations = append(b.d.Relations, r)
}

// root follows a partition up to the partitioned table that is not a
// partition itself.
func (b *builder) root(n Name) Name {
	for i := 0; i < 100; i++ {
		ti := b.info(n)
		if ti == nil || ti.Parent == nil {
			return n
		}
		n = Name{ti.Parent.Schema, ti.Parent.Name}
	}
	return n
}

// partitions folds the partitions into their partitioned tables: each
// partition counts on its root, and the foreign keys a partition has of
// its own (not cloned from its parent) become the root's.
func (b *builder) partitions() error {
	if b.st.Catalog == nil {
		return nil
	}
	for _, ti := range b.st.Catalog.Partitions() {
		root := b.byName[b.root(Name{ti.Schema, ti.Name})]
		if root == nil {
			continue
		}
		root.Partitions++
		root.details += "\x00partition " + ti.Name + " " + ti.Bound + " " + tableDetails(ti)
		for _, k := range ti.Constraints {
			if k.Type != 'f' || k.Inherited || k.Parent != "" || k.RefTable == nil {
				continue
			}
			cols, refCols, err := parseForeignKey(k.Def)
			if err != nil {
				return fmt.Errorf("erd: foreign key %s of %s: %w", k.Name, ti.QName, err)
			}
			r := &Relation{
				Name: k.Name, Child: root.Name, Columns: cols, RefColumns: refCols, OnPartitions: true,
				Parent: b.root(Name{k.RefTable.Schema, k.RefTable.Name}),
			}
			r.details = fkActions(k.Def)
			b.relate(r, b.catalogUnique(root))
		}
	}
	return nil
}

// catalogUnique returns the unique column sets of an entity from its
// markers (the primary key, and single unique columns).
func (b *builder) catalogUnique(e *Entity) [][]string {
	var pk []string
	var out [][]string
	for _, a := range e.Attrs {
		if a.PK {
			pk = append(pk, a.Name)
		}
		if a.UK {
			out = append(out, []string{a.Name})
		}
	}
	if pk != nil {
		out = append(out, pk)
	}
	return out
}

// tableDetails is what defines a table beyond its columns and keys drawn.
func tableDetails(ti *schema.TableInfo) string {
	var parts []string
	for _, k := range ti.Constraints {
		if k.Type != 'f' {
			parts = append(parts, "constraint "+k.Name+" "+k.Def+" "+k.Comment)
		}
	}
	for _, i := range ti.Indexes {
		parts = append(parts, "index "+i.Def+" "+i.Comment)
	}
	sort.Strings(parts)
	parts = append(parts, "options "+ti.Options, "key "+ti.PartitionKey, fmt.Sprintf("persistence %c", ti.Persistence), "comment "+ti.Comment)
	return strings.Join(parts, "\x00")
}

// columnDetails is what defines a column beyond its name, type and
// nullability.
func columnDetails(ci *schema.ColumnInfo) string {
	return fmt.Sprintf("default %s\x00identity %c\x00generated %s\x00collation %s", ci.Default, ci.Identity, ci.Generated, ci.Collation)
}

// shortType drops the schema from a type of the table's own schema.
func shortType(t, schemaName string) string {
	for _, p := range []string{schemaName + ".", schema.QuoteIdent(schemaName) + "."} {
		if strings.HasPrefix(t, p) {
			return t[len(p):]
		}
	}
	return t
}

// unquote removes the double quotes of a quoted identifier.
func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return strings.ReplaceAll(s[1:len(s)-1], `""`, `"`)
	}
	return s
}

func sortNames(ns []Name) {
	sort.Slice(ns, func(i, j int) bool { return ns[i].less(ns[j]) })
}

// sort orders entities by name and relationships by child, parent and
// columns.
func (d *Diagram) sort() {
	sort.Slice(d.Entities, func(i, j int) bool { return d.Entities[i].Name.less(d.Entities[j].Name) })
	d.prune()
}
