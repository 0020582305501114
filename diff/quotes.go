package diff

import (
	"sort"
	"strconv"
	"strings"

	atlas "ariga.io/atlas/sql/schema"

	"github.com/schemactl/schemactl/schema"
)

// Atlas's planner quotes an identifier by putting it between double
// quotes as it is: a name that holds a double quote itself (PostgreSQL
// doubles it: "a""b") comes out as "a"b", which does not parse or names
// something else. namesWithQuotes lists the names of the realms that hold
// one; fixQuotes writes them as PostgreSQL spells them in Atlas's
// statements. Atlas's broken form never occurs inside the right one (the
// right one doubles every quote), so the replacement cannot touch a name
// that was right.

// namesWithQuotes returns the schema, table, view, column, index,
// constraint and type names of the realms that hold a double quote,
// longest first (so that a name containing another is replaced first).
func namesWithQuotes(realms ...*atlas.Realm) []string {
	seen := map[string]bool{}
	add := func(n string) {
		if strings.Contains(n, `"`) {
			seen[n] = true
		}
	}
	for _, r := range realms {
		if r == nil {
			continue
		}
		for _, s := range r.Schemas {
			add(s.Name)
			for _, t := range s.Tables {
				add(t.Name)
				for _, c := range t.Columns {
					add(c.Name)
					if e, ok := c.Type.Type.(*atlas.EnumType); ok {
						add(e.T)
					}
				}
				for _, i := range t.Indexes {
					add(i.Name)
				}
				if t.PrimaryKey != nil {
					add(t.PrimaryKey.Name)
				}
				for _, fk := range t.ForeignKeys {
					add(fk.Symbol)
				}
				for _, a := range t.Attrs {
					if c, ok := a.(*atlas.Check); ok {
						add(c.Name)
					}
				}
			}
			for _, v := range s.Views {
				add(v.Name)
			}
			for _, o := range s.Objects {
				if e, ok := o.(*atlas.EnumType); ok {
					add(e.T)
				}
			}
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if len(names[i]) != len(names[j]) {
			return len(names[i]) > len(names[j])
		}
		return names[i] < names[j]
	})
	return names
}

// fixQuotes rewrites each of names that Atlas quoted as "name" (or, for
// a type of a column, in Go's quoting: "mo\"od") into PostgreSQL's
// quoting.
func fixQuotes(cmd string, names []string) string {
	for _, n := range names {
		cmd = strings.ReplaceAll(cmd, `"`+n+`"`, schema.QuoteIdent(n))
		cmd = strings.ReplaceAll(cmd, strconv.Quote(n), schema.QuoteIdent(n))
	}
	return cmd
}
