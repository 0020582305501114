package diff

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"ariga.io/atlas/sql/migrate"
	atlas "ariga.io/atlas/sql/schema"

	"github.com/schemactl/schemactl/schema"
)

// mergeObjects plans the objects of package schema (views, functions,
// triggers, types, extensions, policies, grants) between two states and
// merges their statements with stmts, the plan of tables, enums, domains,
// sequences and partitions, keeping stmts in their order. What each of
// stmts touches is found by the quoted names it mentions.
func mergeObjects(from, to *schema.State, stmts []Stmt, opts ObjectOptions) ([]Stmt, error) {
	p := newObjPlanner(from.Realm, to.Realm, opts)
	names := touchNames(from, to)
	idx := newNameIndex(names)
	ext := make([]extStmt, len(stmts))
	for i, s := range stmts {
		e := extStmt{change: &migrate.Change{Cmd: s.SQL, Comment: s.Comment}}
		for _, k := range idx.find(s.SQL) {
			e.touches = append(e.touches, names[k].ref)
		}
		e.uses = s.uses
		e.dropsTable = strings.HasPrefix(s.SQL, "DROP TABLE")
		ext[i] = e
	}
	changes, err := p.merge(ext, stateDisturbed(from, to))
	if err != nil {
		return nil, err
	}
	out := make([]Stmt, len(changes))
	for i, c := range changes {
		out[i] = Stmt{SQL: c.Cmd, Comment: c.Comment}
	}
	return out, nil
}

type touchName struct {
	ref    schema.PgRef
	quoted string
}

// nameIndex finds which touchNames a statement mentions: the names whose
// quoted form occurs in its text, as strings.Contains would, without
// trying every name on every statement (a plan for thousands of tables
// has thousands of statements and names). Every quoted form starts with a
// double quote or with "SCHEMA ", so only the positions holding one of
// those are tried, with each length a name has.
type nameIndex struct {
	byText map[string][]int // quoted form -> indexes into the names
	lens   []int            // the distinct lengths of the quoted forms
}

func newNameIndex(names []touchName) nameIndex {
	x := nameIndex{byText: map[string][]int{}}
	seen := map[int]bool{}
	for i, n := range names {
		x.byText[n.quoted] = append(x.byText[n.quoted], i)
		if !seen[len(n.quoted)] {
			seen[len(n.quoted)] = true
			x.lens = append(x.lens, len(n.quoted))
		}
	}
	return x
}

// find returns, in ascending order, the indexes of the names whose quoted
// form occurs in text.
func (x nameIndex) find(text string) []int {
	var found map[int]bool
	for i := 0; i < len(text); i++ {
		if text[i] != '"' && text[i] != 'S' {
			continue
		}
		for _, l := range x.lens {
			if i+l > len(text) {
				continue
			}
			for _, k := range x.byText[text[i:i+l]] {
				if found == nil {
					found = map[int]bool{}
				}
				found[k] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(found))
}

// touchNames lists the schemas, tables, enums, domains and sequences of
// both states with the quoted names statements use for them.
func touchNames(states ...*schema.State) []touchName {
	seen := map[string]bool{}
	var out []touchName
	add := func(r schema.PgRef, quoted string) {
		if !seen[r.String()] {
			seen[r.String()] = true
			out = append(out, touchName{r, quoted})
		}
	}
	for _, st := range states {
		for _, s := range st.Realm.Schemas {
			add(schema.PgRef{Kind: schema.PgKindSchema, Name: s.Name}, "SCHEMA "+schema.QuoteIdent(s.Name))
			for _, t := range s.Tables {
				add(schema.TableRef(s.Name, t.Name), schema.QName{Schema: s.Name, Name: t.Name}.String())
			}
			for _, o := range s.Objects {
				if e, ok := o.(*atlas.EnumType); ok {
					add(schema.PgRef{Kind: schema.PgKindEnum, Schema: s.Name, Name: e.T}, schema.QName{Schema: s.Name, Name: e.T}.String())
				}
			}
		}
		if st.Catalog == nil {
			continue
		}
		for _, t := range st.Catalog.Tables {
			add(schema.TableRef(t.Schema, t.Name), t.QName.String())
		}
		for _, d := range st.Catalog.Domains {
			add(schema.PgRef{Kind: schema.PgKindDomain, Schema: d.Schema, Name: d.Name}, d.QName.String())
		}
		for _, q := range st.Catalog.Sequences {
			add(schema.PgRef{Kind: schema.PgKindSequence, Schema: q.Schema, Name: q.Name}, q.QName.String())
		}
		for _, e := range st.Catalog.Enums {
			add(schema.PgRef{Kind: schema.PgKindEnum, Schema: e.Schema, Name: e.Name}, e.QName.String())
		}
	}
	return out
}

// stateDisturbed lists (by key) what the table plan takes away from under
// the objects: dropped schemas, tables, columns, enums, domains and
// sequences, columns whose type changes, enums that are recreated.
func stateDisturbed(from, to *schema.State) map[string]bool {
	m := map[string]bool{}
	for _, s := range from.Realm.Schemas {
		if _, ok := to.Realm.Schema(s.Name); !ok {
			m[schema.PgRef{Kind: schema.PgKindSchema, Name: s.Name}.String()] = true
		}
	}
	if from.Catalog == nil || to.Catalog == nil {
		return m
	}
	for _, t1 := range from.Catalog.Tables {
		t2, ok := to.Catalog.Table(t1.QName)
		if !ok || recreatedTable(from.Catalog, to.Catalog, t1.QName) {
			m[schema.TableRef(t1.Schema, t1.Name).String()] = true
			continue
		}
		for _, c1 := range t1.Columns {
			if c2, ok := t2.Column(c1.Name); !ok || c1.Type != c2.Type {
				m[schema.PgRef{Kind: schema.PgKindColumn, Schema: t1.Schema, Name: t1.Name, Sub: c1.Name}.String()] = true
			}
		}
	}
	for _, e1 := range from.Catalog.Enums {
		if e2, ok := to.Catalog.Enum(e1.QName); !ok || !isSubsequence(e1.Values, e2.Values) {
			m[schema.PgRef{Kind: schema.PgKindEnum, Schema: e1.Schema, Name: e1.Name}.String()] = true
		}
	}
	for _, d1 := range from.Catalog.Domains {
		if d2, ok := to.Catalog.Domain(d1.QName); !ok || d1.BaseType != d2.BaseType {
			m[schema.PgRef{Kind: schema.PgKindDomain, Schema: d1.Schema, Name: d1.Name}.String()] = true
		}
	}
	for _, q1 := range from.Catalog.Sequences {
		if _, ok := to.Catalog.Sequence(q1.QName); !ok {
			m[schema.PgRef{Kind: schema.PgKindSequence, Schema: q1.Schema, Name: q1.Name}.String()] = true
		}
	}
	return m
}

// objectDifferences describes how the objects of got differ from want's,
// for proving plans.
func objectDifferences(got, want *atlas.Realm, opts ObjectOptions) []string {
	p := newObjPlanner(got, want, opts)
	g, w := p.objects(got), p.objects(want)
	var out []string
	for _, k := range sortedUnion(g, w) {
		a, b := g[k], w[k]
		switch {
		case a == nil:
			out = append(out, k+" is missing")
		case b == nil:
			out = append(out, k+" should not exist")
		default:
			gen, err := genFor(b)
			if err != nil {
				out = append(out, err.Error())
				continue
			}
			if stmts, recreate := gen.alter(a, b); recreate || len(stmts) > 0 {
				msg := k + " differs"
				if pa, ok := a.(*schema.PgPrivileges); ok {
					// Which grants: the owner's own are never listed, so a
					// grant to a role that owns the object on one side only
					// shows here.
					msg += fmt.Sprintf(" (has %s, wants %s)", strings.Join(pa.Items, " "), strings.Join(b.(*schema.PgPrivileges).Items, " "))
				}
				out = append(out, msg)
			}
		}
	}
	return out
}

func sortedUnion(a, b map[string]schema.PgObject) []string {
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	out := make([]string, 0, len(keys))
	for k := range keys {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
